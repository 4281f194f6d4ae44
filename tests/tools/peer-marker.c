/* hz-test-peer: sync markers and muting of the publish connection.
 *
 * --marker-interval=S paints every video frame whose PTS lies in the first
 * HZ_PEER_MARKER_LENGTH of each S-second period white (a flash), and
 * silences the audio outside those same spans, leaving a
 * HZ_PEER_MARKER_FREQUENCY tone (a beep). Both use the PTS of one pipeline,
 * so flash and beep start at the same capture instant, to within one
 * video frame (33 ms at 30 fps) because frames start on their own grid.
 * With markers, peer-publish.c also bounds the leaky queues by time
 * instead of by buffers (HZ_PEER_MARKER_QUEUE_TIME), so the first packets
 * of audio and video that the relay gets were captured at about the same
 * instant. The relay lines up a publish's tracks by arrival until the
 * first RTCP sender report, and five queued frames of video (166 ms)
 * against five buffers of audio would put the first marker out of sync.
 *
 * --mute-at=A --mute-for=F closes the valves in front of the encoders A
 * seconds after the publish starts and opens them F seconds later: the
 * peer sends no RTP meanwhile, as a browser does for a track that is
 * muted or replaced by null.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#include <string.h>

static gboolean
in_marker (GstClockTime pts, GstClockTime interval)
{
  return pts % interval < HZ_PEER_MARKER_LENGTH;
}

/* Streaming thread: paints a flash into I420 frames inside a marker. */
static GstPadProbeReturn
paint_flash (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstClockTime interval = *(GstClockTime *) data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  const gsize luma = HZ_PEER_VIDEO_WIDTH * HZ_PEER_VIDEO_HEIGHT;
  GstMapInfo map;

  if (!GST_BUFFER_PTS_IS_VALID (buffer) || !in_marker (GST_BUFFER_PTS (buffer), interval))
    return GST_PAD_PROBE_OK;
  buffer = gst_buffer_make_writable (buffer);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (!gst_buffer_map (buffer, &map, GST_MAP_WRITE))
    return GST_PAD_PROBE_OK;
  /* Y at peak white, U and V at neutral: a white frame. */
  if (map.size >= luma * 3 / 2) {
    memset (map.data, 235, luma);
    memset (map.data + luma, 128, luma / 2);
  }
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

/* Streaming thread: zeroes the S16 mono samples outside the markers. */
static GstPadProbeReturn
gate_beep (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstClockTime interval = *(GstClockTime *) data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstMapInfo map;
  gint16 *samples;
  gsize n_samples;

  if (!GST_BUFFER_PTS_IS_VALID (buffer))
    return GST_PAD_PROBE_OK;
  buffer = gst_buffer_make_writable (buffer);
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (!gst_buffer_map (buffer, &map, GST_MAP_WRITE))
    return GST_PAD_PROBE_OK;
  samples = (gint16 *) map.data;
  n_samples = map.size / sizeof (gint16);
  for (gsize i = 0; i < n_samples; i++) {
    if (!in_marker (pts + gst_util_uint64_scale (i, GST_SECOND, 48000), interval))
      samples[i] = 0;
  }
  gst_buffer_unmap (buffer, &map);
  return GST_PAD_PROBE_OK;
}

static void
add_probe (HzConnection *publish, const char *element_name, GstPadProbeCallback callback,
           GstClockTime interval)
{
  g_autoptr (GstElement) element = gst_bin_get_by_name (GST_BIN (publish->pipeline),
                                                        element_name);
  g_autoptr (GstPad) pad = NULL;
  GstClockTime *data;

  if (element == NULL)
    return;   /* an audio-only publish has no video source */
  pad = gst_element_get_static_pad (element, "src");
  data = g_new (GstClockTime, 1);
  *data = interval;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, callback, data, g_free);
}

void
hz_marker_add (HzConnection *publish, double interval_s)
{
  GstClockTime interval = (GstClockTime) (interval_s * GST_SECOND);

  add_probe (publish, "video-source", paint_flash, interval);
  add_probe (publish, "audio-source", gate_beep, interval);
}

/* Returns the valves of PUBLISH (see peer-publish.c), referenced. */
static GPtrArray *
get_valves (HzConnection *publish)
{
  const char *names[] = { "video-valve", "video2-valve", "audio-valve" };
  GPtrArray *valves = g_ptr_array_new_with_free_func (gst_object_unref);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    GstElement *valve = gst_bin_get_by_name (GST_BIN (publish->pipeline), names[i]);

    if (valve != NULL)
      g_ptr_array_add (valves, valve);
  }
  return valves;
}

static void
set_drop (GPtrArray *valves, gboolean drop)
{
  for (guint i = 0; i < valves->len; i++)
    g_object_set (valves->pdata[i], "drop", drop, NULL);
}

/* The valves of one publish and the mute's length. */
typedef struct {
  GPtrArray *valves;
  guint for_ms;
} MuteState;

static void
mute_state_free (gpointer data)
{
  MuteState *state = data;

  g_ptr_array_unref (state->valves);
  g_free (state);
}

static void
set_valves (MuteState *state, gboolean drop)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  set_drop (state->valves, drop);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, drop ? "muted" : "unmuted");
  json_builder_end_object (builder);
  hz_peer_print_event (builder);
}

static gboolean
on_unmute (gpointer data)
{
  set_valves (data, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
on_mute (gpointer data)
{
  MuteState *state = data;

  set_valves (state, TRUE);
  g_timeout_add_full (G_PRIORITY_DEFAULT, state->for_ms, on_unmute, state, mute_state_free);
  return G_SOURCE_REMOVE;
}

void
hz_mute_schedule (HzConnection *publish, double at_s, double for_s)
{
  MuteState *state = g_new0 (MuteState, 1);

  state->valves = get_valves (publish);
  state->for_ms = (guint) (for_s * 1000);
  g_timeout_add ((guint) (at_s * 1000), on_mute, state);
}
