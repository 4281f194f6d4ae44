/* The SDP of the relay's own subscriber connections (sub-link.h): the
 * offer that the relay writes, and the transport that it reads from the
 * client's answer.
 *
 * The offer bundles every track on one transport (RFC 8843) with RTCP
 * multiplexed (RFC 5761), sends only, and names one SSRC per track, with
 * an RTX SSRC (RFC 4588) for video. Each m-line carries the codec of
 * hz_forward_caps(), NACK, PLI and FIR for video, and the forwardable
 * header extensions.
 */
#pragma once

#include <gst/sdp/sdp.h>

G_BEGIN_DECLS

typedef struct {
  const GstCaps *caps;       /* hz_forward_caps() of the track */
  const char *mid;           /* "audio0", "video1", ... */
  guint32 ssrc;
  guint32 rtx_ssrc;          /* video only */
  int rtx_pt;                /* the RTX payload type offered, or -1 (audio) */
} HzSubOfferTrack;

typedef struct {
  const char *ice_ufrag;
  const char *ice_pwd;
  const char *fingerprint;   /* SHA-256, hz_dtls_identity_get_fingerprint() */
  const char *cname;
  const char *stream_id;     /* the msid stream of every track */
  guint64 session_version;
} HzSubOfferTransport;

/* Picks an RTX payload type for each video track: a dynamic number that
 * no track of TRACKS uses. */
void hz_sub_offer_pick_rtx (HzSubOfferTrack *tracks,
                            guint            n_tracks);

/* Writes the offer as SDP text. */
char *hz_sub_offer_write (const HzSubOfferTrack     *tracks,
                          guint                      n_tracks,
                          const HzSubOfferTransport *transport);

/* What the relay needs of the client's answer to connect. */
typedef struct {
  char *ice_ufrag;
  char *ice_pwd;
  GPtrArray *fingerprints;   /* each a=fingerprint value, "HASH VALUE"; at least one */
  gboolean dtls_client;      /* the client chose a=setup:passive: the relay
                              * connects as DTLS client */
  GPtrArray *candidates;     /* "candidate:..." lines of the answer */
} HzSubAnswer;

void hz_sub_answer_clear (HzSubAnswer *answer);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HzSubAnswer, hz_sub_answer_clear)

/* Reads the transport of ANSWER from its first m-line that is not
 * rejected, then from the session level. Fails with
 * G_IO_ERROR_INVALID_DATA naming what is missing: ICE credentials, the
 * fingerprint, or a setup role other than active or passive. */
gboolean hz_sub_answer_read (const GstSDPMessage *answer,
                             HzSubAnswer         *out,
                             GError             **error);

G_END_DECLS
