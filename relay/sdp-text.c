/* Parsing of clients' SDP text; see sdp-text.h. */
#include "sdp-text.h"
#include "candidate.h"

static gboolean
is_blank (const char *text)
{
  for (const char *c = text; *c != '\0'; c++) {
    if (!g_ascii_isspace (*c))
      return FALSE;
  }
  return TRUE;
}

gboolean
hz_sdp_parse_text (const char *text, GstSDPMessage **sdp)
{
  *sdp = NULL;
  if (text == NULL || is_blank (text))
    return FALSE;
  if (gst_sdp_message_new_from_text (text, sdp) != GST_SDP_OK) {
    g_clear_pointer (sdp, gst_sdp_message_free);
    return FALSE;
  }
  return TRUE;
}

guint
hz_sdp_count_candidates (const GstSDPMessage *sdp)
{
  guint count = 0;

  for (guint i = 0; i < gst_sdp_message_attributes_len (sdp); i++)
    if (g_strcmp0 (gst_sdp_message_get_attribute (sdp, i)->key, "candidate") == 0)
      count++;

  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, m);

    for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++)
      if (g_strcmp0 (gst_sdp_media_get_attribute (media, i)->key, "candidate") == 0)
        count++;
  }
  return count;
}

/* Returns whether the value of a "candidate" attribute, which lacks the
 * "candidate:" prefix of a trickled candidate, passes the remote check. */
static gboolean
candidate_attribute_is_usable (const GstSDPAttribute *attribute)
{
  g_autofree char *line = NULL;

  if (g_strcmp0 (attribute->key, "candidate") != 0)
    return TRUE;
  line = g_strconcat ("candidate:", attribute->value != NULL ? attribute->value : "", NULL);
  return hz_candidate_check_remote (line, NULL) == HZ_CANDIDATE_OK;
}

guint
hz_sdp_remove_unusable_candidates (GstSDPMessage *sdp)
{
  guint removed = 0;

  for (guint i = gst_sdp_message_attributes_len (sdp); i > 0; i--) {
    if (!candidate_attribute_is_usable (gst_sdp_message_get_attribute (sdp, i - 1))) {
      gst_sdp_message_remove_attribute (sdp, i - 1);
      removed++;
    }
  }

  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++) {
    GstSDPMedia *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, m);

    for (guint i = gst_sdp_media_attributes_len (media); i > 0; i--) {
      if (!candidate_attribute_is_usable (gst_sdp_media_get_attribute (media, i - 1))) {
        gst_sdp_media_remove_attribute (media, i - 1);
        removed++;
      }
    }
  }
  return removed;
}
