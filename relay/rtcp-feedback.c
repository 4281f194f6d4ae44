/* RTCP feedback reading, sender report writing and RTX packets; see
 * rtcp-feedback.h.
 *
 * Layouts (sizes in bytes):
 * - every RTCP packet: a 4-byte header (V, P, count or FMT, PT, length in
 *   32-bit words minus one); with P set, the last byte of the packet is
 *   the count of padding bytes, itself included (RFC 3550, section 6.4.1);
 * - SR: header, sender SSRC, 20 bytes of sender info, then report blocks;
 *   RR: header, sender SSRC, then report blocks; each block is 24 bytes;
 * - RTPFB and PSFB (RFC 4585, section 6.1): header, sender SSRC, media
 *   SSRC, then the FCI. A generic NACK's FCI entries are 4 bytes: PID (a
 *   lost sequence number) and BLP (bit i set: PID + i + 1 is lost too). A
 *   PLI has no FCI. A FIR's entries (RFC 5104, section 4.3.1) are 8 bytes:
 *   the SSRC of the media sender, a sequence number and 3 reserved bytes;
 *   its media SSRC field is unused.
 *
 * GStreamer's RTCP library validates the compound packet and walks its
 * packets, but it checks neither that a packet's report blocks fit in its
 * length (gst_rtcp_packet_get_rb() reads a block that starts inside the
 * packet even when it ends in the next one) nor that a feedback packet
 * holds its media SSRC (gst_rtcp_packet_fb_get_fci_length() wraps around
 * below 2 words). The sizes are checked here against the packet's length
 * less its padding.
 */
#include "rtcp-feedback.h"

#include <gst/rtp/gstrtcpbuffer.h>
#include <string.h>

#define RTCP_HEADER_SIZE 4
#define SR_SIZE 28                    /* header, SSRC and sender info */
#define RR_SIZE 8                     /* header and SSRC */
#define REPORT_BLOCK_SIZE 24
#define FEEDBACK_HEADER_SIZE 12       /* header, sender and media SSRC */
#define NACK_ENTRY_SIZE 4
#define FIR_ENTRY_SIZE 8
#define SDES_CNAME 1

#define RTP_HEADER_SIZE 12
#define RTX_OSN_SIZE 2

/* The state of one hz_rtcp_feedback_read() call. */
typedef struct {
  HzRtcpFeedbackFunc func;
  gpointer user_data;
  guint nack_count;
} Reader;

/* Returns the first byte of PACKET and stores in CONTENT_SIZE its size in
 * bytes without padding. Returns NULL when the padding count is 0 or more
 * than the packet after its header. */
static const guint8 *
packet_content (GstRTCPPacket *packet, gsize *content_size)
{
  const guint8 *bytes = packet->rtcp->map.data + packet->offset;
  gsize size = 4 * ((gsize) gst_rtcp_packet_get_length (packet) + 1);

  /* The library has checked that the packet lies inside the buffer. */
  if (gst_rtcp_packet_get_padding (packet)) {
    guint padding = bytes[size - 1];

    if (padding == 0 || padding > size - RTCP_HEADER_SIZE)
      return NULL;
    size -= padding;
  }
  *content_size = size;
  return bytes;
}

static void
read_report_blocks (Reader *reader, GstRTCPPacket *packet, gsize blocks_offset)
{
  guint count = gst_rtcp_packet_get_rb_count (packet);
  gsize content_size;

  /* A packet whose count claims more blocks than it holds is skipped whole. */
  if (packet_content (packet, &content_size) == NULL
      || blocks_offset + (gsize) count * REPORT_BLOCK_SIZE > content_size)
    return;

  for (guint i = 0; i < count; i++) {
    HzRtcpFeedback feedback = { .type = HZ_RTCP_FEEDBACK_REPORT };

    gst_rtcp_packet_get_rb (packet, i, &feedback.media_ssrc, &feedback.fraction_lost,
                            &feedback.packets_lost, &feedback.highest_seq,
                            &feedback.jitter, NULL, NULL);
    reader->func (&feedback, reader->user_data);
  }
}

/* Stores in FCI and FCI_SIZE the feedback control information of PACKET.
 * Returns FALSE when the packet is too short for its media SSRC or its
 * FCI is not a whole number of ENTRY_SIZE entries. */
static gboolean
feedback_fci (GstRTCPPacket *packet, gsize entry_size, const guint8 **fci, gsize *fci_size)
{
  const guint8 *bytes;
  gsize content_size;

  bytes = packet_content (packet, &content_size);
  if (bytes == NULL || content_size < FEEDBACK_HEADER_SIZE)
    return FALSE;
  *fci = bytes + FEEDBACK_HEADER_SIZE;
  *fci_size = content_size - FEEDBACK_HEADER_SIZE;
  return *fci_size % entry_size == 0;
}

/* Calls the reader's function for one lost packet, unless the call has
 * reached HZ_RTCP_MAX_NACKS. */
static void
emit_nack (Reader *reader, guint32 media_ssrc, guint seq)
{
  HzRtcpFeedback feedback = {
    .type = HZ_RTCP_FEEDBACK_NACK,
    .media_ssrc = media_ssrc,
    .seq = (guint16) seq,
  };

  if (reader->nack_count >= HZ_RTCP_MAX_NACKS)
    return;
  reader->nack_count++;
  reader->func (&feedback, reader->user_data);
}

static void
read_generic_nack (Reader *reader, GstRTCPPacket *packet)
{
  const guint8 *fci;
  gsize fci_size;
  guint32 media_ssrc;

  if (!feedback_fci (packet, NACK_ENTRY_SIZE, &fci, &fci_size))
    return;
  media_ssrc = gst_rtcp_packet_fb_get_media_ssrc (packet);

  for (gsize i = 0; i < fci_size && reader->nack_count < HZ_RTCP_MAX_NACKS; i += NACK_ENTRY_SIZE) {
    guint pid = GST_READ_UINT16_BE (fci + i);
    guint blp = GST_READ_UINT16_BE (fci + i + 2);

    emit_nack (reader, media_ssrc, pid);
    for (guint bit = 0; bit < 16; bit++) {
      if ((blp & (1u << bit)) != 0)
        emit_nack (reader, media_ssrc, (pid + bit + 1) & 0xffff);
    }
  }
}

static void
emit_keyframe (Reader *reader, guint32 media_ssrc)
{
  HzRtcpFeedback feedback = {
    .type = HZ_RTCP_FEEDBACK_KEYFRAME,
    .media_ssrc = media_ssrc,
  };

  reader->func (&feedback, reader->user_data);
}

static void
read_payload_feedback (Reader *reader, GstRTCPPacket *packet)
{
  GstRTCPFBType type = gst_rtcp_packet_fb_get_type (packet);
  const guint8 *fci;
  gsize fci_size;

  if (type == GST_RTCP_PSFB_TYPE_PLI) {
    /* A PLI has no FCI, so bytes after the media SSRC are ignored. */
    if (feedback_fci (packet, 1, &fci, &fci_size))
      emit_keyframe (reader, gst_rtcp_packet_fb_get_media_ssrc (packet));
  } else if (type == GST_RTCP_PSFB_TYPE_FIR) {
    if (!feedback_fci (packet, FIR_ENTRY_SIZE, &fci, &fci_size))
      return;
    for (gsize i = 0; i < fci_size; i += FIR_ENTRY_SIZE)
      emit_keyframe (reader, GST_READ_UINT32_BE (fci + i));
  }
}

static void
read_packet (Reader *reader, GstRTCPPacket *packet)
{
  switch (gst_rtcp_packet_get_type (packet)) {
  case GST_RTCP_TYPE_SR:
    read_report_blocks (reader, packet, SR_SIZE);
    break;
  case GST_RTCP_TYPE_RR:
    read_report_blocks (reader, packet, RR_SIZE);
    break;
  case GST_RTCP_TYPE_RTPFB:
    if (gst_rtcp_packet_fb_get_type (packet) == GST_RTCP_RTPFB_TYPE_NACK)
      read_generic_nack (reader, packet);
    break;
  case GST_RTCP_TYPE_PSFB:
    read_payload_feedback (reader, packet);
    break;
  default:
    break;
  }
}

gboolean
hz_rtcp_feedback_read (const guint8      *packet,
                       gsize              length,
                       HzRtcpFeedbackFunc func,
                       gpointer           user_data)
{
  Reader reader = { .func = func, .user_data = user_data };
  g_autoptr(GstBuffer) buffer = NULL;
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  GstRTCPPacket item;
  gboolean more;

  g_return_val_if_fail (func != NULL, FALSE);

  /* The library takes a guint length and wants the 4-byte header. */
  if (length < RTCP_HEADER_SIZE || length > G_MAXUINT)
    return FALSE;
  if (!gst_rtcp_buffer_validate_data_reduced ((guint8 *) packet, (guint) length))
    return FALSE;

  /* Read-only and without a free function: PACKET stays the caller's. */
  buffer = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY, (gpointer) packet,
                                        length, 0, length, NULL, NULL);
  if (!gst_rtcp_buffer_map (buffer, GST_MAP_READ, &rtcp))
    return FALSE;
  for (more = gst_rtcp_buffer_get_first_packet (&rtcp, &item); more;
       more = gst_rtcp_packet_move_to_next (&item))
    read_packet (&reader, &item);
  gst_rtcp_buffer_unmap (&rtcp);
  return TRUE;
}

gsize
hz_rtcp_write_sender_report (guint32     ssrc,
                             guint64     ntp_time,
                             guint32     rtp_time,
                             guint32     packet_count,
                             guint32     octet_count,
                             const char *cname,
                             guint8     *out,
                             gsize       size)
{
  gsize cname_length;
  gsize chunk_size;
  gsize total;
  guint8 *sdes;

  g_return_val_if_fail (cname != NULL, 0);

  cname_length = strlen (cname);
  if (cname_length > 255)
    return 0;
  /* The SDES chunk: SSRC, the CNAME item (type, length, text), then at
   * least one zero byte that ends the item list, up to a 32-bit boundary. */
  chunk_size = (4 + 2 + cname_length + 1 + 3) & ~(gsize) 3;
  total = SR_SIZE + RTCP_HEADER_SIZE + chunk_size;
  if (size < total)
    return 0;

  /* SR with no report blocks: V=2, RC=0. */
  out[0] = 2 << 6;
  out[1] = GST_RTCP_TYPE_SR;
  GST_WRITE_UINT16_BE (out + 2, SR_SIZE / 4 - 1);
  GST_WRITE_UINT32_BE (out + 4, ssrc);
  GST_WRITE_UINT32_BE (out + 8, (guint32) (ntp_time >> 32));
  GST_WRITE_UINT32_BE (out + 12, (guint32) ntp_time);
  GST_WRITE_UINT32_BE (out + 16, rtp_time);
  GST_WRITE_UINT32_BE (out + 20, packet_count);
  GST_WRITE_UINT32_BE (out + 24, octet_count);

  /* SDES with one chunk: V=2, SC=1. */
  sdes = out + SR_SIZE;
  memset (sdes, 0, RTCP_HEADER_SIZE + chunk_size);
  sdes[0] = (2 << 6) | 1;
  sdes[1] = GST_RTCP_TYPE_SDES;
  GST_WRITE_UINT16_BE (sdes + 2, (guint) (chunk_size / 4));
  GST_WRITE_UINT32_BE (sdes + 4, ssrc);
  sdes[8] = SDES_CNAME;
  sdes[9] = (guint8) cname_length;
  memcpy (sdes + 10, cname, cname_length);
  return total;
}

/* Stores in HEADER_SIZE the size of ORIGINAL's fixed header, CSRCs and
 * header extension, and in PAYLOAD_SIZE the size of its payload without
 * padding. Returns FALSE when ORIGINAL is not a valid RTP packet. */
static gboolean
parse_rtp (const guint8 *original, gsize length, gsize *header_size, gsize *payload_size)
{
  gsize header_end;
  gsize payload_end = length;

  if (length < RTP_HEADER_SIZE || (original[0] >> 6) != 2)
    return FALSE;
  header_end = RTP_HEADER_SIZE + 4 * (gsize) (original[0] & 0x0f);
  if (header_end > length)
    return FALSE;

  /* Header extension: a 16-bit profile and a 16-bit length in words. */
  if ((original[0] & 0x10) != 0) {
    if (header_end + 4 > length)
      return FALSE;
    header_end += 4 + 4 * (gsize) GST_READ_UINT16_BE (original + header_end + 2);
    if (header_end > length)
      return FALSE;
  }

  /* Padding: the last byte counts the padding bytes, itself included. */
  if ((original[0] & 0x20) != 0) {
    guint padding = original[length - 1];

    if (padding == 0 || padding > length - header_end)
      return FALSE;
    payload_end -= padding;
  }

  *header_size = header_end;
  *payload_size = payload_end - header_end;
  return TRUE;
}

gsize
hz_rtp_write_rtx (const guint8 *original,
                  gsize         length,
                  guint8        rtx_pt,
                  guint32       rtx_ssrc,
                  guint16       rtx_seq,
                  guint8       *out,
                  gsize         size)
{
  gsize header_size, payload_size, total;

  g_return_val_if_fail (rtx_pt <= 127, 0);

  if (!parse_rtp (original, length, &header_size, &payload_size))
    return 0;
  total = header_size + RTX_OSN_SIZE + payload_size;
  if (size < total)
    return 0;

  /* RFC 4588, section 4: the original header with the RTX stream's
   * payload type, sequence number and SSRC, then the original sequence
   * number (OSN) and the original payload. The timestamp and the marker
   * bit stay. The padding is left out, so P is cleared. */
  memcpy (out, original, header_size);
  out[0] &= ~0x20;
  out[1] = (original[1] & 0x80) | rtx_pt;
  GST_WRITE_UINT16_BE (out + 2, rtx_seq);
  GST_WRITE_UINT32_BE (out + 8, rtx_ssrc);
  memcpy (out + header_size, original + 2, RTX_OSN_SIZE);
  memcpy (out + header_size + RTX_OSN_SIZE, original + header_size, payload_size);
  return total;
}
