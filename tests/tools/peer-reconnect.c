/* hz-test-peer: --reconnect, rejoining with the same token after a drop.
 *
 * A drop is either the WebSocket closing without our `leave`, or, while
 * joined, no decoded video from any feed for --stall-timeout seconds after
 * video had been flowing (the network is gone but no socket has noticed
 * yet, as after a few seconds without packets in a browser). The peer then
 * behaves like a browser page that starts over: it abandons the socket
 * without a close frame (the relay must see a drop, not a leave), closes
 * its peer connections and keeps opening a new WebSocket, each attempt cut
 * off after HZ_PEER_CONNECT_ATTEMPT_S, until one joins or RECONNECT_TIMEOUT_S pass.
 * Feed counters carry on across the rejoin.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#define STALL_CHECK_MS 250
#define RETRY_DELAY_MS 1000
#define RECONNECT_TIMEOUT_S 30

static guint64
total_video_frames (HzPeer *peer)
{
  GHashTableIter iter;
  gpointer value = NULL;
  guint64 total = 0;

  g_hash_table_iter_init (&iter, peer->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzFeedStats *feed = value;

    g_mutex_lock (&feed->lock);
    total += feed->video_frames;
    g_mutex_unlock (&feed->lock);
  }
  return total;
}

static gboolean
on_stall_check (gpointer user_data)
{
  HzPeer *peer = user_data;
  guint64 frames = total_video_frames (peer);
  gint64 now = g_get_monotonic_time ();

  if (peer->stopping || peer->reconnect_deadline_us != 0 || peer->participant_id == NULL)
    return G_SOURCE_CONTINUE;
  if (frames != peer->last_video_frames) {
    peer->last_video_frames = frames;
    peer->last_progress_us = now;
    return G_SOURCE_CONTINUE;
  }
  if (peer->last_progress_us != 0 &&
      now - peer->last_progress_us > (gint64) (peer->options.stall_timeout_s * G_USEC_PER_SEC))
    hz_reconnect_begin (peer, "no video arrived within the stall timeout");
  return G_SOURCE_CONTINUE;
}

void
hz_reconnect_start_watch (HzPeer *peer)
{
  if (peer->options.reconnect && peer->stall_source == 0)
    peer->stall_source = g_timeout_add (STALL_CHECK_MS, on_stall_check, peer);
}

static void
print_reconnecting (HzPeer *peer, const char *reason)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "reconnecting");
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_set_member_name (builder, "ms");
  json_builder_add_int_value (builder, hz_peer_ms_since_joined (peer, g_get_monotonic_time ()));
  json_builder_end_object (builder);
  hz_peer_print_event (builder);
}

static gboolean
on_retry (gpointer user_data)
{
  HzPeer *peer = user_data;

  peer->reconnect_source = 0;
  hz_peer_connect (peer);
  return G_SOURCE_REMOVE;
}

void
hz_reconnect_begin (HzPeer *peer, const char *reason)
{
  print_reconnecting (peer, reason);
  g_message ("reconnecting: %s", reason);
  peer->reconnects++;
  peer->reconnect_deadline_us = g_get_monotonic_time () + RECONNECT_TIMEOUT_S * G_USEC_PER_SEC;

  hz_peer_disconnect (peer);
  g_hash_table_remove_all (peer->subscribers);
  g_clear_pointer (&peer->publish, hz_connection_close);
  g_clear_pointer (&peer->participant_id, g_free);
  peer->last_progress_us = 0;

  g_clear_handle_id (&peer->reconnect_source, g_source_remove);
  peer->reconnect_source = g_timeout_add (RETRY_DELAY_MS, on_retry, peer);
}

void
hz_reconnect_on_connect_failed (HzPeer *peer)
{
  if (g_get_monotonic_time () > peer->reconnect_deadline_us) {
    g_printerr ("hz-test-peer: could not rejoin within %d s\n", RECONNECT_TIMEOUT_S);
    hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
    return;
  }
  g_clear_handle_id (&peer->reconnect_source, g_source_remove);
  peer->reconnect_source = g_timeout_add (RETRY_DELAY_MS, on_retry, peer);
}

void
hz_reconnect_on_joined (HzPeer *peer)
{
  peer->reconnect_deadline_us = 0;
  peer->last_video_frames = total_video_frames (peer);
  peer->last_progress_us = 0;
  hz_reconnect_start_watch (peer);
}

void
hz_reconnect_stop (HzPeer *peer)
{
  g_clear_handle_id (&peer->stall_source, g_source_remove);
  g_clear_handle_id (&peer->reconnect_source, g_source_remove);
}
