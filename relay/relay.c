/* The relay context: server, rooms and shutdown; see relay.h. */
#include "relay.h"
#include "hz-config-tls.h"
#include "http-guard.h"
#include "room.h"
#include "signalling.h"
#include "ws-accept.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

/* Polling period while the relay waits at shutdown for recordings to be
 * finalized and reports to be sent. */
#define STOP_POLL_MS 100

static void
on_healthz (SoupServer *server, SoupServerMessage *message, const char *path,
            GHashTable *query, gpointer user_data)
{
  if (soup_server_message_get_method (message) != SOUP_METHOD_GET) {
    soup_server_message_set_status (message, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

static void
on_metrics (SoupServer *server, SoupServerMessage *message, const char *path,
            GHashTable *query, gpointer user_data)
{
  HzRelay *relay = user_data;
  HzMetricsSnapshot snapshot = { 0, };
  GHashTableIter iter;
  gpointer room;
  char *text;

  if (soup_server_message_get_method (message) != SOUP_METHOD_GET) {
    soup_server_message_set_status (message, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    return;
  }

  snapshot.rooms = g_hash_table_size (relay->rooms);
  g_hash_table_iter_init (&iter, relay->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    hz_room_add_to_snapshot (room, &snapshot);
  text = hz_metrics_render (relay->metrics, &snapshot);

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}

/* Plain HTTP responses (not the WebSocket handshake) carry "Connection:
 * close", so libsoup closes the connection once they are sent. NOTE: libsoup 3.2 (Debian 12 has 3.2.3) never
 * closes a keep-alive connection that the client closes while it is idle,
 * so each one keeps a file descriptor; libsoup 3.3.0 fixed this (commit
 * d20c6601, "Don't leak idle connections closed by the client"). */
static void
on_request_read (SoupServer *server, SoupServerMessage *message, gpointer user_data)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (message);

  if (!soup_message_headers_header_contains (request, "Upgrade", "websocket"))
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  "Connection", "close");
}

static void
room_free (gpointer room)
{
  hz_room_free (room);
}

/* Loads [relay] scheduler-ca-file and warns when the scheduler-url does not
 * use it. */
static gboolean
load_scheduler_ca (const HzConfig *config, GTlsDatabase **ca_database, GError **error)
{
  const char *url = config->relay.scheduler_url;

  if (!hz_config_load_scheduler_ca (config, ca_database, error))
    return FALSE;
  if (*ca_database != NULL && (url == NULL || !g_str_has_prefix (url, "https://")))
    g_warning ("[relay] scheduler-ca-file %s is set, but scheduler-url %s is not https; "
               "the file is not used", config->relay.scheduler_ca_file, url ? url : "(none)");
  return TRUE;
}

HzRelay *
hz_relay_new (HzConfig *config, GError **error)
{
  g_autoptr (HzRelay) relay = g_new0 (HzRelay, 1);
  g_autoptr (GTlsDatabase) ca_database = NULL;

  relay->config = config;
  relay->metrics = hz_metrics_new ();
  relay->rooms = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, room_free);
  relay->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                              (GDestroyNotify) hz_connection_unref, NULL);

  if (!hz_config_load_tls_certificate (config, "relay", &relay->tls_certificate, error) ||
      !load_scheduler_ca (config, &ca_database, error))
    return NULL;
  if (!hz_secret_load_or_create (config->relay.token_secret_file, &relay->secret, error))
    return NULL;
  if (g_mkdir_with_parents (config->relay.recordings_dir, 0700) != 0) {
    int saved_errno = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "cannot create the recordings directory %s: %s",
                 config->relay.recordings_dir, g_strerror (saved_errno));
    return NULL;
  }
  relay->reporter = hz_reporter_new (config->relay.scheduler_url, ca_database, &relay->secret,
                                     config->relay.recordings_dir, error);
  if (relay->reporter == NULL)
    return NULL;
  relay->session_checker = hz_session_checker_new (config->relay.scheduler_url, ca_database,
                                                   &relay->secret, error);
  if (relay->session_checker == NULL)
    return NULL;

  if (config->relay.send_threads > 0) {
    relay->send_pool = hz_send_pool_new (&config->relay, config->relay.send_threads, error);
    if (relay->send_pool == NULL)
      return NULL;
  }

  relay->loop = g_main_loop_new (NULL, FALSE);
  relay->server = soup_server_new ("server-header", "huizhen-relay", NULL);
  if (relay->tls_certificate != NULL)
    soup_server_set_tls_certificate (relay->server, relay->tls_certificate);
  hz_http_guard_attach (relay->server);
  g_signal_connect (relay->server, "request-read", G_CALLBACK (on_request_read), NULL);
  soup_server_add_handler (relay->server, "/healthz", on_healthz, relay, NULL);
  soup_server_add_handler (relay->server, "/metrics", on_metrics, relay, NULL);
  relay->acceptor = hz_ws_acceptor_new (relay, "/ws");
  return g_steal_pointer (&relay);
}

void
hz_relay_free (HzRelay *relay)
{
  if (relay == NULL)
    return;
  g_clear_handle_id (&relay->stop_timeout_id, g_source_remove);
  g_clear_handle_id (&relay->stop_poll_id, g_source_remove);
  if (relay->server != NULL)
    soup_server_disconnect (relay->server);
  g_clear_object (&relay->server);
  g_clear_object (&relay->tls_certificate);
  g_clear_pointer (&relay->connections, g_hash_table_unref);
  g_clear_pointer (&relay->acceptor, hz_ws_acceptor_free);
  g_clear_pointer (&relay->rooms, g_hash_table_unref);
  g_clear_pointer (&relay->reporter, hz_reporter_free);
  g_clear_pointer (&relay->session_checker, hz_session_checker_free);
  /* After the rooms: their connections end on the pool's threads. */
  g_clear_pointer (&relay->send_pool, hz_send_pool_free);
  g_clear_pointer (&relay->metrics, hz_metrics_free);
  g_clear_pointer (&relay->loop, g_main_loop_unref);
  g_clear_pointer (&relay->config, hz_config_free);
  g_free (relay);
}

gboolean
hz_relay_listen (HzRelay *relay, GError **error)
{
  const HzListenAddress *listen = &relay->config->relay.listen;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GInetAddress) inet = NULL;
  g_autoslist (GUri) uris = NULL;
  g_autofree char *url = NULL;
  SoupServerListenOptions options = relay->tls_certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0;
  HzListenAddress actual;

  if (g_str_equal (listen->host, "localhost"))
    inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    inet = g_inet_address_new_from_string (listen->host);
  if (inet == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "[relay] listen: %s is not an IP address", listen->host);
    return FALSE;
  }
  address = g_inet_socket_address_new (inet, listen->port);
  /* NOTE: with TLS, a client that sends plain HTTP to the port gets no
   * response: the handshake fails on its first bytes and libsoup closes
   * the connection. */
  if (!soup_server_listen (relay->server, address, options, error)) {
    g_prefix_error (error, "cannot listen on %s:%u: ", listen->host, listen->port);
    return FALSE;
  }

  uris = soup_server_get_uris (relay->server);
  actual.host = listen->host;
  actual.port = uris != NULL ? (guint16) g_uri_get_port (uris->data) : listen->port;
  url = hz_listen_address_to_url (&actual, relay->tls_certificate != NULL ? "wss" : "ws");
  printf ("huizhen-relay: listening on %s/ws\n", url);
  fflush (stdout);
  return TRUE;
}

HzRoom *
hz_relay_ensure_room (HzRelay *relay, gint64 session_id, GError **error)
{
  HzRoom *room = g_hash_table_lookup (relay->rooms, &session_id);

  if (room != NULL)
    return room;
  room = hz_room_new (relay, session_id, error);
  if (room == NULL)
    return NULL;
  g_hash_table_insert (relay->rooms, g_memdup2 (&session_id, sizeof session_id), room);
  return room;
}

void
hz_relay_destroy_room (HzRelay *relay, HzRoom *room)
{
  gint64 session_id = hz_room_get_session_id (room);

  g_return_if_fail (g_hash_table_lookup (relay->rooms, &session_id) == room);
  g_hash_table_remove (relay->rooms, &session_id);
}

static void
quit (HzRelay *relay, const char *outcome)
{
  g_message ("stopped: %s", outcome);
  g_clear_handle_id (&relay->stop_timeout_id, g_source_remove);
  g_clear_handle_id (&relay->stop_poll_id, g_source_remove);
  g_main_loop_quit (relay->loop);
}

static gboolean
on_stop_poll (gpointer data)
{
  HzRelay *relay = data;

  if (g_hash_table_size (relay->rooms) > 0)
    return G_SOURCE_CONTINUE;
  /* The last reports ("complete") were queued when the rooms closed. */
  hz_reporter_flush (relay->reporter);
  if (hz_reporter_get_pending (relay->reporter) > 0)
    return G_SOURCE_CONTINUE;
  relay->stop_poll_id = 0;
  quit (relay, "all recordings finalized and reported");
  return G_SOURCE_REMOVE;
}

static gboolean
on_stop_timeout (gpointer data)
{
  HzRelay *relay = data;

  relay->stop_timeout_id = 0;
  g_clear_handle_id (&relay->stop_poll_id, g_source_remove);
  g_warning ("stopping with %u room(s) still finalizing recordings and %u report(s) unsent",
             g_hash_table_size (relay->rooms), hz_reporter_get_pending (relay->reporter));
  g_main_loop_quit (relay->loop);
  return G_SOURCE_REMOVE;
}

void
hz_relay_stop (HzRelay *relay)
{
  g_autoptr (GList) rooms = NULL;

  if (relay->stopping)
    return;
  relay->stopping = TRUE;
  g_message ("stopping: closing %u room(s)", g_hash_table_size (relay->rooms));

  rooms = g_hash_table_get_values (relay->rooms);
  for (GList *l = rooms; l != NULL; l = l->next)
    hz_room_close (l->data, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  hz_signalling_close_all (relay);

  relay->stop_timeout_id = g_timeout_add (HZ_RELAY_STOP_TIMEOUT_MS, on_stop_timeout, relay);
  relay->stop_poll_id = g_timeout_add (STOP_POLL_MS, on_stop_poll, relay);
}
