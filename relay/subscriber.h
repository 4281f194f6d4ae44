/* A subscriber branch: one webrtcbin that sends one publisher's tracks to
 * one other participant ("sub:PUBLISHER" in the signalling).
 *
 *   tee(audio) ─▶ ┌ subscriber bin ──────────────────────────────────┐
 *                 │ queue (leaky, 500 ms) ─▶ rewrite ─▶ webrtcbin   │ ══▶ client
 *   tee(video) ─▶ │ queue (leaky, 500 ms) ─▶ rewrite ─▶             │
 *                 └─────────────────────────────────────────────────┘
 *
 * The relay offers with sendonly transceivers whose codec preferences carry
 * the publisher's codec and payload type; the client's answer may renumber
 * them, and the rewrite probes (track-forward.h) then renumber each packet.
 * Video offers NACK with RTX, so webrtcbin resends what the client lost.
 * The m-lines go in the order audio, video, video2. The leaky queues keep
 * one slow subscriber from stalling the tee for all.
 * Callbacks run on the main thread, never after hz_subscriber_close().
 */
#pragma once

#include <gst/gst.h>
#include "hz-config.h"
#include "metrics.h"
#include "send-pool.h"

G_BEGIN_DECLS

typedef struct _HzSubscriber HzSubscriber;

typedef struct {
  /* The relay's offer to send to the client. */
  void (*offer) (HzSubscriber *subscriber, const char *sdp, gpointer user_data);
  void (*candidate) (HzSubscriber *subscriber, guint mline_index, const char *candidate,
                     gpointer user_data);
  /* Negotiation failed ("negotiation_failed") or the connection did
   * ("connection_failed"). */
  void (*failed) (HzSubscriber *subscriber, const char *code, const char *message,
                  gpointer user_data);
  /* The peer connection reached "connected": time to ask for a keyframe. */
  void (*connected) (HzSubscriber *subscriber, gpointer user_data);
  /* The client asked for a keyframe over RTCP (PLI or FIR). */
  void (*keyframe_requested) (HzSubscriber *subscriber, gpointer user_data);
} HzSubscriberCallbacks;

/* Builds the branch for TRACKS (an array of HzIngestTrack, see ingest.h)
 * in PIPELINE, links it to the tracks' tees and starts the offer. With a
 * POOL, the connection is a relay-owned one (sub-link.h) on the pool's
 * threads instead, and PIPELINE gains no element. */
HzSubscriber *hz_subscriber_new (GstElement                  *pipeline,
                                 const HzRelayConfig         *config,
                                 HzSendPool                  *pool,
                                 HzMetrics                   *metrics,
                                 const char                  *log_prefix,
                                 const GArray                *tracks,
                                 const HzSubscriberCallbacks *callbacks,
                                 gpointer                     user_data,
                                 GError                     **error);

/* Applies the client's answer: each track goes out with the payload type
 * and header extension ids that the client chose (see track-forward.h).
 * The names of the tracks that the client rejected, or answered without
 * the offered codec, are added to REJECTED; they are not forwarded. Fails
 * with G_IO_ERROR_INVALID_DATA when the answer is not SDP or lacks an
 * offered m-line; webrtcbin's own failures come through callbacks->failed. */
gboolean hz_subscriber_set_answer (HzSubscriber *subscriber,
                                   const char   *sdp,
                                   GPtrArray    *rejected,
                                   GError      **error);

/* The number of tracks (m-lines) that the branch forwards. */
guint hz_subscriber_get_n_tracks (HzSubscriber *subscriber);

/* Counts what is given to the branch's webrtcbin, if it has one, into
 * METRICS (hz_metrics_watch_subscriber()). */
void hz_subscriber_watch (HzSubscriber *subscriber,
                          HzMetrics    *metrics);

/* Adds the connection's RTP session counters to COUNTS. */
void hz_subscriber_read_counts (HzSubscriber    *subscriber,
                                HzSessionCounts *counts);

void hz_subscriber_add_candidate (HzSubscriber *subscriber,
                                  guint         mline_index,
                                  const char   *candidate);

/* Detaches the branch from the tees when their pads are idle, then stops
 * and removes it on the main thread, and drops SUBSCRIBER. */
void hz_subscriber_close (HzSubscriber *subscriber);

G_END_DECLS
