/* Teaching series: creation with the presenter's conflict check, and
 * reading series and occurrences. */
#include "hz-sched-teaching.h"

#include "hz-sched-availability.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"

const char *const hz_teaching_kind_names[] = {
  "ward_round", "surgical_demo", "lecture", NULL,
};

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
hz_teaching_occurrence_free (HzTeachingOccurrence *occurrence)
{
  if (occurrence == NULL)
    return;
  g_free (occurrence->status);
  g_free (occurrence->cancel_reason);
  g_free (occurrence);
}

HzTeachingSeries *
hz_teaching_series_new (void)
{
  HzTeachingSeries *series = g_new0 (HzTeachingSeries, 1);

  series->audience = g_array_new (FALSE, FALSE, sizeof (gint64));
  series->occurrences = g_ptr_array_new_with_free_func (
    (GDestroyNotify) hz_teaching_occurrence_free);
  return series;
}

void
hz_teaching_series_free (HzTeachingSeries *series)
{
  if (series == NULL)
    return;
  g_free (series->kind);
  g_free (series->title);
  g_free (series->description);
  g_free (series->recurrence);
  g_array_unref (series->audience);
  g_ptr_array_unref (series->occurrences);
  g_free (series);
}

static gboolean
insert_series_row (sqlite3           *db,
                   HzTeachingSeries  *series,
                   GError           **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO teaching_series (org_id, presenter_id, created_by, kind, title, description,"
    "                             capacity, recording, recurrence, created_at, hls)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  series->created_at = now_seconds ();
  sqlite3_bind_int64 (stmt, 1, series->org_id);
  sqlite3_bind_int64 (stmt, 2, series->presenter_id);
  if (series->created_by > 0)
    sqlite3_bind_int64 (stmt, 3, series->created_by);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_text (stmt, 4, series->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, series->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, series->description ? series->description : "", -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, series->capacity);
  sqlite3_bind_int (stmt, 8, series->recording ? 1 : 0);
  sqlite3_bind_text (stmt, 9, series->recurrence, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 10, series->created_at);
  sqlite3_bind_int (stmt, 11, series->hls ? 1 : 0);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  series->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

static gboolean
insert_audience (sqlite3                 *db,
                 const HzTeachingSeries  *series,
                 GError                 **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT OR IGNORE INTO teaching_audience (series_id, org_id) VALUES (?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < series->audience->len; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, series->id);
      sqlite3_bind_int64 (stmt, 2, g_array_index (series->audience, gint64, i));
      if (!hz_db_step (stmt, NULL, error))
        return FALSE;
    }

  return TRUE;
}

/* Sets *SESSION_ID to the first session of USER_ID other than EXCLUDE_ID
 * that is not cancelled and overlaps [START, END), or to 0. */
static gboolean
find_colliding_session (sqlite3  *db,
                        gint64    user_id,
                        gint64    start,
                        gint64    end,
                        gint64    exclude_id,
                        gint64   *session_id,
                        GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT s.id FROM sessions s JOIN session_participants p ON p.session_id = s.id"
    " WHERE p.user_id = ? AND s.status != 'cancelled' AND s.id != ?"
    "   AND s.start_at < ? AND s.end_at > ? ORDER BY s.start_at, s.id LIMIT 1", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, exclude_id);
  sqlite3_bind_int64 (stmt, 3, end);
  sqlite3_bind_int64 (stmt, 4, start);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  *session_id = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

gboolean
hz_store_check_presenter (sqlite3             *db,
                          HzAvailability      *availability,
                          gint64               presenter_id,
                          gint64               start,
                          gint64               end,
                          gint64               exclude_id,
                          gboolean            *collides,
                          HzTeachingConflict  *conflict,
                          GError             **error)
{
  HzBookingProblem problem = hz_availability_check_busy (availability, start, end);
  gint64 buffer = availability->buffer_seconds;

  *collides = problem != HZ_BOOKING_OK;
  if (!*collides)
    return TRUE;

  conflict->start = start;
  conflict->end = end;
  conflict->reason = problem == HZ_BOOKING_ON_LEAVE ? "leave" : "session";
  conflict->session_id = 0;
  if (problem == HZ_BOOKING_ON_LEAVE)
    return TRUE;

  return find_colliding_session (db, presenter_id, start - buffer, end + buffer, exclude_id,
                                 &conflict->session_id, error);
}

static HzTeachingOccurrence *
insert_occurrence (sqlite3                 *db,
                   const HzActor           *actor,
                   const HzTeachingSeries  *series,
                   const HzOccurrence      *occurrence,
                   GError                 **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO sessions (kind, teaching_series_id, occurrence_index, start_at, end_at,"
    "                      status, recording, created_at, hls)"
    " VALUES ('teaching', ?, ?, ?, ?, 'scheduled', ?, ?, ?)", error);
  g_autoptr (sqlite3_stmt) participant = NULL;
  g_autoptr (HzTeachingOccurrence) result = g_new0 (HzTeachingOccurrence, 1);
  HzAuditEntry audit = { *actor, "session.create", "session", 0, NULL, "scheduled", NULL };

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, series->id);
  sqlite3_bind_int (stmt, 2, (int) occurrence->index);
  sqlite3_bind_int64 (stmt, 3, occurrence->start);
  sqlite3_bind_int64 (stmt, 4, occurrence->end);
  sqlite3_bind_int (stmt, 5, series->recording ? 1 : 0);
  sqlite3_bind_int64 (stmt, 6, now_seconds ());
  sqlite3_bind_int (stmt, 7, series->hls ? 1 : 0);
  if (!hz_db_step (stmt, NULL, error))
    return NULL;

  result->id = sqlite3_last_insert_rowid (db);
  result->series_id = series->id;
  result->index = occurrence->index;
  result->start_at = occurrence->start;
  result->end_at = occurrence->end;
  result->status = g_strdup ("scheduled");

  participant = hz_db_prepare (db,
    "INSERT INTO session_participants (session_id, user_id, role) VALUES (?, ?, 'publish')",
    error);
  if (participant == NULL)
    return NULL;
  sqlite3_bind_int64 (participant, 1, result->id);
  sqlite3_bind_int64 (participant, 2, series->presenter_id);
  if (!hz_db_step (participant, NULL, error))
    return NULL;

  audit.object_id = result->id;
  if (!hz_audit_write (db, &audit, error))
    return NULL;

  return g_steal_pointer (&result);
}

/* Fills CONFLICTS for every occurrence that collides with the presenter's
 * commitments, and COLLIDING with a flag per occurrence. */
static gboolean
find_conflicts (sqlite3                 *db,
                const HzTeachingSeries  *series,
                GArray                  *occurrences,
                GArray                  *conflicts,
                gboolean                *colliding,
                GError                 **error)
{
  const HzOccurrence *first = &g_array_index (occurrences, HzOccurrence, 0);
  const HzOccurrence *last = &g_array_index (occurrences, HzOccurrence, occurrences->len - 1);
  g_autoptr (HzAvailability) availability = hz_store_load_availability (
    db, series->presenter_id, first->start, last->end, 0, now_seconds (), error);

  if (availability == NULL)
    return FALSE;

  for (guint i = 0; i < occurrences->len; i++)
    {
      const HzOccurrence *occurrence = &g_array_index (occurrences, HzOccurrence, i);
      HzTeachingConflict conflict = { occurrence->index, 0, 0, NULL, 0 };

      if (!hz_store_check_presenter (db, availability, series->presenter_id, occurrence->start,
                                     occurrence->end, 0, &colliding[i], &conflict, error))
        return FALSE;
      if (colliding[i])
        g_array_append_val (conflicts, conflict);
    }

  return TRUE;
}

static gboolean
create_in_transaction (sqlite3           *db,
                       const HzActor     *actor,
                       HzTeachingSeries  *series,
                       GArray            *occurrences,
                       gboolean           skip_conflicts,
                       GArray            *conflicts,
                       GError           **error)
{
  g_autofree gboolean *colliding = g_new0 (gboolean, occurrences->len);
  HzAuditEntry audit = { *actor, "teaching.create", "teaching_series", 0, NULL, NULL, NULL };

  if (!find_conflicts (db, series, occurrences, conflicts, colliding, error))
    return FALSE;

  if (conflicts->len == occurrences->len || (conflicts->len > 0 && !skip_conflicts))
    {
      const HzTeachingConflict *conflict = &g_array_index (conflicts, HzTeachingConflict, 0);

      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_TEACHING_CONFLICT,
                   "Occurrence %u of the teaching series collides with the presenter's %s",
                   conflict->index, conflict->reason);
      return FALSE;
    }

  if (!insert_series_row (db, series, error) || !insert_audience (db, series, error))
    return FALSE;

  for (guint i = 0; i < occurrences->len; i++)
    {
      HzTeachingOccurrence *inserted;

      if (colliding[i])
        continue;
      inserted = insert_occurrence (db, actor, series,
                                    &g_array_index (occurrences, HzOccurrence, i), error);
      if (inserted == NULL)
        return FALSE;
      g_ptr_array_add (series->occurrences, inserted);
    }

  audit.object_id = series->id;
  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_create_teaching_series (sqlite3           *db,
                                 const HzActor     *actor,
                                 HzTeachingSeries  *series,
                                 GArray            *occurrences,
                                 gboolean           skip_conflicts,
                                 GArray            *conflicts,
                                 GError           **error)
{
  g_return_val_if_fail (occurrences->len > 0, FALSE);

  if (!hz_db_begin (db, error))
    return FALSE;

  if (!create_in_transaction (db, actor, series, occurrences, skip_conflicts, conflicts, error))
    {
      hz_db_rollback (db);
      series->id = 0;
      g_ptr_array_set_size (series->occurrences, 0);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

#define OCCURRENCE_COLUMNS \
  "SELECT id, teaching_series_id, occurrence_index, start_at, end_at, status, sequence," \
  "       cancel_reason FROM sessions"

static HzTeachingOccurrence *
read_occurrence_row (sqlite3_stmt *stmt)
{
  HzTeachingOccurrence *occurrence = g_new0 (HzTeachingOccurrence, 1);

  occurrence->id = sqlite3_column_int64 (stmt, 0);
  occurrence->series_id = sqlite3_column_int64 (stmt, 1);
  occurrence->index = (guint) sqlite3_column_int (stmt, 2);
  occurrence->start_at = sqlite3_column_int64 (stmt, 3);
  occurrence->end_at = sqlite3_column_int64 (stmt, 4);
  occurrence->status = hz_db_column_text (stmt, 5);
  occurrence->sequence = sqlite3_column_int64 (stmt, 6);
  occurrence->cancel_reason = hz_db_column_text (stmt, 7);
  return occurrence;
}

HzTeachingOccurrence *
hz_store_get_teaching_occurrence (sqlite3 *db,
                                  gint64   id,
                                  GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    OCCURRENCE_COLUMNS " WHERE id = ? AND kind = 'teaching'", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Teaching occurrence %" G_GINT64_FORMAT " does not exist", id);
      return NULL;
    }

  return read_occurrence_row (stmt);
}

static gboolean
read_occurrences (sqlite3           *db,
                  HzTeachingSeries  *series,
                  GError           **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    OCCURRENCE_COLUMNS " WHERE teaching_series_id = ? ORDER BY occurrence_index", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, series->id);
  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        return TRUE;
      g_ptr_array_add (series->occurrences, read_occurrence_row (stmt));
    }

  return FALSE;
}

static gboolean
read_audience (sqlite3           *db,
               HzTeachingSeries  *series,
               GError           **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT org_id FROM teaching_audience WHERE series_id = ? ORDER BY org_id", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, series->id);
  while (hz_db_step (stmt, &has_row, error))
    {
      gint64 org_id;

      if (!has_row)
        return TRUE;
      org_id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (series->audience, org_id);
    }

  return FALSE;
}

static gboolean
read_counts (sqlite3           *db,
             HzTeachingSeries  *series,
             GError           **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT count (*) FILTER (WHERE status = 'registered'),"
    "       count (*) FILTER (WHERE status = 'waitlisted')"
    " FROM teaching_registrations WHERE series_id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, series->id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  series->registered = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  series->waitlisted = has_row ? sqlite3_column_int64 (stmt, 1) : 0;
  return TRUE;
}

HzTeachingSeries *
hz_store_get_teaching_series (sqlite3 *db,
                              gint64   id,
                              GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT org_id, presenter_id, created_by, kind, title, description, capacity, recording,"
    "       recurrence, created_at, hls FROM teaching_series WHERE id = ?", error);
  g_autoptr (HzTeachingSeries) series = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Teaching series %" G_GINT64_FORMAT " does not exist", id);
      return NULL;
    }

  series = hz_teaching_series_new ();
  series->id = id;
  series->org_id = sqlite3_column_int64 (stmt, 0);
  series->presenter_id = sqlite3_column_int64 (stmt, 1);
  series->created_by = hz_db_column_id (stmt, 2);
  series->kind = hz_db_column_text (stmt, 3);
  series->title = hz_db_column_text (stmt, 4);
  series->description = hz_db_column_text (stmt, 5);
  series->capacity = sqlite3_column_int64 (stmt, 6);
  series->recording = sqlite3_column_int (stmt, 7) != 0;
  series->recurrence = hz_db_column_text (stmt, 8);
  series->created_at = sqlite3_column_int64 (stmt, 9);
  series->hls = sqlite3_column_int (stmt, 10) != 0;

  if (!read_audience (db, series, error) || !read_occurrences (db, series, error) ||
      !read_counts (db, series, error))
    return NULL;

  return g_steal_pointer (&series);
}

GPtrArray *
hz_store_list_teaching_series (sqlite3 *db,
                               gint64   from,
                               gint64   to,
                               GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT DISTINCT teaching_series_id FROM sessions"
    " WHERE kind = 'teaching' AND end_at > ? AND start_at < ? ORDER BY 1", error);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (
    (GDestroyNotify) hz_teaching_series_free);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  while (hz_db_step (stmt, &has_row, error))
    {
      HzTeachingSeries *series;

      if (!has_row)
        return g_steal_pointer (&list);

      series = hz_store_get_teaching_series (db, sqlite3_column_int64 (stmt, 0), error);
      if (series == NULL)
        return NULL;
      g_ptr_array_add (list, series);
    }

  return NULL;
}
