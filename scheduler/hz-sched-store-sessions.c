/* Sessions, their participants and recordings. */
#include "hz-sched-store.h"

#include "hz-sched-db.h"
#include "hz-sched-errors.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

HzSession *
hz_store_get_session (sqlite3 *db,
                      gint64   id,
                      GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT kind, consultation_id, start_at, end_at, status, recording, hls"
    " FROM sessions WHERE id = ?", error);
  HzSession *session;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Session %" G_GINT64_FORMAT " does not exist", id);
      return NULL;
    }

  session = g_new0 (HzSession, 1);
  session->id = id;
  session->kind = hz_db_column_text (stmt, 0);
  session->consultation_id = hz_db_column_id (stmt, 1);
  session->start_at = sqlite3_column_int64 (stmt, 2);
  session->end_at = sqlite3_column_int64 (stmt, 3);
  session->status = hz_db_column_text (stmt, 4);
  session->recording = sqlite3_column_int (stmt, 5) != 0;
  session->hls = sqlite3_column_int (stmt, 6) != 0;
  return session;
}

gboolean
hz_store_get_participant_role (sqlite3     *db,
                               gint64       session_id,
                               gint64       user_id,
                               const char **role,
                               GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT role FROM session_participants WHERE session_id = ? AND user_id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  *role = NULL;
  if (has_row)
    *role = g_str_equal ((const char *) sqlite3_column_text (stmt, 0), "view")
            ? "view" : "publish";
  return TRUE;
}

static void
bind_optional (sqlite3_stmt *stmt,
               int           index,
               gint64        value,
               gint64        none)
{
  if (value == none)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, value);
}

/* Finds the row with RECORDING's path. Sets *ID to 0 when there is none,
 * and fails with recording_path_taken when the path belongs to another
 * session, participant or kind. */
static gboolean
find_recording (sqlite3            *db,
                const HzRecording  *recording,
                gint64             *id,
                char              **status,
                GError            **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id, status, session_id, participant_id, kind FROM recordings WHERE path = ?",
    error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, recording->path, -1, SQLITE_TRANSIENT);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  *id = 0;
  if (!has_row)
    return TRUE;

  if (sqlite3_column_int64 (stmt, 2) != recording->session_id ||
      sqlite3_column_int64 (stmt, 3) != recording->participant_id ||
      g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), recording->kind) != 0)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_RECORDING_PATH_TAKEN,
                   "Recording %" G_GINT64_FORMAT " with this path belongs to another "
                   "session, participant or kind", (gint64) sqlite3_column_int64 (stmt, 0));
      return FALSE;
    }

  *id = sqlite3_column_int64 (stmt, 0);
  *status = hz_db_column_text (stmt, 1);
  return TRUE;
}

static gboolean
insert_recording (sqlite3      *db,
                  HzRecording  *recording,
                  GError      **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO recordings (session_id, participant_id, kind, path, status,"
    "                        started_at, ended_at, bytes, updated_at, failure_reason)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, recording->session_id);
  sqlite3_bind_int64 (stmt, 2, recording->participant_id);
  sqlite3_bind_text (stmt, 3, recording->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, recording->path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, recording->status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, recording->started_at);
  bind_optional (stmt, 7, recording->ended_at, HZ_TIME_NONE);
  bind_optional (stmt, 8, recording->bytes, -1);
  sqlite3_bind_int64 (stmt, 9, now_seconds ());
  sqlite3_bind_text (stmt, 10, recording->failure_reason, -1, SQLITE_TRANSIENT);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  recording->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

/* Updates status, end and size; the start of a recording never changes.
 * An update without ended_at or bytes keeps the stored value. */
static gboolean
update_recording (sqlite3            *db,
                  const HzRecording  *recording,
                  GError            **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE recordings SET status = ?, ended_at = coalesce (?, ended_at),"
    "       bytes = coalesce (?, bytes), updated_at = ?,"
    "       failure_reason = coalesce (?, failure_reason) WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, recording->status, -1, SQLITE_TRANSIENT);
  bind_optional (stmt, 2, recording->ended_at, HZ_TIME_NONE);
  bind_optional (stmt, 3, recording->bytes, -1);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  sqlite3_bind_text (stmt, 5, recording->failure_reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, recording->id);
  return hz_db_step (stmt, NULL, error);
}

/* Overwrites RECORDING's status, times and size with those of its stored
 * row, which an update without ended_at or bytes keeps. */
static gboolean
read_stored_recording (sqlite3      *db,
                       HzRecording  *recording,
                       GError      **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT status, started_at, ended_at, bytes, failure_reason FROM recordings WHERE id = ?",
    error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, recording->id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                   "Recording %" G_GINT64_FORMAT " vanished inside its transaction",
                   recording->id);
      return FALSE;
    }

  g_free (recording->status);
  recording->status = hz_db_column_text (stmt, 0);
  recording->started_at = sqlite3_column_int64 (stmt, 1);
  recording->ended_at = sqlite3_column_type (stmt, 2) == SQLITE_NULL
                        ? HZ_TIME_NONE : sqlite3_column_int64 (stmt, 2);
  recording->bytes = sqlite3_column_type (stmt, 3) == SQLITE_NULL
                     ? -1 : sqlite3_column_int64 (stmt, 3);
  g_free (recording->failure_reason);
  recording->failure_reason = hz_db_column_text (stmt, 4);
  return TRUE;
}

/* A recording's status moves only forward: from "recording" to any
 * status, and from an ended one (complete, failed, interrupted) only to
 * itself, so that a repeated report succeeds. */
static gboolean
recording_status_may_change (const char *from,
                             const char *to)
{
  return g_str_equal (from, "recording") || g_str_equal (from, to);
}

static gboolean
upsert_in_transaction (sqlite3        *db,
                       const HzActor  *actor,
                       HzRecording    *recording,
                       GError        **error)
{
  g_autofree char *old_status = NULL;
  HzAuditEntry audit = { *actor, "recording.start", "recording", 0,
                         NULL, recording->status, NULL };

  if (!find_recording (db, recording, &recording->id, &old_status, error))
    return FALSE;

  if (recording->id == 0)
    {
      if (!insert_recording (db, recording, error))
        return FALSE;
    }
  else
    {
      if (!recording_status_may_change (old_status, recording->status))
        {
          g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_RECORDING_FINISHED,
                       "Recording %" G_GINT64_FORMAT " is %s and cannot become %s",
                       recording->id, old_status, recording->status);
          return FALSE;
        }
      if (!update_recording (db, recording, error))
        return FALSE;
      if (g_str_equal (old_status, recording->status))
        return read_stored_recording (db, recording, error);
      audit.action = "recording.status";
      audit.from_status = old_status;
    }

  audit.object_id = recording->id;
  return hz_audit_write (db, &audit, error) && read_stored_recording (db, recording, error);
}

gboolean
hz_store_upsert_recording (sqlite3        *db,
                           const HzActor  *actor,
                           HzRecording    *recording,
                           GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!upsert_in_transaction (db, actor, recording, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

GPtrArray *
hz_store_list_recordings (sqlite3 *db,
                          gint64   session_id,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id, participant_id, kind, path, status, started_at, ended_at, bytes,"
    "       failure_reason"
    " FROM recordings WHERE session_id = ? ORDER BY id", error);
  g_autoptr (GPtrArray) recordings = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, session_id);
  recordings = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_recording_free);

  while (hz_db_step (stmt, &has_row, error))
    {
      HzRecording *recording;

      if (!has_row)
        return g_steal_pointer (&recordings);

      recording = g_new0 (HzRecording, 1);
      recording->id = sqlite3_column_int64 (stmt, 0);
      recording->session_id = session_id;
      recording->participant_id = sqlite3_column_int64 (stmt, 1);
      recording->kind = hz_db_column_text (stmt, 2);
      recording->path = hz_db_column_text (stmt, 3);
      recording->status = hz_db_column_text (stmt, 4);
      recording->started_at = sqlite3_column_int64 (stmt, 5);
      recording->ended_at = sqlite3_column_type (stmt, 6) == SQLITE_NULL
                            ? HZ_TIME_NONE : sqlite3_column_int64 (stmt, 6);
      recording->bytes = sqlite3_column_type (stmt, 7) == SQLITE_NULL
                         ? -1 : sqlite3_column_int64 (stmt, 7);
      recording->failure_reason = hz_db_column_text (stmt, 8);
      g_ptr_array_add (recordings, recording);
    }

  return NULL;
}
