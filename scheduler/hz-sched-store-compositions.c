/* Composition jobs in SQLite; see hz-sched-compositions.h. */
#include "hz-sched-compositions.h"

#include "hz-sched-db.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
hz_composition_free (HzComposition *composition)
{
  if (composition == NULL)
    return;
  g_free (composition->status);
  g_free (composition->webm_path);
  g_free (composition->mp4_path);
  g_free (composition->error);
  g_free (composition);
}

HzComposition *
hz_store_get_composition (sqlite3 *db, gint64 session_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT status, progress, attempts, webm_path, mp4_path, duration_ms, error,"
    "       requested_at, started_at, finished_at"
    " FROM compositions WHERE session_id = ?", error);
  HzComposition *composition;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  if (!hz_db_step (stmt, &has_row, error) || !has_row)
    return NULL;

  composition = g_new0 (HzComposition, 1);
  composition->session_id = session_id;
  composition->status = hz_db_column_text (stmt, 0);
  composition->progress = sqlite3_column_double (stmt, 1);
  composition->attempts = sqlite3_column_int64 (stmt, 2);
  composition->webm_path = hz_db_column_text (stmt, 3);
  composition->mp4_path = hz_db_column_text (stmt, 4);
  composition->duration_ms = sqlite3_column_int64 (stmt, 5);
  composition->error = hz_db_column_text (stmt, 6);
  composition->requested_at = sqlite3_column_int64 (stmt, 7);
  composition->started_at = sqlite3_column_int64 (stmt, 8);
  composition->finished_at = sqlite3_column_int64 (stmt, 9);
  return composition;
}

gboolean
hz_store_queue_composition (sqlite3 *db, gint64 session_id, gboolean rerun, gboolean *queued,
                            GError **error)
{
  /* The upsert leaves queued and running jobs alone, and finished ones too
   * unless RERUN is set. */
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO compositions (session_id, status, requested_at, updated_at)"
    " VALUES (?1, 'queued', ?2, ?2)"
    " ON CONFLICT (session_id) DO UPDATE SET status = 'queued', progress = 0, error = NULL,"
    "   requested_at = ?2, finished_at = NULL, updated_at = ?2"
    "   WHERE ?3 AND status IN ('complete', 'failed')", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  sqlite3_bind_int (stmt, 3, rerun ? 1 : 0);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;
  *queued = sqlite3_changes (db) > 0;
  return TRUE;
}

gboolean
hz_store_recordings_ended (sqlite3 *db, gint64 session_id, gboolean *ended, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT count (*), count (*) FILTER (WHERE status = 'recording')"
    " FROM recordings WHERE session_id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  *ended = has_row && sqlite3_column_int64 (stmt, 0) > 0 && sqlite3_column_int64 (stmt, 1) == 0;
  return TRUE;
}

gboolean
hz_store_next_queued_composition (sqlite3 *db, gint64 *session_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT session_id FROM compositions WHERE status = 'queued'"
    " ORDER BY requested_at, session_id LIMIT 1", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  *session_id = has_row ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

gboolean
hz_store_start_composition (sqlite3 *db, gint64 session_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE compositions SET status = 'running', progress = 0, attempts = attempts + 1,"
    "  error = NULL, started_at = ?2, finished_at = NULL, updated_at = ?2"
    " WHERE session_id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  return hz_db_step (stmt, NULL, error);
}

gboolean
hz_store_set_composition_progress (sqlite3 *db, gint64 session_id, double progress,
                                   GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE compositions SET progress = ?2, updated_at = ?3"
    " WHERE session_id = ?1 AND status = 'running'", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_double (stmt, 2, CLAMP (progress, 0.0, 1.0));
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  return hz_db_step (stmt, NULL, error);
}

gboolean
hz_store_finish_composition (sqlite3 *db, gint64 session_id, const char *webm_path,
                             const char *mp4_path, gint64 duration_ms, const char *error_text,
                             GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE compositions SET status = ?2, progress = CASE WHEN ?2 = 'complete' THEN 1"
    "                                                   ELSE progress END,"
    "  webm_path = coalesce (?3, webm_path), mp4_path = coalesce (?4, mp4_path),"
    "  duration_ms = coalesce (?5, duration_ms), error = ?6, finished_at = ?7, updated_at = ?7"
    " WHERE session_id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_text (stmt, 2, error_text == NULL ? "complete" : "failed", -1, SQLITE_STATIC);
  if (error_text == NULL) {
    sqlite3_bind_text (stmt, 3, webm_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (stmt, 4, mp4_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64 (stmt, 5, duration_ms);
  }
  if (error_text != NULL)
    sqlite3_bind_text (stmt, 6, error_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, now_seconds ());
  return hz_db_step (stmt, NULL, error);
}

gboolean
hz_store_requeue_running_compositions (sqlite3 *db, guint *count, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE compositions SET status = 'queued', progress = 0, updated_at = ?"
    " WHERE status = 'running'", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now_seconds ());
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;
  *count = (guint) sqlite3_changes (db);
  return TRUE;
}

gboolean
hz_store_get_session_presenter (sqlite3 *db, gint64 session_id, gint64 *presenter_id,
                                GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT coalesce (c.expert_id, t.presenter_id) FROM sessions s"
    " LEFT JOIN consultations c ON c.id = s.consultation_id"
    " LEFT JOIN teaching_series t ON t.id = s.teaching_series_id"
    " WHERE s.id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  *presenter_id = has_row ? hz_db_column_id (stmt, 0) : 0;
  return TRUE;
}
