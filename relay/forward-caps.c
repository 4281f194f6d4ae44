/* Offered caps and answer mapping of forwarded tracks; see forward-caps.h. */
#include "forward-caps.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

/* Header extensions about the media itself, which stay true end to end:
 * audio level (RFC 6464), video orientation (3GPP TS 26.114), the
 * transmission offset relative to the RTP timestamp (RFC 5450) and the
 * capture time of the media (WebRTC's abs-capture-time). */
static const char *const forwardable_extensions[] = {
  "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  "urn:3gpp:video-orientation",
  "urn:ietf:params:rtp-hdrext:toffset",
  "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time",
};

/* Codec parameters that a receiver needs to decode what the relay
 * forwards; they come from the publisher's fmtp line. */
static const char *const codec_parameters[] = {
  "packetization-mode",
  "profile-level-id",
  "level-asymmetry-allowed",
  "sprop-parameter-sets",
  "sprop-stereo",
  "useinbandfec",
};

gboolean
hz_rtp_extension_is_forwardable (const char *uri)
{
  for (guint i = 0; i < G_N_ELEMENTS (forwardable_extensions); i++) {
    if (g_strcmp0 (uri, forwardable_extensions[i]) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Reads the URI of an extmap-N caps field, which is a string or an array
 * of direction, URI and attributes. */
static const char *
extmap_uri (const GValue *value)
{
  if (G_VALUE_HOLDS_STRING (value))
    return g_value_get_string (value);
  if (GST_VALUE_HOLDS_ARRAY (value) && gst_value_array_get_size (value) >= 2) {
    const GValue *uri = gst_value_array_get_value (value, 1);

    if (G_VALUE_HOLDS_STRING (uri))
      return g_value_get_string (uri);
  }
  return NULL;
}

static gboolean
copy_forwarded_field (GQuark field, const GValue *value, gpointer data)
{
  GstStructure *target = data;
  const char *name = g_quark_to_string (field);

  if (g_str_has_prefix (name, "extmap-")) {
    if (hz_rtp_extension_is_forwardable (extmap_uri (value)))
      gst_structure_id_set_value (target, field, value);
    return TRUE;
  }
  if (g_str_equal (name, "media") || g_str_equal (name, "encoding-name")
      || g_str_equal (name, "clock-rate") || g_str_equal (name, "payload")
      || g_str_equal (name, "encoding-params") || g_str_equal (name, "ssrc")) {
    gst_structure_id_set_value (target, field, value);
    return TRUE;
  }
  for (guint i = 0; i < G_N_ELEMENTS (codec_parameters); i++) {
    if (g_str_equal (name, codec_parameters[i]))
      gst_structure_id_set_value (target, field, value);
  }
  return TRUE;
}

GstCaps *
hz_forward_caps (const GstCaps *track_caps)
{
  const GstStructure *source = gst_caps_get_structure (track_caps, 0);
  GstStructure *target = gst_structure_new_empty ("application/x-rtp");
  const char *encoding;

  gst_structure_foreach (source, copy_forwarded_field, target);

  /* webrtcbin's Opus caps need the channel count to write opus/48000/2. */
  encoding = gst_structure_get_string (target, "encoding-name");
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "OPUS") == 0
      && !gst_structure_has_field (target, "encoding-params"))
    gst_structure_set (target, "encoding-params", G_TYPE_STRING, "2", NULL);
  return gst_caps_new_full (target, NULL);
}

/* Returns the value of MEDIA's "a=KEY:PT ..." attribute after the payload
 * type, or NULL. */
static const char *
format_attribute (const GstSDPMedia *media, const char *key, int pt)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    char *end = NULL;
    long value_pt;

    if (g_strcmp0 (attribute->key, key) != 0 || attribute->value == NULL
        || !g_ascii_isdigit (attribute->value[0]))
      continue;
    value_pt = strtol (attribute->value, &end, 10);
    if (value_pt == pt && *end == ' ')
      return end + 1;
  }
  return NULL;
}

static char *
fmtp_parameter (const char *fmtp, const char *name)
{
  g_auto (GStrv) pairs = NULL;
  gsize name_length = strlen (name);

  if (fmtp == NULL)
    return NULL;
  pairs = g_strsplit (fmtp, ";", -1);
  for (guint i = 0; pairs[i] != NULL; i++) {
    char *pair = g_strstrip (pairs[i]);

    if (g_ascii_strncasecmp (pair, name, name_length) == 0 && pair[name_length] == '=')
      return g_strdup (pair + name_length + 1);
  }
  return NULL;
}

/* Whether payload type PT of MEDIA is the codec of OFFERED: the same
 * encoding and clock rate, and for H.264 the same packetization mode,
 * which changes how the packets are built (RFC 6184, section 8.2.2). */
static gboolean
format_matches (const GstSDPMedia *media, int pt, const GstStructure *offered)
{
  const char *rtpmap = format_attribute (media, "rtpmap", pt);
  const char *encoding = gst_structure_get_string (offered, "encoding-name");
  const char *offered_mode = gst_structure_get_string (offered, "packetization-mode");
  g_autofree char *expected = NULL;
  g_autofree char *mode = NULL;
  int clock_rate = 0;

  if (rtpmap == NULL || encoding == NULL || !gst_structure_get_int (offered, "clock-rate", &clock_rate))
    return FALSE;
  expected = g_strdup_printf ("%s/%d", encoding, clock_rate);
  if (g_ascii_strncasecmp (rtpmap, expected, strlen (expected)) != 0
      || (rtpmap[strlen (expected)] != '\0' && rtpmap[strlen (expected)] != '/'))
    return FALSE;
  if (g_ascii_strcasecmp (encoding, "H264") != 0)
    return TRUE;

  mode = fmtp_parameter (format_attribute (media, "fmtp", pt), "packetization-mode");
  return g_strcmp0 (mode != NULL ? mode : "0", offered_mode != NULL ? offered_mode : "0") == 0;
}

static int
find_answer_pt (const GstSDPMedia *media, const GstStructure *offered)
{
  for (guint i = 0; i < gst_sdp_media_formats_len (media); i++) {
    const char *format = gst_sdp_media_get_format (media, i);
    char *end = NULL;
    long pt = strtol (format, &end, 10);

    if (*end == '\0' && pt >= 0 && pt <= 127 && format_matches (media, (int) pt, offered))
      return (int) pt;
  }
  return -1;
}

/* Reads "a=extmap:ID[/DIRECTION] URI ..." of MEDIA, then of the session,
 * and returns the id that the receiver uses for URI, or 0. */
static guint
answer_extension_id (const GstSDPMessage *answer, const GstSDPMedia *media, const char *uri)
{
  for (guint level = 0; level < 2; level++) {
    guint n = level == 0 ? gst_sdp_media_attributes_len (media)
                         : gst_sdp_message_attributes_len (answer);

    for (guint i = 0; i < n; i++) {
      const GstSDPAttribute *attribute = level == 0 ? gst_sdp_media_get_attribute (media, i)
                                                    : gst_sdp_message_get_attribute (answer, i);
      g_auto (GStrv) parts = NULL;
      guint64 id = 0;
      char *slash;

      if (g_strcmp0 (attribute->key, "extmap") != 0 || attribute->value == NULL)
        continue;
      parts = g_strsplit (attribute->value, " ", 3);
      if (parts[0] == NULL || parts[1] == NULL || !g_str_equal (parts[1], uri))
        continue;
      slash = strchr (parts[0], '/');
      if (slash != NULL)
        *slash = '\0';
      if (g_ascii_string_to_unsigned (parts[0], 10, 1, 255, &id, NULL))
        return (guint) id;
    }
  }
  return 0;
}

/* Maps each forwardable extension of OFFERED to the receiver's id. */
static void
map_extensions (const GstSDPMessage *answer, const GstSDPMedia *media,
                const GstStructure *offered, HzRtpMap *map)
{
  for (guint i = 0; i < (guint) gst_structure_n_fields (offered); i++) {
    const char *name = gst_structure_nth_field_name (offered, i);
    const char *uri;
    guint64 source_id = 0;

    if (!g_str_has_prefix (name, "extmap-")
        || !g_ascii_string_to_unsigned (name + strlen ("extmap-"), 10, 1, 255, &source_id, NULL))
      continue;
    uri = extmap_uri (gst_structure_get_value (offered, name));
    if (hz_rtp_extension_is_forwardable (uri))
      map->extension_ids[source_id] = (guint8) answer_extension_id (answer, media, uri);
  }
}

/* Returns the URI of an extmap attribute value "ID[/DIRECTION] URI ...",
 * as a new string, or NULL. */
static char *
extmap_value_uri (const char *value)
{
  g_auto (GStrv) parts = value != NULL ? g_strsplit (value, " ", 3) : NULL;

  if (parts == NULL || parts[0] == NULL || parts[1] == NULL)
    return NULL;
  return g_strdup (parts[1]);
}

static gboolean
media_has_extension (const GstSDPMedia *media, const char *uri)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);
    g_autofree char *attribute_uri = NULL;

    if (g_strcmp0 (attribute->key, "extmap") != 0)
      continue;
    attribute_uri = extmap_value_uri (attribute->value);
    if (g_strcmp0 (attribute_uri, uri) == 0)
      return TRUE;
  }
  return FALSE;
}

void
hz_forward_accept_extensions (const GstSDPMessage *offer, GstSDPMessage *answer)
{
  guint n = MIN (gst_sdp_message_medias_len (offer), gst_sdp_message_medias_len (answer));

  for (guint m = 0; m < n; m++) {
    const GstSDPMedia *offered = gst_sdp_message_get_media (offer, m);
    /* gst_sdp_message_get_media() has no mutable variant. */
    GstSDPMedia *answered = (GstSDPMedia *) gst_sdp_message_get_media (answer, m);

    if (gst_sdp_media_get_port (answered) == 0)
      continue;
    for (guint i = 0; i < gst_sdp_media_attributes_len (offered); i++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (offered, i);
      g_autofree char *uri = NULL;

      if (g_strcmp0 (attribute->key, "extmap") != 0)
        continue;
      uri = extmap_value_uri (attribute->value);
      if (hz_rtp_extension_is_forwardable (uri) && !media_has_extension (answered, uri))
        gst_sdp_media_add_attribute (answered, "extmap", attribute->value);
    }
  }
}

gboolean
hz_forward_read_answer (const GstSDPMessage *answer, guint mline, const GstCaps *offered_caps,
                        HzRtpMap *map, gboolean *accepted, GError **error)
{
  const GstStructure *offered = gst_caps_get_structure (offered_caps, 0);
  const GstSDPMedia *media;
  int source_pt = -1;
  int target_pt;

  hz_rtp_map_init (map);
  *accepted = FALSE;
  if (mline >= gst_sdp_message_medias_len (answer)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "the answer has %u m-line(s); the offer has at least %u",
                 gst_sdp_message_medias_len (answer), mline + 1);
    return FALSE;
  }
  media = gst_sdp_message_get_media (answer, mline);
  if (g_strcmp0 (media->media, gst_structure_get_string (offered, "media")) != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "m-line %u of the answer is %s; the offer has %s there", mline,
                 media->media != NULL ? media->media : "no media",
                 gst_structure_get_string (offered, "media"));
    return FALSE;
  }

  gst_structure_get_int (offered, "payload", &source_pt);
  map->source_pt = source_pt;
  if (gst_sdp_media_get_port (media) == 0)
    return TRUE;
  target_pt = find_answer_pt (media, offered);
  if (target_pt < 0)
    return TRUE;

  map->target_pt = target_pt;
  map_extensions (answer, media, offered, map);
  *accepted = TRUE;
  return TRUE;
}

int
hz_forward_answer_rtx_pt (const GstSDPMessage *answer, guint mline, int target_pt)
{
  const GstSDPMedia *media;

  if (target_pt < 0 || mline >= gst_sdp_message_medias_len (answer))
    return -1;
  media = gst_sdp_message_get_media (answer, mline);
  for (guint i = 0; i < gst_sdp_media_formats_len (media); i++) {
    const char *format = gst_sdp_media_get_format (media, i);
    const char *rtpmap;
    g_autofree char *apt = NULL;
    char *end = NULL;
    long pt = strtol (format, &end, 10);

    if (*end != '\0' || pt < 0 || pt > 127)
      continue;
    rtpmap = format_attribute (media, "rtpmap", (int) pt);
    if (rtpmap == NULL || g_ascii_strncasecmp (rtpmap, "rtx/", 4) != 0)
      continue;
    apt = fmtp_parameter (format_attribute (media, "fmtp", (int) pt), "apt");
    if (apt != NULL && atoi (apt) == target_pt)
      return (int) pt;
  }
  return -1;
}
