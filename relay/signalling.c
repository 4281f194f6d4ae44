/* Signalling connections and message dispatch; see signalling.h.
 *
 * A connection is "joined" once it has a participant. Before that only
 * "join" is accepted; after "leave", a replacement or the room's closing,
 * the participant binding is gone and the socket is closing.
 */
#include "signalling.h"
#include "relay.h"
#include "room.h"
#include "signalling-message.h"
#include "hz-token.h"
#include "session-check.h"
#include "ws-guard-stream.h"

#include <string.h>

/* A socket that has not joined this long after the upgrade gets the error
 * join_timeout and is closed with HZ_CLOSE_JOIN_TIMEOUT. */
#define JOIN_DEADLINE_S 10

/* Seconds between WebSocket pings, which let a dead peer be noticed. */
#define KEEPALIVE_INTERVAL_S 15

/* Bytes of messages that may wait unsent for one client. libsoup 3.2 queues
 * every message that the socket cannot take at once, without a bound. A
 * client that sent 2.1 MB of one-byte invalid messages and read none of the
 * error replies grew the relay's resident memory by 108 MB. A join into a
 * room of 100 publishers queues 100 offers and their candidates, by
 * estimate under 1 MiB. */
#define MAX_UNSENT_BYTES (4 * 1024 * 1024)

/* Error replies logged per connection and window. The count of the rest
 * is logged with the next error after the window, or at the close. */
#define ERROR_LOG_MAX_PER_WINDOW 10
#define ERROR_LOG_WINDOW_US (60 * G_USEC_PER_SEC)

struct _HzConnection {
  HzRelay *relay;
  SoupWebsocketConnection *websocket;
  char *peer;                   /* remote address, for logs */
  HzParticipant *participant;   /* set while joined */
  gboolean join_seen;           /* a join was accepted once on this socket */
  gboolean join_pending;        /* a join waits for the scheduler's answer */
  guint join_deadline_id;       /* until the join is accepted */
  guint64 bytes_queued;         /* frames handed to libsoup, headers included */
  gboolean dropped_unread;      /* closed for leaving MAX_UNSENT_BYTES unread */
  gint64 error_window_start_us; /* monotonic start of the error log window */
  guint errors_logged;          /* error lines in that window */
  guint errors_unlogged;        /* errors sent but not logged in that window */
};

HzConnection *
hz_connection_ref (HzConnection *connection)
{
  return g_rc_box_acquire (connection);
}

static void
connection_clear (HzConnection *connection)
{
  if (connection->errors_unlogged > 0)
    g_message ("%s: %u more error replies were not logged", connection->peer,
               connection->errors_unlogged);
  g_clear_handle_id (&connection->join_deadline_id, g_source_remove);
  g_clear_object (&connection->websocket);
  g_free (connection->peer);
}

void
hz_connection_unref (HzConnection *connection)
{
  g_rc_box_release_full (connection, (GDestroyNotify) connection_clear);
}

/* Returns the header size of an unmasked frame of LENGTH payload bytes
 * (RFC 6455, section 5.2). */
static gsize
frame_header_size (gsize length)
{
  if (length < 126)
    return 2;
  if (length < 65536)
    return 4;
  return 10;
}

/* Returns the bytes queued on CONNECTION that its socket has not taken
 * yet, or 0 when the socket has no HzWsGuardStream to count them. */
static guint64
unsent_bytes (HzConnection *connection)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (connection->websocket);
  guint64 written;

  if (!HZ_IS_WS_GUARD_STREAM (stream))
    return 0;
  /* Pings, pongs, close frames and the message_too_large error of
   * ws-accept.c are written but not counted as queued, so this can only
   * underestimate. */
  written = hz_ws_guard_stream_get_bytes_written (HZ_WS_GUARD_STREAM (stream));
  return connection->bytes_queued > written ? connection->bytes_queued - written : 0;
}

/* Closes the socket of a client that has left more than MAX_UNSENT_BYTES
 * unread. A close frame would wait behind the unread bytes, so the stream
 * is closed at once. libsoup then reports no close code, so the participant
 * is dropped and may rejoin within [relay] reconnect-grace. */
static void
drop_unread (HzConnection *connection, guint64 unsent)
{
  connection->dropped_unread = TRUE;
  g_message ("%s: %" G_GUINT64_FORMAT " bytes of messages are unsent because the client does "
             "not read them, over the limit of %d; closing the connection",
             connection->participant != NULL
             ? hz_participant_get_log_prefix (connection->participant) : connection->peer,
             unsent, MAX_UNSENT_BYTES);
  g_io_stream_close_async (soup_websocket_connection_get_io_stream (connection->websocket),
                           G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

void
hz_connection_send (HzConnection *connection, JsonNode *message)
{
  g_autofree char *text = NULL;
  gsize length;
  guint64 unsent;

  if (connection->dropped_unread ||
      soup_websocket_connection_get_state (connection->websocket) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  unsent = unsent_bytes (connection);
  if (unsent > MAX_UNSENT_BYTES) {
    drop_unread (connection, unsent);
    return;
  }

  text = json_to_string (message, FALSE);
  length = strlen (text);
  connection->bytes_queued += length + frame_header_size (length);
  soup_websocket_connection_send_text (connection->websocket, text);
}

/* Logs an error reply with the session and participant ids, or the
 * address before a join, at most ERROR_LOG_MAX_PER_WINDOW times per window.
 * The message text can quote the client's input, so only the code and
 * the peer connection are logged. */
static void
log_error_reply (HzConnection *connection, const char *code, const char *pc)
{
  const char *prefix = connection->participant != NULL
                       ? hz_participant_get_log_prefix (connection->participant)
                       : connection->peer;
  gint64 now = g_get_monotonic_time ();

  if (now - connection->error_window_start_us >= ERROR_LOG_WINDOW_US) {
    if (connection->errors_unlogged > 0)
      g_message ("%s: %u more error replies in the last %d s were not logged", prefix,
                 connection->errors_unlogged, (int) (ERROR_LOG_WINDOW_US / G_USEC_PER_SEC));
    connection->error_window_start_us = now;
    connection->errors_logged = 0;
    connection->errors_unlogged = 0;
  }

  if (connection->errors_logged >= ERROR_LOG_MAX_PER_WINDOW) {
    connection->errors_unlogged++;
    return;
  }
  connection->errors_logged++;
  g_message ("%s: sent error %s%s%s", prefix, code, pc != NULL ? " for " : "",
             pc != NULL ? pc : "");
}

void
hz_connection_send_error (HzConnection *connection, const char *code, const char *pc,
                          const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "error");
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  if (pc != NULL) {
    json_builder_set_member_name (builder, "pc");
    json_builder_add_string_value (builder, pc);
  }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  log_error_reply (connection, code, pc);
  hz_connection_send (connection, root);
}

void
hz_connection_close (HzConnection *connection, gushort code, const char *reason)
{
  connection->participant = NULL;
  if (soup_websocket_connection_get_state (connection->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (connection->websocket, code, reason);
}

/* Detaches the participant and lets it leave its room. */
static void
leave_room (HzConnection *connection)
{
  HzParticipant *participant = g_steal_pointer (&connection->participant);

  if (participant != NULL)
    hz_room_leave (hz_participant_get_room (participant), participant);
}

/* Returns whether the holder of TOKEN fits into the room of SESSION_ID
 * and into the relay ([relay] max-room-participants, max-participants, and
 * max-rooms when the room is not open yet). A participant already in the
 * room always fits: its join resumes it. */
static gboolean
has_room_for (HzRelay *relay, gint64 session_id, const HzJoinToken *token, const char **limit)
{
  const HzRelayConfig *config = &relay->config->relay;
  HzRoom *room = g_hash_table_lookup (relay->rooms, &session_id);
  GHashTableIter iter;
  gpointer value;
  guint total = 0;

  if (room != NULL && hz_room_has_participant (room, token->user_id))
    return TRUE;
  if (room != NULL && hz_room_get_n_participants (room) >= config->max_room_participants) {
    *limit = "max-room-participants";
    return FALSE;
  }
  if (room == NULL && g_hash_table_size (relay->rooms) >= config->max_rooms) {
    *limit = "max-rooms";
    return FALSE;
  }
  g_hash_table_iter_init (&iter, relay->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += hz_room_get_n_participants (value);
  if (total >= config->max_participants) {
    *limit = "max-participants";
    return FALSE;
  }
  return TRUE;
}

/* Adds CONNECTION's holder of TOKEN to the room of SESSION_ID. When
 * CONFIRMED, RECORDING is the booking's consent to recording and HLS its
 * request for HLS output, as the scheduler confirmed them. Otherwise the
 * room keeps its flags, because a booking's consent does not change after
 * booking. */
static void
finish_join (HzConnection *connection, gint64 session_id, const HzJoinToken *token,
             gboolean confirmed, gboolean recording, gboolean hls)
{
  g_autoptr (GError) error = NULL;
  const char *limit = NULL;
  HzRoom *room;

  if (connection->relay->stopping) {
    hz_connection_send_error (connection, "internal_error", NULL, "the relay is shutting down");
    return;
  }

  if (!has_room_for (connection->relay, session_id, token, &limit)) {
    g_message ("%s: join of session %" G_GINT64_FORMAT " by participant %" G_GINT64_FORMAT
               " rejected: room_full ([relay] %s reached)", connection->peer,
               session_id, token->user_id, limit);
    hz_connection_send_error (connection, "room_full", NULL,
                              "the session or the relay has no room for another participant");
    hz_connection_close (connection, HZ_CLOSE_ROOM_FULL, "room_full");
    return;
  }

  room = hz_relay_ensure_room (connection->relay, session_id, &error);
  if (room == NULL) {
    g_warning ("%s: session %" G_GINT64_FORMAT ": %s", connection->peer, session_id,
               error->message);
    hz_connection_send_error (connection, "internal_error", NULL, "the room could not be opened");
    return;
  }
  connection->join_seen = TRUE;
  if (confirmed) {
    hz_room_set_recording (room, recording);
    hz_room_set_hls (room, hls);
  }
  connection->participant = hz_room_join (room, connection, token);
  g_clear_handle_id (&connection->join_deadline_id, g_source_remove);
}

static void
reject_join (HzConnection *connection, gint64 session_id, const char *code, const char *message,
             const char *detail)
{
  g_message ("%s: join of session %" G_GINT64_FORMAT " rejected: %s (%s)", connection->peer,
             session_id, code, detail);
  hz_connection_send_error (connection, code, NULL, message);
  hz_connection_close (connection, HZ_CLOSE_TOKEN_REJECTED, code);
}

/* A join whose token is valid, waiting for the scheduler's answer. */
typedef struct {
  HzConnection *connection;     /* a reference */
  gint64 session_id;
  HzJoinToken token;
} PendingJoin;

/* Goes on with a join once the scheduler has answered (session-check.h):
 * a cancelled, ended or moved session is rejected like an invalid token,
 * and a session that the scheduler did not confirm is joined. It is
 * recorded only when an earlier join confirmed the booking's consent. */
static void
conclude_join (HzConnection *connection, gint64 session_id, const HzJoinToken *token,
               HzSessionState state, const char *detail, gboolean recording, gboolean hls)
{
  switch (state) {
    case HZ_SESSION_UNCONFIRMED:
      g_warning ("%s: session %" G_GINT64_FORMAT " could not be checked with the scheduler (%s);"
                 " the join goes ahead on the token alone", connection->peer, session_id,
                 detail);
      finish_join (connection, session_id, token, FALSE, FALSE, FALSE);
      break;
    case HZ_SESSION_LIVE:
      finish_join (connection, session_id, token, TRUE, recording, hls);
      break;
    case HZ_SESSION_ENDED:
      reject_join (connection, session_id, "session_cancelled",
                   "the session was cancelled or has ended", detail);
      break;
    case HZ_SESSION_NOT_YET_OPEN:
      reject_join (connection, session_id, "token_not_yet_valid",
                   "the session was moved to a later time", detail);
      break;
    case HZ_SESSION_CLOSED:
      reject_join (connection, session_id, "token_expired",
                   "the session was moved to an earlier time", detail);
      break;
  }
}

static void
on_session_checked (HzSessionState state, const char *detail, gboolean recording,
                    gboolean hls, gpointer data)
{
  PendingJoin *pending = data;
  HzConnection *connection = pending->connection;

  connection->join_pending = FALSE;
  /* A socket that closed while the scheduler was asked has left. */
  if (soup_websocket_connection_get_state (connection->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    conclude_join (connection, pending->session_id, &pending->token, state, detail,
                   recording, hls);

  hz_join_token_clear (&pending->token);
  hz_connection_unref (pending->connection);
  g_free (pending);
}

static void
handle_join (HzConnection *connection, const HzSignalMessage *message)
{
  g_auto (HzJoinToken) token = { 0, };
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  PendingJoin *pending = NULL;

  if (connection->join_seen || connection->join_pending) {
    hz_connection_send_error (connection, "already_joined", NULL,
                              "this connection has already joined");
    return;
  }
  if (connection->relay->stopping) {
    hz_connection_send_error (connection, "internal_error", NULL, "the relay is shutting down");
    return;
  }

  if (!hz_token_verify (&connection->relay->secret, message->token, message->session_id, now,
                        &token, &error)) {
    const char *code = g_error_matches (error, HZ_TOKEN_ERROR, error->code)
                       ? hz_token_error_code (error->code) : "token_malformed";

    g_message ("%s: join of session %" G_GINT64_FORMAT " rejected: %s", connection->peer,
               message->session_id, code);
    hz_connection_send_error (connection, code, NULL, error->message);
    hz_connection_close (connection, HZ_CLOSE_TOKEN_REJECTED, code);
    return;
  }

  pending = g_new0 (PendingJoin, 1);
  pending->connection = hz_connection_ref (connection);
  pending->session_id = message->session_id;
  pending->token = token;
  memset (&token, 0, sizeof token);
  connection->join_pending = TRUE;
  hz_session_checker_check (connection->relay->session_checker, message->session_id,
                            on_session_checked, pending);
}

static void
dispatch (HzConnection *connection, const HzSignalMessage *message)
{
  if (message->type == HZ_SIGNAL_JOIN) {
    handle_join (connection, message);
    return;
  }
  if (connection->participant == NULL) {
    hz_connection_send_error (connection, "not_joined", NULL, "send \"join\" first");
    return;
  }
  if (message->type == HZ_SIGNAL_LEAVE) {
    leave_room (connection);
    hz_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, "left");
    return;
  }
  hz_participant_handle_message (connection->participant, message);
}

static void
on_message (SoupWebsocketConnection *websocket, SoupWebsocketDataType type, GBytes *frame,
            gpointer data)
{
  HzConnection *connection = data;
  g_autoptr (HzSignalMessage) message = NULL;
  g_autoptr (GError) error = NULL;
  gsize length;
  const char *text = g_bytes_get_data (frame, &length);

  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    hz_connection_send_error (connection, "bad_message", NULL, "binary frames are not accepted");
    return;
  }

  message = hz_signal_message_parse (text, length, &error);
  if (message == NULL) {
    g_debug ("%s: invalid message: %s", connection->participant != NULL
             ? hz_participant_get_log_prefix (connection->participant) : connection->peer,
             error->message);
    hz_connection_send_error (connection, hz_signal_error_code (error->code), NULL, error->message);
    return;
  }

  /* Keep the connection alive while its handlers run: a join may replace and
   * close another connection, and a leave closes this one. */
  hz_connection_ref (connection);
  dispatch (connection, message);
  hz_connection_unref (connection);
}

/* A socket that ends without a close frame (code 1006, or 0 when libsoup
 * saw none) dropped with its network or process; a client that closes
 * properly has left. */
static gboolean
close_is_abnormal (gushort code)
{
  return code == 0 || code == SOUP_WEBSOCKET_CLOSE_ABNORMAL;
}

static void
on_closed (SoupWebsocketConnection *websocket, gpointer data)
{
  HzConnection *connection = data;
  gushort code = soup_websocket_connection_get_close_code (websocket);
  HzParticipant *participant = connection->participant;

  if (participant != NULL)
    g_message ("%s: connection closed (code %u)", hz_participant_get_log_prefix (participant),
               code);
  if (participant != NULL && close_is_abnormal (code)) {
    connection->participant = NULL;
    hz_room_drop (hz_participant_get_room (participant), participant);
  } else {
    leave_room (connection);
  }
  g_clear_handle_id (&connection->join_deadline_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (websocket, connection);
  g_hash_table_remove (connection->relay->connections, connection);
}

static gboolean
on_join_deadline (gpointer data)
{
  HzConnection *connection = data;

  connection->join_deadline_id = 0;
  if (soup_websocket_connection_get_state (connection->websocket) != SOUP_WEBSOCKET_STATE_OPEN)
    return G_SOURCE_REMOVE;
  g_message ("%s: no join within %d s of connecting; closing the connection", connection->peer,
             JOIN_DEADLINE_S);
  hz_connection_send_error (connection, "join_timeout", NULL,
                            "no join was accepted within 10 s of connecting");
  hz_connection_close (connection, HZ_CLOSE_JOIN_TIMEOUT, "join_timeout");
  return G_SOURCE_REMOVE;
}

void
hz_signalling_accept (SoupServer *server, SoupServerMessage *message, const char *path,
                      SoupWebsocketConnection *websocket, gpointer user_data)
{
  HzRelay *relay = user_data;
  HzConnection *connection = g_rc_box_new0 (HzConnection);

  connection->relay = relay;
  connection->websocket = g_object_ref (websocket);
  connection->peer = g_strdup (soup_server_message_get_remote_host (message));
  /* libsoup drops a socket without a close frame on a frame over this size.
   * The guard stream of ws-accept.c closes a socket whose message exceeds
   * [relay] max-message-kib (code 1009) before libsoup reads the header of
   * such a frame, so this limit only backs it up. */
  g_object_set (websocket, "max-incoming-payload-size",
                (guint64) relay->config->relay.max_message_kib * 1024 + 1, NULL);
  soup_websocket_connection_set_keepalive_interval (websocket, KEEPALIVE_INTERVAL_S);

  g_signal_connect (websocket, "message", G_CALLBACK (on_message), connection);
  g_signal_connect (websocket, "closed", G_CALLBACK (on_closed), connection);
  connection->join_deadline_id = g_timeout_add_seconds (JOIN_DEADLINE_S, on_join_deadline,
                                                       connection);
  g_hash_table_add (relay->connections, connection);
  g_debug ("%s: WebSocket connection opened", connection->peer);
}

void
hz_signalling_close_all (HzRelay *relay)
{
  g_autoptr (GList) connections = g_hash_table_get_keys (relay->connections);

  for (GList *l = connections; l != NULL; l = l->next) {
    HzConnection *connection = l->data;

    leave_room (connection);
    hz_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "the relay is shutting down");
  }
}
