/* Guarded status changes of consultations and their history. */
#include "hz-sched-store-workflow.h"

#include "hz-sched-db.h"
#include "hz-sched-errors.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
set_invalid_transition (GError               **error,
                        gint64                 id,
                        HzConsultationStatus   from,
                        HzWorkflowAction       action)
{
  g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_TRANSITION,
               "Consultation %" G_GINT64_FORMAT " is %s; %s to %s is not allowed", id,
               hz_consultation_status_to_string (from), hz_workflow_action_name (action),
               hz_consultation_status_to_string (hz_workflow_target (action)));
}

gboolean
hz_store_read_status (sqlite3               *db,
                      gint64                 id,
                      HzConsultationStatus  *status,
                      GError               **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT status FROM consultations WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Consultation %" G_GINT64_FORMAT " does not exist", id);
      return FALSE;
    }

  /* The CHECK constraint of the column keeps unknown names out. */
  if (!hz_consultation_status_from_string ((const char *) sqlite3_column_text (stmt, 0), status))
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                   "Consultation %" G_GINT64_FORMAT " has an unknown status", id);
      return FALSE;
    }

  return TRUE;
}

gboolean
hz_store_workflow_check (sqlite3               *db,
                         gint64                 id,
                         HzWorkflowAction       action,
                         HzConsultationStatus  *from,
                         GError               **error)
{
  if (!hz_store_read_status (db, id, from, error))
    return FALSE;

  if (!hz_workflow_allows (*from, action))
    {
      set_invalid_transition (error, id, *from, action);
      return FALSE;
    }

  return TRUE;
}

gboolean
hz_store_workflow_write (sqlite3               *db,
                         const HzActor         *actor,
                         gint64                 id,
                         HzConsultationStatus   from,
                         HzWorkflowAction       action,
                         const char            *reason,
                         const char            *detail,
                         GError               **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE consultations SET status = ?, updated_at = ? WHERE id = ? AND status = ?", error);
  HzConsultationStatus to = hz_workflow_target (action);
  HzAuditEntry audit = { *actor, hz_workflow_action_name (action), "consultation", id,
                         hz_consultation_status_to_string (from),
                         hz_consultation_status_to_string (to), reason, detail };

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, hz_consultation_status_to_string (to), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  sqlite3_bind_int64 (stmt, 3, id);
  sqlite3_bind_text (stmt, 4, hz_consultation_status_to_string (from), -1, SQLITE_STATIC);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  /* Unreachable while callers hold the write lock since the check, but a
   * change of status between check and update must never pass. */
  if (sqlite3_changes (db) != 1)
    {
      set_invalid_transition (error, id, from, action);
      return FALSE;
    }

  return hz_audit_write (db, &audit, error);
}

static gboolean
set_return_reason (sqlite3     *db,
                   gint64       id,
                   const char  *reason,
                   GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE consultations SET return_reason = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, id);
  return hz_db_step (stmt, NULL, error);
}

/* Fails with session_not_started unless the session of consultation ID
 * has started. */
static gboolean
check_session_started (sqlite3  *db,
                       gint64    id,
                       GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT s.start_at FROM consultations c JOIN sessions s ON s.id = c.session_id"
    " WHERE c.id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  if (!has_row || sqlite3_column_int64 (stmt, 0) > now_seconds ())
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_SESSION_NOT_STARTED,
                   "The session of consultation %" G_GINT64_FORMAT " has not started", id);
      return FALSE;
    }

  return TRUE;
}

/* Ends the session of a no-show, so that it takes no more join tokens. */
static gboolean
end_session (sqlite3  *db,
             gint64    id,
             GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE sessions SET status = 'completed'"
    " WHERE id = (SELECT session_id FROM consultations WHERE id = ?) AND status = 'scheduled'",
    error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  return hz_db_step (stmt, NULL, error);
}

static gboolean
review_in_transaction (sqlite3           *db,
                       const HzActor     *actor,
                       gint64             id,
                       HzWorkflowAction   action,
                       const char        *reason,
                       GError           **error)
{
  HzConsultationStatus from;

  if (!hz_store_workflow_check (db, id, action, &from, error))
    return FALSE;

  if (action == HZ_WORKFLOW_NO_SHOW &&
      (!check_session_started (db, id, error) || !end_session (db, id, error)))
    return FALSE;
  if (action == HZ_WORKFLOW_RETURN && !set_return_reason (db, id, reason, error))
    return FALSE;

  return hz_store_workflow_write (db, actor, id, from, action, reason, NULL, error);
}

gboolean
hz_store_consultation_review (sqlite3           *db,
                              const HzActor     *actor,
                              gint64             id,
                              HzWorkflowAction   action,
                              const char        *reason,
                              GError           **error)
{
  g_return_val_if_fail (action == HZ_WORKFLOW_ACCEPT || action == HZ_WORKFLOW_RETURN ||
                        action == HZ_WORKFLOW_NO_SHOW, FALSE);

  if (!hz_db_begin (db, error))
    return FALSE;

  if (!review_in_transaction (db, actor, id, action, reason, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

void
hz_history_entry_free (HzHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->action);
  g_free (entry->from_status);
  g_free (entry->to_status);
  g_free (entry->reason);
  g_free (entry->detail);
  g_free (entry->actor_kind);
  g_free (entry->actor_name);
  g_free (entry->actor_role);
  g_free (entry);
}

static HzHistoryEntry *
read_history_row (sqlite3_stmt *stmt)
{
  HzHistoryEntry *entry = g_new0 (HzHistoryEntry, 1);

  entry->at = sqlite3_column_int64 (stmt, 0);
  entry->action = hz_db_column_text (stmt, 1);
  entry->from_status = hz_db_column_text (stmt, 2);
  entry->to_status = hz_db_column_text (stmt, 3);
  entry->reason = hz_db_column_text (stmt, 4);
  entry->detail = hz_db_column_text (stmt, 5);
  entry->actor_kind = hz_db_column_text (stmt, 6);
  entry->actor_id = hz_db_column_id (stmt, 7);
  entry->actor_name = hz_db_column_text (stmt, 8);
  entry->actor_role = hz_db_column_text (stmt, 9);
  return entry;
}

GPtrArray *
hz_store_consultation_history (sqlite3 *db,
                               gint64   id,
                               GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT a.at, a.action, a.from_status, a.to_status, a.reason, a.detail,"
    "       a.actor_kind, a.actor_id, u.name, u.role"
    " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id"
    " WHERE a.object_type = 'consultation' AND a.object_id = ?"
    " ORDER BY a.id", error);
  g_autoptr (GPtrArray) entries = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_history_entry_free);

  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        return g_steal_pointer (&entries);
      g_ptr_array_add (entries, read_history_row (stmt));
    }

  return NULL;
}
