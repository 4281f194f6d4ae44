/* Integration tests of the relay's recording reports when the scheduler or
 * the relay goes away. Reports wait in the journal (recordings-dir/.reports)
 * until the scheduler is back. A relay killed during a call reports its
 * cut-off recordings as "interrupted" when it starts again.
 *
 * Each case runs the fixture's scheduler and relay, with hz-test-peer
 * participants, and restarts one of them on the same files.
 *
 * Command line, besides GLib's test options:
 *   --hz-test-peer=PATH --hz-media-check=PATH
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-peer.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#define CONNECT_TIMEOUT_MS 20000
#define EXIT_TIMEOUT_MS 30000
#define STARTUP_TIMEOUT_MS 15000
/* Retries of a report wait at most 32 s, so a report that failed while
 * the scheduler was down reaches it within that after it is back. */
#define REPORT_TIMEOUT_MS 45000

/* Exit statuses of hz-test-peer (tests/tools/peer.h). */
#define PEER_EXIT_OK 0
#define PEER_EXIT_DISCONNECTED 3

/* Daemons ------------------------------------------------------------------ */

/* Starts ARGV and returns it once it printed "PREFIX URL"; stores URL. */
static GSubprocess *
start_daemon (const char *const *argv, const char *prefix, char **url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = hz_test_spawn (argv, &error);

  g_assert_no_error (error);
  for (;;) {
    g_autofree char *line = hz_test_read_line (process, STARTUP_TIMEOUT_MS);

    if (line == NULL)
      g_error ("%s printed no \"%s\" line within %d ms", argv[0], prefix, STARTUP_TIMEOUT_MS);
    if (g_str_has_prefix (line, prefix)) {
      g_free (*url);
      *url = g_strdup (line + strlen (prefix));
      return g_steal_pointer (&process);
    }
  }
}

static void
stop_scheduler (HzTestDaemons *daemons)
{
  g_subprocess_send_signal (daemons->scheduler, SIGTERM);
  g_assert_true (g_subprocess_wait (daemons->scheduler, NULL, NULL));
  g_test_message ("scheduler stopped");
}

/* Starts the scheduler again on its database and on the port it had, which
 * the relay's scheduler-url names. */
static void
restart_scheduler (HzTestDaemons *daemons)
{
  g_autofree char *binary = g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"), "scheduler",
                                              "huizhen-scheduler", NULL);
  g_autofree char *config_path = g_build_filename (daemons->dir, "scheduler-again.conf", NULL);
  g_autofree char *config = NULL;
  g_autofree char *listen = g_strdup_printf ("listen = %s",
                                             daemons->scheduler_url + strlen ("http://"));
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) text = NULL;
  const char *argv[] = { binary, "--config", config_path, NULL };

  g_file_get_contents (daemons->config_path, &config, NULL, &error);
  g_assert_no_error (error);
  text = g_string_new (config);
  /* The fixture's config starts with [scheduler], so the first listen key
   * is the scheduler's. */
  g_assert_true (g_str_has_prefix (text->str, "[scheduler]\nlisten = 127.0.0.1:0\n"));
  g_assert_cmpuint (g_string_replace (text, "listen = 127.0.0.1:0", listen, 1), ==, 1);
  g_file_set_contents (config_path, text->str, -1, &error);
  g_assert_no_error (error);

  g_clear_object (&daemons->scheduler);
  daemons->scheduler = start_daemon (argv, "huizhen-scheduler: listening on ",
                                     &daemons->scheduler_url);
  g_test_message ("scheduler started again at %s", daemons->scheduler_url);
}

/* Starts the relay again with its config, recordings-dir and journal. */
static void
restart_relay (HzTestDaemons *daemons)
{
  g_autofree char *binary = g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"), "relay",
                                              "huizhen-relay", NULL);
  const char *argv[] = { binary, "--config", daemons->config_path, NULL };

  g_clear_object (&daemons->relay);
  daemons->relay = start_daemon (argv, "huizhen-relay: listening on ", &daemons->relay_url);
  g_test_message ("relay started again at %s", daemons->relay_url);
}

/* Recordings ----------------------------------------------------------------- */

/* Fetches the session's recordings until COUNT are listed, all with
 * STATUS, or REPORT_TIMEOUT_MS pass. Returns the last list. */
static JsonArray *
wait_recordings (RelayTestSession *session, guint count, const char *status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/recordings",
                                           session->booking.session_id);
  gint64 deadline_us = g_get_monotonic_time () + REPORT_TIMEOUT_MS * (gint64) 1000;
  JsonArray *recordings = NULL;

  for (;;) {
    guint http_status = 0;
    g_autoptr (JsonNode) body = hz_test_http (session->daemons, "GET", path,
                                              session->daemons->admin_key, NULL, "en",
                                              &http_status);
    guint matching = 0;

    g_assert_cmpuint (http_status, ==, 200);
    g_clear_pointer (&recordings, json_array_unref);
    recordings = json_array_ref (json_object_get_array_member (json_node_get_object (body),
                                                               "recordings"));
    for (guint i = 0; i < json_array_get_length (recordings); i++) {
      JsonObject *recording = json_array_get_object_element (recordings, i);

      if (g_strcmp0 (json_object_get_string_member (recording, "status"), status) == 0)
        matching++;
    }
    if ((matching == count && json_array_get_length (recordings) == count)
        || g_get_monotonic_time () > deadline_us)
      return recordings;
    g_usleep (500 * 1000);
  }
}

/* Checks that each of RECORDINGS has STATUS, an end time and the size of
 * its file. */
static void
assert_recordings_final (RelayTestSession *session, JsonArray *recordings, guint count,
                         const char *status)
{
  g_assert_cmpuint (json_array_get_length (recordings), ==, count);
  for (guint i = 0; i < count; i++) {
    JsonObject *recording = json_array_get_object_element (recordings, i);
    const char *path = json_object_get_string_member (recording, "path");
    g_autofree char *file = g_build_filename (session->daemons->recordings_dir, path, NULL);
    GStatBuf info;

    g_test_message ("recording %s: %s, %" G_GINT64_FORMAT " bytes", path,
                    json_object_get_string_member (recording, "status"),
                    json_object_get_int_member_with_default (recording, "bytes", -1));
    g_assert_cmpstr (json_object_get_string_member (recording, "status"), ==, status);
    g_assert_nonnull (json_object_get_string_member (recording, "ended_at"));
    g_assert_cmpint (g_stat (file, &info), ==, 0);
    g_assert_cmpint (info.st_size, >, 0);
    g_assert_cmpint (json_object_get_int_member (recording, "bytes"), ==, info.st_size);
  }
}

/* Returns the number of recording entries in the relay's journal, and
 * checks that each is readable by the owner only. */
static guint
count_journal_recordings (HzTestDaemons *daemons)
{
  g_autofree char *dir_path = g_build_filename (daemons->recordings_dir, ".reports", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name = NULL;
  guint count = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (dir_path, name, NULL);
    GStatBuf info;

    if (!g_str_has_prefix (name, "recording-"))
      continue;
    g_assert_cmpint (g_stat (path, &info), ==, 0);
    g_assert_cmpint (info.st_mode & 0777, ==, 0600);
    count++;
  }
  return count;
}

/* Waits until the journal has no recording entry, or TIMEOUT_MS pass. */
static guint
wait_journal_empty (HzTestDaemons *daemons, guint timeout_ms)
{
  gint64 deadline_us = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  guint left = count_journal_recordings (daemons);

  while (left > 0 && g_get_monotonic_time () < deadline_us) {
    g_usleep (200 * 1000);
    left = count_journal_recordings (daemons);
  }
  return left;
}

static void
wait_publish_connected (RelayTestPeer *peer)
{
  JsonObject *event = NULL;

  g_assert_nonnull (relay_test_peer_wait_event (peer, "joined", NULL, NULL, CONNECT_TIMEOUT_MS));
  for (;;) {
    event = relay_test_peer_wait_event (peer, "connection-state", "pc", "publish",
                                        CONNECT_TIMEOUT_MS);
    g_assert_nonnull (event);
    if (g_str_equal (json_object_get_string_member (event, "state"), "connected"))
      return;
    g_assert_cmpstr (json_object_get_string_member (event, "state"), !=, "failed");
  }
}

/* Cases ----------------------------------------------------------------------- */

/* The scheduler goes down once both participants have joined, after the
 * session check at join confirmed the booking's recording. It stays down
 * for the rest of the call. The reports wait in the journal and reach the
 * scheduler once it is back, with no recording lost. */
static void
test_scheduler_down_during_call (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  HzTestDaemons *daemons = session->daemons;
  const char *args[] = { "--duration=5", NULL };
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (JsonArray) recordings = NULL;

  doctor = relay_test_peer_start (tools, daemons, session->booking.session_id,
                                  session->doctor_token, "doctor", args);
  expert = relay_test_peer_start (tools, daemons, session->booking.session_id,
                                  session->expert_token, "expert", args);
  g_assert_nonnull (relay_test_peer_wait_event (doctor, "joined", NULL, NULL, CONNECT_TIMEOUT_MS));
  g_assert_nonnull (relay_test_peer_wait_event (expert, "joined", NULL, NULL, CONNECT_TIMEOUT_MS));
  stop_scheduler (daemons);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  /* Past the five attempts after which the relay used to give up. */
  g_usleep (35 * G_USEC_PER_SEC);
  g_assert_cmpuint (count_journal_recordings (daemons), ==, 4);

  restart_scheduler (daemons);
  recordings = wait_recordings (session, 4, "complete");
  assert_recordings_final (session, recordings, 4, "complete");
  g_assert_cmpuint (wait_journal_empty (daemons, 5000), ==, 0);
}

/* The relay is killed during a call and started again: the recordings it
 * had reported as "recording" become "interrupted", with their real size. */
static void
test_relay_killed_and_restarted (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  HzTestDaemons *daemons = session->daemons;
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, daemons,
                                                            session->booking.session_id,
                                                            session->doctor_token, "doctor", NULL);
  g_autoptr (RelayTestPeer) expert = relay_test_peer_start (tools, daemons,
                                                            session->booking.session_id,
                                                            session->expert_token, "expert", NULL);
  g_autoptr (JsonArray) started = NULL;
  g_autoptr (JsonArray) recordings = NULL;

  wait_publish_connected (doctor);
  wait_publish_connected (expert);
  started = wait_recordings (session, 4, "recording");
  g_assert_cmpuint (json_array_get_length (started), ==, 4);
  g_usleep (3 * G_USEC_PER_SEC);

  hz_test_daemons_signal_relay (daemons, SIGKILL);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==,
                   PEER_EXIT_DISCONNECTED);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==,
                   PEER_EXIT_DISCONNECTED);
  g_assert_cmpuint (count_journal_recordings (daemons), ==, 4);

  restart_relay (daemons);
  recordings = wait_recordings (session, 4, "interrupted");
  assert_recordings_final (session, recordings, 4, "interrupted");
  g_assert_cmpuint (wait_journal_empty (daemons, 5000), ==, 0);
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

  g_test_add_data_func ("/relay-reports/scheduler-down-during-call", &tools,
                        test_scheduler_down_during_call);
  g_test_add_data_func ("/relay-reports/relay-killed-and-restarted", &tools,
                        test_relay_killed_and_restarted);
  status = g_test_run ();

  g_free (tools.peer);
  g_free (tools.media_check);
  return status;
}
