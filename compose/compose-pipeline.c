/* The composing pipeline; see compose-pipeline.h. */
#include "compose-pipeline.h"
#include "compose-layout.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <unistd.h>

GST_DEBUG_CATEGORY_STATIC (hz_compose_debug);
#define GST_CAT_DEFAULT hz_compose_debug

#define PROGRESS_INTERVAL_MS 500

/* Sample format that the mixer works in; each encoder converts from it. */
#define MIX_AUDIO_CAPS "audio/x-raw,format=F32LE,layout=interleaved,rate=48000,channels=2"

/* A timestamp gap in an audio track longer than this is filled with
 * silence; half of Opus's shortest frame (2.5 ms). */
#define AUDIO_GAP_TOLERANCE (1250 * GST_USECOND)

/* Each encoder queue buffers up to this much. x264enc runs with tune=zerolatency and
 * vp8enc with lag-in-frames=0, so neither keeps frames back and two muxers
 * fed from one tee cannot wait on each other. */
#define ENCODER_QUEUE_TIME (3 * GST_SECOND)

typedef struct {
  GstElement *pipeline;
  GMainLoop *loop;
  GError *error;
  HzComposeProgressFunc progress;
  gpointer progress_data;
  gint64 duration_ns;
  gint64 position_ns;
} Composer;

/* The chain from a track's decoder to its mixer pad. */
typedef struct {
  GstElement *first;       /* where decodebin's pad links */
  char *path;
} TrackChain;

static void
track_chain_free (gpointer data)
{
  TrackChain *chain = data;

  g_free (chain->path);
  g_free (chain);
}

static GstElement *
make_element (GstElement *pipeline, const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL) {
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_PIPELINE,
                 "GStreamer element %s is not installed", factory);
    return NULL;
  }
  gst_bin_add (GST_BIN (pipeline), element);
  return element;
}

static void
set_caps (GstElement *capsfilter, const char *text)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string (text);

  g_object_set (capsfilter, "caps", caps, NULL);
}

/* Rewrites each TIME segment so that running time equals the file's
 * timestamps. matroskademux starts its segment at the first block's
 * timestamp, which would move a track whose first frame comes late (after
 * a leading gap or a lost keyframe) earlier by that much. */
static GstPadProbeReturn
on_segment (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
  const GstSegment *segment;
  GstSegment file_segment;

  if (GST_EVENT_TYPE (event) != GST_EVENT_SEGMENT)
    return GST_PAD_PROBE_OK;
  gst_event_parse_segment (event, &segment);
  if (segment->format != GST_FORMAT_TIME || (segment->start == 0 && segment->base == 0))
    return GST_PAD_PROBE_OK;

  gst_segment_copy_into (segment, &file_segment);
  file_segment.start = 0;
  file_segment.time = 0;
  file_segment.base = 0;
  file_segment.position = 0;
  GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_segment (&file_segment);
  gst_event_unref (event);
  return GST_PAD_PROBE_OK;
}

static void
on_decoded_pad (GstElement *decodebin, GstPad *pad, gpointer data)
{
  TrackChain *chain = data;
  g_autoptr (GstPad) sink = gst_element_get_static_pad (chain->first, "sink");

  if (gst_pad_is_linked (sink)) {
    GST_WARNING ("%s: ignoring a second decoded stream", chain->path);
    return;
  }
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_segment, NULL, NULL);
  if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    GST_ERROR ("%s: cannot link the decoded stream", chain->path);
}

/* Adds filesrc ! decodebin for TRACK; decodebin links to CHAIN_FIRST once
 * it has found the stream's type. */
static gboolean
add_source (GstElement *pipeline, const HzComposeTrack *track, GstElement *chain_first,
            GError **error)
{
  GstElement *source = make_element (pipeline, "filesrc", error);
  GstElement *decodebin = source != NULL ? make_element (pipeline, "decodebin", error) : NULL;
  TrackChain *chain;

  if (decodebin == NULL)
    return FALSE;
  g_object_set (source, "location", track->path, NULL);
  gst_element_link (source, decodebin);
  chain = g_new0 (TrackChain, 1);
  chain->first = chain_first;
  chain->path = g_strdup (track->path);
  g_signal_connect_data (decodebin, "pad-added", G_CALLBACK (on_decoded_pad), chain,
                         (GClosureNotify) (void (*) (void)) track_chain_free, 0);
  return TRUE;
}

/* Moves each buffer earlier by the gint64 at DATA (nanoseconds), and drops
 * the buffers that would then start before 0. */
static GstPadProbeReturn
on_early_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  gint64 shift_ns = *(gint64 *) data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  if (!GST_BUFFER_PTS_IS_VALID (buffer) || GST_BUFFER_PTS (buffer) < (GstClockTime) shift_ns)
    return GST_PAD_PROBE_DROP;
  buffer = gst_buffer_make_writable (buffer);
  GST_BUFFER_PTS (buffer) -= (GstClockTime) shift_ns;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  return GST_PAD_PROBE_OK;
}

/* Links LAST's src pad to a new request pad of MIXER, shifted by
 * OFFSET_NS, and returns that mixer pad. A track that starts before the
 * composed file (OFFSET_NS < 0) loses what comes before 0: a negative pad
 * offset there left the mixers waiting, so its buffers are moved and
 * dropped by a probe instead. */
static GstPad *
link_to_mixer (GstElement *last, GstElement *mixer, gint64 offset_ns, GError **error)
{
  g_autoptr (GstPad) src = gst_element_get_static_pad (last, "src");
  GstPad *mixer_pad = gst_element_request_pad_simple (mixer, "sink_%u");

  if (offset_ns >= 0) {
    gst_pad_set_offset (src, offset_ns);
  } else {
    gint64 *shift_ns = g_new (gint64, 1);

    *shift_ns = -offset_ns;
    gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER, on_early_buffer, shift_ns, g_free);
  }
  if (gst_pad_link (src, mixer_pad) != GST_PAD_LINK_OK) {
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_PIPELINE,
                 "cannot link %s to %s", GST_OBJECT_NAME (last), GST_OBJECT_NAME (mixer));
    gst_object_unref (mixer_pad);
    return NULL;
  }
  return mixer_pad;
}

/* Links SOURCE to SINK, which are in one bin. */
static gboolean
link_pair (GstElement *source, GstElement *sink, GError **error)
{
  if (gst_element_link (source, sink))
    return TRUE;
  g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_PIPELINE, "cannot link %s to %s",
               GST_OBJECT_NAME (source), GST_OBJECT_NAME (sink));
  return FALSE;
}

/* decodebin ─▶ videoconvert ! videoscale ! caps ! queue ─▶ compositor,
 * at RECT and shifted by the track's offset. */
static gboolean
add_video_track (GstElement *pipeline, GstElement *compositor, const HzComposeTrack *track,
                 const HzComposeRect *rect, GError **error)
{
  g_autofree char *caps = g_strdup_printf ("video/x-raw,width=%d,height=%d,pixel-aspect-ratio=1/1",
                                           rect->width, rect->height);
  g_autoptr (GstPad) mixer_pad = NULL;
  GstElement *convert, *scale, *filter, *queue;

  if ((convert = make_element (pipeline, "videoconvert", error)) == NULL
      || (scale = make_element (pipeline, "videoscale", error)) == NULL
      || (filter = make_element (pipeline, "capsfilter", error)) == NULL
      || (queue = make_element (pipeline, "queue", error)) == NULL)
    return FALSE;
  g_object_set (scale, "add-borders", TRUE, NULL);
  set_caps (filter, caps);
  if (!link_pair (convert, scale, error) || !link_pair (scale, filter, error)
      || !link_pair (filter, queue, error))
    return FALSE;

  mixer_pad = link_to_mixer (queue, compositor, track->offset_ns, error);
  if (mixer_pad == NULL)
    return FALSE;
  g_object_set (mixer_pad, "xpos", rect->x, "ypos", rect->y, "width", rect->width,
                "height", rect->height, "zorder", (guint) rect->zorder, NULL);
  return add_source (pipeline, track, convert, error);
}

/* decodebin ─▶ audioconvert ! audioresample ! caps ! audiorate ! queue
 * ─▶ audiomixer. */
static gboolean
add_audio_track (GstElement *pipeline, GstElement *audiomixer, const HzComposeTrack *track,
                 GError **error)
{
  g_autoptr (GstPad) mixer_pad = NULL;
  GstElement *convert, *resample, *filter, *rate, *queue;

  if ((convert = make_element (pipeline, "audioconvert", error)) == NULL
      || (resample = make_element (pipeline, "audioresample", error)) == NULL
      || (filter = make_element (pipeline, "capsfilter", error)) == NULL
      || (rate = make_element (pipeline, "audiorate", error)) == NULL
      || (queue = make_element (pipeline, "queue", error)) == NULL)
    return FALSE;
  set_caps (filter, MIX_AUDIO_CAPS);
  /* An Opus track has gaps in its timestamps: DTX sends no packet for most
   * of a silence, and lost packets leave holes. audiomixer lays samples
   * after a gap shorter than its discont-wait (1 s) straight after the
   * previous ones, which moved a beep 160 ms before its flash. audiorate
   * fills every gap longer than AUDIO_GAP_TOLERANCE with silence. */
  g_object_set (rate, "tolerance", (guint64) AUDIO_GAP_TOLERANCE, "skip-to-first", TRUE, NULL);
  if (!link_pair (convert, resample, error) || !link_pair (resample, filter, error)
      || !link_pair (filter, rate, error) || !link_pair (rate, queue, error))
    return FALSE;

  mixer_pad = link_to_mixer (queue, audiomixer, track->offset_ns, error);
  if (mixer_pad == NULL)
    return FALSE;
  return add_source (pipeline, track, convert, error);
}

/* A black or silent source of DURATION_NS for a session without video or
 * without audio, so that both outputs still have both streams. */
static gboolean
add_filler (GstElement *pipeline, GstElement *mixer, gboolean video, gint64 duration_ns,
            int framerate, GError **error)
{
  GstElement *source = make_element (pipeline, video ? "videotestsrc" : "audiotestsrc", error);
  g_autoptr (GstPad) mixer_pad = NULL;
  int buffers_per_second = video ? framerate : 50;

  if (source == NULL)
    return FALSE;
  if (video)
    g_object_set (source, "pattern", 2 /* black */, NULL);
  else
    g_object_set (source, "wave", 4 /* silence */, "samplesperbuffer", 48000 / 50, NULL);
  g_object_set (source, "num-buffers",
                (int) MAX (1, duration_ns * buffers_per_second / GST_SECOND), NULL);
  mixer_pad = link_to_mixer (source, mixer, 0, error);
  return mixer_pad != NULL;
}

static GstElement *
add_queue (GstElement *pipeline, GError **error)
{
  GstElement *queue = make_element (pipeline, "queue", error);

  if (queue != NULL)
    g_object_set (queue, "max-size-time", (guint64) ENCODER_QUEUE_TIME, "max-size-buffers", 0,
                  "max-size-bytes", 0, NULL);
  return queue;
}

/* Links TEE through a queue and ENCODER to MUXER. */
static gboolean
add_encoder_branch (GstElement *pipeline, GstElement *tee, GstElement *encoder,
                    GstElement *muxer, gboolean audio, GError **error)
{
  GstElement *queue = add_queue (pipeline, error);
  GstElement *convert = NULL;

  if (queue == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), encoder);
  if (audio && (convert = make_element (pipeline, "audioconvert", error)) == NULL)
    return FALSE;
  if (!link_pair (tee, queue, error))
    return FALSE;
  if (convert != NULL) {
    if (!link_pair (queue, convert, error) || !link_pair (convert, encoder, error))
      return FALSE;
  } else if (!link_pair (queue, encoder, error)) {
    return FALSE;
  }
  return link_pair (encoder, muxer, error);
}

static GstElement *
make_named (const char *factory, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_PIPELINE,
                 "GStreamer element %s is not installed", factory);
  return element;
}

/* Adds MUXER ! filesink location=PARTIAL_PATH and the video and audio
 * encoders feeding it from the two tees. */
static gboolean
add_output (GstElement *pipeline, GstElement *video_tee, GstElement *audio_tee,
            const char *muxer_factory, const char *video_factory, const char *audio_factory,
            const char *partial_path, GError **error)
{
  GstElement *muxer = make_element (pipeline, muxer_factory, error);
  GstElement *sink = muxer != NULL ? make_element (pipeline, "filesink", error) : NULL;
  GstElement *video_encoder, *audio_encoder;

  if (sink == NULL)
    return FALSE;
  g_object_set (sink, "location", partial_path, NULL);
  if (!link_pair (muxer, sink, error))
    return FALSE;

  video_encoder = make_named (video_factory, error);
  if (video_encoder == NULL)
    return FALSE;
  if (g_str_equal (video_factory, "vp8enc"))
    /* deadline=1 with cpu-used=16 is libvpx's fastest realtime mode, so
     * that composing stays faster than real time on two cores. One thread:
     * with two, libvpx (1.12) spent 44% of the composer's CPU time in its
     * spin-waits between rows, and composing took twice the CPU time
     * (docs/benchmarks.md). */
    g_object_set (video_encoder, "deadline", (gint64) 1, "cpu-used", 16, "lag-in-frames", 0,
                  "threads", 1, "target-bitrate", 1500000, "keyframe-max-dist", 150, NULL);
  else {
    gst_util_set_object_arg (G_OBJECT (video_encoder), "tune", "zerolatency");
    gst_util_set_object_arg (G_OBJECT (video_encoder), "speed-preset", "superfast");
    g_object_set (video_encoder, "bitrate", 1500, "key-int-max", 150, NULL);
  }
  if (!add_encoder_branch (pipeline, video_tee, video_encoder, muxer, FALSE, error))
    return FALSE;

  audio_encoder = make_named (audio_factory, error);
  if (audio_encoder == NULL)
    return FALSE;
  return add_encoder_branch (pipeline, audio_tee, audio_encoder, muxer, TRUE, error);
}

/* Builds the pipeline. Partial output paths are OPTIONS' paths + ".partial". */
static GstElement *
build_pipeline (HzComposeSession *session, const HzComposeOptions *options,
                const char *webm_partial, const char *mp4_partial, GError **error)
{
  g_autoptr (GstElement) pipeline = gst_pipeline_new ("compose");
  g_autofree HzComposeRect *rects = g_new0 (HzComposeRect, session->tracks->len);
  g_autofree char *video_caps = g_strdup_printf ("video/x-raw,format=I420,width=%d,height=%d,"
                                                 "framerate=%d/1,pixel-aspect-ratio=1/1",
                                                 options->width, options->height,
                                                 options->framerate);
  GstElement *compositor, *video_filter, *video_tee, *audiomixer, *audio_filter, *audio_tee;
  guint n_video = 0, n_audio = 0;

  if ((compositor = make_element (pipeline, "compositor", error)) == NULL
      || (video_filter = make_element (pipeline, "capsfilter", error)) == NULL
      || (video_tee = make_element (pipeline, "tee", error)) == NULL
      || (audiomixer = make_element (pipeline, "audiomixer", error)) == NULL
      || (audio_filter = make_element (pipeline, "capsfilter", error)) == NULL
      || (audio_tee = make_element (pipeline, "tee", error)) == NULL)
    return NULL;
  gst_util_set_object_arg (G_OBJECT (compositor), "background", "black");
  set_caps (video_filter, video_caps);
  set_caps (audio_filter, MIX_AUDIO_CAPS);
  if (!link_pair (compositor, video_filter, error) || !link_pair (video_filter, video_tee, error)
      || !link_pair (audiomixer, audio_filter, error) || !link_pair (audio_filter, audio_tee, error))
    return NULL;

  hz_compose_layout (session, options->width, options->height, rects);
  for (guint i = 0; i < session->tracks->len; i++) {
    HzComposeTrack *track = session->tracks->pdata[i];
    gboolean added;

    GST_INFO ("%s: offset %" GST_STIME_FORMAT ", at %dx%d+%d+%d", track->path,
              GST_STIME_ARGS (track->offset_ns), rects[i].width, rects[i].height, rects[i].x,
              rects[i].y);
    if (g_str_equal (track->kind, "video")) {
      added = add_video_track (pipeline, compositor, track, &rects[i], error);
      n_video++;
    } else {
      added = add_audio_track (pipeline, audiomixer, track, error);
      n_audio++;
    }
    if (!added)
      return NULL;
  }
  if ((n_video == 0 && !add_filler (pipeline, compositor, TRUE, session->duration_ns,
                                    options->framerate, error))
      || (n_audio == 0 && !add_filler (pipeline, audiomixer, FALSE, session->duration_ns,
                                       options->framerate, error)))
    return NULL;

  if (!add_output (pipeline, video_tee, audio_tee, "webmmux", "vp8enc", "opusenc", webm_partial,
                   error)
      || !add_output (pipeline, video_tee, audio_tee, "mp4mux", "x264enc", "voaacenc",
                      mp4_partial, error))
    return NULL;
  return g_steal_pointer (&pipeline);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer data)
{
  Composer *composer = data;

  switch (GST_MESSAGE_TYPE (message)) {
  case GST_MESSAGE_EOS:
    g_main_loop_quit (composer->loop);
    break;
  case GST_MESSAGE_ERROR: {
    g_autoptr (GError) error = NULL;
    g_autofree char *debug = NULL;

    gst_message_parse_error (message, &error, &debug);
    if (composer->error == NULL)
      composer->error = g_error_new (HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_PIPELINE, "%s: %s",
                                     GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
    GST_ERROR ("%s (%s)", error->message, debug != NULL ? debug : "no details");
    g_main_loop_quit (composer->loop);
    break;
  }
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
report_progress (gpointer data)
{
  Composer *composer = data;
  gint64 position = 0;

  if (gst_element_query_position (composer->pipeline, GST_FORMAT_TIME, &position)
      && position > composer->position_ns)
    composer->position_ns = position;
  if (composer->progress != NULL)
    composer->progress (composer->position_ns, composer->duration_ns, composer->progress_data);
  return G_SOURCE_CONTINUE;
}

/* Flushes PATH to disk, so that a rename after it never names a file whose
 * data a power loss could still take. */
static gboolean
sync_file (const char *path, GError **error)
{
  int fd = g_open (path, O_RDONLY, 0);
  gboolean ok;

  if (fd < 0) {
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_OUTPUT, "cannot open %s: %s",
                 path, g_strerror (errno));
    return FALSE;
  }
  ok = fsync (fd) == 0;
  if (!ok)
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_OUTPUT, "cannot sync %s: %s",
                 path, g_strerror (errno));
  close (fd);
  return ok;
}

static gboolean
publish_output (const char *partial, const char *final, GError **error)
{
  if (!sync_file (partial, error))
    return FALSE;
  if (g_rename (partial, final) != 0) {
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_OUTPUT, "cannot rename %s to %s: %s",
                 partial, final, g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

gboolean
hz_compose_run (HzComposeSession *session, const HzComposeOptions *options,
                HzComposeProgressFunc progress, gpointer user_data, gint64 *duration_ns,
                GError **error)
{
  g_autofree char *webm_partial = g_strconcat (options->webm_path, ".partial", NULL);
  g_autofree char *mp4_partial = g_strconcat (options->mp4_path, ".partial", NULL);
  g_autoptr (GstBus) bus = NULL;
  Composer composer = { NULL, };
  guint progress_id;
  gboolean ok = FALSE;

  GST_DEBUG_CATEGORY_INIT (hz_compose_debug, "hz-compose", 0, "Huizhen composed recordings");

  composer.pipeline = build_pipeline (session, options, webm_partial, mp4_partial, error);
  if (composer.pipeline == NULL)
    goto out;
  composer.loop = g_main_loop_new (NULL, FALSE);
  composer.progress = progress;
  composer.progress_data = user_data;
  composer.duration_ns = session->duration_ns;

  bus = gst_element_get_bus (composer.pipeline);
  gst_bus_add_watch (bus, on_bus_message, &composer);
  progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, report_progress, &composer);
  if (gst_element_set_state (composer.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE
      && composer.error == NULL)
    composer.error = g_error_new_literal (HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_PIPELINE,
                                          "the composing pipeline failed to start");
  if (composer.error == NULL)
    g_main_loop_run (composer.loop);
  report_progress (&composer);
  g_source_remove (progress_id);
  gst_element_set_state (composer.pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);

  if (composer.error != NULL) {
    g_propagate_error (error, g_steal_pointer (&composer.error));
    goto out;
  }
  if (!publish_output (webm_partial, options->webm_path, error)
      || !publish_output (mp4_partial, options->mp4_path, error))
    goto out;
  *duration_ns = composer.position_ns;
  ok = TRUE;

out:
  if (!ok) {
    g_unlink (webm_partial);
    g_unlink (mp4_partial);
  }
  g_clear_pointer (&composer.loop, g_main_loop_unref);
  g_clear_object (&composer.pipeline);
  return ok;
}
