/* Restriction of a publisher's SDP offer to what the relay forwards.
 *
 * The relay forwards RTP without decoding it and records it, so it accepts
 * VP8 or H.264 constrained baseline video and Opus audio: at most one audio
 * m-line and two video m-lines (a camera and a screen share or second
 * camera). Each m-line keeps one codec, the first supported one in the
 * client's order of preference, and the RTX format that repairs it.
 * Filtering the offer before webrtcbin answers it makes the answer name
 * only those formats, and the client then sends nothing else.
 */
#pragma once

#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

#define HZ_OFFER_MAX_VIDEO_TRACKS 2

/* Removes from SDP every payload type but the chosen codec of each m-line
 * and its RTX format, with their rtpmap, fmtp and rtcp-fb lines, and the
 * RTX SSRCs of ssrc-group:FID lines when no RTX format is left. Sets
 * N_SEND_TRACKS to the number of m-lines the client will send on (sendonly
 * or sendrecv, and not rejected with port 0). Fails with
 * G_IO_ERROR_INVALID_DATA, naming the m-line, for an m-line other than
 * audio or video, one without a supported codec, a second audio or third
 * video m-line, or an offer that sends nothing. */
gboolean hz_offer_filter (GstSDPMessage *sdp,
                          guint         *n_send_tracks,
                          GError       **error);

/* The name of the track of m-line MLINE of a filtered offer: "audio",
 * "video" for the first video m-line, "video2" for the second; NULL for
 * an index past the last m-line. */
const char *hz_offer_track_name (const GstSDPMessage *sdp,
                                 guint                mline);

/* The number of m-lines of MEDIA_TYPE ("audio" or "video") in SDP that the
 * client sends on: sendonly or sendrecv, and not rejected with port 0. */
guint hz_offer_count_sending (const GstSDPMessage *sdp,
                              const char          *media_type);

/* The payload type of the codec that the filter chose for MEDIA (an
 * m-line of a filtered offer), or -1. */
int hz_offer_media_payload_type (const GstSDPMedia *media);

/* Whether an H.264 profile-level-id (6 hex digits, e.g. "42e01f") names
 * the constrained baseline profile (RFC 6184, section 8.1). */
gboolean hz_h264_is_constrained_baseline (const char *profile_level_id);

G_END_DECLS
