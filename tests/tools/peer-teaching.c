/* hz-test-peer: the teaching round's floor control (docs/signalling.md).
 *
 *   --raise-hand      as a viewer: send raise-hand after joined; when the
 *                     floor is granted, publish audio (and video if the
 *                     grant allows it); when it is revoked, stop publishing.
 *   --grant-hands     as a presenter: grant every raised hand, with video
 *                     when --grant-video is given, and revoke each grant
 *                     --revoke-after seconds later when that is set.
 *   --publish-anyway  as a viewer: send a publish offer without the floor,
 *                     which the relay must reject with not_allowed.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

typedef struct {
  HzPeer *peer;
  char *participant_id;
} RevokeTimer;

static void
send_floor_message (HzPeer *peer, const char *type, const char *participant_id,
                    gboolean with_video, gboolean video)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  if (participant_id != NULL) {
    json_builder_set_member_name (builder, "participant_id");
    json_builder_add_string_value (builder, participant_id);
  }
  if (with_video) {
    json_builder_set_member_name (builder, "video");
    json_builder_add_boolean_value (builder, video);
  }
  json_builder_end_object (builder);
  hz_peer_send (peer, builder);
}

static void
start_publishing (HzPeer *peer, gboolean audio_only)
{
  g_autoptr (GError) error = NULL;

  if (peer->publish != NULL)
    return;
  peer->publish = audio_only ? hz_publish_new_audio_only (peer, &error)
                             : hz_publish_new (peer, &error);
  if (peer->publish == NULL) {
    g_printerr ("hz-test-peer: cannot start publishing: %s\n", error->message);
    hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
  }
}

void
hz_teaching_on_joined (HzPeer *peer, const char *role)
{
  if (g_strcmp0 (role, "view") != 0)
    return;
  if (peer->options.publish_anyway)
    start_publishing (peer, FALSE);
  else if (peer->options.raise_hand)
    send_floor_message (peer, "raise-hand", NULL, FALSE, FALSE);
}

static void
revoke_timer_free (gpointer data)
{
  RevokeTimer *timer = data;

  g_free (timer->participant_id);
  g_free (timer);
}

static gboolean
on_revoke_timer (gpointer data)
{
  RevokeTimer *timer = data;

  send_floor_message (timer->peer, "revoke", timer->participant_id, FALSE, FALSE);
  g_hash_table_remove (timer->peer->revoke_timers, timer->participant_id);
  return G_SOURCE_REMOVE;
}

static void
grant_hand (HzPeer *peer, const char *participant_id)
{
  RevokeTimer *timer;
  guint source;

  send_floor_message (peer, "grant", participant_id, TRUE, peer->options.grant_video);
  if (peer->options.revoke_after_s <= 0 || g_hash_table_contains (peer->revoke_timers, participant_id))
    return;
  timer = g_new0 (RevokeTimer, 1);
  timer->peer = peer;
  timer->participant_id = g_strdup (participant_id);
  source = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (peer->options.revoke_after_s * 1000),
                               on_revoke_timer, timer, revoke_timer_free);
  g_hash_table_insert (peer->revoke_timers, g_strdup (participant_id), GUINT_TO_POINTER (source));
}

void
hz_teaching_on_message (HzPeer *peer, const char *type, JsonObject *message)
{
  const char *participant_id = json_object_get_string_member (message, "participant_id");
  gboolean own = g_strcmp0 (participant_id, peer->participant_id) == 0;

  if (g_str_equal (type, "hand-raised") && peer->options.grant_hands) {
    grant_hand (peer, participant_id);
  } else if (g_str_equal (type, "floor-granted") && own && peer->options.raise_hand) {
    start_publishing (peer, !json_object_get_boolean_member_with_default (message, "video", FALSE));
  } else if (g_str_equal (type, "floor-revoked") && own && peer->publish != NULL) {
    g_atomic_int_set (&peer->publish->sending_flag, 0);
    g_clear_pointer (&peer->publish, hz_connection_close);
  } else if (g_str_equal (type, "feed-closed")) {
    g_autofree char *pc = g_strdup_printf ("sub:%s", participant_id);

    g_hash_table_remove (peer->subscribers, pc);
  }
}

void
hz_teaching_stop (HzPeer *peer)
{
  GHashTableIter iter;
  gpointer value = NULL;

  if (peer->revoke_timers == NULL)
    return;
  g_hash_table_iter_init (&iter, peer->revoke_timers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_source_remove (GPOINTER_TO_UINT (value));
  g_hash_table_remove_all (peer->revoke_timers);
}
