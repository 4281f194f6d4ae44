/* Test certificates from the openssl CLI; see hz-test-tls.h. */
#include "hz-test-tls.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

gboolean
hz_test_tls_generate (const char *dir, const char *name, char **certificate_path,
                      char **key_path, GError **error)
{
  g_autofree char *certificate = g_strdup_printf ("%s/%s.crt", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
    "-nodes", "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-keyout", key, "-out", certificate, NULL
  };
  g_autofree char *output = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &output, &wait_status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (wait_status, error))
    {
      g_prefix_error (error, "openssl req failed (%s): ", output != NULL ? output : "");
      return FALSE;
    }

  /* OpenSSL 3.0 already writes the key with mode 0600, and the chmod
   * keeps that true for other versions. */
  if (g_chmod (key, 0600) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "chmod 0600 %s failed", key);
      return FALSE;
    }

  *certificate_path = g_steal_pointer (&certificate);
  *key_path = g_steal_pointer (&key);
  return TRUE;
}
