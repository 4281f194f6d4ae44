/* Fuzz target: RTCP from a receiver of the relay's own subscriber
 * connections, after SRTCP is removed, and the RTP packets that the relay
 * retransmits (relay/rtcp-feedback.h).
 *
 * The input is read three ways: as RTCP with hz_rtcp_feedback_read(), as
 * the original RTP packet of hz_rtp_write_rtx() (into room for the whole
 * RTX packet and into 16 bytes), and up to its first zero byte as the
 * CNAME of hz_rtcp_write_sender_report(). */
#include <gst/gst.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <stdint.h>
#include <string.h>

#include "rtcp-feedback.h"

#define RTX_PT 97
#define RTX_SSRC 0x5eed5eed
#define RTX_SEQ 0xfff0
#define SMALL_OUT_SIZE 16
#define MAX_CNAME 300

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* What the reader reported for one input. */
typedef struct {
  guint keyframes;
  guint nacks;
  guint reports;
} Counts;

static void
count_feedback (const HzRtcpFeedback *feedback, gpointer user_data)
{
  Counts *counts = user_data;

  switch (feedback->type) {
  case HZ_RTCP_FEEDBACK_KEYFRAME:
    counts->keyframes++;
    break;
  case HZ_RTCP_FEEDBACK_NACK:
    counts->nacks++;
    break;
  case HZ_RTCP_FEEDBACK_REPORT:
    /* A 24-bit field, sign-extended. */
    g_assert_cmpint (feedback->packets_lost, >=, -(1 << 23));
    g_assert_cmpint (feedback->packets_lost, <, 1 << 23);
    counts->reports++;
    break;
  default:
    g_assert_not_reached ();
  }
}

static void
check_feedback (const guint8 *packet, gsize length)
{
  Counts counts = { 0 };
  gboolean valid = hz_rtcp_feedback_read (packet, length, count_feedback, &counts);

  if (!valid) {
    g_assert_cmpuint (counts.keyframes + counts.nacks + counts.reports, ==, 0);
    return;
  }
  g_assert_cmpuint (counts.nacks, <=, HZ_RTCP_MAX_NACKS);
  /* A keyframe request takes at least 8 bytes (a FIR entry) and a report
   * block 24, so neither can outnumber what the input has room for. */
  g_assert_cmpuint (counts.keyframes, <=, length / 8);
  g_assert_cmpuint (counts.reports, <=, length / 24);
}

/* Checks the RTX packet OUT (RTX_LENGTH bytes) of ORIGINAL (LENGTH bytes). */
static void
check_rtx_packet (const guint8 *original, gsize length, const guint8 *out, gsize rtx_length)
{
  g_autofree guint8 *again = g_malloc (rtx_length + 2);

  g_assert_cmpuint (rtx_length, >=, 12 + 2);
  g_assert_cmpuint (rtx_length, <=, length + 2);
  g_assert_cmphex (out[0] >> 6, ==, 2);
  g_assert_cmphex (out[0] & 0x20, ==, 0);
  g_assert_cmphex (out[1], ==, (original[1] & 0x80) | RTX_PT);
  g_assert_cmphex (GST_READ_UINT16_BE (out + 2), ==, RTX_SEQ);
  g_assert_cmphex (GST_READ_UINT32_BE (out + 8), ==, RTX_SSRC);

  /* The RTX packet is valid RTP without padding, so it can be
   * retransmitted in turn, 2 bytes longer. */
  g_assert_cmpuint (hz_rtp_write_rtx (out, rtx_length, RTX_PT, RTX_SSRC, RTX_SEQ, again,
                                      rtx_length + 2), ==, rtx_length + 2);
}

static void
check_rtx (const guint8 *original, gsize length)
{
  g_autofree guint8 *out = g_malloc (length + 2);
  guint8 small[SMALL_OUT_SIZE];
  gsize rtx_length, small_length;

  rtx_length = hz_rtp_write_rtx (original, length, RTX_PT, RTX_SSRC, RTX_SEQ, out, length + 2);
  small_length = hz_rtp_write_rtx (original, length, RTX_PT, RTX_SSRC, RTX_SEQ, small,
                                   sizeof small);
  if (rtx_length == 0) {
    g_assert_cmpuint (small_length, ==, 0);
    return;
  }
  check_rtx_packet (original, length, out, rtx_length);

  /* The small output contains the same packet, or nothing when it is too small. */
  if (rtx_length <= sizeof small) {
    g_assert_cmpuint (small_length, ==, rtx_length);
    g_assert_cmpmem (small, small_length, out, rtx_length);
  } else {
    g_assert_cmpuint (small_length, ==, 0);
  }
}

static void
check_sender_report (const guint8 *data, gsize size)
{
  char cname[MAX_CNAME + 1];
  gsize cname_length = 0;
  guint8 out[28 + 4 + 8 + MAX_CNAME];
  gsize length;
  Counts counts = { 0 };

  while (cname_length < size && cname_length < MAX_CNAME && data[cname_length] != 0)
    cname_length++;
  memcpy (cname, data, cname_length);
  cname[cname_length] = '\0';

  length = hz_rtcp_write_sender_report (1, 2, 3, 4, 5, cname, out, sizeof out);
  if (cname_length > 255) {
    g_assert_cmpuint (length, ==, 0);
    return;
  }
  g_assert_cmpuint (length, >=, 28 + 4 + 8);
  g_assert_cmpuint (length % 4, ==, 0);
  g_assert_true (gst_rtcp_buffer_validate_data (out, (guint) length));
  g_assert_true (hz_rtcp_feedback_read (out, length, count_feedback, &counts));
  g_assert_cmpuint (counts.keyframes + counts.nacks + counts.reports, ==, 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static gboolean initialized = FALSE;
  /* A copy of exactly SIZE bytes, so ASan reports any read past the end. */
  g_autofree guint8 *packet = g_memdup2 (data, size);

  if (!initialized) {
    /* The reader wraps its input in a GstBuffer. */
    gst_init (NULL, NULL);
    initialized = TRUE;
  }

  check_feedback (packet, size);
  check_rtx (packet, size);
  check_sender_report (packet, size);
  return 0;
}
