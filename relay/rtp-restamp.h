/* Timestamps of recorded RTP packets taken from their RTP timestamps.
 *
 * The relay's jitter buffers stamp each packet from its arrival time, and
 * rtpbin's lip sync never applies inside webrtcbin (GStreamer 1.22: with
 * no clock base from the jitter buffer, it logs "bailing out" for every
 * sender report). So the file of each track carried its own network and
 * encoder delay, and a flash and its beep were recorded up to 70 ms apart
 * even after the first seconds.
 *
 * A restamper makes a recorded track's timeline follow the sender's RTP
 * clock instead. The first packet keeps its arrival time, and every later
 * one sits at the first's time plus its RTP timestamp difference from it.
 * Between two packets, the RTP timestamps may jump against the arrival
 * times by more than HZ_RTP_RESTAMP_MAX_JUMP, e.g. when a sender restarts
 * its encoder. Then the timeline is anchored again at that packet, which
 * gets the previous packet's time plus their arrival spacing.
 *
 * The reference packet is the one that arrived earliest for its place on
 * the timeline (arrival minus timestamp the smallest), by more than
 * HZ_RTP_RESTAMP_REFERENCE_STEP; after a jump, the packet of the jump. Its
 * delay is the stream's shortest. A sender that queued media while it
 * connected sends it in a burst: the first packet arrived late, and a
 * later one becomes the reference. The composer places a sender's tracks
 * by their references and the RTCP sender reports (relay/capture-timing.h,
 * compose/compose-track.h).
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define HZ_RTP_RESTAMP_MAX_JUMP (1 * GST_SECOND)
#define HZ_RTP_RESTAMP_REFERENCE_STEP (1 * GST_MSECOND)

typedef struct {
  guint clock_rate;
  gboolean anchored;
  guint64 ext_timestamp;       /* gst_rtp_buffer_ext_timestamp()'s state */
  guint64 anchor_ext;          /* extended RTP timestamp at ANCHOR_PTS */
  GstClockTime anchor_pts;
  GstClockTime previous_pts;   /* the last result */
  GstClockTime previous_arrival;
  GstClockTimeDiff reference_lag;  /* the reference's arrival minus its timestamp */
} HzRtpRestamp;

/* Starts RESTAMP for a stream of CLOCK_RATE (> 0) ticks per second. */
void hz_rtp_restamp_init (HzRtpRestamp *restamp,
                          guint         clock_rate);

/* Returns the timestamp of a packet with RTP_TIMESTAMP that arrived at
 * ARRIVAL_PTS (a valid timestamp of the packet's segment), and sets
 * *REFERENCE when the packet became the reference. */
GstClockTime hz_rtp_restamp_next (HzRtpRestamp *restamp,
                                  guint32       rtp_timestamp,
                                  GstClockTime  arrival_pts,
                                  gboolean     *reference);

/* Called on the streaming thread when a packet with RTP_TIMESTAMP becomes
 * the reference; it sits at RUNNING_TIME and arrived at
 * ARRIVAL_RUNNING_TIME. */
typedef void (*HzRtpReferenceFunc) (guint32      rtp_timestamp,
                                    GstClockTime running_time,
                                    GstClockTime arrival_running_time,
                                    gpointer     user_data);

/* Restamps every RTP buffer that leaves PAD from then on, and calls
 * REFERENCE_FUNC, if not NULL, with each new reference. The probe owns
 * USER_DATA and frees it with DESTROY. Returns FALSE when CAPS has no
 * clock-rate; then nothing is added and USER_DATA stays the caller's. */
gboolean hz_rtp_restamp_attach (GstPad            *pad,
                                const GstCaps     *caps,
                                HzRtpReferenceFunc reference_func,
                                gpointer           user_data,
                                GDestroyNotify     destroy);

G_END_DECLS
