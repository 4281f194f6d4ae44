/* The forwarding of one track to one receiver: a pad probe in front of the
 * receiver's webrtcbin that rewrites each packet for that receiver.
 *
 *   tee ─▶ queue ─▶ [probe: caps → hz_forward_caps(), RTP → HzRtpMap] ─▶ webrtcbin
 *
 * Packets are dropped until hz_track_forward_start(), which the
 * subscriber calls once the DTLS handshake with the receiver is done, so
 * the first packet that the receiver gets starts an unbroken sequence.
 * Until the receiver's answer is read, packets keep the publisher's
 * payload type and lose every header extension. After it, they carry the
 * receiver's payload type and extension ids (see forward-caps.h); a track
 * that the receiver rejected is dropped before webrtcbin. Refcounted: the
 * probe holds a reference, so the streaming thread never sees it freed.
 */
#pragma once

#include <gst/gst.h>
#include "rtp-rewrite.h"

G_BEGIN_DECLS

typedef struct _HzTrackForward HzTrackForward;

/* Starts the forwarding of a track whose packets have TRACK_CAPS. */
HzTrackForward *hz_track_forward_new (const GstCaps *track_caps);
HzTrackForward *hz_track_forward_ref (HzTrackForward *forward);
void hz_track_forward_unref (HzTrackForward *forward);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzTrackForward, hz_track_forward_unref)

/* The caps offered to the receiver, which are also the caps that reach
 * webrtcbin; owned by FORWARD. */
const GstCaps *hz_track_forward_get_caps (HzTrackForward *forward);

/* Adds the rewriting probe on PAD, the src pad that feeds webrtcbin. */
void hz_track_forward_attach (HzTrackForward *forward,
                              GstPad         *pad);

/* Applies what the receiver's answer gave for this track: MAP when
 * ACCEPTED, otherwise every later packet is dropped. Any thread. */
void hz_track_forward_set_answer (HzTrackForward *forward,
                                  const HzRtpMap *map,
                                  gboolean        accepted);

/* Lets packets through from now on; call it once the DTLS handshake with
 * the receiver is done. Any thread. */
void hz_track_forward_start (HzTrackForward *forward);

/* Packets dropped so far for a rejected track, a foreign payload type or
 * not being RTP. Those dropped before hz_track_forward_start() are not
 * counted. */
guint hz_track_forward_get_dropped (HzTrackForward *forward);

G_END_DECLS
