/* Relay counters and the /metrics text; see metrics.h. */
#include "metrics.h"

#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

/* webrtcbin (1.22) names its rtpbin "rtpbin" and, with max-bundle, runs
 * every transceiver in RTP session 0. Sessions up to this id are read in
 * case a client's offer keeps m-lines outside the bundle. */
#define MAX_SESSION_ID 3

typedef struct {
  HzMetrics *metrics;
  HzMetricsKind kind;
} PadWatch;

HzMetrics *
hz_metrics_new (void)
{
  return g_new0 (HzMetrics, 1);
}

void
hz_metrics_free (HzMetrics *metrics)
{
  g_free (metrics);
}

void
hz_metrics_count (atomic_uint_fast64_t *counter, guint64 value)
{
  atomic_fetch_add_explicit (counter, value, memory_order_relaxed);
}

static guint64
load (atomic_uint_fast64_t *counter)
{
  return atomic_load_explicit (counter, memory_order_relaxed);
}

static void
count_buffers (GstPadProbeInfo *info, atomic_uint_fast64_t *packets, atomic_uint_fast64_t *bytes)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    hz_metrics_count (packets, 1);
    hz_metrics_count (bytes, gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info)));
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
    guint length = gst_buffer_list_length (list);

    hz_metrics_count (packets, length);
    hz_metrics_count (bytes, gst_buffer_list_calculate_size (list));
  }
}

static GstPadProbeReturn
on_ingest_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  PadWatch *watch = data;

  count_buffers (info, &watch->metrics->packets_in[watch->kind],
                 &watch->metrics->bytes_in[watch->kind]);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_ingest_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  PadWatch *watch = data;

  if (gst_video_event_is_force_key_unit (GST_PAD_PROBE_INFO_EVENT (info)))
    hz_metrics_count (&watch->metrics->keyframe_requests_sent, 1);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_subscriber_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  PadWatch *watch = data;

  count_buffers (info, &watch->metrics->packets_out[watch->kind],
                 &watch->metrics->bytes_out[watch->kind]);
  return GST_PAD_PROBE_OK;
}

static PadWatch *
pad_watch_new (HzMetrics *metrics, HzMetricsKind kind)
{
  PadWatch *watch = g_new0 (PadWatch, 1);

  watch->metrics = metrics;
  watch->kind = kind;
  return watch;
}

void
hz_metrics_watch_ingest_pad (HzMetrics *metrics, GstPad *src_pad, HzMetricsKind kind)
{
  gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_ingest_data, pad_watch_new (metrics, kind), g_free);
  if (kind == HZ_METRICS_VIDEO)
    gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_ingest_upstream_event,
                       pad_watch_new (metrics, kind), g_free);
}

static void
on_ice_connection_state (GObject *webrtcbin, GParamSpec *pspec, gpointer data)
{
  HzMetrics *metrics = data;
  GstWebRTCICEConnectionState state;

  g_object_get (webrtcbin, "ice-connection-state", &state, NULL);
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
    hz_metrics_count (&metrics->ice_failures, 1);
}

void
hz_metrics_watch_ice (HzMetrics *metrics, GstElement *webrtcbin)
{
  g_signal_connect (webrtcbin, "notify::ice-connection-state",
                    G_CALLBACK (on_ice_connection_state), metrics);
}

/* The transceiver's kind is known only after negotiation, so the media
 * comes from the codec preferences that the subscriber set on it. */
static void
watch_subscriber_pad (const GValue *item, gpointer data)
{
  GstPad *pad = g_value_get_object (item);
  g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr (GstCaps) preferences = NULL;
  const char *media = NULL;

  g_object_get (pad, "transceiver", &transceiver, NULL);
  if (transceiver != NULL)
    g_object_get (transceiver, "codec-preferences", &preferences, NULL);
  if (preferences != NULL && gst_caps_get_size (preferences) > 0)
    media = gst_structure_get_string (gst_caps_get_structure (preferences, 0), "media");
  if (g_strcmp0 (media, "audio") != 0 && g_strcmp0 (media, "video") != 0)
    return;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_subscriber_data,
                     pad_watch_new (data, g_str_equal (media, "audio")
                                          ? HZ_METRICS_AUDIO : HZ_METRICS_VIDEO),
                     g_free);
}

void
hz_metrics_watch_subscriber (HzMetrics *metrics, GstElement *webrtcbin)
{
  GstIterator *pads = gst_element_iterate_sink_pads (webrtcbin);

  while (gst_iterator_foreach (pads, watch_subscriber_pad, metrics) == GST_ITERATOR_RESYNC)
    gst_iterator_resync (pads);
  gst_iterator_free (pads);
  hz_metrics_watch_ice (metrics, webrtcbin);
}

/* Adds the loss of the remote sources (the senders that this session
 * receives from) in SOURCE_STATS to COUNTS. */
static void
add_source_losses (const GValue *source_stats, HzSessionCounts *counts)
{
  GValueArray *sources = g_value_get_boxed (source_stats);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  for (guint i = 0; sources != NULL && i < sources->n_values; i++) {
    const GstStructure *source = g_value_get_boxed (g_value_array_get_nth (sources, i));
    gboolean internal = TRUE;
    gboolean is_sender = FALSE;
    gint lost = 0;

    gst_structure_get_boolean (source, "internal", &internal);
    gst_structure_get_boolean (source, "is-sender", &is_sender);
    if (!internal && is_sender && gst_structure_get_int (source, "packets-lost", &lost) && lost > 0)
      counts->packets_lost += (guint64) lost;
  }
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
add_rtx_packets (const GValue *item, gpointer data)
{
  HzSessionCounts *counts = data;
  guint packets = 0;

  g_object_get (g_value_get_object (item), "num-rtx-packets", &packets, NULL);
  counts->rtx_packets_sent += packets;
}

/* Adds the retransmissions of WEBRTCBIN's rtprtxsend elements, which
 * webrtcbin creates for the transceivers with do-nack (one per RTP
 * session), to COUNTS. */
static void
read_rtx_senders (GstElement *webrtcbin, HzSessionCounts *counts)
{
  GstIterator *senders = gst_bin_iterate_all_by_element_factory_name (GST_BIN (webrtcbin),
                                                                       "rtprtxsend");
  HzSessionCounts found = { 0 };

  while (gst_iterator_foreach (senders, add_rtx_packets, &found) == GST_ITERATOR_RESYNC) {
    found.rtx_packets_sent = 0;
    gst_iterator_resync (senders);
  }
  gst_iterator_free (senders);
  counts->rtx_packets_sent += found.rtx_packets_sent;
}

void
hz_metrics_read_session (GstElement *webrtcbin, HzSessionCounts *counts)
{
  g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (webrtcbin), "rtpbin");

  read_rtx_senders (webrtcbin, counts);
  if (rtpbin == NULL)
    return;
  for (guint id = 0; id <= MAX_SESSION_ID; id++) {
    g_autoptr (GstElement) session = NULL;
    GstStructure *stats = NULL;
    guint nacks = 0;

    g_signal_emit_by_name (rtpbin, "get-session", id, &session);
    if (session == NULL)
      continue;
    g_object_get (session, "stats", &stats, NULL);
    if (stats == NULL)
      continue;
    if (gst_structure_get_uint (stats, "recv-nack-count", &nacks))
      counts->nacks_received += nacks;
    if (gst_structure_get_uint (stats, "sent-nack-count", &nacks))
      counts->nacks_sent += nacks;
    if (gst_structure_has_field (stats, "source-stats"))
      add_source_losses (gst_structure_get_value (stats, "source-stats"), counts);
    gst_structure_free (stats);
  }
}

void
hz_metrics_fold_session (HzMetrics *metrics, GstElement *webrtcbin)
{
  hz_metrics_read_session (webrtcbin, &metrics->closed);
}

static void
write_metric (GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
write_per_kind (GString *out, const char *name, const char *help, atomic_uint_fast64_t *values)
{
  write_metric (out, name, "counter", help);
  g_string_append_printf (out, "%s{kind=\"audio\"} %" G_GUINT64_FORMAT "\n", name,
                          load (&values[HZ_METRICS_AUDIO]));
  g_string_append_printf (out, "%s{kind=\"video\"} %" G_GUINT64_FORMAT "\n", name,
                          load (&values[HZ_METRICS_VIDEO]));
}

static void
write_value (GString *out, const char *name, const char *type, const char *help, guint64 value)
{
  write_metric (out, name, type, help);
  g_string_append_printf (out, "%s %" G_GUINT64_FORMAT "\n", name, value);
}

char *
hz_metrics_render (HzMetrics *metrics, const HzMetricsSnapshot *snapshot)
{
  GString *out = g_string_new (NULL);
  const HzSessionCounts *closed = &metrics->closed;
  const HzSessionCounts *live = &snapshot->live;

  write_value (out, "huizhen_relay_rooms", "gauge", "Open rooms (sessions).", snapshot->rooms);
  write_value (out, "huizhen_relay_participants", "gauge",
               "Participants in the rooms, including dropped ones within their reconnect grace.",
               snapshot->participants);
  write_value (out, "huizhen_relay_publishers", "gauge", "Open publish connections.",
               snapshot->publishers);
  write_value (out, "huizhen_relay_subscriptions", "gauge",
               "Open subscribe connections (one per viewer and publisher).", snapshot->subscriptions);
  write_per_kind (out, "huizhen_relay_packets_received_total",
                  "RTP packets received from publishers.", metrics->packets_in);
  write_per_kind (out, "huizhen_relay_bytes_received_total",
                  "RTP bytes received from publishers.", metrics->bytes_in);
  write_per_kind (out, "huizhen_relay_packets_sent_total",
                  "RTP packets handed to subscriber connections.", metrics->packets_out);
  write_per_kind (out, "huizhen_relay_bytes_sent_total",
                  "RTP bytes handed to subscriber connections.", metrics->bytes_out);
  write_value (out, "huizhen_relay_packets_lost_total", "counter",
               "RTP packets lost on the way from publishers to the relay.",
               closed->packets_lost + live->packets_lost);
  write_value (out, "huizhen_relay_nacks_received_total", "counter",
               "RTCP NACKs received from clients.", closed->nacks_received + live->nacks_received);
  write_value (out, "huizhen_relay_nacks_sent_total", "counter",
               "RTCP NACKs sent to clients.", closed->nacks_sent + live->nacks_sent);
  write_value (out, "huizhen_relay_rtx_packets_sent_total", "counter",
               "Retransmitted RTP packets (RTX) sent to clients for their NACKs.",
               closed->rtx_packets_sent + live->rtx_packets_sent);
  write_value (out, "huizhen_relay_keyframe_requests_received_total", "counter",
               "Keyframe requests from subscribers: RTCP PLI or FIR, keyframe messages and joins.",
               load (&metrics->keyframe_requests_received));
  write_value (out, "huizhen_relay_keyframe_requests_sent_total", "counter",
               "Keyframe requests sent to publishers after rate limiting.",
               load (&metrics->keyframe_requests_sent));
  write_value (out, "huizhen_relay_recording_bytes_total", "counter",
               "Bytes of recordings, counted when a recording is finished.",
               metrics->recording_bytes);
  write_value (out, "huizhen_relay_ice_failures_total", "counter",
               "Peer connections whose ICE state became failed.", load (&metrics->ice_failures));
  write_value (out, "huizhen_relay_joins_total", "counter", "Accepted joins.", metrics->joins);
  write_value (out, "huizhen_relay_leaves_total", "counter",
               "Participants who left or whose reconnect grace ran out.", metrics->leaves);
  write_value (out, "huizhen_relay_resumes_total", "counter",
               "Joins that resumed a participant on a new connection.", metrics->resumes);
  return g_string_free (out, FALSE);
}
