/* Integration tests of teaching rounds, codecs, loss repair and isolation
 * in huizhen-relay, with real hz-test-peer participants.
 *
 * Each case starts the scheduler and a relay of its own (relay-test-net.h)
 * on loopback. In a teaching round the presenter's token has role publish
 * and the attendees' tokens role view; the tests sign the view tokens with
 * the shared secret, as the scheduler does for a round's attendees. The
 * loss case runs one receiver in a network namespace that drops 3% of its
 * UDP packets in each direction.
 *
 * Command line, besides GLib's test options:
 *   --hz-test-peer=PATH --hz-media-check=PATH
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-net.h"
#include "hz-token.h"

#include <string.h>

#define JOIN_TIMEOUT_MS 20000
#define CONNECT_TIMEOUT_MS 20000
#define EXIT_TIMEOUT_MS 30000
#define FLOOR_TIMEOUT_MS 15000

/* Exit statuses of hz-test-peer (tests/tools/peer.h). */
#define PEER_EXIT_OK 0
#define PEER_EXIT_RELAY_ERROR 2
#define PEER_EXIT_DISCONNECTED 3

/* A decoded 440 Hz tone is about -5 dBFS; silence stays far below. */
#define AUDIO_AUDIBLE_DB (-30.0)

/* Helpers -------------------------------------------------------------------- */

static char *
id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static void
wait_publish_connected (RelayTestPeer *peer)
{
  g_assert_nonnull (relay_test_peer_wait_event (peer, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  for (;;) {
    JsonObject *event = relay_test_peer_wait_event (peer, "connection-state", "pc", "publish",
                                                    CONNECT_TIMEOUT_MS);

    g_assert_nonnull (event);
    if (g_str_equal (json_object_get_string_member (event, "state"), "connected"))
      return;
    g_assert_cmpstr (json_object_get_string_member (event, "state"), !=, "failed");
  }
}

static void
wait_first_frame (RelayTestPeer *peer, gint64 from_id, const char *kind)
{
  g_autofree char *from = id_text (from_id);

  for (;;) {
    JsonObject *event = relay_test_peer_wait_event (peer, "first-frame", "from", from,
                                                    CONNECT_TIMEOUT_MS);

    g_test_message ("waiting for %s's first %s frame from %s", peer->label, kind, from);
    g_assert_nonnull (event);
    if (g_str_equal (json_object_get_string_member (event, "kind"), kind))
      return;
  }
}

/* Returns the last error event of PEER, which must have one. */
static JsonObject *
last_error (RelayTestPeer *peer)
{
  JsonObject *error = NULL;

  for (guint i = 0; i < peer->events->len; i++) {
    JsonObject *event = json_node_get_object (peer->events->pdata[i]);

    if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", NULL), "error") == 0)
      error = event;
  }
  g_assert_nonnull (error);
  return error;
}

static gboolean
has_event (RelayTestPeer *peer, const char *name, const char *member, const char *value)
{
  for (guint i = 0; i < peer->events->len; i++) {
    JsonObject *event = json_node_get_object (peer->events->pdata[i]);

    if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", NULL), name) == 0
        && (member == NULL
            || g_strcmp0 (json_object_get_string_member_with_default (event, member, NULL),
                          value) == 0))
      return TRUE;
  }
  return FALSE;
}

/* Decoded video frames per second of a feed, from its first to its last
 * frame. */
static double
decoded_frame_rate (JsonObject *feed)
{
  gint64 frames = json_object_get_int_member (feed, "video_frames");
  gint64 span_ms = json_object_get_int_member (feed, "last_video_ms")
                   - json_object_get_int_member (feed, "first_video_ms");

  g_assert_cmpint (frames, >, 1);
  g_assert_cmpint (span_ms, >, 0);
  return (frames - 1) * 1000.0 / span_ms;
}

/* Frames per second that PEER's publish connection sent. */
static double
sent_frame_rate (RelayTestPeer *peer)
{
  JsonObject *summary = relay_test_peer_summary (peer);
  JsonObject *publish = NULL;
  double seconds;

  g_assert_nonnull (summary);
  publish = json_object_get_object_member (summary, "publish");
  g_assert_nonnull (publish);
  seconds = json_object_get_double_member (publish, "seconds");
  g_assert_cmpfloat (seconds, >, 1);
  return json_object_get_int_member (publish, "video_frames_sent") / seconds;
}

static char *
sign_token (NetTestSession *net, gint64 session_id, gint64 user_id, HzTokenRole role,
            const char *name)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  HzJoinToken token = {
    .session_id = session_id,
    .user_id = user_id,
    .role = role,
    .not_before = now - 60,
    .expires = now + 3600,
    .name = (char *) name,
  };

  return hz_token_sign (&net->session.daemons->secret, &token);
}

/* Cases ---------------------------------------------------------------------- */

/* The presenter publishes a camera, a second video and audio. A viewer
 * joining 10 s into the round decodes video within 1 s of joining: the
 * publisher's own keyframes are 5 s apart, so this needs the relay's
 * keyframe request for the new receiver. */
static void
test_late_viewer (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  const char *presenter_args[] = { "--second-video", NULL };
  const char *viewer_args[] = { "--no-publish", "--duration=4", NULL };
  g_autofree char *viewer_token = sign_token (net, session->booking.session_id,
                                              session->booking.doctor_id, HZ_TOKEN_ROLE_VIEW,
                                              "李医生");
  g_autoptr (RelayTestPeer) presenter = NULL;
  g_autoptr (RelayTestPeer) viewer = NULL;
  JsonObject *feed = NULL;

  presenter = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                     session->expert_token, "presenter", presenter_args);
  wait_publish_connected (presenter);
  g_usleep (10 * G_USEC_PER_SEC);

  viewer = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  viewer_token, "viewer", viewer_args);
  g_assert_cmpint (relay_test_peer_wait_exit (viewer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  feed = relay_test_peer_feed (viewer, session->booking.expert_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), <, 1000);
  /* Both videos decode, and the audio is the presenter's tone. */
  g_assert_cmpint (json_object_get_int_member (feed, "video_streams"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (feed, "audio_buffers"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (feed, "audio_rms_db_max"), >, AUDIO_AUDIBLE_DB);
  /* The viewer published nothing. */
  g_assert_null (relay_test_peer_wait_event (viewer, "recording", NULL, NULL, 0));

  relay_test_peer_terminate (presenter);
  g_assert_cmpint (relay_test_peer_wait_exit (presenter, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
}

/* A viewer without the floor cannot publish; a viewer who raises a hand
 * and is granted the floor is heard by the presenter and by the other
 * viewers; the revoke closes its feed for them. */
static void
test_floor (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  gint64 session_id = session->booking.session_id;
  g_autofree char *doctor_id = id_text (session->booking.doctor_id);
  g_autofree char *doctor_token = sign_token (net, session_id, session->booking.doctor_id,
                                              HZ_TOKEN_ROLE_VIEW, "李医生");
  g_autofree char *coordinator_token = sign_token (net, session_id,
                                                   session->booking.coordinator_id,
                                                   HZ_TOKEN_ROLE_VIEW, "张协调员");
  const char *presenter_args[] = { "--grant-hands", "--revoke-after=6", NULL };
  const char *intruder_args[] = { "--publish-anyway", NULL };
  const char *bystander_args[] = { "--no-publish", NULL };
  const char *hand_args[] = { "--raise-hand", NULL };
  g_autoptr (RelayTestPeer) presenter = NULL;
  g_autoptr (RelayTestPeer) intruder = NULL;
  g_autoptr (RelayTestPeer) bystander = NULL;
  g_autoptr (RelayTestPeer) hand = NULL;
  JsonObject *error = NULL;
  JsonObject *feed = NULL;

  presenter = relay_test_peer_start (tools, session->daemons, session_id, session->expert_token,
                                     "presenter", presenter_args);
  wait_publish_connected (presenter);

  /* A viewer's publish offer is rejected, and only it. */
  intruder = relay_test_peer_start (tools, session->daemons, session_id, coordinator_token,
                                    "intruder", intruder_args);
  g_assert_cmpint (relay_test_peer_wait_exit (intruder, EXIT_TIMEOUT_MS), ==, PEER_EXIT_RELAY_ERROR);
  error = last_error (intruder);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "not_allowed");
  g_assert_cmpstr (json_object_get_string_member (error, "pc"), ==, "publish");

  bystander = relay_test_peer_start (tools, session->daemons, session_id, coordinator_token,
                                     "bystander", bystander_args);
  /* The bystander must be in the room before the grant to see it. */
  g_assert_nonnull (relay_test_peer_wait_event (bystander, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  hand = relay_test_peer_start (tools, session->daemons, session_id, doctor_token, "hand",
                                hand_args);
  g_assert_nonnull (relay_test_peer_wait_event (presenter, "hand-raised", "participant_id",
                                                doctor_id, FLOOR_TIMEOUT_MS));
  g_assert_nonnull (relay_test_peer_wait_event (hand, "floor-granted", "participant_id",
                                                doctor_id, FLOOR_TIMEOUT_MS));
  g_assert_nonnull (relay_test_peer_wait_event (bystander, "floor-granted", "participant_id",
                                                doctor_id, FLOOR_TIMEOUT_MS));
  wait_first_frame (presenter, session->booking.doctor_id, "audio");
  wait_first_frame (bystander, session->booking.doctor_id, "audio");

  /* --revoke-after=6: the presenter takes the floor back. */
  g_assert_nonnull (relay_test_peer_wait_event (hand, "floor-revoked", "participant_id",
                                                doctor_id, FLOOR_TIMEOUT_MS));
  g_assert_nonnull (relay_test_peer_wait_event (presenter, "feed-closed", "participant_id",
                                                doctor_id, FLOOR_TIMEOUT_MS));
  g_assert_nonnull (relay_test_peer_wait_event (bystander, "feed-closed", "participant_id",
                                                doctor_id, FLOOR_TIMEOUT_MS));
  g_usleep (G_USEC_PER_SEC);

  relay_test_peer_terminate (hand);
  relay_test_peer_terminate (bystander);
  relay_test_peer_terminate (presenter);
  g_assert_cmpint (relay_test_peer_wait_exit (hand, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (bystander, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (presenter, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  /* The granted viewer's tone reached the presenter, without video: the
   * grant was for audio only. */
  feed = relay_test_peer_feed (presenter, session->booking.doctor_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "audio_buffers"), >, 50);
  g_assert_cmpfloat (json_object_get_double_member (feed, "audio_rms_db_max"), >, AUDIO_AUDIBLE_DB);
  g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), ==, 0);
  feed = relay_test_peer_feed (bystander, session->booking.doctor_id);
  g_assert_nonnull (feed);
  g_assert_cmpfloat (json_object_get_double_member (feed, "audio_rms_db_max"), >, AUDIO_AUDIBLE_DB);
  /* The viewers kept the presenter's feed throughout. */
  feed = relay_test_peer_feed (hand, session->booking.expert_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), >, 0);
  g_assert_true (net_test_relay_log_contains (net->relay, "floor granted by participant"));
}

/* Returns the header extension ids that PEER received in FROM_ID's feed. */
static GArray *
feed_extension_ids (RelayTestPeer *peer, gint64 from_id)
{
  JsonObject *feed = relay_test_peer_feed (peer, from_id);
  JsonArray *ids = NULL;
  GArray *result = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_nonnull (feed);
  ids = json_object_get_array_member (feed, "extension_ids");
  g_assert_nonnull (ids);
  for (guint i = 0; i < json_array_get_length (ids); i++) {
    gint64 id = json_array_get_int_element (ids, i);

    g_array_append_val (result, id);
  }
  g_test_message ("%s received %u extension id(s) from %" G_GINT64_FORMAT, peer->label,
                  result->len, from_id);
  return result;
}

/* Asserts that the extension ids of PEER's feed from FROM_ID are exactly
 * EXPECTED (one id). */
static void
assert_extension_ids (RelayTestPeer *peer, gint64 from_id, gint64 expected)
{
  g_autoptr (GArray) ids = feed_extension_ids (peer, from_id);

  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, expected);
}

/* A receiver that numbers the payload types and header extensions
 * differently from the publisher still decodes: the relay rewrites each
 * packet for it. The publishers send audio level (id 1) and transport-cc
 * (id 3); a receiver gets the audio level under the id of its own answer
 * if it accepted it, and never the per-hop transport-cc. */
static void
test_payload_offset (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  gint64 session_id = session->booking.session_id;
  g_autofree char *viewer_token = sign_token (net, session_id, session->booking.coordinator_id,
                                              HZ_TOKEN_ROLE_VIEW, "张协调员");
  const char *publisher_args[] = { "--nack", "--header-extensions", NULL };
  const char *accepting_args[] = { "--nack", "--header-extensions", "--accept-extensions", NULL };
  const char *viewer_args[] = { "--no-publish", "--nack", "--accept-extensions",
                                "--payload-offset=7", "--duration=6", NULL };
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (RelayTestPeer) viewer = NULL;
  gint64 publishers[2] = { session->booking.doctor_id, session->booking.expert_id };

  doctor = relay_test_peer_start (tools, session->daemons, session_id, session->doctor_token,
                                  "doctor", accepting_args);
  expert = relay_test_peer_start (tools, session->daemons, session_id, session->expert_token,
                                  "expert", publisher_args);
  wait_publish_connected (doctor);
  wait_publish_connected (expert);
  viewer = relay_test_peer_start (tools, session->daemons, session_id, viewer_token, "viewer",
                                  viewer_args);
  g_assert_cmpint (relay_test_peer_wait_exit (viewer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  for (guint i = 0; i < G_N_ELEMENTS (publishers); i++) {
    JsonObject *feed = relay_test_peer_feed (viewer, publishers[i]);

    g_test_message ("checking the viewer's feed from %" G_GINT64_FORMAT, publishers[i]);
    g_assert_nonnull (feed);
    g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), >, 60);
    g_assert_cmpint (json_object_get_int_member (feed, "audio_buffers"), >, 100);
    g_assert_cmpfloat (json_object_get_double_member (feed, "audio_rms_db_max"), >, AUDIO_AUDIBLE_DB);
  }
  g_assert_true (net_test_relay_log_contains (net->relay, "goes out as payload type"));

  relay_test_peer_terminate (doctor);
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  /* --payload-offset=7 moved the viewer's audio level id from 1 to 8; the
   * doctor accepted it as offered; the expert, like webrtcbin, accepted no
   * extension and gets none. transport-cc (3) reaches nobody. */
  assert_extension_ids (viewer, session->booking.doctor_id, 8);
  assert_extension_ids (viewer, session->booking.expert_id, 8);
  assert_extension_ids (doctor, session->booking.expert_id, 1);
  {
    g_autoptr (GArray) ids = feed_extension_ids (expert, session->booking.doctor_id);

    g_assert_cmpuint (ids->len, ==, 0);
  }
}

/* Two receivers answer with unusable SDP: each is dropped with an error
 * for its connection, and the two participants of the call decode each
 * other throughout. */
static void
test_bad_answer_isolated (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  gint64 session_id = session->booking.session_id;
  g_autofree char *expert_pc = g_strdup_printf ("sub:%" G_GINT64_FORMAT, session->booking.expert_id);
  g_autofree char *first_token = sign_token (net, session_id, session->booking.coordinator_id,
                                             HZ_TOKEN_ROLE_VIEW, "张协调员");
  /* A second viewer whose id the booking does not have; the relay takes
   * any id that a valid token names. */
  g_autofree char *second_token = sign_token (net, session_id,
                                              session->booking.coordinator_id + 1000,
                                              HZ_TOKEN_ROLE_VIEW, "赵医生");
  const char *fingerprint_args[] = { "--no-publish", "--answer-garbage=fingerprint", NULL };
  const char *text_args[] = { "--no-publish", "--answer-garbage=text", NULL };
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (RelayTestPeer) no_fingerprint = NULL;
  g_autoptr (RelayTestPeer) not_sdp = NULL;
  JsonObject *error = NULL;

  doctor = relay_test_peer_start (tools, session->daemons, session_id, session->doctor_token,
                                  "doctor", NULL);
  expert = relay_test_peer_start (tools, session->daemons, session_id, session->expert_token,
                                  "expert", NULL);
  wait_first_frame (doctor, session->booking.expert_id, "video");
  wait_first_frame (expert, session->booking.doctor_id, "video");

  no_fingerprint = relay_test_peer_start (tools, session->daemons, session_id, first_token,
                                          "no-fingerprint", fingerprint_args);
  not_sdp = relay_test_peer_start (tools, session->daemons, session_id, second_token, "not-sdp",
                                   text_args);
  g_assert_cmpint (relay_test_peer_wait_exit (no_fingerprint, EXIT_TIMEOUT_MS), ==,
                   PEER_EXIT_RELAY_ERROR);
  g_assert_cmpint (relay_test_peer_wait_exit (not_sdp, EXIT_TIMEOUT_MS), ==, PEER_EXIT_RELAY_ERROR);

  /* The relay reads the answer's transport itself: an answer without a
   * DTLS fingerprint cannot be applied, like text that is not SDP. */
  error = last_error (no_fingerprint);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "bad_sdp");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "fingerprint"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (error, "pc"), "sub:"));
  error = last_error (not_sdp);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "bad_sdp");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (error, "pc"), "sub:"));
  g_assert_true (net_test_relay_log_contains (net->relay, "dropping this connection alone"));

  /* The call goes on for a few more seconds after the drops. */
  g_usleep (4 * G_USEC_PER_SEC);
  relay_test_peer_terminate (doctor);
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  relay_test_peer_assert_video_never_stalled (doctor, session->booking.expert_id);
  relay_test_peer_assert_video_never_stalled (expert, session->booking.doctor_id);
  g_assert_false (has_event (doctor, "error", NULL, NULL));
  g_assert_false (has_event (expert, "error", "pc", expert_pc));
}

/* An H.264 constrained baseline publisher is forwarded, decoded and
 * recorded (Matroska). A receiver without H.264 gets the error
 * codec_unsupported for the video and still gets the audio. */
static void
test_h264 (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  gint64 session_id = session->booking.session_id;
  g_autofree char *expert_pc = g_strdup_printf ("sub:%" G_GINT64_FORMAT, session->booking.expert_id);
  g_autofree char *viewer_token = sign_token (net, session_id, session->booking.coordinator_id,
                                              HZ_TOKEN_ROLE_VIEW, "张协调员");
  const char *publisher_args[] = { "--h264", "--duration=10", NULL };
  const char *receiver_args[] = { "--no-publish", "--duration=6", NULL };
  const char *no_h264_args[] = { "--no-publish", "--no-h264", "--survive-feed-errors",
                                 "--duration=6", NULL };
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (RelayTestPeer) receiver = NULL;
  g_autoptr (RelayTestPeer) no_h264 = NULL;
  g_autofree char *recording = NULL;
  g_autoptr (JsonObject) media = NULL;
  JsonObject *feed = NULL;
  JsonObject *error = NULL;

  expert = relay_test_peer_start (tools, session->daemons, session_id, session->expert_token,
                                  "expert", publisher_args);
  wait_publish_connected (expert);
  receiver = relay_test_peer_start (tools, session->daemons, session_id, session->doctor_token,
                                    "receiver", receiver_args);
  no_h264 = relay_test_peer_start (tools, session->daemons, session_id, viewer_token, "no-h264",
                                   no_h264_args);

  g_assert_cmpint (relay_test_peer_wait_exit (no_h264, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  error = last_error (no_h264);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "codec_unsupported");
  g_assert_cmpstr (json_object_get_string_member (error, "pc"), ==, expert_pc);
  g_assert_cmpstr (json_object_get_string_member (error, "track"), ==, "video");
  g_assert_cmpstr (json_object_get_string_member (error, "codec"), ==, "H264");
  feed = relay_test_peer_feed (no_h264, session->booking.expert_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (feed, "audio_buffers"), >, 100);

  g_assert_cmpint (relay_test_peer_wait_exit (receiver, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  feed = relay_test_peer_feed (receiver, session->booking.expert_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), >, 60);
  g_assert_cmpint (json_object_get_int_member (feed, "audio_buffers"), >, 100);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  /* The relay records H.264 to Matroska, since WebM does not allow it. */
  recording = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "-video.mkv",
                               session->daemons->recordings_dir, session_id,
                               session->booking.expert_id);
  for (guint waited = 0; waited < 50; waited++) {
    if (net_test_relay_log_contains (net->relay, "-video.mkv finished"))
      break;
    g_usleep (100 * 1000);
  }
  media = relay_test_media_check (tools, recording);
  g_assert_nonnull (media);
  g_assert_cmpint (json_object_get_int_member (media, "video_frames"), >, 60);
}

/* The relay's capacity: one participant over [relay] max-room-participants
 * or max-participants gets room_full, and the others stay. */
static void
test_room_full (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start ("max-room-participants = 2\n"
                                                           "max-participants = 3\n");
  RelayTestSession *session = &net->session;
  gint64 session_id = session->booking.session_id;
  g_autoptr (GError) error = NULL;
  HzTestBooking other = { 0 };
  g_autofree char *third_token = sign_token (net, session_id, session->booking.coordinator_id,
                                             HZ_TOKEN_ROLE_VIEW, "张协调员");
  g_autofree char *other_room_token = NULL;
  g_autofree char *over_relay_token = NULL;
  const char *args[] = { "--no-publish", NULL };
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (RelayTestPeer) third = NULL;
  g_autoptr (RelayTestPeer) other_room = NULL;
  g_autoptr (RelayTestPeer) over_relay = NULL;
  JsonObject *closed = NULL;

  doctor = relay_test_peer_start (tools, session->daemons, session_id, session->doctor_token,
                                  "doctor", args);
  expert = relay_test_peer_start (tools, session->daemons, session_id, session->expert_token,
                                  "expert", args);
  g_assert_nonnull (relay_test_peer_wait_event (doctor, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  g_assert_nonnull (relay_test_peer_wait_event (expert, "joined", NULL, NULL, JOIN_TIMEOUT_MS));

  /* The room has its two. */
  third = relay_test_peer_start (tools, session->daemons, session_id, third_token, "third", args);
  g_assert_cmpint (relay_test_peer_wait_exit (third, EXIT_TIMEOUT_MS), ==, PEER_EXIT_RELAY_ERROR);
  g_assert_cmpstr (json_object_get_string_member (last_error (third), "code"), ==, "room_full");
  closed = relay_test_peer_wait_event (third, "closed", NULL, NULL, 0);
  g_assert_nonnull (closed);
  g_assert_cmpint (json_object_get_int_member (closed, "code"), ==, 4003);
  g_assert_null (relay_test_peer_wait_event (third, "joined", NULL, NULL, 0));

  /* Another consultation's room, booked for now with participants of its
   * own, takes one more, which fills the relay. */
  hz_test_book_consultation (session->daemons, -60, 3600, &other, &error);
  g_assert_no_error (error);
  other_room_token = sign_token (net, other.session_id, other.doctor_id, HZ_TOKEN_ROLE_PUBLISH,
                                 "刘医生");
  over_relay_token = sign_token (net, other.session_id, other.expert_id, HZ_TOKEN_ROLE_PUBLISH,
                                 "陈专家");
  other_room = relay_test_peer_start (tools, session->daemons, other.session_id, other_room_token,
                                      "other-room", args);
  g_assert_nonnull (relay_test_peer_wait_event (other_room, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  over_relay = relay_test_peer_start (tools, session->daemons, other.session_id, over_relay_token,
                                      "over-relay", args);
  g_assert_cmpint (relay_test_peer_wait_exit (over_relay, EXIT_TIMEOUT_MS), ==, PEER_EXIT_RELAY_ERROR);
  g_assert_cmpstr (json_object_get_string_member (last_error (over_relay), "code"), ==, "room_full");
  g_assert_true (net_test_relay_log_contains (net->relay, "max-participants reached"));
  g_assert_true (net_test_relay_log_contains (net->relay, "max-room-participants reached"));

  /* Nobody else was disturbed. */
  g_assert_null (relay_test_peer_wait_event (doctor, "participant-left", NULL, NULL, 1000));
  relay_test_peer_terminate (doctor);
  relay_test_peer_terminate (expert);
  relay_test_peer_terminate (other_room);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (other_room, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  hz_test_booking_clear (&other);
}

static double
fetch_metric (NetTestSession *net, const char *series)
{
  guint status = 0;
  g_autofree char *text = net_test_http_get (net->relay, "/metrics", &status);
  g_autoptr (GHashTable) metrics = NULL;

  g_assert_cmpuint (status, ==, 200);
  metrics = net_test_parse_metrics (text);
  return net_test_metric (metrics, series);
}

/* Viewers joining a round at once each ask for keyframes (on connecting,
 * by PLI while their decoder waits, and here 20 "keyframe" messages each),
 * but the presenter gets at most one request per 500 ms. */
static void
test_keyframe_requests_limited (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  gint64 session_id = session->booking.session_id;
  const char *viewer_args[] = { "--no-publish", "--duration=10", "--keyframe-requests=20", NULL };
  g_autoptr (RelayTestPeer) presenter = NULL;
  g_autoptr (GPtrArray) viewers = g_ptr_array_new_with_free_func ((GDestroyNotify) relay_test_peer_free);
  double received_before, sent_before, received, sent, elapsed_s;
  gint64 start_us;

  presenter = relay_test_peer_start (tools, session->daemons, session_id, session->expert_token,
                                     "presenter", NULL);
  wait_publish_connected (presenter);
  g_usleep (2 * G_USEC_PER_SEC);
  received_before = fetch_metric (net, "huizhen_relay_keyframe_requests_received_total");
  sent_before = fetch_metric (net, "huizhen_relay_keyframe_requests_sent_total");

  start_us = g_get_monotonic_time ();
  for (guint i = 0; i < 6; i++) {
    g_autofree char *label = g_strdup_printf ("viewer-%u", i);
    g_autofree char *token = sign_token (net, session_id, session->booking.coordinator_id + 1000 + i,
                                         HZ_TOKEN_ROLE_VIEW, "观摩者");

    g_ptr_array_add (viewers, relay_test_peer_start (tools, session->daemons, session_id, token,
                                                     label, viewer_args));
  }
  for (guint i = 0; i < viewers->len; i++) {
    RelayTestPeer *viewer = g_ptr_array_index (viewers, i);

    g_assert_cmpint (relay_test_peer_wait_exit (viewer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
    g_assert_cmpint (json_object_get_int_member (relay_test_peer_feed (viewer, session->booking.expert_id),
                                                 "video_frames"), >, 0);
  }
  received = fetch_metric (net, "huizhen_relay_keyframe_requests_received_total") - received_before;
  sent = fetch_metric (net, "huizhen_relay_keyframe_requests_sent_total") - sent_before;
  elapsed_s = (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
  g_test_message ("%.0f keyframe requests from the viewers, %.0f sent to the presenter in %.1f s",
                  received, sent, elapsed_s);
  g_assert_cmpfloat (received, >=, 20 * viewers->len);
  g_assert_cmpfloat (sent, >=, 1);
  g_assert_cmpfloat (sent, <=, elapsed_s / 0.5 + 1);

  relay_test_peer_terminate (presenter);
  g_assert_cmpint (relay_test_peer_wait_exit (presenter, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
}

/* Random loss ---------------------------------------------------------------- */

/* Drops PERCENT of the UDP packets entering and leaving NS, with iptables'
 * statistic match inside the namespace, so no other traffic of the host is
 * touched. Skips the test without iptables. */
static gboolean
set_udp_loss (NetTestNamespace *ns, const char *probability)
{
  const char *chains[] = { "INPUT", "OUTPUT" };

  if (!net_test_have_program ("iptables")) {
    g_test_skip ("needs iptables (Debian package iptables) for random packet loss");
    return FALSE;
  }
  for (guint i = 0; i < G_N_ELEMENTS (chains); i++) {
    const char *argv[] = { "ip", "netns", "exec", ns->name, "iptables", "-A", chains[i],
                           "-p", "udp", "-m", "statistic", "--mode", "random",
                           "--probability", probability, "-j", "DROP", NULL };
    g_autofree char *errors = NULL;
    g_autoptr (GError) error = NULL;
    int status = 0;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                  NULL, NULL, NULL, &errors, &status, &error);
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, NULL)) {
      g_test_skip_printf ("iptables cannot drop packets in %s: %s", ns->name, errors);
      return FALSE;
    }
  }
  g_test_message ("%s: dropping UDP packets with probability %s both ways", ns->name,
                  probability);
  return TRUE;
}

/* One receiver's path loses 3% of its packets each way. With NACK and RTX
 * through the relay, it still decodes more than 80% of the frames sent.
 * The publisher sets vp8enc's target to 1 Mbit/s, but videotestsrc's
 * moving ball needs far less: about one packet per frame, so 350 to 450
 * video packets reach a receiver in the 15 s. Without NACK, receivers in
 * this test decoded 71%, 76% and 88% of the frames in three runs, because
 * vp8dec also outputs damaged frames, and lost 2.7% of the video
 * packets. So the test also requires that under 1% of the packets stay
 * lost after repair, and that the relay received NACKs and sent
 * retransmissions. Both receivers run hz-test-peer with --nack, which
 * requests video retransmissions only and sends its NACKs within about
 * 100 ms (peer-subscribe.c).
 *
 * Decoding 30 frames per second needs spare CPU: on the shared 2-core
 * machine, receivers decoded 78% to 81% of the frames sent at a load
 * average of 17 to 40, with no packet lost after repair. So a second
 * receiver without loss runs side by side, and the lossy one must decode
 * 80% of what that one decoded. On a quiet machine that is the rate sent,
 * on a loaded one it is what the machine could decode. */
/* A viewer that answers a=setup:passive makes the relay the DTLS client
 * of its connection (RFC 5763); it decodes like the others. */
static void
test_dtls_passive (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  g_autofree char *token = sign_token (net, session->booking.session_id,
                                       session->booking.coordinator_id, HZ_TOKEN_ROLE_VIEW,
                                       "王医生");
  const char *viewer_args[] = { "--no-publish", "--dtls-passive", "--duration=6", NULL };
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (RelayTestPeer) viewer = NULL;
  JsonObject *feed = NULL;

  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", NULL);
  wait_publish_connected (expert);
  viewer = relay_test_peer_start (tools, session->daemons, session->booking.session_id, token,
                                  "viewer", viewer_args);
  g_assert_cmpint (relay_test_peer_wait_exit (viewer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_true (has_event (viewer, "first-frame", NULL, NULL));
  feed = relay_test_peer_feed (viewer, session->booking.expert_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), >, 60);
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
}

/* Four viewers join a presenter's feed. With the default send threads,
 * their connections are streams of the relay's shared agents and add no
 * thread; with send-threads = 0 each gets a webrtcbin of its own (about
 * six threads). The viewers decode either way. */
#define N_VIEWERS 4

static guint
viewer_threads (gconstpointer data, const char *extra_keys)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (extra_keys);
  RelayTestSession *session = &net->session;
  GPid pid = net_test_relay_pid (net->relay);
  const char *viewer_args[] = { "--no-publish", NULL };
  RelayTestPeer *viewers[N_VIEWERS] = { NULL };
  g_autoptr (RelayTestPeer) expert = NULL;
  guint before, after;

  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", NULL);
  wait_publish_connected (expert);
  /* Let the ingest's threads start: its tracks, recorders and RTCP. */
  g_usleep (2 * G_USEC_PER_SEC);
  before = net_test_count_threads (pid);
  for (guint i = 0; i < N_VIEWERS; i++) {
    g_autofree char *label = g_strdup_printf ("viewer%u", i);
    g_autofree char *token = sign_token (net, session->booking.session_id,
                                         session->booking.coordinator_id + 1000 + i,
                                         HZ_TOKEN_ROLE_VIEW, "观摩医生");

    viewers[i] = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                        token, label, viewer_args);
  }
  for (guint i = 0; i < N_VIEWERS; i++)
    wait_first_frame (viewers[i], session->booking.expert_id, "video");
  after = net_test_count_threads (pid);
  g_test_message ("relay threads: %u with the presenter alone, %u with %u viewers", before,
                  after, N_VIEWERS);

  for (guint i = 0; i < N_VIEWERS; i++) {
    relay_test_peer_terminate (viewers[i]);
    g_assert_cmpint (relay_test_peer_wait_exit (viewers[i], EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
    relay_test_peer_free (viewers[i]);
  }
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  return after > before ? after - before : 0;
}

static void
test_viewer_threads (gconstpointer data)
{
  /* GLib's thread pools may keep an idle thread or two. */
  g_assert_cmpuint (viewer_threads (data, NULL), <=, 2);
}

static void
test_viewer_threads_webrtcbin (gconstpointer data)
{
  g_assert_cmpuint (viewer_threads (data, "send-threads = 0\n"), >=, 4 * N_VIEWERS);
}

static void
test_loss_repaired (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestNamespace) ns = net_test_namespace_new ();
  g_autoptr (NetTestSession) net = NULL;
  g_autofree char *local_address = NULL;
  g_autofree char *viewer_token = NULL;
  RelayTestTools *ns_tools = NULL;
  RelayTestSession *session = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (RelayTestPeer) viewer = NULL;
  g_autoptr (RelayTestPeer) control = NULL;
  g_autofree char *control_token = NULL;
  g_autoptr (GHashTable) metrics = NULL;
  g_autofree char *metrics_text = NULL;
  const char *publisher_args[] = { "--video-bitrate=1000", NULL };
  JsonObject *feed = NULL;
  double decoded, control_decoded, sent;
  gint64 received, lost;
  guint status = 0;

  if (ns == NULL || !set_udp_loss (ns, "0.03"))
    return;
  net = net_test_session_start_for_namespace (ns);
  session = &net->session;
  viewer_token = sign_token (net, session->booking.session_id, session->booking.doctor_id,
                             HZ_TOKEN_ROLE_VIEW, "李医生");
  control_token = sign_token (net, session->booking.session_id, session->booking.coordinator_id,
                              HZ_TOKEN_ROLE_VIEW, "王医生");
  local_address = g_strdup_printf ("--local-address=%s", ns->ns_address);
  ns_tools = net_test_tools_in_namespace (tools, ns, session->daemons->dir);

  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", publisher_args);
  wait_publish_connected (expert);
  {
    const char *args[] = { local_address, "--no-publish", "--nack", "--duration=15", NULL };

    const char *control_args[] = { "--no-publish", "--nack", "--duration=15", NULL };

    viewer = relay_test_peer_start (ns_tools, session->daemons, session->booking.session_id,
                                    viewer_token, "viewer", args);
    control = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                     control_token, "control", control_args);
  }
  net_test_tools_free (ns_tools);
  g_assert_cmpint (relay_test_peer_wait_exit (viewer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (control, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  feed = relay_test_peer_feed (viewer, session->booking.expert_id);
  g_assert_nonnull (feed);
  decoded = decoded_frame_rate (feed);
  sent = sent_frame_rate (expert);
  feed = relay_test_peer_feed (control, session->booking.expert_id);
  g_assert_nonnull (feed);
  control_decoded = decoded_frame_rate (feed);
  g_test_message ("with loss: decoded %.1f frames per second of %.1f sent (%.0f%%); "
                  "without loss: %.1f (%.0f%%)", decoded, sent, 100 * decoded / sent,
                  control_decoded, 100 * control_decoded / sent);
  g_assert_cmpfloat (decoded, >, 0.8 * MIN (sent, control_decoded));
  feed = relay_test_peer_feed (viewer, session->booking.expert_id);
  g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), >, 150);
  received = json_object_get_int_member (feed, "video_packets_received");
  lost = json_object_get_int_member (feed, "video_packets_lost");
  g_test_message ("%" G_GINT64_FORMAT " video packets received, %" G_GINT64_FORMAT
                  " lost after repair", received, lost);
  g_assert_cmpint (received, >, 300);
  g_assert_cmpfloat ((double) lost / (received + lost), <, 0.01);

  /* The repair went through the relay: the receiver's NACKs reached it and
   * it sent retransmissions. */
  metrics_text = net_test_http_get (net->relay, "/metrics", &status);
  g_assert_cmpuint (status, ==, 200);
  metrics = net_test_parse_metrics (metrics_text);
  g_test_message ("the relay received %.0f NACKs and sent %.0f retransmissions",
                  net_test_metric (metrics, "huizhen_relay_nacks_received_total"),
                  net_test_metric (metrics, "huizhen_relay_rtx_packets_sent_total"));
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_nacks_received_total"), >, 0);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_rtx_packets_sent_total"), >, 0);
}

/* Main ------------------------------------------------------------------------ */

/* A viewer whose UDP is cut while its WebSocket stays open stops
 * answering the relay's consent checks (RFC 7675). Its connection fails
 * alone, about 10 s later with libnice 0.1.21: it gets connection_failed,
 * and the relay stops sending to it. */
static void
test_consent_lost (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestNamespace) ns = net_test_namespace_new ();
  g_autoptr (NetTestSession) net = NULL;
  g_autofree char *local_address = NULL;
  g_autofree char *viewer_token = NULL;
  g_autofree char *expert_pc = NULL;
  RelayTestTools *ns_tools = NULL;
  RelayTestSession *session = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (RelayTestPeer) viewer = NULL;
  JsonObject *error = NULL;
  gint64 cut_at;

  if (ns == NULL)
    return;
  net = net_test_session_start_for_namespace (ns);
  session = &net->session;
  viewer_token = sign_token (net, session->booking.session_id, session->booking.doctor_id,
                             HZ_TOKEN_ROLE_VIEW, "李医生");
  local_address = g_strdup_printf ("--local-address=%s", ns->ns_address);
  ns_tools = net_test_tools_in_namespace (tools, ns, session->daemons->dir);
  expert_pc = g_strdup_printf ("sub:%" G_GINT64_FORMAT, session->booking.expert_id);

  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", NULL);
  wait_publish_connected (expert);
  {
    const char *args[] = { local_address, "--no-publish", NULL };

    viewer = relay_test_peer_start (ns_tools, session->daemons, session->booking.session_id,
                                    viewer_token, "viewer", args);
  }
  net_test_tools_free (ns_tools);
  wait_first_frame (viewer, session->booking.expert_id, "video");

  /* The WebSocket is TCP: only the media path goes. */
  if (!set_udp_loss (ns, "1"))
    return;
  cut_at = g_get_monotonic_time ();
  error = relay_test_peer_wait_event (viewer, "error", "pc", expert_pc, 60000);
  g_assert_nonnull (error);
  g_test_message ("the connection failed %.1f s after its UDP was cut",
                  (double) (g_get_monotonic_time () - cut_at) / G_USEC_PER_SEC);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "connection_failed");
  g_assert_true (net_test_relay_log_contains (net->relay, "dropping this connection alone"));

  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
}

int
main (int argc, char **argv)
{
  RelayTestTools tools = { 0 };
  int status = 0;

  g_test_init (&argc, &argv, NULL);
  tools.peer = relay_test_tool_path (argc, argv, "hz-test-peer", "hz-test-peer");
  tools.media_check = relay_test_tool_path (argc, argv, "hz-media-check", "hz-media-check");
  if (tools.peer == NULL || tools.media_check == NULL) {
    g_printerr ("pass --hz-test-peer=PATH and --hz-media-check=PATH or set HUIZHEN_BUILD_ROOT\n");
    return 1;
  }

  g_test_add_data_func ("/relay-teaching/late-viewer", &tools, test_late_viewer);
  g_test_add_data_func ("/relay-teaching/floor", &tools, test_floor);
  g_test_add_data_func ("/relay-teaching/payload-offset", &tools, test_payload_offset);
  g_test_add_data_func ("/relay-teaching/bad-answer-isolated", &tools, test_bad_answer_isolated);
  g_test_add_data_func ("/relay-teaching/h264", &tools, test_h264);
  g_test_add_data_func ("/relay-teaching/room-full", &tools, test_room_full);
  g_test_add_data_func ("/relay-teaching/loss-repaired", &tools, test_loss_repaired);
  g_test_add_data_func ("/relay-teaching/dtls-passive", &tools, test_dtls_passive);
  g_test_add_data_func ("/relay-teaching/consent-lost", &tools, test_consent_lost);
  g_test_add_data_func ("/relay-teaching/viewer-threads", &tools, test_viewer_threads);
  g_test_add_data_func ("/relay-teaching/viewer-threads-webrtcbin", &tools,
                        test_viewer_threads_webrtcbin);
  g_test_add_data_func ("/relay-teaching/keyframe-requests-limited", &tools,
                        test_keyframe_requests_limited);
  status = g_test_run ();

  g_free (tools.peer);
  g_free (tools.media_check);
  return status;
}
