/* One occurrence of a teaching series: moving or cancelling it alone. */
#include "hz-sched-teaching.h"

#include "hz-sched-availability.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Reads the occurrence and its presenter inside the transaction, and
 * fails with invalid_state unless the occurrence is scheduled. */
static HzTeachingOccurrence *
lock_scheduled_occurrence (sqlite3  *db,
                           gint64    id,
                           gint64   *presenter_id,
                           GError  **error)
{
  g_autoptr (HzTeachingOccurrence) occurrence = hz_store_get_teaching_occurrence (db, id, error);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean has_row;

  if (occurrence == NULL)
    return NULL;
  if (!g_str_equal (occurrence->status, "scheduled"))
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_STATE,
                   "Teaching occurrence %" G_GINT64_FORMAT " is %s, not scheduled",
                   id, occurrence->status);
      return NULL;
    }

  stmt = hz_db_prepare (db, "SELECT presenter_id FROM teaching_series WHERE id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, occurrence->series_id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  *presenter_id = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  return g_steal_pointer (&occurrence);
}

static gboolean
update_times (sqlite3  *db,
              gint64    id,
              gint64    start,
              gint64    end,
              GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE sessions SET start_at = ?, end_at = ?, sequence = sequence + 1 WHERE id = ?",
    error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, start);
  sqlite3_bind_int64 (stmt, 2, end);
  sqlite3_bind_int64 (stmt, 3, id);
  return hz_db_step (stmt, NULL, error);
}

static gboolean
move_in_transaction (sqlite3             *db,
                     const HzActor       *actor,
                     gint64               id,
                     gint64               start,
                     gint64               end,
                     HzTeachingConflict  *conflict,
                     GError             **error)
{
  g_autoptr (HzTeachingOccurrence) occurrence = NULL;
  g_autoptr (HzAvailability) availability = NULL;
  HzAuditEntry audit = { *actor, "teaching.move", "session", id, "scheduled", "scheduled",
                         NULL };
  gint64 presenter_id = 0;
  gboolean collides;

  occurrence = lock_scheduled_occurrence (db, id, &presenter_id, error);
  if (occurrence == NULL)
    return FALSE;

  availability = hz_store_load_availability (db, presenter_id, start, end, id, now_seconds (),
                                             error);
  if (availability == NULL)
    return FALSE;

  conflict->index = occurrence->index;
  if (!hz_store_check_presenter (db, availability, presenter_id, start, end, id, &collides,
                                 conflict, error))
    return FALSE;
  if (collides)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_TEACHING_CONFLICT,
                   "Teaching occurrence %" G_GINT64_FORMAT " cannot move: the presenter's %s "
                   "is in the way", id, conflict->reason);
      return FALSE;
    }

  return update_times (db, id, start, end, error) && hz_audit_write (db, &audit, error);
}

gboolean
hz_store_move_teaching_occurrence (sqlite3             *db,
                                   const HzActor       *actor,
                                   gint64               id,
                                   gint64               start,
                                   gint64               end,
                                   HzTeachingConflict  *conflict,
                                   GError             **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!move_in_transaction (db, actor, id, start, end, conflict, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

static gboolean
cancel_in_transaction (sqlite3        *db,
                       const HzActor  *actor,
                       gint64          id,
                       const char     *reason,
                       GError        **error)
{
  g_autoptr (HzTeachingOccurrence) occurrence = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  HzAuditEntry audit = { *actor, "teaching.cancel", "session", id, "scheduled", "cancelled",
                         reason };
  gint64 presenter_id;

  occurrence = lock_scheduled_occurrence (db, id, &presenter_id, error);
  if (occurrence == NULL)
    return FALSE;

  stmt = hz_db_prepare (db,
    "UPDATE sessions SET status = 'cancelled', cancel_reason = ?, sequence = sequence + 1"
    " WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, id);

  return hz_db_step (stmt, NULL, error) && hz_audit_write (db, &audit, error);
}

gboolean
hz_store_cancel_teaching_occurrence (sqlite3        *db,
                                     const HzActor  *actor,
                                     gint64          id,
                                     const char     *reason,
                                     GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!cancel_in_transaction (db, actor, id, reason, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}
