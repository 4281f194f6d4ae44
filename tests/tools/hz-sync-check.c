/* hz-sync-check: finds the flashes and beeps of hz-test-peer
 * --marker-interval in a composed recording (WebM or MP4).
 *
 *   filesrc ! decodebin ─┬─ videoconvert ! GRAY8 ! fakesink    (mean luma of --region)
 *                        └─ audioconvert ! F32 mono 48 kHz ! fakesink   (1 kHz level)
 *
 * A flash starts at the first frame whose region's mean luma reaches 160
 * after one below it. A beep starts at the first 10 ms window, taken every
 * 5 ms, whose 1 kHz amplitude (Goertzel filter, Hann window) reaches 0.1
 * after one below it. Other participants' 440 Hz tone stays far below that
 * at 1 kHz.
 *
 * Output, one JSON line on stdout:
 *   {"flashes":[s,...],"beeps":[s,...],"video_end_s":X,"audio_end_s":X}
 * with times in seconds of the file's timeline. Exit status 1, with the
 * reason on stderr, when the file does not decode.
 */
#define G_LOG_DOMAIN "hz-sync-check"

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#define DECODE_TIMEOUT_S 120
#define FLASH_LUMA 160.0
#define BEEP_FREQUENCY 1000.0
#define BEEP_AMPLITUDE 0.1
#define SAMPLE_RATE 48000
#define WINDOW_SAMPLES 480   /* 10 ms */
#define HOP_SAMPLES 240      /* 5 ms */

typedef struct {
  int x, y, width, height;
} Region;

typedef struct {
  GMutex lock;
  Region region;
  GArray *flashes;            /* double seconds */
  GArray *beeps;
  gboolean in_flash;
  gboolean in_beep;
  GstClockTime video_end;
  GstClockTime audio_end;
  /* Audio not yet analysed, and the time of its first sample. */
  GArray *samples;            /* float */
  GstClockTime samples_start;
} SyncMarks;

typedef struct {
  GMainLoop *loop;
  GstElement *pipeline;
  SyncMarks marks;
  char *error;
} SyncCheck;

static double
region_mean_luma (const guint8 *data, int stride, int width, int height, const Region *region)
{
  int x0 = CLAMP (region->x, 0, width), y0 = CLAMP (region->y, 0, height);
  int x1 = CLAMP (region->x + region->width, 0, width);
  int y1 = CLAMP (region->y + region->height, 0, height);
  guint64 sum = 0;

  if (x1 <= x0 || y1 <= y0)
    return 0;
  for (int y = y0; y < y1; y++) {
    for (int x = x0; x < x1; x++)
      sum += data[y * stride + x];
  }
  return (double) sum / ((x1 - x0) * (y1 - y0));
}

static void
on_video_frame (GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer data)
{
  SyncMarks *marks = data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  GstStructure *structure = gst_caps_get_structure (caps, 0);
  int width = 0, height = 0;
  GstMapInfo map;
  double luma;

  if (!gst_structure_get_int (structure, "width", &width)
      || !gst_structure_get_int (structure, "height", &height)
      || !GST_BUFFER_PTS_IS_VALID (buffer) || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  /* GRAY8 rows are padded to 4 bytes. */
  luma = region_mean_luma (map.data, GST_ROUND_UP_4 (width), width, height, &marks->region);
  gst_buffer_unmap (buffer, &map);

  g_mutex_lock (&marks->lock);
  if (luma >= FLASH_LUMA && !marks->in_flash) {
    double seconds = (double) GST_BUFFER_PTS (buffer) / GST_SECOND;

    g_array_append_val (marks->flashes, seconds);
  }
  marks->in_flash = luma >= FLASH_LUMA;
  marks->video_end = GST_BUFFER_PTS (buffer) + (GST_BUFFER_DURATION_IS_VALID (buffer)
                                                ? GST_BUFFER_DURATION (buffer) : 0);
  g_mutex_unlock (&marks->lock);
}

/* Amplitude of BEEP_FREQUENCY in WINDOW_SAMPLES samples. */
static double
beep_amplitude (const float *samples)
{
  double coefficient = 2 * cos (2 * G_PI * BEEP_FREQUENCY / SAMPLE_RATE);
  double s1 = 0, s2 = 0, window_sum = 0, power;

  for (int i = 0; i < WINDOW_SAMPLES; i++) {
    double window = 0.5 - 0.5 * cos (2 * G_PI * i / (WINDOW_SAMPLES - 1));
    double s0 = samples[i] * window + coefficient * s1 - s2;

    window_sum += window;
    s2 = s1;
    s1 = s0;
  }
  power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return 2 * sqrt (MAX (power, 0)) / window_sum;
}

/* Analyses the complete windows of MARKS->samples; called with the lock. */
static void
scan_beeps (SyncMarks *marks)
{
  guint done = 0;

  while (marks->samples->len - done >= WINDOW_SAMPLES) {
    const float *window = &g_array_index (marks->samples, float, done);
    gboolean beep = beep_amplitude (window) >= BEEP_AMPLITUDE;

    if (beep && !marks->in_beep) {
      double seconds = (double) (marks->samples_start
                                 + gst_util_uint64_scale (done, GST_SECOND, SAMPLE_RATE))
                       / GST_SECOND;

      g_array_append_val (marks->beeps, seconds);
    }
    marks->in_beep = beep;
    done += HOP_SAMPLES;
  }
  g_array_remove_range (marks->samples, 0, done);
  marks->samples_start += gst_util_uint64_scale (done, GST_SECOND, SAMPLE_RATE);
}

static void
on_audio_buffer (GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer data)
{
  SyncMarks *marks = data;
  GstMapInfo map;
  guint n_samples;

  if (!GST_BUFFER_PTS_IS_VALID (buffer) || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return;
  n_samples = map.size / sizeof (float);

  g_mutex_lock (&marks->lock);
  /* A gap or the first buffer restarts the analysis at this buffer. */
  if (marks->samples->len == 0
      || GST_BUFFER_IS_DISCONT (buffer)
      || ABS ((gint64) GST_BUFFER_PTS (buffer)
              - (gint64) (marks->samples_start
                          + gst_util_uint64_scale (marks->samples->len, GST_SECOND,
                                                   SAMPLE_RATE))) > 2 * GST_MSECOND) {
    g_array_set_size (marks->samples, 0);
    marks->samples_start = GST_BUFFER_PTS (buffer);
  }
  g_array_append_vals (marks->samples, map.data, n_samples);
  scan_beeps (marks);
  marks->audio_end = GST_BUFFER_PTS (buffer)
                     + gst_util_uint64_scale (n_samples, GST_SECOND, SAMPLE_RATE);
  g_mutex_unlock (&marks->lock);
  gst_buffer_unmap (buffer, &map);
}

static void
on_pad_added (GstElement *decodebin, GstPad *pad, gpointer data)
{
  SyncCheck *check = data;
  g_autoptr (GstCaps) caps = gst_pad_query_caps (pad, NULL);
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));
  gboolean video = g_str_has_prefix (name, "video/");
  const char *description = video
    ? "videoconvert ! video/x-raw,format=GRAY8 ! fakesink name=sink sync=false signal-handoffs=true"
    : "audioconvert ! audioresample ! audio/x-raw,format=F32LE,rate=48000,channels=1 "
      "! fakesink name=sink sync=false signal-handoffs=true";
  g_autoptr (GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description (description, TRUE, &error);
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) sink_pad = NULL;

  if (bin == NULL) {
    g_printerr ("hz-sync-check: %s\n", error->message);
    return;
  }
  sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  g_signal_connect (sink, "handoff", video ? G_CALLBACK (on_video_frame)
                                           : G_CALLBACK (on_audio_buffer), &check->marks);
  gst_bin_add (GST_BIN (check->pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  sink_pad = gst_element_get_static_pad (bin, "sink");
  if (gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    g_printerr ("hz-sync-check: cannot link the %s stream\n", name);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  SyncCheck *check = data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) error = NULL;

    gst_message_parse_error (message, &error, NULL);
    if (check->error == NULL)
      check->error = g_strdup (error->message);
    g_main_loop_quit (check->loop);
  } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS) {
    g_main_loop_quit (check->loop);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer data)
{
  SyncCheck *check = data;

  check->error = g_strdup_printf ("decoding took longer than %d s", DECODE_TIMEOUT_S);
  g_main_loop_quit (check->loop);
  return G_SOURCE_REMOVE;
}

static void
add_times (JsonBuilder *builder, const char *member, GArray *times)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < times->len; i++)
    json_builder_add_double_value (builder, g_array_index (times, double, i));
  json_builder_end_array (builder);
}

static void
print_marks (SyncMarks *marks)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  add_times (builder, "flashes", marks->flashes);
  add_times (builder, "beeps", marks->beeps);
  json_builder_set_member_name (builder, "video_end_s");
  json_builder_add_double_value (builder, (double) marks->video_end / GST_SECOND);
  json_builder_set_member_name (builder, "audio_end_s");
  json_builder_add_double_value (builder, (double) marks->audio_end / GST_SECOND);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  printf ("%s\n", text);
}

int
main (int argc, char **argv)
{
  g_autofree char *region_text = NULL;
  GOptionEntry entries[] = {
    { "region", 0, 0, G_OPTION_ARG_STRING, &region_text,
      "The frame area where flashes appear, in pixels (default: the whole frame)", "X,Y,W,H" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("FILE - find sync markers");
  g_autoptr (GError) error = NULL;
  g_autoptr (GstBus) bus = NULL;
  SyncCheck check = { NULL, };
  GstElement *source, *decodebin;
  guint timeout_id;
  int status = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2) {
    g_printerr ("hz-sync-check: %s\n", error != NULL ? error->message : "expected one FILE");
    return 1;
  }
  check.marks.region = (Region) { 0, 0, G_MAXINT / 2, G_MAXINT / 2 };
  if (region_text != NULL
      && sscanf (region_text, "%d,%d,%d,%d", &check.marks.region.x, &check.marks.region.y,
                 &check.marks.region.width, &check.marks.region.height) != 4) {
    g_printerr ("hz-sync-check: --region \"%s\" is not X,Y,W,H\n", region_text);
    return 1;
  }

  g_mutex_init (&check.marks.lock);
  check.marks.flashes = g_array_new (FALSE, FALSE, sizeof (double));
  check.marks.beeps = g_array_new (FALSE, FALSE, sizeof (double));
  check.marks.samples = g_array_new (FALSE, FALSE, sizeof (float));
  check.loop = g_main_loop_new (NULL, FALSE);
  check.pipeline = gst_pipeline_new (NULL);
  source = gst_element_factory_make ("filesrc", NULL);
  decodebin = gst_element_factory_make ("decodebin", NULL);
  g_object_set (source, "location", argv[1], NULL);
  gst_bin_add_many (GST_BIN (check.pipeline), source, decodebin, NULL);
  gst_element_link (source, decodebin);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added), &check);

  bus = gst_element_get_bus (check.pipeline);
  gst_bus_add_watch (bus, on_bus_message, &check);
  timeout_id = g_timeout_add_seconds (DECODE_TIMEOUT_S, on_timeout, &check);
  gst_element_set_state (check.pipeline, GST_STATE_PLAYING);
  g_main_loop_run (check.loop);
  gst_element_set_state (check.pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);
  if (check.error == NULL)
    g_source_remove (timeout_id);

  if (check.error != NULL) {
    g_printerr ("hz-sync-check: %s: %s\n", argv[1], check.error);
    status = 1;
  } else {
    print_marks (&check.marks);
  }

  g_free (check.error);
  gst_object_unref (check.pipeline);
  g_main_loop_unref (check.loop);
  g_array_unref (check.marks.flashes);
  g_array_unref (check.marks.beeps);
  g_array_unref (check.marks.samples);
  g_mutex_clear (&check.marks.lock);
  return status;
}
