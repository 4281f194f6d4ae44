/* Parsing of SDP text that clients send in offers and answers. */
#pragma once

#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

/* Parses TEXT into a new *SDP. Returns FALSE, with *SDP NULL, when TEXT is
 * empty or only whitespace, or does not parse. GStreamer 1.22's parser
 * fails an assertion (a critical warning) on empty text, so every SDP from
 * a client goes through here rather than gst_sdp_message_new_from_text(). */
gboolean hz_sdp_parse_text (const char     *text,
                            GstSDPMessage **sdp);

/* Returns the number of "candidate" attributes of SDP, in its media
 * sections and at session level. */
guint hz_sdp_count_candidates (const GstSDPMessage *sdp);

/* Removes from SDP, at session level and in each m-line, every "candidate"
 * attribute that hz_candidate_check_remote() does not pass as
 * HZ_CANDIDATE_OK. webrtcbin would otherwise resolve mDNS names (a DNS
 * query that can leave the host) and send connectivity checks to
 * multicast groups. Returns the number removed. */
guint hz_sdp_remove_unusable_candidates (GstSDPMessage *sdp);

G_END_DECLS
