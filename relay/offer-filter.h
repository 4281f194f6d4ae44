/* Restriction of a publisher's SDP offer to what the relay forwards.
 *
 * The relay forwards RTP unchanged and records it as WebM, so it accepts VP8
 * video and Opus audio only, one m-line of each at most. Filtering the offer
 * before webrtcbin answers it makes the answer name only those codecs, and
 * the client then sends nothing else.
 */
#pragma once

#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

/* Removes from SDP every payload type that is not VP8 (video) or Opus
 * (audio), with its rtpmap, fmtp and rtcp-fb lines, and the RTX SSRCs of
 * ssrc-group:FID lines. Sets N_SEND_TRACKS to the number of m-lines the
 * client will send on (sendonly or sendrecv, and not rejected with
 * port 0). Fails with
 * G_IO_ERROR_INVALID_DATA, naming the m-line, for an m-line other than
 * audio or video, one without a supported codec, a second audio or video
 * m-line, or an offer that sends nothing. */
gboolean hz_offer_filter (GstSDPMessage *sdp,
                          guint         *n_send_tracks,
                          GError       **error);

G_END_DECLS
