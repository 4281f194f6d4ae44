/* WebSocket upgrades of the signalling endpoint; see ws-accept.h.
 *
 *   request on PATH --> handshake valid? --> relay running? --> address
 *   under its cap? --> 101 --> (wrote-informational) steal the connection
 *   --> HzWsGuardStream --> SoupWebsocketConnection --> hz_signalling_accept()
 *
 * The count of open sockets per address goes up when a connection is
 * made and down when libsoup reports it closed.
 */
#include "ws-accept.h"
#include "relay.h"
#include "signalling.h"
#include "signalling-message.h"
#include "ws-guard-stream.h"

#include <string.h>

/* At most one log line per interval about rejected upgrades; the others
 * are counted in the next line. */
#define REJECT_LOG_INTERVAL_US G_USEC_PER_SEC

/* RFC 6585; libsoup 3.2 has no name for it. */
#define HTTP_TOO_MANY_REQUESTS 429

struct _HzWsAcceptor {
  HzRelay *relay;
  GHashTable *per_address;   /* remote address → open sockets (GUINT_TO_POINTER) */
  GHashTable *sockets;       /* AcceptedSocket set, owned */
  gint64 last_reject_log_us;
  guint rejects_unlogged;
};

typedef struct {
  HzWsAcceptor *acceptor;
  SoupWebsocketConnection *websocket;
  char *address;
  guint64 oversized_message;     /* size at which the message was cut off */
  guint close_oversized_id;
} AcceptedSocket;

static void
accepted_socket_free (gpointer data)
{
  AcceptedSocket *accepted = data;

  g_clear_handle_id (&accepted->close_oversized_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (accepted->websocket, accepted);
  g_object_unref (accepted->websocket);
  g_free (accepted->address);
  g_free (accepted);
}

static void
count_socket (HzWsAcceptor *acceptor, const char *address, int change)
{
  guint open = GPOINTER_TO_UINT (g_hash_table_lookup (acceptor->per_address, address));

  open = (guint) ((int) open + change);
  if (open == 0)
    g_hash_table_remove (acceptor->per_address, address);
  else
    g_hash_table_insert (acceptor->per_address, g_strdup (address), GUINT_TO_POINTER (open));
}

static void
on_socket_closed (SoupWebsocketConnection *websocket, gpointer data)
{
  AcceptedSocket *accepted = data;
  HzWsAcceptor *acceptor = accepted->acceptor;

  count_socket (acceptor, accepted->address, -1);
  g_hash_table_remove (acceptor->sockets, accepted);
}

/* Sends message_too_large and closes with 1009 from the main loop, outside
 * the read in which the guard stream noticed the message. */
static gboolean
close_oversized (gpointer data)
{
  AcceptedSocket *accepted = data;
  guint max_bytes = accepted->acceptor->relay->config->relay.max_message_kib * 1024;
  g_autofree char *text = NULL;

  accepted->close_oversized_id = 0;
  if (soup_websocket_connection_get_state (accepted->websocket) != SOUP_WEBSOCKET_STATE_OPEN)
    return G_SOURCE_REMOVE;

  g_message ("%s: WebSocket message of at least %" G_GUINT64_FORMAT " bytes exceeds the "
             "limit of %u bytes ([relay] max-message-kib); closing the connection (1009)",
             accepted->address, accepted->oversized_message, max_bytes);
  text = g_strdup_printf ("{\"type\":\"error\",\"code\":\"message_too_large\","
                          "\"message\":\"a message exceeds the limit of %u bytes\"}",
                          max_bytes);
  soup_websocket_connection_send_text (accepted->websocket, text);
  soup_websocket_connection_close (accepted->websocket, SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                                   "message too large");
  return G_SOURCE_REMOVE;
}

static void
on_message_too_large (guint64 message_size, gpointer data)
{
  AcceptedSocket *accepted = data;

  accepted->oversized_message = message_size;
  if (accepted->close_oversized_id == 0)
    accepted->close_oversized_id = g_idle_add (close_oversized, accepted);
}

/* Runs once the 101 response is written: takes the connection from libsoup
 * and makes the WebSocket connection on the guard stream. */
static void
on_upgraded (SoupServerMessage *message, gpointer data)
{
  HzWsAcceptor *acceptor = data;
  GUri *uri = soup_server_message_get_uri (message);
  const char *origin = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                     "Origin");
  AcceptedSocket *accepted = g_new0 (AcceptedSocket, 1);
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (GIOStream) guarded = NULL;

  g_object_ref (message);
  accepted->acceptor = acceptor;
  accepted->address = g_strdup (soup_server_message_get_remote_host (message));
  stream = soup_server_message_steal_connection (message);
  guarded = hz_ws_guard_stream_new (stream, acceptor->relay->config->relay.max_message_kib * 1024,
                                    on_message_too_large, accepted);
  accepted->websocket = soup_websocket_connection_new (guarded, uri,
                                                       SOUP_WEBSOCKET_CONNECTION_SERVER, origin,
                                                       NULL, NULL);
  g_signal_connect (accepted->websocket, "closed", G_CALLBACK (on_socket_closed), accepted);
  g_hash_table_add (acceptor->sockets, accepted);
  count_socket (acceptor, accepted->address, +1);

  hz_signalling_accept (acceptor->relay->server, message, g_uri_get_path (uri),
                        accepted->websocket, acceptor->relay);
  g_object_unref (message);
}

static void
reject (HzWsAcceptor *acceptor, SoupServerMessage *message, guint status, const char *code,
        const char *reason)
{
  gint64 now_us = g_get_monotonic_time ();
  char *body = g_strdup_printf ("{\"code\":\"%s\",\"message\":\"%s\"}", code, reason);

  if (now_us - acceptor->last_reject_log_us >= REJECT_LOG_INTERVAL_US) {
    g_message ("%s: WebSocket upgrade rejected with %u: %s (%u more rejected since the last "
               "such line)", soup_server_message_get_remote_host (message), status, reason,
               acceptor->rejects_unlogged);
    acceptor->last_reject_log_us = now_us;
    acceptor->rejects_unlogged = 0;
  } else {
    acceptor->rejects_unlogged++;
  }
  soup_server_message_set_status (message, status,
                                  status == HTTP_TOO_MANY_REQUESTS ? "Too Many Requests" : NULL);
  /* Responses to upgrade requests miss the Connection: close of relay.c. */
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Connection", "close");
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, body,
                                    strlen (body));
}

static void
on_request (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
            gpointer data)
{
  HzWsAcceptor *acceptor = data;
  const char *address = soup_server_message_get_remote_host (message);
  guint open = GPOINTER_TO_UINT (g_hash_table_lookup (acceptor->per_address, address));
  guint max_open = acceptor->relay->config->relay.max_connections_per_address;

  /* An invalid handshake gets its error status from libsoup. */
  if (!soup_websocket_server_check_handshake (message, NULL, NULL, NULL, NULL)) {
    soup_websocket_server_process_handshake (message, NULL, NULL, NULL, NULL);
    return;
  }
  if (acceptor->relay->stopping) {
    reject (acceptor, message, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
            "the relay is shutting down");
    return;
  }
  if (open >= max_open) {
    g_autofree char *reason = g_strdup_printf ("%u WebSocket connections are open from this "
                                               "address, the limit of [relay] "
                                               "max-connections-per-address", open);

    reject (acceptor, message, HTTP_TOO_MANY_REQUESTS, "too_many_connections", reason);
    return;
  }

  if (soup_websocket_server_process_handshake (message, NULL, NULL, NULL, NULL))
    g_signal_connect (message, "wrote-informational", G_CALLBACK (on_upgraded), acceptor);
}

HzWsAcceptor *
hz_ws_acceptor_new (HzRelay *relay, const char *path)
{
  HzWsAcceptor *acceptor = g_new0 (HzWsAcceptor, 1);

  acceptor->relay = relay;
  acceptor->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  acceptor->sockets = g_hash_table_new_full (g_direct_hash, g_direct_equal, accepted_socket_free,
                                             NULL);
  soup_server_add_handler (relay->server, path, on_request, acceptor, NULL);
  return acceptor;
}

void
hz_ws_acceptor_free (HzWsAcceptor *acceptor)
{
  if (acceptor == NULL)
    return;
  g_hash_table_unref (acceptor->sockets);
  g_hash_table_unref (acceptor->per_address);
  g_free (acceptor);
}
