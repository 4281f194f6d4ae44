/* Publisher ingest; see ingest.h.
 *
 * Threads: webrtcbin emits pad-added on a streaming thread and its other
 * signals and promise replies on its own threads. Those handlers touch only
 * the immutable members and the track list (under LOCK) and hand everything
 * else to the main thread as an IngestEvent. Each handler and event holds a
 * reference, and the main thread drops an event once the ingest is closed.
 */
#include "ingest.h"
#include "capture-timing.h"
#include "forward-caps.h"
#include "ice.h"
#include "keyframe.h"
#include "offer-filter.h"
#include "sdp-text.h"
#include "webrtc-util.h"

#include <gio/gio.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

GST_DEBUG_CATEGORY_STATIC (hz_ingest_debug);
#define GST_CAT_DEFAULT hz_ingest_debug

/* How long after its first track a publish waits for its other offered
 * tracks before it is forwarded with the tracks it has. */
#define HZ_INGEST_TRACK_WAIT_MS 3000

struct _HzIngest {
  /* Immutable after hz_ingest_new(). */
  GstElement *pipeline;
  GstElement *webrtcbin;
  char *log_prefix;
  char *recording_base;
  HzRecordingOrigin *recording_origin;
  HzIngestCallbacks callbacks;
  gpointer user_data;

  /* Main thread only. */
  gboolean closed;
  gboolean offer_set;
  gboolean ready;
  guint track_wait_id;     /* the wait for the other tracks after the first */
  HzKeyframeLimiter *keyframe_limiter;

  GMutex lock;
  GArray *tracks;          /* HzIngestTrack; under LOCK */
  GPtrArray *recorders;    /* HzRecorder, parallel to TRACKS; under LOCK */
  GPtrArray *timings;      /* HzCaptureTiming of each recorded track; under LOCK */
  GPtrArray *src_pads;     /* webrtcbin's pad of each track; under LOCK */
  guint n_expected_tracks; /* under LOCK; lowered when tracks are overdue */
  GPtrArray *track_names;  /* the track name of each offered m-line (static strings);
                            * set before webrtcbin starts, then read-only */
  GPtrArray *offered_caps; /* the caps of each m-line's codec in the filtered offer;
                            * set before webrtcbin starts, then read-only */
  GstSDPMessage *offer;    /* the filtered offer; set before webrtcbin starts, then read-only */
};

typedef enum {
  EVENT_ANSWER,
  EVENT_CANDIDATE,
  EVENT_FAILED,
  EVENT_TRACK_ADDED,
  EVENT_READY,
} IngestEventType;

typedef struct {
  HzIngest *ingest;
  IngestEventType type;
  char *text;               /* SDP, candidate, message or track kind */
  guint mline_index;
  const char *code;         /* EVENT_FAILED */
  HzRecorder *recorder;     /* EVENT_TRACK_ADDED; owned by INGEST */
} IngestEvent;

static void
ensure_debug_category (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_ingest_debug, "hz-ingest", 0, "Huizhen relay publisher ingest");
    g_once_init_leave (&initialized, 1);
  }
}

static void
ingest_clear (HzIngest *ingest)
{
  g_clear_object (&ingest->webrtcbin);
  g_clear_object (&ingest->pipeline);
  g_free (ingest->log_prefix);
  g_free (ingest->recording_base);
  g_clear_pointer (&ingest->recording_origin, hz_recording_origin_unref);
  hz_keyframe_limiter_free (ingest->keyframe_limiter);
  g_clear_pointer (&ingest->tracks, g_array_unref);
  g_clear_pointer (&ingest->recorders, g_ptr_array_unref);
  g_clear_pointer (&ingest->timings, g_ptr_array_unref);
  g_clear_pointer (&ingest->src_pads, g_ptr_array_unref);
  g_clear_pointer (&ingest->track_names, g_ptr_array_unref);
  g_clear_pointer (&ingest->offered_caps, g_ptr_array_unref);
  g_clear_pointer (&ingest->offer, gst_sdp_message_free);
  g_mutex_clear (&ingest->lock);
}

static void
caps_unref_nullable (gpointer caps)
{
  if (caps != NULL)
    gst_caps_unref (caps);
}

static HzIngest *
ingest_ref (HzIngest *ingest)
{
  return g_atomic_rc_box_acquire (ingest);
}

static void
ingest_unref (gpointer ingest)
{
  g_atomic_rc_box_release_full (ingest, (GDestroyNotify) ingest_clear);
}

static void
track_clear (gpointer data)
{
  HzIngestTrack *track = data;

  gst_clear_caps (&track->caps);
  gst_clear_object (&track->tee);
}

static void
ingest_closure_unref (gpointer data, GClosure *closure)
{
  ingest_unref (data);
}

/* ---- main-thread events ---- */

static void
event_free (gpointer data)
{
  IngestEvent *event = data;

  g_free (event->text);
  ingest_unref (event->ingest);
  g_free (event);
}

static gboolean on_track_wait_over (gpointer data);

static gboolean
dispatch_event (gpointer data)
{
  IngestEvent *event = data;
  HzIngest *ingest = event->ingest;
  const HzIngestCallbacks *cb = &ingest->callbacks;

  if (ingest->closed)
    return G_SOURCE_REMOVE;

  switch (event->type) {
    case EVENT_ANSWER:
      cb->answer (ingest, event->text, ingest->user_data);
      break;
    case EVENT_CANDIDATE:
      cb->candidate (ingest, event->mline_index, event->text, ingest->user_data);
      break;
    case EVENT_FAILED:
      cb->failed (ingest, event->code, event->text, ingest->user_data);
      break;
    case EVENT_TRACK_ADDED:
      if (event->recorder != NULL)
        cb->recording_started (ingest, event->text, event->recorder, ingest->user_data);
      if (!ingest->ready && ingest->track_wait_id == 0)
        ingest->track_wait_id = g_timeout_add (HZ_INGEST_TRACK_WAIT_MS, on_track_wait_over, ingest);
      break;
    case EVENT_READY:
      if (ingest->ready)
        break;
      ingest->ready = TRUE;
      g_clear_handle_id (&ingest->track_wait_id, g_source_remove);
      cb->ready (ingest, ingest->user_data);
      break;
  }
  return G_SOURCE_REMOVE;
}

/* Queues a callback for the main thread; the arguments that TYPE does not
 * use are NULL or 0. */
static void
post_event (HzIngest *ingest, IngestEventType type, const char *code, const char *text,
            guint mline_index, HzRecorder *recorder)
{
  IngestEvent *event = g_new0 (IngestEvent, 1);

  event->ingest = ingest_ref (ingest);
  event->type = type;
  event->code = code;
  event->text = g_strdup (text);
  event->mline_index = mline_index;
  event->recorder = recorder;
  g_idle_add_full (G_PRIORITY_DEFAULT, dispatch_event, event, event_free);
}

/* ---- negotiation: set-remote-description → create-answer → set-local ---- */

static void
on_local_description_set (GstPromise *promise, gpointer data)
{
  HzIngest *ingest = data;
  g_autofree char *error = hz_webrtc_promise_error (promise);

  if (error != NULL)
    post_event (ingest, EVENT_FAILED, "negotiation_failed", error, 0, NULL);
  gst_promise_unref (promise);
}

static void
on_answer_created (GstPromise *promise, gpointer data)
{
  HzIngest *ingest = data;
  g_autofree char *error = hz_webrtc_promise_error (promise);
  GstWebRTCSessionDescription *answer = NULL;
  g_autofree char *text = NULL;

  if (error != NULL) {
    post_event (ingest, EVENT_FAILED, "negotiation_failed", error, 0, NULL);
    gst_promise_unref (promise);
    return;
  }
  gst_structure_get (gst_promise_get_reply (promise), "answer",
                     GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
  gst_promise_unref (promise);
  if (answer == NULL) {
    post_event (ingest, EVENT_FAILED, "negotiation_failed", "webrtcbin created no answer", 0,
                NULL);
    return;
  }

  hz_forward_accept_extensions (ingest->offer, answer->sdp);

  /* Queue the answer before webrtcbin can emit candidates for it. */
  text = gst_sdp_message_as_text (answer->sdp);
  GST_LOG_OBJECT (ingest->webrtcbin, "%s: answer:\n%s", ingest->log_prefix, text);
  post_event (ingest, EVENT_ANSWER, NULL, text, 0, NULL);
  g_signal_emit_by_name (ingest->webrtcbin, "set-local-description", answer,
                         gst_promise_new_with_change_func (on_local_description_set,
                                                           ingest_ref (ingest), ingest_unref));
  gst_webrtc_session_description_free (answer);
}

static void
on_remote_description_set (GstPromise *promise, gpointer data)
{
  HzIngest *ingest = data;
  g_autofree char *error = hz_webrtc_promise_error (promise);

  gst_promise_unref (promise);
  if (error != NULL) {
    post_event (ingest, EVENT_FAILED, "bad_sdp", error, 0, NULL);
    return;
  }
  g_signal_emit_by_name (ingest->webrtcbin, "create-answer", NULL,
                         gst_promise_new_with_change_func (on_answer_created,
                                                           ingest_ref (ingest), ingest_unref));
}

static void
on_ice_candidate (GstElement *webrtcbin, guint mline_index, const char *candidate, gpointer data)
{
  post_event (data, EVENT_CANDIDATE, NULL, candidate, mline_index, NULL);
}

/* Turns NACK on for every video transceiver, before webrtcbin answers: the
 * answer then accepts the client's NACK and RTX, and the jitter buffer asks
 * the publisher to resend lost packets before they reach the tees. */
static void
on_new_transceiver (GstElement *webrtcbin, GstWebRTCRTPTransceiver *transceiver, gpointer data)
{
  GstWebRTCKind kind = GST_WEBRTC_KIND_UNKNOWN;

  g_object_get (transceiver, "kind", &kind, NULL);
  if (kind == GST_WEBRTC_KIND_VIDEO)
    g_object_set (transceiver, "do-nack", TRUE, NULL);
}

static void
on_connection_state (GObject *webrtcbin, GParamSpec *pspec, gpointer data)
{
  HzIngest *ingest = data;
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtcbin, "connection-state", &state, NULL);
  GST_INFO_OBJECT (webrtcbin, "%s: publish connection state %d", ingest->log_prefix, state);
}

/* ---- tracks ---- */

static GstCaps *
query_src_caps (GstPad *pad)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps == NULL || gst_caps_is_empty (caps) || gst_caps_is_any (caps)) {
    gst_clear_caps (&caps);
    return NULL;
  }
  return gst_caps_fixate (caps);
}

static void
link_to_fakesink (HzIngest *ingest, GstPad *pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (sink, "sink");

  g_object_set (sink, "async", FALSE, "sync", FALSE, NULL);
  gst_bin_add (GST_BIN (ingest->pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  gst_pad_link (pad, sink_pad);
}

/* Creates the tee of a track behind webrtcbin's PAD; may run on a
 * streaming thread. */
static GstElement *
add_tee (HzIngest *ingest, GstPad *pad, const char *kind)
{
  GstElement *tee = gst_object_ref (gst_element_factory_make ("tee", NULL));
  g_autoptr (GstPad) tee_sink = gst_element_get_static_pad (tee, "sink");

  g_object_set (tee, "allow-not-linked", TRUE, NULL);
  gst_bin_add (GST_BIN (ingest->pipeline), tee);
  gst_element_sync_state_with_parent (tee);
  if (gst_pad_link (pad, tee_sink) != GST_PAD_LINK_OK)
    g_warning ("%s: cannot link the %s track to its tee", ingest->log_prefix, kind);
  return tee;
}

static const char *
media_of_caps (const GstCaps *caps)
{
  const char *media = caps != NULL
                      ? gst_structure_get_string (gst_caps_get_structure (caps, 0), "media") : NULL;

  if (g_strcmp0 (media, "audio") == 0)
    return "audio";
  if (g_strcmp0 (media, "video") == 0)
    return "video";
  return NULL;
}

static gboolean
has_track_named (HzIngest *ingest, const char *name)
{
  for (guint i = 0; i < ingest->tracks->len; i++) {
    if (g_str_equal (g_array_index (ingest->tracks, HzIngestTrack, i).name, name))
      return TRUE;
  }
  return FALSE;
}

/* Returns the m-line of the transceiver behind webrtcbin's src PAD, or -1. */
static int
pad_mline (GstPad *pad)
{
  g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;
  guint mline = G_MAXUINT;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (pad), "transceiver") == NULL)
    return -1;
  g_object_get (pad, "transceiver", &transceiver, NULL);
  if (transceiver == NULL)
    return -1;
  g_object_get (transceiver, "mlineindex", &mline, NULL);
  return mline <= G_MAXINT ? (int) mline : -1;
}

/* Adds the client's H.264 profile-level-id to CAPS (writable) when
 * webrtcbin's pad caps lack it: webrtcbin 1.22 leaves it out of its answer,
 * and receivers need it to pick a decoder. */
static void
add_offered_profile (HzIngest *ingest, GstPad *pad, GstCaps *caps)
{
  int mline = pad_mline (pad);
  const GstStructure *offered;
  const char *profile;

  if (mline < 0 || (guint) mline >= ingest->offered_caps->len
      || g_ptr_array_index (ingest->offered_caps, mline) == NULL)
    return;
  offered = gst_caps_get_structure (g_ptr_array_index (ingest->offered_caps, mline), 0);
  profile = gst_structure_get_string (offered, "profile-level-id");
  if (profile != NULL && !gst_structure_has_field (gst_caps_get_structure (caps, 0),
                                                   "profile-level-id"))
    gst_caps_set_simple (caps, "profile-level-id", G_TYPE_STRING, profile, NULL);
}

/* Names the track of PAD by its m-line in the offer ("audio", "video",
 * "video2"), or returns NULL when the m-line is unknown. */
static const char *
track_name_of_pad (HzIngest *ingest, GstPad *pad)
{
  int mline = pad_mline (pad);

  if (mline < 0 || (guint) mline >= ingest->track_names->len)
    return NULL;
  return g_ptr_array_index (ingest->track_names, mline);
}

/* Runs on a streaming thread when a track's first packets arrive. Tracks
 * are named by their m-line in the offer, because webrtcbin's pad names
 * follow the order of arrival. LOCK is held throughout, so that two tracks
 * arriving at once cannot both take the last expected slot.
 *
 * NOTE: a new SSRC on an m-line (simulcast, or a client that restarts its
 * sender) gives a second pad of the same kind, which is ignored, so such a
 * track stops being forwarded and recorded. */
static void
on_pad_added (GstElement *webrtcbin, GstPad *pad, gpointer data)
{
  HzIngest *ingest = data;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *location = NULL;
  g_autofree char *caps_text = NULL;
  HzIngestTrack track = { NULL, };
  HzRecorder *recorder;
  gboolean complete;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  caps = query_src_caps (pad);
  if (caps != NULL) {
    caps = gst_caps_make_writable (caps);
    add_offered_profile (ingest, pad, caps);
  }
  track.kind = media_of_caps (caps);
  track.name = track_name_of_pad (ingest, pad);
  g_mutex_lock (&ingest->lock);
  if (track.kind == NULL || track.name == NULL || !g_str_has_prefix (track.name, track.kind)
      || ingest->tracks->len >= ingest->n_expected_tracks || has_track_named (ingest, track.name)) {
    g_warning ("%s: ignoring pad %s: not one of the %u offered audio or video track(s)",
               ingest->log_prefix, GST_PAD_NAME (pad), ingest->n_expected_tracks);
    g_mutex_unlock (&ingest->lock);
    link_to_fakesink (ingest, pad);
    return;
  }

  caps_text = gst_caps_to_string (caps);
  g_message ("%s: %s track arrived (%s)", ingest->log_prefix, track.name, caps_text);
  track.caps = gst_caps_ref (caps);
  track.tee = add_tee (ingest, pad, track.name);

  recorder = NULL;
  if (ingest->recording_base != NULL) {
    HzCaptureTiming *timing;

    location = g_strdup_printf ("%s-%s.%s", ingest->recording_base, track.name,
                                hz_recorder_file_extension (caps));
    timing = hz_capture_timing_start (ingest->pipeline, pad, caps, track.name, location,
                                      ingest->log_prefix);
    recorder = hz_recorder_start (ingest->pipeline, track.tee, caps, location,
                                  ingest->recording_origin, timing, ingest->log_prefix, &error);
    if (recorder == NULL) {
      g_warning ("%s: %s track not recorded: %s", ingest->log_prefix, track.name,
                 error->message);
      hz_capture_timing_stop (timing);
    } else {
      g_ptr_array_add (ingest->timings, timing);
    }
  }

  g_array_append_val (ingest->tracks, track);
  g_ptr_array_add (ingest->recorders, recorder);
  g_ptr_array_add (ingest->src_pads, gst_object_ref (pad));
  complete = ingest->tracks->len == ingest->n_expected_tracks;

  /* Posting under LOCK keeps the events in the order of the tracks, so
   * every track's event is queued before the ready event. */
  post_event (ingest, EVENT_TRACK_ADDED, NULL, track.name, 0, recorder);
  if (complete)
    post_event (ingest, EVENT_READY, NULL, NULL, 0, NULL);
  g_mutex_unlock (&ingest->lock);
}

/* Forwards the tracks that have arrived when the others are overdue, e.g.
 * a client that offered video but sends none. Later pads are ignored. */
static gboolean
on_track_wait_over (gpointer data)
{
  HzIngest *ingest = data;
  guint n_arrived, n_offered;

  ingest->track_wait_id = 0;
  if (ingest->ready || ingest->closed)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&ingest->lock);
  n_arrived = ingest->tracks->len;
  n_offered = ingest->n_expected_tracks;
  ingest->n_expected_tracks = n_arrived;
  g_mutex_unlock (&ingest->lock);

  g_warning ("%s: only %u of %u offered track(s) arrived within %d ms; forwarding those",
             ingest->log_prefix, n_arrived, n_offered, HZ_INGEST_TRACK_WAIT_MS);
  ingest->ready = TRUE;
  ingest->callbacks.ready (ingest, ingest->user_data);
  return G_SOURCE_REMOVE;
}

/* ---- capture timing ---- */

/* Runs on rtpbin's RTCP thread when RTCP arrives from SSRC. Passes the
 * source's latest sender report to the capture timing of its track, which
 * keeps only the first. */
static void
on_ssrc_active (GstElement *rtpbin, guint session_id, guint ssrc, gpointer data)
{
  HzIngest *ingest = data;
  g_autoptr (GObject) session = NULL;
  g_autoptr (GObject) source = NULL;
  g_autoptr (GstStructure) stats = NULL;
  HzCaptureTiming *timing = NULL;
  gboolean have_sr = FALSE;
  guint64 ntp_time = 0;
  guint rtp_timestamp = 0;

  g_signal_emit_by_name (rtpbin, "get-internal-session", session_id, &session);
  if (session == NULL)
    return;
  g_signal_emit_by_name (session, "get-source-by-ssrc", ssrc, &source);
  if (source == NULL)
    return;
  g_object_get (source, "stats", &stats, NULL);
  if (stats == NULL || !gst_structure_get_boolean (stats, "have-sr", &have_sr) || !have_sr
      || !gst_structure_get_uint64 (stats, "sr-ntptime", &ntp_time)
      || !gst_structure_get_uint (stats, "sr-rtptime", &rtp_timestamp))
    return;

  g_mutex_lock (&ingest->lock);
  for (guint i = 0; ingest->timings != NULL && i < ingest->timings->len; i++) {
    if (hz_capture_timing_get_ssrc (ingest->timings->pdata[i]) == ssrc) {
      timing = ingest->timings->pdata[i];
      hz_capture_timing_set_sender_report (timing, ntp_time, rtp_timestamp);
      break;
    }
  }
  g_mutex_unlock (&ingest->lock);
}

/* webrtcbin (1.22) names its rtpbin "rtpbin". */
static void
connect_sender_reports (HzIngest *ingest)
{
  g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (ingest->webrtcbin), "rtpbin");

  if (rtpbin == NULL) {
    g_warning ("%s: webrtcbin has no rtpbin; recordings get no sender report timing",
               ingest->log_prefix);
    return;
  }
  g_signal_connect_data (rtpbin, "on-ssrc-active", G_CALLBACK (on_ssrc_active),
                         ingest_ref (ingest), ingest_closure_unref, 0);
}

/* The handler's reference on INGEST, which holds the webrtcbin that holds
 * the rtpbin, would keep all three alive after the close. */
static void
disconnect_sender_reports (HzIngest *ingest)
{
  g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (ingest->webrtcbin), "rtpbin");

  if (rtpbin != NULL)
    g_signal_handlers_disconnect_by_data (rtpbin, ingest);
}

/* ---- keyframes ---- */

/* Asks for a keyframe on every video track: one limiter serves the whole
 * publish, so a request for the camera also refreshes a screen share. */
static void
send_keyframe_request (gpointer data)
{
  HzIngest *ingest = data;
  g_autoptr (GPtrArray) video_pads = g_ptr_array_new_with_free_func (gst_object_unref);

  if (ingest->closed)
    return;
  g_mutex_lock (&ingest->lock);
  for (guint i = 0; i < ingest->tracks->len; i++) {
    if (g_str_equal (g_array_index (ingest->tracks, HzIngestTrack, i).kind, "video"))
      g_ptr_array_add (video_pads, gst_object_ref (g_ptr_array_index (ingest->src_pads, i)));
  }
  g_mutex_unlock (&ingest->lock);

  g_message ("%s: requesting a keyframe on %u video track(s)", ingest->log_prefix,
             video_pads->len);
  /* rtpsession turns this event into RTCP PLI or FIR to the publisher. */
  for (guint i = 0; i < video_pads->len; i++)
    gst_pad_send_event (g_ptr_array_index (video_pads, i),
                        gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                     TRUE, 0));
}

void
hz_ingest_request_keyframe (HzIngest *ingest)
{
  if (!ingest->closed && ingest->ready)
    hz_keyframe_limiter_request (ingest->keyframe_limiter);
}

/* ---- public API ---- */

HzIngest *
hz_ingest_new (GstElement *pipeline, const HzRelayConfig *config, const char *log_prefix,
               const char *recording_base, const HzIngestCallbacks *callbacks, gpointer user_data)
{
  HzIngest *ingest;

  ensure_debug_category ();

  ingest = g_atomic_rc_box_new0 (HzIngest);
  g_mutex_init (&ingest->lock);
  ingest->pipeline = gst_object_ref (pipeline);
  ingest->log_prefix = g_strdup (log_prefix);
  ingest->recording_base = g_strdup (recording_base);
  ingest->recording_origin = hz_recording_origin_new ();
  ingest->callbacks = *callbacks;
  ingest->user_data = user_data;
  ingest->keyframe_limiter = hz_keyframe_limiter_new (HZ_KEYFRAME_INTERVAL_US,
                                                      send_keyframe_request, ingest);
  ingest->tracks = g_array_new (FALSE, TRUE, sizeof (HzIngestTrack));
  g_array_set_clear_func (ingest->tracks, track_clear);
  ingest->recorders = g_ptr_array_new ();
  ingest->timings = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_capture_timing_stop);
  ingest->src_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  ingest->track_names = g_ptr_array_new ();
  ingest->offered_caps = g_ptr_array_new_with_free_func (caps_unref_nullable);

  ingest->webrtcbin = gst_object_ref_sink (gst_element_factory_make ("webrtcbin", NULL));
  hz_ice_configure (ingest->webrtcbin, config);
  g_signal_connect_data (ingest->webrtcbin, "pad-added", G_CALLBACK (on_pad_added),
                         ingest_ref (ingest), ingest_closure_unref, 0);
  g_signal_connect_data (ingest->webrtcbin, "on-ice-candidate", G_CALLBACK (on_ice_candidate),
                         ingest_ref (ingest), ingest_closure_unref, 0);
  g_signal_connect (ingest->webrtcbin, "on-new-transceiver", G_CALLBACK (on_new_transceiver),
                    NULL);
  connect_sender_reports (ingest);
  g_signal_connect_data (ingest->webrtcbin, "notify::connection-state",
                         G_CALLBACK (on_connection_state),
                         ingest_ref (ingest), ingest_closure_unref, 0);
  /* The client offers, so on-negotiation-needed, which webrtcbin also emits
   * on the answering side, is not connected. */
  return ingest;
}

gboolean
hz_ingest_set_offer (HzIngest *ingest, const char *sdp_text, GError **error)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *offer;
  guint n_tracks = 0;
  guint n_removed;

  g_return_val_if_fail (!ingest->offer_set, FALSE);

  if (!hz_sdp_parse_text (sdp_text, &sdp)
      || gst_sdp_message_medias_len (sdp) == 0) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "the offer is not SDP with at least one m-line");
    g_clear_pointer (&sdp, gst_sdp_message_free);
    return FALSE;
  }
  if (!hz_offer_filter (sdp, &n_tracks, error)) {
    gst_sdp_message_free (sdp);
    return FALSE;
  }
  n_removed = hz_sdp_remove_unusable_candidates (sdp);
  if (n_removed > 0)
    g_message ("%s: removed %u candidate(s) from the publish offer: mDNS names, which the relay"
               " does not resolve, or invalid, multicast or broadcast addresses",
               ingest->log_prefix, n_removed);

  ingest->offer_set = TRUE;
  ingest->n_expected_tracks = n_tracks;
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    int pt = hz_offer_media_payload_type (media);

    g_ptr_array_add (ingest->track_names, (gpointer) hz_offer_track_name (sdp, i));
    g_ptr_array_add (ingest->offered_caps,
                     pt >= 0 ? gst_sdp_media_get_caps_from_media (media, pt) : NULL);
  }
  gst_sdp_message_copy (sdp, &ingest->offer);
  gst_bin_add (GST_BIN (ingest->pipeline), ingest->webrtcbin);
  gst_element_sync_state_with_parent (ingest->webrtcbin);

  offer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  g_signal_emit_by_name (ingest->webrtcbin, "set-remote-description", offer,
                         gst_promise_new_with_change_func (on_remote_description_set,
                                                           ingest_ref (ingest), ingest_unref));
  gst_webrtc_session_description_free (offer);
  g_message ("%s: publish offer accepted, %u track(s) expected", ingest->log_prefix, n_tracks);
  return TRUE;
}

void
hz_ingest_add_candidate (HzIngest *ingest, guint mline_index, const char *candidate)
{
  if (ingest->closed || !ingest->offer_set)
    return;
  /* An empty candidate marks the end of candidates; libnice needs no notice. */
  if (candidate[0] == '\0')
    return;
  g_signal_emit_by_name (ingest->webrtcbin, "add-ice-candidate", mline_index, candidate);
}

gboolean
hz_ingest_is_ready (HzIngest *ingest)
{
  return ingest->ready && !ingest->closed;
}

GstElement *
hz_ingest_get_webrtcbin (HzIngest *ingest)
{
  return ingest->webrtcbin;
}

const GArray *
hz_ingest_get_tracks (HzIngest *ingest)
{
  return ingest->tracks;
}

HzRecorder *
hz_ingest_take_recorder (HzIngest *ingest, GstMessage *message)
{
  HzRecorder *recorder = NULL;

  if (ingest->closed)
    return NULL;

  g_mutex_lock (&ingest->lock);
  for (guint i = 0; recorder == NULL && i < ingest->recorders->len; i++) {
    HzRecorder *candidate = g_ptr_array_index (ingest->recorders, i);

    if (candidate != NULL && hz_recorder_owns_message (candidate, message)) {
      recorder = candidate;
      g_ptr_array_index (ingest->recorders, i) = NULL;
    }
  }
  g_mutex_unlock (&ingest->lock);
  return recorder;
}

GPtrArray *
hz_ingest_close (HzIngest *ingest)
{
  GPtrArray *recorders = g_ptr_array_new ();

  g_return_val_if_fail (!ingest->closed, recorders);
  ingest->closed = TRUE;
  g_clear_handle_id (&ingest->track_wait_id, g_source_remove);
  g_clear_pointer (&ingest->keyframe_limiter, hz_keyframe_limiter_free);

  /* Stopping the webrtcbin first ends all streaming into the tees, so the
   * branches behind them detach at once. */
  hz_element_remove (ingest->pipeline, ingest->webrtcbin);
  g_signal_handlers_disconnect_by_data (ingest->webrtcbin, ingest);
  disconnect_sender_reports (ingest);

  g_mutex_lock (&ingest->lock);
  for (guint i = 0; i < ingest->recorders->len; i++) {
    if (g_ptr_array_index (ingest->recorders, i) != NULL)
      g_ptr_array_add (recorders, g_ptr_array_index (ingest->recorders, i));
  }
  g_ptr_array_set_size (ingest->recorders, 0);
  g_ptr_array_set_size (ingest->timings, 0);
  g_mutex_unlock (&ingest->lock);

  /* The tees stay referenced by the tracks (and by branches still
   * detaching) until the last reference to INGEST is gone. */
  for (guint i = 0; i < ingest->tracks->len; i++)
    hz_element_remove (ingest->pipeline, g_array_index (ingest->tracks, HzIngestTrack, i).tee);

  g_message ("%s: publish connection closed", ingest->log_prefix);
  ingest_unref (ingest);
  return recorders;
}
