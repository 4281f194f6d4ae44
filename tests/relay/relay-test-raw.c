/* A raw HTTP and WebSocket client for tests; see relay-test-raw.h. */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-raw.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define READ_CHUNK 65536

RawClient *
raw_client_connect (const char *url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  RawClient *client = g_new0 (RawClient, 1);

  g_assert_no_error (error);
  client->host_port = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  client->connection = g_socket_client_connect_to_host (socket_client, client->host_port, 0,
                                                        NULL, &error);
  g_assert_no_error (error);
  client->socket = g_socket_connection_get_socket (client->connection);
  client->input = g_byte_array_new ();
  client->close_code = -1;
  return client;
}

void
raw_client_free (RawClient *client)
{
  if (client == NULL)
    return;
  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
  g_object_unref (client->connection);
  g_byte_array_unref (client->input);
  g_free (client->host_port);
  g_free (client);
}

gboolean
raw_client_write (RawClient *client, const void *data, gsize length)
{
  const guint8 *bytes = data;

  while (length > 0) {
    g_autoptr (GError) error = NULL;
    gssize written = g_socket_send (client->socket, (const char *) bytes, length, NULL, &error);

    if (written < 0)
      return FALSE;
    bytes += written;
    length -= (gsize) written;
  }
  return TRUE;
}

/* Reads what the socket has into CLIENT->input, waiting until DEADLINE_US
 * (monotonic) at most. Returns FALSE on timeout, end of stream or error. */
static gboolean
fill (RawClient *client, gint64 deadline_us)
{
  guint8 buffer[READ_CHUNK];
  gint64 wait_us = deadline_us - g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  gssize count;

  if (wait_us <= 0 || !g_socket_condition_timed_wait (client->socket, G_IO_IN, wait_us, NULL, NULL))
    return FALSE;
  count = g_socket_receive (client->socket, (char *) buffer, sizeof buffer, NULL, &error);
  if (count <= 0)
    return FALSE;
  g_byte_array_append (client->input, buffer, (guint) count);
  return TRUE;
}

char *
raw_client_read_head (RawClient *client, guint timeout_ms)
{
  gint64 deadline_us = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  for (;;) {
    const char *data = (const char *) client->input->data;
    const char *end = client->input->len > 0
                      ? g_strstr_len (data, client->input->len, "\r\n\r\n") : NULL;

    if (end != NULL) {
      char *head = g_strndup (data, end - data);

      g_byte_array_remove_range (client->input, 0, (guint) (end - data) + 4);
      return head;
    }
    if (!fill (client, deadline_us))
      return NULL;
  }
}

guint
raw_client_head_status (const char *head)
{
  if (head == NULL || !g_str_has_prefix (head, "HTTP/1.1 "))
    return 0;
  return (guint) g_ascii_strtoull (head + 9, NULL, 10);
}

guint
raw_client_ws_upgrade (RawClient *client, const char *path, guint timeout_ms)
{
  g_autofree char *request = g_strdup_printf (
      "GET %s HTTP/1.1\r\n"
      "Host: %s\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n"
      "\r\n", path, client->host_port);
  g_autofree char *head = NULL;

  if (!raw_client_write (client, request, strlen (request)))
    return 0;
  head = raw_client_read_head (client, timeout_ms);
  return raw_client_head_status (head);
}

gboolean
raw_client_ws_send (RawClient *client, guint opcode, gboolean fin, const void *payload,
                    gsize length, guint64 declared_length)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  g_autoptr (GByteArray) frame = g_byte_array_sized_new ((guint) length + 14);
  guint8 header[10];
  guint header_length = 2;
  const guint8 *bytes = payload;

  declared_length = MAX (declared_length, length);
  header[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  if (declared_length < 126) {
    header[1] = 0x80 | (guint8) declared_length;
  } else if (declared_length <= G_MAXUINT16) {
    header[1] = 0x80 | 126;
    header[2] = (guint8) (declared_length >> 8);
    header[3] = (guint8) declared_length;
    header_length = 4;
  } else {
    header[1] = 0x80 | 127;
    for (int i = 0; i < 8; i++)
      header[2 + i] = (guint8) (declared_length >> (56 - 8 * i));
    header_length = 10;
  }
  g_byte_array_append (frame, header, header_length);
  g_byte_array_append (frame, mask, sizeof mask);
  for (gsize i = 0; i < length; i++) {
    guint8 masked = bytes[i] ^ mask[i % 4];

    g_byte_array_append (frame, &masked, 1);
  }
  return raw_client_write (client, frame->data, frame->len);
}

gboolean
raw_client_ws_send_text (RawClient *client, const char *text)
{
  return raw_client_ws_send (client, RAW_WS_TEXT, TRUE, text, strlen (text), 0);
}

gboolean
raw_client_ws_read (RawClient *client, guint timeout_ms, RawFrame *frame)
{
  gint64 deadline_us = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  for (;;) {
    const guint8 *data = client->input->data;
    guint available = client->input->len;
    guint header_length = 2;
    guint64 length;

    if (available >= 2) {
      length = data[1] & 0x7f;
      if (length == 126)
        header_length = 4;
      else if (length == 127)
        header_length = 10;
      if (available >= header_length) {
        if (header_length == 4)
          length = ((guint64) data[2] << 8) | data[3];
        else if (header_length == 10)
          length = 0;
        for (guint i = 2; header_length == 10 && i < 10; i++)
          length = (length << 8) | data[i];
        /* The relay never masks, and the tests expect small frames. */
        g_assert_cmpuint (data[1] & 0x80, ==, 0);
        g_assert_cmpuint (length, <, 1024 * 1024);
        if (available >= header_length + length) {
          frame->opcode = data[0] & 0x0f;
          frame->payload = g_bytes_new (data + header_length, (gsize) length);
          g_byte_array_remove_range (client->input, 0, header_length + (guint) length);
          return TRUE;
        }
      }
    }
    if (!fill (client, deadline_us))
      return FALSE;
  }
}

/* Returns the code of a close frame's PAYLOAD, or 0 when it has none. */
static int
close_code_of (GBytes *payload)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (payload, &length);

  return length >= 2 ? (data[0] << 8) | data[1] : 0;
}

/* Returns whether TEXT is a JSON object with "type" TYPE and, when CODE is
 * not NULL, "code" CODE. */
static gboolean
message_matches (const char *text, gsize length, const char *type, const char *code)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (!json_parser_load_from_data (parser, text, (gssize) length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  object = json_node_get_object (json_parser_get_root (parser));
  return g_strcmp0 (json_object_get_string_member_with_default (object, "type", ""), type) == 0
         && (code == NULL
             || g_strcmp0 (json_object_get_string_member_with_default (object, "code", ""),
                           code) == 0);
}

char *
raw_client_ws_wait_message (RawClient *client, const char *type, const char *code,
                            guint timeout_ms)
{
  gint64 deadline_us = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  for (;;) {
    gint64 left_ms = (deadline_us - g_get_monotonic_time ()) / 1000;
    RawFrame frame = { 0, };
    gsize length = 0;
    const char *text;

    if (left_ms <= 0 || !raw_client_ws_read (client, (guint) left_ms, &frame))
      return NULL;
    text = g_bytes_get_data (frame.payload, &length);
    g_test_message ("relay sent frame %u: %.*s", frame.opcode, (int) MIN (length, 300), text);
    if (frame.opcode == RAW_WS_CLOSE) {
      /* Kept for raw_client_ws_wait_close(). */
      client->close_code = close_code_of (frame.payload);
      g_bytes_unref (frame.payload);
      return NULL;
    }
    if (frame.opcode == RAW_WS_TEXT && message_matches (text, length, type, code)) {
      char *match = g_strndup (text, length);

      g_bytes_unref (frame.payload);
      return match;
    }
    g_bytes_unref (frame.payload);
  }
}

int
raw_client_ws_wait_close (RawClient *client, guint timeout_ms)
{
  gint64 deadline_us = g_get_monotonic_time () + timeout_ms * (gint64) 1000;

  while (client->close_code < 0) {
    gint64 left_ms = (deadline_us - g_get_monotonic_time ()) / 1000;
    RawFrame frame = { 0, };

    if (left_ms <= 0 || !raw_client_ws_read (client, (guint) left_ms, &frame))
      return -1;
    if (frame.opcode == RAW_WS_CLOSE)
      client->close_code = close_code_of (frame.payload);
    g_bytes_unref (frame.payload);
  }
  g_test_message ("relay closed the WebSocket with code %d", client->close_code);
  return client->close_code;
}
