/* Login names, password hashes, browser sessions and failed-login
 * counters. */
#include "hz-sched-store-accounts.h"

#include <string.h>

#include "hz-sched-apikey.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"

#define SESSION_RANDOM_BYTES 32

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

gboolean
hz_store_find_login (sqlite3     *db,
                     const char  *login,
                     HzUser     **user,
                     char       **password_hash,
                     GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id, password_hash FROM users WHERE login = ?", error);
  gboolean has_row;

  *user = NULL;
  *password_hash = NULL;
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, login, -1, SQLITE_TRANSIENT);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    return TRUE;

  *user = hz_store_get_user (db, sqlite3_column_int64 (stmt, 0), error);
  if (*user == NULL)
    return FALSE;

  *password_hash = hz_db_column_text (stmt, 1);
  return TRUE;
}

char *
hz_store_get_password_hash (sqlite3 *db,
                            gint64   user_id,
                            GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT password_hash FROM users WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, user_id);
  if (!hz_db_step (stmt, &has_row, error) || !has_row)
    return NULL;

  return hz_db_column_text (stmt, 0);
}

gboolean
hz_store_check_login_free (sqlite3     *db,
                  gint64       user_id,
                  const char  *login,
                  GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id FROM users WHERE login = ? AND id != ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, login, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, user_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  if (has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_LOGIN_TAKEN,
                   "Login name of user %" G_GINT64_FORMAT " is taken by user %" G_GINT64_FORMAT,
                   user_id, (gint64) sqlite3_column_int64 (stmt, 0));
      return FALSE;
    }

  return TRUE;
}

static gboolean
update_credentials (sqlite3     *db,
                    gint64       user_id,
                    const char  *login,
                    const char  *password_hash,
                    GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE users SET login = coalesce (?, login), password_hash = coalesce (?, password_hash)"
    " WHERE id = ?", error);
  g_autoptr (sqlite3_stmt) sessions = NULL;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, login, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, password_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, user_id);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "User %" G_GINT64_FORMAT " does not exist", user_id);
      return FALSE;
    }

  if (password_hash == NULL)
    return TRUE;

  sessions = hz_db_prepare (db, "DELETE FROM web_sessions WHERE user_id = ?", error);
  if (sessions == NULL)
    return FALSE;
  sqlite3_bind_int64 (sessions, 1, user_id);
  return hz_db_step (sessions, NULL, error);
}

static gboolean
set_credentials_in_transaction (sqlite3        *db,
                                const HzActor  *actor,
                                gint64          user_id,
                                const char     *login,
                                const char     *password_hash,
                                GError        **error)
{
  HzAuditEntry audit = { *actor, "user.credentials", "user", user_id, NULL, NULL, NULL,
                         NULL };

  /* Which parts changed, never the values. */
  if (login != NULL && password_hash != NULL)
    audit.detail = "{\"login\": true, \"password\": true}";
  else if (login != NULL)
    audit.detail = "{\"login\": true, \"password\": false}";
  else
    audit.detail = "{\"login\": false, \"password\": true}";

  if (login != NULL && !hz_store_check_login_free (db, user_id, login, error))
    return FALSE;

  return update_credentials (db, user_id, login, password_hash, error) &&
         hz_audit_write (db, &audit, error);
}

gboolean
hz_store_set_credentials (sqlite3        *db,
                          const HzActor  *actor,
                          gint64          user_id,
                          const char     *login,
                          const char     *password_hash,
                          GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!set_credentials_in_transaction (db, actor, user_id, login, password_hash, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

static gboolean
insert_web_session (sqlite3     *db,
                    const char  *id_hash,
                    gint64       user_id,
                    gint64       now,
                    gint64       expires_at,
                    GError     **error)
{
  g_autoptr (sqlite3_stmt) purge = hz_db_prepare (db,
    "DELETE FROM web_sessions WHERE expires_at <= ?", error);
  g_autoptr (sqlite3_stmt) insert = NULL;

  if (purge == NULL)
    return FALSE;
  sqlite3_bind_int64 (purge, 1, now);
  if (!hz_db_step (purge, NULL, error))
    return FALSE;

  insert = hz_db_prepare (db,
    "INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    error);
  if (insert == NULL)
    return FALSE;

  sqlite3_bind_text (insert, 1, id_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 2, user_id);
  sqlite3_bind_int64 (insert, 3, now);
  sqlite3_bind_int64 (insert, 4, expires_at);
  return hz_db_step (insert, NULL, error);
}

char *
hz_store_create_web_session (sqlite3 *db,
                             gint64   user_id,
                             gint64  *expires_at,
                             GError **error)
{
  /* An API key is the same shape: a prefix and 32 random bytes. */
  g_autofree char *key = hz_api_key_generate (error);
  g_autofree char *value = NULL;
  g_autofree char *id_hash = NULL;
  gint64 now = now_seconds ();

  if (key == NULL)
    return NULL;

  value = g_strdup (key + strlen (HZ_API_KEY_PREFIX));
  id_hash = hz_api_key_hash (value);
  *expires_at = now + HZ_WEB_SESSION_SECONDS;

  if (!hz_db_begin (db, error))
    return NULL;
  if (!insert_web_session (db, id_hash, user_id, now, *expires_at, error))
    {
      hz_db_rollback (db);
      return NULL;
    }
  if (!hz_db_commit (db, error))
    return NULL;

  return g_steal_pointer (&value);
}

HzUser *
hz_store_find_user_by_session (sqlite3    *db,
                               const char *cookie_value,
                               GError    **error)
{
  g_autofree char *id_hash = hz_api_key_hash (cookie_value);
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT user_id FROM web_sessions WHERE id_hash = ? AND expires_at > ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, id_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now_seconds ());
  if (!hz_db_step (stmt, &has_row, error) || !has_row)
    return NULL;

  return hz_store_get_user (db, sqlite3_column_int64 (stmt, 0), error);
}

gboolean
hz_store_delete_web_session (sqlite3    *db,
                             const char *cookie_value,
                             GError    **error)
{
  g_autofree char *id_hash = hz_api_key_hash (cookie_value);
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "DELETE FROM web_sessions WHERE id_hash = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, id_hash, -1, SQLITE_TRANSIENT);
  return hz_db_step (stmt, NULL, error);
}

gboolean
hz_store_throttle_check (sqlite3          *db,
                         HzThrottleScope   scope,
                         const char       *subject,
                         gint64            now,
                         gint64           *retry_after,
                         GError          **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT blocked_until FROM login_throttle WHERE scope = ? AND subject = ?", error);
  gboolean has_row;

  *retry_after = 0;
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, hz_throttle_scope_to_string (scope), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, subject, -1, SQLITE_TRANSIENT);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  if (has_row && sqlite3_column_int64 (stmt, 0) > now)
    *retry_after = sqlite3_column_int64 (stmt, 0) - now;
  return TRUE;
}

/* Returns the failures counted so far, 0 when none or when the last one
 * is older than the window. */
static gboolean
read_failures (sqlite3          *db,
               HzThrottleScope   scope,
               const char       *subject,
               gint64            now,
               gint64           *failures,
               GError          **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT failures, last_failure_at FROM login_throttle WHERE scope = ? AND subject = ?",
    error);
  gboolean has_row;

  *failures = 0;
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, hz_throttle_scope_to_string (scope), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, subject, -1, SQLITE_TRANSIENT);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  if (has_row && now - sqlite3_column_int64 (stmt, 1) < HZ_THROTTLE_WINDOW_SECONDS)
    *failures = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
write_failures (sqlite3          *db,
                HzThrottleScope   scope,
                const char       *subject,
                gint64            now,
                gint64            failures,
                GError          **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT OR REPLACE INTO login_throttle"
    "  (scope, subject, failures, last_failure_at, blocked_until) VALUES (?, ?, ?, ?, ?)",
    error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, hz_throttle_scope_to_string (scope), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, subject, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, failures);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int64 (stmt, 5, now + hz_throttle_block_seconds (scope, failures));
  return hz_db_step (stmt, NULL, error);
}

gboolean
hz_store_throttle_fail (sqlite3          *db,
                        HzThrottleScope   scope,
                        const char       *subject,
                        gint64            now,
                        gint64           *failures,
                        GError          **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!read_failures (db, scope, subject, now, failures, error) ||
      !write_failures (db, scope, subject, now, ++*failures, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

gboolean
hz_store_throttle_clear (sqlite3          *db,
                         HzThrottleScope   scope,
                         const char       *subject,
                         GError          **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "DELETE FROM login_throttle WHERE scope = ? AND subject = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, hz_throttle_scope_to_string (scope), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, subject, -1, SQLITE_TRANSIENT);
  return hz_db_step (stmt, NULL, error);
}
