/* hz-media-check: decodes a recording and prints what it contains.
 *
 *   filesrc ! queue ! matroskademux ─┬─ decodebin ! fakesink          (video frames)
 *                                    └─ decodebin ! audioconvert
 *                                         ! audio/x-raw,format=S16LE ! fakesink   (audio, RMS)
 *
 * The queue puts matroskademux in push mode, where it reads clusters in
 * order and needs neither the index (Cues) nor the segment size. A recorder
 * killed with SIGKILL writes neither, and may leave the last block cut off.
 *
 * Output, one JSON line on stdout:
 *   {"video_frames":N,"audio_buffers":N,"audio_rms_db_max":X,"first_pts_s":X,"last_pts_s":X}
 * first_pts_s and last_pts_s span the decoded buffers of all streams;
 * audio_rms_db_max is -120 for silence or a file without audio.
 * Exit status 1, with the reason on stderr, when the file does not decode or
 * contains no decodable frame.
 */
#define G_LOG_DOMAIN "hz-media-check"

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SILENCE_DB (-120.0)

/* Maximum time for the whole run, so that a hung decoder fails the check. */
#define DECODE_TIMEOUT_S 60

typedef struct {
  GMutex lock;
  guint64 video_frames;
  guint64 audio_buffers;
  double audio_rms_db_max;
  GstClockTime first_pts;     /* GST_CLOCK_TIME_NONE until the first buffer */
  GstClockTime last_pts;
} MediaCounts;

typedef struct {
  GMainLoop *loop;
  GstElement *pipeline;
  MediaCounts counts;
  guint timeout;
  char *error;                /* the first failure, or NULL */
} MediaCheck;

static void
note_pts (MediaCounts *counts, GstBuffer *buffer)
{
  GstClockTime pts = GST_BUFFER_PTS (buffer);

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return;
  if (!GST_CLOCK_TIME_IS_VALID (counts->first_pts) || pts < counts->first_pts)
    counts->first_pts = pts;
  if (!GST_CLOCK_TIME_IS_VALID (counts->last_pts) || pts > counts->last_pts)
    counts->last_pts = pts;
}

/* Streaming thread. */
static GstPadProbeReturn
count_video_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  MediaCounts *counts = user_data;

  g_mutex_lock (&counts->lock);
  counts->video_frames++;
  note_pts (counts, GST_PAD_PROBE_INFO_BUFFER (info));
  g_mutex_unlock (&counts->lock);
  return GST_PAD_PROBE_OK;
}

static double
buffer_rms_db (GstBuffer *buffer)
{
  GstMapInfo map;
  double sum = 0;
  gsize count = 0;
  double rms = 0;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return SILENCE_DB;
  count = map.size / sizeof (gint16);
  for (gsize i = 0; i < count; i++) {
    double sample = ((const gint16 *) map.data)[i];
    sum += sample * sample;
  }
  gst_buffer_unmap (buffer, &map);

  if (count == 0)
    return SILENCE_DB;
  rms = sqrt (sum / count) / 32768.0;
  return rms > 0 ? MAX (20.0 * log10 (rms), SILENCE_DB) : SILENCE_DB;
}

/* Streaming thread. */
static GstPadProbeReturn
count_audio_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  MediaCounts *counts = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  double level = buffer_rms_db (buffer);

  g_mutex_lock (&counts->lock);
  counts->audio_buffers++;
  counts->audio_rms_db_max = MAX (counts->audio_rms_db_max, level);
  note_pts (counts, buffer);
  g_mutex_unlock (&counts->lock);
  return GST_PAD_PROBE_OK;
}

/* Streaming thread: a decoded stream appeared; count it into a fakesink. */
static void
on_decoded_pad (GstElement *decodebin, GstPad *pad, gpointer user_data)
{
  MediaCheck *check = user_data;
  g_autoptr (GstCaps) caps = gst_pad_query_caps (pad, NULL);
  const char *media = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  const char *description = NULL;
  GstPadProbeCallback counter = NULL;
  g_autoptr (GError) error = NULL;
  GstElement *branch = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  g_autoptr (GstPad) branch_pad = NULL;

  if (g_str_has_prefix (media, "video/")) {
    description = "fakesink name=sink sync=false";
    counter = count_video_frame;
  } else if (g_str_has_prefix (media, "audio/")) {
    description = "audioconvert ! audio/x-raw,format=S16LE ! fakesink name=sink sync=false";
    counter = count_audio_buffer;
  } else {
    description = "fakesink name=sink sync=false";
  }

  branch = gst_parse_bin_from_description (description, TRUE, &error);
  if (branch == NULL) {
    g_printerr ("hz-media-check: cannot build a sink for %s: %s\n", media, error->message);
    return;
  }
  sink = gst_bin_get_by_name (GST_BIN (branch), "sink");
  sink_pad = gst_element_get_static_pad (sink, "sink");
  if (counter != NULL)
    gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, counter, &check->counts, NULL);

  gst_bin_add (GST_BIN (check->pipeline), branch);
  branch_pad = gst_element_get_static_pad (branch, "sink");
  gst_pad_link (pad, branch_pad);
  gst_element_sync_state_with_parent (branch);
}

/* Streaming thread: each demuxed track gets its own decodebin. */
static void
on_demuxed_pad (GstElement *demuxer, GstPad *pad, gpointer user_data)
{
  MediaCheck *check = user_data;
  GstElement *decodebin = gst_element_factory_make ("decodebin", NULL);
  g_autoptr (GstPad) decodebin_sink = NULL;

  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decoded_pad), check);
  gst_bin_add (GST_BIN (check->pipeline), decodebin);
  decodebin_sink = gst_element_get_static_pad (decodebin, "sink");
  gst_pad_link (pad, decodebin_sink);
  gst_element_sync_state_with_parent (decodebin);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  MediaCheck *check = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  switch (GST_MESSAGE_TYPE (message)) {
  case GST_MESSAGE_ERROR:
    gst_message_parse_error (message, &error, &debug);
    if (check->error == NULL)
      check->error = g_strdup_printf ("%s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
                                      error->message, debug != NULL ? debug : "no details");
    g_main_loop_quit (check->loop);
    break;
  case GST_MESSAGE_EOS:
    g_main_loop_quit (check->loop);
    break;
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  MediaCheck *check = user_data;

  check->timeout = 0;
  check->error = g_strdup_printf ("decoding did not finish within %d s", DECODE_TIMEOUT_S);
  g_main_loop_quit (check->loop);
  return G_SOURCE_REMOVE;
}

static GstElement *
build_pipeline (MediaCheck *check, const char *path)
{
  GstElement *pipeline = gst_pipeline_new ("media-check");
  GstElement *source = gst_element_factory_make ("filesrc", NULL);
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstElement *demuxer = gst_element_factory_make ("matroskademux", NULL);

  if (source == NULL || queue == NULL || demuxer == NULL) {
    g_printerr ("hz-media-check: filesrc, queue or matroskademux is not installed\n");
    gst_object_unref (pipeline);
    return NULL;
  }
  g_object_set (source, "location", path, NULL);
  gst_bin_add_many (GST_BIN (pipeline), source, queue, demuxer, NULL);
  gst_element_link_many (source, queue, demuxer, NULL);
  g_signal_connect (demuxer, "pad-added", G_CALLBACK (on_demuxed_pad), check);
  return pipeline;
}

static void
print_counts (const MediaCounts *counts)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "video_frames");
  json_builder_add_int_value (builder, counts->video_frames);
  json_builder_set_member_name (builder, "audio_buffers");
  json_builder_add_int_value (builder, counts->audio_buffers);
  json_builder_set_member_name (builder, "audio_rms_db_max");
  json_builder_add_double_value (builder, round (counts->audio_rms_db_max * 10) / 10);
  json_builder_set_member_name (builder, "first_pts_s");
  json_builder_add_double_value (builder, counts->first_pts / (double) GST_SECOND);
  json_builder_set_member_name (builder, "last_pts_s");
  json_builder_add_double_value (builder, counts->last_pts / (double) GST_SECOND);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  printf ("%s\n", text);
}

/* Parses the command line: --help prints the usage and exits 0, and
 * anything but one FILE argument exits 1 with the usage on stderr. */
static void
parse_command_line (int *argc, char ***argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("FILE");
  g_autoptr (GError) error = NULL;
  g_autofree char *usage = NULL;

  g_option_context_set_summary (context,
      "Decodes the recording FILE (WebM or Matroska) and prints one JSON line on stdout:\n"
      "{\"video_frames\":N,\"audio_buffers\":N,\"audio_rms_db_max\":X,"
      "\"first_pts_s\":X,\"last_pts_s\":X}");
  g_option_context_set_description (context,
      "Exit status: 0 when FILE decodes, 1 when it does not or has no decodable frame.");
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, argc, argv, &error)) {
    g_printerr ("hz-media-check: %s\n", error->message);
    exit (1);
  }
  if (*argc != 2) {
    usage = g_option_context_get_help (context, TRUE, NULL);
    g_printerr ("%s", usage);
    exit (1);
  }
}

int
main (int argc, char **argv)
{
  MediaCheck check = { 0 };
  g_autoptr (GstBus) bus = NULL;
  guint bus_watch = 0;
  int status = 0;

  parse_command_line (&argc, &argv);
  g_log_writer_default_set_use_stderr (TRUE);
  if (!g_file_test (argv[1], G_FILE_TEST_IS_REGULAR)) {
    g_printerr ("hz-media-check: %s: no such file\n", argv[1]);
    return 1;
  }

  g_mutex_init (&check.counts.lock);
  check.counts.audio_rms_db_max = SILENCE_DB;
  check.counts.first_pts = GST_CLOCK_TIME_NONE;
  check.counts.last_pts = GST_CLOCK_TIME_NONE;
  check.loop = g_main_loop_new (NULL, FALSE);
  check.pipeline = build_pipeline (&check, argv[1]);
  if (check.pipeline == NULL)
    return 1;

  bus = gst_pipeline_get_bus (GST_PIPELINE (check.pipeline));
  bus_watch = gst_bus_add_watch (bus, on_bus_message, &check);
  check.timeout = g_timeout_add_seconds (DECODE_TIMEOUT_S, on_timeout, &check);
  if (gst_element_set_state (check.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    check.error = g_strdup ("the pipeline failed to start");
  else
    g_main_loop_run (check.loop);

  /* Stopping the pipeline joins the streaming threads, so the counts are final. */
  gst_element_set_state (check.pipeline, GST_STATE_NULL);
  g_source_remove (bus_watch);
  g_clear_handle_id (&check.timeout, g_source_remove);

  if (check.error == NULL && check.counts.video_frames == 0 && check.counts.audio_buffers == 0)
    check.error = g_strdup ("no decodable video frame or audio buffer");
  if (check.error != NULL) {
    g_printerr ("hz-media-check: %s: %s\n", argv[1], check.error);
    status = 1;
  } else {
    print_counts (&check.counts);
  }

  g_free (check.error);
  gst_object_unref (check.pipeline);
  g_main_loop_unref (check.loop);
  g_mutex_clear (&check.counts.lock);
  return status;
}
