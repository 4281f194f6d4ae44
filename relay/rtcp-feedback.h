/* The RTCP that the relay reads from and writes to its own subscriber
 * connections, and the retransmissions (RFC 4588) it builds.
 *
 * A receiver's RTCP, once SRTCP is removed, may be compound (RFC 3550) or
 * reduced-size (RFC 5506). The relay reads keyframe requests (PLI, FIR),
 * generic NACKs (RFC 4585, section 6.2.1) and the report blocks of
 * receiver and sender reports; everything else is skipped.
 *
 * Works on packet bytes (parsed with GStreamer's RTCP library), so unit
 * tests and fuzzers drive it alone.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HZ_RTCP_FEEDBACK_KEYFRAME,   /* PLI or FIR for media_ssrc */
  HZ_RTCP_FEEDBACK_NACK,       /* media_ssrc lost packet seq */
  HZ_RTCP_FEEDBACK_REPORT,     /* a report block about media_ssrc */
} HzRtcpFeedbackType;

typedef struct {
  HzRtcpFeedbackType type;
  guint32 media_ssrc;          /* the SSRC that the feedback is about */
  guint16 seq;                 /* NACK: one lost sequence number */
  guint8 fraction_lost;        /* REPORT: as in the block (loss * 256) */
  gint32 packets_lost;         /* REPORT: cumulative, 24-bit signed */
  guint32 highest_seq;         /* REPORT: extended highest sequence number */
  guint32 jitter;              /* REPORT: in RTP timestamp units */
} HzRtcpFeedback;

typedef void (*HzRtcpFeedbackFunc) (const HzRtcpFeedback *feedback,
                                    gpointer              user_data);

/* Calls FUNC for each keyframe request, each lost packet of each NACK and
 * each report block in PACKET. Returns FALSE, calling nothing, when PACKET
 * is not valid RTCP (compound or reduced-size). A NACK yields at most
 * HZ_RTCP_MAX_NACKS sequence numbers per call; more are ignored. A packet
 * inside PACKET whose report blocks or FCI entries do not fit its length
 * yields nothing. Needs gst_init(), because it wraps PACKET in a
 * GstBuffer. */
#define HZ_RTCP_MAX_NACKS 256
gboolean hz_rtcp_feedback_read (const guint8      *packet,
                                gsize              length,
                                HzRtcpFeedbackFunc func,
                                gpointer           user_data);

/* Writes a compound RTCP packet of a sender report for SSRC (NTP_TIME in
 * 64-bit NTP format, RTP_TIME, and the packet and octet counts) and an
 * SDES with CNAME into OUT, which has SIZE bytes. Returns its length, or 0
 * when SIZE is too small or CNAME is longer than 255 bytes. */
gsize hz_rtcp_write_sender_report (guint32     ssrc,
                                   guint64     ntp_time,
                                   guint32     rtp_time,
                                   guint32     packet_count,
                                   guint32     octet_count,
                                   const char *cname,
                                   guint8     *out,
                                   gsize       size);

/* Writes into OUT (SIZE bytes) the retransmission of the RTP packet
 * ORIGINAL (LENGTH bytes, unencrypted): its header with CSRCs and header
 * extension, payload type RTX_PT, SSRC RTX_SSRC and sequence number
 * RTX_SEQ, then the original sequence number and the original payload,
 * without the original's padding. Returns the length, or 0 when ORIGINAL
 * is not a valid RTP packet or SIZE is too small. */
gsize hz_rtp_write_rtx (const guint8 *original,
                        gsize         length,
                        guint8        rtx_pt,
                        guint32       rtx_ssrc,
                        guint16       rtx_seq,
                        guint8       *out,
                        gsize         size);

G_END_DECLS
