/* What a subscriber connection offers for one forwarded track, and how the
 * receiver's answer maps the publisher's packets to its own numbers.
 *
 * The relay offers each receiver exactly the codec that the publisher
 * sends, with its payload type, its codec parameters and the header
 * extensions that describe the media itself (hz_rtp_extension_is_forwardable).
 * The receiver's answer may name other payload type and extension ids
 * (RFC 3264, section 6.1; RFC 8285, section 6), or reject the m-line when it
 * cannot decode the codec. hz_forward_read_answer() turns the answer into
 * the HzRtpMap that rewrites the packets for that receiver.
 */
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include "rtp-rewrite.h"

G_BEGIN_DECLS

/* Whether header extension URI may cross the relay. Extensions that
 * describe one network hop (transport-wide sequence numbers, send times,
 * the MID and RID of the publisher's connection) are never forwarded. */
gboolean hz_rtp_extension_is_forwardable (const char *uri);

/* Returns the RTP caps to offer for a track whose packets have TRACK_CAPS
 * (webrtcbin's src pad caps): media, encoding, clock rate, payload type,
 * SSRC, the codec parameters a decoder needs (H.264 profile and
 * packetization mode, Opus channels) and the forwardable extmap-N fields.
 * Everything else of the publisher's negotiation is left out. */
GstCaps *hz_forward_caps (const GstCaps *track_caps);

/* Adds to each m-line of ANSWER, the relay's answer to a publisher, the
 * forwardable header extensions that the same m-line of OFFER offered
 * ("a=extmap:ID URI ..."), with the publisher's ids. webrtcbin 1.22
 * answers without any extmap line, so without this the publisher would
 * send no extension that receivers could use. */
void hz_forward_accept_extensions (const GstSDPMessage *offer,
                                   GstSDPMessage       *answer);

/* Fills MAP from m-line MLINE of ANSWER for a track offered with
 * OFFERED_CAPS (from hz_forward_caps()). Sets *ACCEPTED to FALSE when the
 * receiver rejected the m-line (port 0) or answered without the offered
 * codec. Fails with G_IO_ERROR_INVALID_DATA when ANSWER has no m-line MLINE
 * or it is of another media type. */
gboolean hz_forward_read_answer (const GstSDPMessage *answer,
                                 guint                mline,
                                 const GstCaps       *offered_caps,
                                 HzRtpMap            *map,
                                 gboolean            *accepted,
                                 GError             **error);

/* Returns the payload type that m-line MLINE of ANSWER gives to the
 * retransmissions (RFC 4588, "rtx" with apt=TARGET_PT) of the receiver's
 * payload type TARGET_PT, or -1 when it has none. */
int hz_forward_answer_rtx_pt (const GstSDPMessage *answer,
                              guint                mline,
                              int                  target_pt);

G_END_DECLS
