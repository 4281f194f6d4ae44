/* Fuzz target: RTP packets from a publisher, as the relay rewrites them
 * for each receiver (relay/rtp-rewrite.h). The packet bytes come from the
 * network; the map comes from the receiver's answer.
 *
 * Input: byte 0 and 1 choose the map's source and target payload types
 * (values above 127 mean -1: any, or keep), bytes 2 to 17 map the
 * publisher's extension ids 0 to 15 to the receiver's, and the rest is the
 * packet. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "rtp-rewrite.h"

#define MAP_BYTES 18

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
read_map (const uint8_t *data, HzRtpMap *map)
{
  hz_rtp_map_init (map);
  map->source_pt = data[0] > 127 ? -1 : data[0];
  map->target_pt = data[1] > 127 ? -1 : data[1];
  for (guint id = 0; id < 16; id++)
    map->extension_ids[id] = data[2 + id];
  /* Two-byte extension ids go up to 255: map a few of them too. */
  map->extension_ids[200] = data[2];
  map->extension_ids[255] = data[3];
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  HzRtpMap map;
  const guint8 *packet = data + MAP_BYTES;
  gsize length;
  g_autofree guint8 *out = NULL;
  gsize out_length = 0;
  HzRtpRewriteResult classified, rewritten;

  if (size < MAP_BYTES)
    return 0;
  read_map (data, &map);
  length = size - MAP_BYTES;
  /* A copy of exactly LENGTH bytes, so ASan reports any read past the end. */
  packet = g_memdup2 (packet, length);
  out = g_malloc (HZ_RTP_REWRITE_MAX_SIZE (length));

  classified = hz_rtp_rewrite_classify (&map, packet, length);
  rewritten = hz_rtp_rewrite_packet (&map, packet, length, out, &out_length);
  g_assert_cmpint (classified, ==, rewritten);
  if (rewritten == HZ_RTP_REWRITE_CHANGED) {
    g_assert_cmpuint (out_length, >=, 12);
    g_assert_cmpuint (out_length, <=, HZ_RTP_REWRITE_MAX_SIZE (length));
  }
  g_free ((gpointer) packet);
  return 0;
}
