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

/* Returns the value of the "a=KEY:PT ..." attribute of MEDIA for PT
 * after the payload type, or NULL. */
static const char *
format_attribute (const GstSDPMedia *media, const char *key, int pt)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    const char *space;

    if (g_strcmp0 (attribute->key, key) != 0 || attribute_payload_type (attribute->value) != pt)
      continue;
    space = strchr (attribute->value, ' ');
    return space != NULL ? space + 1 : "";
  }
  return NULL;
}

/* Reads parameter NAME of an fmtp value ("a=1;b=2"); returns a new string
 * or NULL. */
static char *
fmtp_parameter (const char *fmtp, const char *name)
{
  g_auto (GStrv) pairs = NULL;

  if (fmtp == NULL)
    return NULL;
  pairs = g_strsplit (fmtp, ";", -1);
  for (guint i = 0; pairs[i] != NULL; i++) {
    char *pair = g_strstrip (pairs[i]);
    gsize name_length = strlen (name);

    if (g_ascii_strncasecmp (pair, name, name_length) == 0 && pair[name_length] == '=')
      return g_strdup (pair + name_length + 1);
  }
  return NULL;
}

gboolean
hz_h264_is_constrained_baseline (const char *profile_level_id)
{
  guint64 value;
  guint profile_idc, profile_iop;

  if (profile_level_id == NULL || strlen (profile_level_id) != 6
      || !g_ascii_string_to_unsigned (profile_level_id, 16, 0, 0xffffff, &value, NULL))
    return FALSE;
  profile_idc = (guint) (value >> 16);
  profile_iop = (guint) (value >> 8) & 0xff;

  /* RFC 6184, table 5: the constraint flags that make each profile_idc
   * constrained baseline (x: either value). */
  switch (profile_idc) {
    case 0x42:
      return (profile_iop & 0x4f) == 0x40;   /* x1xx0000 */
    case 0x4d:
      return (profile_iop & 0x8f) == 0x80;   /* 1xxx0000 */
    case 0x58:
      return (profile_iop & 0xcf) == 0xc0;   /* 11xx0000 */
    default:
      return FALSE;
  }
}

/* Whether the relay forwards payload type PT of MEDIA: VP8 or H.264
 * constrained baseline (packetization mode 0 or 1) video, Opus audio. */
static gboolean
format_is_supported (const GstSDPMedia *media, int pt)
{
  const char *rtpmap = format_attribute (media, "rtpmap", pt);
  g_autofree char *profile = NULL;
  g_autofree char *mode = NULL;

  if (rtpmap == NULL)
    return FALSE;
  if (g_strcmp0 (media->media, "audio") == 0)
    return g_ascii_strncasecmp (rtpmap, "opus/48000", 10) == 0;
  if (g_ascii_strncasecmp (rtpmap, "VP8/90000", 9) == 0)
    return TRUE;
  if (g_ascii_strncasecmp (rtpmap, "H264/90000", 10) != 0)
    return FALSE;

  profile = fmtp_parameter (format_attribute (media, "fmtp", pt), "profile-level-id");
  mode = fmtp_parameter (format_attribute (media, "fmtp", pt), "packetization-mode");
  return hz_h264_is_constrained_baseline (profile)
         && (mode == NULL || g_str_equal (mode, "0") || g_str_equal (mode, "1"));
}

/* Returns the first supported payload type in MEDIA's format order, which
 * is the client's order of preference, or -1. */
static int
choose_format (const GstSDPMedia *media)
{
  for (guint i = 0; i < gst_sdp_media_formats_len (media); i++) {
    int pt = attribute_payload_type (gst_sdp_media_get_format (media, i));

    if (pt >= 0 && format_is_supported (media, pt))
      return pt;
  }
  return -1;
}

/* Marks in KEEP, indexed by payload type, the chosen format of MEDIA and
 * the RTX formats that repair it ("a=fmtp:RTX apt=PT"). Returns the number
 * of RTX formats, or -1 when MEDIA offers no supported format. */
static int
mark_kept_formats (const GstSDPMedia *media, gboolean keep[128])
{
  int chosen = choose_format (media);
  int n_rtx = 0;

  memset (keep, 0, 128 * sizeof (gboolean));
  if (chosen < 0)
    return -1;
  keep[chosen] = TRUE;

  for (guint i = 0; i < gst_sdp_media_formats_len (media); i++) {
    int pt = attribute_payload_type (gst_sdp_media_get_format (media, i));
    const char *rtpmap = pt >= 0 ? format_attribute (media, "rtpmap", pt) : NULL;
    g_autofree char *apt = NULL;

    if (rtpmap == NULL || g_ascii_strncasecmp (rtpmap, "rtx/", 4) != 0)
      continue;
    apt = fmtp_parameter (format_attribute (media, "fmtp", pt), "apt");
    if (apt != NULL && attribute_payload_type (apt) == chosen) {
      keep[pt] = TRUE;
      n_rtx++;
    }
  }
  return n_rtx;
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
  guint n_audio = 0;
  guint n_video = 0;
  guint n_sending = 0;

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    /* gst_sdp_message_get_media() has no mutable variant. */
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, i);
    gboolean keep[128];
    gboolean is_video = g_strcmp0 (media->media, "video") == 0;
    int n_rtx;

    if (!is_video && g_strcmp0 (media->media, "audio") != 0)
      return invalid_offer (error, i, media->media, "only audio and video are supported");
    if ((is_video && n_video == HZ_OFFER_MAX_VIDEO_TRACKS) || (!is_video && n_audio == 1))
      return invalid_offer (error, i, media->media,
                            "at most one audio and two video m-lines");
    n_rtx = mark_kept_formats (media, keep);
    if (n_rtx < 0)
      return invalid_offer (error, i, media->media,
                            is_video ? "neither VP8 nor H.264 constrained baseline is offered"
                                     : "Opus is not offered");

    remove_unsupported_formats (media, keep);
    if (n_rtx == 0)
      remove_rtx_ssrcs (media);
    if (media_sends (media))
      n_sending++;
    if (is_video)
      n_video++;
    else
      n_audio++;
  }

  if (n_sending == 0) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "the offer sends no audio or video");
    return FALSE;
  }
  *n_send_tracks = n_sending;
  return TRUE;
}

const char *
hz_offer_track_name (const GstSDPMessage *sdp, guint mline)
{
  static const char *const video_names[HZ_OFFER_MAX_VIDEO_TRACKS] = { "video", "video2" };
  guint n_video = 0;

  if (mline >= gst_sdp_message_medias_len (sdp))
    return NULL;
  if (g_strcmp0 (gst_sdp_message_get_media (sdp, mline)->media, "audio") == 0)
    return "audio";
  for (guint i = 0; i < mline; i++) {
    if (g_strcmp0 (gst_sdp_message_get_media (sdp, i)->media, "video") == 0)
      n_video++;
  }
  return n_video < HZ_OFFER_MAX_VIDEO_TRACKS ? video_names[n_video] : NULL;
}

guint
hz_offer_count_sending (const GstSDPMessage *sdp, const char *media_type)
{
  guint count = 0;

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);

    if (g_strcmp0 (media->media, media_type) == 0 && media_sends (media))
      count++;
  }
  return count;
}

int
hz_offer_media_payload_type (const GstSDPMedia *media)
{
  return choose_format (media);
}
