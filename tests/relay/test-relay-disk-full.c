/* A full recordings disk, for real: the session's recordings directory is
 * a small tmpfs, and two hz-test-peer participants publish audio and
 * video until it is full. The recording stops cleanly (status failed,
 * failure_reason disk_full, the bytes written), every participant gets
 * "recording-stopped", the call goes on, and the part written so far
 * decodes.
 *
 * Mounting needs root. The test process first moves into a mount
 * namespace of its own (unshare(CLONE_NEWNS)), which the daemons it starts
 * share, so the tmpfs disappears with the test even when it aborts.
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "relay-test-peer.h"

#define BOOKING_START_OFFSET_S (-60)
#define BOOKING_DURATION_S 3600

/* The four files of two publishers fill 256 KiB of tmpfs after about 6 s
 * of the call (measured: the test pattern encodes well below the 1 Mbit/s
 * target), early in a call of CALL_SECONDS. */
#define TMPFS_OPTIONS "size=256k,mode=0700"
#define CALL_SECONDS 12
#define VIDEO_KBPS "1000"

#define EXIT_TIMEOUT_MS 40000
#define EVENT_TIMEOUT_MS 15000
#define REPORT_WAIT_MS 15000
#define PEER_EXIT_OK 0

/* A stopped recording must still decode at least this much. */
#define MIN_PLAYABLE_S 0.3

/* Moves the test into a private mount namespace. Returns FALSE (and skips
 * the test) when that is not allowed. */
static gboolean
enter_mount_namespace (void)
{
  if (geteuid () != 0)
    {
      g_test_skip ("mounting a tmpfs needs root");
      return FALSE;
    }
  if (unshare (CLONE_NEWNS) != 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      g_autofree char *reason = g_strdup_printf ("no private mount namespace: %s",
                                                 g_strerror (errno));

      g_test_skip (reason);
      return FALSE;
    }
  return TRUE;
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

/* Waits until no recording of the session is still "recording". */
static JsonArray *
wait_recordings_ended (RelayTestSession *session)
{
  gint64 deadline = g_get_monotonic_time () + REPORT_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  JsonArray *recordings = NULL;

  for (;;)
    {
      gboolean running = FALSE;

      g_clear_pointer (&recordings, json_array_unref);
      recordings = list_recordings (session);
      for (guint i = 0; i < json_array_get_length (recordings); i++)
        {
          JsonObject *recording = json_array_get_object_element (recordings, i);

          running |= g_str_equal (json_object_get_string_member (recording, "status"),
                                  "recording");
        }
      if ((json_array_get_length (recordings) > 0 && !running) ||
          g_get_monotonic_time () >= deadline)
        return recordings;
      g_usleep (250 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
assert_stopped_announced (RelayTestPeer *peer)
{
  JsonObject *stopped = relay_test_peer_wait_event (peer, "recording-stopped", NULL, NULL, 0);

  g_test_message ("checking the recording-stopped message to %s", peer->label);
  g_assert_nonnull (stopped);
  g_assert_cmpstr (json_object_get_string_member (stopped, "reason"), ==, "disk_full");
}

/* The call went on after the disk filled: PEER decoded FROM_ID's video
 * until near the end of the call. */
static void
assert_call_went_on (RelayTestPeer *peer,
                     gint64         from_id)
{
  JsonObject *feed = relay_test_peer_feed (peer, from_id);

  g_test_message ("checking %s's feed from participant %" G_GINT64_FORMAT, peer->label, from_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "video_frames"), >, 0);
  g_assert_cmpint (json_object_get_int_member (feed, "last_video_ms"), >=,
                   (CALL_SECONDS - 3) * 1000);
}

static void
test_disk_full (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = NULL;
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (JsonArray) recordings = NULL;
  g_autofree char *session_dir = NULL;
  g_autofree char *session_name = NULL;
  const char *args[] = { "--duration=" G_STRINGIFY (CALL_SECONDS),
                         "--video-bitrate=" VIDEO_KBPS, NULL };
  guint disk_full = 0;

  if (!enter_mount_namespace ())
    return;

  session = relay_test_session_start ();
  session_name = g_strdup_printf ("%" G_GINT64_FORMAT, session->booking.session_id);
  session_dir = g_build_filename (session->daemons->recordings_dir, session_name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (session_dir, 0700), ==, 0);
  if (mount ("tmpfs", session_dir, "tmpfs", 0, TMPFS_OPTIONS) != 0)
    g_error ("mounting a tmpfs on %s failed: %s", session_dir, g_strerror (errno));

  doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->doctor_token, "doctor", args);
  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", args);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);

  assert_stopped_announced (doctor);
  assert_stopped_announced (expert);
  assert_call_went_on (doctor, session->booking.expert_id);
  assert_call_went_on (expert, session->booking.doctor_id);

  recordings = wait_recordings_ended (session);
  for (guint i = 0; i < json_array_get_length (recordings); i++)
    {
      JsonObject *recording = json_array_get_object_element (recordings, i);
      const char *path = json_object_get_string_member (recording, "path");
      g_autofree char *file = g_build_filename (session->daemons->recordings_dir, path, NULL);
      g_autoptr (JsonObject) media = NULL;

      g_test_message ("%s: %s, %s", path, json_object_get_string_member (recording, "status"),
                      json_object_get_string_member_with_default (recording, "failure_reason",
                                                                  "-"));
      if (!json_object_has_member (recording, "failure_reason"))
        continue;
      disk_full++;
      g_assert_cmpstr (json_object_get_string_member (recording, "status"), ==, "failed");
      g_assert_cmpstr (json_object_get_string_member (recording, "failure_reason"), ==,
                       "disk_full");
      g_assert_cmpint (json_object_get_int_member (recording, "bytes"), >, 0);
      if (!g_str_equal (json_object_get_string_member (recording, "kind"), "video"))
        continue;
      media = relay_test_media_check (tools, file);
      g_assert_nonnull (media);
      g_test_message ("%s decodes %" G_GINT64_FORMAT " frames, %.2f s to %.2f s", path,
                      json_object_get_int_member (media, "video_frames"),
                      json_object_get_double_member (media, "first_pts_s"),
                      json_object_get_double_member (media, "last_pts_s"));
      g_assert_cmpint (json_object_get_int_member (media, "video_frames"), >, 0);
      g_assert_cmpfloat (json_object_get_double_member (media, "last_pts_s") -
                         json_object_get_double_member (media, "first_pts_s"), >=,
                         MIN_PLAYABLE_S);
    }
  g_assert_cmpuint (disk_full, >, 0);

  g_assert_cmpint (umount2 (session_dir, MNT_DETACH), ==, 0);
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

  g_test_add_data_func ("/relay-disk-full/recording-stops-call-goes-on", &tools, test_disk_full);
  status = g_test_run ();

  g_free (tools.peer);
  g_free (tools.media_check);
  return status;
}
