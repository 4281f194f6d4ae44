/* Rejects HTTP requests with a body; see http-guard.h.
 *
 * libsoup 3.2 reads a request body into memory before any handler runs,
 * also when a got-headers handler has set an error status. So the guard
 * takes the connection away from libsoup in got-headers:
 *
 *   got-headers with a body --> steal --> write 413 --> shut down writing -->
 *       discard input for at most DRAIN_SECONDS or DRAIN_MAX_BYTES --> close
 *
 * Discarding the input before closing (a lingering close) keeps the kernel
 * from answering the client's unread data with a TCP reset, which could
 * make the client lose the 413 response. At most one DRAIN_BUFFER_BYTES
 * buffer per rejected connection is held.
 */
#include "http-guard.h"

#include <string.h>

#define DRAIN_SECONDS 2
#define DRAIN_MAX_BYTES (4 * 1024 * 1024)
#define DRAIN_BUFFER_BYTES 16384

#define REJECT_BODY "{\"code\":\"body_too_large\"," \
                    "\"message\":\"huizhen-relay accepts no request body\"}"

typedef struct {
  GIOStream *stream;
  GSocket *socket;
  GCancellable *cancellable;
  char *response;          /* the 413 response, written from this buffer */
  guint timeout_id;
  gsize discarded;
  guint8 buffer[DRAIN_BUFFER_BYTES];
} Drain;

static void
drain_free (Drain *drain)
{
  g_autoptr (GError) error = NULL;

  g_clear_handle_id (&drain->timeout_id, g_source_remove);
  if (!g_socket_close (drain->socket, &error))
    g_debug ("closing a rejected connection failed: %s", error->message);
  g_object_unref (drain->socket);
  g_clear_object (&drain->stream);
  g_object_unref (drain->cancellable);
  g_free (drain->response);
  g_free (drain);
}

static gboolean
on_drain_timeout (gpointer data)
{
  Drain *drain = data;

  drain->timeout_id = 0;
  g_cancellable_cancel (drain->cancellable);
  return G_SOURCE_REMOVE;
}

static void read_next (Drain *drain);

static void
on_read (GObject *source, GAsyncResult *result, gpointer data)
{
  Drain *drain = data;
  gssize count = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  /* End of input, an error, the timeout (cancelled) or enough bytes. */
  if (count <= 0 || drain->discarded + (gsize) count >= DRAIN_MAX_BYTES) {
    drain_free (drain);
    return;
  }
  drain->discarded += (gsize) count;
  read_next (drain);
}

static void
read_next (Drain *drain)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (drain->stream), drain->buffer,
                             sizeof drain->buffer, G_PRIORITY_DEFAULT, drain->cancellable,
                             on_read, drain);
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer data)
{
  Drain *drain = data;
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error)
      || !g_socket_shutdown (drain->socket, FALSE, TRUE, &error)) {
    g_debug ("sending 413 failed: %s", error->message);
    drain_free (drain);
    return;
  }
  read_next (drain);
}

static gboolean
has_body (SoupMessageHeaders *headers)
{
  switch (soup_message_headers_get_encoding (headers)) {
    case SOUP_ENCODING_NONE:
      return FALSE;
    case SOUP_ENCODING_CONTENT_LENGTH:
      return soup_message_headers_get_content_length (headers) > 0;
    default:
      return TRUE;
  }
}

/* Takes MSG's connection and starts the response and the drain. The steal
 * may free MSG, so it is not used afterwards. */
static void
reject (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Drain *drain;

  if (socket == NULL)
    return;
  g_message ("%s: %s %s rejected with 413: the relay accepts no request body",
             soup_server_message_get_remote_host (msg), soup_server_message_get_method (msg),
             g_uri_get_path (soup_server_message_get_uri (msg)));

  drain = g_new0 (Drain, 1);
  drain->socket = g_object_ref (socket);
  drain->cancellable = g_cancellable_new ();
  drain->stream = soup_server_message_steal_connection (msg);
  if (drain->stream == NULL) {
    drain_free (drain);
    return;
  }
  drain->timeout_id = g_timeout_add_seconds (DRAIN_SECONDS, on_drain_timeout, drain);

  drain->response = g_strdup_printf ("HTTP/1.1 413 Request Entity Too Large\r\n"
                                     "Server: huizhen-relay\r\n"
                                     "Content-Type: application/json\r\n"
                                     "Content-Length: %zu\r\n"
                                     "Connection: close\r\n"
                                     "\r\n"
                                     "%s", strlen (REJECT_BODY), REJECT_BODY);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (drain->stream),
                                   drain->response, strlen (drain->response),
                                   G_PRIORITY_DEFAULT, drain->cancellable, on_written, drain);
}

static void
on_got_headers (SoupServerMessage *msg, gpointer data)
{
  if (has_body (soup_server_message_get_request_headers (msg)))
    reject (msg);
}

/* SoupServer connects its own got-headers handler before it emits
 * request-started, so this one runs after it, and a steal there is the
 * last use of the message in that emission. */
static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), NULL);
}

void
hz_http_guard_attach (SoupServer *server)
{
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), NULL);
}
