/* Login names, password hashes, browser sessions and the failed-login
 * counters (hz-sched-throttle.h).
 *
 * A browser session is identified by a cookie value of 32 random bytes in
 * base64url; the database stores only its SHA-256, like API keys.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-sched-store.h"
#include "hz-sched-throttle.h"

G_BEGIN_DECLS

/* How long a browser session lasts after login, whatever its use. */
#define HZ_WEB_SESSION_SECONDS (12 * 3600)

/* Finds the user with LOGIN (already lowercase). Sets *USER to NULL
 * without an error when no user has it, and *PASSWORD_HASH to the stored
 * hash or NULL. */
gboolean hz_store_find_login (sqlite3     *db,
                              const char  *login,
                              HzUser     **user,
                              char       **password_hash,
                              GError     **error);

/* Returns the stored password hash of USER_ID, or NULL (also without a
 * password set, which leaves ERROR unset). */
char *hz_store_get_password_hash (sqlite3 *db,
                                  gint64   user_id,
                                  GError **error);

/* Fails with login_taken when a user other than USER_ID (0 for a new user)
 * has LOGIN. */
gboolean hz_store_check_login_free (sqlite3     *db,
                                    gint64       user_id,
                                    const char  *login,
                                    GError     **error);

/* Inserts USER like hz_store_create_user() with its login name (NULL for
 * none) and PASSWORD_HASH (NULL for none), in one transaction, and returns
 * the new API key. Fails with login_taken. */
char *hz_store_create_user_with_credentials (sqlite3        *db,
                                             const HzActor  *actor,
                                             HzUser         *user,
                                             const char     *password_hash,
                                             GError        **error);

/* Sets the login name (when LOGIN is not NULL) and the password hash (when
 * PASSWORD_HASH is not NULL) of USER_ID. A new password ends every
 * browser session of the user. Fails with login_taken when another user
 * has LOGIN. */
gboolean hz_store_set_credentials (sqlite3        *db,
                                   const HzActor  *actor,
                                   gint64          user_id,
                                   const char     *login,
                                   const char     *password_hash,
                                   GError        **error);

/* Starts a browser session for USER_ID and returns its cookie value; sets
 * *EXPIRES_AT. Expired sessions of every user are deleted on the way. */
char *hz_store_create_web_session (sqlite3 *db,
                                   gint64   user_id,
                                   gint64  *expires_at,
                                   GError **error);

/* Returns the user of an unexpired session with COOKIE_VALUE, or NULL
 * without an error when there is none. */
HzUser *hz_store_find_user_by_session (sqlite3    *db,
                                       const char *cookie_value,
                                       GError    **error);

gboolean hz_store_delete_web_session (sqlite3    *db,
                                      const char *cookie_value,
                                      GError    **error);

/* Sets *RETRY_AFTER to the seconds left of a block of SUBJECT in SCOPE at
 * NOW, or to 0. */
gboolean hz_store_throttle_check (sqlite3          *db,
                                  HzThrottleScope   scope,
                                  const char       *subject,
                                  gint64            now,
                                  gint64           *retry_after,
                                  GError          **error);

/* Counts a failure of SUBJECT in SCOPE at NOW and blocks it as
 * hz_throttle_block_seconds() says. Sets *FAILURES to the new count. */
gboolean hz_store_throttle_fail (sqlite3          *db,
                                 HzThrottleScope   scope,
                                 const char       *subject,
                                 gint64            now,
                                 gint64           *failures,
                                 GError          **error);

/* Forgets the failures of SUBJECT in SCOPE, after a successful login. */
gboolean hz_store_throttle_clear (sqlite3          *db,
                                  HzThrottleScope   scope,
                                  const char       *subject,
                                  GError          **error);

G_END_DECLS
