/* HMAC signatures on the relay's HTTP calls to the scheduler. */
#define G_LOG_DOMAIN "huizhen-common"

#include "hz-request-auth.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

static char *
compute_signature (const HzSecret *secret, const char *method, const char *path,
                   gint64 timestamp, const char *body, gsize body_length)
{
  guint8 key[HZ_SECRET_LENGTH];
  g_autoptr(GHmac) hmac = NULL;
  g_autofree char *header = NULL;

  hz_secret_derive (secret, "relay-report", key);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key, sizeof key);
  header = g_strdup_printf ("%s\n%s\n%" G_GINT64_FORMAT "\n", method, path, timestamp);
  g_hmac_update (hmac, (const guchar *) header, -1);
  if (body_length > 0)
    g_hmac_update (hmac, (const guchar *) body, (gssize) body_length);
  return g_strdup (g_hmac_get_string (hmac));
}

char *
hz_request_auth_sign (const HzSecret *secret, const char *method, const char *path,
                      gint64 now, const char *body, gsize body_length)
{
  g_autofree char *signature =
    compute_signature (secret, method, path, now, body, body_length);

  return g_strdup_printf ("HZ-HMAC ts=%" G_GINT64_FORMAT ", sig=%s", now, signature);
}

gboolean
hz_request_auth_verify (const HzSecret *secret,
                        const char     *header,
                        const char     *method,
                        const char     *path,
                        gint64          now,
                        const char     *body,
                        gsize           body_length,
                        GError        **error)
{
  g_autofree char *expected = NULL;
  char received[65];
  gint64 timestamp;
  int consumed = 0;
  guint8 difference = 0;

  if (header == NULL ||
      sscanf (header, "HZ-HMAC ts=%" G_GINT64_FORMAT ", sig=%64[0-9a-f]%n",
              &timestamp, received, &consumed) != 2 ||
      header[consumed] != '\0' || strlen (received) != 64)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "Missing or malformed HZ-HMAC authorization");
      return FALSE;
    }
  if (timestamp < now - HZ_REQUEST_AUTH_MAX_SKEW || timestamp > now + HZ_REQUEST_AUTH_MAX_SKEW)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "HZ-HMAC timestamp is more than %d s from this server's clock",
                   HZ_REQUEST_AUTH_MAX_SKEW);
      return FALSE;
    }

  expected = compute_signature (secret, method, path, timestamp, body, body_length);
  for (gsize i = 0; i < 64; i++)
    difference |= (guint8) (expected[i] ^ received[i]);
  if (difference != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "HZ-HMAC signature does not match");
      return FALSE;
    }
  return TRUE;
}
