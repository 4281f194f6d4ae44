/* Unit tests of what the relay offers for a forwarded track and how it
 * reads a receiver's answer (relay/forward-caps.h). */
#include "forward-caps.h"

#include <gio/gio.h>

/* webrtcbin's src pad caps for a Chromium-like H.264 publisher. */
static const char h264_track[] =
  "application/x-rtp, media=(string)video, payload=(int)96, clock-rate=(int)90000, "
  "encoding-name=(string)H264, packetization-mode=(string)1, "
  "profile-level-id=(string)42e01f, level-asymmetry-allowed=(string)1, "
  "rtcp-fb-nack=(boolean)true, rtcp-fb-transport-cc=(boolean)true, a-mid=(string)1, "
  "extmap-13=(string)urn:3gpp:video-orientation, "
  "extmap-3=(string)http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01, "
  "extmap-4=(string)urn:ietf:params:rtp-hdrext:sdes:mid, ssrc=(uint)2925788768";

#define SESSION "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"

static GstCaps *
parse_caps (const char *text)
{
  GstCaps *caps = gst_caps_from_string (text);

  g_assert_nonnull (caps);
  return caps;
}

static GstSDPMessage *
parse_sdp (const char *text)
{
  GstSDPMessage *sdp = NULL;

  g_assert_cmpint (gst_sdp_message_new_from_text (text, &sdp), ==, GST_SDP_OK);
  return sdp;
}

static void
test_offered_caps (void)
{
  g_autoptr (GstCaps) track = parse_caps (h264_track);
  g_autoptr (GstCaps) offered = hz_forward_caps (track);
  const GstStructure *s = gst_caps_get_structure (offered, 0);
  int payload = 0;
  guint ssrc = 0;

  g_assert_cmpstr (gst_structure_get_string (s, "media"), ==, "video");
  g_assert_cmpstr (gst_structure_get_string (s, "encoding-name"), ==, "H264");
  g_assert_true (gst_structure_get_int (s, "payload", &payload));
  g_assert_cmpint (payload, ==, 96);
  g_assert_true (gst_structure_get_uint (s, "ssrc", &ssrc));
  g_assert_cmpuint (ssrc, ==, 2925788768u);
  g_assert_cmpstr (gst_structure_get_string (s, "packetization-mode"), ==, "1");
  g_assert_cmpstr (gst_structure_get_string (s, "profile-level-id"), ==, "42e01f");
  g_assert_cmpstr (gst_structure_get_string (s, "extmap-13"), ==, "urn:3gpp:video-orientation");

  /* The publisher's per-hop extensions and feedback stay behind. */
  g_assert_false (gst_structure_has_field (s, "extmap-3"));
  g_assert_false (gst_structure_has_field (s, "extmap-4"));
  g_assert_false (gst_structure_has_field (s, "rtcp-fb-nack"));
  g_assert_false (gst_structure_has_field (s, "rtcp-fb-transport-cc"));
  g_assert_false (gst_structure_has_field (s, "a-mid"));
}

static void
test_offered_opus_channels (void)
{
  g_autoptr (GstCaps) track = parse_caps ("application/x-rtp, media=(string)audio, payload=(int)111, "
                                          "clock-rate=(int)48000, encoding-name=(string)OPUS");
  g_autoptr (GstCaps) offered = hz_forward_caps (track);

  g_assert_cmpstr (gst_structure_get_string (gst_caps_get_structure (offered, 0), "encoding-params"),
                   ==, "2");
}

static void
test_extension_forwardable (void)
{
  g_assert_true (hz_rtp_extension_is_forwardable ("urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
  g_assert_true (hz_rtp_extension_is_forwardable ("urn:3gpp:video-orientation"));
  g_assert_false (hz_rtp_extension_is_forwardable ("urn:ietf:params:rtp-hdrext:sdes:mid"));
  g_assert_false (hz_rtp_extension_is_forwardable (
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"));
  g_assert_false (hz_rtp_extension_is_forwardable (NULL));
}

/* Reads m-line MLINE of ANSWER for the H.264 track and returns whether it
 * was accepted. */
static gboolean
read_h264_answer (const char *answer_text, guint mline, HzRtpMap *map)
{
  g_autoptr (GstCaps) track = parse_caps (h264_track);
  g_autoptr (GstCaps) offered = hz_forward_caps (track);
  g_autoptr (GError) error = NULL;
  GstSDPMessage *answer = parse_sdp (answer_text);
  gboolean accepted = TRUE;

  g_assert_true (hz_forward_read_answer (answer, mline, offered, map, &accepted, &error));
  g_assert_no_error (error);
  gst_sdp_message_free (answer);
  return accepted;
}

static void
test_answer_renumbers (void)
{
  HzRtpMap map;

  /* The receiver names H.264 102 and video orientation 7. */
  g_assert_true (read_h264_answer (SESSION
                                   "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\n"
                                   "a=extmap:7/recvonly urn:3gpp:video-orientation\r\n"
                                   "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
                                   "a=rtpmap:102 H264/90000\r\n"
                                   "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
                                   "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n"
                                   "a=recvonly\r\n", 0, &map));
  g_assert_cmpint (map.source_pt, ==, 96);
  g_assert_cmpint (map.target_pt, ==, 102);
  g_assert_cmpuint (map.extension_ids[13], ==, 7);
  /* Negotiated by the receiver, but never offered by the relay. */
  g_assert_cmpuint (map.extension_ids[3], ==, 0);
  g_assert_cmpuint (map.extension_ids[4], ==, 0);
}

static void
test_answer_session_extmap (void)
{
  HzRtpMap map;

  g_assert_true (read_h264_answer (SESSION "a=extmap:2 urn:3gpp:video-orientation\r\n"
                                   "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                                   "a=rtpmap:96 H264/90000\r\n"
                                   "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n"
                                   "a=recvonly\r\n", 0, &map));
  g_assert_cmpint (map.target_pt, ==, 96);
  g_assert_cmpuint (map.extension_ids[13], ==, 2);
}

static void
test_answer_rejects (void)
{
  HzRtpMap map;

  /* Port 0: the receiver cannot take the m-line. */
  g_assert_false (read_h264_answer (SESSION "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
                                    "a=rtpmap:96 H264/90000\r\n"
                                    "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n",
                                    0, &map));
  /* Another codec only. */
  g_assert_false (read_h264_answer (SESSION "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                                    "a=rtpmap:96 VP8/90000\r\n", 0, &map));
  /* H.264 with another packetization mode, which changes the packets. */
  g_assert_false (read_h264_answer (SESSION "m=video 9 UDP/TLS/RTP/SAVPF 97\r\n"
                                    "a=rtpmap:97 H264/90000\r\n"
                                    "a=fmtp:97 profile-level-id=42e01f\r\n", 0, &map));
  /* A name that only starts like the offered one. */
  g_assert_false (read_h264_answer (SESSION "m=video 9 UDP/TLS/RTP/SAVPF 97\r\n"
                                    "a=rtpmap:97 H2645/90000\r\n"
                                    "a=fmtp:97 packetization-mode=1\r\n", 0, &map));
}

static void
assert_answer_invalid (const char *answer_text, guint mline)
{
  g_autoptr (GstCaps) track = parse_caps (h264_track);
  g_autoptr (GstCaps) offered = hz_forward_caps (track);
  g_autoptr (GError) error = NULL;
  GstSDPMessage *answer = parse_sdp (answer_text);
  gboolean accepted = TRUE;
  HzRtpMap map;

  g_assert_false (hz_forward_read_answer (answer, mline, offered, &map, &accepted, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_false (accepted);
  gst_sdp_message_free (answer);
}

static void
test_answer_invalid (void)
{
  assert_answer_invalid (SESSION "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n", 1);
  assert_answer_invalid (SESSION "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                         "a=rtpmap:111 opus/48000/2\r\n", 0);
}

static void
test_accept_extensions (void)
{
  GstSDPMessage *offer = parse_sdp (SESSION
                                    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                                    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
                                    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
                                    "a=rtpmap:111 opus/48000/2\r\n"
                                    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                                    "a=extmap:13 urn:3gpp:video-orientation\r\n"
                                    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                                    "a=rtpmap:96 VP8/90000\r\n"
                                    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                                    "a=extmap:13 urn:3gpp:video-orientation\r\n"
                                    "a=rtpmap:96 VP8/90000\r\n");
  GstSDPMessage *answer = parse_sdp (SESSION
                                     "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                                     "a=rtpmap:111 opus/48000/2\r\n"
                                     "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                                     "a=extmap:13 urn:3gpp:video-orientation\r\n"
                                     "a=rtpmap:96 VP8/90000\r\n"
                                     "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
                                     "a=rtpmap:96 VP8/90000\r\n");
  const GstSDPMedia *audio, *video, *rejected;

  hz_forward_accept_extensions (offer, answer);
  audio = gst_sdp_message_get_media (answer, 0);
  video = gst_sdp_message_get_media (answer, 1);
  rejected = gst_sdp_message_get_media (answer, 2);

  /* Audio level is taken with the publisher's id; transport-cc is not. */
  g_assert_cmpstr (gst_sdp_media_get_attribute_val_n (audio, "extmap", 0), ==,
                   "1 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
  g_assert_null (gst_sdp_media_get_attribute_val_n (audio, "extmap", 1));
  /* Video orientation was in the answer already; MID is per hop. */
  g_assert_cmpstr (gst_sdp_media_get_attribute_val_n (video, "extmap", 0), ==,
                   "13 urn:3gpp:video-orientation");
  g_assert_null (gst_sdp_media_get_attribute_val_n (video, "extmap", 1));
  /* A rejected m-line gets nothing. */
  g_assert_null (gst_sdp_media_get_attribute_val (rejected, "extmap"));
  gst_sdp_message_free (offer);
  gst_sdp_message_free (answer);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add_func ("/forward-caps/offered-caps", test_offered_caps);
  g_test_add_func ("/forward-caps/offered-opus-channels", test_offered_opus_channels);
  g_test_add_func ("/forward-caps/extension-forwardable", test_extension_forwardable);
  g_test_add_func ("/forward-caps/answer-renumbers", test_answer_renumbers);
  g_test_add_func ("/forward-caps/answer-session-extmap", test_answer_session_extmap);
  g_test_add_func ("/forward-caps/answer-rejects", test_answer_rejects);
  g_test_add_func ("/forward-caps/answer-invalid", test_answer_invalid);
  g_test_add_func ("/forward-caps/accept-extensions", test_accept_extensions);
  return g_test_run ();
}
