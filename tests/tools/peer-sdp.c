/* hz-test-peer: answers that differ from webrtcbin's own, to test how the
 * relay copes with what other clients send.
 *
 *   --payload-offset=N   every dynamic payload type (96-127) of the answer
 *                        moves N places within that range, and every
 *                        header extension id N places within 1-14, as a
 *                        client with its own numbering would answer
 *                        (RFC 3264, RFC 8285); the peer decodes by its
 *                        own numbers.
 *   --accept-extensions  the answer takes every header extension that the
 *                        offer has ("a=extmap"), as browsers do for those
 *                        they know; webrtcbin 1.22 answers with none.
 *   --no-h264            m-lines whose only codec is H.264 are rejected
 *                        (port 0), as by a client without an H.264 decoder.
 *   --answer-garbage=M   the relay gets an unusable answer: "text" is not
 *                        SDP, "fingerprint" is SDP without DTLS fingerprints.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#include <stdlib.h>
#include <string.h>

#define DYNAMIC_PT_FIRST 96
#define DYNAMIC_PT_COUNT 32

static int
shift_pt (int pt, int offset)
{
  if (pt < DYNAMIC_PT_FIRST || pt >= DYNAMIC_PT_FIRST + DYNAMIC_PT_COUNT)
    return pt;
  return DYNAMIC_PT_FIRST
         + ((pt - DYNAMIC_PT_FIRST + offset) % DYNAMIC_PT_COUNT + DYNAMIC_PT_COUNT)
           % DYNAMIC_PT_COUNT;
}

/* Returns VALUE ("PT rest") with its leading payload type shifted, or NULL
 * when it does not start with a number. */
static char *
shift_leading_pt (const char *value, int offset)
{
  char *end = NULL;
  long pt;

  if (value == NULL || !g_ascii_isdigit (value[0]))
    return NULL;
  pt = strtol (value, &end, 10);
  return g_strdup_printf ("%d%s", shift_pt ((int) pt, offset), end);
}

/* Shifts "apt=PT" in an RTX fmtp value (after its own payload type). */
static char *
shift_apt (const char *value, int offset)
{
  const char *apt = strstr (value, "apt=");
  char *end = NULL;
  long pt;

  if (apt == NULL)
    return g_strdup (value);
  pt = strtol (apt + 4, &end, 10);
  return g_strdup_printf ("%.*sapt=%d%s", (int) (apt - value), value,
                          shift_pt ((int) pt, offset), end);
}

/* Shifts the id of "a=extmap:ID[/DIRECTION] URI ..." within 1-14. */
static char *
shift_extmap (const char *value, int offset)
{
  char *end = NULL;
  long id;

  if (value == NULL || !g_ascii_isdigit (value[0]))
    return NULL;
  id = strtol (value, &end, 10);
  if (id < 1 || id > 14)
    return NULL;
  return g_strdup_printf ("%ld%s", ((id - 1 + offset) % 14 + 14) % 14 + 1, end);
}

static void
shift_media (GstSDPMedia *media, int offset)
{
  for (guint i = 0; i < gst_sdp_media_formats_len (media); i++) {
    g_autofree char *format = shift_leading_pt (gst_sdp_media_get_format (media, i), offset);

    if (format != NULL)
      gst_sdp_media_replace_format (media, i, format);
  }
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    g_autofree char *shifted = NULL;
    g_autofree char *value = NULL;
    GstSDPAttribute replacement;

    if (g_strcmp0 (attribute->key, "extmap") == 0) {
      shifted = shift_extmap (attribute->value, offset);
      if (shifted != NULL) {
        gst_sdp_attribute_set (&replacement, attribute->key, shifted);
        gst_sdp_media_replace_attribute (media, i, &replacement);
      }
      continue;
    }
    if (g_strcmp0 (attribute->key, "rtpmap") != 0 && g_strcmp0 (attribute->key, "fmtp") != 0
        && g_strcmp0 (attribute->key, "rtcp-fb") != 0)
      continue;
    shifted = shift_leading_pt (attribute->value, offset);
    if (shifted == NULL)
      continue;
    value = g_str_equal (attribute->key, "fmtp") ? shift_apt (shifted, offset) : g_strdup (shifted);
    gst_sdp_attribute_set (&replacement, attribute->key, value);
    gst_sdp_media_replace_attribute (media, i, &replacement);
  }
}

/* Whether every codec of MEDIA other than RTX is H.264. */
static gboolean
media_is_h264_only (const GstSDPMedia *media)
{
  gboolean h264 = FALSE;

  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    const char *encoding;

    if (g_strcmp0 (attribute->key, "rtpmap") != 0 || attribute->value == NULL)
      continue;
    encoding = strchr (attribute->value, ' ');
    if (encoding == NULL || g_ascii_strncasecmp (encoding + 1, "rtx/", 4) == 0)
      continue;
    if (g_ascii_strncasecmp (encoding + 1, "H264/", 5) != 0)
      return FALSE;
    h264 = TRUE;
  }
  return h264;
}

/* Copies OFFERED's extmap lines to MEDIA, unless MEDIA has some already. */
static void
accept_extensions (const GstSDPMedia *offered, GstSDPMedia *media)
{
  if (gst_sdp_media_get_attribute_val (media, "extmap") != NULL)
    return;
  for (guint i = 0; i < gst_sdp_media_attributes_len (offered); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (offered, i);

    if (g_strcmp0 (attribute->key, "extmap") == 0)
      gst_sdp_media_add_attribute (media, "extmap", attribute->value);
  }
}

/* Replaces MEDIA's a=setup value with passive; webrtcbin reads its DTLS
 * role from the local description, so it then waits as DTLS server. */
static void
set_setup_passive (GstSDPMedia *media)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    GstSDPAttribute passive;

    if (g_strcmp0 (attribute->key, "setup") != 0)
      continue;
    gst_sdp_attribute_set (&passive, "setup", "passive");
    gst_sdp_media_replace_attribute (media, i, &passive);
  }
}

gboolean
hz_answer_rewrite (const HzPeerOptions *options, const GstSDPMessage *offer,
                   GstSDPMessage *answer)
{
  gboolean changed = FALSE;

  for (guint i = 0; i < gst_sdp_message_medias_len (answer); i++) {
    /* gst_sdp_message_get_media() has no mutable variant. */
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (answer, i);

    if (options->accept_extensions && offer != NULL && i < gst_sdp_message_medias_len (offer)
        && gst_sdp_media_get_port (media) != 0) {
      accept_extensions (gst_sdp_message_get_media (offer, i), media);
      changed = TRUE;
    }

    if (options->no_h264 && media_is_h264_only (media)) {
      gst_sdp_media_set_port_info (media, 0, 0);
      changed = TRUE;
    }
    if (options->payload_offset != 0) {
      shift_media (media, options->payload_offset);
      changed = TRUE;
    }
    if (options->dtls_passive) {
      set_setup_passive (media);
      changed = TRUE;
    }
  }
  return changed;
}

char *
hz_answer_garbage (const HzPeerOptions *options, const char *answer)
{
  g_auto (GStrv) lines = NULL;
  GString *kept;

  if (options->answer_garbage == NULL)
    return NULL;
  if (g_str_equal (options->answer_garbage, "text"))
    return g_strdup ("this is not an SDP answer");

  kept = g_string_new (NULL);
  lines = g_strsplit (answer, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "a=fingerprint:"))
      continue;
    g_string_append_printf (kept, "%s\r\n", lines[i]);
  }
  return g_string_free (kept, FALSE);
}
