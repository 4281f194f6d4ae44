/* hz-test-peer: the WebSocket to the relay (protocol in docs/signalling.md).
 *
 * Every relay message is checked against the table `relay_messages` before
 * its handler runs. A message that breaks the protocol is a relay bug, so
 * the peer reports it on stderr and exits with HZ_PEER_EXIT_FAILED.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

typedef enum {
  FIELD_STRING,
  FIELD_INT,
  FIELD_ARRAY,
} FieldType;

typedef struct {
  const char *name;
  FieldType type;
} Field;

typedef void (*MessageHandler) (HzPeer *peer, JsonObject *message);

typedef struct {
  const char *type;
  MessageHandler handler;
  Field fields[5];            /* required members; ends at the first NULL name */
} MessageSpec;

static void
protocol_error (HzPeer *peer, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
protocol_error (HzPeer *peer, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("hz-test-peer: protocol error from the relay: %s\n", text);
  hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
}

void
hz_peer_send (HzPeer *peer, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  if (peer->websocket == NULL ||
      soup_websocket_connection_get_state (peer->websocket) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_send_text (peer->websocket, text);
}

void
hz_peer_send_leave (HzPeer *peer)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "leave");
  json_builder_end_object (builder);
  hz_peer_send (peer, builder);
}

/* Prints a relay message as an event: {"event": EVENT, MEMBERS...}, with
 * the SDP left out. */
static void
print_as_event (const char *event, JsonObject *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GList) members = json_object_get_members (message);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  for (GList *l = members; l != NULL; l = l->next) {
    const char *name = l->data;

    if (g_str_equal (name, "type") || g_str_equal (name, "sdp"))
      continue;
    json_builder_set_member_name (builder, name);
    json_builder_add_value (builder, json_node_copy (json_object_get_member (message, name)));
  }
  json_builder_end_object (builder);
  hz_peer_print_event (builder);
}

/* Handlers ----------------------------------------------------------------- */

static void
on_joined (HzPeer *peer, JsonObject *message)
{
  const char *role = json_object_get_string_member (message, "role");
  g_autoptr (GError) error = NULL;

  if (peer->participant_id != NULL) {
    protocol_error (peer, "a second `joined`");
    return;
  }
  peer->participant_id = g_strdup (json_object_get_string_member (message, "participant_id"));
  /* After a rejoin, times stay relative to the first join. */
  if (peer->joined_us == 0)
    peer->joined_us = g_get_monotonic_time ();
  print_as_event ("joined", message);
  hz_peer_on_joined (peer);
  hz_reconnect_on_joined (peer);

  hz_teaching_on_joined (peer, role);
  if (peer->options.no_publish || g_strcmp0 (role, "publish") != 0) {
    hz_peer_start_duration (peer);
    return;
  }
  peer->publish = hz_publish_new (peer, &error);
  if (peer->publish == NULL) {
    g_printerr ("hz-test-peer: cannot start publishing: %s\n", error->message);
    hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
    return;
  }
  hz_peer_wait_publish_connected (peer);
}

static void
on_answer (HzPeer *peer, JsonObject *message)
{
  const char *pc = json_object_get_string_member (message, "pc");
  g_autoptr (GError) error = NULL;

  if (!g_str_equal (pc, "publish") || peer->publish == NULL) {
    protocol_error (peer, "an answer for pc \"%s\", which has no offer", pc);
    return;
  }
  if (!hz_connection_set_remote (peer->publish, GST_WEBRTC_SDP_TYPE_ANSWER,
                                 json_object_get_string_member (message, "sdp"), &error))
    protocol_error (peer, "%s", error->message);
}

static void
on_offer (HzPeer *peer, JsonObject *message)
{
  const char *pc = json_object_get_string_member (message, "pc");
  const char *participant_id = json_object_get_string_member (message, "participant_id");
  g_autofree char *expected_pc = g_strdup_printf ("sub:%s", participant_id);
  HzConnection *conn = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_str_equal (pc, expected_pc)) {
    protocol_error (peer, "an offer for pc \"%s\" from participant %s", pc, participant_id);
    return;
  }
  print_as_event ("offer", message);

  /* A new offer for a feed we have replaces the old connection. */
  g_hash_table_remove (peer->subscribers, pc);
  conn = hz_subscribe_new (peer, participant_id, &error);
  if (conn == NULL) {
    g_printerr ("hz-test-peer: cannot subscribe to %s: %s\n", pc, error->message);
    hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
    return;
  }
  g_hash_table_insert (peer->subscribers, g_strdup (pc), conn);

  if (!hz_connection_set_remote (conn, GST_WEBRTC_SDP_TYPE_OFFER,
                                 json_object_get_string_member (message, "sdp"), &error))
    protocol_error (peer, "%s", error->message);
}

static HzConnection *
find_connection (HzPeer *peer, const char *pc)
{
  if (g_str_equal (pc, "publish"))
    return peer->publish;
  return g_hash_table_lookup (peer->subscribers, pc);
}

static void
on_candidate (HzPeer *peer, JsonObject *message)
{
  const char *pc = json_object_get_string_member (message, "pc");
  gint64 mline = json_object_get_int_member (message, "sdpMLineIndex");
  HzConnection *conn = find_connection (peer, pc);

  print_as_event ("candidate", message);
  if (conn == NULL) {
    /* A candidate may cross our leave or a participant-left; not an error. */
    g_message ("ignoring a candidate for pc \"%s\", which does not exist", pc);
    return;
  }
  if (mline < 0 || mline > G_MAXUINT16) {
    protocol_error (peer, "sdpMLineIndex %" G_GINT64_FORMAT " is out of range", mline);
    return;
  }
  hz_connection_add_candidate (conn, (guint) mline,
                               json_object_get_string_member (message, "candidate"));
}

static void
on_participant_joined (HzPeer *peer, JsonObject *message)
{
  print_as_event ("participant-joined", message);
}

static void
on_participant_left (HzPeer *peer, JsonObject *message)
{
  const char *participant_id = json_object_get_string_member (message, "participant_id");
  g_autofree char *pc = g_strdup_printf ("sub:%s", participant_id);

  print_as_event ("participant-left", message);
  g_hash_table_remove (peer->subscribers, pc);
}

static void
on_recording (HzPeer *peer, JsonObject *message)
{
  print_as_event ("recording", message);
}

static void
on_recording_stopped (HzPeer *peer, JsonObject *message)
{
  print_as_event ("recording-stopped", message);
}

/* hand-raised, hand-lowered, floor-granted, floor-revoked, feed-closed */
static void
on_teaching_message (HzPeer *peer, JsonObject *message)
{
  const char *type = json_object_get_string_member (message, "type");

  print_as_event (type, message);
  hz_teaching_on_message (peer, type, message);
}

/* With --survive-feed-errors, codec_unsupported leaves the feed open (the
 * relay still sends its other tracks) and any other feed error closes it. */
static void
on_error (HzPeer *peer, JsonObject *message)
{
  const char *pc = json_object_get_string_member_with_default (message, "pc", "");
  const char *code = json_object_get_string_member_with_default (message, "code", "");

  print_as_event ("error", message);
  if (peer->options.survive_feed_errors && g_str_has_prefix (pc, "sub:")) {
    if (!g_str_equal (code, "codec_unsupported"))
      g_hash_table_remove (peer->subscribers, pc);
    return;
  }
  hz_peer_stop (peer, HZ_PEER_EXIT_RELAY_ERROR);
}

static const MessageSpec relay_messages[] = {
  { "joined", on_joined,
    { { "session_id", FIELD_INT }, { "participant_id", FIELD_STRING },
      { "role", FIELD_STRING }, { "participants", FIELD_ARRAY } } },
  { "answer", on_answer, { { "pc", FIELD_STRING }, { "sdp", FIELD_STRING } } },
  { "offer", on_offer,
    { { "pc", FIELD_STRING }, { "participant_id", FIELD_STRING },
      { "name", FIELD_STRING }, { "sdp", FIELD_STRING } } },
  { "candidate", on_candidate,
    { { "pc", FIELD_STRING }, { "candidate", FIELD_STRING },
      { "sdpMLineIndex", FIELD_INT } } },
  { "participant-joined", on_participant_joined,
    { { "participant_id", FIELD_STRING }, { "name", FIELD_STRING } } },
  { "participant-left", on_participant_left, { { "participant_id", FIELD_STRING } } },
  { "recording", on_recording, { { "pc", FIELD_STRING }, { "kinds", FIELD_ARRAY } } },
  { "recording-stopped", on_recording_stopped,
    { { "participant_id", FIELD_STRING }, { "kind", FIELD_STRING },
      { "reason", FIELD_STRING } } },
  { "error", on_error, { { "code", FIELD_STRING }, { "message", FIELD_STRING } } },
  { "hand-raised", on_teaching_message,
    { { "participant_id", FIELD_STRING }, { "name", FIELD_STRING } } },
  { "hand-lowered", on_teaching_message, { { "participant_id", FIELD_STRING } } },
  { "floor-granted", on_teaching_message, { { "participant_id", FIELD_STRING } } },
  { "floor-revoked", on_teaching_message, { { "participant_id", FIELD_STRING } } },
  { "feed-closed", on_teaching_message,
    { { "pc", FIELD_STRING }, { "participant_id", FIELD_STRING } } },
};

/* Dispatch ----------------------------------------------------------------- */

static gboolean
field_has_type (JsonNode *node, FieldType type)
{
  switch (type) {
  case FIELD_STRING:
    return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
  case FIELD_INT:
    return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
  case FIELD_ARRAY:
    return JSON_NODE_HOLDS_ARRAY (node);
  }
  return FALSE;
}

static void
dispatch_message (HzPeer *peer, const char *text, gsize length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *message = NULL;
  const char *type = NULL;

  if (!json_parser_load_from_data (parser, text, length, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    protocol_error (peer, "a message that is not a JSON object");
    return;
  }
  message = json_node_get_object (json_parser_get_root (parser));
  type = json_object_get_string_member_with_default (message, "type", NULL);
  if (type == NULL) {
    protocol_error (peer, "a message without a string `type`");
    return;
  }

  if (peer->participant_id == NULL && !g_str_equal (type, "joined") && !g_str_equal (type, "error")) {
    protocol_error (peer, "`%s` before `joined`", type);
    return;
  }

  for (gsize i = 0; i < G_N_ELEMENTS (relay_messages); i++) {
    const MessageSpec *spec = &relay_messages[i];

    if (!g_str_equal (spec->type, type))
      continue;
    for (const Field *field = spec->fields; field->name != NULL; field++) {
      JsonNode *node = json_object_get_member (message, field->name);

      if (node == NULL || !field_has_type (node, field->type)) {
        protocol_error (peer, "`%s` has a missing or mistyped member `%s`", type, field->name);
        return;
      }
    }
    spec->handler (peer, message);
    return;
  }
  protocol_error (peer, "a message of unknown type `%s`", type);
}

/* WebSocket ---------------------------------------------------------------- */

static void
on_websocket_message (SoupWebsocketConnection *websocket,
                      SoupWebsocketDataType    data_type,
                      GBytes                  *data,
                      gpointer                 user_data)
{
  HzPeer *peer = user_data;
  gsize length = 0;
  const char *text = g_bytes_get_data (data, &length);

  if (peer->stopping && peer->exit_code != HZ_PEER_EXIT_OK)
    return;
  if (data_type != SOUP_WEBSOCKET_DATA_TEXT) {
    protocol_error (peer, "a binary frame");
    return;
  }
  dispatch_message (peer, text, length);
}

static void
on_websocket_closed (SoupWebsocketConnection *websocket, gpointer user_data)
{
  HzPeer *peer = user_data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "closed");
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, soup_websocket_connection_get_close_code (websocket));
  json_builder_end_object (builder);
  hz_peer_print_event (builder);

  /* After our `leave` the relay closes the socket: that ends a normal run. */
  if (peer->stopping)
    g_main_loop_quit (peer->loop);
  else if (peer->options.reconnect && peer->reconnect_deadline_us == 0)
    hz_reconnect_begin (peer, "the WebSocket closed");
  else
    hz_peer_stop (peer, HZ_PEER_EXIT_DISCONNECTED);
}

static void
send_join (HzPeer *peer)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "join");
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, peer->options.session_id);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, peer->options.token);
  json_builder_end_object (builder);
  hz_peer_send (peer, builder);
}

static void
on_websocket_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HzPeer *peer = user_data;
  g_autoptr (GError) error = NULL;

  peer->websocket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_clear_handle_id (&peer->connect_timeout_source, g_source_remove);
  g_clear_object (&peer->connect_cancellable);
  if (peer->websocket == NULL) {
    g_printerr ("hz-test-peer: cannot open a WebSocket to %s: %s\n",
                peer->options.relay_url, error->message);
    if (peer->reconnect_deadline_us != 0 && !peer->stopping)
      hz_reconnect_on_connect_failed (peer);
    else
      hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
    return;
  }

  /* SDP offers stay far below the relay's 64 KiB limit; allow the same. */
  soup_websocket_connection_set_max_incoming_payload_size (peer->websocket, 64 * 1024);
  g_signal_connect (peer->websocket, "message", G_CALLBACK (on_websocket_message), peer);
  g_signal_connect (peer->websocket, "closed", G_CALLBACK (on_websocket_closed), peer);
  send_join (peer);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  HzPeer *peer = user_data;

  peer->connect_timeout_source = 0;
  g_cancellable_cancel (peer->connect_cancellable);
  return G_SOURCE_REMOVE;
}

void
hz_peer_connect (HzPeer *peer)
{
  g_autoptr (SoupMessage) request = soup_message_new (SOUP_METHOD_GET, peer->options.relay_url);

  if (request == NULL) {
    g_printerr ("hz-test-peer: --relay \"%s\" is not a valid ws:// or wss:// URL\n",
                peer->options.relay_url);
    hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
    return;
  }
  if (peer->session == NULL) {
    peer->session = soup_session_new ();
    if (peer->options.ca_file != NULL) {
      g_autoptr (GError) error = NULL;
      g_autofree char *absolute = g_canonicalize_filename (peer->options.ca_file, NULL);
      g_autoptr (GTlsDatabase) database = g_tls_file_database_new (absolute, &error);

      if (database == NULL) {
        g_printerr ("hz-test-peer: --ca-file %s: %s\n", peer->options.ca_file, error->message);
        hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
        return;
      }
      soup_session_set_tls_database (peer->session, database);
    }
  }

  /* A rejoin attempt over a dead network would wait for TCP's own timeout. */
  g_clear_object (&peer->connect_cancellable);
  peer->connect_cancellable = g_cancellable_new ();
  if (peer->reconnect_deadline_us != 0)
    peer->connect_timeout_source = g_timeout_add_seconds (HZ_PEER_CONNECT_ATTEMPT_S,
                                                          on_connect_timeout, peer);
  soup_session_websocket_connect_async (peer->session, request, NULL, NULL,
                                        G_PRIORITY_DEFAULT, peer->connect_cancellable,
                                        on_websocket_connected, peer);
}

/* Abandons the WebSocket without a close frame, as a dropped network does:
 * closing the stream sends at most a TCP FIN. */
void
hz_peer_disconnect (HzPeer *peer)
{
  if (peer->websocket == NULL)
    return;
  g_signal_handlers_disconnect_by_data (peer->websocket, peer);
  g_io_stream_close (soup_websocket_connection_get_io_stream (peer->websocket), NULL, NULL);
  g_clear_object (&peer->websocket);
}
