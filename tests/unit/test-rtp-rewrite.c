/* Unit tests of the relay's per-receiver RTP rewriting (relay/rtp-rewrite.h):
 * payload types, RFC 8285 header extensions and malformed packets. */
#include "rtp-rewrite.h"

#include <string.h>

/* A packet: V=2, the given first-byte flags (P, X, CC), M + PT, sequence
 * 0x1234, timestamp 0x01020304, SSRC 0xdeadbeef. */
#define HEADER(flags, marker_pt) \
  0x80 | (flags), (marker_pt), 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef

static const guint8 payload[] = { 0x90, 0x80, 0x11, 0x22, 0x33 };

typedef struct {
  guint8 bytes[256];
  gsize length;
} Packet;

static void
append (Packet *packet, const guint8 *bytes, gsize length)
{
  g_assert_cmpuint (packet->length + length, <=, sizeof packet->bytes);
  memcpy (packet->bytes + packet->length, bytes, length);
  packet->length += length;
}

/* Rewrites IN with MAP, expecting RESULT, and returns the output in OUT. */
static void
rewrite (const HzRtpMap *map, const Packet *in, HzRtpRewriteResult result, Packet *out)
{
  guint8 buffer[HZ_RTP_REWRITE_MAX_SIZE (256)];
  gsize length = 0;

  g_assert_cmpint (hz_rtp_rewrite_classify (map, in->bytes, in->length), ==, result);
  g_assert_cmpint (hz_rtp_rewrite_packet (map, in->bytes, in->length, buffer, &length), ==, result);
  memset (out, 0, sizeof *out);
  if (result == HZ_RTP_REWRITE_CHANGED) {
    g_assert_cmpuint (length, <=, HZ_RTP_REWRITE_MAX_SIZE (in->length));
    append (out, buffer, length);
  }
}

static void
assert_payload_at (const Packet *packet, gsize offset)
{
  g_assert_cmpuint (packet->length, ==, offset + sizeof payload);
  g_assert_cmpmem (packet->bytes + offset, sizeof payload, payload, sizeof payload);
}

static void
test_payload_type (void)
{
  const guint8 header[] = { HEADER (0, 0x80 | 96) };
  Packet in = { 0 }, out;
  HzRtpMap map;

  append (&in, header, sizeof header);
  append (&in, payload, sizeof payload);
  hz_rtp_map_init (&map);

  /* The same payload type and no extension: nothing to copy. */
  map.source_pt = 96;
  map.target_pt = 96;
  rewrite (&map, &in, HZ_RTP_REWRITE_UNCHANGED, &out);
  map.target_pt = -1;
  rewrite (&map, &in, HZ_RTP_REWRITE_UNCHANGED, &out);

  /* Another number for the receiver; the marker bit stays. */
  map.target_pt = 102;
  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmphex (out.bytes[0], ==, 0x80);
  g_assert_cmphex (out.bytes[1], ==, 0x80 | 102);
  g_assert_cmpmem (out.bytes + 2, 10, header + 2, 10);
  assert_payload_at (&out, 12);

  /* A payload type that the publisher did not negotiate is dropped. */
  map.source_pt = 97;
  rewrite (&map, &in, HZ_RTP_REWRITE_DROP, &out);
  map.source_pt = -1;
  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
}

static void
test_one_byte_extensions (void)
{
  const guint8 header[] = { HEADER (0x10, 111) };
  /* audio level (id 1, 1 byte), transport-cc (id 3, 2 bytes), a padding
   * byte, MID (id 4, 1 byte "0"): 7 bytes, padded to 8. */
  const guint8 extension[] = { 0xbe, 0xde, 0x00, 0x02,
                               0x10, 0x85, 0x31, 0x00, 0x07, 0x00, 0x40, 0x30 };
  const guint8 expected[] = { 0xbe, 0xde, 0x00, 0x01, 0x50, 0x85, 0x00, 0x00 };
  Packet in = { 0 }, out;
  HzRtpMap map;

  append (&in, header, sizeof header);
  append (&in, extension, sizeof extension);
  append (&in, payload, sizeof payload);
  hz_rtp_map_init (&map);
  map.source_pt = 111;
  map.target_pt = 111;
  map.extension_ids[1] = 5;

  /* Only the audio level is negotiated, as id 5. */
  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmphex (out.bytes[0], ==, 0x90);
  g_assert_cmphex (out.bytes[1], ==, 111);
  g_assert_cmpmem (out.bytes + 12, sizeof expected, expected, sizeof expected);
  assert_payload_at (&out, 12 + sizeof expected);

  /* Nothing negotiated: the extension block goes and X is cleared. */
  map.extension_ids[1] = 0;
  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmphex (out.bytes[0], ==, 0x80);
  g_assert_cmpmem (out.bytes + 2, 10, header + 2, 10);
  assert_payload_at (&out, 12);
}

static void
test_two_byte_form (void)
{
  const guint8 header[] = { HEADER (0x10, 96) };
  /* One-byte video orientation (id 13, 1 byte) and toffset (id 14, 3 bytes). */
  const guint8 extension[] = { 0xbe, 0xde, 0x00, 0x02, 0xd0, 0x01, 0xe2, 0xaa, 0xbb, 0xcc, 0x00, 0x00 };
  /* Id 20 needs the two-byte form: 0x1000, elements id, length, data. */
  const guint8 expected[] = { 0x10, 0x00, 0x00, 0x02,
                              0x14, 0x01, 0x01, 0x02, 0x03, 0xaa, 0xbb, 0xcc };
  Packet in = { 0 }, out;
  HzRtpMap map;

  append (&in, header, sizeof header);
  append (&in, extension, sizeof extension);
  append (&in, payload, sizeof payload);
  hz_rtp_map_init (&map);
  map.extension_ids[13] = 20;
  map.extension_ids[14] = 2;

  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmphex (out.bytes[0], ==, 0x90);
  g_assert_cmpmem (out.bytes + 12, sizeof expected, expected, sizeof expected);
  assert_payload_at (&out, 12 + sizeof expected);
}

static void
test_two_byte_input (void)
{
  const guint8 header[] = { HEADER (0x10, 96) };
  /* Two-byte form: id 7 with no data, padding, id 9 with 2 bytes. */
  const guint8 extension[] = { 0x10, 0x00, 0x00, 0x02, 0x07, 0x00, 0x00, 0x09, 0x02, 0x55, 0x66, 0x00 };
  const guint8 both[] = { 0x10, 0x00, 0x00, 0x02, 0x03, 0x00, 0x04, 0x02, 0x55, 0x66, 0x00, 0x00 };
  const guint8 one_byte[] = { 0xbe, 0xde, 0x00, 0x01, 0x41, 0x55, 0x66, 0x00 };
  Packet in = { 0 }, out;
  HzRtpMap map;

  append (&in, header, sizeof header);
  append (&in, extension, sizeof extension);
  append (&in, payload, sizeof payload);
  hz_rtp_map_init (&map);

  /* An element without data stays in the two-byte form. */
  map.extension_ids[7] = 3;
  map.extension_ids[9] = 4;
  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmpmem (out.bytes + 12, sizeof both, both, sizeof both);
  assert_payload_at (&out, 12 + sizeof both);

  /* Without it, the one-byte form fits. */
  map.extension_ids[7] = 0;
  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmpmem (out.bytes + 12, sizeof one_byte, one_byte, sizeof one_byte);
  assert_payload_at (&out, 12 + sizeof one_byte);
}

static void
test_other_profile_removed (void)
{
  const guint8 header[] = { HEADER (0x10, 96) };
  const guint8 extension[] = { 0xab, 0xcd, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44 };
  Packet in = { 0 }, out;
  HzRtpMap map;

  append (&in, header, sizeof header);
  append (&in, extension, sizeof extension);
  append (&in, payload, sizeof payload);
  hz_rtp_map_init (&map);
  for (guint id = 1; id < 256; id++)
    map.extension_ids[id] = (guint8) id;

  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmphex (out.bytes[0], ==, 0x80);
  assert_payload_at (&out, 12);
}

static void
test_reserved_id_stops (void)
{
  const guint8 header[] = { HEADER (0x10, 96) };
  /* Id 2, then the reserved id 15, after which nothing is read. */
  const guint8 extension[] = { 0xbe, 0xde, 0x00, 0x01, 0x20, 0x77, 0xf0, 0x30 };
  const guint8 expected[] = { 0xbe, 0xde, 0x00, 0x01, 0x20, 0x77, 0x00, 0x00 };
  Packet in = { 0 }, out;
  HzRtpMap map;

  append (&in, header, sizeof header);
  append (&in, extension, sizeof extension);
  append (&in, payload, sizeof payload);
  hz_rtp_map_init (&map);
  map.extension_ids[2] = 2;
  map.extension_ids[3] = 3;

  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmpmem (out.bytes + 12, sizeof expected, expected, sizeof expected);
  assert_payload_at (&out, 12 + sizeof expected);
}

static void
test_csrcs_and_padding_kept (void)
{
  /* P set, two CSRCs, an extension; the payload ends with 3 padding bytes. */
  const guint8 header[] = { HEADER (0x20 | 0x10 | 0x02, 96), 0, 0, 0, 1, 0, 0, 0, 2 };
  const guint8 extension[] = { 0xbe, 0xde, 0x00, 0x01, 0x10, 0x99, 0x00, 0x00 };
  const guint8 padding[] = { 0x00, 0x00, 0x03 };
  const guint8 expected_tail[] = { 0x90, 0x80, 0x11, 0x22, 0x33, 0x00, 0x00, 0x03 };
  Packet in = { 0 }, out;
  HzRtpMap map;

  append (&in, header, sizeof header);
  append (&in, extension, sizeof extension);
  append (&in, payload, sizeof payload);
  append (&in, padding, sizeof padding);
  hz_rtp_map_init (&map);
  map.target_pt = 100;

  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmphex (out.bytes[0], ==, 0x80 | 0x20 | 0x02);
  g_assert_cmphex (out.bytes[1], ==, 100);
  g_assert_cmpmem (out.bytes + 12, 8, header + 12, 8);
  g_assert_cmpuint (out.length, ==, 20 + sizeof expected_tail);
  g_assert_cmpmem (out.bytes + 20, sizeof expected_tail, expected_tail, sizeof expected_tail);
}

static void
test_malformed_dropped (void)
{
  const guint8 short_packet[] = { 0x80, 96, 0, 1 };
  const guint8 version_1[] = { 0x40, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
  const guint8 csrc_beyond[] = { 0x83, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9 };
  const guint8 extension_beyond[] = { 0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
                                      0xbe, 0xde, 0x00, 0x04, 0x10, 0x01 };
  const guint8 extension_head_cut[] = { 0x90, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe };
  const struct {
    const guint8 *bytes;
    gsize length;
  } cases[] = {
    { short_packet, sizeof short_packet },
    { version_1, sizeof version_1 },
    { csrc_beyond, sizeof csrc_beyond },
    { extension_beyond, sizeof extension_beyond },
    { extension_head_cut, sizeof extension_head_cut },
  };
  HzRtpMap map;

  hz_rtp_map_init (&map);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    Packet in = { 0 }, out;

    g_test_message ("case %u", i);
    append (&in, cases[i].bytes, cases[i].length);
    rewrite (&map, &in, HZ_RTP_REWRITE_DROP, &out);
  }
}

static void
test_element_beyond_block_removed (void)
{
  const guint8 header[] = { HEADER (0x10, 96) };
  /* Id 1 claims 16 bytes inside a 4-byte block: the block is dropped whole. */
  const guint8 extension[] = { 0xbe, 0xde, 0x00, 0x01, 0x1f, 0x01, 0x02, 0x03 };
  Packet in = { 0 }, out;
  HzRtpMap map;

  append (&in, header, sizeof header);
  append (&in, extension, sizeof extension);
  append (&in, payload, sizeof payload);
  hz_rtp_map_init (&map);
  map.extension_ids[1] = 1;

  rewrite (&map, &in, HZ_RTP_REWRITE_CHANGED, &out);
  g_assert_cmphex (out.bytes[0], ==, 0x80);
  assert_payload_at (&out, 12);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rtp-rewrite/payload-type", test_payload_type);
  g_test_add_func ("/rtp-rewrite/one-byte-extensions", test_one_byte_extensions);
  g_test_add_func ("/rtp-rewrite/two-byte-form", test_two_byte_form);
  g_test_add_func ("/rtp-rewrite/two-byte-input", test_two_byte_input);
  g_test_add_func ("/rtp-rewrite/other-profile-removed", test_other_profile_removed);
  g_test_add_func ("/rtp-rewrite/reserved-id-stops", test_reserved_id_stops);
  g_test_add_func ("/rtp-rewrite/csrcs-and-padding-kept", test_csrcs_and_padding_kept);
  g_test_add_func ("/rtp-rewrite/malformed-dropped", test_malformed_dropped);
  g_test_add_func ("/rtp-rewrite/element-beyond-block-removed", test_element_beyond_block_removed);
  return g_test_run ();
}
