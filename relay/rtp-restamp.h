/* Timestamps of recorded RTP packets taken from their RTP timestamps.
 *
 * The relay's jitter buffers stamp each packet from its arrival time, and
 * rtpbin's lip sync never applies inside webrtcbin (GStreamer 1.22: with
 * no clock base from the jitter buffer, it logs "bailing out" for every
 * sender report). So the file of each track carried its own network and
 * encoder delay, and a flash and its beep were recorded up to 70 ms apart
 * even after the first seconds. A restamper makes a recorded track's
 * timeline follow the sender's RTP clock instead: the first packet keeps
 * its arrival time, and every later one sits at the first's plus its RTP
 * timestamp difference. The composer then aligns a sender's tracks with
 * its RTCP sender reports (compose/compose-track.h).
 *
 * A jump of the RTP timestamps against the arrival times by more than
 * HZ_RTP_RESTAMP_MAX_JUMP between two packets (a sender that restarted
 * its encoder) anchors the timeline anew at that packet's arrival.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define HZ_RTP_RESTAMP_MAX_JUMP (1 * GST_SECOND)

typedef struct {
  guint clock_rate;
  gboolean anchored;
  guint64 ext_timestamp;       /* gst_rtp_buffer_ext_timestamp()'s state */
  guint64 anchor_ext;          /* extended RTP timestamp at ANCHOR_PTS */
  GstClockTime anchor_pts;
  GstClockTime previous_pts;   /* the last result */
  GstClockTime previous_arrival;
} HzRtpRestamp;

/* Starts RESTAMP for a stream of CLOCK_RATE (> 0) ticks per second. */
void hz_rtp_restamp_init (HzRtpRestamp *restamp,
                          guint         clock_rate);

/* Returns the timestamp of a packet with RTP_TIMESTAMP that arrived at
 * ARRIVAL_PTS (a valid timestamp of the packet's segment). */
GstClockTime hz_rtp_restamp_next (HzRtpRestamp *restamp,
                                  guint32       rtp_timestamp,
                                  GstClockTime  arrival_pts);

/* Restamps every RTP buffer that leaves PAD from then on. Returns FALSE,
 * and adds nothing, when CAPS has no clock-rate. */
gboolean hz_rtp_restamp_attach (GstPad       *pad,
                                const GstCaps *caps);

G_END_DECLS
