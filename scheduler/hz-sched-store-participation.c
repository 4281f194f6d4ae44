/* Join and leave reports of the relay. */
#include "hz-sched-store-participation.h"

#include "hz-sched-db.h"
#include "hz-sched-errors.h"
#include "hz-sched-store-workflow.h"

const char *const hz_participation_event_names[] = { "join", "leave", NULL };

static gboolean
insert_event (sqlite3     *db,
              gint64       session_id,
              gint64       user_id,
              const char  *event,
              gint64       at,
              GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO session_participation (session_id, user_id, event, at, received_at)"
    " VALUES (?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_bind_text (stmt, 3, event, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, at);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
  return hz_db_step (stmt, NULL, error);
}

/* Sets *CONSULTATION_ID to the consultation whose current session is
 * SESSION_ID, or to 0. */
static gboolean
find_consultation (sqlite3  *db,
                   gint64    session_id,
                   gint64   *consultation_id,
                   GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id FROM consultations WHERE session_id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, session_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  *consultation_id = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

/* Moves the consultation of SESSION_ID to in_progress when it is still
 * scheduled. Later joins, and joins after a cancellation, change nothing. */
static gboolean
start_consultation (sqlite3        *db,
                    const HzActor  *actor,
                    gint64          session_id,
                    gint64          user_id,
                    gint64         *started_id,
                    GError        **error)
{
  g_autofree char *detail = NULL;
  HzConsultationStatus status;
  gint64 consultation_id;

  if (!find_consultation (db, session_id, &consultation_id, error))
    return FALSE;
  if (consultation_id == 0)
    return TRUE;

  if (!hz_store_read_status (db, consultation_id, &status, error))
    return FALSE;
  if (!hz_workflow_allows (status, HZ_WORKFLOW_START))
    return TRUE;

  detail = g_strdup_printf ("{\"session_id\": %" G_GINT64_FORMAT ", \"participant_id\": %"
                            G_GINT64_FORMAT "}", session_id, user_id);
  if (!hz_store_workflow_write (db, actor, consultation_id, status, HZ_WORKFLOW_START, NULL,
                                detail, error))
    return FALSE;

  *started_id = consultation_id;
  return TRUE;
}

gboolean
hz_store_record_participation (sqlite3        *db,
                               const HzActor  *actor,
                               gint64          session_id,
                               gint64          user_id,
                               const char     *event,
                               gint64          at,
                               gint64         *started_consultation_id,
                               GError        **error)
{
  *started_consultation_id = 0;

  if (!hz_db_begin (db, error))
    return FALSE;

  if (!insert_event (db, session_id, user_id, event, at, error) ||
      (g_str_equal (event, "join") &&
       !start_consultation (db, actor, session_id, user_id, started_consultation_id, error)))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}
