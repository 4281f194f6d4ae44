/* hz-test-peer: a WebRTC participant for tests of huizhen-relay.
 *
 * It joins a session over the relay's WebSocket (docs/signalling.md),
 * publishes a VP8 test pattern and a 440 Hz Opus tone unless --no-publish
 * is given, decodes every feed that the relay offers and prints one JSON
 * object per line on stdout:
 *
 *   {"event":"joined","participant_id":"5",...}
 *   {"event":"first-frame","from":"7","kind":"video","ms":N}    ms since joined
 *   {"event":"stats","from":"7","ms":N,"video_frames":N,"audio_buffers":N,...}  each second
 *   {"event":"error","code":"...","message":"..."}               from the relay; exit 2
 *   {"event":"sockets","non_loopback":N,"total":N}               with --check-sockets
 *   {"event":"reconnecting","reason":"...","ms":N}               with --reconnect
 *   {"event":"summary","feeds":{"7":{...,"first_video_ms":N}},"publish":{...}}
 *
 * plus "connection-state", "offer", "candidate" (the relay's), "participant-joined",
 * "participant-left", "recording", "closed" and the teaching round's
 * "hand-raised", "hand-lowered", "floor-granted", "floor-revoked" and
 * "feed-closed" events. Logs go to stderr. The summary is the last line of
 * every run that got as far as the main loop.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#include <glib-unix.h>
#include <openssl/crypto.h>
#include <stdio.h>

/* Maximum time for the relay to respond to `join` with `joined`, and to
 * close the socket after `leave`. */
#define JOIN_TIMEOUT_S 15
#define LEAVE_TIMEOUT_S 3
/* Maximum time from `joined` to a connected publish connection before
 * --duration starts anyway. */
#define PUBLISH_CONNECT_TIMEOUT_S 20

void
hz_peer_print_event (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  fprintf (stdout, "%s\n", text);
  fflush (stdout);
}

gint64
hz_peer_ms_since_joined (HzPeer *peer, gint64 monotonic_us)
{
  if (peer->joined_us == 0)
    return 0;
  return (monotonic_us - peer->joined_us) / 1000;
}

static void
print_stats (HzPeer *peer)
{
  GHashTableIter iter;
  gpointer value = NULL;

  g_hash_table_iter_init (&iter, peer->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzFeedStats *feed = value;
    g_autoptr (JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "event");
    json_builder_add_string_value (builder, "stats");
    json_builder_set_member_name (builder, "from");
    json_builder_add_string_value (builder, feed->participant_id);
    json_builder_set_member_name (builder, "ms");
    json_builder_add_int_value (builder, hz_peer_ms_since_joined (peer, g_get_monotonic_time ()));
    hz_feed_stats_print (feed, builder);
    json_builder_end_object (builder);
    hz_peer_print_event (builder);
  }
}

static gboolean
on_stats_timer (gpointer user_data)
{
  print_stats (user_data);
  return G_SOURCE_CONTINUE;
}

static void
print_summary (HzPeer *peer)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  GHashTableIter iter;
  gpointer value = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "summary");
  json_builder_set_member_name (builder, "feeds");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, peer->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzFeedStats *feed = value;

    json_builder_set_member_name (builder, feed->participant_id);
    json_builder_begin_object (builder);
    hz_feed_stats_print (feed, builder);
    json_builder_end_object (builder);
  }
  json_builder_end_object (builder);
  if (peer->publish != NULL)
    hz_publish_print_summary (peer->publish, builder);
  json_builder_end_object (builder);
  hz_peer_print_event (builder);
}

static void
print_sockets (void)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GError) error = NULL;
  guint non_loopback = 0;
  guint total = 0;

  if (!hz_count_sockets (&non_loopback, &total, &error)) {
    g_printerr ("hz-test-peer: --check-sockets failed: %s\n", error->message);
    return;
  }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "sockets");
  json_builder_set_member_name (builder, "non_loopback");
  json_builder_add_int_value (builder, non_loopback);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, total);
  json_builder_end_object (builder);
  hz_peer_print_event (builder);
}

static gboolean
on_duration_reached (gpointer user_data)
{
  HzPeer *peer = user_data;

  peer->duration_source = 0;
  hz_peer_stop (peer, HZ_PEER_EXIT_OK);
  return G_SOURCE_REMOVE;
}

static gboolean
on_join_timeout (gpointer user_data)
{
  HzPeer *peer = user_data;

  peer->join_timeout_source = 0;
  g_printerr ("hz-test-peer: no `joined` from the relay within %d s\n", JOIN_TIMEOUT_S);
  hz_peer_stop (peer, HZ_PEER_EXIT_FAILED);
  return G_SOURCE_REMOVE;
}

static gboolean
on_leave_timeout (gpointer user_data)
{
  HzPeer *peer = user_data;

  peer->leave_timeout_source = 0;
  if (peer->exit_code == HZ_PEER_EXIT_OK)
    g_printerr ("hz-test-peer: the relay did not close the socket within %d s of `leave`\n",
                LEAVE_TIMEOUT_S);
  g_main_loop_quit (peer->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_terminate_signal (gpointer user_data)
{
  hz_peer_stop (user_data, HZ_PEER_EXIT_OK);
  return G_SOURCE_CONTINUE;
}

/* Starts the per-second stats and the --duration timer. */
void
hz_peer_on_joined (HzPeer *peer)
{
  g_clear_handle_id (&peer->join_timeout_source, g_source_remove);
  /* A rejoin (--reconnect) keeps the timers of the first join. */
  if (peer->stats_source != 0)
    return;
  peer->stats_source = g_timeout_add_seconds (1, on_stats_timer, peer);
}

/* Starts the --duration timer, once. A publisher calls it when its publish
 * connection connects, so a slow start on a loaded machine does not shorten
 * the time with media. A receiver calls it at `joined`. */
void
hz_peer_start_duration (HzPeer *peer)
{
  if (peer->duration_started || peer->options.duration_s <= 0)
    return;
  peer->duration_started = TRUE;
  peer->duration_source = g_timeout_add ((guint) (peer->options.duration_s * 1000),
                                         on_duration_reached, peer);
}

static gboolean
on_publish_connect_slow (gpointer user_data)
{
  HzPeer *peer = user_data;

  peer->publish_connect_source = 0;
  hz_peer_start_duration (peer);
  return G_SOURCE_REMOVE;
}

/* A publish connection that does not connect within
 * PUBLISH_CONNECT_TIMEOUT_S still lets --duration run. */
void
hz_peer_wait_publish_connected (HzPeer *peer)
{
  if (peer->publish_connect_source == 0 && !peer->duration_started)
    peer->publish_connect_source = g_timeout_add_seconds (PUBLISH_CONNECT_TIMEOUT_S,
                                                          on_publish_connect_slow, peer);
}

/* Ends the run with EXIT_CODE. A normal stop sends `leave` and waits for
 * the relay to close the socket, and a stop on a relay error waits for the
 * same without sending anything. Any other stop quits the loop at once.
 * Later calls only raise a normal exit code to a failure. */
void
hz_peer_stop (HzPeer *peer, int exit_code)
{
  if (peer->stopping) {
    if (peer->exit_code == HZ_PEER_EXIT_OK && exit_code != HZ_PEER_EXIT_OK) {
      peer->exit_code = exit_code;
      g_main_loop_quit (peer->loop);
    }
    return;
  }

  peer->stopping = TRUE;
  peer->stopped_us = g_get_monotonic_time ();
  /* Media sent after `leave` is not part of the call. */
  if (peer->publish != NULL)
    g_atomic_int_set (&peer->publish->sending_flag, 0);
  peer->exit_code = exit_code;
  g_clear_handle_id (&peer->stats_source, g_source_remove);
  g_clear_handle_id (&peer->duration_source, g_source_remove);
  g_clear_handle_id (&peer->publish_connect_source, g_source_remove);
  g_clear_handle_id (&peer->join_timeout_source, g_source_remove);
  hz_reconnect_stop (peer);
  hz_teaching_stop (peer);

  if (peer->websocket == NULL ||
      soup_websocket_connection_get_state (peer->websocket) != SOUP_WEBSOCKET_STATE_OPEN ||
      (exit_code != HZ_PEER_EXIT_OK && exit_code != HZ_PEER_EXIT_RELAY_ERROR)) {
    g_main_loop_quit (peer->loop);
    return;
  }

  /* After an error the relay may close the socket itself (code 4001 after
   * a token error); waiting lets the "closed" event show the code. */
  if (exit_code == HZ_PEER_EXIT_OK)
    hz_peer_send_leave (peer);
  peer->leave_timeout_source = g_timeout_add_seconds (LEAVE_TIMEOUT_S, on_leave_timeout, peer);
}

static gboolean
parse_options (HzPeerOptions *options, int *argc, char ***argv, GError **error)
{
  g_autofree char *session = NULL;
  g_autofree char *token_file = NULL;
  const GOptionEntry entries[] = {
    { "relay", 0, 0, G_OPTION_ARG_STRING, &options->relay_url,
      "Relay WebSocket URL, e.g. ws://127.0.0.1:8443/ws", "URL" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ca_file,
      "Verify a wss:// relay's certificate against the PEM CAs in FILE "
      "(default: the system's CAs)", "FILE" },
    { "session", 0, 0, G_OPTION_ARG_STRING, &session, "Session id", "ID" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &options->token,
      "Join token from the scheduler (visible in the process list: prefer --token-file)", "TOKEN" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      "Read the join token from FILE (surrounding whitespace is ignored)", "FILE" },
    { "no-publish", 0, 0, G_OPTION_ARG_NONE, &options->no_publish,
      "Only receive; open no publish connection", NULL },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &options->duration_s,
      "Leave this many seconds after the publish connection connects, or after joining "
      "without one (default: run until SIGTERM or SIGINT)", "SECONDS" },
    { "video-pattern", 0, 0, G_OPTION_ARG_STRING, &options->video_pattern,
      "videotestsrc pattern of the published video (default: ball)", "NAME" },
    { "check-sockets", 0, 0, G_OPTION_ARG_NONE, &options->check_sockets,
      "At exit, count this process's inet sockets not bound to loopback", NULL },
    { "local-address", 0, 0, G_OPTION_ARG_STRING, &options->local_address,
      "Gather ICE candidates on this IP address only (default: 127.0.0.1)", "ADDRESS" },
    { "mdns-candidates", 0, 0, G_OPTION_ARG_NONE, &options->mdns_candidates,
      "Send host candidates with an mDNS name (NAME.local) for the address, as browsers do", NULL },
    { "reconnect", 0, 0, G_OPTION_ARG_NONE, &options->reconnect,
      "After a drop (the WebSocket closes, or no video for --stall-timeout), "
      "join again with the same token", NULL },
    { "stall-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &options->stall_timeout_s,
      "With --reconnect: seconds without decoded video that count as a drop (default: 2)",
      "SECONDS" },
    { "nack", 0, 0, G_OPTION_ARG_NONE, &options->nack,
      "Negotiate NACK and RTX, so that lost video packets are sent again", NULL },
    { "h264", 0, 0, G_OPTION_ARG_NONE, &options->h264,
      "Publish H.264 constrained baseline video (x264) instead of VP8", NULL },
    { "video-bitrate", 0, 0, G_OPTION_ARG_INT, &options->video_bitrate_kbps,
      "Target bitrate of the published video in kbit/s (default: the encoder's, 256 for VP8)",
      "KBPS" },
    { "header-extensions", 0, 0, G_OPTION_ARG_NONE, &options->header_extensions,
      "Send the audio with the audio-level (id 1) and transport-cc (id 3) header extensions",
      NULL },
    { "keyframe-requests", 0, 0, G_OPTION_ARG_INT, &options->keyframe_requests,
      "Send this many \"keyframe\" messages for each feed as soon as it connects", "N" },
    { "survive-feed-errors", 0, 0, G_OPTION_ARG_NONE, &options->survive_feed_errors,
      "An error for one received feed (pc \"sub:ID\") closes that feed only; "
      "without this option any error ends the run with exit code 2", NULL },
    { "accept-extensions", 0, 0, G_OPTION_ARG_NONE, &options->accept_extensions,
      "Answer feeds with every header extension the relay offers, as browsers do "
      "(webrtcbin 1.22 answers with none)", NULL },
    { "second-video", 0, 0, G_OPTION_ARG_NONE, &options->second_video,
      "Publish a second video track (SMPTE bars), as a screen share", NULL },
    { "payload-offset", 0, 0, G_OPTION_ARG_INT, &options->payload_offset,
      "Answer feeds with every dynamic payload type moved this many places (96-127 wrap)", "N" },
    { "no-h264", 0, 0, G_OPTION_ARG_NONE, &options->no_h264,
      "Reject feeds' H.264 m-lines in answers, as a client without an H.264 decoder", NULL },
    { "dtls-passive", 0, 0, G_OPTION_ARG_NONE, &options->dtls_passive,
      "Answer feeds with a=setup:passive, so that the relay is the DTLS client", NULL },
    { "answer-garbage", 0, 0, G_OPTION_ARG_STRING, &options->answer_garbage,
      "Send the relay unusable answers: text (not SDP) or fingerprint (no DTLS fingerprint)",
      "MODE" },
    { "raise-hand", 0, 0, G_OPTION_ARG_NONE, &options->raise_hand,
      "As a viewer, raise the hand; publish while granted the floor", NULL },
    { "grant-hands", 0, 0, G_OPTION_ARG_NONE, &options->grant_hands,
      "As a presenter, grant the floor to every raised hand", NULL },
    { "grant-video", 0, 0, G_OPTION_ARG_NONE, &options->grant_video,
      "With --grant-hands: let the viewer publish video too", NULL },
    { "revoke-after", 0, 0, G_OPTION_ARG_DOUBLE, &options->revoke_after_s,
      "With --grant-hands: revoke each grant this many seconds later", "SECONDS" },
    { "publish-anyway", 0, 0, G_OPTION_ARG_NONE, &options->publish_anyway,
      "As a viewer, send a publish offer without the floor (the relay must reject it)", NULL },
    { "marker-interval", 0, 0, G_OPTION_ARG_DOUBLE, &options->marker_interval_s,
      "Publish a white video frame and a 1 kHz beep at the same instant every this many "
      "seconds, with silence between the beeps", "SECONDS" },
    { "mute-at", 0, 0, G_OPTION_ARG_DOUBLE, &options->mute_at_s,
      "With --mute-for: stop sending audio and video this many seconds after publishing",
      "SECONDS" },
    { "mute-for", 0, 0, G_OPTION_ARG_DOUBLE, &options->mute_for_s,
      "Send no audio or video for this many seconds from --mute-at", "SECONDS" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- WebRTC test participant for huizhen-relay");
  char *end = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
      "Prints JSON events on stdout, one per line.\n"
      "Exit status: 0 after a normal run, 1 on a local failure or a protocol error,\n"
      "2 when the relay sent an error, 3 when the relay closed the connection.");
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (token_file != NULL && options->token != NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                 "give either --token or --token-file, not both");
    return FALSE;
  }
  if (token_file != NULL) {
    if (!g_file_get_contents (token_file, &options->token, NULL, error)) {
      g_prefix_error (error, "--token-file: ");
      return FALSE;
    }
    g_strstrip (options->token);
  }
  if (options->relay_url == NULL || session == NULL || options->token == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                 "--relay, --session and --token or --token-file are required");
    return FALSE;
  }
  options->session_id = g_ascii_strtoll (session, &end, 10);
  if (*end != '\0' || options->session_id <= 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--session \"%s\" is not a positive integer", session);
    return FALSE;
  }
  if (options->duration_s < 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--duration must not be negative");
    return FALSE;
  }
  if (options->video_pattern == NULL)
    options->video_pattern = g_strdup ("ball");
  if (options->local_address == NULL)
    options->local_address = g_strdup ("127.0.0.1");
  if (options->stall_timeout_s <= 0)
    options->stall_timeout_s = 2.0;
  if (options->marker_interval_s < 0 || (options->marker_interval_s > 0
                                          && options->marker_interval_s < 0.2)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--marker-interval must be 0 (off) or at least 0.2 seconds");
    return FALSE;
  }
  if (options->mute_at_s < 0 || options->mute_for_s < 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--mute-at and --mute-for must not be negative");
    return FALSE;
  }
  if (options->video_bitrate_kbps < 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--video-bitrate must not be negative");
    return FALSE;
  }
  if (options->answer_garbage != NULL && !g_str_equal (options->answer_garbage, "text")
      && !g_str_equal (options->answer_garbage, "fingerprint")) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "--answer-garbage must be text or fingerprint, not \"%s\"",
                 options->answer_garbage);
    return FALSE;
  }
  return TRUE;
}

static void
peer_free (HzPeer *peer)
{
  g_clear_handle_id (&peer->leave_timeout_source, g_source_remove);
  hz_reconnect_stop (peer);
  hz_teaching_stop (peer);
  g_clear_pointer (&peer->revoke_timers, g_hash_table_unref);
  g_clear_handle_id (&peer->connect_timeout_source, g_source_remove);
  g_clear_object (&peer->connect_cancellable);

  /* Subscribers first: their probes hold feeds, which hold the peer. */
  g_clear_pointer (&peer->subscribers, g_hash_table_unref);
  g_clear_pointer (&peer->publish, hz_connection_close);
  g_clear_pointer (&peer->feeds, g_hash_table_unref);

  if (peer->websocket != NULL &&
      soup_websocket_connection_get_state (peer->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (peer->websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_clear_object (&peer->websocket);
  g_clear_object (&peer->session);
  g_clear_pointer (&peer->loop, g_main_loop_unref);
  g_free (peer->participant_id);
  g_free (peer->options.relay_url);
  g_free (peer->options.ca_file);
  g_free (peer->options.token);
  g_free (peer->options.video_pattern);
  g_free (peer->options.local_address);
  g_free (peer->options.answer_garbage);
  g_free (peer);
}

int
main (int argc, char **argv)
{
  HzPeer *peer = g_new0 (HzPeer, 1);
  g_autoptr (GError) error = NULL;
  int exit_code;

  /* GStreamer's DTLS elements use OpenSSL from threads that may outlive
   * main(); OpenSSL's own exit handler then frees its state under them
   * (seen as a crash in OPENSSL_cleanup under ASan). The process ends
   * anyway, so skip that handler. */
  OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL);

  /* stdout carries only JSON events. */
  g_log_writer_default_set_use_stderr (TRUE);
  if (!parse_options (&peer->options, &argc, &argv, &error)) {
    g_printerr ("hz-test-peer: %s\n", error->message);
    peer_free (peer);
    return HZ_PEER_EXIT_FAILED;
  }
  gst_init (&argc, &argv);

  peer->loop = g_main_loop_new (NULL, FALSE);
  peer->subscribers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) hz_connection_close);
  peer->feeds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) hz_feed_stats_unref);
  peer->revoke_timers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_unix_signal_add (SIGTERM, on_terminate_signal, peer);
  g_unix_signal_add (SIGINT, on_terminate_signal, peer);
  peer->join_timeout_source = g_timeout_add_seconds (JOIN_TIMEOUT_S, on_join_timeout, peer);

  hz_peer_connect (peer);
  if (!peer->stopping)
    g_main_loop_run (peer->loop);

  /* Sockets and counters are read before anything is torn down. */
  if (peer->options.check_sockets)
    print_sockets ();
  print_summary (peer);

  exit_code = peer->exit_code;
  peer_free (peer);
  return exit_code;
}
