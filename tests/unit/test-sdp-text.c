/* Unit tests of hz_sdp_parse_text() and the candidate helpers. meson runs them with
 * G_DEBUG=fatal-criticals, so a critical warning of GStreamer's SDP parser
 * fails them. */
#include "sdp-text.h"

static const char valid_sdp[] =
  "v=0\r\n"
  "o=- 1 1 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "t=0 0\r\n"
  "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
  "a=rtpmap:111 opus/48000/2\r\n";

static void
test_blank_rejected (void)
{
  const char *texts[] = { "", " ", "\r\n", " \t\r\n \n" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
    GstSDPMessage *sdp = (GstSDPMessage *) 0x1;

    g_test_message ("text %u: \"%s\"", i, texts[i]);
    g_assert_false (hz_sdp_parse_text (texts[i], &sdp));
    g_assert_null (sdp);
  }
}

static void
test_valid_parsed (void)
{
  GstSDPMessage *sdp = NULL;

  g_assert_true (hz_sdp_parse_text (valid_sdp, &sdp));
  g_assert_nonnull (sdp);
  g_assert_cmpuint (gst_sdp_message_medias_len (sdp), ==, 1);
  gst_sdp_message_free (sdp);
}

/* Candidates count in every m-line and at session level; other attributes
 * that contain the word do not. */
static void
test_candidates_counted (void)
{
  static const char text[] =
    "v=0\r\n"
    "o=- 1 1 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=candidate:1 1 UDP 2015363327 127.0.0.1 40001 typ host\r\n"
    "a=candidate:2 1 TCP 1518280447 127.0.0.1 9 typ host tcptype active\r\n"
    "a=end-of-candidates\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=candidate:1 1 UDP 2015363327 127.0.0.1 40002 typ host\r\n";
  GstSDPMessage *sdp = NULL;

  g_assert_true (hz_sdp_parse_text (valid_sdp, &sdp));
  g_assert_cmpuint (hz_sdp_count_candidates (sdp), ==, 0);
  gst_sdp_message_free (sdp);

  g_assert_true (hz_sdp_parse_text (text, &sdp));
  g_assert_cmpuint (hz_sdp_count_candidates (sdp), ==, 4);
  gst_sdp_message_free (sdp);
}

/* Candidates that the relay rejects when trickled (mDNS names, invalid
 * lines, multicast and broadcast addresses) are removed at session level
 * and in each m-line, and the others stay. */
static void
test_unusable_candidates_removed (void)
{
  static const char text[] =
    "v=0\r\n"
    "o=- 1 1 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=candidate:1 1 UDP 2015363327 239.255.255.250 1900 typ host\r\n"
    "a=candidate:2 1 UDP 2015363327 127.0.0.1 40000 typ host\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=candidate:1 1 UDP 2122260223 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54321 typ host\r\n"
    "a=candidate:2 1 UDP 2015363327 127.0.0.1 40001 typ host\r\n"
    "a=candidate:3 1 UDP 2015363327 224.0.0.251 5353 typ host\r\n"
    "a=candidate:garbage\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=candidate:4 1 UDP 2015363327 255.255.255.255 9 typ host\r\n"
    "a=candidate:5 1 UDP 2015363327 ::1 40002 typ host\r\n";
  GstSDPMessage *sdp = NULL;
  const GstSDPMedia *audio;
  const GstSDPMedia *video;

  g_assert_true (hz_sdp_parse_text (text, &sdp));
  g_assert_cmpuint (hz_sdp_remove_unusable_candidates (sdp), ==, 5);
  g_assert_cmpuint (hz_sdp_count_candidates (sdp), ==, 3);

  g_assert_cmpuint (gst_sdp_message_attributes_len (sdp), ==, 1);
  g_assert_cmpstr (gst_sdp_message_get_attribute_val (sdp, "candidate"), ==,
                   "2 1 UDP 2015363327 127.0.0.1 40000 typ host");

  audio = gst_sdp_message_get_media (sdp, 0);
  g_assert_cmpstr (gst_sdp_media_get_attribute_val (audio, "candidate"), ==,
                   "2 1 UDP 2015363327 127.0.0.1 40001 typ host");
  g_assert_null (gst_sdp_media_get_attribute_val_n (audio, "candidate", 1));
  g_assert_cmpstr (gst_sdp_media_get_attribute_val (audio, "rtpmap"), ==, "111 opus/48000/2");

  video = gst_sdp_message_get_media (sdp, 1);
  g_assert_cmpstr (gst_sdp_media_get_attribute_val (video, "candidate"), ==,
                   "5 1 UDP 2015363327 ::1 40002 typ host");
  g_assert_null (gst_sdp_media_get_attribute_val_n (video, "candidate", 1));
  gst_sdp_message_free (sdp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sdp-text/blank-rejected", test_blank_rejected);
  g_test_add_func ("/sdp-text/valid-parsed", test_valid_parsed);
  g_test_add_func ("/sdp-text/candidates-counted", test_candidates_counted);
  g_test_add_func ("/sdp-text/unusable-candidates-removed", test_unusable_candidates_removed);
  return g_test_run ();
}
