/* Subscriber branch; see subscriber.h.
 *
 * Threads: webrtcbin's signals, promise replies and the queues' upstream
 * events arrive on GStreamer threads. Their handlers post a SubscriberEvent
 * (holding a reference) to the main thread, which drops it once the
 * subscriber is closed.
 */
#include "subscriber.h"
#include "forward-caps.h"
#include "ice.h"
#include "ingest.h"
#include "tee-branch.h"
#include "track-forward.h"
#include "sdp-text.h"
#include "sub-link.h"
#include "webrtc-util.h"

#include <gio/gio.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

GST_DEBUG_CATEGORY_STATIC (hz_subscriber_debug);
#define GST_CAT_DEFAULT hz_subscriber_debug

/* Maximum data held between a tee and a subscriber's webrtcbin. Older data
 * is dropped, so a subscriber that cannot keep up never blocks the tee. */
#define SUBSCRIBER_QUEUE_TIME (500 * GST_MSECOND)

struct _HzSubscriber {
  /* Immutable after hz_subscriber_new(). */
  GstElement *pipeline;
  GstElement *bin;
  GstElement *webrtcbin;
  char *log_prefix;
  HzSubscriberCallbacks callbacks;
  gpointer user_data;
  GPtrArray *forwards;      /* HzTrackForward of each m-line of the offer */
  GPtrArray *track_names;   /* the track name of each m-line (static strings) */
  GstWebRTCRTPSender *sender;  /* of the first m-line; max-bundle gives all one transport */
  HzSubLink *link;          /* a relay-owned connection instead of the webrtcbin, or NULL */
  guint n_tracks;

  /* Main thread only. */
  gboolean closed;
  gboolean connected;
  GPtrArray *tees;          /* the tee of each track */
  GPtrArray *tee_pads;      /* the request pad feeding each track's queue */
  guint n_detaching;
};

typedef enum {
  EVENT_OFFER,
  EVENT_CANDIDATE,
  EVENT_FAILED,
  EVENT_CONNECTED,
  EVENT_KEYFRAME,
} SubscriberEventType;

typedef struct {
  HzSubscriber *subscriber;
  SubscriberEventType type;
  char *text;               /* SDP, candidate or failure message */
  guint mline_index;
  const char *code;         /* EVENT_FAILED */
} SubscriberEvent;

static void
ensure_debug_category (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_subscriber_debug, "hz-subscriber", 0,
                             "Huizhen relay subscriber branches");
    g_once_init_leave (&initialized, 1);
  }
}

static void
subscriber_clear (HzSubscriber *subscriber)
{
  g_clear_object (&subscriber->webrtcbin);
  g_clear_object (&subscriber->bin);
  g_clear_object (&subscriber->pipeline);
  g_clear_pointer (&subscriber->tees, g_ptr_array_unref);
  g_clear_pointer (&subscriber->tee_pads, g_ptr_array_unref);
  g_clear_pointer (&subscriber->forwards, g_ptr_array_unref);
  g_clear_pointer (&subscriber->track_names, g_ptr_array_unref);
  g_clear_object (&subscriber->sender);
  g_free (subscriber->log_prefix);
}

static HzSubscriber *
subscriber_ref (HzSubscriber *subscriber)
{
  return g_atomic_rc_box_acquire (subscriber);
}

static void
subscriber_unref (gpointer subscriber)
{
  g_atomic_rc_box_release_full (subscriber, (GDestroyNotify) subscriber_clear);
}

static void
subscriber_closure_unref (gpointer data, GClosure *closure)
{
  subscriber_unref (data);
}

/* ---- main-thread events ---- */

static void
event_free (gpointer data)
{
  SubscriberEvent *event = data;

  g_free (event->text);
  subscriber_unref (event->subscriber);
  g_free (event);
}

static gboolean
dispatch_event (gpointer data)
{
  SubscriberEvent *event = data;
  HzSubscriber *subscriber = event->subscriber;
  const HzSubscriberCallbacks *cb = &subscriber->callbacks;

  if (subscriber->closed)
    return G_SOURCE_REMOVE;

  switch (event->type) {
    case EVENT_OFFER:
      cb->offer (subscriber, event->text, subscriber->user_data);
      break;
    case EVENT_CANDIDATE:
      cb->candidate (subscriber, event->mline_index, event->text, subscriber->user_data);
      break;
    case EVENT_FAILED:
      cb->failed (subscriber, event->code, event->text, subscriber->user_data);
      break;
    case EVENT_CONNECTED:
      if (!subscriber->connected) {
        subscriber->connected = TRUE;
        cb->connected (subscriber, subscriber->user_data);
      }
      break;
    case EVENT_KEYFRAME:
      cb->keyframe_requested (subscriber, subscriber->user_data);
      break;
  }
  return G_SOURCE_REMOVE;
}

static void
post_event (HzSubscriber *subscriber, SubscriberEventType type, const char *code,
            const char *text, guint mline_index)
{
  SubscriberEvent *event = g_new0 (SubscriberEvent, 1);

  event->subscriber = subscriber_ref (subscriber);
  event->type = type;
  event->code = code;
  event->text = g_strdup (text);
  event->mline_index = mline_index;
  g_idle_add_full (G_PRIORITY_DEFAULT, dispatch_event, event, event_free);
}

/* ---- negotiation: create-offer → set-local, then the client's answer ---- */

static void
on_description_set (GstPromise *promise, gpointer data)
{
  HzSubscriber *subscriber = data;
  g_autofree char *error = hz_webrtc_promise_error (promise);

  if (error != NULL)
    post_event (subscriber, EVENT_FAILED, "negotiation_failed", error, 0);
  gst_promise_unref (promise);
}

static void
start_forwards (GPtrArray *forwards)
{
  for (guint i = 0; i < forwards->len; i++)
    hz_track_forward_start (g_ptr_array_index (forwards, i));
}

/* DTLS thread. Once the DTLS handshake is done, webrtcbin sends what
 * reaches it, so the forwarding probes let packets through. webrtcbin
 * reports the connection state "connected" later, from its own thread.
 * Starting here lets a receiver ask for its first keyframe earlier. */
static void
on_dtls_state (GObject *transport, GParamSpec *pspec, gpointer forwards)
{
  GstWebRTCDTLSTransportState state = GST_WEBRTC_DTLS_TRANSPORT_STATE_NEW;

  g_object_get (transport, "state", &state, NULL);
  if (state == GST_WEBRTC_DTLS_TRANSPORT_STATE_CONNECTED)
    start_forwards (forwards);
}

static void
forwards_closure_unref (gpointer forwards, GClosure *closure)
{
  g_ptr_array_unref (forwards);
}

/* Watches the DTLS transport, which webrtcbin creates when the offer is
 * set. The handler keeps a reference on FORWARDS, not on the subscriber,
 * so the transport, which webrtcbin owns, never keeps the subscriber
 * alive. */
static void
watch_dtls_transport (HzSubscriber *subscriber)
{
  g_autoptr (GstWebRTCDTLSTransport) transport = NULL;

  if (subscriber->sender != NULL)
    g_object_get (subscriber->sender, "transport", &transport, NULL);
  if (transport == NULL) {
    GST_WARNING_OBJECT (subscriber->webrtcbin, "%s: no DTLS transport after the offer; "
                        "forwarding starts at the connection state \"connected\"",
                        subscriber->log_prefix);
    return;
  }
  g_signal_connect_data (transport, "notify::state", G_CALLBACK (on_dtls_state),
                         g_ptr_array_ref (subscriber->forwards),
                         forwards_closure_unref, 0);
  on_dtls_state (G_OBJECT (transport), NULL, subscriber->forwards);
}

static void
on_offer_set (GstPromise *promise, gpointer data)
{
  HzSubscriber *subscriber = data;
  g_autofree char *error = hz_webrtc_promise_error (promise);

  if (error != NULL)
    post_event (subscriber, EVENT_FAILED, "negotiation_failed", error, 0);
  else
    watch_dtls_transport (subscriber);
  gst_promise_unref (promise);
}

static void
on_offer_created (GstPromise *promise, gpointer data)
{
  HzSubscriber *subscriber = data;
  g_autofree char *error = hz_webrtc_promise_error (promise);
  GstWebRTCSessionDescription *offer = NULL;
  g_autofree char *text = NULL;

  if (error != NULL) {
    post_event (subscriber, EVENT_FAILED, "negotiation_failed", error, 0);
    gst_promise_unref (promise);
    return;
  }
  gst_structure_get (gst_promise_get_reply (promise), "offer",
                     GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
  gst_promise_unref (promise);
  if (offer == NULL) {
    post_event (subscriber, EVENT_FAILED, "negotiation_failed", "webrtcbin created no offer", 0);
    return;
  }

  /* Queue the offer before webrtcbin can emit candidates for it. */
  text = gst_sdp_message_as_text (offer->sdp);
  GST_LOG_OBJECT (subscriber->webrtcbin, "%s: offer:\n%s", subscriber->log_prefix, text);
  post_event (subscriber, EVENT_OFFER, NULL, text, 0);
  g_signal_emit_by_name (subscriber->webrtcbin, "set-local-description", offer,
                         gst_promise_new_with_change_func (on_offer_set,
                                                           subscriber_ref (subscriber),
                                                           subscriber_unref));
  gst_webrtc_session_description_free (offer);
}

static void
on_ice_candidate (GstElement *webrtcbin, guint mline_index, const char *candidate, gpointer data)
{
  post_event (data, EVENT_CANDIDATE, NULL, candidate, mline_index);
}

static void
on_connection_state (GObject *webrtcbin, GParamSpec *pspec, gpointer data)
{
  HzSubscriber *subscriber = data;
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtcbin, "connection-state", &state, NULL);
  GST_INFO_OBJECT (webrtcbin, "%s: connection state %d", subscriber->log_prefix, state);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    /* This covers a DTLS transport that could not be watched. FORWARDS
     * does not change after hz_subscriber_new(), and this handler keeps a
     * reference on SUBSCRIBER. */
    start_forwards (subscriber->forwards);
    post_event (subscriber, EVENT_CONNECTED, NULL, NULL, 0);
  } else if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    post_event (subscriber, EVENT_FAILED, "connection_failed",
                "the ICE or DTLS connection to the client failed", 0);
}

/* Drops the client's keyframe requests (webrtcbin turns RTCP PLI and FIR
 * into upstream force-key-unit events) and routes them through the
 * publisher's rate limiter instead. */
static GstPadProbeReturn
on_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (!gst_video_event_is_force_key_unit (event))
    return GST_PAD_PROBE_OK;
  GST_DEBUG_OBJECT (pad, "%s: keyframe request from the client",
                    ((HzSubscriber *) data)->log_prefix);
  post_event (data, EVENT_KEYFRAME, NULL, NULL, 0);
  return GST_PAD_PROBE_DROP;
}

/* ---- building the branch ---- */

/* The codec preferences of a forwarded track: the offered caps (see
 * forward-caps.h) with keyframe requests for video. NACK and its RTX format
 * come from the transceiver's do-nack. */
static GstCaps *
codec_preferences (HzTrackForward *forward)
{
  GstCaps *caps = gst_caps_copy (hz_track_forward_get_caps (forward));
  GstStructure *s = gst_caps_get_structure (caps, 0);

  if (g_strcmp0 (gst_structure_get_string (s, "media"), "video") == 0)
    gst_structure_set (s,
                       "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                       "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE,
                       NULL);
  return caps;
}

/* Adds queue → webrtcbin sink for one track and a ghost sink pad for it. */
static gboolean
add_track (HzSubscriber *subscriber, guint index, const HzIngestTrack *track, GError **error)
{
  g_autoptr (HzTrackForward) forward = hz_track_forward_new (track->caps);
  g_autoptr (GstCaps) preferences = codec_preferences (forward);
  gboolean is_video = g_str_equal (track->kind, "video");
  g_autoptr (GstPad) queue_sink = NULL;
  g_autoptr (GstPad) queue_src = NULL;
  g_autoptr (GstPad) webrtc_sink = NULL;
  g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autofree char *ghost_name = g_strdup_printf ("sink_%u", index);
  GstElement *queue = gst_element_factory_make ("queue", NULL);
  GstPad *ghost;

  g_object_set (queue, "leaky", 2 /* downstream */,
                "max-size-time", (guint64) SUBSCRIBER_QUEUE_TIME,
                "max-size-buffers", 0, "max-size-bytes", 0, NULL);
  gst_bin_add (GST_BIN (subscriber->bin), queue);

  webrtc_sink = gst_element_request_pad_simple (subscriber->webrtcbin, "sink_%u");
  queue_src = gst_element_get_static_pad (queue, "src");
  if (webrtc_sink == NULL || gst_pad_link (queue_src, webrtc_sink) != GST_PAD_LINK_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link the %s queue to webrtcbin",
                 track->kind);
    return FALSE;
  }

  /* do-nack makes webrtcbin offer NACK with an RTX format and keep the
   * packets it sent, so that it can resend those the receiver reports
   * lost. */
  g_object_get (webrtc_sink, "transceiver", &transceiver, NULL);
  if (subscriber->sender == NULL)
    g_object_get (transceiver, "sender", &subscriber->sender, NULL);
  g_object_set (transceiver,
                "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                "codec-preferences", preferences,
                "do-nack", is_video,
                NULL);
  GST_DEBUG_OBJECT (subscriber->webrtcbin, "%s: %s transceiver prefers %" GST_PTR_FORMAT,
                    subscriber->log_prefix, track->name, preferences);

  gst_pad_add_probe (queue_src, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_upstream_event,
                     subscriber, NULL);
  hz_track_forward_attach (forward, queue_src);
  g_ptr_array_add (subscriber->forwards, g_steal_pointer (&forward));
  g_ptr_array_add (subscriber->track_names, (gpointer) track->name);
  queue_sink = gst_element_get_static_pad (queue, "sink");
  ghost = gst_ghost_pad_new (ghost_name, queue_sink);
  hz_tee_branch_isolate (ghost, subscriber->log_prefix);
  gst_element_add_pad (subscriber->bin, ghost);
  return TRUE;
}

/* Orders the tracks as audio, video, video2, so that every receiver of a
 * publish sees the same m-lines in the same order, whatever order the
 * tracks arrived in. */
static GPtrArray *
ordered_tracks (const GArray *tracks)
{
  static const char *const order[] = { "audio", "video", "video2" };
  GPtrArray *ordered = g_ptr_array_new ();

  for (guint o = 0; o < G_N_ELEMENTS (order); o++) {
    for (guint i = 0; i < tracks->len; i++) {
      const HzIngestTrack *track = &g_array_index (tracks, HzIngestTrack, i);

      if (g_str_equal (track->name, order[o]))
        g_ptr_array_add (ordered, (gpointer) track);
    }
  }
  return ordered;
}

static gboolean
link_tees (HzSubscriber *subscriber, GPtrArray *tracks, GError **error)
{
  for (guint i = 0; i < tracks->len; i++) {
    const HzIngestTrack *track = g_ptr_array_index (tracks, i);
    g_autofree char *ghost_name = g_strdup_printf ("sink_%u", i);
    g_autoptr (GstPad) bin_sink = gst_element_get_static_pad (subscriber->bin, ghost_name);
    GstPad *tee_pad = gst_element_request_pad_simple (track->tee, "src_%u");

    g_ptr_array_add (subscriber->tees, gst_object_ref (track->tee));
    g_ptr_array_add (subscriber->tee_pads, tee_pad);
    if (gst_pad_link (tee_pad, bin_sink) != GST_PAD_LINK_OK) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot link the %s tee to the subscriber",
                   track->kind);
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- a relay-owned connection (sub-link.h) ---- */

static void
on_link_offer (const char *sdp, gpointer data)
{
  HzSubscriber *subscriber = data;

  subscriber->callbacks.offer (subscriber, sdp, subscriber->user_data);
}

static void
on_link_candidate (const char *candidate, gpointer data)
{
  HzSubscriber *subscriber = data;

  subscriber->callbacks.candidate (subscriber, 0, candidate, subscriber->user_data);
}

static void
on_link_failed (const char *code, const char *message, gpointer data)
{
  HzSubscriber *subscriber = data;

  subscriber->callbacks.failed (subscriber, code, message, subscriber->user_data);
}

static void
on_link_connected (gpointer data)
{
  HzSubscriber *subscriber = data;

  subscriber->connected = TRUE;
  subscriber->callbacks.connected (subscriber, subscriber->user_data);
}

static void
on_link_keyframe_requested (gpointer data)
{
  HzSubscriber *subscriber = data;

  subscriber->callbacks.keyframe_requested (subscriber, subscriber->user_data);
}

static const HzSubLinkCallbacks link_callbacks = {
  .offer = on_link_offer,
  .candidate = on_link_candidate,
  .failed = on_link_failed,
  .connected = on_link_connected,
  .keyframe_requested = on_link_keyframe_requested,
};

HzSubscriber *
hz_subscriber_new (GstElement *pipeline, const HzRelayConfig *config, HzSendPool *pool,
                   HzMetrics *metrics, const char *log_prefix, const GArray *tracks,
                   const HzSubscriberCallbacks *callbacks, gpointer user_data, GError **error)
{
  g_autoptr (GPtrArray) ordered = NULL;
  HzSubscriber *subscriber;

  ensure_debug_category ();

  subscriber = g_atomic_rc_box_new0 (HzSubscriber);
  subscriber->pipeline = gst_object_ref (pipeline);
  subscriber->log_prefix = g_strdup (log_prefix);
  subscriber->callbacks = *callbacks;
  subscriber->user_data = user_data;
  subscriber->tees = g_ptr_array_new_with_free_func (gst_object_unref);
  subscriber->tee_pads = g_ptr_array_new_with_free_func (gst_object_unref);
  subscriber->forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_track_forward_unref);
  subscriber->track_names = g_ptr_array_new ();
  ordered = ordered_tracks (tracks);
  subscriber->n_tracks = ordered->len;

  if (pool != NULL) {
    subscriber->link = hz_sub_link_new (pool, metrics, log_prefix, ordered, &link_callbacks,
                                        subscriber);
    return subscriber;
  }

  subscriber->bin = gst_object_ref_sink (gst_bin_new (NULL));
  subscriber->webrtcbin = gst_object_ref (gst_element_factory_make ("webrtcbin", NULL));
  hz_ice_configure (subscriber->webrtcbin, config);
  gst_bin_add (GST_BIN (subscriber->bin), subscriber->webrtcbin);
  g_signal_connect_data (subscriber->webrtcbin, "on-ice-candidate", G_CALLBACK (on_ice_candidate),
                         subscriber_ref (subscriber), subscriber_closure_unref, 0);
  g_signal_connect_data (subscriber->webrtcbin, "notify::connection-state",
                         G_CALLBACK (on_connection_state),
                         subscriber_ref (subscriber), subscriber_closure_unref, 0);
  /* The relay creates the one offer below itself; on-negotiation-needed,
   * which webrtcbin emits once per transceiver, is not connected. */

  for (guint i = 0; i < ordered->len; i++) {
    if (!add_track (subscriber, i, g_ptr_array_index (ordered, i), error)) {
      hz_subscriber_close (subscriber);
      return NULL;
    }
  }

  /* Start the branch before linking it, so that the first buffer finds it
   * running. */
  gst_bin_add (GST_BIN (pipeline), subscriber->bin);
  gst_element_sync_state_with_parent (subscriber->bin);
  if (!link_tees (subscriber, ordered, error)) {
    hz_subscriber_close (subscriber);
    return NULL;
  }

  g_signal_emit_by_name (subscriber->webrtcbin, "create-offer", NULL,
                         gst_promise_new_with_change_func (on_offer_created,
                                                           subscriber_ref (subscriber),
                                                           subscriber_unref));
  return subscriber;
}

/* Reads the receiver's numbers for each track from ANSWER into the
 * track's rewriting. Tracks that the receiver rejected are added to
 * REJECTED by name. */
static gboolean
read_answer (HzSubscriber *subscriber, const GstSDPMessage *answer, GPtrArray *rejected,
             GError **error)
{
  for (guint i = 0; i < subscriber->forwards->len; i++) {
    HzTrackForward *forward = g_ptr_array_index (subscriber->forwards, i);
    const char *name = g_ptr_array_index (subscriber->track_names, i);
    gboolean accepted = FALSE;
    HzRtpMap map;

    if (!hz_forward_read_answer (answer, i, hz_track_forward_get_caps (forward), &map,
                                 &accepted, error))
      return FALSE;
    hz_track_forward_set_answer (forward, &map, accepted);
    if (!accepted) {
      g_ptr_array_add (rejected, (gpointer) name);
      continue;
    }
    if (map.source_pt != map.target_pt)
      g_message ("%s: %s goes out as payload type %d (the publisher's is %d)",
                 subscriber->log_prefix, name, map.target_pt, map.source_pt);
  }
  return TRUE;
}

gboolean
hz_subscriber_set_answer (HzSubscriber *subscriber, const char *sdp_text, GPtrArray *rejected,
                          GError **error)
{
  GstSDPMessage *sdp = NULL;
  GstWebRTCSessionDescription *answer;
  guint n_removed;

  if (!hz_sdp_parse_text (sdp_text, &sdp)
      || gst_sdp_message_medias_len (sdp) == 0) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "the answer is not SDP with at least one m-line");
    g_clear_pointer (&sdp, gst_sdp_message_free);
    return FALSE;
  }
  if (subscriber->link != NULL) {
    gboolean applied;

    n_removed = hz_sdp_remove_unusable_candidates (sdp);
    if (n_removed > 0)
      g_message ("%s: removed %u candidate(s) from the answer: mDNS names, which the relay"
                 " does not resolve, or invalid, multicast or broadcast addresses",
                 subscriber->log_prefix, n_removed);
    applied = hz_sub_link_set_answer (subscriber->link, sdp, rejected, error);
    gst_sdp_message_free (sdp);
    return applied;
  }
  if (!read_answer (subscriber, sdp, rejected, error)) {
    gst_sdp_message_free (sdp);
    return FALSE;
  }
  n_removed = hz_sdp_remove_unusable_candidates (sdp);
  if (n_removed > 0)
    g_message ("%s: removed %u candidate(s) from the answer: mDNS names, which the relay does"
               " not resolve, or invalid, multicast or broadcast addresses",
               subscriber->log_prefix, n_removed);

  answer = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  g_signal_emit_by_name (subscriber->webrtcbin, "set-remote-description", answer,
                         gst_promise_new_with_change_func (on_description_set,
                                                           subscriber_ref (subscriber),
                                                           subscriber_unref));
  gst_webrtc_session_description_free (answer);
  return TRUE;
}

guint
hz_subscriber_get_n_tracks (HzSubscriber *subscriber)
{
  return subscriber->n_tracks;
}

void
hz_subscriber_watch (HzSubscriber *subscriber, HzMetrics *metrics)
{
  if (subscriber->webrtcbin != NULL)
    hz_metrics_watch_subscriber (metrics, subscriber->webrtcbin);
}

void
hz_subscriber_read_counts (HzSubscriber *subscriber, HzSessionCounts *counts)
{
  if (subscriber->link != NULL)
    hz_sub_link_read_counts (subscriber->link, counts);
  else
    hz_metrics_read_session (subscriber->webrtcbin, counts);
}

void
hz_subscriber_add_candidate (HzSubscriber *subscriber, guint mline_index, const char *candidate)
{
  /* An empty candidate marks the end of candidates; libnice needs no notice. */
  if (subscriber->closed)
    return;
  if (subscriber->link != NULL) {
    hz_sub_link_add_candidate (subscriber->link, candidate);
    return;
  }
  if (candidate[0] == '\0')
    return;
  g_signal_emit_by_name (subscriber->webrtcbin, "add-ice-candidate", mline_index, candidate);
}

static void
remove_branch (HzSubscriber *subscriber)
{
  hz_element_remove (subscriber->pipeline, subscriber->bin);
  g_signal_handlers_disconnect_by_data (subscriber->webrtcbin, subscriber);
  GST_DEBUG ("%s: subscriber branch removed", subscriber->log_prefix);
  subscriber_unref (subscriber);   /* the reference of hz_subscriber_new() */
}

static void
on_branch_detached (gpointer data)
{
  HzSubscriber *subscriber = data;

  if (--subscriber->n_detaching == 0)
    remove_branch (subscriber);
}

void
hz_subscriber_close (HzSubscriber *subscriber)
{
  g_return_if_fail (!subscriber->closed);

  subscriber->closed = TRUE;
  if (subscriber->link != NULL) {
    hz_sub_link_close (g_steal_pointer (&subscriber->link));
    subscriber_unref (subscriber);   /* the reference of hz_subscriber_new() */
    return;
  }
  if (subscriber->tee_pads->len == 0) {
    remove_branch (subscriber);
    return;
  }

  subscriber->n_detaching = subscriber->tee_pads->len;
  for (guint i = 0; i < subscriber->tee_pads->len; i++)
    hz_tee_branch_detach (g_ptr_array_index (subscriber->tees, i),
                          g_ptr_array_index (subscriber->tee_pads, i),
                          on_branch_detached, subscriber_ref (subscriber), subscriber_unref);
}
