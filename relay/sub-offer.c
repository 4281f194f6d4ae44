/* SDP of relay-owned subscriber connections; see sub-offer.h. */
#include "sub-offer.h"

#include <gio/gio.h>
#include <string.h>

static gboolean
pt_in_use (const HzSubOfferTrack *tracks, guint n_tracks, int pt)
{
  for (guint i = 0; i < n_tracks; i++) {
    int track_pt = -1;

    gst_structure_get_int (gst_caps_get_structure (tracks[i].caps, 0), "payload", &track_pt);
    if (track_pt == pt || tracks[i].rtx_pt == pt)
      return TRUE;
  }
  return FALSE;
}

void
hz_sub_offer_pick_rtx (HzSubOfferTrack *tracks, guint n_tracks)
{
  for (guint i = 0; i < n_tracks; i++)
    tracks[i].rtx_pt = -1;
  for (guint i = 0; i < n_tracks; i++) {
    const char *media = gst_structure_get_string (gst_caps_get_structure (tracks[i].caps, 0),
                                                  "media");

    if (g_strcmp0 (media, "video") != 0)
      continue;
    for (int pt = 96; pt <= 127; pt++) {
      if (!pt_in_use (tracks, n_tracks, pt)) {
        tracks[i].rtx_pt = pt;
        break;
      }
    }
  }
}

static void
add_track (GstSDPMessage *sdp, const HzSubOfferTrack *track,
           const HzSubOfferTransport *transport)
{
  g_autoptr (GstCaps) caps = gst_caps_copy (track->caps);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gboolean video = g_strcmp0 (gst_structure_get_string (s, "media"), "video") == 0;
  g_autofree char *fingerprint = g_strdup_printf ("sha-256 %s", transport->fingerprint);
  g_autofree char *msid = g_strdup_printf ("%s %s", transport->stream_id, track->mid);
  g_autofree char *ssrc_cname = g_strdup_printf ("%u cname:%s", track->ssrc, transport->cname);
  g_autofree char *ssrc_msid = g_strdup_printf ("%u msid:%s", track->ssrc, msid);
  GstSDPMedia *media = NULL;
  int pt = -1;

  gst_structure_get_int (s, "payload", &pt);
  gst_structure_remove_field (s, "ssrc");
  if (video)
    gst_structure_set (s,
                       "rtcp-fb-nack", G_TYPE_BOOLEAN, TRUE,
                       "rtcp-fb-nack-pli", G_TYPE_BOOLEAN, TRUE,
                       "rtcp-fb-ccm-fir", G_TYPE_BOOLEAN, TRUE,
                       NULL);
  gst_sdp_media_new (&media);
  gst_sdp_media_set_media_from_caps (caps, media);
  gst_sdp_media_set_port_info (media, 9, 1);
  gst_sdp_media_set_proto (media, "UDP/TLS/RTP/SAVPF");
  gst_sdp_media_add_connection (media, "IN", "IP4", "0.0.0.0", 0, 0);
  if (video && track->rtx_pt >= 0) {
    g_autofree char *format = g_strdup_printf ("%d", track->rtx_pt);
    g_autofree char *rtpmap = g_strdup_printf ("%d rtx/90000", track->rtx_pt);
    g_autofree char *fmtp = g_strdup_printf ("%d apt=%d", track->rtx_pt, pt);
    g_autofree char *group = g_strdup_printf ("FID %u %u", track->ssrc, track->rtx_ssrc);
    g_autofree char *rtx_cname = g_strdup_printf ("%u cname:%s", track->rtx_ssrc,
                                                  transport->cname);
    g_autofree char *rtx_msid = g_strdup_printf ("%u msid:%s", track->rtx_ssrc, msid);

    gst_sdp_media_add_format (media, format);
    gst_sdp_media_add_attribute (media, "rtpmap", rtpmap);
    gst_sdp_media_add_attribute (media, "fmtp", fmtp);
    gst_sdp_media_add_attribute (media, "ssrc-group", group);
    gst_sdp_media_add_attribute (media, "ssrc", ssrc_cname);
    gst_sdp_media_add_attribute (media, "ssrc", ssrc_msid);
    gst_sdp_media_add_attribute (media, "ssrc", rtx_cname);
    gst_sdp_media_add_attribute (media, "ssrc", rtx_msid);
  } else {
    gst_sdp_media_add_attribute (media, "ssrc", ssrc_cname);
    gst_sdp_media_add_attribute (media, "ssrc", ssrc_msid);
  }
  gst_sdp_media_add_attribute (media, "mid", track->mid);
  gst_sdp_media_add_attribute (media, "msid", msid);
  gst_sdp_media_add_attribute (media, "sendonly", NULL);
  gst_sdp_media_add_attribute (media, "rtcp-mux", NULL);
  gst_sdp_media_add_attribute (media, "rtcp-rsize", NULL);
  gst_sdp_media_add_attribute (media, "ice-ufrag", transport->ice_ufrag);
  gst_sdp_media_add_attribute (media, "ice-pwd", transport->ice_pwd);
  gst_sdp_media_add_attribute (media, "ice-options", "trickle");
  gst_sdp_media_add_attribute (media, "fingerprint", fingerprint);
  gst_sdp_media_add_attribute (media, "setup", "actpass");
  gst_sdp_message_add_media (sdp, media);
  gst_sdp_media_free (media);
}

char *
hz_sub_offer_write (const HzSubOfferTrack *tracks, guint n_tracks,
                    const HzSubOfferTransport *transport)
{
  g_autofree char *version = g_strdup_printf ("%" G_GUINT64_FORMAT, transport->session_version);
  g_autoptr (GString) bundle = g_string_new ("BUNDLE");
  GstSDPMessage *sdp = NULL;
  char *text;

  gst_sdp_message_new (&sdp);
  gst_sdp_message_set_version (sdp, "0");
  gst_sdp_message_set_origin (sdp, "-", version, "0", "IN", "IP4", "0.0.0.0");
  gst_sdp_message_set_session_name (sdp, "-");
  gst_sdp_message_add_time (sdp, "0", "0", NULL);
  for (guint i = 0; i < n_tracks; i++)
    g_string_append_printf (bundle, " %s", tracks[i].mid);
  gst_sdp_message_add_attribute (sdp, "group", bundle->str);
  gst_sdp_message_add_attribute (sdp, "msid-semantic", "WMS *");
  for (guint i = 0; i < n_tracks; i++)
    add_track (sdp, &tracks[i], transport);
  text = gst_sdp_message_as_text (sdp);
  gst_sdp_message_free (sdp);
  return text;
}

void
hz_sub_answer_clear (HzSubAnswer *answer)
{
  g_clear_pointer (&answer->ice_ufrag, g_free);
  g_clear_pointer (&answer->ice_pwd, g_free);
  g_clear_pointer (&answer->fingerprints, g_ptr_array_unref);
  g_clear_pointer (&answer->candidates, g_ptr_array_unref);
}

/* The value of KEY in the first m-line that is not rejected, else at
 * session level. */
static const char *
transport_attribute (const GstSDPMessage *answer, const char *key)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (answer); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (answer, m);
    const char *value;

    if (gst_sdp_media_get_port (media) == 0)
      continue;
    value = gst_sdp_media_get_attribute_val (media, key);
    if (value != NULL)
      return value;
    break;
  }
  return gst_sdp_message_get_attribute_val (answer, key);
}

/* The values of every KEY attribute at the level where
 * transport_attribute() finds the first. */
static GPtrArray *
transport_attributes (const GstSDPMessage *answer, const char *key)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  const GstSDPMedia *media = NULL;

  for (guint m = 0; m < gst_sdp_message_medias_len (answer) && media == NULL; m++) {
    if (gst_sdp_media_get_port (gst_sdp_message_get_media (answer, m)) != 0)
      media = gst_sdp_message_get_media (answer, m);
  }
  if (media != NULL && gst_sdp_media_get_attribute_val (media, key) != NULL) {
    for (guint i = 0; gst_sdp_media_get_attribute_val_n (media, key, i) != NULL; i++)
      g_ptr_array_add (values, g_strdup (gst_sdp_media_get_attribute_val_n (media, key, i)));
  } else {
    for (guint i = 0; gst_sdp_message_get_attribute_val_n (answer, key, i) != NULL; i++)
      g_ptr_array_add (values, g_strdup (gst_sdp_message_get_attribute_val_n (answer, key, i)));
  }
  return values;
}

static void
add_candidates (GPtrArray *candidates, const GstSDPMessage *answer)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (answer); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (answer, m);

    for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);

      if (g_strcmp0 (attribute->key, "candidate") == 0 && attribute->value != NULL)
        g_ptr_array_add (candidates, g_strdup_printf ("candidate:%s", attribute->value));
    }
  }
}

gboolean
hz_sub_answer_read (const GstSDPMessage *answer, HzSubAnswer *out, GError **error)
{
  const char *ufrag = transport_attribute (answer, "ice-ufrag");
  const char *pwd = transport_attribute (answer, "ice-pwd");
  const char *fingerprint = transport_attribute (answer, "fingerprint");
  const char *setup = transport_attribute (answer, "setup");

  memset (out, 0, sizeof *out);
  if (ufrag == NULL || pwd == NULL || ufrag[0] == '\0' || pwd[0] == '\0') {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "the answer has no ICE credentials (a=ice-ufrag, a=ice-pwd)");
    return FALSE;
  }
  if (fingerprint == NULL) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "the answer has no DTLS fingerprint (a=fingerprint)");
    return FALSE;
  }
  /* RFC 5763, section 5: the answerer picks active or passive; an answer
   * without a=setup means active. */
  if (setup != NULL && g_strcmp0 (setup, "active") != 0 && g_strcmp0 (setup, "passive") != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "the answer has a=setup:%s; an answer must be active or passive", setup);
    return FALSE;
  }
  out->ice_ufrag = g_strdup (ufrag);
  out->ice_pwd = g_strdup (pwd);
  out->fingerprints = transport_attributes (answer, "fingerprint");
  out->dtls_client = g_strcmp0 (setup, "passive") == 0;
  out->candidates = g_ptr_array_new_with_free_func (g_free);
  add_candidates (out->candidates, answer);
  return TRUE;
}
