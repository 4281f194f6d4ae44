/* Unit tests of the relay's RTCP feedback reading, sender reports and RTX
 * packets (relay/rtcp-feedback.h). The RTCP inputs are built, and the
 * sender reports parsed back, with GStreamer's RTCP library, a writer and
 * reader independent of the code under test. Malformed packets that the
 * library cannot build are written byte by byte. */
#include "rtcp-feedback.h"

#include <gst/rtp/gstrtcpbuffer.h>
#include <string.h>

#define SENDER_SSRC 0x11223344
#define VIDEO_SSRC 0xdeadbeef
#define AUDIO_SSRC 0x0badcafe

/* An RTCP buffer being written with GStreamer's RTCP library. */
typedef struct {
  GstBuffer *buffer;
  GstRTCPBuffer rtcp;
} Builder;

static void
builder_init (Builder *builder)
{
  builder->buffer = gst_rtcp_buffer_new (1400);
  builder->rtcp = (GstRTCPBuffer) GST_RTCP_BUFFER_INIT;
  g_assert_true (gst_rtcp_buffer_map (builder->buffer, GST_MAP_READWRITE, &builder->rtcp));
}

/* Returns the bytes written, in an allocation of exactly their size, so
 * that ASan reports a read past the end. */
static GBytes *
builder_finish (Builder *builder)
{
  GstMapInfo map;
  GBytes *bytes;

  gst_rtcp_buffer_unmap (&builder->rtcp);
  g_assert_true (gst_buffer_map (builder->buffer, &map, GST_MAP_READ));
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (builder->buffer, &map);
  gst_buffer_unref (builder->buffer);
  return bytes;
}

static void
add_receiver_report (Builder *builder, guint block_count)
{
  GstRTCPPacket packet;

  g_assert_true (gst_rtcp_buffer_add_packet (&builder->rtcp, GST_RTCP_TYPE_RR, &packet));
  gst_rtcp_packet_rr_set_ssrc (&packet, SENDER_SSRC);
  if (block_count >= 1)
    g_assert_true (gst_rtcp_packet_add_rb (&packet, VIDEO_SSRC, 64, 1000, 0x00012345, 90, 0, 0));
  if (block_count >= 2)
    g_assert_true (gst_rtcp_packet_add_rb (&packet, AUDIO_SSRC, 0, -5, 0x0000ffff, 48, 0, 0));
}

/* Adds a feedback packet of TYPE and FMT with FCI_LENGTH words of FCI
 * and returns the FCI to fill in. */
static guint8 *
add_feedback (Builder *builder, GstRTCPType type, GstRTCPFBType fmt, guint32 media_ssrc,
              guint16 fci_length)
{
  GstRTCPPacket packet;

  g_assert_true (gst_rtcp_buffer_add_packet (&builder->rtcp, type, &packet));
  gst_rtcp_packet_fb_set_type (&packet, fmt);
  gst_rtcp_packet_fb_set_sender_ssrc (&packet, SENDER_SSRC);
  gst_rtcp_packet_fb_set_media_ssrc (&packet, media_ssrc);
  if (fci_length == 0)
    return NULL;
  g_assert_true (gst_rtcp_packet_fb_set_fci_length (&packet, fci_length));
  return gst_rtcp_packet_fb_get_fci (&packet);
}

static void
add_pli (Builder *builder, guint32 media_ssrc)
{
  add_feedback (builder, GST_RTCP_TYPE_PSFB, GST_RTCP_PSFB_TYPE_PLI, media_ssrc, 0);
}

/* Adds a generic NACK with one FCI entry per PID and BLP pair. */
static void
add_nack (Builder *builder, guint32 media_ssrc, const guint16 *pids_and_blps, guint entries)
{
  guint8 *fci = add_feedback (builder, GST_RTCP_TYPE_RTPFB, GST_RTCP_RTPFB_TYPE_NACK,
                              media_ssrc, (guint16) entries);

  for (guint i = 0; i < entries; i++) {
    GST_WRITE_UINT16_BE (fci + 4 * i, pids_and_blps[2 * i]);
    GST_WRITE_UINT16_BE (fci + 4 * i + 2, pids_and_blps[2 * i + 1]);
  }
}

static void
collect (const HzRtcpFeedback *feedback, gpointer user_data)
{
  g_array_append_vals (user_data, feedback, 1);
}

/* Reads LENGTH bytes at PACKET and returns what the reader reported. */
static GArray *
read_feedback (const guint8 *packet, gsize length, gboolean expected_valid)
{
  GArray *feedback = g_array_new (FALSE, TRUE, sizeof (HzRtcpFeedback));

  g_assert_cmpint (hz_rtcp_feedback_read (packet, length, collect, feedback), ==, expected_valid);
  return feedback;
}

static GArray *
read_bytes (GBytes *bytes, gboolean expected_valid)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  return read_feedback (data, length, expected_valid);
}

static const HzRtcpFeedback *
feedback_at (GArray *feedback, guint index)
{
  g_assert_cmpuint (index, <, feedback->len);
  return &g_array_index (feedback, HzRtcpFeedback, index);
}

static void
assert_keyframe (GArray *feedback, guint index, guint32 media_ssrc)
{
  const HzRtcpFeedback *item = feedback_at (feedback, index);

  g_assert_cmpint (item->type, ==, HZ_RTCP_FEEDBACK_KEYFRAME);
  g_assert_cmphex (item->media_ssrc, ==, media_ssrc);
}

static void
assert_nack (GArray *feedback, guint index, guint32 media_ssrc, guint16 seq)
{
  const HzRtcpFeedback *item = feedback_at (feedback, index);

  g_assert_cmpint (item->type, ==, HZ_RTCP_FEEDBACK_NACK);
  g_assert_cmphex (item->media_ssrc, ==, media_ssrc);
  g_assert_cmpuint (item->seq, ==, seq);
}

/* The first block that add_receiver_report() writes. */
static void
assert_video_report (GArray *feedback, guint index)
{
  const HzRtcpFeedback *item = feedback_at (feedback, index);

  g_assert_cmpint (item->type, ==, HZ_RTCP_FEEDBACK_REPORT);
  g_assert_cmphex (item->media_ssrc, ==, VIDEO_SSRC);
  g_assert_cmpuint (item->fraction_lost, ==, 64);
  g_assert_cmpint (item->packets_lost, ==, 1000);
  g_assert_cmphex (item->highest_seq, ==, 0x00012345);
  g_assert_cmpuint (item->jitter, ==, 90);
}

static void
test_receiver_report_blocks (void)
{
  Builder builder;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) feedback = NULL;
  const HzRtcpFeedback *audio;

  builder_init (&builder);
  add_receiver_report (&builder, 2);
  bytes = builder_finish (&builder);

  feedback = read_bytes (bytes, TRUE);
  g_assert_cmpuint (feedback->len, ==, 2);
  assert_video_report (feedback, 0);

  /* The cumulative loss is a signed 24-bit field: duplicates make it negative. */
  audio = feedback_at (feedback, 1);
  g_assert_cmpint (audio->type, ==, HZ_RTCP_FEEDBACK_REPORT);
  g_assert_cmphex (audio->media_ssrc, ==, AUDIO_SSRC);
  g_assert_cmpuint (audio->fraction_lost, ==, 0);
  g_assert_cmpint (audio->packets_lost, ==, -5);
  g_assert_cmphex (audio->highest_seq, ==, 0x0000ffff);
  g_assert_cmpuint (audio->jitter, ==, 48);
}

static void
test_picture_loss_indication (void)
{
  Builder builder;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) feedback = NULL;

  builder_init (&builder);
  add_receiver_report (&builder, 0);
  add_pli (&builder, VIDEO_SSRC);
  bytes = builder_finish (&builder);

  feedback = read_bytes (bytes, TRUE);
  g_assert_cmpuint (feedback->len, ==, 1);
  assert_keyframe (feedback, 0, VIDEO_SSRC);
}

static void
test_full_intra_request_entries (void)
{
  Builder builder;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) feedback = NULL;
  guint8 *fci;

  /* RFC 5104: the media SSRC field is 0 and each 8-byte entry names the
   * sender that is to send a keyframe. */
  builder_init (&builder);
  add_receiver_report (&builder, 0);
  fci = add_feedback (&builder, GST_RTCP_TYPE_PSFB, GST_RTCP_PSFB_TYPE_FIR, 0, 4);
  GST_WRITE_UINT32_BE (fci, VIDEO_SSRC);
  fci[4] = 7;
  GST_WRITE_UINT32_BE (fci + 8, AUDIO_SSRC);
  fci[12] = 8;
  bytes = builder_finish (&builder);

  feedback = read_bytes (bytes, TRUE);
  g_assert_cmpuint (feedback->len, ==, 2);
  assert_keyframe (feedback, 0, VIDEO_SSRC);
  assert_keyframe (feedback, 1, AUDIO_SSRC);
}

static void
test_generic_nack (void)
{
  /* PID 100 with BLP bits 0 and 15: 100, 101 and 116. PID 65535 with bit
   * 0: 65535 and 0, after the sequence number wraps. */
  const guint16 entries[] = { 100, 0x8001, 65535, 0x0001 };
  const guint16 expected[] = { 100, 101, 116, 65535, 0 };
  Builder builder;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) feedback = NULL;

  builder_init (&builder);
  add_receiver_report (&builder, 0);
  add_nack (&builder, VIDEO_SSRC, entries, 2);
  bytes = builder_finish (&builder);

  feedback = read_bytes (bytes, TRUE);
  g_assert_cmpuint (feedback->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    assert_nack (feedback, i, VIDEO_SSRC, expected[i]);
}

static void
test_nack_cap (void)
{
  guint16 entries[2 * 20];
  Builder builder;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) feedback = NULL;

  /* Entries with all 16 BLP bits: 170 lost packets in a NACK of 10
   * entries, 340 in one of 20, and the cap counts both. Then a PLI that
   * the cap must not hide. */
  for (guint i = 0; i < 20; i++) {
    entries[2 * i] = (guint16) (1000 + 17 * i);
    entries[2 * i + 1] = 0xffff;
  }
  builder_init (&builder);
  add_receiver_report (&builder, 0);
  add_nack (&builder, VIDEO_SSRC, entries, 10);
  add_nack (&builder, AUDIO_SSRC, entries, 20);
  add_pli (&builder, VIDEO_SSRC);
  bytes = builder_finish (&builder);

  feedback = read_bytes (bytes, TRUE);
  g_assert_cmpuint (feedback->len, ==, HZ_RTCP_MAX_NACKS + 1);
  for (guint i = 0; i < 170; i++)
    assert_nack (feedback, i, VIDEO_SSRC, (guint16) (1000 + i));
  for (guint i = 170; i < HZ_RTCP_MAX_NACKS; i++)
    assert_nack (feedback, i, AUDIO_SSRC, (guint16) (1000 + i - 170));
  assert_keyframe (feedback, HZ_RTCP_MAX_NACKS, VIDEO_SSRC);
}

static void
test_compound_report (void)
{
  Builder builder;
  GstRTCPPacket packet;
  const char cname[] = "relay-test";
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) feedback = NULL;

  /* What a sending receiver sends: SR with a report block, SDES, PLI. */
  builder_init (&builder);
  g_assert_true (gst_rtcp_buffer_add_packet (&builder.rtcp, GST_RTCP_TYPE_SR, &packet));
  gst_rtcp_packet_sr_set_sender_info (&packet, SENDER_SSRC, G_GUINT64_CONSTANT (0xe0000000) << 32,
                                      123456, 10, 1000);
  g_assert_true (gst_rtcp_packet_add_rb (&packet, VIDEO_SSRC, 64, 1000, 0x00012345, 90, 0, 0));
  g_assert_true (gst_rtcp_buffer_add_packet (&builder.rtcp, GST_RTCP_TYPE_SDES, &packet));
  g_assert_true (gst_rtcp_packet_sdes_add_item (&packet, SENDER_SSRC));
  g_assert_true (gst_rtcp_packet_sdes_add_entry (&packet, GST_RTCP_SDES_CNAME, sizeof cname - 1,
                                                 (const guint8 *) cname));
  add_pli (&builder, AUDIO_SSRC);
  bytes = builder_finish (&builder);

  feedback = read_bytes (bytes, TRUE);
  g_assert_cmpuint (feedback->len, ==, 2);
  assert_video_report (feedback, 0);
  assert_keyframe (feedback, 1, AUDIO_SSRC);
}

static void
test_reduced_size_pli (void)
{
  Builder builder;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) feedback = NULL;

  /* RFC 5506: a lone feedback packet, with no report first. */
  builder_init (&builder);
  add_pli (&builder, VIDEO_SSRC);
  bytes = builder_finish (&builder);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 12);

  feedback = read_bytes (bytes, TRUE);
  g_assert_cmpuint (feedback->len, ==, 1);
  assert_keyframe (feedback, 0, VIDEO_SSRC);
}

static void
test_other_packets_skipped (void)
{
  Builder builder;
  GstRTCPPacket packet;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) feedback = NULL;
  guint8 *fci;

  builder_init (&builder);
  add_receiver_report (&builder, 0);
  /* APP, transport-wide congestion control (RTPFB 15) and REMB (PSFB 15). */
  g_assert_true (gst_rtcp_buffer_add_packet (&builder.rtcp, GST_RTCP_TYPE_APP, &packet));
  gst_rtcp_packet_app_set_ssrc (&packet, SENDER_SSRC);
  gst_rtcp_packet_app_set_name (&packet, "test");
  fci = add_feedback (&builder, GST_RTCP_TYPE_RTPFB, 15, VIDEO_SSRC, 2);
  memset (fci, 0x5a, 8);
  fci = add_feedback (&builder, GST_RTCP_TYPE_PSFB, GST_RTCP_PSFB_TYPE_AFB, 0, 3);
  memcpy (fci, "REMB", 4);
  add_pli (&builder, VIDEO_SSRC);
  bytes = builder_finish (&builder);

  feedback = read_bytes (bytes, TRUE);
  g_assert_cmpuint (feedback->len, ==, 1);
  assert_keyframe (feedback, 0, VIDEO_SSRC);
}

static void
test_truncated_rejected (void)
{
  const guint16 entries[] = { 100, 0x8001 };
  Builder builder;
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data;
  gsize length;

  /* RR (8 bytes), NACK (16 bytes), PLI (12 bytes). Every cut inside a
   * packet is invalid RTCP, and nothing may be reported before the
   * reader finds that out. A cut between packets leaves valid RTCP. */
  builder_init (&builder);
  add_receiver_report (&builder, 0);
  add_nack (&builder, VIDEO_SSRC, entries, 1);
  add_pli (&builder, VIDEO_SSRC);
  bytes = builder_finish (&builder);
  data = g_bytes_get_data (bytes, &length);
  g_assert_cmpuint (length, ==, 36);

  for (gsize cut = 0; cut < length; cut++) {
    gboolean boundary = cut == 8 || cut == 24;
    g_autofree guint8 *copy = g_memdup2 (data, cut);
    g_autoptr(GArray) feedback = NULL;

    g_test_message ("cut at %" G_GSIZE_FORMAT, cut);
    feedback = read_feedback (copy, cut, boundary);
    g_assert_cmpuint (feedback->len, ==, cut == 24 ? 3 : 0);
  }
}

static void
test_garbage_rejected (void)
{
  /* A PLI of version 1, a PLI whose length field claims 3 words more than
   * there are, a valid PLI followed by 4 stray bytes or by 2, and RTP. */
  const guint8 version_1[] = { 0x41, 206, 0, 2, 0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef };
  const guint8 too_long[] = { 0x81, 206, 0, 5, 0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef };
  const guint8 trailing_word[] = { 0x81, 206, 0, 2, 0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef,
                                   0x00, 0x00, 0x00, 0x00 };
  const guint8 trailing_bytes[] = { 0x81, 206, 0, 2, 0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef,
                                    0x80, 0xc9 };
  const guint8 rtp[] = { 0x80, 96, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef,
                         0x90, 0x80, 0x11, 0x22 };
  const struct {
    const guint8 *bytes;
    gsize length;
  } cases[] = {
    { version_1, sizeof version_1 },
    { too_long, sizeof too_long },
    { trailing_word, sizeof trailing_word },
    { trailing_bytes, sizeof trailing_bytes },
    { rtp, sizeof rtp },
  };
  g_autoptr(GArray) empty = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GArray) feedback = NULL;

    g_test_message ("case %u", i);
    feedback = read_feedback (cases[i].bytes, cases[i].length, FALSE);
    g_assert_cmpuint (feedback->len, ==, 0);
  }

  /* No bytes at all. */
  empty = read_feedback (NULL, 0, FALSE);
  g_assert_cmpuint (empty->len, ==, 0);
}

static void
test_malformed_packets_skipped (void)
{
  /* Each is valid RTCP to the library's check, which reads only headers,
   * but its contents do not fit, so it yields nothing:
   * - an RR whose count claims 2 report blocks and holds 1;
   * - a FIR with 4 bytes of FCI, half an entry;
   * then a PLI that is read, and last a PLI of 2 words, too short for
   * its media SSRC. The short PLI comes last because newer GStreamer
   * versions stop walking the packets at it. */
  const guint8 packets[] = {
    0x82, 201, 0, 7, 0x11, 0x22, 0x33, 0x44,
    0xde, 0xad, 0xbe, 0xef, 0x40, 0, 0x03, 0xe8, 0, 1, 0x23, 0x45, 0, 0, 0, 90, 0, 0, 0, 0, 0, 0, 0, 0,
    0x84, 206, 0, 3, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef,
    0x81, 206, 0, 2, 0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef,
    0x81, 206, 0, 1, 0x11, 0x22, 0x33, 0x44,
  };
  /* A NACK with one entry and 4 bytes of padding: the padding is not an entry. */
  const guint8 padded_nack[] = {
    0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44,
    0xa1, 205, 0, 4, 0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef, 0, 100, 0, 0, 0, 0, 0, 4,
  };
  /* The same NACK with a padding count of 20, more than the packet after
   * its header. */
  guint8 bad_padding[sizeof padded_nack];
  g_autoptr(GArray) feedback = NULL;
  g_autoptr(GArray) padded = NULL;
  g_autoptr(GArray) invalid_padding = NULL;

  feedback = read_feedback (packets, sizeof packets, TRUE);
  g_assert_cmpuint (feedback->len, ==, 1);
  assert_keyframe (feedback, 0, VIDEO_SSRC);

  padded = read_feedback (padded_nack, sizeof padded_nack, TRUE);
  g_assert_cmpuint (padded->len, ==, 1);
  assert_nack (padded, 0, VIDEO_SSRC, 100);

  memcpy (bad_padding, padded_nack, sizeof padded_nack);
  bad_padding[sizeof bad_padding - 1] = 20;
  invalid_padding = read_feedback (bad_padding, sizeof bad_padding, TRUE);
  g_assert_cmpuint (invalid_padding->len, ==, 0);
}

/* Checks OUT (LENGTH bytes) as GStreamer's RTCP library reads it: an SR
 * from SSRC with the given sender info and no blocks, then an SDES with
 * CNAME for SSRC. */
static void
assert_sender_report (guint8 *out, gsize length, guint32 ssrc, guint64 ntp_time,
                      guint32 rtp_time, guint32 packet_count, guint32 octet_count,
                      const char *cname)
{
  g_autoptr(GstBuffer) buffer = gst_buffer_new_wrapped_full (0, out, length, 0, length, NULL, NULL);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket packet;
  guint32 read_ssrc, read_rtp_time, read_packet_count, read_octet_count;
  guint64 read_ntp_time;
  GstRTCPSDESType type;
  guint8 cname_length;
  guint8 *data;

  g_assert_cmpuint (length % 4, ==, 0);
  g_assert_true (gst_rtcp_buffer_validate_data (out, (guint) length));
  g_assert_true (gst_rtcp_buffer_map (buffer, GST_MAP_READ, &rtcp));
  g_assert_cmpuint (gst_rtcp_buffer_get_packet_count (&rtcp), ==, 2);

  g_assert_true (gst_rtcp_buffer_get_first_packet (&rtcp, &packet));
  g_assert_cmpint (gst_rtcp_packet_get_type (&packet), ==, GST_RTCP_TYPE_SR);
  g_assert_cmpuint (gst_rtcp_packet_get_rb_count (&packet), ==, 0);
  g_assert_cmpuint (gst_rtcp_packet_get_length (&packet), ==, 6);
  gst_rtcp_packet_sr_get_sender_info (&packet, &read_ssrc, &read_ntp_time, &read_rtp_time,
                                      &read_packet_count, &read_octet_count);
  g_assert_cmphex (read_ssrc, ==, ssrc);
  g_assert_cmphex (read_ntp_time, ==, ntp_time);
  g_assert_cmpuint (read_rtp_time, ==, rtp_time);
  g_assert_cmpuint (read_packet_count, ==, packet_count);
  g_assert_cmpuint (read_octet_count, ==, octet_count);

  g_assert_true (gst_rtcp_packet_move_to_next (&packet));
  g_assert_cmpint (gst_rtcp_packet_get_type (&packet), ==, GST_RTCP_TYPE_SDES);
  g_assert_cmpuint (gst_rtcp_packet_sdes_get_item_count (&packet), ==, 1);
  g_assert_true (gst_rtcp_packet_sdes_first_item (&packet));
  g_assert_cmphex (gst_rtcp_packet_sdes_get_ssrc (&packet), ==, ssrc);
  if (strlen (cname) <= 1) {
    /* A CNAME of 0 or 1 bytes makes a chunk of two words, in which
     * GStreamer 1.22.0's gst_rtcp_packet_sdes_first_entry() finds no
     * entry. The item and the zero bytes that end the list are checked
     * byte by byte instead. */
    const guint8 item[] = { GST_RTCP_SDES_CNAME, (guint8) strlen (cname), cname[0], 0 };

    g_assert_cmpmem (out + 36, length - 36, item, sizeof item);
  } else {
    g_assert_true (gst_rtcp_packet_sdes_first_entry (&packet));
    g_assert_true (gst_rtcp_packet_sdes_get_entry (&packet, &type, &cname_length, &data));
    g_assert_cmpint (type, ==, GST_RTCP_SDES_CNAME);
    g_assert_cmpmem (data, cname_length, cname, strlen (cname));
    g_assert_false (gst_rtcp_packet_sdes_next_entry (&packet));
  }
  g_assert_false (gst_rtcp_packet_sdes_next_item (&packet));
  g_assert_false (gst_rtcp_packet_move_to_next (&packet));
  gst_rtcp_buffer_unmap (&rtcp);
}

static void
test_sender_report_parsed (void)
{
  const guint64 ntp_time = G_GUINT64_CONSTANT (0xe8f1a2b3c4d5e6f7);
  char cname[257];

  /* CNAMEs of 0 to 8 bytes end the SDES chunk at each offset in a word,
   * and 255 bytes is the maximum an item holds. */
  memset (cname, 'a', sizeof cname);
  for (gsize cname_length = 0; cname_length <= 255; cname_length++) {
    guint8 out[28 + 4 + 264];
    /* SR, SDES header, then the chunk: SSRC, type, length, text and at
     * least one zero byte, up to a 32-bit boundary. */
    gsize expected = 28 + 4 + ((4 + 2 + cname_length + 1 + 3) / 4 * 4);
    gsize length;
    g_autoptr(GArray) feedback = NULL;

    if (cname_length > 8 && cname_length < 250)
      continue;
    g_test_message ("CNAME of %" G_GSIZE_FORMAT " bytes", cname_length);
    cname[cname_length] = '\0';
    memset (out, 0xff, sizeof out);

    length = hz_rtcp_write_sender_report (VIDEO_SSRC, ntp_time, 0x89abcdef, 1234, 567890,
                                          cname, out, sizeof out);
    g_assert_cmpuint (length, ==, expected);
    assert_sender_report (out, length, VIDEO_SSRC, ntp_time, 0x89abcdef, 1234, 567890, cname);

    /* The relay's own reader finds no feedback in it. */
    feedback = read_feedback (out, length, TRUE);
    g_assert_cmpuint (feedback->len, ==, 0);

    /* One byte less room is too small. */
    g_assert_cmpuint (hz_rtcp_write_sender_report (VIDEO_SSRC, ntp_time, 0, 0, 0, cname, out,
                                                   expected - 1), ==, 0);
    cname[cname_length] = 'a';
  }
}

static void
test_sender_report_cname_too_long (void)
{
  char cname[257];
  guint8 out[512];

  memset (cname, 'a', 256);
  cname[256] = '\0';
  g_assert_cmpuint (hz_rtcp_write_sender_report (1, 2, 3, 4, 5, cname, out, sizeof out), ==, 0);
}

/* An RTP packet: V=2, P, X, CC=2, M, PT 96, sequence 0x1234, timestamp
 * 0x01020304, SSRC 0xdeadbeef, two CSRCs, a one-byte header extension of
 * one word (id 1, 1 byte), the payload, then 4 bytes of padding. */
static const guint8 rtx_header[] = {
  0xb2, 0x80 | 96, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
  0xbe, 0xde, 0x00, 0x01, 0x10, 0x7f, 0x00, 0x00,
};
static const guint8 rtx_payload[] = { 0x90, 0x80, 0x11, 0x22, 0x33 };
static const guint8 rtx_padding[] = { 0, 0, 0, 4 };

/* Stores the packet above in PACKET and returns its length. */
static gsize
build_original (guint8 *packet)
{
  memcpy (packet, rtx_header, sizeof rtx_header);
  memcpy (packet + sizeof rtx_header, rtx_payload, sizeof rtx_payload);
  memcpy (packet + sizeof rtx_header + sizeof rtx_payload, rtx_padding, sizeof rtx_padding);
  return sizeof rtx_header + sizeof rtx_payload + sizeof rtx_padding;
}

static void
test_rtx_packet (void)
{
  guint8 original[64];
  guint8 out[64];
  gsize length = build_original (original);
  gsize expected = sizeof rtx_header + 2 + sizeof rtx_payload;

  memset (out, 0xff, sizeof out);
  g_assert_cmpuint (hz_rtp_write_rtx (original, length, 97, 0x01234567, 0xfffe, out, sizeof out),
                    ==, expected);

  /* V=2, X and CC=2 stay; P is cleared. M stays with the new PT. */
  g_assert_cmphex (out[0], ==, 0x92);
  g_assert_cmphex (out[1], ==, 0x80 | 97);
  g_assert_cmphex (GST_READ_UINT16_BE (out + 2), ==, 0xfffe);
  g_assert_cmphex (GST_READ_UINT32_BE (out + 4), ==, 0x01020304);
  g_assert_cmphex (GST_READ_UINT32_BE (out + 8), ==, 0x01234567);
  /* CSRCs and the header extension unchanged. */
  g_assert_cmpmem (out + 12, sizeof rtx_header - 12, rtx_header + 12, sizeof rtx_header - 12);
  /* The original sequence number, then the payload and nothing else. */
  g_assert_cmphex (GST_READ_UINT16_BE (out + sizeof rtx_header), ==, 0x1234);
  g_assert_cmpmem (out + sizeof rtx_header + 2, expected - sizeof rtx_header - 2,
                   rtx_payload, sizeof rtx_payload);
  g_assert_cmphex (out[expected], ==, 0xff);
}

static void
test_rtx_plain_packet (void)
{
  /* No CSRC, extension, padding or marker. */
  const guint8 original[] = { 0x80, 111, 0x00, 0x07, 0, 0, 0x10, 0, 0x0b, 0xad, 0xca, 0xfe,
                              0xfc, 0xff, 0xfe };
  const guint8 expected[] = { 0x80, 112, 0x00, 0x01, 0, 0, 0x10, 0, 0, 0, 0, 0x42,
                              0x00, 0x07, 0xfc, 0xff, 0xfe };
  guint8 out[sizeof expected];

  g_assert_cmpuint (hz_rtp_write_rtx (original, sizeof original, 112, 0x42, 1, out, sizeof out),
                    ==, sizeof expected);
  g_assert_cmpmem (out, sizeof out, expected, sizeof expected);
}

static void
test_rtx_invalid_originals (void)
{
  guint8 packet[64];
  gsize length = build_original (packet);
  guint8 out[128];
  /* Each case changes one thing in the packet above. */
  struct {
    const char *name;
    gsize offset;                  /* of the byte to change */
    guint8 value;
    gsize length;
  } cases[] = {
    { "version 1", 0, 0x72, length },
    { "version 3", 0, 0xf2, length },
    { "15 CSRCs beyond the end", 0, 0xbf, length },
    { "extension of 8 words beyond the end", 23, 8, length },
    { "padding count 0", length - 1, 0, length },
    { "padding over the header", length - 1, 10, length },
    { "cut inside the extension", 0, 0xb2, 22 },
    { "cut inside the CSRCs", 0, 0xb2, 14 },
    { "cut inside the fixed header", 0, 0xb2, 11 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree guint8 *copy = NULL;

    g_test_message ("%s", cases[i].name);
    build_original (packet);
    packet[cases[i].offset] = cases[i].value;
    copy = g_memdup2 (packet, cases[i].length);
    g_assert_cmpuint (hz_rtp_write_rtx (copy, cases[i].length, 97, 1, 1, out, sizeof out), ==, 0);
  }

  /* Padding that fills the whole payload is valid: the RTX packet carries
   * only the original sequence number. */
  build_original (packet);
  packet[length - 1] = (guint8) (length - sizeof rtx_header);
  g_assert_cmpuint (hz_rtp_write_rtx (packet, length, 97, 1, 1, out, sizeof out), ==,
                    sizeof rtx_header + 2);
  g_assert_cmpuint (hz_rtp_write_rtx (NULL, 0, 97, 1, 1, out, sizeof out), ==, 0);
}

static void
test_rtx_output_too_small (void)
{
  guint8 original[64];
  guint8 out[64];
  gsize length = build_original (original);
  gsize expected = sizeof rtx_header + 2 + sizeof rtx_payload;

  g_assert_cmpuint (hz_rtp_write_rtx (original, length, 97, 1, 1, out, expected - 1), ==, 0);
  g_assert_cmpuint (hz_rtp_write_rtx (original, length, 97, 1, 1, out, 0), ==, 0);
  g_assert_cmpuint (hz_rtp_write_rtx (original, length, 97, 1, 1, out, expected), ==, expected);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rtcp-feedback/receiver-report-blocks", test_receiver_report_blocks);
  g_test_add_func ("/rtcp-feedback/picture-loss-indication", test_picture_loss_indication);
  g_test_add_func ("/rtcp-feedback/full-intra-request-entries", test_full_intra_request_entries);
  g_test_add_func ("/rtcp-feedback/generic-nack", test_generic_nack);
  g_test_add_func ("/rtcp-feedback/nack-cap", test_nack_cap);
  g_test_add_func ("/rtcp-feedback/compound-report", test_compound_report);
  g_test_add_func ("/rtcp-feedback/reduced-size-pli", test_reduced_size_pli);
  g_test_add_func ("/rtcp-feedback/other-packets-skipped", test_other_packets_skipped);
  g_test_add_func ("/rtcp-feedback/truncated-rejected", test_truncated_rejected);
  g_test_add_func ("/rtcp-feedback/garbage-rejected", test_garbage_rejected);
  g_test_add_func ("/rtcp-feedback/malformed-packets-skipped", test_malformed_packets_skipped);
  g_test_add_func ("/rtcp-feedback/sender-report-parsed", test_sender_report_parsed);
  g_test_add_func ("/rtcp-feedback/sender-report-cname-too-long", test_sender_report_cname_too_long);
  g_test_add_func ("/rtcp-feedback/rtx-packet", test_rtx_packet);
  g_test_add_func ("/rtcp-feedback/rtx-plain-packet", test_rtx_plain_packet);
  g_test_add_func ("/rtcp-feedback/rtx-invalid-originals", test_rtx_invalid_originals);
  g_test_add_func ("/rtcp-feedback/rtx-output-too-small", test_rtx_output_too_small);
  return g_test_run ();
}
