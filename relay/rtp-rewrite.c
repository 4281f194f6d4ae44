/* Per-receiver RTP rewriting; see rtp-rewrite.h.
 *
 * RTP fixed header (RFC 3550, section 5.1), then 4 bytes per CSRC, then the
 * header extension when X is set: a 16-bit profile, a 16-bit length in
 * 32-bit words and the extension data. RFC 8285 defines the profiles 0xBEDE
 * (one-byte elements: 4-bit id, 4-bit length - 1) and 0x100X (two-byte
 * elements: 8-bit id, 8-bit length).
 */
#include "rtp-rewrite.h"

#include <string.h>

#define RTP_HEADER_SIZE 12
#define ONE_BYTE_PROFILE 0xBEDE
#define TWO_BYTE_PROFILE 0x1000
#define TWO_BYTE_PROFILE_MASK 0xFFF0

/* An extension element to write: the receiver's id and the data. */
typedef struct {
  guint8 id;
  guint8 length;
  const guint8 *data;
} Element;

void
hz_rtp_map_init (HzRtpMap *map)
{
  memset (map, 0, sizeof *map);
  map->source_pt = -1;
  map->target_pt = -1;
}

static guint
read_u16 (const guint8 *bytes)
{
  return ((guint) bytes[0] << 8) | bytes[1];
}

static void
write_u16 (guint8 *bytes, guint value)
{
  bytes[0] = (guint8) (value >> 8);
  bytes[1] = (guint8) value;
}

/* Collects the mapped elements of the one-byte extension DATA into
 * ELEMENTS (room for SIZE). Returns the count, or -1 when DATA is
 * malformed. */
static int
collect_one_byte (const HzRtpMap *map, const guint8 *data, gsize size, Element *elements)
{
  int count = 0;
  gsize i = 0;

  while (i < size) {
    guint id = data[i] >> 4;
    guint length = (data[i] & 0x0f) + 1;

    if (data[i] == 0) {            /* padding */
      i++;
      continue;
    }
    if (id == 15)                  /* reserved: stop reading */
      break;
    if (i + 1 + length > size)
      return -1;
    if (map->extension_ids[id] != 0) {
      elements[count].id = map->extension_ids[id];
      elements[count].length = (guint8) length;
      elements[count].data = data + i + 1;
      count++;
    }
    i += 1 + length;
  }
  return count;
}

static int
collect_two_byte (const HzRtpMap *map, const guint8 *data, gsize size, Element *elements)
{
  int count = 0;
  gsize i = 0;

  while (i < size) {
    guint id = data[i];
    guint length;

    if (id == 0) {                 /* padding */
      i++;
      continue;
    }
    if (i + 2 > size)
      return -1;
    length = data[i + 1];
    if (i + 2 + length > size)
      return -1;
    if (map->extension_ids[id] != 0) {
      elements[count].id = map->extension_ids[id];
      elements[count].length = (guint8) length;
      elements[count].data = data + i + 2;
      count++;
    }
    i += 2 + length;
  }
  return count;
}

/* Writes the extension block of ELEMENTS at OUT and returns its size. */
static gsize
write_extension (const Element *elements, int count, guint8 *out)
{
  gboolean one_byte = TRUE;
  gsize size = 4;

  for (int i = 0; i < count; i++) {
    if (elements[i].id > 14 || elements[i].length == 0 || elements[i].length > 16)
      one_byte = FALSE;
  }

  for (int i = 0; i < count; i++) {
    if (one_byte) {
      out[size++] = (guint8) ((elements[i].id << 4) | (elements[i].length - 1));
    } else {
      out[size++] = elements[i].id;
      out[size++] = elements[i].length;
    }
    memcpy (out + size, elements[i].data, elements[i].length);
    size += elements[i].length;
  }
  while (size % 4 != 0)
    out[size++] = 0;

  write_u16 (out, one_byte ? ONE_BYTE_PROFILE : TWO_BYTE_PROFILE);
  write_u16 (out + 2, (guint) (size - 4) / 4);
  return size;
}

/* Reads the sizes of PACKET's header (fixed part and CSRCs) and extension
 * block (without its 4-byte head); FALSE for a packet that is not RTP. */
static gboolean
parse_header (const guint8 *packet, gsize length, gsize *header_size, gsize *extension_size)
{
  if (length < RTP_HEADER_SIZE || (packet[0] >> 6) != 2)
    return FALSE;
  *header_size = RTP_HEADER_SIZE + 4 * (gsize) (packet[0] & 0x0f);
  *extension_size = 0;
  if ((packet[0] & 0x10) == 0)
    return *header_size <= length;
  if (*header_size + 4 > length)
    return FALSE;
  *extension_size = 4 * (gsize) read_u16 (packet + *header_size + 2);
  return *header_size + 4 + *extension_size <= length;
}

HzRtpRewriteResult
hz_rtp_rewrite_classify (const HzRtpMap *map, const guint8 *packet, gsize length)
{
  gsize header_size, extension_size;
  guint pt;

  if (!parse_header (packet, length, &header_size, &extension_size))
    return HZ_RTP_REWRITE_DROP;
  pt = packet[1] & 0x7f;
  if (map->source_pt >= 0 && pt != (guint) map->source_pt)
    return HZ_RTP_REWRITE_DROP;
  if ((packet[0] & 0x10) == 0 && (map->target_pt < 0 || pt == (guint) map->target_pt))
    return HZ_RTP_REWRITE_UNCHANGED;
  return HZ_RTP_REWRITE_CHANGED;
}

HzRtpRewriteResult
hz_rtp_rewrite_packet (const HzRtpMap *map, const guint8 *packet, gsize length, guint8 *out,
                       gsize *out_length)
{
  HzRtpRewriteResult result = hz_rtp_rewrite_classify (map, packet, length);
  gsize header_size = 0, extension_size = 0, payload_offset, written;
  gboolean has_extension;
  int count = 0;
  g_autofree Element *elements = NULL;

  /* Only a packet classified as changed has a complete RTP header. */
  if (result != HZ_RTP_REWRITE_CHANGED)
    return result;
  parse_header (packet, length, &header_size, &extension_size);
  has_extension = (packet[0] & 0x10) != 0;

  /* The fixed header and CSRCs, with the new payload type. */
  memcpy (out, packet, header_size);
  if (map->target_pt >= 0)
    out[1] = (guint8) ((packet[1] & 0x80) | map->target_pt);
  written = header_size;

  if (has_extension) {
    const guint8 *block = packet + header_size;
    guint profile = read_u16 (block);

    /* At most one element per byte of extension data. */
    elements = g_new (Element, MAX (extension_size, 1));
    if (profile == ONE_BYTE_PROFILE)
      count = collect_one_byte (map, block + 4, extension_size, elements);
    else if ((profile & TWO_BYTE_PROFILE_MASK) == TWO_BYTE_PROFILE)
      count = collect_two_byte (map, block + 4, extension_size, elements);
    /* A malformed block or another profile is removed whole. */
    if (count > 0)
      written += write_extension (elements, count, out + written);
  }
  if (count > 0)
    out[0] |= 0x10;
  else
    out[0] &= (guint8) ~0x10;

  /* The payload and any padding follow unchanged. */
  payload_offset = header_size + (has_extension ? 4 + extension_size : 0);
  memcpy (out + written, packet + payload_offset, length - payload_offset);
  *out_length = written + length - payload_offset;
  return HZ_RTP_REWRITE_CHANGED;
}
