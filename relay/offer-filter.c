/* Publisher offer filtering; see offer-filter.h. */
#include "offer-filter.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the payload type that starts an rtpmap, fmtp or rtcp-fb value
 * ("96 VP8/90000"); returns -1 for "*" or text that is not a number. */
static int
attribute_payload_type (const char *value)
{
  char *end = NULL;
  long pt;

  if (value == NULL || !g_ascii_isdigit (value[0]))
    return -1;
  pt = strtol (value, &end, 10);
  if (pt < 0 || pt > 127 || (*end != ' ' && *end != '\0'))
    return -1;
  return (int) pt;
}

static gboolean
encoding_is_supported (const char *media, const char *rtpmap_value)
{
  const char *encoding = strchr (rtpmap_value, ' ');

  if (encoding == NULL)
    return FALSE;
  encoding++;
  if (g_str_equal (media, "video"))
    return g_ascii_strncasecmp (encoding, "VP8/", 4) == 0;
  return g_ascii_strncasecmp (encoding, "opus/", 5) == 0;
}

/* Marks the supported formats of MEDIA in KEEP, indexed by payload type,
 * and returns their number. */
static guint
mark_supported_formats (const GstSDPMedia *media, gboolean keep[128])
{
  guint n_kept = 0;

  memset (keep, 0, 128 * sizeof (gboolean));
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    int pt;

    if (g_strcmp0 (attribute->key, "rtpmap") != 0)
      continue;
    pt = attribute_payload_type (attribute->value);
    if (pt >= 0 && !keep[pt] && encoding_is_supported (media->media, attribute->value)) {
      keep[pt] = TRUE;
      n_kept++;
    }
  }
  return n_kept;
}

static gboolean
attribute_is_kept (const GstSDPAttribute *attribute, const gboolean keep[128])
{
  int pt;

  if (g_strcmp0 (attribute->key, "rtpmap") != 0 && g_strcmp0 (attribute->key, "fmtp") != 0
      && g_strcmp0 (attribute->key, "rtcp-fb") != 0)
    return TRUE;
  pt = attribute_payload_type (attribute->value);
  return pt < 0 || keep[pt];
}

static void
remove_unsupported_formats (GstSDPMedia *media, const gboolean keep[128])
{
  for (guint i = gst_sdp_media_formats_len (media); i-- > 0;) {
    int pt = attribute_payload_type (gst_sdp_media_get_format (media, i));

    if (pt < 0 || !keep[pt])
      gst_sdp_media_remove_format (media, i);
  }
  for (guint i = gst_sdp_media_attributes_len (media); i-- > 0;) {
    if (!attribute_is_kept (gst_sdp_media_get_attribute (media, i), keep))
      gst_sdp_media_remove_attribute (media, i);
  }
}

/* Drops "a=ssrc-group:FID PRIMARY RTX" and the "a=ssrc:RTX ..." lines: with
 * the RTX payload type gone, the RTX SSRC carries nothing. */
static void
remove_rtx_ssrcs (GstSDPMedia *media)
{
  g_autoptr (GPtrArray) rtx_ssrcs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = gst_sdp_media_attributes_len (media); i-- > 0;) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    g_auto (GStrv) parts = NULL;

    if (g_strcmp0 (attribute->key, "ssrc-group") != 0 || attribute->value == NULL
        || !g_str_has_prefix (attribute->value, "FID "))
      continue;
    parts = g_strsplit (attribute->value, " ", -1);
    for (guint j = 2; parts[j] != NULL; j++)
      g_ptr_array_add (rtx_ssrcs, g_strconcat (parts[j], " ", NULL));
    gst_sdp_media_remove_attribute (media, i);
  }

  for (guint i = gst_sdp_media_attributes_len (media); i-- > 0;) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);

    if (g_strcmp0 (attribute->key, "ssrc") != 0 || attribute->value == NULL)
      continue;
    for (guint j = 0; j < rtx_ssrcs->len; j++) {
      if (g_str_has_prefix (attribute->value, g_ptr_array_index (rtx_ssrcs, j))) {
        gst_sdp_media_remove_attribute (media, i);
        break;
      }
    }
  }
}

/* A port of 0 rejects an m-line, except with a=bundle-only, where it means
 * that the m-line uses the transport of the BUNDLE group (RFC 8843). */
static gboolean
media_sends (const GstSDPMedia *media)
{
  if (gst_sdp_media_get_port (media) == 0
      && gst_sdp_media_get_attribute_val (media, "bundle-only") == NULL)
    return FALSE;
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const char *key = gst_sdp_media_get_attribute (media, i)->key;

    if (g_strcmp0 (key, "recvonly") == 0 || g_strcmp0 (key, "inactive") == 0)
      return FALSE;
  }
  return TRUE;
}

static gboolean
invalid_offer (GError **error, guint index, const char *media, const char *reason)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "m-line %u (%s): %s", index,
               media != NULL ? media : "no media", reason);
  return FALSE;
}

gboolean
hz_offer_filter (GstSDPMessage *sdp, guint *n_send_tracks, GError **error)
{
  gboolean seen_audio = FALSE;
  gboolean seen_video = FALSE;
  guint n_sending = 0;

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    /* gst_sdp_message_get_media() has no mutable variant. */
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, i);
    gboolean keep[128];
    gboolean is_video = g_strcmp0 (media->media, "video") == 0;

    if (!is_video && g_strcmp0 (media->media, "audio") != 0)
      return invalid_offer (error, i, media->media, "only audio and video are supported");
    if ((is_video && seen_video) || (!is_video && seen_audio))
      return invalid_offer (error, i, media->media, "at most one audio and one video m-line");
    if (mark_supported_formats (media, keep) == 0)
      return invalid_offer (error, i, media->media,
                            is_video ? "VP8 is not offered" : "Opus is not offered");

    remove_unsupported_formats (media, keep);
    remove_rtx_ssrcs (media);
    if (media_sends (media))
      n_sending++;
    if (is_video)
      seen_video = TRUE;
    else
      seen_audio = TRUE;
  }

  if (n_sending == 0) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "the offer sends no audio or video");
    return FALSE;
  }
  *n_send_tracks = n_sending;
  return TRUE;
}
