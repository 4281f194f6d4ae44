/* The daemon's lifecycle and its HTTP server: listening, the request log
 * and the split between the API and static files. */

#include "hz-sched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hz-sched-api-calendar.h"
#include "hz-sched-api-fhir.h"
#include "hz-sched-availability.h"
#include "hz-config-tls.h"
#include "hz-sched-body-limit.h"
#include "hz-sched-db.h"
#include "hz-sched-request.h"
#include "hz-sched-time.h"
#include "hz-timezone.h"

/* Key of the request's start time (monotonic microseconds) on a message. */
#define REQUEST_START_KEY "hz-request-start"
/* Set on a message whose connection is over max-connections-per-address. */
#define OVER_CONNECTION_LIMIT_KEY "hz-over-connection-limit"

GTimeZone *
hz_sched_lookup_zone (const char *identifier)
{
  GTimeZone *zone = NULL;

  /* Databases written before identifiers were checked may hold any text. */
  if (identifier != NULL)
    zone = hz_timezone_new (identifier);
  if (zone == NULL)
    zone = g_time_zone_new_identifier (HZ_DEFAULT_TIMEZONE);
  if (zone == NULL)
    zone = g_time_zone_new_utc ();
  return zone;
}

/* Resolves web-root once at startup; static requests compare resolved
 * file names against it. */
static char *
resolve_web_root (const char *web_root)
{
  char *resolved;

  if (web_root == NULL || *web_root == '\0')
    return NULL;

  resolved = realpath (web_root, NULL);
  if (resolved == NULL)
    {
      g_warning ("The web root %s does not exist (%s); static pages will return 404",
                 web_root, g_strerror (errno));
      return NULL;
    }

  /* g_free() may release it: GLib 2.46 and later allocate with malloc(). */
  return resolved;
}

HzSched *
hz_sched_new (HzConfig *config,
              GError  **error)
{
  g_autoptr (HzSched) sched = g_new0 (HzSched, 1);

  sched->config = config;

  if (!hz_config_load_tls_certificate (config, "scheduler", &sched->tls_certificate, error))
    return NULL;

  if (!hz_secret_load_or_create (config->scheduler.token_secret_file, &sched->secret, error))
    {
      g_prefix_error (error, "Token secret %s: ", config->scheduler.token_secret_file);
      return NULL;
    }

  sched->db = hz_db_open (config->scheduler.database, error);
  if (sched->db == NULL)
    return NULL;

  if (!hz_store_load_holiday_calendars (sched->db, config->scheduler.holidays_dir, error))
    return NULL;

  sched->web_root = resolve_web_root (config->scheduler.web_root);
  sched->rate_limiter = hz_rate_limiter_new (config->scheduler.api_rate_limit,
                                             config->scheduler.api_rate_burst);
  sched->connection_limit =
    hz_connection_limit_new (config->scheduler.max_connections_per_address);
  return g_steal_pointer (&sched);
}

void
hz_sched_free (HzSched *sched)
{
  if (sched == NULL)
    return;

  if (sched->server != NULL)
    soup_server_disconnect (sched->server);
  g_clear_object (&sched->server);
  g_clear_object (&sched->tls_certificate);

  if (sched->db != NULL && sqlite3_close (sched->db) != SQLITE_OK)
    g_warning ("Closing the database failed: %s", sqlite3_errmsg (sched->db));

  explicit_bzero (&sched->secret, sizeof sched->secret);
  g_free (sched->web_root);
  g_free (sched->listen_url);
  g_free (sched->public_url);
  g_free (sched->relay_url);
  g_free (sched->content_security_policy);
  hz_rate_limiter_free (sched->rate_limiter);
  g_clear_pointer (&sched->connection_limit, hz_connection_limit_unref);
  hz_config_free (sched->config);
  g_free (sched);
}

/* HSTS lifetime on HTTPS responses: one year, in seconds. */
#define HSTS_MAX_AGE_S 31536000

/* Every response carries "Connection: close", so libsoup closes the
 * connection once the response is sent. Over HTTPS every response also
 * carries Strict-Transport-Security, so a browser that reached the
 * scheduler once uses only HTTPS for it from then on.
 * NOTE: libsoup 3.2 (Debian 12 has 3.2.3) never closes a keep-alive
 * connection that the client closes while it is idle, so each one stays in
 * CLOSE-WAIT and keeps its file descriptor until the process runs out of
 * them. libsoup 3.3.0 fixed this (commit d20c6601, "Don't leak idle
 * connections closed by the client"); with it, keep-alive can return. */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  HzSched *sched = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gint64 *start = g_new (gint64, 1);

  *start = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), REQUEST_START_KEY, start, g_free);

  soup_message_headers_replace (headers, "Connection", "close");
  if (sched->tls_certificate != NULL)
    soup_message_headers_replace (headers, "Strict-Transport-Security",
                                  "max-age=" G_STRINGIFY (HSTS_MAX_AGE_S));
  hz_body_limit_watch (msg, sched->config->scheduler.max_body_kib);
  if (!hz_connection_limit_add (sched->connection_limit, msg))
    g_object_set_data (G_OBJECT (msg), OVER_CONNECTION_LIMIT_KEY, GINT_TO_POINTER (TRUE));
}

/* Logs method, path, status and duration. The query string and the
 * fragment are left out because they may carry tokens, the token of a
 * calendar feed path is replaced by "…", and control characters in the
 * path are escaped. */
void
hz_sched_log_request (SoupServerMessage *msg,
                      const char        *outcome)
{
  const gint64 *start = g_object_get_data (G_OBJECT (msg), REQUEST_START_KEY);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *path = NULL;
  gint64 elapsed_us = 0;

  if (uri == NULL)
    return;

  if (g_str_has_prefix (g_uri_get_path (uri), HZ_ICAL_PATH_PREFIX))
    path = g_strdup (HZ_ICAL_PATH_PREFIX "…");
  else
    path = g_uri_escape_string (g_uri_get_path (uri), G_URI_RESERVED_CHARS_ALLOWED_IN_PATH,
                                TRUE);
  if (start != NULL)
    elapsed_us = g_get_monotonic_time () - *start;

  /* Integer arithmetic, so the decimal point does not follow the locale. */
  g_message ("%s %s %u %" G_GINT64_FORMAT ".%d ms%s",
             soup_server_message_get_method (msg), path,
             soup_server_message_get_status (msg),
             elapsed_us / 1000, (int) (elapsed_us % 1000 / 100), outcome);
}

static void
on_request_finished (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  hz_sched_log_request (msg, "");
}

static void
on_request_aborted (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  hz_sched_log_request (msg, " (aborted)");
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  HzSched *sched = user_data;

  /* The relay's signed requests are counted but not rejected, because a
   * relay on the same host as the clients must still check their joins. */
  if (g_object_get_data (G_OBJECT (msg), OVER_CONNECTION_LIMIT_KEY) != NULL &&
      !g_str_has_prefix (path, HZ_API_PREFIX "/internal/"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "1");
      hz_respond_error (msg, hz_request_language (msg), HZ_SCHED_ERROR_TOO_MANY_CONNECTIONS);
      return;
    }

  if (hz_fhir_is_path (path))
    hz_fhir_dispatch (sched, msg, path);
  else if (g_str_has_prefix (path, HZ_ICAL_PATH_PREFIX))
    hz_ical_serve (sched, msg, path);
  else if (g_str_equal (path, HZ_API_PREFIX) || g_str_has_prefix (path, HZ_API_PREFIX "/") ||
           g_str_equal (path, "/api") || g_str_has_prefix (path, "/api/"))
    hz_api_dispatch (sched, msg, path);
  else
    hz_static_serve (sched, msg, path);
}

/* Pending connections the kernel queues before accept(). GSocket's default
 * of 10 is too small for a burst of clients: the kernel then drops their
 * handshakes, which they retry only a second later, and some connections
 * are reset. The kernel caps the value at net.core.somaxconn. */
#define LISTEN_BACKLOG 256

/* Binds a socket with LISTEN_BACKLOG to ADDRESS and gives it to SERVER. */
static gboolean
listen_with_backlog (SoupServer              *server,
                     GSocketAddress          *address,
                     SoupServerListenOptions  options,
                     GError                 **error)
{
  g_autoptr (GSocket) socket = g_socket_new (g_socket_address_get_family (address),
                                             G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                             error);

  if (socket == NULL)
    return FALSE;

  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;

  return soup_server_listen_socket (server, socket, options, error);
}

/* NOTE: over HTTPS, a client that sends plain HTTP to the port gets no
 * HTTP response: the TLS handshake fails on its first bytes and libsoup
 * closes the connection. A redirect would need a second, plain HTTP port. */
static gboolean
listen_on (SoupServer            *server,
           const HzListenAddress *address,
           gboolean               https,
           GError               **error)
{
  SoupServerListenOptions options = https ? SOUP_SERVER_LISTEN_HTTPS : 0;

  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;

  if (g_ascii_strcasecmp (address->host, "localhost") == 0)
    return soup_server_listen_local (server, address->port,
                                     options | SOUP_SERVER_LISTEN_IPV4_ONLY, error);

  inet = g_inet_address_new_from_string (address->host);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "[scheduler] listen: %s is not an IP address", address->host);
      return FALSE;
    }

  socket_address = g_inet_socket_address_new (inet, address->port);
  return listen_with_backlog (server, socket_address, options, error);
}

/* The port that the kernel picked when the configuration asked for 0. */
static guint16
bound_port (SoupServer *server)
{
  GSList *uris = soup_server_get_uris (server);
  guint16 port = 0;

  if (uris != NULL)
    port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

static char *
strip_trailing_slash (const char *url)
{
  char *copy = g_strdup (url);
  gsize length = strlen (copy);

  while (length > 0 && copy[length - 1] == '/')
    copy[--length] = '\0';
  return copy;
}

/* Returns the Content-Security-Policy of the web pages. The pages load
 * everything from the scheduler, and connect only to it and to the origin
 * of RELAY_URL, so a join link cannot send camera and microphone to
 * another relay. */
static char *
build_content_security_policy (const char *relay_url)
{
  g_autoptr (GUri) uri = g_uri_parse (relay_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *origin = NULL;

  if (uri != NULL && g_uri_get_host (uri) != NULL &&
      (g_strcmp0 (g_uri_get_scheme (uri), "ws") == 0 ||
       g_strcmp0 (g_uri_get_scheme (uri), "wss") == 0))
    origin = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                         g_uri_get_port (uri), "", NULL, NULL);
  else
    g_warning ("The relay URL %s is not a ws:// or wss:// URL; the join page cannot "
               "connect to it", relay_url);

  return g_strdup_printf ("default-src 'self'; connect-src 'self'%s%s; "
                          "media-src 'self' blob: mediastream:; img-src 'self' data:; "
                          "object-src 'none'; base-uri 'none'; form-action 'none'",
                          origin != NULL ? " " : "", origin != NULL ? origin : "");
}

/* Sets the URLs that responses hand out. An empty public-url means "as
 * reached on the listening address"; an empty relay public-url means the
 * relay's listening address, with wss:// when [relay] tls-certificate is
 * set. */
static void
set_urls (HzSched *sched)
{
  const HzConfig *config = sched->config;
  HzListenAddress bound = config->scheduler.listen;
  g_autofree char *relay_base = NULL;
  const char *relay_scheme = config->relay.tls_certificate != NULL ? "wss" : "ws";

  bound.port = bound_port (sched->server);
  sched->listen_url = hz_listen_address_to_url (&bound,
                                                sched->tls_certificate != NULL ? "https" : "http");

  if (config->scheduler.public_url != NULL && *config->scheduler.public_url != '\0')
    sched->public_url = strip_trailing_slash (config->scheduler.public_url);
  else
    sched->public_url = g_strdup (sched->listen_url);

  if (config->relay.public_url != NULL && *config->relay.public_url != '\0')
    sched->relay_url = g_strdup (config->relay.public_url);
  else
    {
      relay_base = hz_listen_address_to_url (&config->relay.listen, relay_scheme);
      sched->relay_url = g_strconcat (relay_base, "/ws", NULL);
    }

  sched->content_security_policy = build_content_security_policy (sched->relay_url);
}

gboolean
hz_sched_listen (HzSched *sched,
                 GError **error)
{
  sched->server = soup_server_new ("server-header", "huizhen-scheduler", NULL);

  if (sched->tls_certificate != NULL)
    soup_server_set_tls_certificate (sched->server, sched->tls_certificate);

  g_signal_connect (sched->server, "request-started", G_CALLBACK (on_request_started), sched);
  g_signal_connect (sched->server, "request-finished", G_CALLBACK (on_request_finished), NULL);
  g_signal_connect (sched->server, "request-aborted", G_CALLBACK (on_request_aborted), NULL);
  soup_server_add_handler (sched->server, NULL, handle_request, sched, NULL);

  if (!listen_on (sched->server, &sched->config->scheduler.listen,
                  sched->tls_certificate != NULL, error))
    {
      g_prefix_error (error, "Cannot listen on %s:%u: ",
                      sched->config->scheduler.listen.host,
                      sched->config->scheduler.listen.port);
      return FALSE;
    }

  set_urls (sched);
  return TRUE;
}

char *
hz_sched_join_url (const HzSched *sched,
                   gint64         session_id,
                   const char    *token)
{
  g_autofree char *relay = g_uri_escape_string (sched->relay_url, NULL, FALSE);

  return g_strdup_printf ("%s/join.html#session=%" G_GINT64_FORMAT "&token=%s&relay=%s",
                          sched->public_url, session_id, token, relay);
}

void
hz_sched_stop (HzSched *sched)
{
  if (sched->server != NULL)
    soup_server_disconnect (sched->server);
}
