/* Floor control in teaching rounds: raise hand, grant, revoke.
 *
 * In a teaching round the presenter's token has role publish and the
 * attendees' tokens role view. A view participant sends "raise-hand"; every
 * publish participant (the presenters) gets "hand-raised". A presenter
 * sends "grant" for that participant, optionally with video, and everyone
 * gets "floor-granted": the viewer may now send a publish offer, which the
 * relay forwards to everyone like any other feed. "revoke" from a
 * presenter, or "lower-hand" from the granted viewer, ends the floor: the
 * viewer's feed closes ("feed-closed" to its receivers) and everyone gets
 * "floor-revoked". Main thread only.
 */
#include "room-private.h"

static JsonBuilder *
begin_message (const char *type, const char *participant_id)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "participant_id");
  json_builder_add_string_value (builder, participant_id);
  return builder;
}

/* Sends the message of BUILDER (consumed) to every participant of ROOM, or
 * with PRESENTERS_ONLY to those with role publish. */
static void
send_to_room (HzRoom *room, JsonBuilder *builder, gboolean presenters_only)
{
  g_autoptr (JsonNode) root = NULL;
  GHashTableIter iter;
  gpointer value;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  g_hash_table_iter_init (&iter, room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzParticipant *other = value;

    if (!presenters_only || other->role == HZ_TOKEN_ROLE_PUBLISH)
      hz_connection_send (other->connection, root);
  }
  g_object_unref (builder);
}

static gboolean
require_role (HzParticipant *participant, HzTokenRole role, const char *type)
{
  g_autofree char *text = NULL;

  if (participant->role == role)
    return TRUE;
  text = g_strdup_printf ("\"%s\" is for participants with role %s", type,
                          hz_token_role_to_string (role));
  g_message ("%s: %s rejected: role %s", participant->log_prefix, type,
             hz_token_role_to_string (participant->role));
  hz_connection_send_error (participant->connection, "not_allowed", NULL, text);
  return FALSE;
}

/* Returns the view participant that a grant or revoke names, or NULL after
 * sending the error. */
static HzParticipant *
find_viewer (HzParticipant *presenter, const char *participant_id)
{
  HzParticipant *viewer = g_hash_table_lookup (presenter->room->participants, participant_id);

  if (viewer == NULL || viewer->role != HZ_TOKEN_ROLE_VIEW) {
    g_message ("%s: floor change for participant %s rejected: no such viewer in the room",
               presenter->log_prefix, participant_id);
    hz_connection_send_error (presenter->connection, "unknown_participant", NULL,
                              "no view participant with this id is in the room");
    return NULL;
  }
  return viewer;
}

static void
set_hand (HzParticipant *viewer, gboolean raised)
{
  JsonBuilder *builder;

  if (viewer->hand_raised == raised)
    return;
  viewer->hand_raised = raised;
  g_message ("%s: hand %s", viewer->log_prefix, raised ? "raised" : "lowered");
  builder = begin_message (raised ? "hand-raised" : "hand-lowered", viewer->id);
  if (raised) {
    json_builder_set_member_name (builder, "name");
    json_builder_add_string_value (builder, viewer->name);
  }
  send_to_room (viewer->room, builder, TRUE);
}

/* Takes the floor from VIEWER: its feed closes and everyone gets
 * "floor-revoked". */
static void
end_floor (HzParticipant *viewer, const char *by)
{
  if (!viewer->floor_granted)
    return;
  viewer->floor_granted = FALSE;
  viewer->floor_video = FALSE;
  g_message ("%s: floor revoked by %s", viewer->log_prefix, by);
  hz_participant_close_feed (viewer);
  send_to_room (viewer->room, begin_message ("floor-revoked", viewer->id), FALSE);
}

static void
grant (HzParticipant *presenter, HzParticipant *viewer, gboolean video)
{
  JsonBuilder *builder;

  /* A grant that takes video away ends the viewer's video feed, which the
   * viewer then publishes again with audio only. */
  if (viewer->floor_granted && viewer->floor_video && !video)
    hz_participant_close_feed (viewer);

  set_hand (viewer, FALSE);
  viewer->floor_granted = TRUE;
  viewer->floor_video = video;
  g_message ("%s: floor granted by participant %s (%s)", viewer->log_prefix, presenter->id,
             video ? "audio and video" : "audio");
  builder = begin_message ("floor-granted", viewer->id);
  json_builder_set_member_name (builder, "video");
  json_builder_add_boolean_value (builder, video);
  send_to_room (viewer->room, builder, FALSE);
}

void
hz_teaching_handle_message (HzParticipant *participant, const HzSignalMessage *message)
{
  HzParticipant *viewer;
  g_autofree char *by = NULL;

  switch (message->type) {
    case HZ_SIGNAL_RAISE_HAND:
      if (require_role (participant, HZ_TOKEN_ROLE_VIEW, "raise-hand") && !participant->floor_granted)
        set_hand (participant, TRUE);
      break;
    case HZ_SIGNAL_LOWER_HAND:
      if (require_role (participant, HZ_TOKEN_ROLE_VIEW, "lower-hand")) {
        set_hand (participant, FALSE);
        end_floor (participant, "the viewer");
      }
      break;
    case HZ_SIGNAL_GRANT:
      if (!require_role (participant, HZ_TOKEN_ROLE_PUBLISH, "grant"))
        break;
      viewer = find_viewer (participant, message->participant_id);
      if (viewer != NULL)
        grant (participant, viewer, message->video);
      break;
    case HZ_SIGNAL_REVOKE:
      if (!require_role (participant, HZ_TOKEN_ROLE_PUBLISH, "revoke"))
        break;
      viewer = find_viewer (participant, message->participant_id);
      by = g_strdup_printf ("participant %s", participant->id);
      if (viewer != NULL)
        end_floor (viewer, by);
      break;
    default:
      g_assert_not_reached ();
  }
}

gboolean
hz_teaching_may_publish (HzParticipant *participant, gboolean *video_allowed)
{
  if (participant->role == HZ_TOKEN_ROLE_PUBLISH) {
    *video_allowed = TRUE;
    return TRUE;
  }
  *video_allowed = participant->floor_granted && participant->floor_video;
  return participant->floor_granted;
}
