/* Integration tests of huizhen-relay with real WebRTC participants.
 *
 * Each case starts the scheduler and the relay on loopback in a temporary
 * directory, books a consultation through the scheduler's HTTP API and runs
 * hz-test-peer processes against the relay. Peers are killed when a case
 * ends; if an assertion aborts the test, PR_SET_PDEATHSIG (set by
 * hz_test_spawn) kills them and the daemons.
 *
 * Command line, besides GLib's test options:
 *   --hz-test-peer=PATH --hz-media-check=PATH
 * Without them the tools are looked up under $HUIZHEN_BUILD_ROOT/tests/tools.
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-peer.h"
#include "hz-token.h"

#include <signal.h>
#include <string.h>

/* The published video runs at 30 fps and Opus sends one 20 ms packet per
 * buffer (opusenc's default frame size). */
#define VIDEO_FPS 30.0
#define AUDIO_BUFFERS_PER_SECOND 50.0

/* A decoded 440 Hz tone from audiotestsrc's default volume is about -5 dBFS;
 * silence and comfort noise stay far below this. */
#define AUDIO_AUDIBLE_DB (-30.0)

#define JOIN_TIMEOUT_MS 20000
#define CONNECT_TIMEOUT_MS 20000
#define EXIT_TIMEOUT_MS 30000
#define RECORDINGS_TIMEOUT_MS 10000

/* [relay] reconnect-grace as the test daemons run the relay: the default. */
#define RECONNECT_GRACE_MS 20000

/* Exit statuses of hz-test-peer (tests/tools/peer.h). */
#define PEER_EXIT_OK 0
#define PEER_EXIT_RELAY_ERROR 2
#define PEER_EXIT_DISCONNECTED 3

/* Checks -------------------------------------------------------------------- */

static void
assert_feed_decoded (RelayTestPeer *peer, gint64 from_id)
{
  JsonObject *feed = relay_test_peer_feed (peer, from_id);

  g_test_message ("checking %s's feed from participant %" G_GINT64_FORMAT, peer->label, from_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), >, 0);
  g_assert_cmpint (json_object_get_int_member (feed, "audio_buffers"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (feed, "audio_rms_db_max"), >, AUDIO_AUDIBLE_DB);
}

/* Checks that the relay sent PEER a `recording` message for both tracks. */
static void
assert_recording_announced (RelayTestPeer *peer)
{
  JsonObject *recording = relay_test_peer_wait_event (peer, "recording", NULL, NULL, 0);
  JsonArray *kinds = NULL;
  gboolean audio = FALSE;
  gboolean video = FALSE;

  g_test_message ("checking the recording message to %s", peer->label);
  g_assert_nonnull (recording);
  g_assert_cmpstr (json_object_get_string_member (recording, "pc"), ==, "publish");
  kinds = json_object_get_array_member (recording, "kinds");
  for (guint i = 0; i < json_array_get_length (kinds); i++) {
    const char *kind = json_array_get_string_element (kinds, i);

    audio |= g_strcmp0 (kind, "audio") == 0;
    video |= g_strcmp0 (kind, "video") == 0;
  }
  g_assert_true (audio);
  g_assert_true (video);
}

static void
assert_participant_left (RelayTestPeer *peer, gint64 participant_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, participant_id);

  g_test_message ("checking that %s saw participant %s leave", peer->label, id);
  g_assert_nonnull (relay_test_peer_wait_event (peer, "participant-left", "participant_id", id, 0));
}

static void
assert_sockets_on_loopback (RelayTestPeer *peer)
{
  JsonObject *sockets = relay_test_peer_wait_event (peer, "sockets", NULL, NULL, 0);

  g_test_message ("checking %s's sockets", peer->label);
  g_assert_nonnull (sockets);
  g_assert_cmpint (json_object_get_int_member (sockets, "non_loopback"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (sockets, "total"), >, 0);
}

/* Returns summary.publish.seconds: the stream time of the video that the
 * peer sent after its publish connection reached "connected", measured by
 * the peer from the timestamps of the frames it sent. */
static double
published_seconds (RelayTestPeer *peer)
{
  JsonObject *summary = relay_test_peer_summary (peer);
  JsonObject *publish = NULL;

  g_assert_nonnull (summary);
  g_assert_true (json_object_has_member (summary, "publish"));
  publish = json_object_get_object_member (summary, "publish");
  g_assert_cmpint (json_object_get_int_member (publish, "connected_ms"), >=, 0);
  return json_object_get_double_member (publish, "seconds");
}

/* Returns the wall-clock time in µs at which PEER's publish connection
 * reached "connected". */
static gint64
wait_publish_connected (RelayTestPeer *peer)
{
  JsonObject *event = NULL;

  g_assert_nonnull (relay_test_peer_wait_event (peer, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  for (;;) {
    event = relay_test_peer_wait_event (peer, "connection-state", "pc", "publish", CONNECT_TIMEOUT_MS);
    g_assert_nonnull (event);
    if (g_str_equal (json_object_get_string_member (event, "state"), "connected"))
      return json_object_get_int_member (event, "unix_ms") * 1000;
    g_assert_cmpstr (json_object_get_string_member (event, "state"), !=, "failed");
  }
}

/* Recordings ----------------------------------------------------------------- */

/* Reads an id member that may be a JSON number or a decimal string. */
static gint64
get_id_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  return json_node_get_int (node);
}

/* Fetches GET /sessions/ID/recordings until it lists COUNT recordings, all
 * with STATUS, or RECORDINGS_TIMEOUT_MS pass. Returns the last list. */
static JsonArray *
wait_recordings (RelayTestSession *session, guint count, const char *status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/recordings",
                                           session->booking.session_id);
  gint64 deadline_us = g_get_monotonic_time () + RECORDINGS_TIMEOUT_MS * 1000;
  JsonArray *recordings = NULL;

  for (;;) {
    guint http_status = 0;
    g_autoptr (JsonNode) body = hz_test_http (session->daemons, "GET", path,
                                              session->daemons->admin_key, NULL, "en", &http_status);
    guint matching = 0;

    g_assert_cmpuint (http_status, ==, 200);
    g_assert_nonnull (body);
    g_clear_pointer (&recordings, json_array_unref);
    recordings = json_array_ref (json_object_get_array_member (json_node_get_object (body), "recordings"));
    for (guint i = 0; i < json_array_get_length (recordings); i++) {
      JsonObject *recording = json_array_get_object_element (recordings, i);

      if (g_strcmp0 (json_object_get_string_member (recording, "status"), status) == 0)
        matching++;
    }
    if ((matching == count && json_array_get_length (recordings) == count) ||
        g_get_monotonic_time () > deadline_us)
      return recordings;
    g_usleep (200 * 1000);
  }
}

/* Returns the recording of PARTICIPANT_ID and KIND from RECORDINGS after
 * checking its listed fields and that its file exists. */
static JsonObject *
find_recording (RelayTestSession *session, JsonArray *recordings, gint64 participant_id,
                const char *kind, const char *status)
{
  g_autofree char *expected_path = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "-%s.webm",
                                                    session->booking.session_id, participant_id, kind);
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (recordings); i++) {
    JsonObject *recording = json_array_get_object_element (recordings, i);

    if (get_id_member (recording, "participant_id") == participant_id &&
        g_strcmp0 (json_object_get_string_member (recording, "kind"), kind) == 0) {
      g_assert_null (found);
      found = recording;
    }
  }

  g_test_message ("checking the %s recording of participant %" G_GINT64_FORMAT, kind, participant_id);
  g_assert_nonnull (found);
  g_assert_cmpint (get_id_member (found, "session_id"), ==, session->booking.session_id);
  g_assert_cmpstr (json_object_get_string_member (found, "path"), ==, expected_path);
  g_assert_cmpstr (json_object_get_string_member (found, "status"), ==, status);
  g_assert_nonnull (json_object_get_string_member (found, "started_at"));

  {
    g_autofree char *file = g_build_filename (session->daemons->recordings_dir, expected_path, NULL);
    g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));
  }
  return found;
}

static JsonObject *
check_recording_file (const RelayTestTools *tools, RelayTestSession *session, JsonObject *recording)
{
  g_autofree char *file = g_build_filename (session->daemons->recordings_dir,
                                            json_object_get_string_member (recording, "path"), NULL);
  JsonObject *media = relay_test_media_check (tools, file);

  g_assert_nonnull (media);
  return media;
}

static void
assert_within_percent (double value, double expected, double percent)
{
  g_test_message ("value %.1f, expected %.1f ± %.0f%%", value, expected, percent);
  g_assert_cmpfloat (value, >=, expected * (1 - percent / 100));
  g_assert_cmpfloat (value, <=, expected * (1 + percent / 100));
}

/* Cases ----------------------------------------------------------------------- */

static void
test_two_participants (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  const char *args[] = { "--duration=8", NULL };
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->doctor_token, "doctor", args);
  g_autoptr (RelayTestPeer) expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->expert_token, "expert", args);

  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  assert_feed_decoded (doctor, session->booking.expert_id);
  assert_feed_decoded (expert, session->booking.doctor_id);
  assert_recording_announced (doctor);
  assert_recording_announced (expert);
}

static void
test_late_joiner (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  HzJoinToken viewer_token = {
    .session_id = session->booking.session_id,
    .user_id = session->booking.coordinator_id,
    .role = HZ_TOKEN_ROLE_VIEW,
    .not_before = now - 60,
    .expires = now + 3600,
    .name = (char *) "张协调员",
  };
  g_autofree char *token = NULL;
  const char *viewer_args[] = { "--no-publish", "--duration=5", NULL };
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->doctor_token, "doctor", NULL);
  g_autoptr (RelayTestPeer) expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->expert_token, "expert", NULL);
  g_autoptr (RelayTestPeer) viewer = NULL;
  JsonObject *feed = NULL;

  g_assert_nonnull (relay_test_peer_wait_event (doctor, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  g_assert_nonnull (relay_test_peer_wait_event (expert, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  g_usleep (3 * G_USEC_PER_SEC);

  /* The scheduler issues tokens only to the doctor and the expert. The
   * third participant only watches, so the test signs a view token for the
   * coordinator with the shared secret, as the scheduler would. */
  token = hz_token_sign (&session->daemons->secret, &viewer_token);
  viewer = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  token, "viewer", viewer_args);
  g_assert_cmpint (relay_test_peer_wait_exit (viewer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  /* The publishers' keyframes are 5 s apart, so video within 2 s needs the
   * relay to ask for a keyframe for the new subscriber. */
  feed = relay_test_peer_feed (viewer, session->booking.doctor_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), <, 2000);
  feed = relay_test_peer_feed (viewer, session->booking.expert_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), <, 2000);

  /* The viewer published nothing, so no participant got a feed from it. */
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (
      relay_test_peer_summary (viewer), "feeds")), ==, 2);
  g_assert_null (relay_test_peer_wait_event (viewer, "recording", NULL, NULL, 0));

  relay_test_peer_terminate (doctor);
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_null (relay_test_peer_feed (doctor, session->booking.coordinator_id));
  g_assert_null (relay_test_peer_feed (expert, session->booking.coordinator_id));
  assert_participant_left (doctor, session->booking.coordinator_id);
  assert_participant_left (expert, session->booking.coordinator_id);
}

static void
check_complete_recordings (const RelayTestTools *tools, RelayTestSession *session,
                           JsonArray *recordings, gint64 participant_id, double seconds)
{
  JsonObject *video = find_recording (session, recordings, participant_id, "video", "complete");
  JsonObject *audio = find_recording (session, recordings, participant_id, "audio", "complete");
  g_autoptr (JsonObject) video_media = check_recording_file (tools, session, video);
  g_autoptr (JsonObject) audio_media = check_recording_file (tools, session, audio);

  g_assert_cmpint (json_object_get_int_member (video, "bytes"), >, 0);
  g_assert_cmpint (json_object_get_int_member (audio, "bytes"), >, 0);
  assert_within_percent (json_object_get_int_member (video_media, "video_frames"),
                         VIDEO_FPS * seconds, 10);
  assert_within_percent (json_object_get_int_member (audio_media, "audio_buffers"),
                         AUDIO_BUFFERS_PER_SECOND * seconds, 10);
  g_assert_cmpfloat (json_object_get_double_member (audio_media, "audio_rms_db_max"), >, AUDIO_AUDIBLE_DB);
}

static void
test_recordings_after_leave (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  const char *args[] = { "--duration=8", NULL };
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->doctor_token, "doctor", args);
  g_autoptr (RelayTestPeer) expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->expert_token, "expert", args);
  g_autoptr (JsonArray) recordings = NULL;

  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  recordings = wait_recordings (session, 4, "complete");
  g_assert_cmpuint (json_array_get_length (recordings), ==, 4);
  check_complete_recordings (tools, session, recordings, session->booking.doctor_id,
                             published_seconds (doctor));
  check_complete_recordings (tools, session, recordings, session->booking.expert_id,
                             published_seconds (expert));
}

/* Checks that a recording cut off by the relay's SIGKILL decodes and runs
 * to within 2 s of the kill.
 *
 * The file's timestamps give how long it runs (last PTS - first PTS), but not
 * when it started by the wall clock. That comes from `started_at`, which
 * the relay reports when the recording starts. So the media recorded up to
 * the kill should span KILL - started_at, and the recorder may lose at most
 * 2 s of it (what sat in muxer and file buffers). started_at may lack
 * fractions of a second; truncated, it makes the expected span longer and
 * the check stricter. As an upper bound that does not depend on the relay's
 * report, the span cannot exceed KILL - CONNECTED, where CONNECTED is when
 * the publisher's connection came up: no media reached the relay before. */
static void
check_killed_recording (const RelayTestTools *tools, RelayTestSession *session,
                        JsonArray *recordings, gint64 participant_id, const char *kind,
                        gint64 connected_us, gint64 kill_us)
{
  JsonObject *recording = find_recording (session, recordings, participant_id, kind, "recording");
  g_autoptr (JsonObject) media = check_recording_file (tools, session, recording);
  g_autoptr (GDateTime) started = g_date_time_new_from_iso8601 (
      json_object_get_string_member (recording, "started_at"), NULL);
  double span_s = json_object_get_double_member (media, "last_pts_s") -
                  json_object_get_double_member (media, "first_pts_s");
  double since_start_s = 0;
  double since_connected_s = (kill_us - connected_us) / (double) G_USEC_PER_SEC;

  g_assert_nonnull (started);
  since_start_s = (kill_us - (g_date_time_to_unix (started) * G_USEC_PER_SEC +
                              g_date_time_get_microsecond (started))) / (double) G_USEC_PER_SEC;
  g_test_message ("%s recording spans %.2f s; kill was %.2f s after started_at, "
                  "%.2f s after connected", kind, span_s, since_start_s, since_connected_s);
  g_assert_cmpfloat (span_s, >=, since_start_s - 2.0);
  /* The file follows the sender's RTP clock (relay/rtp-restamp.h), so it
   * also holds what the sender queued before it connected and then sent
   * in a burst: up to 1.9 s was seen. */
  g_assert_cmpfloat (span_s, <=, since_connected_s + 2.5);
}

static void
test_relay_killed (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->doctor_token, "doctor", NULL);
  g_autoptr (RelayTestPeer) expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->expert_token, "expert", NULL);
  g_autoptr (JsonArray) recordings = NULL;
  gint64 doctor_connected_us = wait_publish_connected (doctor);
  gint64 expert_connected_us = wait_publish_connected (expert);
  gint64 kill_us = 0;

  g_usleep (6 * G_USEC_PER_SEC);
  kill_us = g_get_real_time ();
  hz_test_daemons_signal_relay (session->daemons, SIGKILL);

  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_DISCONNECTED);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_DISCONNECTED);

  /* The killed relay never reported the end of these recordings, so their
   * status stays "recording". */
  recordings = wait_recordings (session, 4, "recording");
  g_assert_cmpuint (json_array_get_length (recordings), ==, 4);
  check_killed_recording (tools, session, recordings, session->booking.doctor_id, "video",
                          doctor_connected_us, kill_us);
  check_killed_recording (tools, session, recordings, session->booking.doctor_id, "audio",
                          doctor_connected_us, kill_us);
  check_killed_recording (tools, session, recordings, session->booking.expert_id, "video",
                          expert_connected_us, kill_us);
  check_killed_recording (tools, session, recordings, session->booking.expert_id, "audio",
                          expert_connected_us, kill_us);
}

/* A participant whose process dies (a dropped network looks the same to
 * the relay) must leave the room without ending the other's call, and its
 * recordings must still decode. */
static void
test_participant_dropped (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->doctor_token, "doctor", NULL);
  g_autoptr (RelayTestPeer) expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->expert_token, "expert", NULL);
  g_autofree char *doctor_id = g_strdup_printf ("%" G_GINT64_FORMAT, session->booking.doctor_id);
  g_autoptr (JsonArray) recordings = NULL;
  JsonObject *stats = NULL;
  gint64 frames_before = 0;

  wait_publish_connected (doctor);
  wait_publish_connected (expert);
  g_assert_nonnull (relay_test_peer_wait_event (expert, "first-frame", "from", doctor_id, CONNECT_TIMEOUT_MS));
  g_usleep (2 * G_USEC_PER_SEC);

  /* The relay keeps a participant whose socket dropped for the reconnect
   * grace (20 s by default), so "participant-left" comes after it. */
  g_subprocess_send_signal (doctor->process, SIGKILL);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, -1);
  g_assert_nonnull (relay_test_peer_wait_event (expert, "participant-left", "participant_id", doctor_id,
                                                RECONNECT_GRACE_MS + 5000));

  /* The expert's own connection goes on: it stays in the room and its
   * publish connection is still recorded after the doctor is gone. */
  g_usleep (2 * G_USEC_PER_SEC);
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  stats = relay_test_peer_feed (expert, session->booking.doctor_id);
  g_assert_nonnull (stats);
  frames_before = json_object_get_int_member (stats, "video_frames");
  g_assert_cmpint (frames_before, >, 0);

  recordings = wait_recordings (session, 4, "complete");
  g_assert_cmpuint (json_array_get_length (recordings), ==, 4);
  check_complete_recordings (tools, session, recordings, session->booking.expert_id,
                             published_seconds (expert));
  for (guint i = 0; i < 2; i++) {
    const char *kind = i == 0 ? "video" : "audio";
    JsonObject *recording = NULL;
    g_autoptr (JsonObject) media = NULL;

    for (guint j = 0; j < json_array_get_length (recordings); j++) {
      JsonObject *candidate = json_array_get_object_element (recordings, j);

      if (get_id_member (candidate, "participant_id") == session->booking.doctor_id &&
          g_strcmp0 (json_object_get_string_member (candidate, "kind"), kind) == 0)
        recording = candidate;
    }
    g_assert_nonnull (recording);
    media = check_recording_file (tools, session, recording);
  }
}

static void
test_peer_sockets_loopback (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  const char *args[] = { "--duration=4", "--check-sockets", NULL };
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->doctor_token, "doctor", args);
  g_autoptr (RelayTestPeer) expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                            session->expert_token, "expert", args);

  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  /* Media must have flowed, or the ICE sockets were never exercised. */
  assert_feed_decoded (doctor, session->booking.expert_id);
  assert_sockets_on_loopback (doctor);
  assert_sockets_on_loopback (expert);
}

/* Token errors ------------------------------------------------------------------ */

static char *
format_rfc3339 (gint64 unix_seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Books a second consultation for the same doctor and expert, two hours
 * from now, and returns the doctor's join token for its session. */
static char *
token_of_another_session (RelayTestSession *session)
{
  HzTestDaemons *daemons = session->daemons;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *start = format_rfc3339 (now + 2 * 3600);
  g_autofree char *end = format_rfc3339 (now + 3 * 3600);
  g_autofree char *schedule_path = NULL;
  g_autofree char *schedule_body = NULL;
  g_autoptr (JsonNode) consultation = NULL;
  g_autoptr (JsonNode) scheduled = NULL;
  g_autoptr (GError) error = NULL;
  gint64 session_id = 0;
  guint status = 0;
  char *token = NULL;

  consultation = hz_test_http (daemons, "POST", "/api/v1/consultations", session->booking.doctor_key,
                               "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"T-0002\", \"age\": 47,"
                               " \"sex\": \"female\", \"summary\": \"心悸\"}, \"question\": \"复查\"}",
                               "en", &status);
  g_assert_cmpuint (status, ==, 201);
  schedule_path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                                   json_object_get_int_member (json_node_get_object (consultation), "id"));
  schedule_body = g_strdup_printf ("{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\", \"end\": \"%s\"}",
                                   session->booking.expert_id, start, end);
  scheduled = hz_test_http (daemons, "POST", schedule_path, session->booking.coordinator_key,
                            schedule_body, "en", &status);
  g_assert_cmpuint (status, ==, 201);
  session_id = json_object_get_int_member (json_node_get_object (scheduled), "session_id");
  g_assert_cmpint (session_id, !=, session->booking.session_id);

  token = hz_test_join_token (daemons, session_id, session->booking.doctor_key, &error);
  g_assert_no_error (error);
  return token;
}

/* Returns TOKEN with one character of its signature changed. The changed
 * character is in the middle, where every base64url bit is significant. */
static char *
tamper_signature (const char *token)
{
  char *tampered = g_strdup (token);
  char *signature = strrchr (tampered, '.');
  char *target = NULL;

  g_assert_nonnull (signature);
  g_assert_cmpuint (strlen (signature), >, 20);
  target = signature + 10;
  *target = (*target == 'A') ? 'B' : 'A';
  return tampered;
}

static char *
sign_doctor_token (RelayTestSession *session, const HzSecret *secret,
                   gint64 not_before, gint64 expires)
{
  HzJoinToken token = {
    .session_id = session->booking.session_id,
    .user_id = session->booking.doctor_id,
    .role = HZ_TOKEN_ROLE_PUBLISH,
    .not_before = not_before,
    .expires = expires,
    .name = (char *) "李医生",
  };

  return hz_token_sign (secret, &token);
}

static void
assert_token_rejected (const RelayTestTools *tools, RelayTestSession *session,
                       const char *label, const char *token, const char *code)
{
  const char *args[] = { "--no-publish", NULL };
  g_autoptr (RelayTestPeer) peer = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                                          token, label, args);
  JsonObject *error = NULL;
  JsonObject *closed = NULL;

  g_assert_cmpint (relay_test_peer_wait_exit (peer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_RELAY_ERROR);
  error = relay_test_peer_wait_event (peer, "error", NULL, NULL, 0);
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_null (relay_test_peer_wait_event (peer, "joined", NULL, NULL, 0));
  closed = relay_test_peer_wait_event (peer, "closed", NULL, NULL, 0);
  g_assert_nonnull (closed);
  g_assert_cmpint (json_object_get_int_member (closed, "code"), ==, 4001);
}

static void
test_token_errors (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  HzSecret other_secret;
  g_autofree char *other_secret_token = NULL;
  g_autofree char *tampered = tamper_signature (session->doctor_token);
  g_autofree char *expired = sign_doctor_token (session, &session->daemons->secret, now - 7200, now - 3600);
  g_autofree char *early = sign_doctor_token (session, &session->daemons->secret, now + 3600, now + 7200);
  g_autofree char *wrong_session = token_of_another_session (session);

  /* A secret of fixed bytes stands for another installation's secret. */
  memset (other_secret.bytes, 0x5a, sizeof other_secret.bytes);
  other_secret_token = sign_doctor_token (session, &other_secret, now - 60, now + 3600);

  assert_token_rejected (tools, session, "malformed", "not-a-token", "token_malformed");
  assert_token_rejected (tools, session, "other-secret", other_secret_token, "token_bad_signature");
  assert_token_rejected (tools, session, "tampered", tampered, "token_bad_signature");
  assert_token_rejected (tools, session, "expired", expired, "token_expired");
  assert_token_rejected (tools, session, "not-yet-valid", early, "token_not_yet_valid");
  assert_token_rejected (tools, session, "wrong-session", wrong_session, "token_wrong_session");
}

/* Main -------------------------------------------------------------------------- */

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

  g_test_add_data_func ("/relay/two-participants", &tools, test_two_participants);
  g_test_add_data_func ("/relay/late-joiner", &tools, test_late_joiner);
  g_test_add_data_func ("/relay/recordings-after-leave", &tools, test_recordings_after_leave);
  g_test_add_data_func ("/relay/recordings-after-kill", &tools, test_relay_killed);
  g_test_add_data_func ("/relay/participant-dropped", &tools, test_participant_dropped);
  g_test_add_data_func ("/relay/token-errors", &tools, test_token_errors);
  g_test_add_data_func ("/relay/peer-sockets-loopback", &tools, test_peer_sockets_loopback);
  status = g_test_run ();

  g_free (tools.peer);
  g_free (tools.media_check);
  return status;
}
