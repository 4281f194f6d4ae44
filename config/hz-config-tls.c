/* Loading and checking the TLS files named in the configuration; see
 * hz-config-tls.h. */
#define G_LOG_DOMAIN "huizhen-config"

#include "hz-config-tls.h"

#include <gnutls/gnutls.h>
#include <string.h>

/* Sets ERROR to "FILE: [GROUP] KEY = 'VALUE': REASON". */
static void
set_file_error (GError    **error,
                const char *config_path,
                const char *group,
                const char *key,
                const char *value,
                const char *reason)
{
  g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE, "%s: [%s] %s = '%s': %s",
               config_path != NULL ? config_path : "built-in defaults", group, key, value,
               reason);
}

/* Reads PATH only to tell a missing or unreadable file from one whose
 * content is wrong, so that the error names the right cause. */
static gboolean
check_readable (const HzConfig *config, const char *group, const char *key, const char *path,
                GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (g_file_get_contents (path, &contents, &length, &local_error))
    {
      explicit_bzero (contents, length);
      return TRUE;
    }
  set_file_error (error, config->path, group, key, path, local_error->message);
  return FALSE;
}

/* Checks that PATH contains at least one PEM certificate. */
static gboolean
check_has_certificate (const HzConfig *config, const char *group, const char *key,
                       const char *path, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  GList *certificates = g_tls_certificate_list_new_from_file (path, &local_error);

  if (certificates == NULL)
    {
      set_file_error (error, config->path, group, key, path,
                      local_error != NULL ? local_error->message
                                          : "the file contains no PEM certificate");
      return FALSE;
    }
  g_list_free_full (certificates, g_object_unref);
  return TRUE;
}

/* Checks with GnuTLS that KEY_PATH contains the private key of the first
 * certificate in CERTIFICATE_PATH. GLib's GTlsCertificate (glib-networking
 * 2.74) does not compare them, and a mismatch would otherwise show only as
 * a failed handshake with every client. */
static gboolean
check_key_matches (const HzConfig *config, const char *group, const char *certificate_path,
                   const char *key_path, GError **error)
{
  gnutls_certificate_credentials_t credentials;
  g_autofree char *reason = NULL;
  int result;

  if (gnutls_certificate_allocate_credentials (&credentials) != GNUTLS_E_SUCCESS)
    {
      set_file_error (error, config->path, group, "tls-key", key_path,
                      "cannot allocate GnuTLS credentials to check the key");
      return FALSE;
    }
  result = gnutls_certificate_set_x509_key_file2 (credentials, certificate_path, key_path,
                                                  GNUTLS_X509_FMT_PEM, NULL, 0);
  gnutls_certificate_free_credentials (credentials);
  if (result >= 0)
    return TRUE;

  if (result == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
    reason = g_strdup_printf ("the key does not match the certificate in '%s'",
                              certificate_path);
  else
    reason = g_strdup_printf ("GnuTLS cannot use the key with the certificate in '%s' (%s); "
                              "expected an unencrypted PEM private key",
                              certificate_path, gnutls_strerror (result));
  set_file_error (error, config->path, group, "tls-key", key_path, reason);
  return FALSE;
}

gboolean
hz_config_load_tls_certificate (const HzConfig   *config,
                                const char       *group,
                                GTlsCertificate **certificate,
                                GError          **error)
{
  gboolean is_scheduler = g_str_equal (group, "scheduler");
  const char *certificate_path = is_scheduler ? config->scheduler.tls_certificate
                                              : config->relay.tls_certificate;
  const char *key_path = is_scheduler ? config->scheduler.tls_key : config->relay.tls_key;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GTlsCertificate) loaded = NULL;

  g_return_val_if_fail (is_scheduler || g_str_equal (group, "relay"), FALSE);

  *certificate = NULL;
  if (certificate_path == NULL && key_path == NULL)
    return TRUE;

  /* hz_config_load() accepts only both or neither. */
  g_return_val_if_fail (certificate_path != NULL && key_path != NULL, FALSE);

  if (!check_readable (config, group, "tls-certificate", certificate_path, error) ||
      !check_readable (config, group, "tls-key", key_path, error))
    return FALSE;

  if (!check_has_certificate (config, group, "tls-certificate", certificate_path, error))
    return FALSE;

  /* The certificate file is known to be good here, so a failure concerns
   * the key. */
  loaded = g_tls_certificate_new_from_files (certificate_path, key_path, &local_error);
  if (loaded == NULL)
    {
      set_file_error (error, config->path, group, "tls-key", key_path, local_error->message);
      return FALSE;
    }

  if (!check_key_matches (config, group, certificate_path, key_path, error))
    return FALSE;

  *certificate = g_steal_pointer (&loaded);
  return TRUE;
}

gboolean
hz_config_load_scheduler_ca (const HzConfig  *config,
                             GTlsDatabase   **database,
                             GError         **error)
{
  const char *path = config->relay.scheduler_ca_file;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *absolute = NULL;

  *database = NULL;
  if (path == NULL)
    return TRUE;

  if (!check_readable (config, "relay", "scheduler-ca-file", path, error))
    return FALSE;

  /* g_tls_file_database_new() accepts a file without any certificate, which
   * would make every scheduler certificate fail to verify for no clear
   * reason, so the bundle must contain at least one. */
  if (!check_has_certificate (config, "relay", "scheduler-ca-file", path, error))
    return FALSE;

  /* GTlsFileDatabase warns about a relative path, and config paths are
   * relative to the working directory. */
  absolute = g_canonicalize_filename (path, NULL);
  *database = g_tls_file_database_new (absolute, &local_error);
  if (*database == NULL)
    {
      set_file_error (error, config->path, "relay", "scheduler-ca-file", path,
                      local_error->message);
      return FALSE;
    }
  return TRUE;
}
