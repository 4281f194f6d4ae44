/* Rejects request bodies over [scheduler] max-body-kib while they arrive.
 *
 * libsoup 3.2 reads a whole request body into memory before any handler
 * runs, even when an early handler has already set an error status. So a
 * declared Content-Length over the limit, or a chunked body that passes it,
 * would be read to its end. Here the connection is taken from libsoup
 * (soup_server_message_steal_connection()) as soon as the limit is passed,
 * the 413 response is written directly, and the connection is closed:
 *
 *   got-headers: Content-Length > limit --+
 *   got-chunk: bytes received > limit ----+--> steal --> write 413 -->
 *       shut down writing --> discard input for at most DRAIN_SECONDS --> close
 *
 * Discarding the input before closing (a lingering close, as in Apache
 * httpd) keeps the kernel from sending a TCP reset for the client's unread
 * data, which could make the client lose the 413 response. */

#include "hz-sched-body-limit.h"

#include <string.h>

#include "hz-sched-request.h"

/* Limits of the drain: a rejected client may go on sending for
 * DRAIN_SECONDS or DRAIN_MAX_BYTES, whichever ends first, before the
 * connection is closed. */
#define DRAIN_SECONDS 2
#define DRAIN_MAX_BYTES (4 * 1024 * 1024)
#define DRAIN_BUFFER_BYTES 16384

typedef struct {
  GIOStream *stream;
  GSocket *socket;
  GBytes *response;
  GCancellable *cancellable;
  guint timeout_id;
  gsize discarded;
  guint8 buffer[DRAIN_BUFFER_BYTES];
} BodyDrain;

static void
body_drain_free (BodyDrain *drain)
{
  g_autoptr (GError) error = NULL;

  g_clear_handle_id (&drain->timeout_id, g_source_remove);
  if (!g_socket_close (drain->socket, &error))
    g_debug ("Closing a rejected connection failed: %s", error->message);
  g_object_unref (drain->socket);
  g_object_unref (drain->stream);
  g_bytes_unref (drain->response);
  g_object_unref (drain->cancellable);
  g_free (drain);
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  BodyDrain *drain = user_data;

  drain->timeout_id = 0;
  g_cancellable_cancel (drain->cancellable);
  return G_SOURCE_REMOVE;
}

static void read_next (BodyDrain *drain);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  BodyDrain *drain = user_data;
  gssize count = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  /* The drain ends at the end of input, on an error, or on the timeout,
   * which cancels the read. */
  if (count <= 0)
    {
      body_drain_free (drain);
      return;
    }

  drain->discarded += (gsize) count;
  if (drain->discarded >= DRAIN_MAX_BYTES)
    {
      body_drain_free (drain);
      return;
    }
  read_next (drain);
}

static void
read_next (BodyDrain *drain)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (drain->stream),
                             drain->buffer, sizeof drain->buffer, G_PRIORITY_DEFAULT,
                             drain->cancellable, on_read, drain);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  BodyDrain *drain = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error) ||
      !g_socket_shutdown (drain->socket, FALSE, TRUE, &error))
    {
      g_debug ("Sending 413 to a client failed: %s", error->message);
      body_drain_free (drain);
      return;
    }

  read_next (drain);
}

char *
hz_body_limit_message (HzLanguage language,
                       guint      max_kib)
{
  if (language == HZ_LANGUAGE_EN)
    return g_strdup_printf ("The request body is larger than the limit of %u KiB.", max_kib);
  return g_strdup_printf ("请求内容超过 %u KiB 的上限。", max_kib);
}

/* Returns the whole HTTP response: status line, headers and the JSON error
 * body in LANGUAGE. */
static GBytes *
format_response (HzLanguage language,
                 guint      max_kib)
{
  const HzSchedErrorInfo *info = hz_sched_error_info (HZ_SCHED_ERROR_BODY_TOO_LARGE);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *body = NULL;
  g_autofree char *message = hz_body_limit_message (language, max_kib);
  GString *response = g_string_new (NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, info->code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);

  g_string_append_printf (response,
                          "HTTP/1.1 %u %s\r\n"
                          "Server: huizhen-scheduler\r\n"
                          "Content-Type: application/json; charset=utf-8\r\n"
                          "Content-Length: %zu\r\n"
                          "Cache-Control: no-store\r\n"
                          "X-Content-Type-Options: nosniff\r\n"
                          "Connection: close\r\n"
                          "\r\n"
                          "%s",
                          info->http_status,
                          soup_status_get_phrase (info->http_status),
                          strlen (body), body);
  return g_string_free_to_bytes (response);
}

/* Takes MSG's connection from libsoup and starts the drain. MSG may be
 * freed by the steal, so it is not used afterwards. */
static void
reject_body (SoupServerMessage *msg,
             guint              max_kib)
{
  BodyDrain *drain;
  GSocket *socket = soup_server_message_get_socket (msg);
  GIOStream *stream;
  gsize length;
  const guint8 *data;

  if (socket == NULL)
    return;

  soup_server_message_set_status (msg, hz_sched_error_info (HZ_SCHED_ERROR_BODY_TOO_LARGE)->http_status,
                                  NULL);
  hz_sched_log_request (msg, " (body over the limit, connection closed)");

  drain = g_new0 (BodyDrain, 1);
  drain->socket = g_object_ref (socket);
  drain->response = format_response (hz_request_language (msg), max_kib);
  drain->cancellable = g_cancellable_new ();

  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      body_drain_free (drain);
      return;
    }
  drain->stream = stream;
  drain->timeout_id = g_timeout_add_seconds (DRAIN_SECONDS, on_drain_timeout, drain);

  data = g_bytes_get_data (drain->response, &length);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), data, length,
                                   G_PRIORITY_DEFAULT, drain->cancellable, on_written, drain);
}

/* libsoup 3.2 reports a Content-Length that does not fit in 63 bits, and a
 * negative one such as "-1", as length -1, and would then read the body
 * until the client closes the connection. Both count as over the limit. */
static void
on_got_headers (SoupServerMessage *msg,
                gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  guint max_kib = GPOINTER_TO_UINT (user_data);
  goffset length;

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return;

  length = soup_message_headers_get_content_length (headers);
  if (length < 0 || length > (goffset) max_kib * 1024)
    reject_body (msg, max_kib);
}

static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  guint max_kib = GPOINTER_TO_UINT (user_data);

  if (soup_server_message_get_request_body (msg)->length > (goffset) max_kib * 1024)
    reject_body (msg, max_kib);
}

void
hz_body_limit_watch (SoupServerMessage *msg,
                     guint              max_kib)
{
  /* libsoup 3.2's start_request() connects SoupServer's own got-headers
   * handler before it emits request-started, so these run after it, and a
   * steal here is the last use of the message in that emission. */
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), GUINT_TO_POINTER (max_kib));
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), GUINT_TO_POINTER (max_kib));
}
