#include "hz-sched-password.h"

#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#define OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/* sodium_init() is idempotent and thread-safe; it returns -1 only when the
 * library cannot initialise at all. */
static gboolean
init_sodium (GError **error)
{
  if (sodium_init () >= 0)
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libsodium failed to initialise");
  return FALSE;
}

char *
hz_password_hash (const char *password,
                  GError    **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (!init_sodium (error))
    return NULL;

  if (crypto_pwhash_str_alg (hash, password, strlen (password), OPSLIMIT, MEMLIMIT,
                             crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           "Hashing a password with argon2id failed (out of memory)");
      return NULL;
    }

  return g_strdup (hash);
}

/* An argon2id hash, with the limits of hz_password_hash(), of a random
 * password that was thrown away. Verifying against it costs as much as a
 * real verification and never succeeds. */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
  "$argon2id$v=19$m=65536,t=2,p=1$n9KrZ0nGk6Kut/uztT0J+A$ExxHybaQvFsTD4a0GKDfrqMCgMQ3KLnUhM0H5QXOgQY";

gboolean
hz_password_verify (const char *hash,
                    const char *password)
{
  if (!init_sodium (NULL) || password == NULL)
    return FALSE;

  if (hash == NULL)
    {
      int ignored = crypto_pwhash_str_verify (dummy_hash, password, strlen (password));

      (void) ignored;
      return FALSE;
    }

  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

gboolean
hz_password_needs_rehash (const char *hash)
{
  return crypto_pwhash_str_needs_rehash (hash, OPSLIMIT, MEMLIMIT) != 0;
}

char *
hz_login_normalize (const char *text)
{
  g_autofree char *lower = NULL;
  gsize length;

  if (text == NULL)
    return NULL;

  length = strlen (text);
  if (length < HZ_LOGIN_MIN_LENGTH || length > HZ_LOGIN_MAX_LENGTH)
    return NULL;

  lower = g_ascii_strdown (text, -1);
  if (!g_ascii_isalnum (lower[0]))
    return NULL;

  for (const char *p = lower; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        return NULL;
    }

  return g_steal_pointer (&lower);
}
