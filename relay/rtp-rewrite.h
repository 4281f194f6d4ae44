/* Per-receiver rewriting of forwarded RTP packets.
 *
 * Every receiver negotiates its own payload type numbers and header
 * extension ids with the relay (RFC 3264, RFC 8285), and they need not be
 * the publisher's. Before a packet enters a receiver's webrtcbin, its
 * payload type is set to the receiver's number for the codec, and its
 * header extension elements are renumbered to the receiver's ids. Elements
 * that the receiver did not negotiate are removed, so the relay never
 * forwards an extension that it did not agree on with that receiver.
 *
 * Works on packet bytes only (no GStreamer), so unit tests and fuzzers can
 * drive it alone.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A mapping from the publisher's numbers to one receiver's. */
typedef struct {
  int source_pt;              /* the publisher's payload type; -1 accepts any */
  int target_pt;              /* the receiver's payload type; -1 keeps the packet's */
  guint8 extension_ids[256];  /* publisher's extension id → receiver's id; 0 removes it */
} HzRtpMap;

/* Sets MAP to keep the payload type and remove every header extension. */
void hz_rtp_map_init (HzRtpMap *map);

typedef enum {
  HZ_RTP_REWRITE_UNCHANGED,   /* forward the packet as it is; OUT is untouched */
  HZ_RTP_REWRITE_CHANGED,     /* forward OUT instead */
  HZ_RTP_REWRITE_DROP,        /* not RTP, or a payload type other than source_pt */
} HzRtpRewriteResult;

/* The largest size of a rewritten packet of LENGTH bytes: moving to the
 * two-byte extension form adds one byte per element, plus padding. */
#define HZ_RTP_REWRITE_MAX_SIZE(length) ((length) * 2 + 4)

/* Tells what hz_rtp_rewrite_packet() would do with PACKET without
 * writing anything, so that unchanged packets need no copy. */
HzRtpRewriteResult hz_rtp_rewrite_classify (const HzRtpMap *map,
                                            const guint8   *packet,
                                            gsize           length);

/* Rewrites PACKET of LENGTH bytes according to MAP. OUT must have room for
 * HZ_RTP_REWRITE_MAX_SIZE (LENGTH) bytes; *OUT_LENGTH is set on
 * HZ_RTP_REWRITE_CHANGED. The one-byte extension form (RFC 8285, 0xBEDE)
 * is kept when every id and length fits it, otherwise the two-byte form is
 * used. An extension block of another profile is removed whole. */
HzRtpRewriteResult hz_rtp_rewrite_packet (const HzRtpMap *map,
                                          const guint8   *packet,
                                          gsize           length,
                                          guint8         *out,
                                          gsize          *out_length);

G_END_DECLS
