/* Recording branch of one published track; see recorder.h. */
#include "recorder.h"
#include "rtp-restamp.h"
#include "tee-branch.h"
#include "webrtc-util.h"

#include <glib/gstdio.h>
#include <gio/gio.h>

GST_DEBUG_CATEGORY_STATIC (hz_recorder_debug);
#define GST_CAT_DEFAULT hz_recorder_debug

/* The branch queue drops the oldest data past this much, so a slow disk
 * never stalls the tee and with it every subscriber of the track. */
#define RECORDER_QUEUE_TIME (2 * GST_SECOND)

/* Maximum duration of a WebM cluster, and so about the most media that a
 * SIGKILL of the relay costs a recording. */
#define RECORDER_CLUSTER_TIME (500 * GST_MSECOND)

typedef enum {
  RECORDER_RUNNING,
  RECORDER_FINISHING,
  RECORDER_DONE,
} RecorderState;

struct _HzRecorder {
  GstElement *pipeline;
  GstElement *tee;
  GstPad *tee_pad;
  GstElement *bin;
  GstPad *file_pad;               /* the filesink's sink pad */
  gulong eos_probe_id;
  char *kind;
  char *location;
  char *log_prefix;
  gint64 started_at;
  RecorderState state;            /* main thread only after start */
  gboolean eos_reached;
  gboolean failed;                /* stopped by hz_recorder_stop_on_error() */
  const char *failure_reason;     /* "disk_full" or NULL; static */
  guint timeout_id;
  HzRecorderDoneFunc done;
  gpointer done_data;
};

struct _HzRecordingOrigin {
  GMutex lock;
  GstClockTime running_time;      /* GST_CLOCK_TIME_NONE until the first buffer */
};

HzRecordingOrigin *
hz_recording_origin_new (void)
{
  HzRecordingOrigin *origin = g_atomic_rc_box_new0 (HzRecordingOrigin);

  g_mutex_init (&origin->lock);
  origin->running_time = GST_CLOCK_TIME_NONE;
  return origin;
}

HzRecordingOrigin *
hz_recording_origin_ref (HzRecordingOrigin *origin)
{
  return g_atomic_rc_box_acquire (origin);
}

static void
recording_origin_clear (HzRecordingOrigin *origin)
{
  g_mutex_clear (&origin->lock);
}

void
hz_recording_origin_unref (HzRecordingOrigin *origin)
{
  g_atomic_rc_box_release_full (origin, (GDestroyNotify) recording_origin_clear);
}

/* Returns the origin, which RUNNING_TIME sets if it is the first. */
static GstClockTime
recording_origin_claim (HzRecordingOrigin *origin, GstClockTime running_time)
{
  GstClockTime result;

  g_mutex_lock (&origin->lock);
  if (origin->running_time == GST_CLOCK_TIME_NONE)
    origin->running_time = running_time;
  result = origin->running_time;
  g_mutex_unlock (&origin->lock);
  return result;
}

static void
ensure_debug_category (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_recorder_debug, "hz-recorder", 0, "Huizhen relay recordings");
    g_once_init_leave (&initialized, 1);
  }
}

static void
recorder_clear (HzRecorder *recorder)
{
  g_clear_handle_id (&recorder->timeout_id, g_source_remove);
  g_clear_object (&recorder->file_pad);
  g_clear_object (&recorder->bin);
  g_clear_object (&recorder->tee_pad);
  g_clear_object (&recorder->tee);
  g_clear_object (&recorder->pipeline);
  g_free (recorder->kind);
  g_free (recorder->location);
  g_free (recorder->log_prefix);
}

static HzRecorder *
recorder_ref (HzRecorder *recorder)
{
  return g_atomic_rc_box_acquire (recorder);
}

static void
recorder_unref (gpointer recorder)
{
  g_atomic_rc_box_release_full (recorder, (GDestroyNotify) recorder_clear);
}

/* Returns the elements between the queue and the muxer for CAPS, as
 * factory names, or NULL for an unsupported codec. Opus needs opusparse
 * because rtpopusdepay (1.22) leaves out the rate that webmmux requires
 * unless the SDP had sprop-maxcapturerate, which Chromium does not send.
 * h264parse turns the depayloaded byte-stream into the avc form that
 * matroskamux stores. */
static const char *const *
decoder_chain_for_caps (const GstCaps *caps)
{
  static const char *const vp8[] = { "rtpvp8depay", NULL };
  static const char *const h264[] = { "rtph264depay", "h264parse", NULL };
  static const char *const opus[] = { "rtpopusdepay", "opusparse", NULL };
  const char *encoding = gst_structure_get_string (gst_caps_get_structure (caps, 0),
                                                   "encoding-name");

  if (encoding != NULL && g_ascii_strcasecmp (encoding, "VP8") == 0)
    return vp8;
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "H264") == 0)
    return h264;
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "OPUS") == 0)
    return opus;
  return NULL;
}

static gboolean
is_h264 (const GstCaps *caps)
{
  const char *encoding = gst_structure_get_string (gst_caps_get_structure (caps, 0),
                                                   "encoding-name");

  return encoding != NULL && g_ascii_strcasecmp (encoding, "H264") == 0;
}

const char *
hz_recorder_file_extension (const GstCaps *caps)
{
  return is_h264 (caps) ? "mkv" : "webm";
}

/* Creates FACTORY's element and adds it to BIN, linked after PREVIOUS. */
static GstElement *
add_element (GstElement *bin, GstElement *previous, const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "GStreamer element %s is not installed", factory);
    return NULL;
  }
  gst_bin_add (GST_BIN (bin), element);
  if (previous != NULL && !gst_element_link (previous, element)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link %s to %s",
                 GST_OBJECT_NAME (previous), factory);
    return NULL;
  }
  return element;
}

/* Builds the branch bin. FILE_SINK_PAD receives the filesink's sink pad and
 * MUX_INPUT_PAD the src pad linked to the muxer. */
static GstElement *
build_bin (const GstCaps *caps, const char *location, HzCaptureTiming *timing,
           GstPad **file_sink_pad, GstPad **mux_input_pad, GError **error)
{
  const char *const *chain = decoder_chain_for_caps (caps);
  g_autoptr (GstElement) bin = NULL;
  g_autoptr (GstPad) queue_sink = NULL;
  g_autoptr (GstPad) queue_src = NULL;
  GstElement *queue, *element, *mux, *sink;

  if (chain == NULL) {
    g_autofree char *text = gst_caps_to_string (caps);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "cannot record %s: only VP8, H.264 and Opus are supported", text);
    return NULL;
  }

  bin = gst_object_ref_sink (gst_bin_new (NULL));
  queue = element = add_element (bin, NULL, "queue", error);
  for (guint i = 0; element != NULL && chain[i] != NULL; i++)
    element = add_element (bin, element, chain[i], error);
  /* WebM allows VP8 and Opus but not H.264, which goes to Matroska. */
  mux = element != NULL ? add_element (bin, element, is_h264 (caps) ? "matroskamux" : "webmmux",
                                       error)
                        : NULL;
  sink = mux != NULL ? add_element (bin, mux, "filesink", error) : NULL;
  if (sink == NULL)
    return NULL;

  g_object_set (queue, "leaky", 2 /* downstream */, "max-size-time", (guint64) RECORDER_QUEUE_TIME,
                "max-size-buffers", 0, "max-size-bytes", 0, NULL);
  /* After a SIGKILL, matroskademux (1.22) read the files only up to the
   * last finished cluster: with webmmux's default cluster length, a 7 s
   * test recording lost about 1.8 s. Short clusters bound that loss. */
  g_object_set (mux,
                "min-cluster-duration", (gint64) RECORDER_CLUSTER_TIME,
                "max-cluster-duration", (gint64) RECORDER_CLUSTER_TIME, NULL);
  /* async=false: a sink added to a PLAYING pipeline must not make the
   * pipeline wait for preroll. Unbuffered writes survive a SIGKILL. */
  g_object_set (sink, "location", location, "buffer-mode", 2 /* unbuffered */,
                "async", FALSE, "sync", FALSE, NULL);

  queue_src = gst_element_get_static_pad (queue, "src");
  if (!hz_rtp_restamp_attach (queue_src, caps, hz_capture_timing_set_reference,
                              hz_capture_timing_ref (timing), hz_capture_timing_unref)) {
    GST_WARNING ("%s: no clock-rate in the caps; the file keeps the arrival times", location);
    hz_capture_timing_unref (timing);
  }

  queue_sink = gst_element_get_static_pad (queue, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", queue_sink));
  *file_sink_pad = gst_element_get_static_pad (sink, "sink");
  *mux_input_pad = gst_element_get_static_pad (element, "src");
  return g_steal_pointer (&bin);
}

static gboolean complete_on_main (gpointer data);

/* What the first-buffer probe needs: the shared origin and the pad whose
 * offset shifts the branch's timestamps. */
typedef struct {
  HzRecordingOrigin *origin;
  GstPad *offset_pad;
} OriginProbe;

static void
origin_probe_free (gpointer data)
{
  OriginProbe *probe = data;

  hz_recording_origin_unref (probe->origin);
  gst_object_unref (probe->offset_pad);
  g_free (probe);
}

/* Shifts the branch's timestamps by the recording origin when its first
 * buffer enters the queue, so that the file starts at the origin instead of
 * at the room pipeline's running time. The offset goes on the pad that
 * feeds webmmux: the depayloader makes a segment of its own, so an offset
 * upstream of it would be lost. */
static GstPadProbeReturn
on_first_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  OriginProbe *probe = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  g_autoptr (GstEvent) segment_event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  const GstSegment *segment;
  GstClockTime running_time, start;

  if (segment_event == NULL || !GST_BUFFER_PTS_IS_VALID (buffer))
    return GST_PAD_PROBE_OK;
  gst_event_parse_segment (segment_event, &segment);
  running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));
  if (running_time == GST_CLOCK_TIME_NONE)
    return GST_PAD_PROBE_OK;

  /* Another track may have claimed a later origin a moment before; never
   * shift a buffer below 0. */
  start = MIN (recording_origin_claim (probe->origin, running_time), running_time);
  gst_pad_set_offset (probe->offset_pad, -(gint64) start);
  GST_DEBUG_OBJECT (pad, "first buffer at running time %" GST_TIME_FORMAT ", origin %"
                    GST_TIME_FORMAT, GST_TIME_ARGS (running_time), GST_TIME_ARGS (start));
  return GST_PAD_PROBE_REMOVE;
}

static GstPadProbeReturn
on_file_sink_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  HzRecorder *recorder = data;

  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS) {
    g_atomic_int_set (&recorder->eos_reached, TRUE);
    g_idle_add_full (G_PRIORITY_DEFAULT, complete_on_main, recorder_ref (recorder), recorder_unref);
  }
  return GST_PAD_PROBE_OK;
}

HzRecorder *
hz_recorder_start (GstElement *pipeline, GstElement *tee, const GstCaps *caps,
                   const char *location, HzRecordingOrigin *origin, HzCaptureTiming *timing,
                   const char *log_prefix, GError **error)
{
  g_autoptr (GstElement) bin = NULL;
  g_autoptr (GstPad) bin_sink = NULL;
  g_autoptr (GstPad) file_pad = NULL;
  g_autoptr (GstPad) queue_sink = NULL;
  g_autoptr (GstPad) mux_input_pad = NULL;
  OriginProbe *origin_probe;
  HzRecorder *recorder;

  ensure_debug_category ();

  bin = build_bin (caps, location, timing, &file_pad, &mux_input_pad, error);
  if (bin == NULL)
    return NULL;

  recorder = g_atomic_rc_box_new0 (HzRecorder);
  recorder->pipeline = gst_object_ref (pipeline);
  recorder->tee = gst_object_ref (tee);
  recorder->bin = gst_object_ref (bin);
  recorder->kind = g_strdup (gst_structure_get_string (gst_caps_get_structure (caps, 0), "media"));
  recorder->location = g_strdup (location);
  recorder->log_prefix = g_strdup (log_prefix);
  recorder->started_at = g_get_real_time ();
  recorder->state = RECORDER_RUNNING;

  /* The probe holds a reference until complete_on_main() removes it. */
  recorder->file_pad = gst_object_ref (file_pad);
  recorder->eos_probe_id = gst_pad_add_probe (file_pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                                              on_file_sink_event, recorder_ref (recorder),
                                              recorder_unref);

  /* Start the branch before linking it, so that the first buffer finds it
   * running. */
  gst_bin_add (GST_BIN (pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  recorder->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  bin_sink = gst_element_get_static_pad (bin, "sink");
  hz_tee_branch_isolate (bin_sink, log_prefix);
  queue_sink = gst_ghost_pad_get_target (GST_GHOST_PAD (bin_sink));
  origin_probe = g_new0 (OriginProbe, 1);
  origin_probe->origin = hz_recording_origin_ref (origin);
  origin_probe->offset_pad = gst_object_ref (mux_input_pad);
  gst_pad_add_probe (queue_sink, GST_PAD_PROBE_TYPE_BUFFER, on_first_buffer, origin_probe,
                     origin_probe_free);
  if (gst_pad_link (recorder->tee_pad, bin_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link the tee to the recording of %s",
                 location);
    gst_element_release_request_pad (tee, recorder->tee_pad);
    hz_element_remove (pipeline, bin);
    gst_pad_remove_probe (recorder->file_pad, recorder->eos_probe_id);
    recorder_unref (recorder);
    return NULL;
  }

  g_message ("%s: recording to %s", log_prefix, location);
  return recorder;
}

/* Removes the branch and reports; runs once, on EOS or on the timeout. */
static gboolean
complete_on_main (gpointer data)
{
  HzRecorder *recorder = data;
  GStatBuf stat_buf;
  guint64 bytes = 0;
  gboolean complete = g_atomic_int_get (&recorder->eos_reached);

  if (recorder->state == RECORDER_DONE)
    return G_SOURCE_REMOVE;
  if (recorder->state == RECORDER_RUNNING) {
    /* EOS reached the file before hz_recorder_finish(), so the stream
     * ended upstream. The branch stays until hz_recorder_finish(). */
    return G_SOURCE_REMOVE;
  }
  recorder->state = RECORDER_DONE;
  g_clear_handle_id (&recorder->timeout_id, g_source_remove);

  hz_element_remove (recorder->pipeline, recorder->bin);
  gst_pad_remove_probe (recorder->file_pad, recorder->eos_probe_id);

  if (g_stat (recorder->location, &stat_buf) == 0)
    bytes = (guint64) stat_buf.st_size;
  if (recorder->failed)
    g_warning ("%s: recording %s stopped after an error, %" G_GUINT64_FORMAT " bytes kept",
               recorder->log_prefix, recorder->location, bytes);
  else if (complete)
    g_message ("%s: recording %s finished, %" G_GUINT64_FORMAT " bytes", recorder->log_prefix,
               recorder->location, bytes);
  else
    g_warning ("%s: recording %s: EOS did not reach the file within %d ms; the file has no index",
               recorder->log_prefix, recorder->location, HZ_RECORDER_FINISH_TIMEOUT_MS);

  recorder->done (recorder, complete, bytes, recorder->done_data);
  recorder_unref (recorder);   /* the reference that finish took over */
  return G_SOURCE_REMOVE;
}

static gboolean
on_finish_timeout (gpointer data)
{
  HzRecorder *recorder = data;

  recorder->timeout_id = 0;
  complete_on_main (recorder);
  return G_SOURCE_REMOVE;
}

static void
on_branch_detached (gpointer data)
{
  HzRecorder *recorder = data;
  g_autoptr (GstPad) bin_sink = gst_element_get_static_pad (recorder->bin, "sink");

  if (recorder->state != RECORDER_FINISHING)
    return;
  /* A failed branch cannot write the EOS (and its index) any more. */
  if (recorder->failed || g_atomic_int_get (&recorder->eos_reached)) {
    complete_on_main (recorder);
    return;
  }
  GST_DEBUG_OBJECT (recorder->bin, "%s: sending EOS to %s", recorder->log_prefix,
                    recorder->location);
  gst_pad_send_event (bin_sink, gst_event_new_eos ());
}

void
hz_recorder_finish (HzRecorder *recorder, HzRecorderDoneFunc done, gpointer user_data)
{
  g_return_if_fail (recorder->state == RECORDER_RUNNING);

  recorder->state = RECORDER_FINISHING;
  recorder->done = done;
  recorder->done_data = user_data;
  recorder->timeout_id = g_timeout_add (HZ_RECORDER_FINISH_TIMEOUT_MS, on_finish_timeout, recorder);
  hz_tee_branch_detach (recorder->tee, recorder->tee_pad, on_branch_detached,
                        recorder_ref (recorder), recorder_unref);
}

gboolean
hz_recorder_owns_message (const HzRecorder *recorder, GstMessage *message)
{
  GstObject *source = GST_MESSAGE_SRC (message);

  return source != NULL && recorder->state == RECORDER_RUNNING &&
         (source == GST_OBJECT (recorder->bin) ||
          gst_object_has_as_ancestor (source, GST_OBJECT (recorder->bin)));
}

void
hz_recorder_stop_on_error (HzRecorder *recorder, const GError *error, HzRecorderDoneFunc done,
                           gpointer user_data)
{
  g_return_if_fail (recorder->state == RECORDER_RUNNING);

  recorder->failed = TRUE;
  if (g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
    recorder->failure_reason = "disk_full";
  g_warning ("%s: recording %s stopped: %s", recorder->log_prefix, recorder->location,
             error->message);
  hz_recorder_finish (recorder, done, user_data);
}

const char *
hz_recorder_get_failure_reason (const HzRecorder *recorder)
{
  return recorder->failure_reason;
}

const char *
hz_recorder_get_kind (const HzRecorder *recorder)
{
  return recorder->kind;
}

const char *
hz_recorder_get_location (const HzRecorder *recorder)
{
  return recorder->location;
}

gint64
hz_recorder_get_started_at (const HzRecorder *recorder)
{
  return recorder->started_at;
}
