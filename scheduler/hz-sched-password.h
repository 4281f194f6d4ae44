/* Passwords and login names for the web UI.
 *
 * Passwords are stored as libsodium crypto_pwhash_str() strings with
 * argon2id and libsodium's "interactive" limits (2 passes, 64 MiB in
 * libsodium 1.0.18). Login names are compared in lowercase.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_PASSWORD_MIN_LENGTH 8      /* characters */
#define HZ_PASSWORD_MAX_LENGTH 128    /* characters */
#define HZ_LOGIN_MIN_LENGTH 3
#define HZ_LOGIN_MAX_LENGTH 64

/* Returns the hash string of PASSWORD, or NULL with ERROR set when
 * libsodium cannot initialise or allocate the memory argon2id needs. */
char *hz_password_hash (const char *password,
                        GError    **error);

/* Checks PASSWORD against HASH in constant time. With a NULL HASH (an
 * unknown login, or a user without a password) it hashes anyway and
 * returns FALSE, so the response time does not tell which logins exist. */
gboolean hz_password_verify (const char *hash,
                             const char *password);

/* Whether HASH was made with other limits than hz_password_hash() uses
 * now, so that a successful login should store a new hash. */
gboolean hz_password_needs_rehash (const char *hash);

/* Returns TEXT in lowercase when it is a valid login name (3 to 64 of
 * a-z, 0-9, '.', '_' and '-', starting with a letter or digit), or NULL. */
char *hz_login_normalize (const char *text);

G_END_DECLS
