/* Checks that the daemons create the files with patient data owner-only: the
 * database (with its WAL and shared-memory files) and the token secret with
 * mode 0600, and the recordings with 0600 files in 0700 directories. Also
 * checks that both daemons run with umask 077.
 *
 * One hz-test-peer publishes for 8 seconds, so the relay creates a
 * session folder with two recordings and their timing sidecars, and the
 * scheduler's composer may write the composed video beside them. Every
 * file there is checked. The test runs with umask 022, the
 * usual default, so the modes come from the daemons and not from the
 * test's environment.
 *
 * Command line, besides GLib's test options: --hz-test-peer=PATH.
 */
#define G_LOG_DOMAIN "hz-test-hardening"

#include "relay-test-peer.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define EXIT_TIMEOUT_MS 30000
#define RECORDINGS_TIMEOUT_MS 10000

static void
assert_mode (const char *path, mode_t expected)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("%s: mode %04o", path, (unsigned) (st.st_mode & 07777));
  if ((st.st_mode & 07777) != expected)
    g_test_fail_printf ("%s has mode %04o, expected %04o", path, (unsigned) (st.st_mode & 07777),
                        (unsigned) expected);
}

/* Waits until the scheduler lists COUNT complete recordings of the session,
 * so that the relay has closed their files. */
static void
wait_complete_recordings (RelayTestSession *session, guint count)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/recordings",
                                           session->booking.session_id);
  gint64 deadline_us = g_get_monotonic_time () + RECORDINGS_TIMEOUT_MS * 1000;

  for (;;) {
    guint status = 0, complete = 0;
    g_autoptr (JsonNode) body = hz_test_http (session->daemons, "GET", path,
                                              session->daemons->admin_key, NULL, "en", &status);
    JsonArray *recordings;

    g_assert_cmpuint (status, ==, 200);
    g_assert_nonnull (body);
    recordings = json_object_get_array_member (json_node_get_object (body), "recordings");
    for (guint i = 0; i < json_array_get_length (recordings); i++) {
      JsonObject *recording = json_array_get_object_element (recordings, i);

      if (g_strcmp0 (json_object_get_string_member (recording, "status"), "complete") == 0)
        complete++;
    }
    if (complete == count)
      return;
    g_assert_cmpint (g_get_monotonic_time (), <, deadline_us);
    g_usleep (200 * 1000);
  }
}

static void
assert_database_modes (const HzTestDaemons *daemons)
{
  g_autofree char *wal = g_strconcat (daemons->database_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (daemons->database_path, "-shm", NULL);

  assert_mode (daemons->database_path, 0600);
  /* The scheduler keeps its connection open, so the WAL files exist. */
  assert_mode (wal, 0600);
  assert_mode (shm, 0600);
  assert_mode (daemons->secret_path, 0600);
}

static void
assert_recording_modes (const HzTestDaemons *daemons, gint64 session_id)
{
  g_autofree char *session_name = g_strdup_printf ("%" G_GINT64_FORMAT, session_id);
  g_autofree char *session_dir = g_build_filename (daemons->recordings_dir, session_name, NULL);
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) error = NULL;
  const char *name;
  guint n_recordings = 0;

  assert_mode (daemons->recordings_dir, 0700);
  assert_mode (session_dir, 0700);

  dir = g_dir_open (session_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (session_dir, name, NULL);

    /* The composer renames NAME.partial when it is done. */
    if (g_str_has_suffix (name, ".partial") && !g_file_test (path, G_FILE_TEST_EXISTS))
      continue;
    assert_mode (path, 0600);
    if (g_str_has_suffix (name, ".webm") && !g_str_has_prefix (name, "composed"))
      n_recordings++;
  }
  g_assert_cmpuint (n_recordings, ==, 2);
}

static void
test_owner_only_modes (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  const char *args[] = { "--duration=8", NULL };
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons,
                                                            session->booking.session_id,
                                                            session->doctor_token, "doctor", args);

  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, 0);
  wait_complete_recordings (session, 2);

  assert_database_modes (session->daemons);
  assert_recording_modes (session->daemons, session->booking.session_id);
}

/* Returns the umask of PROCESS from /proc/PID/status (Linux 4.7 and
 * later). */
static guint
process_umask (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status",
                                           g_subprocess_get_identifier (process));
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  const char *line;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  line = strstr (text, "\nUmask:");
  g_assert_nonnull (line);
  return (guint) g_ascii_strtoull (line + strlen ("\nUmask:"), NULL, 8);
}

/* Both daemons set umask 077 themselves, so that every file they or their
 * libraries create is owner-only, whatever umask they were started with. */
static void
test_daemon_umask (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER |
                                                             HZ_TEST_DAEMONS_RELAY, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (process_umask (daemons->scheduler), ==, 077);
  g_assert_cmpuint (process_umask (daemons->relay), ==, 077);
  assert_database_modes (daemons);
}

int
main (int argc, char **argv)
{
  RelayTestTools tools = { 0 };
  const char *prefix = "--hz-test-peer=";
  int status;

  g_test_init (&argc, &argv, NULL);
  for (int i = 1; i < argc; i++) {
    if (g_str_has_prefix (argv[i], prefix))
      tools.peer = g_strdup (argv[i] + strlen (prefix));
  }
  if (tools.peer == NULL) {
    g_printerr ("pass --hz-test-peer=PATH\n");
    return 1;
  }

  /* The daemons inherit the umask. With 022, group and others could read
   * what the daemons create unless the daemons restrict the modes. */
  umask (022);
  g_test_add_data_func ("/hardening/owner-only-file-modes", &tools, test_owner_only_modes);
  g_test_add_func ("/hardening/daemon-umask", test_daemon_umask);
  status = g_test_run ();
  g_free (tools.peer);
  return status;
}
