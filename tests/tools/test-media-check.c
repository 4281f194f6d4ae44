/* Tests of hz-media-check on WebM files that GStreamer writes here: whole
 * files, a file cut in half (as a recorder killed mid-write leaves it), and
 * files that are not WebM at all.
 *
 * Usage: test-media-check --tap --hz-media-check=PATH
 */
#define G_LOG_DOMAIN "hz-test-tools"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
  char *media_check;          /* path of the hz-media-check executable */
  char *dir;                  /* temporary directory of the generated files */
} Fixture;

/* Runs DESCRIPTION, a pipeline with a finite source, until EOS. */
static void
run_pipeline (const char *description)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;

  g_assert_no_error (error);
  bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  message = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

/* Runs hz-media-check on PATH. Returns its JSON output when it exits 0,
 * NULL when it exits 1; any other outcome fails the test. */
static JsonObject *
media_check (const Fixture *fixture, const char *path)
{
  const char *argv[] = { fixture->media_check, path, NULL };
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *output = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  if (g_subprocess_get_exit_status (process) == 1) {
    g_assert_cmpstr (output, ==, "");
    return NULL;
  }
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  g_test_message ("%s: %s", path, output);
  json_parser_load_from_data (parser, output, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
write_video (const Fixture *fixture)
{
  char *path = g_build_filename (fixture->dir, "video.webm", NULL);
  g_autofree char *description = g_strdup_printf (
      "videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240,framerate=30/1 "
      "! vp8enc deadline=1 ! webmmux ! filesink location=\"%s\"", path);

  run_pipeline (description);
  return path;
}

static void
test_whole_video (gconstpointer data)
{
  const Fixture *fixture = data;
  g_autofree char *path = write_video (fixture);
  g_autoptr (JsonObject) result = media_check (fixture, path);

  g_assert_nonnull (result);
  g_assert_cmpint (json_object_get_int_member (result, "video_frames"), ==, 60);
  g_assert_cmpint (json_object_get_int_member (result, "audio_buffers"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (result, "audio_rms_db_max"), ==, -120.0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "first_pts_s"), 0.0, 0.001);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "last_pts_s"), 59 / 30.0, 0.002);
}

static void
test_whole_audio (gconstpointer data)
{
  const Fixture *fixture = data;
  g_autofree char *path = g_build_filename (fixture->dir, "audio.webm", NULL);
  /* 100 buffers of 960 samples at 48 kHz: 2 s in 20 ms Opus frames. */
  g_autofree char *description = g_strdup_printf (
      "audiotestsrc num-buffers=100 samplesperbuffer=960 wave=sine freq=440 "
      "! audio/x-raw,rate=48000,channels=1 ! opusenc ! webmmux ! filesink location=\"%s\"", path);
  g_autoptr (JsonObject) result = NULL;

  run_pipeline (description);
  result = media_check (fixture, path);
  g_assert_nonnull (result);
  g_assert_cmpint (json_object_get_int_member (result, "video_frames"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (result, "audio_buffers"), >=, 98);
  g_assert_cmpint (json_object_get_int_member (result, "audio_buffers"), <=, 101);
  /* audiotestsrc's default volume 0.8 gives a sine of -4.9 dBFS RMS. */
  g_assert_cmpfloat (json_object_get_double_member (result, "audio_rms_db_max"), >, -6.0);
  g_assert_cmpfloat (json_object_get_double_member (result, "audio_rms_db_max"), <, -3.0);
  g_assert_cmpfloat (json_object_get_double_member (result, "last_pts_s"), >, 1.9);
}

/* A file cut in the middle of a cluster has no Cues, a segment size that
 * points past the end and a partial last block; the frames before the cut
 * must still decode. */
static void
test_truncated_video (gconstpointer data)
{
  const Fixture *fixture = data;
  g_autofree char *whole = write_video (fixture);
  g_autofree char *cut = g_build_filename (fixture->dir, "cut.webm", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) result = NULL;
  gint64 frames = 0;

  g_file_get_contents (whole, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (cut, contents, (gssize) (length / 2), &error);
  g_assert_no_error (error);

  result = media_check (fixture, cut);
  g_assert_nonnull (result);
  frames = json_object_get_int_member (result, "video_frames");
  g_assert_cmpint (frames, >, 10);
  g_assert_cmpint (frames, <, 60);
  g_assert_cmpfloat (json_object_get_double_member (result, "last_pts_s"), <, 59 / 30.0);
}

static void
test_not_webm (gconstpointer data)
{
  const Fixture *fixture = data;
  g_autofree char *garbage = g_build_filename (fixture->dir, "garbage.webm", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.webm", NULL);
  g_autofree char *empty = g_build_filename (fixture->dir, "empty.webm", NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (garbage, "this is not a Matroska file\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);

  g_assert_null (media_check (fixture, garbage));
  g_assert_null (media_check (fixture, missing));
  g_assert_null (media_check (fixture, empty));
}

/* --help prints the usage on stdout and exits 0; no argument prints it on
 * stderr and exits 1. */
static void
test_usage (gconstpointer data)
{
  const Fixture *fixture = data;
  const char *help_argv[] = { fixture->media_check, "--help", NULL };
  const char *bare_argv[] = { fixture->media_check, NULL };
  g_autoptr (GSubprocess) help = NULL;
  g_autoptr (GSubprocess) bare = NULL;
  g_autofree char *help_output = NULL;
  g_autofree char *bare_output = NULL;
  g_autofree char *bare_errors = NULL;
  g_autoptr (GError) error = NULL;

  help = g_subprocess_newv (help_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (help, NULL, NULL, &help_output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (help));
  g_assert_cmpint (g_subprocess_get_exit_status (help), ==, 0);
  g_assert_nonnull (strstr (help_output, "Usage:"));
  g_assert_nonnull (strstr (help_output, "FILE"));

  bare = g_subprocess_newv (bare_argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (bare, NULL, NULL, &bare_output, &bare_errors, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (bare));
  g_assert_cmpint (g_subprocess_get_exit_status (bare), ==, 1);
  g_assert_cmpstr (bare_output, ==, "");
  g_assert_nonnull (strstr (bare_errors, "Usage:"));
}

static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name = NULL;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_unlink (path);
  }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], "--hz-media-check="))
      fixture.media_check = g_strdup (argv[i] + strlen ("--hz-media-check="));
  if (fixture.media_check == NULL) {
    g_printerr ("pass --hz-media-check=PATH\n");
    return 1;
  }
  fixture.dir = g_dir_make_tmp ("hz-media-check-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_data_func ("/media-check/whole-video", &fixture, test_whole_video);
  g_test_add_data_func ("/media-check/whole-audio", &fixture, test_whole_audio);
  g_test_add_data_func ("/media-check/truncated-video", &fixture, test_truncated_video);
  g_test_add_data_func ("/media-check/not-webm", &fixture, test_not_webm);
  g_test_add_data_func ("/media-check/usage", &fixture, test_usage);
  status = g_test_run ();

  remove_dir (fixture.dir);
  g_free (fixture.dir);
  g_free (fixture.media_check);
  return status;
}
