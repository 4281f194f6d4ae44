/* Unit tests of the SDP of relay-owned subscriber connections
 * (relay/sub-offer.h) and of the RTX payload type read from an answer
 * (hz_forward_answer_rtx_pt()). */
#include "forward-caps.h"
#include "sub-offer.h"

#include <gio/gio.h>

static const char *const track_caps_texts[] = {
  "application/x-rtp, media=(string)audio, payload=(int)111, clock-rate=(int)48000, "
  "encoding-name=(string)OPUS, encoding-params=(string)2, useinbandfec=(string)1, "
  "ssrc=(uint)3465371794, extmap-1=(string)urn:ietf:params:rtp-hdrext:ssrc-audio-level",
  "application/x-rtp, media=(string)video, payload=(int)96, clock-rate=(int)90000, "
  "encoding-name=(string)VP8, ssrc=(uint)2213442101, "
  "extmap-13=(string)urn:3gpp:video-orientation, "
  "extmap-4=(string)urn:ietf:params:rtp-hdrext:sdes:mid",
  "application/x-rtp, media=(string)video, payload=(int)97, clock-rate=(int)90000, "
  "encoding-name=(string)H264, packetization-mode=(string)1, "
  "profile-level-id=(string)42e01f, ssrc=(uint)99",
};

static const char fingerprint[] =
  "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

#define SESSION "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"

static GstSDPMessage *
parse_sdp (const char *text)
{
  GstSDPMessage *sdp = NULL;

  g_assert_cmpint (gst_sdp_message_new_from_text (text, &sdp), ==, GST_SDP_OK);
  return sdp;
}

/* Counts MEDIA's attributes KEY whose value is VALUE. */
static guint
count_attribute (const GstSDPMedia *media, const char *key, const char *value)
{
  guint n = 0;

  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);

    if (g_strcmp0 (attribute->key, key) == 0 && g_strcmp0 (attribute->value, value) == 0)
      n++;
  }
  return n;
}

static char *
write_offer (HzSubOfferTrack *tracks)
{
  static const char *const mids[] = { "audio0", "video1", "video2" };
  GstCaps *caps[G_N_ELEMENTS (track_caps_texts)];
  HzSubOfferTransport transport = {
    .ice_ufrag = "uFrg",
    .ice_pwd = "pAsSwOrDpAsSwOrDpAsSwO",
    .fingerprint = fingerprint,
    .cname = "huizhen-relay",
    .stream_id = "huizhen",
    .session_version = 42,
  };
  char *text;

  for (guint i = 0; i < G_N_ELEMENTS (track_caps_texts); i++) {
    g_autoptr (GstCaps) track = gst_caps_from_string (track_caps_texts[i]);

    caps[i] = hz_forward_caps (track);
    tracks[i].caps = caps[i];
    tracks[i].mid = mids[i];
    tracks[i].ssrc = 1000 + i;
    tracks[i].rtx_ssrc = 2000 + i;
  }
  hz_sub_offer_pick_rtx (tracks, G_N_ELEMENTS (track_caps_texts));
  text = hz_sub_offer_write (tracks, G_N_ELEMENTS (track_caps_texts), &transport);
  for (guint i = 0; i < G_N_ELEMENTS (track_caps_texts); i++) {
    tracks[i].caps = NULL;
    gst_caps_unref (caps[i]);
  }
  return text;
}

static void
test_offer (void)
{
  HzSubOfferTrack tracks[G_N_ELEMENTS (track_caps_texts)] = { 0 };
  g_autofree char *text = write_offer (tracks);
  g_autoptr (GstSDPMessage) sdp = parse_sdp (text);
  const GstSDPMedia *audio;
  const GstSDPMedia *vp8;
  const GstSDPMedia *h264;

  g_assert_cmpstr (gst_sdp_message_get_attribute_val (sdp, "group"), ==,
                   "BUNDLE audio0 video1 video2");
  g_assert_cmpuint (gst_sdp_message_medias_len (sdp), ==, 3);
  audio = gst_sdp_message_get_media (sdp, 0);
  vp8 = gst_sdp_message_get_media (sdp, 1);
  h264 = gst_sdp_message_get_media (sdp, 2);

  g_assert_cmpstr (audio->media, ==, "audio");
  g_assert_cmpstr (gst_sdp_media_get_proto (audio), ==, "UDP/TLS/RTP/SAVPF");
  g_assert_cmpuint (gst_sdp_media_formats_len (audio), ==, 1);
  g_assert_cmpstr (gst_sdp_media_get_format (audio, 0), ==, "111");
  g_assert_cmpuint (count_attribute (audio, "rtpmap", "111 OPUS/48000/2"), ==, 1);
  g_assert_cmpuint (count_attribute (audio, "extmap", "1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
                    ==, 1);
  /* Audio gets no RTX and no NACK. */
  g_assert_cmpint (tracks[0].rtx_pt, ==, -1);
  g_assert_null (gst_sdp_media_get_attribute_val (audio, "rtcp-fb"));
  g_assert_null (gst_sdp_media_get_attribute_val (audio, "ssrc-group"));

  for (guint i = 0; i < 3; i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
    g_autofree char *ssrc = g_strdup_printf ("%u cname:huizhen-relay", 1000 + i);

    g_assert_cmpstr (gst_sdp_media_get_attribute_val (media, "mid"), ==, tracks[i].mid);
    g_assert_nonnull (gst_sdp_media_get_attribute_val (media, "sendonly"));
    g_assert_nonnull (gst_sdp_media_get_attribute_val (media, "rtcp-mux"));
    g_assert_cmpstr (gst_sdp_media_get_attribute_val (media, "setup"), ==, "actpass");
    g_assert_cmpstr (gst_sdp_media_get_attribute_val (media, "ice-ufrag"), ==, "uFrg");
    g_assert_cmpstr (gst_sdp_media_get_attribute_val (media, "ice-pwd"), ==,
                     "pAsSwOrDpAsSwOrDpAsSwO");
    g_assert_true (g_str_has_prefix (gst_sdp_media_get_attribute_val (media, "fingerprint"),
                                     "sha-256 AB:CD:EF"));
    g_assert_cmpuint (count_attribute (media, "ssrc", ssrc), ==, 1);
  }

  /* Video: the codec, NACK, PLI and FIR, an RTX format that no track
   * uses, and only the forwardable extension. */
  g_assert_cmpuint (count_attribute (vp8, "rtpmap", "96 VP8/90000"), ==, 1);
  g_assert_cmpuint (count_attribute (vp8, "rtcp-fb", "96 nack"), ==, 1);
  g_assert_cmpuint (count_attribute (vp8, "rtcp-fb", "96 nack pli"), ==, 1);
  g_assert_cmpuint (count_attribute (vp8, "rtcp-fb", "96 ccm fir"), ==, 1);
  g_assert_cmpuint (count_attribute (vp8, "extmap", "13 urn:3gpp:video-orientation"), ==, 1);
  g_assert_cmpuint (count_attribute (vp8, "extmap", "4 urn:ietf:params:rtp-hdrext:sdes:mid"),
                    ==, 0);
  g_assert_cmpint (tracks[1].rtx_pt, >=, 98);
  g_assert_cmpint (tracks[2].rtx_pt, >=, 98);
  g_assert_cmpint (tracks[1].rtx_pt, !=, tracks[2].rtx_pt);
  {
    g_autofree char *rtpmap = g_strdup_printf ("%d rtx/90000", tracks[1].rtx_pt);
    g_autofree char *fmtp = g_strdup_printf ("%d apt=96", tracks[1].rtx_pt);
    g_autofree char *h264_fmtp = g_strdup_printf ("%d apt=97", tracks[2].rtx_pt);

    g_assert_cmpuint (count_attribute (vp8, "rtpmap", rtpmap), ==, 1);
    g_assert_cmpuint (count_attribute (vp8, "fmtp", fmtp), ==, 1);
    g_assert_cmpuint (count_attribute (h264, "fmtp", h264_fmtp), ==, 1);
  }
  g_assert_cmpuint (count_attribute (vp8, "ssrc-group", "FID 1001 2001"), ==, 1);
  g_assert_cmpuint (count_attribute (vp8, "ssrc", "2001 cname:huizhen-relay"), ==, 1);

  /* H.264 keeps the decoder's parameters, and the publisher's SSRC does
   * not become one. */
  {
    const char *fmtp = NULL;

    for (guint i = 0; i < gst_sdp_media_attributes_len (h264); i++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (h264, i);

      if (g_strcmp0 (attribute->key, "fmtp") == 0 && g_str_has_prefix (attribute->value, "97 "))
        fmtp = attribute->value;
    }
    g_assert_nonnull (fmtp);
    g_assert_nonnull (strstr (fmtp, "packetization-mode=1"));
    g_assert_nonnull (strstr (fmtp, "profile-level-id=42e01f"));
    g_assert_null (strstr (text, "ssrc=99"));
  }
}

#define ANSWER_MEDIA \
  "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:audio0\r\n" \
  "a=rtpmap:111 opus/48000/2\r\n"

static void
test_answer_active (void)
{
  g_autoptr (GstSDPMessage) sdp = parse_sdp (
    SESSION ANSWER_MEDIA
    "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
    "a=fingerprint:sha-256 11:22\r\na=setup:active\r\n"
    "a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n");
  g_auto (HzSubAnswer) answer = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (hz_sub_answer_read (sdp, &answer, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (answer.ice_ufrag, ==, "abcd");
  g_assert_cmpstr (answer.ice_pwd, ==, "0123456789012345678901");
  g_assert_cmpuint (answer.fingerprints->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (answer.fingerprints, 0), ==, "sha-256 11:22");
  g_assert_false (answer.dtls_client);
  g_assert_cmpuint (answer.candidates->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (answer.candidates, 0), ==,
                   "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host");
}

/* Passive makes the relay the DTLS client; the transport may sit at
 * session level, and a rejected first m-line is passed over. */
static void
test_answer_passive_session_level (void)
{
  g_autoptr (GstSDPMessage) sdp = parse_sdp (
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "a=fingerprint:sha-1 AA:BB\r\n"
    "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:wrong\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:efgh\r\na=ice-pwd:pwdpwdpwdpwdpwdpwdpwdp\r\na=setup:passive\r\n");
  g_auto (HzSubAnswer) answer = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (hz_sub_answer_read (sdp, &answer, &error));
  g_assert_cmpstr (answer.ice_ufrag, ==, "efgh");
  g_assert_cmpuint (answer.fingerprints->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (answer.fingerprints, 0), ==, "sha-1 AA:BB");
  g_assert_true (answer.dtls_client);
  g_assert_cmpuint (answer.candidates->len, ==, 0);
}

/* Every fingerprint of the answer's level is kept (RFC 8122, section 5). */
static void
test_answer_two_fingerprints (void)
{
  g_autoptr (GstSDPMessage) sdp = parse_sdp (
    SESSION ANSWER_MEDIA
    "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
    "a=fingerprint:sha-256 11:22\r\na=fingerprint:sha-256 33:44\r\na=setup:active\r\n");
  g_auto (HzSubAnswer) answer = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (hz_sub_answer_read (sdp, &answer, &error));
  g_assert_cmpuint (answer.fingerprints->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (answer.fingerprints, 0), ==, "sha-256 11:22");
  g_assert_cmpstr (g_ptr_array_index (answer.fingerprints, 1), ==, "sha-256 33:44");
}

static void
test_answer_invalid (void)
{
  static const struct {
    const char *sdp;
    const char *message;
  } cases[] = {
    { SESSION ANSWER_MEDIA "a=ice-pwd:0123456789012345678901\r\na=fingerprint:sha-256 11\r\n",
      "ICE credentials" },
    { SESSION ANSWER_MEDIA "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n",
      "fingerprint" },
    { SESSION ANSWER_MEDIA "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
      "a=fingerprint:sha-256 11\r\na=setup:actpass\r\n", "a=setup:actpass" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GstSDPMessage) sdp = parse_sdp (cases[i].sdp);
    g_auto (HzSubAnswer) answer = { 0 };
    g_autoptr (GError) error = NULL;

    g_assert_false (hz_sub_answer_read (sdp, &answer, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, cases[i].message));
    g_assert_null (answer.ice_ufrag);
  }
}

static void
test_answer_rtx_pt (void)
{
  g_autoptr (GstSDPMessage) sdp = parse_sdp (
    SESSION
    "m=video 9 UDP/TLS/RTP/SAVPF 100 101 102 103\r\nc=IN IP4 0.0.0.0\r\n"
    "a=rtpmap:100 VP8/90000\r\na=rtpmap:101 rtx/90000\r\na=fmtp:101 apt=102\r\n"
    "a=rtpmap:102 H264/90000\r\na=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=100\r\n");

  g_assert_cmpint (hz_forward_answer_rtx_pt (sdp, 0, 100), ==, 103);
  g_assert_cmpint (hz_forward_answer_rtx_pt (sdp, 0, 102), ==, 101);
  g_assert_cmpint (hz_forward_answer_rtx_pt (sdp, 0, 96), ==, -1);
  g_assert_cmpint (hz_forward_answer_rtx_pt (sdp, 1, 100), ==, -1);
  g_assert_cmpint (hz_forward_answer_rtx_pt (sdp, 0, -1), ==, -1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_test_add_func ("/sub-offer/offer", test_offer);
  g_test_add_func ("/sub-offer/answer-active", test_answer_active);
  g_test_add_func ("/sub-offer/answer-passive-session-level", test_answer_passive_session_level);
  g_test_add_func ("/sub-offer/answer-two-fingerprints", test_answer_two_fingerprints);
  g_test_add_func ("/sub-offer/answer-invalid", test_answer_invalid);
  g_test_add_func ("/sub-offer/answer-rtx-pt", test_answer_rtx_pt);
  return g_test_run ();
}
