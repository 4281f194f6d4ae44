/* Recording consent, end to end: the real scheduler and relay on loopback
 * and two hz-test-peer participants who publish audio and video.
 *
 * A session records only when its booking allows it. The relay learns the
 * booking's flag from the session check at join and tells each client in
 * "joined"; without it, the relay writes no file and reports nothing, even
 * though both clients publish.
 *
 * The test tools come from --hz-test-peer=PATH and --hz-media-check=PATH,
 * or from $HUIZHEN_BUILD_ROOT/tests/tools.
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include <string.h>

#include "relay-test-peer.h"

/* The consultation runs from a minute ago for an hour, so every token is
 * valid during the test. */
#define BOOKING_START_OFFSET_S (-60)
#define BOOKING_DURATION_S 3600

#define EXIT_TIMEOUT_MS 30000
#define EVENT_TIMEOUT_MS 15000
#define PEER_EXIT_OK 0

/* How long the test waits for the recordings' reports after both peers
 * left: the relay finalizes each file within HZ_RECORDER_FINISH_TIMEOUT_MS
 * (5 s) and then reports it. */
#define REPORT_WAIT_MS 15000

static RelayTestSession *
start_session (gboolean recording)
{
  g_autoptr (RelayTestSession) session = g_new0 (RelayTestSession, 1);
  g_autoptr (GError) error = NULL;

  session->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER | HZ_TEST_DAEMONS_RELAY,
                                            &error);
  g_assert_no_error (error);

  hz_test_book_consultation_recorded (session->daemons, BOOKING_START_OFFSET_S,
                                      BOOKING_DURATION_S, recording, &session->booking, &error);
  g_assert_no_error (error);

  session->doctor_token = hz_test_join_token (session->daemons, session->booking.session_id,
                                              session->booking.doctor_key, &error);
  g_assert_no_error (error);
  session->expert_token = hz_test_join_token (session->daemons, session->booking.session_id,
                                              session->booking.expert_key, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&session);
}

/* Returns the session's recordings from GET /sessions/ID/recordings. */
static JsonArray *
list_recordings (RelayTestSession *session)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/recordings",
                                           session->booking.session_id);
  guint status = 0;
  g_autoptr (JsonNode) body = hz_test_http (session->daemons, "GET", path,
                                            session->daemons->admin_key, NULL, "en", &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (body);
  return json_array_ref (json_object_get_array_member (json_node_get_object (body),
                                                       "recordings"));
}

/* Waits until the session lists COUNT recordings, all complete, or until
 * REPORT_WAIT_MS has passed, and returns the last list. */
static JsonArray *
wait_complete_recordings (RelayTestSession *session,
                          guint             count)
{
  gint64 deadline = g_get_monotonic_time () + REPORT_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  JsonArray *recordings = NULL;

  for (;;)
    {
      guint complete = 0;

      g_clear_pointer (&recordings, json_array_unref);
      recordings = list_recordings (session);
      for (guint i = 0; i < json_array_get_length (recordings); i++)
        {
          JsonObject *recording = json_array_get_object_element (recordings, i);

          if (g_strcmp0 (json_object_get_string_member (recording, "status"), "complete") == 0)
            complete++;
        }
      if (complete == count || g_get_monotonic_time () >= deadline)
        return recordings;
      g_usleep (250 * G_TIME_SPAN_MILLISECOND);
    }
}

/* Counts the track recordings (PARTICIPANT[-N]-TRACK.webm or .mkv) in the
 * session's directory of recordings-dir. Other files there, such as a
 * composed video, do not count. */
static guint
count_track_files (RelayTestSession *session)
{
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, session->booking.session_id);
  g_autofree char *dir_path = g_build_filename (session->daemons->recordings_dir, name, NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr (GRegex) track_file = g_regex_new ("^[0-9]+(-[0-9]+)?-(audio|video|video2)\\.(webm|mkv)$",
                                               0, 0, NULL);
  guint count = 0;

  if (dir == NULL)
    return 0;
  for (const char *file = g_dir_read_name (dir); file != NULL; file = g_dir_read_name (dir))
    {
      g_test_message ("%s/%s", name, file);
      if (g_regex_match (track_file, file, 0, NULL))
        count++;
    }
  return count;
}

/* Runs both peers for a few seconds of audio and video and checks that
 * the "recording" member of each peer's "joined" message is RECORDING. */
static void
run_call (const RelayTestTools *tools,
          RelayTestSession     *session,
          gboolean              recording)
{
  const char *args[] = { "--duration=5", NULL };
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons,
                                                            session->booking.session_id,
                                                            session->doctor_token, "doctor",
                                                            args);
  g_autoptr (RelayTestPeer) expert = relay_test_peer_start (tools, session->daemons,
                                                            session->booking.session_id,
                                                            session->expert_token, "expert",
                                                            args);
  RelayTestPeer *peers[] = { doctor, expert };

  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    {
      JsonObject *joined = relay_test_peer_wait_event (peers[i], "joined", NULL, NULL,
                                                       EVENT_TIMEOUT_MS);

      g_test_message ("checking the joined message to %s", peers[i]->label);
      g_assert_nonnull (joined);
      g_assert_true (json_object_has_member (joined, "recording"));
      g_assert_cmpint (json_object_get_boolean_member (joined, "recording"), ==, recording);
    }

  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    g_assert_cmpint (relay_test_peer_wait_exit (peers[i], EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    {
      JsonObject *announced = relay_test_peer_wait_event (peers[i], "recording", NULL, NULL, 0);

      g_test_message ("checking the recording message to %s", peers[i]->label);
      if (recording)
        g_assert_nonnull (announced);
      else
        g_assert_null (announced);
    }
}

static void
test_unrecorded_session (gconstpointer data)
{
  g_autoptr (RelayTestSession) session = start_session (FALSE);
  g_autoptr (JsonArray) recordings = NULL;

  run_call (data, session, FALSE);

  /* Both peers published; the relay must have written and reported
   * nothing. The wait gives a wrong report time to arrive. */
  recordings = wait_complete_recordings (session, 4);
  g_assert_cmpuint (json_array_get_length (recordings), ==, 0);
  g_assert_cmpuint (count_track_files (session), ==, 0);
}

static void
test_recorded_session (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = start_session (TRUE);
  g_autoptr (JsonArray) recordings = NULL;

  run_call (tools, session, TRUE);

  recordings = wait_complete_recordings (session, 4);
  g_assert_cmpuint (json_array_get_length (recordings), ==, 4);
  g_assert_cmpuint (count_track_files (session), ==, 4);
  for (guint i = 0; i < json_array_get_length (recordings); i++)
    {
      JsonObject *recording = json_array_get_object_element (recordings, i);
      g_autofree char *file = g_build_filename (session->daemons->recordings_dir,
                                                json_object_get_string_member (recording, "path"),
                                                NULL);
      g_autoptr (JsonObject) media = NULL;

      g_test_message ("checking %s", file);
      g_assert_cmpstr (json_object_get_string_member (recording, "status"), ==, "complete");
      media = relay_test_media_check (tools, file);
      g_assert_nonnull (media);
    }
}

int
main (int argc, char **argv)
{
  RelayTestTools tools = { 0 };
  int status;

  g_test_init (&argc, &argv, NULL);
  tools.peer = relay_test_tool_path (argc, argv, "hz-test-peer", "hz-test-peer");
  tools.media_check = relay_test_tool_path (argc, argv, "hz-media-check", "hz-media-check");
  if (tools.peer == NULL || tools.media_check == NULL)
    {
      g_printerr ("pass --hz-test-peer=PATH and --hz-media-check=PATH or set HUIZHEN_BUILD_ROOT\n");
      return 1;
    }

  g_test_add_data_func ("/relay-consent/unrecorded-session", &tools, test_unrecorded_session);
  g_test_add_data_func ("/relay-consent/recorded-session", &tools, test_recorded_session);
  status = g_test_run ();

  g_free (tools.peer);
  g_free (tools.media_check);
  return status;
}
