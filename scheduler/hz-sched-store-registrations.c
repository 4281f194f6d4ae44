/* Registrations for teaching series, the waitlist, and attendance from
 * the relay's participation reports. */
#include "hz-sched-teaching.h"

#include "hz-sched-db.h"
#include "hz-sched-errors.h"
#include "hz-sched-store-calendar.h"

void
hz_teaching_registration_free (HzTeachingRegistration *registration)
{
  if (registration == NULL)
    return;
  g_free (registration->status);
  g_free (registration->user_name);
  g_free (registration);
}

void
hz_attendance_free (HzAttendance *attendance)
{
  if (attendance == NULL)
    return;
  g_free (attendance->user_name);
  g_free (attendance);
}

#define REGISTRATION_COLUMNS \
  "SELECT r.id, r.series_id, r.user_id, r.status, r.queue_position, r.created_at," \
  "       r.updated_at, u.name, u.org_id," \
  "       CASE r.status WHEN 'waitlisted' THEN" \
  "         (SELECT count (*) FROM teaching_registrations w" \
  "          WHERE w.series_id = r.series_id AND w.status = 'waitlisted'" \
  "            AND w.queue_position <= r.queue_position)" \
  "       ELSE 0 END" \
  " FROM teaching_registrations r JOIN users u ON u.id = r.user_id"

static HzTeachingRegistration *
read_registration_row (sqlite3_stmt *stmt)
{
  HzTeachingRegistration *registration = g_new0 (HzTeachingRegistration, 1);

  registration->id = sqlite3_column_int64 (stmt, 0);
  registration->series_id = sqlite3_column_int64 (stmt, 1);
  registration->user_id = sqlite3_column_int64 (stmt, 2);
  registration->status = hz_db_column_text (stmt, 3);
  registration->queue_position = sqlite3_column_int64 (stmt, 4);
  registration->created_at = sqlite3_column_int64 (stmt, 5);
  registration->updated_at = sqlite3_column_int64 (stmt, 6);
  registration->user_name = hz_db_column_text (stmt, 7);
  registration->user_org_id = hz_db_column_id (stmt, 8);
  registration->waitlist_place = sqlite3_column_int64 (stmt, 9);
  return registration;
}

HzTeachingRegistration *
hz_store_get_teaching_registration (sqlite3 *db,
                                    gint64   series_id,
                                    gint64   user_id,
                                    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    REGISTRATION_COLUMNS " WHERE r.series_id = ? AND r.user_id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, series_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!hz_db_step (stmt, &has_row, error) || !has_row)
    return NULL;

  return read_registration_row (stmt);
}

GPtrArray *
hz_store_list_teaching_registrations (sqlite3 *db,
                                      gint64   series_id,
                                      GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    REGISTRATION_COLUMNS " WHERE r.series_id = ? AND r.status != 'cancelled'"
    " ORDER BY r.status = 'waitlisted', r.queue_position", error);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (
    (GDestroyNotify) hz_teaching_registration_free);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, series_id);
  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        return g_steal_pointer (&list);
      g_ptr_array_add (list, read_registration_row (stmt));
    }

  return NULL;
}

/* Reads the capacity and counts the registered users and the occurrences
 * still to come of SERIES_ID. */
static gboolean
read_places (sqlite3  *db,
             gint64    series_id,
             gint64    now,
             gint64   *capacity,
             gint64   *registered,
             gint64   *upcoming,
             GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT capacity,"
    "  (SELECT count (*) FROM teaching_registrations"
    "   WHERE series_id = t.id AND status = 'registered'),"
    "  (SELECT count (*) FROM sessions"
    "   WHERE teaching_series_id = t.id AND status = 'scheduled' AND end_at > ?)"
    " FROM teaching_series t WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, series_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Teaching series %" G_GINT64_FORMAT " does not exist", series_id);
      return FALSE;
    }

  *capacity = sqlite3_column_int64 (stmt, 0);
  *registered = sqlite3_column_int64 (stmt, 1);
  *upcoming = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

/* Adds USER_ID as a viewer of every scheduled occurrence of the series
 * that has not ended, or removes them from those occurrences. Past
 * occurrences keep their participants, because attendance refers to
 * them. */
static gboolean
set_viewer (sqlite3  *db,
            gint64    series_id,
            gint64    user_id,
            gint64    now,
            gboolean  viewer,
            GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, viewer
    ? "INSERT OR IGNORE INTO session_participants (session_id, user_id, role)"
      " SELECT id, ?2, 'view' FROM sessions"
      " WHERE teaching_series_id = ?1 AND status = 'scheduled' AND end_at > ?3"
    : "DELETE FROM session_participants WHERE user_id = ?2 AND role = 'view'"
      " AND session_id IN (SELECT id FROM sessions"
      "                    WHERE teaching_series_id = ?1 AND end_at > ?3)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, series_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_bind_int64 (stmt, 3, now);
  return hz_db_step (stmt, NULL, error);
}

/* Writes USER_ID's registration with STATUS at the end of the queue,
 * inserting the row or reusing a cancelled one. */
static gboolean
write_registration (sqlite3     *db,
                    gint64       series_id,
                    gint64       user_id,
                    const char  *status,
                    gint64       now,
                    GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO teaching_registrations (series_id, user_id, status, queue_position,"
    "                                    created_at, updated_at)"
    " VALUES (?1, ?2, ?3, (SELECT coalesce (max (queue_position), 0) + 1"
    "                      FROM teaching_registrations WHERE series_id = ?1), ?4, ?4)"
    " ON CONFLICT (series_id, user_id) DO UPDATE SET status = excluded.status,"
    "   queue_position = excluded.queue_position, updated_at = excluded.updated_at", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, series_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_bind_text (stmt, 3, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, now);
  return hz_db_step (stmt, NULL, error);
}

static gboolean
register_in_transaction (sqlite3        *db,
                         const HzActor  *actor,
                         gint64          series_id,
                         gint64          user_id,
                         gint64          now,
                         GError        **error)
{
  g_autoptr (HzTeachingRegistration) existing = NULL;
  g_autoptr (GError) lookup_error = NULL;
  gint64 capacity, registered, upcoming;
  const char *status;
  HzAuditEntry audit = { *actor, "teaching.register", "teaching_series", series_id,
                         NULL, NULL, NULL };

  if (!read_places (db, series_id, now, &capacity, &registered, &upcoming, error))
    return FALSE;

  existing = hz_store_get_teaching_registration (db, series_id, user_id, &lookup_error);
  if (lookup_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      return FALSE;
    }
  if (existing != NULL && !g_str_equal (existing->status, "cancelled"))
    return TRUE;

  if (upcoming == 0)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_REGISTRATION_CLOSED,
                   "Teaching series %" G_GINT64_FORMAT " has no occurrence to come", series_id);
      return FALSE;
    }

  status = registered < capacity ? "registered" : "waitlisted";
  if (!write_registration (db, series_id, user_id, status, now, error))
    return FALSE;
  if (g_str_equal (status, "registered") && !set_viewer (db, series_id, user_id, now, TRUE, error))
    return FALSE;

  audit.from_status = existing != NULL ? existing->status : NULL;
  audit.to_status = status;
  return hz_audit_write (db, &audit, error);
}

HzTeachingRegistration *
hz_store_register_for_teaching (sqlite3        *db,
                                const HzActor  *actor,
                                gint64          series_id,
                                gint64          user_id,
                                gint64          now,
                                GError        **error)
{
  HzTeachingRegistration *registration;

  if (!hz_db_begin (db, error))
    return NULL;

  if (!register_in_transaction (db, actor, series_id, user_id, now, error))
    {
      hz_db_rollback (db);
      return NULL;
    }

  if (!hz_db_commit (db, error))
    return NULL;

  registration = hz_store_get_teaching_registration (db, series_id, user_id, error);
  if (registration == NULL && error != NULL && *error == NULL)
    g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                 "The registration of user %" G_GINT64_FORMAT " disappeared", user_id);
  return registration;
}

/* Registers the first user of the waitlist, if any. */
static gboolean
promote_first_waiting (sqlite3        *db,
                       const HzActor  *actor,
                       gint64          series_id,
                       gint64          now,
                       gint64         *promoted_user_id,
                       GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT user_id FROM teaching_registrations WHERE series_id = ? AND status = 'waitlisted'"
    " ORDER BY queue_position LIMIT 1", error);
  g_autoptr (sqlite3_stmt) update = NULL;
  HzAuditEntry audit = { *actor, "teaching.promote", "teaching_series", series_id,
                         "waitlisted", "registered", NULL };
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, series_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    return TRUE;
  *promoted_user_id = sqlite3_column_int64 (stmt, 0);

  update = hz_db_prepare (db,
    "UPDATE teaching_registrations SET status = 'registered', updated_at = ?"
    " WHERE series_id = ? AND user_id = ?", error);
  if (update == NULL)
    return FALSE;
  sqlite3_bind_int64 (update, 1, now);
  sqlite3_bind_int64 (update, 2, series_id);
  sqlite3_bind_int64 (update, 3, *promoted_user_id);

  return hz_db_step (update, NULL, error) &&
         set_viewer (db, series_id, *promoted_user_id, now, TRUE, error) &&
         hz_audit_write (db, &audit, error);
}

static gboolean
cancel_in_transaction (sqlite3        *db,
                       const HzActor  *actor,
                       gint64          series_id,
                       gint64          user_id,
                       gint64          now,
                       gint64         *promoted_user_id,
                       GError        **error)
{
  g_autoptr (HzTeachingRegistration) existing = NULL;
  g_autoptr (GError) lookup_error = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GPtrArray) before = NULL;
  gboolean was_registered;
  HzAuditEntry audit = { *actor, "teaching.unregister", "teaching_series", series_id,
                         NULL, "cancelled", NULL };

  existing = hz_store_get_teaching_registration (db, series_id, user_id, &lookup_error);
  if (lookup_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      return FALSE;
    }
  if (existing == NULL || g_str_equal (existing->status, "cancelled"))
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_REGISTERED,
                   "User %" G_GINT64_FORMAT " is not registered for teaching series %"
                   G_GINT64_FORMAT, user_id, series_id);
      return FALSE;
    }

  /* A waitlisted user's feed does not list the series, so only a
   * registered user loses events, which their feed keeps as cancelled. */
  was_registered = g_str_equal (existing->status, "registered");
  if (was_registered)
    {
      before = hz_store_calendar_snapshot (db, user_id, now, error);
      if (before == NULL)
        return FALSE;
    }

  stmt = hz_db_prepare (db,
    "UPDATE teaching_registrations SET status = 'cancelled', updated_at = ?"
    " WHERE series_id = ? AND user_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, series_id);
  sqlite3_bind_int64 (stmt, 3, user_id);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  audit.from_status = existing->status;
  if (!hz_audit_write (db, &audit, error))
    return FALSE;
  if (!was_registered)
    return TRUE;

  return set_viewer (db, series_id, user_id, now, FALSE, error) &&
         hz_store_calendar_record_removals (db, user_id, before, now, error) &&
         promote_first_waiting (db, actor, series_id, now, promoted_user_id, error);
}

gboolean
hz_store_cancel_teaching_registration (sqlite3        *db,
                                       const HzActor  *actor,
                                       gint64          series_id,
                                       gint64          user_id,
                                       gint64          now,
                                       gint64         *promoted_user_id,
                                       GError        **error)
{
  *promoted_user_id = 0;
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!cancel_in_transaction (db, actor, series_id, user_id, now, promoted_user_id, error))
    {
      hz_db_rollback (db);
      *promoted_user_id = 0;
      return FALSE;
    }

  return hz_db_commit (db, error);
}
