/* Room membership and the room pipeline; see room.h. Media handling of the
 * participants is in feed.c. */
#include "room-private.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

GST_DEBUG_CATEGORY_STATIC (hz_room_debug);
#define GST_CAT_DEFAULT hz_room_debug

static void
ensure_debug_category (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_room_debug, "hz-room", 0, "Huizhen relay rooms");
    g_once_init_leave (&initialized, 1);
  }
}

/* Drains every bus message; errors and warnings are logged with the
 * session id and the element's path. */
static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  HzRoom *room = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *source = NULL;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (message, &error, &debug);
      source = gst_object_get_path_string (GST_MESSAGE_SRC (message));
      g_warning ("session %" G_GINT64_FORMAT ": pipeline error from %s: %s (%s)",
                 room->session_id, source, error->message, debug != NULL ? debug : "");
      hz_room_handle_recording_error (room, message, error);
      break;
    case GST_MESSAGE_ELEMENT:
      if (!hz_room_hls_handle_message (room, message))
        GST_LOG_OBJECT (room->pipeline, "session %" G_GINT64_FORMAT ": element message from %s",
                        room->session_id, GST_MESSAGE_SRC_NAME (message));
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (message, &error, &debug);
      source = gst_object_get_path_string (GST_MESSAGE_SRC (message));
      g_message ("session %" G_GINT64_FORMAT ": pipeline warning from %s: %s",
                 room->session_id, source, error->message);
      break;
    default:
      GST_LOG_OBJECT (room->pipeline, "session %" G_GINT64_FORMAT ": %s from %s",
                      room->session_id, GST_MESSAGE_TYPE_NAME (message),
                      GST_MESSAGE_SRC_NAME (message));
      break;
  }
  return G_SOURCE_CONTINUE;
}

static void
participant_free (gpointer data)
{
  HzParticipant *participant = data;

  g_assert (participant->ingest == NULL);
  g_clear_handle_id (&participant->grace_id, g_source_remove);
  g_clear_pointer (&participant->subscriptions, g_hash_table_unref);
  g_clear_pointer (&participant->recorded_kinds, g_ptr_array_unref);
  g_clear_pointer (&participant->connection, hz_connection_unref);
  g_free (participant->id);
  g_free (participant->name);
  g_free (participant->log_prefix);
  g_free (participant);
}

HzRoom *
hz_room_new (HzRelay *relay, gint64 session_id, GError **error)
{
  g_autoptr (GstBus) bus = NULL;
  g_autofree char *name = g_strdup_printf ("room-%" G_GINT64_FORMAT, session_id);
  g_autofree char *dir_name = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
  HzRoom *room;

  ensure_debug_category ();

  room = g_new0 (HzRoom, 1);
  room->relay = relay;
  room->session_id = session_id;
  room->recordings_dir = g_build_filename (relay->config->relay.recordings_dir, dir_name, NULL);
  room->participants = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, participant_free);
  room->publish_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  room->pipeline = gst_object_ref_sink (gst_pipeline_new (name));
  bus = gst_pipeline_get_bus (GST_PIPELINE (room->pipeline));
  room->bus_watch_id = gst_bus_add_watch (bus, on_bus_message, room);

  if (gst_element_set_state (room->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "cannot start the pipeline of session %" G_GINT64_FORMAT, session_id);
    hz_room_free (room);
    return NULL;
  }
  g_message ("session %" G_GINT64_FORMAT ": room opened", session_id);
  return room;
}

void
hz_room_free (HzRoom *room)
{
  if (room == NULL)
    return;

  g_hash_table_remove_all (room->participants);
  g_clear_handle_id (&room->bus_watch_id, g_source_remove);
  g_clear_pointer (&room->hls, hz_hls_free);
  g_clear_pointer (&room->hls_finishing, hz_hls_free);
  g_free (room->hls_publisher_id);
  gst_element_set_state (room->pipeline, GST_STATE_NULL);
  GST_DEBUG_OBJECT (room->pipeline, "pipeline has %d reference(s) left at close",
                    GST_OBJECT_REFCOUNT_VALUE (room->pipeline));
  gst_object_unref (room->pipeline);
  g_hash_table_unref (room->participants);
  g_hash_table_unref (room->publish_counts);
  g_free (room->recordings_dir);
  g_message ("session %" G_GINT64_FORMAT ": room closed", room->session_id);
  g_free (room);
}

void
hz_room_destroy_if_unused (HzRoom *room)
{
  if (g_hash_table_size (room->participants) > 0)
    return;
  /* The round is over: end the HLS playlist first. */
  if (hz_room_hls_finish (room))
    return;
  if (room->n_finishing_recorders == 0)
    hz_relay_destroy_room (room->relay, room);
}

void
hz_participant_send (HzParticipant *participant, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);

  hz_connection_send (participant->connection, root);
  g_object_unref (builder);
}

/* Sends a message built by BUILDER to everyone in ROOM except EXCEPT. */
static void
broadcast (HzRoom *room, HzParticipant *except, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzParticipant *other = value;

    if (other != except)
      hz_connection_send (other->connection, root);
  }
  g_object_unref (builder);
}

static JsonBuilder *
begin_message (const char *type)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  return builder;
}

void
hz_room_set_recording (HzRoom *room, gboolean recording)
{
  if (room->recording != recording)
    g_message ("session %" G_GINT64_FORMAT ": recording %s", room->session_id,
               recording ? "allowed by the booking" : "off");
  room->recording = recording;
}

static void
send_joined (HzParticipant *participant, gboolean resumed)
{
  JsonBuilder *builder = begin_message ("joined");
  GHashTableIter iter;
  gpointer value;

  if (resumed) {
    json_builder_set_member_name (builder, "resumed");
    json_builder_add_boolean_value (builder, TRUE);
  }
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, participant->room->session_id);
  json_builder_set_member_name (builder, "participant_id");
  json_builder_add_string_value (builder, participant->id);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, hz_token_role_to_string (participant->role));
  json_builder_set_member_name (builder, "recording");
  json_builder_add_boolean_value (builder, participant->room->recording);
  json_builder_set_member_name (builder, "participants");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, participant->room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzParticipant *other = value;

    if (other == participant)
      continue;
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "participant_id");
    json_builder_add_string_value (builder, other->id);
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, other->name);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  hz_participant_send (participant, builder);
}

static void
announce_participant (HzParticipant *participant, gboolean joined)
{
  JsonBuilder *builder = begin_message (joined ? "participant-joined" : "participant-left");

  json_builder_set_member_name (builder, "participant_id");
  json_builder_add_string_value (builder, participant->id);
  if (joined) {
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, participant->name);
  }
  json_builder_end_object (builder);
  broadcast (participant->room, participant, builder);
}

/* Takes PARTICIPANT out of ROOM without destroying an empty room. A
 * participant that leaves at the end of its reconnect grace is reported as
 * having left when its connection dropped. */
static void
remove_participant (HzRoom *room, HzParticipant *participant)
{
  g_autoptr (GList) publisher_ids = NULL;
  HzConnection *connection = participant->connection;
  gint64 left_at = participant->dropped_at != 0 ? participant->dropped_at : g_get_real_time ();

  hz_participant_remove_feed (participant);
  publisher_ids = g_hash_table_get_keys (participant->subscriptions);
  for (GList *l = publisher_ids; l != NULL; l = l->next)
    hz_participant_unsubscribe (participant, l->data);

  g_hash_table_steal (room->participants, participant->id);
  announce_participant (participant, FALSE);
  hz_reporter_send_participation (room->relay->reporter, room->session_id, participant->id,
                                  "leave", left_at);
  room->relay->metrics->leaves++;
  g_message ("%s: left", participant->log_prefix);

  participant->connection = NULL;
  participant_free (participant);
  hz_connection_unref (connection);
}

/* Sends PARTICIPANT every feed that is ready in ROOM. */
static void
subscribe_to_feeds (HzRoom *room, HzParticipant *participant)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzParticipant *publisher = value;

    if (publisher != participant && publisher->ingest != NULL
        && hz_ingest_is_ready (publisher->ingest))
      hz_room_subscribe (room, participant, publisher);
  }
}

/* Moves PARTICIPANT to CONNECTION; see hz_room_join(). */
static void
resume_participant (HzRoom *room, HzParticipant *participant, HzConnection *connection,
                    const HzJoinToken *token)
{
  g_autoptr (HzConnection) old_connection = g_steal_pointer (&participant->connection);
  g_autoptr (GList) publisher_ids = g_hash_table_get_keys (participant->subscriptions);
  gboolean was_dropped = participant->grace_id != 0;

  g_clear_handle_id (&participant->grace_id, g_source_remove);
  participant->dropped_at = 0;
  g_message ("%s: joined again on a new connection%s; resuming it", participant->log_prefix,
             was_dropped ? " after a drop" : " while the old one was open");

  /* The client's old peer connections are gone with its old connection. */
  hz_participant_remove_feed (participant);
  for (GList *l = publisher_ids; l != NULL; l = l->next)
    hz_participant_unsubscribe (participant, l->data);

  participant->connection = hz_connection_ref (connection);
  participant->role = token->role;
  room->relay->metrics->resumes++;

  /* hz_connection_close() unbinds the old connection first, so its closing
   * does not make the participant leave. */
  hz_connection_send_error (old_connection, "replaced", NULL,
                            "the same user joined the session on another connection");
  hz_connection_close (old_connection, HZ_CLOSE_REPLACED, "replaced");

  send_joined (participant, TRUE);
  subscribe_to_feeds (room, participant);
}

HzParticipant *
hz_room_join (HzRoom *room, HzConnection *connection, const HzJoinToken *token)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, token->user_id);
  HzParticipant *previous = g_hash_table_lookup (room->participants, id);
  HzParticipant *participant;

  if (previous != NULL) {
    resume_participant (room, previous, connection, token);
    return previous;
  }

  participant = g_new0 (HzParticipant, 1);
  participant->room = room;
  participant->id = g_steal_pointer (&id);
  participant->name = g_strdup (token->name != NULL ? token->name : "");
  participant->role = token->role;
  participant->log_prefix = g_strdup_printf ("session %" G_GINT64_FORMAT " participant %s",
                                             room->session_id, participant->id);
  participant->connection = hz_connection_ref (connection);
  participant->recorded_kinds = g_ptr_array_new_with_free_func (g_free);
  participant->subscriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (room->participants, participant->id, participant);
  g_message ("%s: joined as %s", participant->log_prefix,
             hz_token_role_to_string (participant->role));
  hz_reporter_send_participation (room->relay->reporter, room->session_id, participant->id,
                                  "join", g_get_real_time ());
  room->relay->metrics->joins++;

  send_joined (participant, FALSE);
  announce_participant (participant, TRUE);
  subscribe_to_feeds (room, participant);
  return participant;
}

static gboolean
on_grace_over (gpointer data)
{
  HzParticipant *participant = data;

  participant->grace_id = 0;
  g_message ("%s: did not reconnect within %u s; leaving", participant->log_prefix,
             participant->room->relay->config->relay.reconnect_grace_s);
  hz_room_leave (participant->room, participant);
  return G_SOURCE_REMOVE;
}

void
hz_room_drop (HzRoom *room, HzParticipant *participant)
{
  guint grace_s = room->relay->config->relay.reconnect_grace_s;

  if (grace_s == 0 || room->relay->stopping) {
    hz_room_leave (room, participant);
    return;
  }
  g_message ("%s: connection dropped; keeping the participant for %u s to reconnect",
             participant->log_prefix, grace_s);
  g_clear_handle_id (&participant->grace_id, g_source_remove);
  participant->dropped_at = g_get_real_time ();
  participant->grace_id = g_timeout_add_seconds (grace_s, on_grace_over, participant);
}

void
hz_room_leave (HzRoom *room, HzParticipant *participant)
{
  remove_participant (room, participant);
  hz_room_destroy_if_unused (room);
}

void
hz_room_close (HzRoom *room, gushort close_code)
{
  g_autoptr (GList) participants = g_hash_table_get_values (room->participants);

  g_message ("session %" G_GINT64_FORMAT ": closing the room", room->session_id);
  for (GList *l = participants; l != NULL; l = l->next) {
    HzParticipant *participant = l->data;
    g_autoptr (HzConnection) connection = hz_connection_ref (participant->connection);

    remove_participant (room, participant);
    hz_connection_close (connection, close_code, "the relay is shutting down");
  }
  hz_room_destroy_if_unused (room);
}

void
hz_room_add_to_snapshot (HzRoom *room, HzMetricsSnapshot *snapshot)
{
  GHashTableIter iter;
  gpointer participant;

  snapshot->participants += g_hash_table_size (room->participants);
  g_hash_table_iter_init (&iter, room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &participant))
    hz_participant_add_to_snapshot (participant, snapshot);
}

gint64
hz_room_get_session_id (HzRoom *room)
{
  return room->session_id;
}

guint
hz_room_get_n_participants (HzRoom *room)
{
  return g_hash_table_size (room->participants);
}

gboolean
hz_room_has_participant (HzRoom *room, gint64 user_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);

  return g_hash_table_contains (room->participants, id);
}

const char *
hz_participant_get_log_prefix (HzParticipant *participant)
{
  return participant->log_prefix;
}

HzRoom *
hz_participant_get_room (HzParticipant *participant)
{
  return participant->room;
}
