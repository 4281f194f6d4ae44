/* Unit tests of hz_sdp_parse_text(). meson runs them with
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sdp-text/blank-rejected", test_blank_rejected);
  g_test_add_func ("/sdp-text/valid-parsed", test_valid_parsed);
  g_test_add_func ("/sdp-text/candidates-counted", test_candidates_counted);
  return g_test_run ();
}
