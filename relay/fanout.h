/* The fan-out of one publisher track to the relay's own subscriber
 * connections (sub-link.h).
 *
 *   ingest webrtcbin ─▶ [probe: fan-out] tee ─▶ recorder, HLS, webrtcbin subscribers
 *                              │
 *                              └▶ each sub-link: rewrite, SRTP, send
 *
 * A buffer probe on the tee's sink pad hands every packet, on the ingest's
 * streaming thread, to each connection that receives the track. No queue
 * and no thread is made per connection. The fan-out also keeps the last
 * packets of a video track, so that a connection can resend a packet that
 * its receiver reports lost.
 */
#pragma once

#include <gst/gst.h>
#include "metrics.h"

G_BEGIN_DECLS

typedef struct _HzFanout HzFanout;
typedef struct _HzSubLink HzSubLink;

/* The fan-out of TEE, made on first use and kept with the tee. KEEP_HISTORY
 * is for video tracks. Returns a new reference. */
HzFanout *hz_fanout_get (GstElement   *tee,
                         gboolean      keep_history,
                         HzMetrics    *metrics,
                         HzMetricsKind kind);
HzFanout *hz_fanout_ref (HzFanout *fanout);
void hz_fanout_unref (HzFanout *fanout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzFanout, hz_fanout_unref)

/* Starts and stops handing packets to track TRACK of LINK. Any thread. */
void hz_fanout_add (HzFanout  *fanout,
                    HzSubLink *link,
                    guint      track);
void hz_fanout_remove (HzFanout  *fanout,
                       HzSubLink *link);

/* The kept packet with sequence number SEQ, or NULL. Any thread. */
GstBuffer *hz_fanout_lookup (HzFanout *fanout,
                             guint16   seq);

G_END_DECLS
