/* Unit tests of the timestamps of recorded RTP packets
 * (relay/rtp-restamp.h): arrival jitter removed, RTP timestamp wrap,
 * reordering, the reference after a sender's burst at the start, and
 * jumps of the sender's timestamps. */
#include "rtp-restamp.h"

#define MS (GST_MSECOND)

/* hz_rtp_restamp_next() without the anchor flag. */
static GstClockTime
next (HzRtpRestamp *restamp, guint32 rtp_timestamp, GstClockTime arrival_pts)
{
  gboolean reference;

  return hz_rtp_restamp_next (restamp, rtp_timestamp, arrival_pts, &reference);
}

/* 90 kHz video ticks in MILLISECONDS. */
#define TICKS(milliseconds) ((guint32) ((milliseconds) * 90))

static void
test_jitter_removed (void)
{
  HzRtpRestamp restamp;

  hz_rtp_restamp_init (&restamp, 90000);
  /* The first packet keeps its arrival; later ones follow the RTP clock
   * however late they arrive. */
  g_assert_cmpuint (next (&restamp, 1000, 500 * MS), ==, 500 * MS);
  g_assert_cmpuint (next (&restamp, 1000 + TICKS (33), 610 * MS), ==, 533 * MS);
  g_assert_cmpuint (next (&restamp, 1000 + TICKS (66), 612 * MS), ==, 566 * MS);
  g_assert_cmpuint (next (&restamp, 1000 + TICKS (99), 599 * MS), ==, 599 * MS);
}

static void
test_wrap (void)
{
  HzRtpRestamp restamp;
  guint32 first = G_MAXUINT32 - TICKS (10) + 1;

  hz_rtp_restamp_init (&restamp, 90000);
  g_assert_cmpuint (next (&restamp, first, 1000 * MS), ==, 1000 * MS);
  g_assert_cmpuint (next (&restamp, first + TICKS (20), 1020 * MS), ==, 1020 * MS);
  g_assert_cmpuint (next (&restamp, first + TICKS (40), 1040 * MS), ==, 1040 * MS);
}

static void
test_reordered (void)
{
  HzRtpRestamp restamp;

  hz_rtp_restamp_init (&restamp, 48000);
  g_assert_cmpuint (next (&restamp, 48000, 100 * MS), ==, 100 * MS);
  /* A packet 20 ms older than the first comes 20 ms before it. */
  g_assert_cmpuint (next (&restamp, 48000 - 960, 101 * MS), ==, 80 * MS);
  g_assert_cmpuint (next (&restamp, 48000 + 960, 121 * MS), ==, 120 * MS);
}

static void
test_burst_reference (void)
{
  HzRtpRestamp restamp;
  gboolean reference;

  hz_rtp_restamp_init (&restamp, 90000);
  g_assert_cmpuint (hz_rtp_restamp_next (&restamp, 0, 1000 * MS, &reference), ==, 1000 * MS);
  g_assert_true (reference);
  /* A second of 40 ms frames, queued while the sender connected, arrives
   * within 25 ms. Each keeps its place on the RTP clock and, arriving
   * earlier for it than any before, becomes the reference. */
  for (guint i = 1; i <= 25; i++) {
    g_assert_cmpuint (hz_rtp_restamp_next (&restamp, TICKS (40 * i), (1000 + i) * MS, &reference),
                      ==, (1000 + 40 * i) * MS);
    g_assert_true (reference);
  }
  /* Then frames come in real time, some late: none is earlier for its
   * place than the last of the burst. */
  g_assert_cmpuint (hz_rtp_restamp_next (&restamp, TICKS (1040), 1065 * MS, &reference), ==, 2040 * MS);
  g_assert_false (reference);
  g_assert_cmpuint (hz_rtp_restamp_next (&restamp, TICKS (1080), 1120 * MS, &reference), ==, 2080 * MS);
  g_assert_false (reference);
  /* One that comes 2 ms sooner than that is. */
  g_assert_cmpuint (hz_rtp_restamp_next (&restamp, TICKS (1120), 1143 * MS, &reference), ==, 2120 * MS);
  g_assert_true (reference);
}

static void
test_long_gap_kept (void)
{
  HzRtpRestamp restamp;

  /* Ten seconds with no packet (a muted sender) that the RTP clock also
   * counted is no jump. */
  hz_rtp_restamp_init (&restamp, 48000);
  g_assert_cmpuint (next (&restamp, 0, 0), ==, 0);
  g_assert_cmpuint (next (&restamp, 480000, 10100 * MS), ==, 10000 * MS);
  g_assert_cmpuint (next (&restamp, 480960, 10120 * MS), ==, 10020 * MS);
}

static void
test_jump_anchors_anew (void)
{
  HzRtpRestamp restamp;

  hz_rtp_restamp_init (&restamp, 90000);
  g_assert_cmpuint (next (&restamp, 5000, 0), ==, 0);
  g_assert_cmpuint (next (&restamp, 5000 + TICKS (33), 33 * MS), ==, 33 * MS);
  /* The sender restarted: its timestamps jump an hour ahead. The packet
   * sits at its arrival spacing, and the next ones follow from it. */
  g_assert_cmpuint (next (&restamp, 5000 + TICKS (3600000), 66 * MS), ==, 66 * MS);
  g_assert_cmpuint (next (&restamp, 5000 + TICKS (3600033), 99 * MS), ==, 99 * MS);
  /* And back: the timeline never goes backwards. */
  g_assert_cmpuint (next (&restamp, 7, 132 * MS), ==, 132 * MS);
  g_assert_cmpuint (next (&restamp, 7 + TICKS (33), 165 * MS), ==, 165 * MS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rtp-restamp/jitter-removed", test_jitter_removed);
  g_test_add_func ("/rtp-restamp/wrap", test_wrap);
  g_test_add_func ("/rtp-restamp/reordered", test_reordered);
  g_test_add_func ("/rtp-restamp/burst-reference", test_burst_reference);
  g_test_add_func ("/rtp-restamp/long-gap-kept", test_long_gap_kept);
  g_test_add_func ("/rtp-restamp/jump-anchors-anew", test_jump_anchors_anew);
  return g_test_run ();
}
