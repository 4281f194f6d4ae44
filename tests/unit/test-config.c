/* The config loader: defaults, values, and errors that name file, key, value. */
#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hz-config.h"
#include "hz-config-tls.h"
#include "hz-secret.h"
#include "../tools/hz-test-tls.h"

static HzConfig *
load (const char *text, GError **error)
{
  return hz_config_load_from_data (text, strlen (text), "test.conf", error);
}

static void
test_config_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HzConfig) config = hz_config_load (NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (config->scheduler.listen.host, ==, "127.0.0.1");
  g_assert_cmpuint (config->scheduler.listen.port, ==, 8080);
  g_assert_cmpstr (config->scheduler.database, ==, "var/huizhen.db");
  g_assert_cmpstr (config->scheduler.token_secret_file, ==, "var/token.secret");
  g_assert_cmpstr (config->relay.listen.host, ==, "127.0.0.1");
  g_assert_cmpuint (config->relay.listen.port, ==, 8081);
  g_assert_cmpstr (config->relay.recordings_dir, ==, "var/recordings");
  g_assert_cmpstr (config->relay.scheduler_url, ==, "http://127.0.0.1:8080");
  g_assert_null (config->relay.stun_server);
  g_assert_null (config->relay.turn_server);
  g_assert_null (config->relay.public_address);
  g_assert_cmpuint (config->relay.ice_port_min, ==, 0);
  g_assert_cmpuint (config->scheduler.api_rate_limit, ==, 20);
  g_assert_cmpuint (config->scheduler.api_rate_burst, ==, 200);
  g_assert_cmpuint (config->relay.max_candidates_per_connection, ==, 100);
  g_assert_cmpuint (config->scheduler.max_body_kib, ==, 1024);
  g_assert_cmpuint (config->scheduler.max_connections_per_address, ==, 50);
  g_assert_cmpuint (config->relay.max_message_kib, ==, 64);
  g_assert_cmpuint (config->relay.max_rooms, ==, 200);
  g_assert_cmpstr (config->scheduler.recordings_dir, ==, "var/recordings");
  g_assert_cmpuint (config->scheduler.recordings_retention_days, ==, 0);
}

/* The shipped file documents every key with its built-in default, so
 * loading it must give exactly the defaults. */
static void
test_config_shipped_file (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("HUIZHEN_SOURCE_ROOT"),
                                            "config", "huizhen.conf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HzConfig) config = hz_config_load (path, &error);
  g_autoptr(GKeyFile) shipped = g_key_file_new ();
  g_autoptr(GKeyFile) defaults = hz_config_defaults_to_key_file ();
  g_auto(GStrv) groups = g_key_file_get_groups (defaults, NULL);

  g_assert_no_error (error);

  /* Every key that the loader accepts is in the file, with its default. */
  g_assert_true (g_key_file_load_from_file (shipped, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  for (gsize g = 0; groups[g] != NULL; g++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (defaults, groups[g], NULL, NULL);

      for (gsize k = 0; keys[k] != NULL; k++)
        {
          g_autofree char *expected = g_key_file_get_value (defaults, groups[g], keys[k], NULL);
          g_autofree char *documented = g_key_file_get_value (shipped, groups[g], keys[k], NULL);

          g_test_message ("[%s] %s", groups[g], keys[k]);
          g_assert_nonnull (documented);
          g_assert_cmpstr (documented, ==, expected);
        }
    }

  g_assert_cmpuint (config->scheduler.listen.port, ==, 8080);
  g_assert_cmpstr (config->relay.recordings_dir, ==, "var/recordings");
  g_assert_null (config->relay.stun_server);
  g_assert_cmpuint (config->scheduler.api_rate_limit, ==, 20);
  g_assert_cmpuint (config->scheduler.api_rate_burst, ==, 200);
  g_assert_cmpstr (config->scheduler.recordings_dir, ==, "var/recordings");
  g_assert_cmpuint (config->scheduler.recordings_retention_days, ==, 0);
}

/* Checks whether a configuration table row of README, one that starts
 * with "| `[GROUP] ", names KEY. A row may name more keys of its group
 * after the first, e.g. "| `[relay] ice-port-min`, `ice-port-max` |". */
static gboolean
readme_row_names_key (const char *readme, const char *group, const char *key)
{
  g_auto(GStrv) lines = g_strsplit (readme, "\n", -1);
  g_autofree char *row_start = g_strdup_printf ("| `[%s] ", group);
  g_autofree char *first = g_strdup_printf ("`[%s] %s`", group, key);
  g_autofree char *further = g_strdup_printf ("`%s`", key);

  for (gsize i = 0; lines[i] != NULL; i++)
    {
      if (!g_str_has_prefix (lines[i], row_start))
        continue;
      if (strstr (lines[i], first) != NULL || strstr (lines[i], further) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Both READMEs' configuration tables list every key that the loader
 * accepts. */
static void
test_config_readme_tables (void)
{
  const char *readmes[] = { "README.md", "README.zh-CN.md" };
  g_autoptr(GKeyFile) defaults = hz_config_defaults_to_key_file ();
  g_auto(GStrv) groups = g_key_file_get_groups (defaults, NULL);

  for (gsize r = 0; r < G_N_ELEMENTS (readmes); r++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("HUIZHEN_SOURCE_ROOT"), readmes[r],
                                                NULL);
      g_autofree char *readme = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_get_contents (path, &readme, NULL, &error));
      g_assert_no_error (error);
      for (gsize g = 0; groups[g] != NULL; g++)
        {
          g_auto(GStrv) keys = g_key_file_get_keys (defaults, groups[g], NULL, NULL);

          for (gsize k = 0; keys[k] != NULL; k++)
            {
              g_test_message ("%s: [%s] %s", readmes[r], groups[g], keys[k]);
              g_assert_true (readme_row_names_key (readme, groups[g], keys[k]));
            }
        }
    }
}

static void
test_config_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HzConfig) config = load (
    "[scheduler]\nlisten = [::1]:0\ndatabase = /tmp/x.db\napi-rate-limit = 5\napi-rate-burst = 9\n"
    "[relay]\nlisten = localhost:9000\nice-port-min = 40000\nice-port-max = 40100\n"
    "stun-server = stun://127.0.0.1:3478\n"
    "turn-server = turns://user:pass@127.0.0.1:5349\npublic-address = 192.0.2.10\n"
    "scheduler-url = https://127.0.0.1:8443\n"
    "interfaces = lo, 10.0.0.5\nreconnect-grace = 7\n"
    "max-room-participants = 40\nmax-participants = 120\n",
    &error);

  g_assert_no_error (error);
  g_assert_cmpstr (config->scheduler.listen.host, ==, "::1");
  g_assert_cmpuint (config->scheduler.listen.port, ==, 0);
  g_assert_cmpstr (config->relay.listen.host, ==, "localhost");
  g_assert_cmpuint (config->relay.ice_port_max, ==, 40100);
  g_assert_cmpstr (config->relay.stun_server, ==, "stun://127.0.0.1:3478");
  g_assert_cmpstr (config->relay.public_address, ==, "192.0.2.10");
  g_assert_cmpstr (config->relay.scheduler_url, ==, "https://127.0.0.1:8443");
  g_assert_cmpstr (config->relay.interfaces, ==, "lo, 10.0.0.5");
  g_assert_cmpuint (config->relay.reconnect_grace_s, ==, 7);
  g_assert_cmpuint (config->relay.max_room_participants, ==, 40);
  g_assert_cmpuint (config->relay.max_participants, ==, 120);
  g_assert_cmpuint (config->scheduler.api_rate_limit, ==, 5);
  g_assert_cmpuint (config->scheduler.api_rate_burst, ==, 9);
}

static void
test_config_turn_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HzConfig) config = load (
    "[relay]\nturn-server = turn://u:p@127.0.0.1:3478 turn://u:p@127.0.0.1:3478?transport=tcp "
    "turns://u:p@127.0.0.1:5349\n", &error);

  g_assert_no_error (error);
  g_assert_nonnull (strstr (config->relay.turn_server, "transport=tcp"));
  g_assert_cmpuint (config->relay.reconnect_grace_s, ==, 20);
  g_assert_cmpuint (config->relay.max_room_participants, ==, 100);
  g_assert_cmpuint (config->relay.max_participants, ==, 500);
}

typedef struct {
  const char *text;
  int code;
  const char *fragments[4];  /* each must appear in the message */
} ErrorCase;

static void
test_config_errors (void)
{
  static const ErrorCase cases[] = {
    { "[scheduler]\nlisten = 127.0.0.1\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "test.conf", "[scheduler] listen", "'127.0.0.1'", "HOST:PORT" } },
    { "[scheduler]\nlisten = 127.0.0.1:70000\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "test.conf", "listen", "'127.0.0.1:70000'", "65535" } },
    { "[scheduler]\nlisten = example.org:80\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "listen", "example.org:80", NULL } },
    { "[relay]\nice-port-min = abc\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[relay] ice-port-min", "'abc'", "port number", NULL } },
    { "[relay]\nice-port-min = 5000\nice-port-max = 4000\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "ice-port-min", "min <= max", NULL } },
    { "[relay]\nice-port-min = 5000\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "ice-port-max", NULL } },
    { "[relay]\nstun-server = 127.0.0.1:3478\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "stun-server", "stun://", NULL } },
    { "[relay]\nturn-server = turn://127.0.0.1:3478\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "turn-server", "USER:PASSWORD", NULL } },
    { "[relay]\nturn-server = turn://u:p@127.0.0.1:3478 turn://127.0.0.1:3479\n",
      HZ_CONFIG_ERROR_INVALID_VALUE, { "turn-server", "USER:PASSWORD", NULL } },
    { "[relay]\ninterfaces = eth0, not/a/name\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "interfaces", "'not/a/name'", "interface name", NULL } },
    { "[relay]\nreconnect-grace = 3601\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "reconnect-grace", "'3601'", "seconds", NULL } },
    { "[relay]\nmax-room-participants = 0\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "max-room-participants", "'0'", "1 to 100000", NULL } },
    { "[relay]\nmax-participants = many\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "max-participants", "'many'", "whole number", NULL } },
    { "[scheduler]\napi-rate-limit = 0\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[scheduler] api-rate-limit", "'0'", "1 to 100000", NULL } },
    { "[scheduler]\napi-rate-burst = -5\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[scheduler] api-rate-burst", "'-5'", "whole number", NULL } },
    { "[relay]\nmax-candidates-per-connection = 0\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[relay] max-candidates-per-connection", "'0'", "1 to 100000", NULL } },
    { "[relay]\nmax-message-kib = 1025\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[relay] max-message-kib", "'1025'", "1 to 1024", NULL } },
    { "[relay]\npublic-address = not-an-ip\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "public-address", "'not-an-ip'", "IPv4", NULL } },
    { "[relay]\nscheduler-url = ftp://x\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "scheduler-url", "http://", NULL } },
    { "[relay]\nrecordings-dir =\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "recordings-dir", "path is required", NULL } },
    { "[scheduler]\nrecordings-retention-days = 36501\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[scheduler] recordings-retention-days", "'36501'", "days", NULL } },
    { "[scheduler]\nrecordings-retention-days = -1\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "recordings-retention-days", "'-1'", "0 to 36500", NULL } },
    { "[relay]\nlisen = 127.0.0.1:1\n", HZ_CONFIG_ERROR_UNKNOWN_KEY,
      { "test.conf", "lisen", "unknown key", NULL } },
    { "[relais]\nlisten = 127.0.0.1:1\n", HZ_CONFIG_ERROR_UNKNOWN_KEY,
      { "[relais]", NULL } },
    { "listen = 1\n", HZ_CONFIG_ERROR_FILE, { "test.conf", NULL } },
    { "[relay\n", HZ_CONFIG_ERROR_FILE, { "test.conf", NULL } },
    { "[relay]\nlisten = \xff\xfe\n", HZ_CONFIG_ERROR_FILE, { "UTF-8", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HzConfig) config = load (cases[i].text, &error);
      g_autofree char *shown = g_strescape (cases[i].text, NULL);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, shown);
      g_assert_null (config);
      g_assert_error (error, HZ_CONFIG_ERROR, cases[i].code);
      for (gsize f = 0; f < G_N_ELEMENTS (cases[i].fragments) && cases[i].fragments[f]; f++)
        if (strstr (error->message, cases[i].fragments[f]) == NULL)
          g_error ("message \"%s\" lacks \"%s\"", error->message, cases[i].fragments[f]);
    }
}

static void
test_config_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HzConfig) config = hz_config_load ("/nonexistent/huizhen.conf", &error);

  g_assert_null (config);
  g_assert_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_FILE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/huizhen.conf"));
}

/* A certificate without its key, or a key without its certificate, is a
 * configuration error in either group. */
static void
test_config_tls_pair (void)
{
  static const ErrorCase cases[] = {
    { "[scheduler]\ntls-certificate = /etc/huizhen/tls.crt\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "test.conf", "[scheduler] tls-certificate = '/etc/huizhen/tls.crt'", "tls-key = ''",
        "set both" } },
    { "[scheduler]\ntls-key = /etc/huizhen/tls.key\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[scheduler] tls-certificate = ''", "tls-key = '/etc/huizhen/tls.key'", NULL } },
    { "[relay]\ntls-certificate = /etc/huizhen/relay.crt\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[relay] tls-certificate = '/etc/huizhen/relay.crt'", "tls-key = ''", NULL } },
    { "[relay]\ntls-key = /etc/huizhen/relay.key\n", HZ_CONFIG_ERROR_INVALID_VALUE,
      { "[relay] tls-certificate = ''", "leave both empty", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(HzConfig) config = load (cases[i].text, &error);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_null (config);
      g_assert_error (error, HZ_CONFIG_ERROR, cases[i].code);
      for (gsize f = 0; f < G_N_ELEMENTS (cases[i].fragments) && cases[i].fragments[f]; f++)
        if (strstr (error->message, cases[i].fragments[f]) == NULL)
          g_error ("message \"%s\" lacks \"%s\"", error->message, cases[i].fragments[f]);
    }
}

/* Files that tls_files_set_up() generates in a temporary directory. */
typedef struct {
  char *dir;
  char *certificate;        /* self-signed, for localhost */
  char *key;
  char *other_certificate;  /* a second pair, whose key does not match CERTIFICATE */
  char *other_key;
  char *missing;            /* a path in DIR that does not exist */
  char *empty;              /* an empty file */
} TlsFiles;

static void
tls_files_set_up (TlsFiles *files, gconstpointer user_data)
{
  g_autoptr(GError) error = NULL;

  files->dir = g_dir_make_tmp ("hz-config-tls-XXXXXX", &error);
  g_assert_no_error (error);
  hz_test_tls_generate (files->dir, "server", &files->certificate, &files->key, &error);
  g_assert_no_error (error);
  hz_test_tls_generate (files->dir, "other", &files->other_certificate, &files->other_key,
                        &error);
  g_assert_no_error (error);
  files->missing = g_build_filename (files->dir, "missing.pem", NULL);
  files->empty = g_build_filename (files->dir, "empty.pem", NULL);
  g_file_set_contents (files->empty, "", 0, &error);
  g_assert_no_error (error);
}

static void
tls_files_tear_down (TlsFiles *files, gconstpointer user_data)
{
  const char *paths[] = { files->certificate, files->key, files->other_certificate,
                          files->other_key, files->empty };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    if (paths[i] != NULL)
      g_unlink (paths[i]);
  g_rmdir (files->dir);
  g_free (files->dir);
  g_free (files->certificate);
  g_free (files->key);
  g_free (files->other_certificate);
  g_free (files->other_key);
  g_free (files->missing);
  g_free (files->empty);
}

/* Loads a config whose [GROUP] names CERTIFICATE and KEY. */
static HzConfig *
load_tls_config (const char *group, const char *certificate, const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("[%s]\ntls-certificate = %s\ntls-key = %s\n",
                                           group, certificate, key);
  HzConfig *config = load (text, &error);

  g_assert_no_error (error);
  return config;
}

/* Loads the certificate of [GROUP] and expects an error naming KEY_NAME,
 * VALUE and REASON. */
static void
assert_tls_error (const HzConfig *config, const char *group, const char *key_name,
                  const char *value, const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *named = g_strdup_printf ("test.conf: [%s] %s = '%s'", group, key_name, value);

  g_assert_false (hz_config_load_tls_certificate (config, group, &certificate, &error));
  g_assert_null (certificate);
  g_assert_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE);
  g_test_message ("%s", error->message);
  if (strstr (error->message, named) == NULL)
    g_error ("message \"%s\" lacks \"%s\"", error->message, named);
  if (strstr (error->message, reason) == NULL)
    g_error ("message \"%s\" lacks \"%s\"", error->message, reason);
}

static void
test_config_tls_certificate_valid (TlsFiles *files, gconstpointer user_data)
{
  const char *groups[] = { "scheduler", "relay" };

  for (gsize i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autoptr(HzConfig) config = load_tls_config (groups[i], files->certificate, files->key);
      g_autoptr(GTlsCertificate) certificate = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (hz_config_load_tls_certificate (config, groups[i], &certificate, &error));
      g_assert_no_error (error);
      g_assert_nonnull (certificate);
    }
}

static void
test_config_tls_certificate_absent (TlsFiles *files, gconstpointer user_data)
{
  g_autoptr(HzConfig) config = load ("", NULL);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (hz_config_load_tls_certificate (config, "scheduler", &certificate, &error));
  g_assert_no_error (error);
  g_assert_null (certificate);
  g_assert_true (hz_config_load_scheduler_ca (config, &database, &error));
  g_assert_no_error (error);
  g_assert_null (database);
}

static void
test_config_tls_key_mismatch (TlsFiles *files, gconstpointer user_data)
{
  g_autoptr(HzConfig) scheduler = load_tls_config ("scheduler", files->certificate,
                                                   files->other_key);
  g_autoptr(HzConfig) relay = load_tls_config ("relay", files->other_certificate, files->key);

  assert_tls_error (scheduler, "scheduler", "tls-key", files->other_key,
                    "does not match the certificate");
  assert_tls_error (relay, "relay", "tls-key", files->key, files->other_certificate);
}

static void
test_config_tls_missing_file (TlsFiles *files, gconstpointer user_data)
{
  g_autoptr(HzConfig) no_certificate = load_tls_config ("scheduler", files->missing, files->key);
  g_autoptr(HzConfig) no_key = load_tls_config ("relay", files->certificate, files->missing);

  assert_tls_error (no_certificate, "scheduler", "tls-certificate", files->missing,
                    "No such file");
  assert_tls_error (no_key, "relay", "tls-key", files->missing, "No such file");
}

/* A key where the certificate belongs, and an empty key file. */
static void
test_config_tls_wrong_content (TlsFiles *files, gconstpointer user_data)
{
  g_autoptr(HzConfig) swapped = load_tls_config ("scheduler", files->key, files->certificate);
  g_autoptr(HzConfig) empty_key = load_tls_config ("relay", files->certificate, files->empty);

  assert_tls_error (swapped, "scheduler", "tls-certificate", files->key, "no PEM certificate");
  assert_tls_error (empty_key, "relay", "tls-key", files->empty, "private key");
}

static void
test_config_scheduler_ca (TlsFiles *files, gconstpointer user_data)
{
  const char *bad[][2] = {
    { files->missing, "No such file" },
    { files->empty, "no PEM certificate" },
    { files->key, "no PEM certificate" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strdup_printf ("[relay]\nscheduler-ca-file = %s\n", bad[i][0]);
      g_autofree char *named = g_strdup_printf ("test.conf: [relay] scheduler-ca-file = '%s'",
                                                bad[i][0]);
      g_autoptr(HzConfig) config = load (text, NULL);
      g_autoptr(GTlsDatabase) database = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (hz_config_load_scheduler_ca (config, &database, &error));
      g_assert_null (database);
      g_assert_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, named));
      g_assert_nonnull (strstr (error->message, bad[i][1]));
    }

  {
    g_autofree char *text = g_strdup_printf ("[relay]\nscheduler-ca-file = %s\n",
                                             files->certificate);
    g_autoptr(HzConfig) config = load (text, NULL);
    g_autoptr(GTlsDatabase) database = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (hz_config_load_scheduler_ca (config, &database, &error));
    g_assert_no_error (error);
    g_assert_nonnull (database);
  }
}

/* With TLS on the scheduler, the relay's derived scheduler-url is https. */
static void
test_config_tls_derived_urls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HzConfig) config = load ("[scheduler]\nlisten = 127.0.0.1:8443\n"
                                     "tls-certificate = /etc/huizhen/tls.crt\n"
                                     "tls-key = /etc/huizhen/tls.key\n", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (config->relay.scheduler_url, ==, "https://127.0.0.1:8443");
  g_assert_cmpstr (config->scheduler.tls_certificate, ==, "/etc/huizhen/tls.crt");
  g_assert_cmpstr (config->scheduler.tls_key, ==, "/etc/huizhen/tls.key");
  g_assert_null (config->relay.tls_certificate);
  g_assert_null (config->relay.scheduler_ca_file);
}

static void
test_secret_created_once (void)
{
  g_autofree char *dir = g_dir_make_tmp ("hz-secret-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "token.secret", NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  HzSecret first, second;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_true (hz_secret_load_or_create (path, &first, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, HZ_SECRET_LENGTH);
  g_assert_true (hz_secret_load_or_create (path, &second, &error));
  g_assert_cmpmem (first.bytes, HZ_SECRET_LENGTH, second.bytes, HZ_SECRET_LENGTH);

  /* A secret that others can read is rejected, not used. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_false (hz_secret_load_or_create (path, &second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);

  g_unlink (path);
  g_rmdir (parent);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/config/defaults", test_config_defaults);
  g_test_add_func ("/config/shipped-file", test_config_shipped_file);
  g_test_add_func ("/config/readme-tables", test_config_readme_tables);
  g_test_add_func ("/config/values", test_config_values);
  g_test_add_func ("/config/turn-list", test_config_turn_list);
  g_test_add_func ("/config/errors", test_config_errors);
  g_test_add_func ("/config/missing-file", test_config_missing_file);
  g_test_add_func ("/config/tls-pair", test_config_tls_pair);
  g_test_add_func ("/config/tls-derived-urls", test_config_tls_derived_urls);
  g_test_add ("/config/tls-certificate-valid", TlsFiles, NULL, tls_files_set_up,
              test_config_tls_certificate_valid, tls_files_tear_down);
  g_test_add ("/config/tls-certificate-absent", TlsFiles, NULL, tls_files_set_up,
              test_config_tls_certificate_absent, tls_files_tear_down);
  g_test_add ("/config/tls-key-mismatch", TlsFiles, NULL, tls_files_set_up,
              test_config_tls_key_mismatch, tls_files_tear_down);
  g_test_add ("/config/tls-missing-file", TlsFiles, NULL, tls_files_set_up,
              test_config_tls_missing_file, tls_files_tear_down);
  g_test_add ("/config/tls-wrong-content", TlsFiles, NULL, tls_files_set_up,
              test_config_tls_wrong_content, tls_files_tear_down);
  g_test_add ("/config/scheduler-ca-file", TlsFiles, NULL, tls_files_set_up,
              test_config_scheduler_ca, tls_files_tear_down);
  g_test_add_func ("/config/secret-created-once", test_secret_created_once);
  return g_test_run ();
}
