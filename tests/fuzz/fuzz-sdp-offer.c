/* Fuzz target: a publisher's SDP offer as the relay accepts it. The relay
 * parses the offer with hz_sdp_parse_text() (GStreamer's
 * gst_sdp_message_parse_buffer() after a check for empty text) and
 * restricts it with hz_offer_filter() and hz_sdp_remove_unusable_candidates()
 * before webrtcbin receives it (relay/ingest.c). */
#include <gio/gio.h>
#include <gst/sdp/sdp.h>
#include <stdint.h>

#include "offer-filter.h"
#include "sdp-text.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* What webrtcbin receives must parse again to the same m-lines, each with
 * at least one payload type. */
static void
check_filtered (const GstSDPMessage *sdp, guint n_send_tracks)
{
  g_autofree char *text = gst_sdp_message_as_text (sdp);
  GstSDPMessage *again = NULL;

  g_assert_cmpuint (n_send_tracks, >=, 1);
  g_assert_cmpuint (n_send_tracks, <=, gst_sdp_message_medias_len (sdp));
  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++)
    g_assert_cmpuint (gst_sdp_media_formats_len (gst_sdp_message_get_media (sdp, i)), >, 0);

  g_assert_cmpint (gst_sdp_message_new_from_text (text, &again), ==, GST_SDP_OK);
  g_assert_cmpuint (gst_sdp_message_medias_len (again), ==, gst_sdp_message_medias_len (sdp));
  gst_sdp_message_free (again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The offer arrives as a JSON string, which json-glib hands over as a C
   * string: it ends at the first NUL. */
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  GstSDPMessage *sdp = NULL;
  guint n_send_tracks = 0;

  if (!hz_sdp_parse_text (text, &sdp))
    return 0;

  if (gst_sdp_message_medias_len (sdp) > 0) {
    if (hz_offer_filter (sdp, &n_send_tracks, &error)) {
      /* The relay then drops the candidates it will not use, once for all. */
      hz_sdp_remove_unusable_candidates (sdp);
      g_assert_cmpuint (hz_sdp_remove_unusable_candidates (sdp), ==, 0);
      check_filtered (sdp, n_send_tracks);
    }
    else
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  }
  gst_sdp_message_free (sdp);
  return 0;
}
