#include "hz-sched-apikey.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/random.h>

char *
hz_base64url_encode (const guint8 *data,
                     gsize         length)
{
  char *text = g_base64_encode (data, length);
  gsize end = strlen (text);

  while (end > 0 && text[end - 1] == '=')
    end--;
  text[end] = '\0';

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }

  return text;
}

/* Fills BUFFER from getrandom(2), retrying after signals and short reads. */
static gboolean
read_random (guint8  *buffer,
             gsize    length,
             GError **error)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Reading random bytes failed: %s", g_strerror (saved_errno));
          return FALSE;
        }
      done += (gsize) n;
    }

  return TRUE;
}

char *
hz_api_key_generate (GError **error)
{
  guint8 random_bytes[HZ_API_KEY_RANDOM_BYTES];
  g_autofree char *encoded = NULL;

  if (!read_random (random_bytes, sizeof random_bytes, error))
    return NULL;

  encoded = hz_base64url_encode (random_bytes, sizeof random_bytes);
  explicit_bzero (random_bytes, sizeof random_bytes);

  return g_strconcat (HZ_API_KEY_PREFIX, encoded, NULL);
}

char *
hz_api_key_hash (const char *key)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
}
