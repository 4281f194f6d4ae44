/* Unit tests of the relay's publisher offer filter (relay/offer-filter.h):
 * a real Chromium offer and hand-made edge cases. */
#include "offer-filter.h"

#include <gio/gio.h>
#include <string.h>

/* The publish offer of headless Chromium 156 (audio and video, sendonly,
 * with RTX, RED, VP9, H264 and AV1), as sent to the relay. */
static const char chromium_offer[] =
  "v=0\r\n"
  "o=- 1248805127476411605 2 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "t=0 0\r\n"
  "a=group:BUNDLE 0 1\r\n"
  "a=extmap-allow-mixed\r\n"
  "a=msid-semantic: WMS 9cc3e72a-5599-43d9-95ff-4c5680748c25\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=rtcp:9 IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:zzCo\r\n"
  "a=ice-pwd:B7BMBSSi0REhwzv8wqhozjEt\r\n"
  "a=ice-options:trickle\r\n"
  "a=fingerprint:sha-256 9C:74:D8:6A:82:A7:1E:A7:83:07:B3:6D:D2:3E:2C:03:A2:C8:81:AD:E6:83:3C:C6:BC:38:E9:CF:DF:B9:50:76\r\n"
  "a=setup:actpass\r\n"
  "a=mid:0\r\n"
  "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
  "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
  "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
  "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
  "a=sendonly\r\n"
  "a=msid:9cc3e72a-5599-43d9-95ff-4c5680748c25 0595df9e-6a74-41e2-bbce-8f8c02d3750c\r\n"
  "a=rtcp-mux\r\n"
  "a=rtcp-rsize\r\n"
  "a=rtcp-xr:rcvr-rtt=all\r\n"
  "a=rtpmap:111 opus/48000/2\r\n"
  "a=rtcp-fb:111 transport-cc\r\n"
  "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
  "a=rtpmap:63 red/48000/2\r\n"
  "a=fmtp:63 111/111\r\n"
  "a=rtpmap:9 G722/8000\r\n"
  "a=rtpmap:0 PCMU/8000\r\n"
  "a=rtpmap:8 PCMA/8000\r\n"
  "a=rtpmap:13 CN/8000\r\n"
  "a=rtpmap:110 telephone-event/48000\r\n"
  "a=rtpmap:126 telephone-event/8000\r\n"
  "a=ssrc:3465371794 cname:PUZsLz+qPIJLP+h9\r\n"
  "a=ssrc:3465371794 msid:9cc3e72a-5599-43d9-95ff-4c5680748c25 0595df9e-6a74-41e2-bbce-8f8c02d3750c\r\n"
  "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 103 104 107 108 109 114 115 116 117 39 40 45 46 118 119 120\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "a=rtcp:9 IN IP4 0.0.0.0\r\n"
  "a=ice-ufrag:zzCo\r\n"
  "a=ice-pwd:B7BMBSSi0REhwzv8wqhozjEt\r\n"
  "a=ice-options:trickle\r\n"
  "a=fingerprint:sha-256 9C:74:D8:6A:82:A7:1E:A7:83:07:B3:6D:D2:3E:2C:03:A2:C8:81:AD:E6:83:3C:C6:BC:38:E9:CF:DF:B9:50:76\r\n"
  "a=setup:actpass\r\n"
  "a=mid:1\r\n"
  "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset\r\n"
  "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
  "a=extmap:13 urn:3gpp:video-orientation\r\n"
  "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
  "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
  "a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type\r\n"
  "a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing\r\n"
  "a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space\r\n"
  "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
  "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
  "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
  "a=sendonly\r\n"
  "a=msid:9cc3e72a-5599-43d9-95ff-4c5680748c25 fcff2384-21f8-40bd-9ed7-593a461e9614\r\n"
  "a=rtcp-mux\r\n"
  "a=rtcp-rsize\r\n"
  "a=rtcp-xr:rcvr-rtt=all\r\n"
  "a=rtpmap:96 VP8/90000\r\n"
  "a=rtcp-fb:96 goog-remb\r\n"
  "a=rtcp-fb:96 transport-cc\r\n"
  "a=rtcp-fb:96 ccm fir\r\n"
  "a=rtcp-fb:96 nack\r\n"
  "a=rtcp-fb:96 nack pli\r\n"
  "a=rtpmap:97 rtx/90000\r\n"
  "a=fmtp:97 apt=96\r\n"
  "a=rtpmap:98 VP9/90000\r\n"
  "a=rtcp-fb:98 goog-remb\r\n"
  "a=rtcp-fb:98 transport-cc\r\n"
  "a=rtcp-fb:98 ccm fir\r\n"
  "a=rtcp-fb:98 nack\r\n"
  "a=rtcp-fb:98 nack pli\r\n"
  "a=fmtp:98 profile-id=0\r\n"
  "a=rtpmap:99 rtx/90000\r\n"
  "a=fmtp:99 apt=98\r\n"
  "a=rtpmap:100 VP9/90000\r\n"
  "a=rtcp-fb:100 goog-remb\r\n"
  "a=rtcp-fb:100 transport-cc\r\n"
  "a=rtcp-fb:100 ccm fir\r\n"
  "a=rtcp-fb:100 nack\r\n"
  "a=rtcp-fb:100 nack pli\r\n"
  "a=fmtp:100 profile-id=2\r\n"
  "a=rtpmap:101 rtx/90000\r\n"
  "a=fmtp:101 apt=100\r\n"
  "a=rtpmap:102 H264/90000\r\n"
  "a=rtcp-fb:102 goog-remb\r\n"
  "a=rtcp-fb:102 transport-cc\r\n"
  "a=rtcp-fb:102 ccm fir\r\n"
  "a=rtcp-fb:102 nack\r\n"
  "a=rtcp-fb:102 nack pli\r\n"
  "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
  "a=rtpmap:103 rtx/90000\r\n"
  "a=fmtp:103 apt=102\r\n"
  "a=rtpmap:104 H264/90000\r\n"
  "a=rtcp-fb:104 goog-remb\r\n"
  "a=rtcp-fb:104 transport-cc\r\n"
  "a=rtcp-fb:104 ccm fir\r\n"
  "a=rtcp-fb:104 nack\r\n"
  "a=rtcp-fb:104 nack pli\r\n"
  "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f\r\n"
  "a=rtpmap:107 rtx/90000\r\n"
  "a=fmtp:107 apt=104\r\n"
  "a=rtpmap:108 H264/90000\r\n"
  "a=rtcp-fb:108 goog-remb\r\n"
  "a=rtcp-fb:108 transport-cc\r\n"
  "a=rtcp-fb:108 ccm fir\r\n"
  "a=rtcp-fb:108 nack\r\n"
  "a=rtcp-fb:108 nack pli\r\n"
  "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
  "a=rtpmap:109 rtx/90000\r\n"
  "a=fmtp:109 apt=108\r\n"
  "a=rtpmap:114 H264/90000\r\n"
  "a=rtcp-fb:114 goog-remb\r\n"
  "a=rtcp-fb:114 transport-cc\r\n"
  "a=rtcp-fb:114 ccm fir\r\n"
  "a=rtcp-fb:114 nack\r\n"
  "a=rtcp-fb:114 nack pli\r\n"
  "a=fmtp:114 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
  "a=rtpmap:115 rtx/90000\r\n"
  "a=fmtp:115 apt=114\r\n"
  "a=rtpmap:116 H264/90000\r\n"
  "a=rtcp-fb:116 goog-remb\r\n"
  "a=rtcp-fb:116 transport-cc\r\n"
  "a=rtcp-fb:116 ccm fir\r\n"
  "a=rtcp-fb:116 nack\r\n"
  "a=rtcp-fb:116 nack pli\r\n"
  "a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f\r\n"
  "a=rtpmap:117 rtx/90000\r\n"
  "a=fmtp:117 apt=116\r\n"
  "a=rtpmap:39 H264/90000\r\n"
  "a=rtcp-fb:39 goog-remb\r\n"
  "a=rtcp-fb:39 transport-cc\r\n"
  "a=rtcp-fb:39 ccm fir\r\n"
  "a=rtcp-fb:39 nack\r\n"
  "a=rtcp-fb:39 nack pli\r\n"
  "a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f\r\n"
  "a=rtpmap:40 rtx/90000\r\n"
  "a=fmtp:40 apt=39\r\n"
  "a=rtpmap:45 AV1/90000\r\n"
  "a=rtcp-fb:45 goog-remb\r\n"
  "a=rtcp-fb:45 transport-cc\r\n"
  "a=rtcp-fb:45 ccm fir\r\n"
  "a=rtcp-fb:45 nack\r\n"
  "a=rtcp-fb:45 nack pli\r\n"
  "a=fmtp:45 level-idx=5;profile=0;tier=0\r\n"
  "a=rtpmap:46 rtx/90000\r\n"
  "a=fmtp:46 apt=45\r\n"
  "a=rtpmap:118 red/90000\r\n"
  "a=rtpmap:119 rtx/90000\r\n"
  "a=fmtp:119 apt=118\r\n"
  "a=rtpmap:120 ulpfec/90000\r\n"
  "a=ssrc-group:FID 2925788768 472153549\r\n"
  "a=ssrc:2925788768 cname:PUZsLz+qPIJLP+h9\r\n"
  "a=ssrc:2925788768 msid:9cc3e72a-5599-43d9-95ff-4c5680748c25 fcff2384-21f8-40bd-9ed7-593a461e9614\r\n"
  "a=ssrc:472153549 cname:PUZsLz+qPIJLP+h9\r\n"
  "a=ssrc:472153549 msid:9cc3e72a-5599-43d9-95ff-4c5680748c25 fcff2384-21f8-40bd-9ed7-593a461e9614\r\n";

static GstSDPMessage *
parse_sdp (const char *text)
{
  GstSDPMessage *sdp = NULL;

  g_assert_cmpint (gst_sdp_message_new_from_text (text, &sdp), ==, GST_SDP_OK);
  return sdp;
}

static gboolean
media_has_attribute (const GstSDPMedia *media, const char *key, const char *value_prefix)
{
  for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
    const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);

    if (g_strcmp0 (attribute->key, key) == 0
        && (value_prefix == NULL || g_str_has_prefix (attribute->value, value_prefix)))
      return TRUE;
  }
  return FALSE;
}

static void
test_chromium_offer (void)
{
  g_autoptr (GError) error = NULL;
  GstSDPMessage *sdp = parse_sdp (chromium_offer);
  const GstSDPMedia *audio, *video;
  guint n_tracks = 0;

  g_assert_true (hz_offer_filter (sdp, &n_tracks, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_tracks, ==, 2);
  g_assert_cmpuint (gst_sdp_message_medias_len (sdp), ==, 2);

  audio = gst_sdp_message_get_media (sdp, 0);
  g_assert_cmpuint (gst_sdp_media_formats_len (audio), ==, 1);
  g_assert_cmpstr (gst_sdp_media_get_format (audio, 0), ==, "111");
  g_assert_true (media_has_attribute (audio, "rtpmap", "111 opus/48000/2"));
  g_assert_true (media_has_attribute (audio, "fmtp", "111 "));
  g_assert_false (media_has_attribute (audio, "rtpmap", "63 "));
  g_assert_false (media_has_attribute (audio, "fmtp", "63 "));
  g_assert_true (media_has_attribute (audio, "extmap", NULL));
  g_assert_true (media_has_attribute (audio, "ssrc", "3465371794 "));

  video = gst_sdp_message_get_media (sdp, 1);
  g_assert_cmpstr (gst_sdp_media_get_format (video, 0), ==, "96");
  g_assert_true (media_has_attribute (video, "rtpmap", "96 VP8/90000"));
  g_assert_true (media_has_attribute (video, "rtcp-fb", "96 nack pli"));
  g_assert_true (media_has_attribute (video, "rtcp-fb", "96 nack"));
  /* VP8's RTX format stays, so that NACK works on the publisher's link. */
  g_assert_cmpuint (gst_sdp_media_formats_len (video), ==, 2);
  g_assert_cmpstr (gst_sdp_media_get_format (video, 1), ==, "97");
  g_assert_true (media_has_attribute (video, "rtpmap", "97 rtx/90000"));
  g_assert_true (media_has_attribute (video, "fmtp", "97 apt=96"));
  g_assert_false (media_has_attribute (video, "rtpmap", "99 "));
  g_assert_false (media_has_attribute (video, "rtcp-fb", "98 "));
  g_assert_false (media_has_attribute (video, "rtpmap", "102 "));
  g_assert_false (media_has_attribute (video, "rtpmap", "118 "));
  g_assert_true (media_has_attribute (video, "ssrc-group", "FID 2925788768 472153549"));
  g_assert_true (media_has_attribute (video, "ssrc", "2925788768 "));
  g_assert_true (media_has_attribute (video, "ssrc", "472153549 "));

  g_assert_cmpstr (hz_offer_track_name (sdp, 0), ==, "audio");
  g_assert_cmpstr (hz_offer_track_name (sdp, 1), ==, "video");
  g_assert_null (hz_offer_track_name (sdp, 2));

  gst_sdp_message_free (sdp);
}

#define SESSION "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
#define VP8_VIDEO(port, direction) \
  "m=video " port " UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=" direction "\r\n"
#define OPUS_AUDIO(port, direction) \
  "m=audio " port " UDP/TLS/RTP/SAVPF 97\r\na=rtpmap:97 OPUS/48000/2\r\na=" direction "\r\n"

static void
test_bundle_only_counts (void)
{
  g_autoptr (GError) error = NULL;
  GstSDPMessage *sdp = parse_sdp (SESSION VP8_VIDEO ("9", "sendonly")
                                  OPUS_AUDIO ("0", "sendonly") "a=bundle-only\r\n");
  guint n_tracks = 0;

  /* Port 0 with a=bundle-only is webrtcbin's max-bundle offer, not a
   * rejected m-line. */
  g_assert_true (hz_offer_filter (sdp, &n_tracks, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_tracks, ==, 2);
  gst_sdp_message_free (sdp);
}

static void
test_receive_only_not_counted (void)
{
  g_autoptr (GError) error = NULL;
  GstSDPMessage *sdp = parse_sdp (SESSION VP8_VIDEO ("9", "sendrecv")
                                  OPUS_AUDIO ("9", "recvonly"));
  guint n_tracks = 0;

  g_assert_true (hz_offer_filter (sdp, &n_tracks, &error));
  g_assert_cmpuint (n_tracks, ==, 1);
  gst_sdp_message_free (sdp);
}

/* Asserts that TEXT is rejected with G_IO_ERROR_INVALID_DATA and a message
 * containing REASON. */
static void
assert_offer_rejected (const char *text, const char *reason)
{
  g_autoptr (GError) error = NULL;
  GstSDPMessage *sdp = parse_sdp (text);
  guint n_tracks = 0;

  g_assert_false (hz_offer_filter (sdp, &n_tracks, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  if (strstr (error->message, reason) == NULL)
    g_test_message ("message: %s", error->message);
  g_assert_nonnull (strstr (error->message, reason));
  gst_sdp_message_free (sdp);
}

/* A Safari-like video m-line: H.264 first, baseline before constrained
 * baseline, RTX for each. */
#define H264_VIDEO \
  "m=video 9 UDP/TLS/RTP/SAVPF 102 103 108 109 96 97\r\n" \
  "a=rtpmap:102 H264/90000\r\n" \
  "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n" \
  "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n" \
  "a=rtpmap:108 H264/90000\r\n" \
  "a=rtcp-fb:108 nack\r\n" \
  "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" \
  "a=rtpmap:109 rtx/90000\r\na=fmtp:109 apt=108\r\n" \
  "a=rtpmap:96 VP8/90000\r\n" \
  "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n" \
  "a=ssrc-group:FID 11 12\r\na=ssrc:11 cname:x\r\na=ssrc:12 cname:x\r\n" \
  "a=sendonly\r\n"

static void
test_h264_first_choice (void)
{
  g_autoptr (GError) error = NULL;
  GstSDPMessage *sdp = parse_sdp (SESSION H264_VIDEO);
  const GstSDPMedia *video;
  guint n_tracks = 0;

  g_assert_true (hz_offer_filter (sdp, &n_tracks, &error));
  g_assert_no_error (error);
  video = gst_sdp_message_get_media (sdp, 0);

  /* 102 is plain baseline, which the relay does not forward. */
  g_assert_cmpuint (gst_sdp_media_formats_len (video), ==, 2);
  g_assert_cmpstr (gst_sdp_media_get_format (video, 0), ==, "108");
  g_assert_cmpstr (gst_sdp_media_get_format (video, 1), ==, "109");
  g_assert_true (media_has_attribute (video, "fmtp", "108 level-asymmetry-allowed=1"));
  g_assert_true (media_has_attribute (video, "fmtp", "109 apt=108"));
  g_assert_false (media_has_attribute (video, "rtpmap", "96 "));
  g_assert_false (media_has_attribute (video, "fmtp", "103 "));
  g_assert_true (media_has_attribute (video, "ssrc-group", "FID 11 12"));
  gst_sdp_message_free (sdp);
}

static void
test_two_video_tracks (void)
{
  g_autoptr (GError) error = NULL;
  GstSDPMessage *sdp = parse_sdp (SESSION VP8_VIDEO ("9", "sendonly") OPUS_AUDIO ("9", "sendonly")
                                  VP8_VIDEO ("9", "sendonly"));
  guint n_tracks = 0;

  g_assert_true (hz_offer_filter (sdp, &n_tracks, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_tracks, ==, 3);
  g_assert_cmpstr (hz_offer_track_name (sdp, 0), ==, "video");
  g_assert_cmpstr (hz_offer_track_name (sdp, 1), ==, "audio");
  g_assert_cmpstr (hz_offer_track_name (sdp, 2), ==, "video2");
  g_assert_null (hz_offer_track_name (sdp, 3));
  gst_sdp_message_free (sdp);
}

static void
test_constrained_baseline (void)
{
  const struct {
    const char *profile_level_id;
    gboolean constrained_baseline;
  } cases[] = {
    { "42e01f", TRUE },   /* constraint_set0 and set1 */
    { "42c01f", TRUE },
    { "424015", TRUE },   /* set1 only */
    { "42001f", FALSE },  /* baseline */
    { "42e81f", FALSE },  /* a reserved bit set */
    { "4d801f", TRUE },   /* main with set0 */
    { "4d001f", FALSE },  /* main */
    { "58c01f", TRUE },   /* extended with set0 and set1 */
    { "640c1f", FALSE },  /* constrained high */
    { "42E01F", TRUE },
    { "42e01", FALSE },
    { "42e01fff", FALSE },
    { "zze01f", FALSE },
    { "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("profile-level-id %s", cases[i].profile_level_id);
    g_assert_cmpint (hz_h264_is_constrained_baseline (cases[i].profile_level_id), ==,
                     cases[i].constrained_baseline);
  }
  g_assert_false (hz_h264_is_constrained_baseline (NULL));
}

static void
test_rejected_offers (void)
{
  assert_offer_rejected (SESSION "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
                         "a=rtpmap:102 H264/90000\r\n"
                         "a=fmtp:102 packetization-mode=1;profile-level-id=640c1f\r\n"
                         "a=sendonly\r\n", "neither VP8 nor H.264 constrained baseline");
  assert_offer_rejected (SESSION "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
                         "a=rtpmap:102 H264/90000\r\na=sendonly\r\n",
                         "neither VP8 nor H.264 constrained baseline");
  assert_offer_rejected (SESSION "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
                         "a=rtpmap:102 H264/90000\r\n"
                         "a=fmtp:102 packetization-mode=2;profile-level-id=42e01f\r\n"
                         "a=sendonly\r\n", "neither VP8 nor H.264 constrained baseline");
  assert_offer_rejected (SESSION "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"
                         "a=rtpmap:0 PCMU/8000\r\na=sendonly\r\n", "Opus is not offered");
  assert_offer_rejected (SESSION VP8_VIDEO ("9", "sendonly") VP8_VIDEO ("9", "sendonly")
                         VP8_VIDEO ("9", "sendonly"),
                         "at most one audio and two video m-lines");
  assert_offer_rejected (SESSION OPUS_AUDIO ("9", "sendonly") OPUS_AUDIO ("9", "sendonly"),
                         "at most one audio and two video m-lines");
  assert_offer_rejected (SESSION VP8_VIDEO ("9", "sendonly")
                         "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n",
                         "only audio and video are supported");
  assert_offer_rejected (SESSION VP8_VIDEO ("9", "recvonly"), "sends no audio or video");
  assert_offer_rejected (SESSION VP8_VIDEO ("0", "sendonly"), "sends no audio or video");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/offer-filter/chromium-offer", test_chromium_offer);
  g_test_add_func ("/offer-filter/bundle-only-counts", test_bundle_only_counts);
  g_test_add_func ("/offer-filter/receive-only-not-counted", test_receive_only_not_counted);
  g_test_add_func ("/offer-filter/h264-first-choice", test_h264_first_choice);
  g_test_add_func ("/offer-filter/two-video-tracks", test_two_video_tracks);
  g_test_add_func ("/offer-filter/constrained-baseline", test_constrained_baseline);
  g_test_add_func ("/offer-filter/rejected-offers", test_rejected_offers);
  return g_test_run ();
}
