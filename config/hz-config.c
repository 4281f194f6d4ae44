/* The configuration loader shared by both daemons.
 *
 * Each key is declared once in key_table with its default and its check, so
 * the defaults, the validation and the unknown-key check cannot drift apart.
 */
#define G_LOG_DOMAIN "huizhen-config"

#include "hz-config.h"

#include <gio/gio.h>
#include <string.h>

G_DEFINE_QUARK (hz-config-error-quark, hz_config_error)

typedef enum {
  KEY_LISTEN,       /* HzListenAddress */
  KEY_PATH,         /* char *, non-empty */
  KEY_OPTIONAL_PATH,  /* char *, a path or empty for none */
  KEY_HTTP_URL,     /* char *, http or https URL, or empty for derived */
  KEY_WS_URL,       /* char *, ws or wss URL, or empty for derived */
  KEY_IP_ADDRESS,   /* char *, IP literal or empty */
  KEY_PORT,         /* guint16 */
  KEY_STUN_URL,     /* char *, stun://HOST:PORT or empty */
  KEY_TURN_URL,     /* char *, turn(s)://USER:PASSWORD@HOST:PORT ... separated by spaces, or empty */
  KEY_INTERFACES,   /* char *, interface names or IP addresses separated by commas, or empty */
  KEY_SECONDS,      /* guint, 0 to 3600 */
  KEY_COUNT,        /* guint, 1 to 100000 */
  KEY_DAYS,         /* guint, 0 to 36500 */
  KEY_THREADS,      /* guint, 0 to 64 */
} KeyType;

typedef struct {
  const char *group;
  const char *key;
  KeyType type;
  gsize offset;             /* into HzConfig */
  const char *default_value;
} KeySpec;

#define SCHED(field) G_STRUCT_OFFSET (HzConfig, scheduler.field)
#define RELAY(field) G_STRUCT_OFFSET (HzConfig, relay.field)

static const KeySpec key_table[] = {
  { "scheduler", "listen", KEY_LISTEN, SCHED (listen), "127.0.0.1:8080" },
  { "scheduler", "database", KEY_PATH, SCHED (database), "var/huizhen.db" },
  { "scheduler", "web-root", KEY_PATH, SCHED (web_root), "web" },
  { "scheduler", "token-secret-file", KEY_PATH, SCHED (token_secret_file), "var/token.secret" },
  { "scheduler", "public-url", KEY_HTTP_URL, SCHED (public_url), "" },
  { "scheduler", "holidays-dir", KEY_PATH, SCHED (holidays_dir), "config/holidays" },
  { "scheduler", "recordings-dir", KEY_PATH, SCHED (recordings_dir), "var/recordings" },
  { "scheduler", "hls-dir", KEY_PATH, SCHED (hls_dir), "var/hls" },
  { "scheduler", "recordings-retention-days", KEY_DAYS, SCHED (recordings_retention_days), "0" },
  { "scheduler", "api-rate-limit", KEY_COUNT, SCHED (api_rate_limit), "20" },
  { "scheduler", "api-rate-burst", KEY_COUNT, SCHED (api_rate_burst), "200" },
  { "scheduler", "max-body-kib", KEY_COUNT, SCHED (max_body_kib), "1024" },
  { "scheduler", "max-connections-per-address", KEY_COUNT,
    SCHED (max_connections_per_address), "50" },
  { "scheduler", "tls-certificate", KEY_OPTIONAL_PATH, SCHED (tls_certificate), "" },
  { "scheduler", "tls-key", KEY_OPTIONAL_PATH, SCHED (tls_key), "" },
  { "relay", "listen", KEY_LISTEN, RELAY (listen), "127.0.0.1:8081" },
  { "relay", "scheduler-url", KEY_HTTP_URL, RELAY (scheduler_url), "" },
  { "relay", "public-url", KEY_WS_URL, RELAY (public_url), "" },
  { "relay", "public-address", KEY_IP_ADDRESS, RELAY (public_address), "" },
  { "relay", "ice-port-min", KEY_PORT, RELAY (ice_port_min), "0" },
  { "relay", "ice-port-max", KEY_PORT, RELAY (ice_port_max), "0" },
  { "relay", "stun-server", KEY_STUN_URL, RELAY (stun_server), "" },
  { "relay", "turn-server", KEY_TURN_URL, RELAY (turn_server), "" },
  { "relay", "interfaces", KEY_INTERFACES, RELAY (interfaces), "" },
  { "relay", "send-threads", KEY_THREADS, RELAY (send_threads), "2" },
  { "relay", "reconnect-grace", KEY_SECONDS, RELAY (reconnect_grace_s), "20" },
  { "relay", "max-room-participants", KEY_COUNT, RELAY (max_room_participants), "100" },
  { "relay", "max-participants", KEY_COUNT, RELAY (max_participants), "500" },
  { "relay", "max-rooms", KEY_COUNT, RELAY (max_rooms), "200" },
  { "relay", "max-connections-per-address", KEY_COUNT, RELAY (max_connections_per_address),
    "20" },
  { "relay", "max-candidates-per-connection", KEY_COUNT, RELAY (max_candidates_per_connection),
    "100" },
  { "relay", "max-message-kib", KEY_COUNT, RELAY (max_message_kib), "64" },
  { "relay", "recordings-dir", KEY_PATH, RELAY (recordings_dir), "var/recordings" },
  { "relay", "hls-dir", KEY_PATH, RELAY (hls_dir), "var/hls" },
  { "relay", "hls-segment-seconds", KEY_COUNT, RELAY (hls_segment_s), "4" },
  { "relay", "hls-playlist-length", KEY_COUNT, RELAY (hls_playlist_length), "10" },
  { "relay", "hls-video-height", KEY_COUNT, RELAY (hls_video_height), "720" },
  { "relay", "hls-video-kbps", KEY_COUNT, RELAY (hls_video_kbps), "1500" },
  { "relay", "tls-certificate", KEY_OPTIONAL_PATH, RELAY (tls_certificate), "" },
  { "relay", "tls-key", KEY_OPTIONAL_PATH, RELAY (tls_key), "" },
  { "relay", "scheduler-ca-file", KEY_OPTIONAL_PATH, RELAY (scheduler_ca_file), "" },
};

static gboolean
host_is_valid (const char *host)
{
  return g_hostname_is_ip_address (host) || g_strcmp0 (host, "localhost") == 0;
}

gboolean
hz_listen_address_parse (const char *text, HzListenAddress *address, GError **error)
{
  g_autofree char *host = NULL;
  const char *port_text;
  guint64 port;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');
      if (close == NULL || close[1] != ':')
        goto invalid;
      host = g_strndup (text + 1, (gsize) (close - text - 1));
      port_text = close + 2;
    }
  else
    {
      const char *colon = strrchr (text, ':');
      if (colon == NULL || memchr (text, ':', (gsize) (colon - text)) != NULL)
        goto invalid;
      host = g_strndup (text, (gsize) (colon - text));
      port_text = colon + 1;
    }

  if (!host_is_valid (host) ||
      !g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    goto invalid;

  address->host = g_steal_pointer (&host);
  address->port = (guint16) port;
  return TRUE;

invalid:
  g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                       "expected HOST:PORT with an IP address (IPv6 in brackets) "
                       "or localhost and a port from 0 to 65535");
  return FALSE;
}

char *
hz_listen_address_to_url (const HzListenAddress *address, const char *scheme)
{
  gboolean is_ipv6 = strchr (address->host, ':') != NULL;

  return g_strdup_printf ("%s://%s%s%s:%u", scheme, is_ipv6 ? "[" : "",
                          address->host, is_ipv6 ? "]" : "", address->port);
}

static gboolean
check_url (const char *value, const char *const *schemes, gboolean needs_user,
           GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_HAS_PASSWORD, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      !g_strv_contains (schemes, g_uri_get_scheme (uri)))
    {
      g_autofree char *list = g_strjoinv ("://, ", (char **) schemes);
      g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                   "expected a URL starting with %s:// and naming a host", list);
      return FALSE;
    }
  if (needs_user && (g_uri_get_user (uri) == NULL || g_uri_get_password (uri) == NULL))
    {
      g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                           "expected USER:PASSWORD@ before the TURN server's host");
      return FALSE;
    }
  return TRUE;
}

/* Checks each URL of VALUE, a list separated by spaces. */
static gboolean
check_url_list (const char *value, const char *const *schemes, gboolean needs_user,
                GError **error)
{
  g_auto(GStrv) urls = g_strsplit_set (value, " \t", -1);

  for (gsize i = 0; urls[i] != NULL; i++)
    if (urls[i][0] != '\0' && !check_url (urls[i], schemes, needs_user, error))
      return FALSE;
  return TRUE;
}

/* An interface name as Linux allows it (at most 15 bytes, no '/', ':' or
 * spaces), or an IP address. */
static gboolean
check_interfaces (const char *value, GError **error)
{
  g_auto(GStrv) items = g_strsplit (value, ",", -1);

  for (gsize i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);
      gboolean is_name = item[0] != '\0' && strlen (item) <= 15 &&
                         strpbrk (item, "/: \t") == NULL;

      if (!g_hostname_is_ip_address (item) && !is_name)
        {
          g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                       "'%s' is neither an IP address nor an interface name; "
                       "expected e.g. eth0, 10.0.0.5", item);
          return FALSE;
        }
    }
  return TRUE;
}

/* Checks VALUE for SPEC and stores it in CONFIG; on failure sets a reason
 * that the caller prefixes with the file, key and value. */
static gboolean
store_value (HzConfig *config, const KeySpec *spec, const char *value, GError **error)
{
  static const char *const http_schemes[] = { "http", "https", NULL };
  static const char *const ws_schemes[] = { "ws", "wss", NULL };
  static const char *const stun_schemes[] = { "stun", NULL };
  static const char *const turn_schemes[] = { "turn", "turns", NULL };
  gpointer field = G_STRUCT_MEMBER_P (config, spec->offset);
  gboolean empty = value[0] == '\0';
  guint64 port;
  guint64 seconds;
  guint64 count;

  switch (spec->type)
    {
    case KEY_LISTEN:
      {
        HzListenAddress address = { 0 };
        if (!hz_listen_address_parse (value, &address, error))
          return FALSE;
        g_free (((HzListenAddress *) field)->host);
        *(HzListenAddress *) field = address;
        return TRUE;
      }
    case KEY_PATH:
      if (empty)
        {
          g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                               "a path is required");
          return FALSE;
        }
      break;
    case KEY_OPTIONAL_PATH:
      break;
    case KEY_HTTP_URL:
      if (!empty && !check_url (value, http_schemes, FALSE, error))
        return FALSE;
      break;
    case KEY_WS_URL:
      if (!empty && !check_url (value, ws_schemes, FALSE, error))
        return FALSE;
      break;
    case KEY_STUN_URL:
      if (!empty && !check_url (value, stun_schemes, FALSE, error))
        return FALSE;
      break;
    case KEY_TURN_URL:
      if (!empty && !check_url_list (value, turn_schemes, TRUE, error))
        return FALSE;
      break;
    case KEY_INTERFACES:
      if (!empty && !check_interfaces (value, error))
        return FALSE;
      break;
    case KEY_COUNT:
      if (!g_ascii_string_to_unsigned (value, 10, 1, 100000, &count, NULL))
        {
          g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                               "expected a whole number from 1 to 100000");
          return FALSE;
        }
      *(guint *) field = (guint) count;
      return TRUE;
    case KEY_DAYS:
      if (!g_ascii_string_to_unsigned (value, 10, 0, 36500, &count, NULL))
        {
          g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                               "expected a number of days from 0 to 36500");
          return FALSE;
        }
      *(guint *) field = (guint) count;
      return TRUE;
    case KEY_THREADS:
      if (!g_ascii_string_to_unsigned (value, 10, 0, 64, &count, NULL))
        {
          g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                               "expected a number of threads from 0 to 64");
          return FALSE;
        }
      *(guint *) field = (guint) count;
      return TRUE;
    case KEY_SECONDS:
      if (!g_ascii_string_to_unsigned (value, 10, 0, 3600, &seconds, NULL))
        {
          g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                               "expected a number of seconds from 0 to 3600");
          return FALSE;
        }
      *(guint *) field = (guint) seconds;
      return TRUE;
    case KEY_IP_ADDRESS:
      if (!empty && !g_hostname_is_ip_address (value))
        {
          g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                               "expected an IPv4 or IPv6 address");
          return FALSE;
        }
      break;
    case KEY_PORT:
      if (!g_ascii_string_to_unsigned (value, 10, 0, 65535, &port, NULL))
        {
          g_set_error_literal (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                               "expected a port number from 0 to 65535");
          return FALSE;
        }
      *(guint16 *) field = (guint16) port;
      return TRUE;
    }

  g_free (*(char **) field);
  *(char **) field = empty ? NULL : g_strdup (value);
  return TRUE;
}

/* Checks the escape sequences of a raw value. GKeyFile (GLib 2.74) sets
 * its GError a second time, over the first, for a value with two invalid
 * ones, which GLib reports as a bug in its caller. */
static gboolean
check_escapes (const char *raw, GError **error)
{
  for (const char *c = raw; c != NULL && *c != '\0'; c++)
    {
      if (*c != '\\')
        continue;
      c++;
      if (*c == '\0')
        {
          g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                               "escape character at end of line");
          return FALSE;
        }
      if (strchr ("sntr\\", *c) == NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "invalid escape sequence '\\%c'", *c);
          return FALSE;
        }
    }
  return TRUE;
}

static const KeySpec *
find_key (const char *group, const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (key_table); i++)
    if (strcmp (key_table[i].group, group) == 0 && strcmp (key_table[i].key, key) == 0)
      return &key_table[i];
  return NULL;
}

static gboolean
group_is_known (const char *group)
{
  for (gsize i = 0; i < G_N_ELEMENTS (key_table); i++)
    if (strcmp (key_table[i].group, group) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
apply_key_file (HzConfig *config, GKeyFile *file, const char *path, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);

  for (gsize g = 0; groups[g] != NULL; g++)
    {
      g_auto(GStrv) keys = NULL;

      if (!group_is_known (groups[g]))
        {
          g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_UNKNOWN_KEY,
                       "%s: unknown group [%s]; known groups are [scheduler] and [relay]",
                       path, groups[g]);
          return FALSE;
        }
      keys = g_key_file_get_keys (file, groups[g], NULL, NULL);
      for (gsize k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          const KeySpec *spec = find_key (groups[g], keys[k]);
          g_autoptr(GError) local_error = NULL;
          g_autofree char *raw = NULL;
          g_autofree char *value = NULL;

          if (spec == NULL)
            {
              g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_UNKNOWN_KEY,
                           "%s: [%s] %s: unknown key; config/huizhen.conf lists every key",
                           path, groups[g], keys[k]);
              return FALSE;
            }
          /* For an invalid escape sequence GKeyFile (GLib 2.74) sets the
           * error and still returns the partly parsed value, so only the
           * error shows that reading failed. */
          raw = g_key_file_get_value (file, groups[g], keys[k], NULL);
          if (check_escapes (raw, &local_error))
            value = g_key_file_get_string (file, groups[g], keys[k], &local_error);
          if (local_error != NULL || !store_value (config, spec, g_strstrip (value), &local_error))
            {
              g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                           "%s: [%s] %s = '%s': %s", path, groups[g], keys[k],
                           value != NULL ? value : raw, local_error->message);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* Checks that a certificate and its key are either both set or both empty. */
static gboolean
check_tls_pair (const char *path, const char *group, const char *certificate,
                const char *key, GError **error)
{
  if ((certificate == NULL) == (key == NULL))
    return TRUE;

  g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
               "%s: [%s] tls-certificate = '%s', tls-key = '%s': set both to serve TLS, "
               "or leave both empty for plain HTTP",
               path, group, certificate ? certificate : "", key ? key : "");
  return FALSE;
}

static gboolean
check_combinations (HzConfig *config, const char *path, GError **error)
{
  HzRelayConfig *relay = &config->relay;

  if (!check_tls_pair (path, "scheduler", config->scheduler.tls_certificate,
                       config->scheduler.tls_key, error) ||
      !check_tls_pair (path, "relay", relay->tls_certificate, relay->tls_key, error))
    return FALSE;

  if ((relay->ice_port_min == 0) != (relay->ice_port_max == 0) ||
      relay->ice_port_min > relay->ice_port_max)
    {
      g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                   "%s: [relay] ice-port-min = '%u', ice-port-max = '%u': set both to 0 "
                   "for any port, or both to a range with min <= max",
                   path, relay->ice_port_min, relay->ice_port_max);
      return FALSE;
    }

  if (relay->max_message_kib > HZ_CONFIG_MAX_MESSAGE_KIB)
    {
      g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_INVALID_VALUE,
                   "%s: [relay] max-message-kib = '%u': expected 1 to %d",
                   path, relay->max_message_kib, HZ_CONFIG_MAX_MESSAGE_KIB);
      return FALSE;
    }
  return TRUE;
}

/* Fills the values that default to other keys' values. */
static void
derive_values (HzConfig *config)
{
  const char *scheme = config->scheduler.tls_certificate != NULL ? "https" : "http";

  if (config->relay.scheduler_url == NULL && config->scheduler.listen.port != 0)
    config->relay.scheduler_url = hz_listen_address_to_url (&config->scheduler.listen, scheme);
  g_free (config->relay.token_secret_file);
  config->relay.token_secret_file = g_strdup (config->scheduler.token_secret_file);
}

static HzConfig *
config_new_with_defaults (void)
{
  HzConfig *config = g_new0 (HzConfig, 1);

  for (gsize i = 0; i < G_N_ELEMENTS (key_table); i++)
    {
      gboolean ok = store_value (config, &key_table[i], key_table[i].default_value, NULL);
      g_assert (ok);
    }
  return config;
}

GKeyFile *
hz_config_defaults_to_key_file (void)
{
  GKeyFile *file = g_key_file_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (key_table); i++)
    g_key_file_set_value (file, key_table[i].group, key_table[i].key,
                          key_table[i].default_value);
  return file;
}

HzConfig *
hz_config_load_from_data (const char *data, gsize length, const char *path, GError **error)
{
  g_autoptr(HzConfig) config = config_new_with_defaults ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  config->path = g_strdup (path);
  if (data != NULL)
    {
      if (!g_utf8_validate (data, (gssize) length, NULL))
        {
          g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_FILE,
                       "%s: not valid UTF-8 text", path);
          return NULL;
        }
      if (!g_key_file_load_from_data (file, data, length, G_KEY_FILE_NONE, &local_error))
        {
          g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_FILE,
                       "%s: %s", path, local_error->message);
          return NULL;
        }
      if (!apply_key_file (config, file, path, error))
        return NULL;
    }
  if (!check_combinations (config, path ? path : "built-in defaults", error))
    return NULL;
  derive_values (config);
  return g_steal_pointer (&config);
}

HzConfig *
hz_config_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  if (path == NULL)
    return hz_config_load_from_data (NULL, 0, NULL, error);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, HZ_CONFIG_ERROR, HZ_CONFIG_ERROR_FILE,
                   "Cannot read config file: %s", local_error->message);
      return NULL;
    }
  return hz_config_load_from_data (data, length, path, error);
}

void
hz_config_free (HzConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  g_free (config->scheduler.listen.host);
  g_free (config->scheduler.database);
  g_free (config->scheduler.web_root);
  g_free (config->scheduler.token_secret_file);
  g_free (config->scheduler.public_url);
  g_free (config->scheduler.holidays_dir);
  g_free (config->scheduler.recordings_dir);
  g_free (config->scheduler.hls_dir);
  g_free (config->scheduler.tls_certificate);
  g_free (config->scheduler.tls_key);
  g_free (config->relay.listen.host);
  g_free (config->relay.scheduler_url);
  g_free (config->relay.public_url);
  g_free (config->relay.public_address);
  g_free (config->relay.stun_server);
  g_free (config->relay.turn_server);
  g_free (config->relay.interfaces);
  g_free (config->relay.recordings_dir);
  g_free (config->relay.hls_dir);
  g_free (config->relay.token_secret_file);
  g_free (config->relay.tls_certificate);
  g_free (config->relay.tls_key);
  g_free (config->relay.scheduler_ca_file);
  g_free (config);
}
