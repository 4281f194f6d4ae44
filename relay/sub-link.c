/* Relay-owned subscriber connections; see sub-link.h.
 *
 * Threads: hz_sub_link_new(), _set_answer(), _add_candidate() and
 * _close() run on the main thread. _forward() runs on the publisher
 * tracks' streaming threads. The DTLS handshake, the client's RTCP, the
 * retransmissions and the sender reports run on the worker's thread. The
 * agent's signals may come on any of them, so events for the callbacks
 * are posted to the main thread, holding a reference.
 */
#include "sub-link.h"
#include "fanout.h"
#include "forward-caps.h"
#include "ice.h"
#include "ingest.h"
#include "rtcp-feedback.h"
#include "rtp-rewrite.h"
#include "sub-offer.h"

#include <gio/gio.h>
#include <string.h>

/* Larger packets are dropped. WebRTC senders keep RTP packets under the
 * path MTU; browsers stay near 1200 bytes. */
#define MAX_PACKET 1500
#define OUT_SIZE (HZ_RTP_REWRITE_MAX_SIZE (MAX_PACKET) + HZ_SRTP_MAX_TRAILER)
#define SENDER_REPORT_INTERVAL_MS 1000
/* Retransmissions per connection: a bucket of RTX_BURST packets, refilled
 * at RTX_PER_SECOND. Twice the packet rate of 1 Mbit/s video leaves room
 * for real loss, while a client that floods NACKs cannot make the relay
 * send more than that. */
#define RTX_PER_SECOND 300
#define RTX_BURST 150
/* Seconds from 1900 (NTP) to 1970 (Unix). */
#define NTP_UNIX_OFFSET G_GUINT64_CONSTANT (2208988800)
/* The CNAME of every relay-owned connection, in the offer and in RTCP. */
#define CNAME "huizhen-relay"

typedef struct {
  const char *name;          /* "audio", "video" or "video2" */
  gboolean video;
  GstCaps *offered;          /* hz_forward_caps() */
  HzFanout *fanout;
  guint32 ssrc;
  guint32 rtx_ssrc;
  guint clock_rate;

  /* Set by the answer, before the handshake can start. */
  HzRtpMap map;
  gboolean accepted;
  int rtx_pt;                /* the receiver's, or -1 */

  /* Under the link's stats_lock. */
  guint32 packets;
  guint32 octets;
  guint32 last_rtp_time;
  gint64 last_sent_at;       /* monotonic µs; 0 before the first packet */

  /* Worker thread only. */
  guint16 rtx_seq;
} LinkTrack;

struct _HzSubLink {
  /* Immutable after hz_sub_link_new(). */
  HzSendPool *pool;
  HzSendWorker *worker;
  NiceAgent *agent;
  guint stream_id;
  HzMetrics *metrics;
  char *log_prefix;
  HzSubLinkCallbacks callbacks;
  gpointer user_data;
  LinkTrack *tracks;
  guint n_tracks;

  /* Set on the main thread by the answer, before the worker uses it. */
  HzDtlsSrtp *dtls;          /* atomic pointer */
  gboolean dtls_client;

  gint sending;              /* atomic: TRUE once the SRTP keys are set */
  GMutex stats_lock;
  gint nack_packets;         /* atomic */
  gint rtx_packets;          /* atomic */

  gint keyframe_pending;     /* atomic: an EVENT_KEYFRAME is posted, not yet dispatched */

  /* Worker thread only. */
  double rtx_tokens;
  gint64 rtx_refilled_at;    /* monotonic µs */
  guint rtx_limited;         /* NACKed packets not resent because of the limit */
  GSource *dtls_timer;
  GSource *report_timer;
  gboolean dtls_started;
  gboolean dtls_done;        /* connected or failed */
  gboolean torn_down;        /* see tear_down() */

  /* Main thread only. */
  gboolean closed;
  gboolean answered;
};

/* ---- references ---- */

static void
link_clear (HzSubLink *link)
{
  for (guint i = 0; i < link->n_tracks; i++) {
    g_clear_pointer (&link->tracks[i].offered, gst_caps_unref);
    g_clear_pointer (&link->tracks[i].fanout, hz_fanout_unref);
  }
  g_free (link->tracks);
  g_clear_pointer (&link->dtls, hz_dtls_srtp_free);
  g_mutex_clear (&link->stats_lock);
  g_free (link->log_prefix);
}

HzSubLink *
hz_sub_link_ref (HzSubLink *link)
{
  return g_atomic_rc_box_acquire (link);
}

void
hz_sub_link_unref (HzSubLink *link)
{
  g_atomic_rc_box_release_full (link, (GDestroyNotify) link_clear);
}

/* ---- main-thread events ---- */

typedef enum {
  EVENT_OFFER,
  EVENT_CANDIDATE,
  EVENT_FAILED,
  EVENT_CONNECTED,
  EVENT_KEYFRAME,
} LinkEventType;

typedef struct {
  HzSubLink *link;
  LinkEventType type;
  const char *code;
  char *text;
} LinkEvent;

static void
event_free (gpointer data)
{
  LinkEvent *event = data;

  g_free (event->text);
  hz_sub_link_unref (event->link);
  g_free (event);
}

static gboolean
dispatch_event (gpointer data)
{
  LinkEvent *event = data;
  HzSubLink *link = event->link;
  const HzSubLinkCallbacks *cb = &link->callbacks;

  if (link->closed)
    return G_SOURCE_REMOVE;
  switch (event->type) {
    case EVENT_OFFER:
      cb->offer (event->text, link->user_data);
      break;
    case EVENT_CANDIDATE:
      cb->candidate (event->text, link->user_data);
      break;
    case EVENT_FAILED:
      cb->failed (event->code, event->text, link->user_data);
      break;
    case EVENT_CONNECTED:
      cb->connected (link->user_data);
      break;
    case EVENT_KEYFRAME:
      g_atomic_int_set (&link->keyframe_pending, FALSE);
      cb->keyframe_requested (link->user_data);
      break;
  }
  return G_SOURCE_REMOVE;
}

static void
post_event (HzSubLink *link, LinkEventType type, const char *code, const char *text)
{
  LinkEvent *event = g_new0 (LinkEvent, 1);

  event->link = hz_sub_link_ref (link);
  event->type = type;
  event->code = code;
  event->text = g_strdup (text);
  g_idle_add_full (G_PRIORITY_DEFAULT, dispatch_event, event, event_free);
}

/* ---- sending ---- */

static void
send_packet (HzSubLink *link, const guint8 *data, gsize length)
{
  nice_agent_send (link->agent, link->stream_id, 1, (guint) length, (const char *) data);
}

static void
send_dtls (const guint8 *data, gsize length, gpointer user_data)
{
  send_packet (user_data, data, length);
}

/* Rewrites DATA for TRACK into OUT (OUT_SIZE bytes): the receiver's
 * payload type and extension ids, the connection's SSRC. */
static gboolean
rewrite (const LinkTrack *track, const guint8 *data, gsize length, guint8 *out,
         gsize *out_length)
{
  switch (hz_rtp_rewrite_packet (&track->map, data, length, out, out_length)) {
    case HZ_RTP_REWRITE_UNCHANGED:
      memcpy (out, data, length);
      *out_length = length;
      break;
    case HZ_RTP_REWRITE_CHANGED:
      break;
    case HZ_RTP_REWRITE_DROP:
      return FALSE;
  }
  GST_WRITE_UINT32_BE (out + 8, track->ssrc);
  return TRUE;
}

gboolean
hz_sub_link_forward (HzSubLink *link, guint index, const guint8 *data, gsize length)
{
  LinkTrack *track = &link->tracks[index];
  guint8 out[OUT_SIZE];
  gsize out_length = 0;

  if (!g_atomic_int_get (&link->sending) || !track->accepted || length > MAX_PACKET)
    return FALSE;
  if (!rewrite (track, data, length, out, &out_length))
    return FALSE;

  g_mutex_lock (&link->stats_lock);
  track->packets++;
  track->octets += (guint32) (out_length - 12);
  track->last_rtp_time = GST_READ_UINT32_BE (out + 4);
  track->last_sent_at = g_get_monotonic_time ();
  g_mutex_unlock (&link->stats_lock);

  if (!hz_dtls_srtp_protect_rtp (link->dtls, out, &out_length))
    return FALSE;
  send_packet (link, out, out_length);
  return TRUE;
}

/* ---- the client's RTCP (worker thread) ---- */

static LinkTrack *
track_by_ssrc (HzSubLink *link, guint32 ssrc)
{
  for (guint i = 0; i < link->n_tracks; i++) {
    if (link->tracks[i].ssrc == ssrc)
      return &link->tracks[i];
  }
  return NULL;
}

/* Takes a token from the connection's retransmission bucket. */
static gboolean
take_rtx_token (HzSubLink *link)
{
  gint64 now = g_get_monotonic_time ();

  link->rtx_tokens = MIN (RTX_BURST, link->rtx_tokens + (double) (now - link->rtx_refilled_at)
                                                        * RTX_PER_SECOND / G_USEC_PER_SEC);
  link->rtx_refilled_at = now;
  if (link->rtx_tokens < 1) {
    if (link->rtx_limited++ == 0)
      g_message ("%s: the client requests more retransmissions than %d per second; "
                 "not resending the rest", link->log_prefix, RTX_PER_SECOND);
    return FALSE;
  }
  link->rtx_tokens -= 1;
  return TRUE;
}

static void
retransmit (HzSubLink *link, LinkTrack *track, guint16 seq)
{
  g_autoptr (GstBuffer) original = NULL;
  guint8 rewritten[OUT_SIZE];
  guint8 out[OUT_SIZE + 2];
  gsize rewritten_length = 0;
  gsize out_length;
  GstMapInfo map;

  if (!track->video || !track->accepted || track->rtx_pt < 0)
    return;
  original = hz_fanout_lookup (track->fanout, seq);
  if (original == NULL || !take_rtx_token (link) || !gst_buffer_map (original, &map, GST_MAP_READ))
    return;
  if (map.size > MAX_PACKET || !rewrite (track, map.data, map.size, rewritten, &rewritten_length)) {
    gst_buffer_unmap (original, &map);
    return;
  }
  gst_buffer_unmap (original, &map);
  out_length = hz_rtp_write_rtx (rewritten, rewritten_length, (guint8) track->rtx_pt,
                                 track->rtx_ssrc, track->rtx_seq, out,
                                 sizeof out - HZ_SRTP_MAX_TRAILER);
  if (out_length == 0)
    return;
  track->rtx_seq++;
  if (!hz_dtls_srtp_protect_rtp (link->dtls, out, &out_length))
    return;
  send_packet (link, out, out_length);
  g_atomic_int_inc (&link->rtx_packets);
}

typedef struct {
  HzSubLink *link;
  gboolean keyframe;
  gboolean nack;
} FeedbackRead;

static void
on_feedback (const HzRtcpFeedback *feedback, gpointer data)
{
  FeedbackRead *read = data;
  LinkTrack *track = track_by_ssrc (read->link, feedback->media_ssrc);

  switch (feedback->type) {
    case HZ_RTCP_FEEDBACK_KEYFRAME:
      read->keyframe = TRUE;
      break;
    case HZ_RTCP_FEEDBACK_NACK:
      read->nack = TRUE;
      if (track != NULL)
        retransmit (read->link, track, feedback->seq);
      break;
    case HZ_RTCP_FEEDBACK_REPORT:
      break;
  }
}

static void
receive_rtcp (HzSubLink *link, const guint8 *data, gsize length)
{
  guint8 packet[OUT_SIZE];
  gsize packet_length = length;
  FeedbackRead read = { link, FALSE, FALSE };

  if (length > sizeof packet)
    return;
  memcpy (packet, data, length);
  if (!hz_dtls_srtp_unprotect_rtcp (link->dtls, packet, &packet_length))
    return;
  if (!hz_rtcp_feedback_read (packet, packet_length, on_feedback, &read))
    return;
  if (read.nack)
    g_atomic_int_inc (&link->nack_packets);
  /* One request waits on the main thread at a time: a client that floods
   * PLIs costs the main loop nothing more. */
  if (read.keyframe && g_atomic_int_compare_and_exchange (&link->keyframe_pending, FALSE, TRUE))
    post_event (link, EVENT_KEYFRAME, NULL, NULL);
}

/* ---- sender reports (worker thread) ---- */

static gboolean
on_report_timer (gpointer data)
{
  HzSubLink *link = data;
  gint64 now = g_get_monotonic_time ();
  gint64 real_now = g_get_real_time ();
  guint64 ntp_time = ((guint64) (real_now / G_USEC_PER_SEC) + NTP_UNIX_OFFSET) << 32
                     | (guint64) (((real_now % G_USEC_PER_SEC) << 32) / G_USEC_PER_SEC);

  for (guint i = 0; i < link->n_tracks; i++) {
    LinkTrack *track = &link->tracks[i];
    guint8 packet[256 + HZ_SRTP_MAX_TRAILER];
    guint32 packets, octets, rtp_time;
    gint64 sent_at;
    gsize length;

    g_mutex_lock (&link->stats_lock);
    packets = track->packets;
    octets = track->octets;
    rtp_time = track->last_rtp_time;
    sent_at = track->last_sent_at;
    g_mutex_unlock (&link->stats_lock);
    if (sent_at == 0 || !track->accepted)
      continue;
    /* The RTP time of now, from the last packet sent and the clock rate. */
    rtp_time += (guint32) ((now - sent_at) * (gint64) track->clock_rate / G_USEC_PER_SEC);
    length = hz_rtcp_write_sender_report (track->ssrc, ntp_time, rtp_time, packets, octets,
                                          CNAME, packet,
                                          sizeof packet - HZ_SRTP_MAX_TRAILER);
    if (length > 0 && hz_dtls_srtp_protect_rtcp (link->dtls, packet, &length))
      send_packet (link, packet, length);
  }
  return G_SOURCE_CONTINUE;
}

/* ---- DTLS (worker thread) ---- */

static void arm_dtls_timer (HzSubLink *link);

static void
dtls_state_changed (HzSubLink *link, HzDtlsSrtpState state, const GError *error)
{
  if (link->dtls_done || link->torn_down)
    return;
  switch (state) {
    case HZ_DTLS_SRTP_HANDSHAKING:
      arm_dtls_timer (link);
      break;
    case HZ_DTLS_SRTP_CONNECTED:
      link->dtls_done = TRUE;
      g_atomic_int_set (&link->sending, TRUE);
      post_event (link, EVENT_CONNECTED, NULL, NULL);
      link->report_timer = g_timeout_source_new (SENDER_REPORT_INTERVAL_MS);
      g_source_set_callback (link->report_timer, on_report_timer, link, NULL);
      g_source_attach (link->report_timer, hz_send_worker_get_context (link->worker));
      break;
    case HZ_DTLS_SRTP_FAILED: {
      g_autofree char *message = g_strdup_printf ("the DTLS handshake with the client failed: %s",
                                                  error != NULL ? error->message : "unknown");

      link->dtls_done = TRUE;
      post_event (link, EVENT_FAILED, "connection_failed", message);
      break;
    }
  }
}

static gboolean
on_dtls_timer (gpointer data)
{
  HzSubLink *link = data;
  g_autoptr (GError) error = NULL;
  HzDtlsSrtpState state;

  g_clear_pointer (&link->dtls_timer, g_source_unref);
  state = hz_dtls_srtp_handle_timeout (link->dtls, &error);
  dtls_state_changed (link, state, error);
  return G_SOURCE_REMOVE;
}

static void
arm_dtls_timer (HzSubLink *link)
{
  gint64 timeout = hz_dtls_srtp_get_timeout (link->dtls);

  if (link->dtls_timer != NULL) {
    g_source_destroy (link->dtls_timer);
    g_clear_pointer (&link->dtls_timer, g_source_unref);
  }
  if (timeout < 0)
    return;
  link->dtls_timer = g_timeout_source_new ((guint) timeout);
  g_source_set_callback (link->dtls_timer, on_dtls_timer, link, NULL);
  g_source_attach (link->dtls_timer, hz_send_worker_get_context (link->worker));
}

/* Starts the handshake as DTLS client once ICE has a pair. */
static gboolean
start_dtls_client (gpointer data)
{
  HzSubLink *link = data;
  g_autoptr (GError) error = NULL;
  HzDtlsSrtpState state;

  if (link->dtls_started || link->torn_down || g_atomic_pointer_get (&link->dtls) == NULL)
    return G_SOURCE_REMOVE;
  link->dtls_started = TRUE;
  state = hz_dtls_srtp_start (link->dtls, &error);
  dtls_state_changed (link, state, error);
  return G_SOURCE_REMOVE;
}

static void
on_receive (NiceAgent *agent, guint stream_id, guint component_id, guint length, gchar *buffer,
            gpointer data)
{
  HzSubLink *link = data;
  const guint8 *bytes = (const guint8 *) buffer;
  HzDtlsSrtp *dtls = g_atomic_pointer_get (&link->dtls);

  if (length < 2 || dtls == NULL)
    return;
  if (bytes[0] >= 20 && bytes[0] <= 63) {
    g_autoptr (GError) error = NULL;
    HzDtlsSrtpState state;

    /* As DTLS client the relay starts itself, once ICE is connected;
     * what comes before is dropped and must not stop that start. */
    if (!link->dtls_client)
      link->dtls_started = TRUE;
    state = hz_dtls_srtp_receive (dtls, bytes, length, &error);
    dtls_state_changed (link, state, error);
  } else if (bytes[0] >= 128 && bytes[0] <= 191 && bytes[1] >= 192 && bytes[1] <= 223) {
    receive_rtcp (link, bytes, length);
  }
}

/* ---- agent signals (any thread) ---- */

static void
on_candidate (gpointer data, NiceCandidate *candidate)
{
  HzSubLink *link = data;
  g_autofree char *line = NULL;

  if (candidate->component_id != 1)
    return;
  line = nice_agent_generate_local_candidate_sdp (link->agent, candidate);
  if (line != NULL)
    post_event (link, EVENT_CANDIDATE, NULL, g_str_has_prefix (line, "a=") ? line + 2 : line);
}

static void
on_state (gpointer data, NiceComponentState state)
{
  HzSubLink *link = data;

  if (state == NICE_COMPONENT_STATE_FAILED) {
    hz_metrics_count (&link->metrics->ice_failures, 1);
    post_event (link, EVENT_FAILED, "connection_failed",
                "the ICE connection to the client failed");
  } else if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY)
             && link->dtls_client) {
    g_main_context_invoke_full (hz_send_worker_get_context (link->worker), G_PRIORITY_DEFAULT,
                                start_dtls_client, hz_sub_link_ref (link),
                                (GDestroyNotify) hz_sub_link_unref);
  }
}

static gpointer
handlers_ref (gpointer data)
{
  return hz_sub_link_ref (data);
}

static void
handlers_unref (gpointer data)
{
  hz_sub_link_unref (data);
}

static const HzSendStreamHandlers stream_handlers = {
  .candidate = on_candidate,
  .state = on_state,
  .ref = handlers_ref,
  .unref = handlers_unref,
};

/* ---- building ---- */

static void
set_up_stream (HzSubLink *link)
{
  const HzRelayConfig *config = hz_send_pool_get_config (link->pool);
  const GPtrArray *relays = hz_send_pool_get_turn_servers (link->pool);

  link->stream_id = nice_agent_add_stream (link->agent, 1);
  if (config->ice_port_min != 0 && config->ice_port_max != 0)
    nice_agent_set_port_range (link->agent, link->stream_id, 1, config->ice_port_min,
                               config->ice_port_max);
  for (guint i = 0; i < relays->len; i++) {
    const HzIceRelay *relay = g_ptr_array_index (relays, i);

    nice_agent_set_relay_info (link->agent, link->stream_id, 1, relay->ip, relay->port,
                               relay->username, relay->password, relay->type);
  }
  hz_send_worker_add_stream (link->worker, link->stream_id, &stream_handlers, link);
  nice_agent_attach_recv (link->agent, link->stream_id, 1,
                          hz_send_worker_get_context (link->worker), on_receive, link);
}

static char *
write_offer (HzSubLink *link)
{
  g_autofree HzSubOfferTrack *offered = g_new0 (HzSubOfferTrack, link->n_tracks);
  g_autofree char *ufrag = NULL;
  g_autofree char *pwd = NULL;
  g_autoptr (GPtrArray) mids = g_ptr_array_new_with_free_func (g_free);
  HzSubOfferTransport transport = { 0 };

  for (guint i = 0; i < link->n_tracks; i++) {
    LinkTrack *track = &link->tracks[i];
    char *mid = g_strdup_printf ("%s%u", track->video ? "video" : "audio", i);

    g_ptr_array_add (mids, mid);
    offered[i].caps = track->offered;
    offered[i].mid = mid;
    offered[i].ssrc = track->ssrc;
    offered[i].rtx_ssrc = track->rtx_ssrc;
  }
  hz_sub_offer_pick_rtx (offered, link->n_tracks);
  nice_agent_get_local_credentials (link->agent, link->stream_id, &ufrag, &pwd);
  transport.ice_ufrag = ufrag;
  transport.ice_pwd = pwd;
  transport.fingerprint = hz_dtls_identity_get_fingerprint (hz_send_pool_get_identity (link->pool));
  transport.cname = CNAME;
  transport.stream_id = "huizhen";
  transport.session_version = g_random_int ();
  return hz_sub_offer_write (offered, link->n_tracks, &transport);
}

static guint32
random_ssrc (void)
{
  guint32 ssrc;

  do
    ssrc = g_random_int ();
  while (ssrc == 0);
  return ssrc;
}

HzSubLink *
hz_sub_link_new (HzSendPool *pool, HzMetrics *metrics, const char *log_prefix,
                 GPtrArray *tracks, const HzSubLinkCallbacks *callbacks, gpointer user_data)
{
  HzSubLink *link = g_atomic_rc_box_new0 (HzSubLink);
  g_autofree char *offer = NULL;

  link->pool = pool;
  link->worker = hz_send_pool_pick (pool);
  link->agent = hz_send_worker_get_agent (link->worker);
  link->metrics = metrics;
  link->log_prefix = g_strdup (log_prefix);
  link->callbacks = *callbacks;
  link->user_data = user_data;
  link->rtx_tokens = RTX_BURST;
  link->rtx_refilled_at = g_get_monotonic_time ();
  g_mutex_init (&link->stats_lock);
  link->n_tracks = tracks->len;
  link->tracks = g_new0 (LinkTrack, tracks->len);
  for (guint i = 0; i < tracks->len; i++) {
    const HzIngestTrack *ingest = g_ptr_array_index (tracks, i);
    LinkTrack *track = &link->tracks[i];
    int clock_rate = 90000;

    track->name = ingest->name;
    track->video = g_str_equal (ingest->kind, "video");
    track->offered = hz_forward_caps (ingest->caps);
    gst_structure_get_int (gst_caps_get_structure (track->offered, 0), "clock-rate", &clock_rate);
    track->clock_rate = (guint) clock_rate;
    track->ssrc = random_ssrc ();
    track->rtx_ssrc = random_ssrc ();
    track->rtx_seq = (guint16) g_random_int ();
    track->rtx_pt = -1;
    hz_rtp_map_init (&track->map);
    track->fanout = hz_fanout_get (ingest->tee, track->video, metrics,
                                   track->video ? HZ_METRICS_VIDEO : HZ_METRICS_AUDIO);
  }

  set_up_stream (link);
  offer = write_offer (link);
  /* The offer goes out before any candidate: events keep their order. */
  post_event (link, EVENT_OFFER, NULL, offer);
  for (guint i = 0; i < link->n_tracks; i++)
    hz_fanout_add (link->tracks[i].fanout, link, i);
  if (!nice_agent_gather_candidates (link->agent, link->stream_id))
    post_event (link, EVENT_FAILED, "connection_failed",
                "the relay could not gather ICE candidates");
  return link;
}

/* ---- the answer and candidates (main thread) ---- */

static void
add_remote_candidate (HzSubLink *link, const char *line)
{
  g_autofree char *sdp_line = g_str_has_prefix (line, "a=") ? g_strdup (line)
                                                            : g_strconcat ("a=", line, NULL);
  NiceCandidate *candidate = nice_agent_parse_remote_candidate_sdp (link->agent, link->stream_id,
                                                                    sdp_line);
  GSList *list;

  if (candidate == NULL) {
    g_message ("%s: skipping a remote candidate that libnice cannot read", link->log_prefix);
    return;
  }
  if (candidate->component_id == 1) {
    list = g_slist_append (NULL, candidate);
    nice_agent_set_remote_candidates (link->agent, link->stream_id, 1, list);
    g_slist_free (list);
  }
  nice_candidate_free (candidate);
}

gboolean
hz_sub_link_set_answer (HzSubLink *link, const GstSDPMessage *answer, GPtrArray *rejected,
                        GError **error)
{
  g_auto (HzSubAnswer) transport = { 0 };
  HzDtlsSrtp *dtls;

  if (link->answered) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "this connection has its answer already");
    return FALSE;
  }
  if (!hz_sub_answer_read (answer, &transport, error))
    return FALSE;
  for (guint i = 0; i < link->n_tracks; i++) {
    LinkTrack *track = &link->tracks[i];
    HzRtpMap map;
    gboolean accepted = FALSE;

    if (!hz_forward_read_answer (answer, i, track->offered, &map, &accepted, error))
      return FALSE;
    if (!accepted) {
      g_ptr_array_add (rejected, (gpointer) track->name);
      continue;
    }
    if (map.source_pt != map.target_pt)
      g_message ("%s: %s goes out as payload type %d (the publisher's is %d)",
                 link->log_prefix, track->name, map.target_pt, map.source_pt);
    track->map = map;
    track->accepted = TRUE;
    if (track->video)
      track->rtx_pt = hz_forward_answer_rtx_pt (answer, i, map.target_pt);
  }
  dtls = hz_dtls_srtp_new (hz_send_pool_get_identity (link->pool), transport.dtls_client,
                           g_ptr_array_index (transport.fingerprints, 0), send_dtls, link, error);
  if (dtls == NULL)
    return FALSE;
  for (guint i = 1; i < transport.fingerprints->len; i++) {
    if (!hz_dtls_srtp_add_fingerprint (dtls, g_ptr_array_index (transport.fingerprints, i),
                                       error)) {
      hz_dtls_srtp_free (dtls);
      return FALSE;
    }
  }
  link->answered = TRUE;
  link->dtls_client = transport.dtls_client;
  g_atomic_pointer_set (&link->dtls, dtls);
  if (!nice_agent_set_remote_credentials (link->agent, link->stream_id, transport.ice_ufrag,
                                          transport.ice_pwd)) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "libnice refused the answer's ICE credentials");
    return FALSE;
  }
  for (guint i = 0; i < transport.candidates->len; i++)
    add_remote_candidate (link, g_ptr_array_index (transport.candidates, i));
  return TRUE;
}

void
hz_sub_link_add_candidate (HzSubLink *link, const char *candidate)
{
  if (link->closed)
    return;
  if (candidate[0] == '\0')
    nice_agent_peer_candidate_gathering_done (link->agent, link->stream_id);
  else
    add_remote_candidate (link, candidate);
}

void
hz_sub_link_read_counts (HzSubLink *link, HzSessionCounts *counts)
{
  counts->nacks_received += (guint64) g_atomic_int_get (&link->nack_packets);
  counts->rtx_packets_sent += (guint64) g_atomic_int_get (&link->rtx_packets);
}

/* ---- closing ---- */

/* Worker thread: no receive callback or timer runs after this. */
static gboolean
tear_down (gpointer data)
{
  HzSubLink *link = data;

  link->torn_down = TRUE;
  if (link->dtls_timer != NULL) {
    g_source_destroy (link->dtls_timer);
    g_clear_pointer (&link->dtls_timer, g_source_unref);
  }
  if (link->report_timer != NULL) {
    g_source_destroy (link->report_timer);
    g_clear_pointer (&link->report_timer, g_source_unref);
  }
  nice_agent_attach_recv (link->agent, link->stream_id, 1,
                          hz_send_worker_get_context (link->worker), NULL, NULL);
  nice_agent_remove_stream (link->agent, link->stream_id);
  return G_SOURCE_REMOVE;
}

void
hz_sub_link_close (HzSubLink *link)
{
  g_return_if_fail (!link->closed);

  link->closed = TRUE;
  g_atomic_int_set (&link->sending, FALSE);
  for (guint i = 0; i < link->n_tracks; i++)
    hz_fanout_remove (link->tracks[i].fanout, link);
  hz_send_worker_remove_stream (link->worker, link->stream_id);
  g_main_context_invoke_full (hz_send_worker_get_context (link->worker), G_PRIORITY_DEFAULT,
                              tear_down, link, (GDestroyNotify) hz_sub_link_unref);
}
