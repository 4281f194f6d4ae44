/* hz-test-peer: the publish connection.
 *
 *   videotestsrc is-live ! 640x480 30 fps ! videoconvert ! queue
 *     ! vp8enc deadline=1 keyframe-max-dist=150 ! rtpvp8pay ──┐
 *                                                             ├─ webrtcbin (sendonly)
 *   audiotestsrc is-live sine 440 Hz ! audioconvert            │
 *     ! audioresample ! queue ! opusenc ! rtpopuspay ─────────┘
 *
 * A keyframe every 150 frames (5 s) means that a subscriber joining late
 * sees video quickly only when the relay asks for a keyframe. A PLI from the
 * relay reaches vp8enc as an upstream force-key-unit event.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#define PUBLISH_PIPELINE \
  "webrtcbin name=webrtcbin " \
  "videotestsrc name=video-source is-live=true " \
  "  ! video/x-raw,width=640,height=480,framerate=30/1 ! videoconvert ! queue " \
  "  ! vp8enc deadline=1 keyframe-max-dist=150 " \
  "  ! rtpvp8pay name=video-payloader picture-id-mode=15-bit " \
  "  ! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! webrtcbin. " \
  "audiotestsrc is-live=true wave=sine freq=440 " \
  "  ! audioconvert ! audioresample ! queue ! opusenc " \
  "  ! rtpopuspay ! application/x-rtp,media=audio,encoding-name=OPUS,payload=97 ! webrtcbin. "

static gboolean
set_video_pattern (GstElement *source, const char *nick, GError **error)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (source), "pattern");
  GEnumClass *patterns = G_PARAM_SPEC_ENUM (pspec)->enum_class;
  GEnumValue *value = g_enum_get_value_by_nick (patterns, nick);

  if (value == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "unknown --video-pattern \"%s\"; see gst-inspect-1.0 videotestsrc",
                 nick);
    return FALSE;
  }
  g_object_set (source, "pattern", value->value, NULL);
  return TRUE;
}

/* Counts encoded frames sent after the connection reached "connected", so
 * the summary can say how much video the relay could have recorded. */
static GstPadProbeReturn
count_sent_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  HzConnection *conn = user_data;

  if (g_atomic_int_get (&conn->connected_flag))
    g_atomic_int_inc (&conn->sent_video_frames);
  return GST_PAD_PROBE_OK;
}

static void
make_sendonly (GstElement *webrtcbin)
{
  g_autoptr (GArray) transceivers = NULL;

  g_signal_emit_by_name (webrtcbin, "get-transceivers", &transceivers);
  for (guint i = 0; i < transceivers->len; i++) {
    GstWebRTCRTPTransceiver *transceiver =
        g_array_index (transceivers, GstWebRTCRTPTransceiver *, i);
    g_object_set (transceiver, "direction",
                  GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
  }
}

static gboolean
configure_sources (HzConnection *conn, const char *pattern, GError **error)
{
  g_autoptr (GstElement) video_source = NULL;
  g_autoptr (GstElement) payloader = NULL;
  g_autoptr (GstPad) payloader_sink = NULL;

  video_source = gst_bin_get_by_name (GST_BIN (conn->pipeline), "video-source");
  if (!set_video_pattern (video_source, pattern, error))
    return FALSE;

  payloader = gst_bin_get_by_name (GST_BIN (conn->pipeline), "video-payloader");
  payloader_sink = gst_element_get_static_pad (payloader, "sink");
  gst_pad_add_probe (payloader_sink, GST_PAD_PROBE_TYPE_BUFFER, count_sent_frame, conn, NULL);
  return TRUE;
}

HzConnection *
hz_publish_new (HzPeer *peer, GError **error)
{
  g_autoptr (HzConnection) conn = hz_connection_new (peer, HZ_CONNECTION_PUBLISH, "publish",
                                                     PUBLISH_PIPELINE, error);

  if (conn == NULL)
    return NULL;
  if (!configure_sources (conn, peer->options.video_pattern, error))
    return NULL;
  make_sendonly (conn->webrtcbin);
  if (!hz_connection_start (conn, error))
    return NULL;
  return g_steal_pointer (&conn);
}

/* Adds "publish": {connected_ms, seconds, video_frames_sent} to the summary.
 * `seconds` runs from "connected" to the stop, the time in which the relay
 * received our media; it is 0 when the connection never came up. */
void
hz_publish_print_summary (HzConnection *publish, JsonBuilder *builder)
{
  HzPeer *peer = publish->peer;
  gint64 end_us = peer->stopped_us != 0 ? peer->stopped_us : g_get_monotonic_time ();
  double seconds = 0;

  if (publish->connected_us != 0)
    seconds = (end_us - publish->connected_us) / (double) G_USEC_PER_SEC;

  json_builder_set_member_name (builder, "publish");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "connected_ms");
  json_builder_add_int_value (builder, publish->connected_us != 0
                              ? hz_peer_ms_since_joined (peer, publish->connected_us)
                              : -1);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, seconds);
  json_builder_set_member_name (builder, "video_frames_sent");
  json_builder_add_int_value (builder, g_atomic_int_get (&publish->sent_video_frames));
  json_builder_end_object (builder);
}
