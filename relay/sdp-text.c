/* Parsing of clients' SDP text; see sdp-text.h. */
#include "sdp-text.h"

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
