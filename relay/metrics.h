/* The relay's operational counters and their Prometheus text exposition
 * (GET /metrics, text format 0.0.4).
 *
 * Packet and byte counters are updated by pad probes on GStreamer
 * streaming threads, so they are C11 atomics. The values that RTP sessions
 * keep themselves (packets lost, NACKs, retransmissions) are read from
 * each webrtcbin's rtpsession and rtprtxsend when /metrics is fetched,
 * and folded into the totals when the connection closes, so that the
 * counters never go down.
 */
#pragma once

#include <gst/gst.h>
#include <stdatomic.h>

G_BEGIN_DECLS

typedef enum {
  HZ_METRICS_AUDIO,
  HZ_METRICS_VIDEO,
  HZ_METRICS_N_KINDS,
} HzMetricsKind;

/* What an RTP session of one webrtcbin has counted so far. */
typedef struct {
  guint64 packets_lost;    /* from the publishers: by sequence number gaps */
  guint64 nacks_received;  /* RTCP NACK packets from the client */
  guint64 nacks_sent;      /* RTCP NACK packets to the client */
  guint64 rtx_packets_sent;  /* retransmissions (RFC 4588) sent on NACK requests */
} HzSessionCounts;

/* Values computed when /metrics is fetched. */
typedef struct {
  guint rooms;
  guint participants;
  guint publishers;
  guint subscriptions;
  HzSessionCounts live;    /* summed over the open connections */
} HzMetricsSnapshot;

typedef struct {
  atomic_uint_fast64_t packets_in[HZ_METRICS_N_KINDS];
  atomic_uint_fast64_t bytes_in[HZ_METRICS_N_KINDS];
  atomic_uint_fast64_t packets_out[HZ_METRICS_N_KINDS];
  atomic_uint_fast64_t bytes_out[HZ_METRICS_N_KINDS];
  atomic_uint_fast64_t keyframe_requests_received;  /* from subscribers: PLI, FIR, "keyframe", join */
  atomic_uint_fast64_t keyframe_requests_sent;      /* to publishers, after rate limiting */
  atomic_uint_fast64_t ice_failures;
  /* Main thread only. */
  HzSessionCounts closed;  /* of connections closed so far */
  guint64 recording_bytes; /* of recordings finished so far */
  guint64 joins;
  guint64 leaves;
  guint64 resumes;         /* joins that resumed a dropped participant */
} HzMetrics;

HzMetrics *hz_metrics_new (void);
void hz_metrics_free (HzMetrics *metrics);

/* Counts the packets that a publisher's track delivers on SRC_PAD (a
 * webrtcbin source pad) and the keyframe requests sent upstream through
 * it. The probes stay until the pad is freed; METRICS must outlive it. */
void hz_metrics_watch_ingest_pad (HzMetrics    *metrics,
                                  GstPad       *src_pad,
                                  HzMetricsKind kind);

/* Counts the packets given to each sink pad of a subscriber's WEBRTCBIN,
 * by the media of the pad's codec preferences, and ICE failures of
 * WEBRTCBIN. */
void hz_metrics_watch_subscriber (HzMetrics  *metrics,
                                  GstElement *webrtcbin);

/* Counts ICE failures of WEBRTCBIN (an ingest; subscribers are covered by
 * hz_metrics_watch_subscriber()). */
void hz_metrics_watch_ice (HzMetrics  *metrics,
                           GstElement *webrtcbin);

/* Adds the counters of WEBRTCBIN's RTP session and of its RTX sender to
 * COUNTS. */
void hz_metrics_read_session (GstElement      *webrtcbin,
                              HzSessionCounts *counts);

/* Folds the final counters of WEBRTCBIN, which is about to close, into
 * METRICS->closed. */
void hz_metrics_fold_session (HzMetrics  *metrics,
                              GstElement *webrtcbin);

void hz_metrics_count (atomic_uint_fast64_t *counter,
                       guint64               value);

/* Writes the Prometheus text exposition of METRICS and SNAPSHOT. */
char *hz_metrics_render (HzMetrics               *metrics,
                         const HzMetricsSnapshot *snapshot);

G_END_DECLS
