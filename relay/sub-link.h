/* A subscriber connection that the relay runs itself, without a webrtcbin:
 * one stream of a shared libnice agent (send-pool.h), DTLS-SRTP
 * (dtls-srtp.h), and packets handed over by the publisher tracks'
 * fan-outs (fanout.h).
 *
 *   fan-out ─▶ forward: rewrite (rtp-rewrite.h), SSRC, SRTP ─▶ nice_agent_send
 *   client ─▶ worker thread: DTLS handshake; SRTCP ─▶ PLI, FIR, NACK → RTX
 *
 * The relay offers (sub-offer.h); the client answers. Once the handshake
 * is done, each packet goes out with the receiver's payload type and
 * header extension ids under the connection's own SSRC, keeping its
 * sequence number and timestamp, so that a NACK names a packet that the
 * fan-out kept. Video is offered with NACK and RTX; a sender report per
 * track goes out every second. Callbacks run on the main thread, never
 * after hz_sub_link_close().
 */
#pragma once

#include <gst/sdp/sdp.h>
#include "metrics.h"
#include "send-pool.h"

G_BEGIN_DECLS

typedef struct _HzSubLink HzSubLink;

typedef struct {
  void (*offer) (const char *sdp, gpointer user_data);
  void (*candidate) (const char *candidate, gpointer user_data);
  /* "negotiation_failed" or "connection_failed" */
  void (*failed) (const char *code, const char *message, gpointer user_data);
  /* The DTLS handshake is done and packets flow. */
  void (*connected) (gpointer user_data);
  /* The client asked for a keyframe over RTCP (PLI or FIR). */
  void (*keyframe_requested) (gpointer user_data);
} HzSubLinkCallbacks;

/* Starts a connection for TRACKS (HzIngestTrack pointers, in m-line
 * order): joins the fan-outs of their tees, writes the offer and gathers
 * candidates. */
HzSubLink *hz_sub_link_new (HzSendPool               *pool,
                            HzMetrics                *metrics,
                            const char               *log_prefix,
                            GPtrArray                *tracks,
                            const HzSubLinkCallbacks *callbacks,
                            gpointer                  user_data);

HzSubLink *hz_sub_link_ref (HzSubLink *link);
void hz_sub_link_unref (HzSubLink *link);

/* Applies the client's ANSWER; see hz_subscriber_set_answer(). */
gboolean hz_sub_link_set_answer (HzSubLink           *link,
                                 const GstSDPMessage *answer,
                                 GPtrArray           *rejected,
                                 GError             **error);

/* Adds a remote candidate line; an empty one ends the client's
 * candidates. */
void hz_sub_link_add_candidate (HzSubLink  *link,
                                const char *candidate);

/* Adds the NACKs received and retransmissions sent to COUNTS. */
void hz_sub_link_read_counts (HzSubLink       *link,
                              HzSessionCounts *counts);

/* Sends packet DATA of track TRACK to the client, if it is connected and
 * accepted the track. Returns whether it was sent. Streaming threads. */
gboolean hz_sub_link_forward (HzSubLink    *link,
                              guint         track,
                              const guint8 *data,
                              gsize         length);

/* Leaves the fan-outs and closes the stream; drops the caller's
 * reference. */
void hz_sub_link_close (HzSubLink *link);

G_END_DECLS
