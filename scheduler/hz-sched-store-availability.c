/* Experts' weekly hours, booking rules and exceptions. */
#include "hz-sched-availability.h"

#include "hz-sched-db.h"
#include "hz-sched-errors.h"

const char *const hz_exception_kind_names[] = {
  "leave", "training", "conference", "other", "extra_hours", NULL,
};

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
hz_availability_exception_free (HzAvailabilityException *exception)
{
  if (exception == NULL)
    return;
  g_free (exception->kind);
  g_free (exception->reason);
  g_free (exception);
}

GArray *
hz_store_get_working_hours (sqlite3 *db,
                            gint64   expert_id,
                            GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT weekday, start_minute, end_minute FROM working_hours WHERE expert_id = ?"
    " ORDER BY weekday, start_minute", error);
  g_autoptr (GArray) hours = g_array_new (FALSE, FALSE, sizeof (HzWorkingHours));
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  while (hz_db_step (stmt, &has_row, error))
    {
      HzWorkingHours row;

      if (!has_row)
        return g_steal_pointer (&hours);

      row.weekday = sqlite3_column_int (stmt, 0);
      row.start_minute = sqlite3_column_int (stmt, 1);
      row.end_minute = sqlite3_column_int (stmt, 2);
      g_array_append_val (hours, row);
    }

  return NULL;
}

static gboolean
replace_hours (sqlite3        *db,
               const HzActor  *actor,
               gint64          expert_id,
               GArray         *hours,
               GError        **error)
{
  g_autoptr (sqlite3_stmt) delete_stmt = hz_db_prepare (db,
    "DELETE FROM working_hours WHERE expert_id = ?", error);
  g_autoptr (sqlite3_stmt) insert_stmt = NULL;
  HzAuditEntry audit = { *actor, "expert.working_hours", "user", expert_id, NULL, NULL, NULL };

  if (delete_stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (delete_stmt, 1, expert_id);
  if (!hz_db_step (delete_stmt, NULL, error))
    return FALSE;

  insert_stmt = hz_db_prepare (db,
    "INSERT INTO working_hours (expert_id, weekday, start_minute, end_minute)"
    " VALUES (?, ?, ?, ?)", error);
  if (insert_stmt == NULL)
    return FALSE;

  for (guint i = 0; i < hours->len; i++)
    {
      const HzWorkingHours *row = &g_array_index (hours, HzWorkingHours, i);

      sqlite3_reset (insert_stmt);
      sqlite3_bind_int64 (insert_stmt, 1, expert_id);
      sqlite3_bind_int (insert_stmt, 2, row->weekday);
      sqlite3_bind_int (insert_stmt, 3, row->start_minute);
      sqlite3_bind_int (insert_stmt, 4, row->end_minute);
      if (!hz_db_step (insert_stmt, NULL, error))
        return FALSE;
    }

  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_set_working_hours (sqlite3        *db,
                            const HzActor  *actor,
                            gint64          expert_id,
                            GArray         *hours,
                            GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!replace_hours (db, actor, expert_id, hours, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

gboolean
hz_store_get_booking_rules (sqlite3        *db,
                            gint64          expert_id,
                            HzBookingRules *rules,
                            GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT min_notice_minutes, buffer_minutes FROM booking_rules WHERE expert_id = ?",
    error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  rules->min_notice_minutes = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  rules->buffer_minutes = has_row ? sqlite3_column_int64 (stmt, 1) : 0;
  return TRUE;
}

static gboolean
upsert_rules (sqlite3               *db,
              const HzActor         *actor,
              gint64                 expert_id,
              const HzBookingRules  *rules,
              GError               **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO booking_rules (expert_id, min_notice_minutes, buffer_minutes, updated_at)"
    " VALUES (?, ?, ?, ?)"
    " ON CONFLICT (expert_id) DO UPDATE SET min_notice_minutes = excluded.min_notice_minutes,"
    "   buffer_minutes = excluded.buffer_minutes, updated_at = excluded.updated_at", error);
  HzAuditEntry audit = { *actor, "expert.booking_rules", "user", expert_id, NULL, NULL, NULL };

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  sqlite3_bind_int64 (stmt, 2, rules->min_notice_minutes);
  sqlite3_bind_int64 (stmt, 3, rules->buffer_minutes);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_set_booking_rules (sqlite3               *db,
                            const HzActor         *actor,
                            gint64                 expert_id,
                            const HzBookingRules  *rules,
                            GError               **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!upsert_rules (db, actor, expert_id, rules, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

static gboolean
insert_exception (sqlite3                  *db,
                  const HzActor            *actor,
                  HzAvailabilityException  *exception,
                  GError                  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO availability_exceptions (expert_id, kind, start_at, end_at, reason,"
    "                                     created_by, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)", error);
  HzAuditEntry audit = { *actor, "expert.exception.add", "availability_exception", 0,
                         NULL, exception->kind, NULL };

  if (stmt == NULL)
    return FALSE;

  exception->created_by = actor->kind == HZ_ACTOR_USER ? actor->user_id : 0;
  exception->created_at = now_seconds ();
  sqlite3_bind_int64 (stmt, 1, exception->expert_id);
  sqlite3_bind_text (stmt, 2, exception->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, exception->start_at);
  sqlite3_bind_int64 (stmt, 4, exception->end_at);
  sqlite3_bind_text (stmt, 5, exception->reason, -1, SQLITE_TRANSIENT);
  if (exception->created_by > 0)
    sqlite3_bind_int64 (stmt, 6, exception->created_by);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_int64 (stmt, 7, exception->created_at);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  exception->id = sqlite3_last_insert_rowid (db);
  audit.object_id = exception->id;
  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_add_exception (sqlite3                  *db,
                        const HzActor            *actor,
                        HzAvailabilityException  *exception,
                        GError                  **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!insert_exception (db, actor, exception, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

#define EXCEPTION_COLUMNS \
  "SELECT id, expert_id, kind, start_at, end_at, reason, created_by, created_at" \
  " FROM availability_exceptions"

static HzAvailabilityException *
read_exception_row (sqlite3_stmt *stmt)
{
  HzAvailabilityException *exception = g_new0 (HzAvailabilityException, 1);

  exception->id = sqlite3_column_int64 (stmt, 0);
  exception->expert_id = sqlite3_column_int64 (stmt, 1);
  exception->kind = hz_db_column_text (stmt, 2);
  exception->start_at = sqlite3_column_int64 (stmt, 3);
  exception->end_at = sqlite3_column_int64 (stmt, 4);
  exception->reason = hz_db_column_text (stmt, 5);
  exception->created_by = hz_db_column_id (stmt, 6);
  exception->created_at = sqlite3_column_int64 (stmt, 7);
  return exception;
}

HzAvailabilityException *
hz_store_get_exception (sqlite3 *db,
                        gint64   id,
                        GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, EXCEPTION_COLUMNS " WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Availability exception %" G_GINT64_FORMAT " does not exist", id);
      return NULL;
    }

  return read_exception_row (stmt);
}

static gboolean
remove_exception (sqlite3        *db,
                  const HzActor  *actor,
                  gint64          id,
                  GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "DELETE FROM availability_exceptions WHERE id = ?", error);
  HzAuditEntry audit = { *actor, "expert.exception.delete", "availability_exception", id,
                         NULL, NULL, NULL };

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Availability exception %" G_GINT64_FORMAT " does not exist", id);
      return FALSE;
    }

  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_delete_exception (sqlite3        *db,
                           const HzActor  *actor,
                           gint64          id,
                           GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!remove_exception (db, actor, id, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

GPtrArray *
hz_store_list_exceptions (sqlite3 *db,
                          gint64   expert_id,
                          gint64   from,
                          gint64   to,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    EXCEPTION_COLUMNS " WHERE expert_id = ? AND end_at > ? AND start_at < ?"
    " ORDER BY start_at, id", error);
  g_autoptr (GPtrArray) exceptions = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  exceptions = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_availability_exception_free);

  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        return g_steal_pointer (&exceptions);
      g_ptr_array_add (exceptions, read_exception_row (stmt));
    }

  return NULL;
}
