/* Fuzz target: a receiver's SDP answer as the relay accepts it. The relay
 * parses the answer with hz_sdp_parse_text() and reads each
 * m-line against the track it offered there with hz_forward_read_answer()
 * (relay/subscriber.c), which yields the receiver's payload type and
 * header extension ids, and hz_forward_answer_rtx_pt(). It drops the
 * candidates it will not use with hz_sdp_remove_unusable_candidates(),
 * then reads the transport with hz_sub_answer_read() (relay/sub-link.c). */
#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <stdint.h>

#include "forward-caps.h"
#include "sdp-text.h"
#include "sub-offer.h"

/* Every m-line of the input is read against each of these. */
#define MAX_MLINES 4

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* What webrtcbin's src pads carry for Chromium's Opus, VP8 and H.264
 * publish tracks; the relay offers hz_forward_caps() of them. */
static const char *const track_caps_texts[] = {
  "application/x-rtp, media=(string)audio, payload=(int)111, clock-rate=(int)48000, "
  "encoding-name=(string)OPUS, encoding-params=(string)2, minptime=(string)10, "
  "useinbandfec=(string)1, ssrc=(uint)3465371794, "
  "extmap-1=(string)urn:ietf:params:rtp-hdrext:ssrc-audio-level, "
  "extmap-3=(string)http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
  "application/x-rtp, media=(string)video, payload=(int)96, clock-rate=(int)90000, "
  "encoding-name=(string)VP8, ssrc=(uint)2213442101, "
  "extmap-13=(string)urn:3gpp:video-orientation, extmap-14=(string)urn:ietf:params:rtp-hdrext:toffset, "
  "extmap-4=(string)urn:ietf:params:rtp-hdrext:sdes:mid",
  "application/x-rtp, media=(string)video, payload=(int)102, clock-rate=(int)90000, "
  "encoding-name=(string)H264, packetization-mode=(string)1, "
  "profile-level-id=(string)42e01f, level-asymmetry-allowed=(string)1, ssrc=(uint)99, "
  "extmap-12=(string)http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
};

/* The offered caps, made once: GStreamer's type system needs gst_init(). */
static GstCaps **
offered_caps (void)
{
  static GstCaps *caps[G_N_ELEMENTS (track_caps_texts) + 1];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    gst_init (NULL, NULL);
    for (guint i = 0; i < G_N_ELEMENTS (track_caps_texts); i++) {
      g_autoptr (GstCaps) track = gst_caps_from_string (track_caps_texts[i]);

      g_assert_nonnull (track);
      caps[i] = hz_forward_caps (track);
    }
    g_once_init_leave (&initialized, 1);
  }
  return caps;
}

static void
read_mline (const GstSDPMessage *answer, guint mline, const GstCaps *offered)
{
  g_autoptr (GError) error = NULL;
  gboolean accepted = FALSE;
  HzRtpMap map;
  int rtx_pt;

  if (!hz_forward_read_answer (answer, mline, offered, &map, &accepted, &error)) {
    g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
    return;
  }
  if (!accepted)
    return;
  rtx_pt = hz_forward_answer_rtx_pt (answer, mline, map.target_pt);
  g_assert_cmpint (rtx_pt, >=, -1);
  g_assert_cmpint (rtx_pt, <=, 127);
  /* The map goes into every packet's header: 7 bits of payload type. */
  g_assert_cmpint (map.target_pt, >=, -1);
  g_assert_cmpint (map.target_pt, <=, 127);
  g_assert_cmpint (map.source_pt, >=, -1);
  g_assert_cmpint (map.source_pt, <=, 127);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* The answer arrives as a JSON string: a C string to the relay. */
  g_autofree char *text = g_strndup ((const char *) data, size);
  GstCaps **caps = offered_caps ();
  GstSDPMessage *answer = NULL;

  if (!hz_sdp_parse_text (text, &answer))
    return 0;
  for (guint mline = 0; mline < MAX_MLINES; mline++)
    for (guint i = 0; caps[i] != NULL; i++)
      read_mline (answer, mline, caps[i]);

  /* The relay drops the answer's candidates that it will not use, once for
   * all. */
  hz_sdp_remove_unusable_candidates (answer);
  g_assert_cmpuint (hz_sdp_remove_unusable_candidates (answer), ==, 0);
  {
    g_auto (HzSubAnswer) transport = { 0 };
    g_autoptr (GError) error = NULL;

    if (hz_sub_answer_read (answer, &transport, &error)) {
      g_assert_nonnull (transport.ice_ufrag);
      g_assert_cmpuint (transport.fingerprints->len, >=, 1);
      g_assert_nonnull (transport.candidates);
    } else {
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
      g_assert_null (transport.ice_ufrag);
    }
  }
  gst_sdp_message_free (answer);
  return 0;
}
