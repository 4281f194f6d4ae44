/* Capture timing of one recorded track, kept in a sidecar file next to the
 * recording (LOCATION.timing.json) so that the tracks of one session, from
 * different participants and from late joiners, can be aligned afterwards.
 *
 * The sidecar is a JSON object, rewritten atomically (temporary file,
 * fsync, rename) when a member is first known, so a killed relay leaves
 * the last complete version:
 *
 *   track                  "audio", "video" or "video2"
 *   ssrc, clock_rate       of the RTP stream
 *   first_rtp_timestamp    RTP timestamp of the first packet recorded
 *   first_running_time_ns  relay pipeline running time of that packet
 *   running_time_epoch_us  relay wall clock (µs since the Unix epoch) at
 *                          running time 0, so the packet arrived at
 *                          epoch + first_running_time_ns / 1000
 *   sender_report          the first RTCP sender report of the stream:
 *                          {"ntp_seconds": N, "ntp_fraction": N,
 *                           "rtp_timestamp": N}
 *   first_capture_us       the sender's clock (NTP, as µs since the Unix
 *                          epoch) at the first packet, from sender_report
 *   reference_rtp_timestamp  the recorder's reference packet
 *                          (relay/rtp-restamp.h), the one with the
 *                          stream's shortest delay
 *   reference_running_time_ns  its timestamp in the file, as running time
 *   reference_arrival_ns   the running time at which it arrived
 *   reference_capture_us   the sender's clock at its capture
 *
 * The recorder counts the files of one publish from the running time of
 * their earliest first packet, so file time 0 of each track of the publish
 * is the smallest first_running_time_ns among their sidecars. The sender's
 * clock is that machine's own; it lines up the tracks of one sender, not
 * those of different participants.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _HzCaptureTiming HzCaptureTiming;

/* Starts watching the RTP packets of RTP_PAD (a webrtcbin src pad with
 * CAPS) in PIPELINE. The sidecar is first written when the first packet
 * passes, from the main context. */
HzCaptureTiming *hz_capture_timing_start (GstElement    *pipeline,
                                          GstPad        *rtp_pad,
                                          const GstCaps *caps,
                                          const char    *track,
                                          const char    *recording_location,
                                          const char    *log_prefix);

/* Records the first sender report of the stream: NTP_TIME and the
 * RTP_TIMESTAMP sampled at that instant. Later reports are ignored.
 * Thread-safe. */
void hz_capture_timing_set_sender_report (HzCaptureTiming *timing,
                                          guint64          ntp_time,
                                          guint32          rtp_timestamp);

HzCaptureTiming *hz_capture_timing_ref (HzCaptureTiming *timing);
void hz_capture_timing_unref (gpointer timing);

/* Records the recorder's new reference packet; an HzRtpReferenceFunc
 * whose DATA is the HzCaptureTiming. Thread-safe. */
void hz_capture_timing_set_reference (guint32      rtp_timestamp,
                                      GstClockTime running_time,
                                      GstClockTime arrival_running_time,
                                      gpointer     data);

/* The SSRC of the stream, or 0 before its first packet. Thread-safe. */
guint32 hz_capture_timing_get_ssrc (HzCaptureTiming *timing);

/* Stops watching and drops the caller's reference. */
void hz_capture_timing_stop (HzCaptureTiming *timing);

/* Converts a 64-bit NTP timestamp to microseconds since the Unix epoch. */
gint64 hz_capture_timing_ntp_to_unix_us (guint64 ntp_time);

G_END_DECLS
