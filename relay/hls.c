/* HLS output of a teaching round; see hls.h. */
#include "hls.h"
#include "tee-branch.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

GST_DEBUG_CATEGORY_STATIC (hz_hls_debug);
#define GST_CAT_DEFAULT hz_hls_debug

/* The output frame rate; x264enc gets a keyframe at least every segment. */
#define FRAME_RATE 25
#define AUDIO_BITRATE 128000
#define AUDIO_RATE 48000
/* The maximum duration of data in each leaky queue; more drops the oldest. */
#define QUEUE_MAX_TIME (2 * GST_SECOND)
/* A gap longer than this (a presenter away) is not filled with copies of
 * the last frame. */
#define MAX_DUPLICATION_TIME GST_SECOND

typedef struct {
  HzHls *hls;
  GstElement *tee;
  GstPad *tee_pad;
  GstElement *bin;            /* queue ─▶ depay ─▶ decoder, in the pipeline */
} Input;

struct _HzHls {
  GstElement *pipeline;
  char *dir;
  char *log_prefix;
  guint segment_s;
  guint playlist_length;
  guint video_height;
  guint video_kbps;

  GstElement *encoder;        /* NULL until the first attach */
  GstElement *sink;           /* the encoder's hlssink2, owned by the encoder */
  GstPad *video_sink;         /* the encoder's ghost sink pads, or NULL */
  GstPad *audio_sink;
  Input *video;               /* attached inputs, or NULL */
  Input *audio;
  guint n_detaching;          /* inputs being unlinked from their tees */

  gboolean finishing;
  HzHlsDoneFunc done;
  gpointer done_data;
  guint finish_timeout_id;
};

static void
ensure_debug_category (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_hls_debug, "hz-hls", 0, "Huizhen HLS output");
    g_once_init_leave (&initialized, 1);
  }
}

HzHls *
hz_hls_new (GstElement *pipeline, const HzRelayConfig *config, const char *dir,
            const char *log_prefix, GError **error)
{
  HzHls *hls;

  ensure_debug_category ();
  /* The relay's umask 077 makes this 0700. Under a default ACL on
   * hls-dir the umask does not apply, and the group bits become the ACL
   * mask, so 0750 lets a web server's ACL entry read the directory. */
  if (g_mkdir_with_parents (dir, 0750) != 0) {
    int saved_errno = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "cannot create the HLS directory %s: %s", dir, g_strerror (saved_errno));
    return NULL;
  }

  hls = g_new0 (HzHls, 1);
  hls->pipeline = gst_object_ref (pipeline);
  hls->dir = g_strdup (dir);
  hls->log_prefix = g_strdup (log_prefix);
  hls->segment_s = config->hls_segment_s;
  hls->playlist_length = config->hls_playlist_length;
  hls->video_height = config->hls_video_height;
  hls->video_kbps = config->hls_video_kbps;
  return hls;
}

/* ---- building ---- */

static GstElement *
make (GstElement *bin, const char *factory, const char *name, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "the GStreamer element %s is missing; install the package that has it "
                 "(see scripts/deps.sh)", factory);
    return NULL;
  }
  gst_bin_add (GST_BIN (bin), element);
  return element;
}

static GstElement *
make_leaky_queue (GstElement *bin, const char *name, GError **error)
{
  GstElement *queue = make (bin, "queue", name, error);

  if (queue != NULL)
    g_object_set (queue, "leaky", 2 /* downstream: drop the oldest */,
                  "max-size-buffers", 0, "max-size-bytes", 0,
                  "max-size-time", (guint64) QUEUE_MAX_TIME, NULL);
  return queue;
}

/* Links the NULL-terminated ELEMENTS in order. */
static gboolean
link_chain (GError **error, GstElement *first, ...)
{
  va_list args;
  GstElement *previous = first;
  GstElement *next;
  gboolean ok = TRUE;

  va_start (args, first);
  while (ok && (next = va_arg (args, GstElement *)) != NULL) {
    if (!gst_element_link (previous, next)) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link %s to %s",
                   GST_OBJECT_NAME (previous), GST_OBJECT_NAME (next));
      ok = FALSE;
    }
    previous = next;
  }
  va_end (args);
  return ok;
}

/* Returns a new reference to the ghost pad, which BIN owns too. */
static GstPad *
add_ghost_pad (GstElement *bin, GstElement *element, const char *pad_name,
               const char *ghost_name)
{
  g_autoptr (GstPad) target = gst_element_get_static_pad (element, pad_name);
  GstPad *ghost = gst_ghost_pad_new (ghost_name, target);

  gst_element_add_pad (bin, ghost);
  return gst_object_ref (ghost);
}

static gboolean
build_video_encoder (HzHls *hls, GstElement *sink, GError **error)
{
  GstElement *bin = hls->encoder;
  GstElement *queue, *convert, *scale, *rate, *filter, *encoder, *parse;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  g_autoptr (GstPad) parse_src = NULL;

  if ((queue = make_leaky_queue (bin, "video-queue", error)) == NULL
      || (convert = make (bin, "videoconvert", NULL, error)) == NULL
      || (scale = make (bin, "videoscale", NULL, error)) == NULL
      || (rate = make (bin, "videorate", NULL, error)) == NULL
      || (filter = make (bin, "capsfilter", NULL, error)) == NULL
      || (encoder = make (bin, "x264enc", NULL, error)) == NULL
      || (parse = make (bin, "h264parse", NULL, error)) == NULL)
    return FALSE;

  /* Width 16:9 of the height, rounded to even; videoscale adds borders to
   * keep the picture's aspect ratio. */
  caps = gst_caps_new_simple ("video/x-raw",
                              "width", G_TYPE_INT, (int) (hls->video_height * 16 / 9) & ~1,
                              "height", G_TYPE_INT, (int) hls->video_height & ~1,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              "framerate", GST_TYPE_FRACTION, FRAME_RATE, 1,
                              "format", G_TYPE_STRING, "I420", NULL);
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (scale, "add-borders", TRUE, NULL);
  /* skip-to-first: the segment of a new feed starts when its webrtcbin
   * was created, seconds before the first frame, and that time must not
   * become copies of the first frame. */
  g_object_set (rate, "max-duplication-time", (guint64) MAX_DUPLICATION_TIME,
                "skip-to-first", TRUE, NULL);
  gst_util_set_object_arg (G_OBJECT (encoder), "tune", "zerolatency");
  gst_util_set_object_arg (G_OBJECT (encoder), "speed-preset", "veryfast");
  g_object_set (encoder, "bitrate", hls->video_kbps,
                "key-int-max", hls->segment_s * FRAME_RATE, NULL);
  if (!link_chain (error, queue, convert, scale, rate, filter, encoder, parse, NULL))
    return FALSE;

  sink_pad = gst_element_request_pad_simple (sink, "video");
  parse_src = gst_element_get_static_pad (parse, "src");
  if (sink_pad == NULL || gst_pad_link (parse_src, sink_pad) != GST_PAD_LINK_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link h264parse to hlssink2");
    return FALSE;
  }
  hls->video_sink = add_ghost_pad (bin, queue, "sink", "video");
  return TRUE;
}

static gboolean
build_audio_encoder (HzHls *hls, GstElement *sink, GError **error)
{
  GstElement *bin = hls->encoder;
  GstElement *queue, *convert, *resample, *filter, *encoder, *parse;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  g_autoptr (GstPad) parse_src = NULL;

  if ((queue = make_leaky_queue (bin, "audio-queue", error)) == NULL
      || (convert = make (bin, "audioconvert", NULL, error)) == NULL
      || (resample = make (bin, "audioresample", NULL, error)) == NULL
      || (filter = make (bin, "capsfilter", NULL, error)) == NULL
      || (encoder = make (bin, "voaacenc", NULL, error)) == NULL
      || (parse = make (bin, "aacparse", NULL, error)) == NULL)
    return FALSE;

  caps = gst_caps_new_simple ("audio/x-raw", "rate", G_TYPE_INT, AUDIO_RATE,
                              "channels", G_TYPE_INT, 2, NULL);
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (encoder, "bitrate", AUDIO_BITRATE, NULL);
  if (!link_chain (error, queue, convert, resample, filter, encoder, parse, NULL))
    return FALSE;

  sink_pad = gst_element_request_pad_simple (sink, "audio");
  parse_src = gst_element_get_static_pad (parse, "src");
  if (sink_pad == NULL || gst_pad_link (parse_src, sink_pad) != GST_PAD_LINK_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link aacparse to hlssink2");
    return FALSE;
  }
  hls->audio_sink = add_ghost_pad (bin, queue, "sink", "audio");
  return TRUE;
}

/* Builds the encoder bin with the tracks of the first attach and starts it. */
static gboolean
build_encoder (HzHls *hls, gboolean video, gboolean audio, GError **error)
{
  g_autofree char *location = g_build_filename (hls->dir, "segment%05d.ts", NULL);
  g_autofree char *playlist = g_build_filename (hls->dir, HZ_HLS_PLAYLIST_NAME, NULL);
  g_autofree char *name = g_strdup_printf ("hls-%" G_GINT64_FORMAT, g_get_monotonic_time ());
  GstElement *sink;

  hls->encoder = gst_object_ref_sink (gst_bin_new (name));
  /* The room's bus gets hlssink2's EOS wrapped as "GstBinForwarded", which
   * hz_hls_handle_message() waits for. */
  g_object_set (hls->encoder, "message-forward", TRUE, NULL);

  sink = make (hls->encoder, "hlssink2", "hlssink", error);
  if (sink == NULL)
    return FALSE;
  hls->sink = sink;
  /* Segments older than the playlist stay on disk for two more segment
   * lengths, for players that loaded the playlist just before. */
  g_object_set (sink, "location", location, "playlist-location", playlist,
                "target-duration", hls->segment_s, "playlist-length", hls->playlist_length,
                "max-files", hls->playlist_length + 2, "send-keyframe-requests", TRUE, NULL);

  if (video && !build_video_encoder (hls, sink, error))
    return FALSE;
  if (audio && !build_audio_encoder (hls, sink, error))
    return FALSE;

  gst_bin_add (GST_BIN (hls->pipeline), hls->encoder);
  if (!gst_element_sync_state_with_parent (hls->encoder)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot start the HLS encoder");
    gst_element_set_state (hls->encoder, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (hls->pipeline), hls->encoder);
    return FALSE;
  }
  g_message ("%s: HLS output started in %s (%s%s%s, %u s segments)", hls->log_prefix, hls->dir,
             video ? "video" : "", video && audio ? " and " : "", audio ? "audio" : "",
             hls->segment_s);
  return TRUE;
}

/* Returns the depayloader, parser (or NULL) and decoder factories for the
 * RTP caps CAPS. */
static gboolean
choose_decoder (const GstCaps *caps, const char **depay, const char **parser,
                const char **decoder)
{
  const char *name = gst_structure_get_string (gst_caps_get_structure (caps, 0),
                                               "encoding-name");

  *parser = NULL;
  if (g_strcmp0 (name, "VP8") == 0) {
    *depay = "rtpvp8depay";
    *decoder = "vp8dec";
  } else if (g_strcmp0 (name, "H264") == 0) {
    /* openh264dec takes only byte-stream with whole access units, and
     * h264parse converts to that whatever rtph264depay negotiates. */
    *depay = "rtph264depay";
    *parser = "h264parse";
    *decoder = "openh264dec";
  } else if (g_strcmp0 (name, "OPUS") == 0) {
    *depay = "rtpopusdepay";
    *decoder = "opusdec";
  } else {
    return FALSE;
  }
  return TRUE;
}

static void
input_free (Input *input)
{
  if (input->bin != NULL) {
    gst_element_set_state (input->bin, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (input->hls->pipeline), input->bin);
    gst_object_unref (input->bin);
  }
  g_clear_object (&input->tee_pad);
  g_clear_object (&input->tee);
  g_free (input);
}

/* Builds the input bin for TEE and links it between TEE and ENCODER_PAD. */
static Input *
attach_input (HzHls *hls, GstElement *tee, const GstCaps *caps, GstPad *encoder_pad,
              const char *kind, GError **error)
{
  g_autofree char *name = g_strdup_printf ("hls-%s-%" G_GINT64_FORMAT, kind,
                                           g_get_monotonic_time ());
  const char *depay_name, *parser_name, *decoder_name;
  GstElement *queue, *depay, *parser = NULL, *decoder;
  g_autoptr (GstPad) bin_sink = NULL;
  g_autoptr (GstPad) bin_src = NULL;
  Input *input;

  if (!choose_decoder (caps, &depay_name, &parser_name, &decoder_name)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "the %s codec %s cannot be decoded for HLS", kind,
                 gst_structure_get_string (gst_caps_get_structure (caps, 0), "encoding-name"));
    return NULL;
  }

  input = g_new0 (Input, 1);
  input->hls = hls;
  input->bin = gst_object_ref_sink (gst_bin_new (name));
  if ((queue = make_leaky_queue (input->bin, NULL, error)) == NULL
      || (depay = make (input->bin, depay_name, NULL, error)) == NULL
      || (parser_name != NULL && (parser = make (input->bin, parser_name, NULL, error)) == NULL)
      || (decoder = make (input->bin, decoder_name, NULL, error)) == NULL
      || (parser != NULL && !link_chain (error, queue, depay, parser, decoder, NULL))
      || (parser == NULL && !link_chain (error, queue, depay, decoder, NULL))) {
    g_clear_object (&input->bin);
    input_free (input);
    return NULL;
  }
  bin_sink = add_ghost_pad (input->bin, queue, "sink", "sink");
  bin_src = add_ghost_pad (input->bin, decoder, "src", "src");
  hz_tee_branch_isolate (bin_sink, hls->log_prefix);

  gst_bin_add (GST_BIN (hls->pipeline), input->bin);
  if (gst_pad_link (bin_src, encoder_pad) != GST_PAD_LINK_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link the HLS %s input", kind);
    input_free (input);
    return NULL;
  }
  gst_element_sync_state_with_parent (input->bin);

  input->tee = gst_object_ref (tee);
  input->tee_pad = gst_element_request_pad_simple (tee, "src_%u");
  if (gst_pad_link (input->tee_pad, bin_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link the %s tee to HLS", kind);
    gst_element_release_request_pad (tee, input->tee_pad);
    input_free (input);
    return NULL;
  }
  return input;
}

gboolean
hz_hls_attach (HzHls *hls, GstElement *video_tee, const GstCaps *video_caps,
               GstElement *audio_tee, const GstCaps *audio_caps, GError **error)
{
  g_return_val_if_fail (!hls->finishing, FALSE);

  /* NOTE: a feed that becomes ready while the previous one's inputs are
   * still being unlinked is rejected and not retried. That window is one
   * main loop iteration, far shorter than a new feed's ICE setup. */
  if (hz_hls_is_attached (hls) || hls->n_detaching > 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "the HLS output already has an input");
    return FALSE;
  }
  if (video_tee == NULL && audio_tee == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "the feed has no tracks");
    return FALSE;
  }
  if (hls->encoder == NULL && !build_encoder (hls, video_tee != NULL, audio_tee != NULL, error)) {
    /* The next feed tries again, so a missing element is logged each time. */
    g_clear_object (&hls->video_sink);
    g_clear_object (&hls->audio_sink);
    hls->sink = NULL;
    g_clear_object (&hls->encoder);
    return FALSE;
  }

  if (video_tee != NULL && hls->video_sink != NULL) {
    hls->video = attach_input (hls, video_tee, video_caps, hls->video_sink, "video", error);
    if (hls->video == NULL)
      return FALSE;
  }
  if (audio_tee != NULL && hls->audio_sink != NULL) {
    hls->audio = attach_input (hls, audio_tee, audio_caps, hls->audio_sink, "audio", error);
    if (hls->audio == NULL) {
      hz_hls_detach (hls);
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
hz_hls_is_attached (HzHls *hls)
{
  return hls->video != NULL || hls->audio != NULL;
}

/* ---- detaching and finishing ---- */

static void send_eos (HzHls *hls);

static void
on_input_detached (gpointer data)
{
  Input *input = data;
  HzHls *hls = input->hls;

  hls->n_detaching--;
  if (hls->finishing && hls->n_detaching == 0)
    send_eos (hls);
}

static void
detach_input (HzHls *hls, Input **input)
{
  if (*input == NULL)
    return;
  hls->n_detaching++;
  hz_tee_branch_detach ((*input)->tee, (*input)->tee_pad, on_input_detached, *input,
                        (GDestroyNotify) input_free);
  *input = NULL;
}

void
hz_hls_detach (HzHls *hls)
{
  if (hz_hls_is_attached (hls))
    g_message ("%s: HLS input detached; the playlist continues when the presenter publishes "
               "again", hls->log_prefix);
  detach_input (hls, &hls->video);
  detach_input (hls, &hls->audio);
}

void
hz_hls_free (HzHls *hls)
{
  if (hls == NULL)
    return;
  /* NOTE: an input still being unlinked from its tee keeps a pointer to
   * HLS until its idle callback runs. Freeing HLS before that is safe only
   * because the room's pipeline stops at the same time. */
  g_clear_handle_id (&hls->finish_timeout_id, g_source_remove);
  if (hls->encoder != NULL) {
    gst_element_set_state (hls->encoder, GST_STATE_NULL);
    gst_bin_remove (GST_BIN (hls->pipeline), hls->encoder);
  }
  g_clear_object (&hls->video_sink);
  g_clear_object (&hls->audio_sink);
  g_clear_object (&hls->encoder);
  gst_object_unref (hls->pipeline);
  g_free (hls->dir);
  g_free (hls->log_prefix);
  g_free (hls);
}

static void
complete_finish (HzHls *hls, gboolean ended)
{
  HzHlsDoneFunc done = hls->done;
  gpointer done_data = hls->done_data;

  if (ended)
    g_message ("%s: HLS output finished: the playlist is complete", hls->log_prefix);
  hz_hls_free (hls);
  done (hls, ended, done_data);
}

static gboolean
on_finish_timeout (gpointer data)
{
  HzHls *hls = data;

  hls->finish_timeout_id = 0;
  g_warning ("%s: HLS output did not finish within %u ms; the playlist may lack its last "
             "segment and EXT-X-ENDLIST", hls->log_prefix, HZ_HLS_FINISH_TIMEOUT_MS);
  complete_finish (hls, FALSE);
  return G_SOURCE_REMOVE;
}

static void
send_eos (HzHls *hls)
{
  if (hls->encoder == NULL) {
    /* No feed ever reached the output: there is no playlist to end. */
    complete_finish (hls, FALSE);
    return;
  }
  hls->finish_timeout_id = g_timeout_add (HZ_HLS_FINISH_TIMEOUT_MS, on_finish_timeout, hls);
  if (hls->video_sink != NULL)
    gst_pad_send_event (hls->video_sink, gst_event_new_eos ());
  if (hls->audio_sink != NULL)
    gst_pad_send_event (hls->audio_sink, gst_event_new_eos ());
}

void
hz_hls_finish (HzHls *hls, HzHlsDoneFunc done, gpointer user_data)
{
  g_return_if_fail (!hls->finishing);

  hls->finishing = TRUE;
  hls->done = done;
  hls->done_data = user_data;
  detach_input (hls, &hls->video);
  detach_input (hls, &hls->audio);
  if (hls->n_detaching == 0)
    send_eos (hls);
}

gboolean
hz_hls_handle_message (HzHls *hls, GstMessage *message)
{
  const GstStructure *structure;
  g_autoptr (GstMessage) forwarded = NULL;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT || hls->encoder == NULL
      || GST_MESSAGE_SRC (message) != GST_OBJECT (hls->encoder))
    return FALSE;
  structure = gst_message_get_structure (message);
  if (!gst_structure_has_name (structure, "GstBinForwarded"))
    return FALSE;
  gst_structure_get (structure, "message", GST_TYPE_MESSAGE, &forwarded, NULL);
  if (forwarded == NULL || GST_MESSAGE_TYPE (forwarded) != GST_MESSAGE_EOS)
    return TRUE;

  /* hlssink2 writes EXT-X-ENDLIST when it handles the EOS, before its bin
   * posts EOS upwards, so the playlist is final now. */
  GST_DEBUG ("%s: EOS from %s", hls->log_prefix, GST_MESSAGE_SRC_NAME (forwarded));
  if (hls->finishing && GST_MESSAGE_SRC (forwarded) == GST_OBJECT (hls->sink))
    complete_finish (hls, TRUE);
  return TRUE;
}
