/* hz-test-peer: the publish connection.
 *
 *   videotestsrc is-live ! I420 640x480 30 fps ! videoconvert ! valve ! leaky queue
 *     ! vp8enc deadline=1 keyframe-max-dist=150 ! rtpvp8pay ──┐
 *                                                             ├─ webrtcbin (sendonly)
 *   audiotestsrc is-live sine 440 Hz ! S16 mono 48 kHz ! audioconvert │
 *     ! audioresample ! valve ! leaky queue ! opusenc ! rtpopuspay ───┘
 *
 * --h264 encodes the video with x264 (constrained baseline) instead,
 * --second-video adds a second video branch (SMPTE bars, as a screen
 * share), and a viewer granted the floor for audio only sends no video.
 * --marker-interval and --mute-at act on the sources and the valves
 * (peer-marker.c).
 *
 * webrtcbin holds back the data until the connection is up. The leaky
 * queues drop what the sources produce meanwhile, as a browser does, so
 * the relay gets live media instead of a burst of old frames.
 *
 * A keyframe every 150 frames (5 s) means that a subscriber joining late
 * sees video quickly only when the relay asks for a keyframe. A PLI from the
 * relay reaches vp8enc as an upstream force-key-unit event.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#include <gst/rtp/rtp.h>

/* One video branch: NAME-source ... NAME-payloader into webrtcbin. The
 * valve NAME-valve drops frames while --mute-at mutes the publish; it
 * forwards the caps even then, which webrtcbin needs for its offer. */
static void
append_video (GString *description, const char *name, gboolean h264, int bitrate_kbps,
              const char *queue_limit)
{
  /* I420 lets --marker-interval paint a flash into the frames. */
  g_string_append_printf (description,
      "videotestsrc name=%s-source is-live=true "
      "  ! video/x-raw,format=I420,width=%d,height=%d,framerate=30/1 ! videoconvert "
      "  ! valve name=%s-valve drop-mode=forward-sticky-events "
      "  ! queue leaky=downstream max-size-bytes=0 %s ", name,
      HZ_PEER_VIDEO_WIDTH, HZ_PEER_VIDEO_HEIGHT, name, queue_limit);
  if (h264)
    /* x264's constrained baseline at level 3.1: profile-level-id 42c01f. */
    g_string_append_printf (description,
        "  ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=150 bitrate=%d "
        "  ! video/x-h264,profile=constrained-baseline "
        "  ! rtph264pay name=%s-payloader config-interval=1 aggregate-mode=zero-latency "
        "  ! application/x-rtp,media=video,encoding-name=H264,payload=96,"
        "profile-level-id=(string)42c01f,packetization-mode=(string)1 ! webrtcbin. ",
        bitrate_kbps > 0 ? bitrate_kbps : 1000, name);
  else
    g_string_append_printf (description,
        "  ! vp8enc deadline=1 keyframe-max-dist=150 target-bitrate=%d "
        "  ! rtpvp8pay name=%s-payloader picture-id-mode=15-bit "
        "  ! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! webrtcbin. ",
        bitrate_kbps > 0 ? bitrate_kbps * 1000 : 256000, name);
}

char *
hz_publish_describe (const HzPeerOptions *options, gboolean audio_only)
{
  GString *description = g_string_new ("webrtcbin name=webrtcbin ");
  /* Markers need the first audio and video that the relay gets to be of
   * one instant (peer-marker.c), so the queues then keep 40 ms of either
   * instead of five buffers (166 ms of video, 107 ms of audio). */
  g_autofree char *queue_limit = options->marker_interval_s > 0
    ? g_strdup_printf ("max-size-buffers=0 max-size-time=%" G_GUINT64_FORMAT,
                       (guint64) HZ_PEER_MARKER_QUEUE_TIME)
    : g_strdup ("max-size-buffers=5 max-size-time=0");

  if (!audio_only) {
    append_video (description, "video", options->h264, options->video_bitrate_kbps, queue_limit);
    if (options->second_video)
      append_video (description, "video2", options->h264, options->video_bitrate_kbps,
                    queue_limit);
  }
  /* S16 mono lets --marker-interval silence the tone between beeps. */
  g_string_append_printf (description,
      "audiotestsrc name=audio-source is-live=true wave=sine freq=%d "
      "  ! audio/x-raw,format=S16LE,rate=48000,channels=1 ! audioconvert ! audioresample "
      "  ! valve name=audio-valve drop-mode=forward-sticky-events "
      "  ! queue leaky=downstream max-size-bytes=0 %s ! opusenc "
      "  ! rtpopuspay name=audio-payloader ! capsfilter name=audio-caps "
      "    caps=application/x-rtp,media=audio,encoding-name=OPUS,payload=97 ! webrtcbin. ",
      options->marker_interval_s > 0 ? HZ_PEER_MARKER_FREQUENCY : 440, queue_limit);
  return g_string_free (description, FALSE);
}

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

/* Streaming thread: counts the encoded frames sent after the connection
 * reached "connected" and the stream time they cover, which is what the
 * relay can record. */
static GstPadProbeReturn
count_sent_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  HzConnection *conn = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime duration = GST_BUFFER_DURATION (buffer);

  if (!g_atomic_int_get (&conn->sending_flag) || !GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;

  g_mutex_lock (&conn->sent_lock);
  conn->sent_video_frames++;
  if (!GST_CLOCK_TIME_IS_VALID (conn->sent_first_pts))
    conn->sent_first_pts = pts;
  conn->sent_end_pts = pts + (GST_CLOCK_TIME_IS_VALID (duration) ? duration : 0);
  g_mutex_unlock (&conn->sent_lock);
  return GST_PAD_PROBE_OK;
}

/* Makes every transceiver sendonly; with NACK, webrtcbin offers NACK and
 * an RTX format and resends what the relay reports lost. */
static void
make_sendonly (GstElement *webrtcbin, gboolean nack)
{
  g_autoptr (GArray) transceivers = NULL;

  g_signal_emit_by_name (webrtcbin, "get-transceivers", &transceivers);
  for (guint i = 0; i < transceivers->len; i++) {
    GstWebRTCRTPTransceiver *transceiver =
        g_array_index (transceivers, GstWebRTCRTPTransceiver *, i);
    g_object_set (transceiver, "direction",
                  GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, "do-nack", nack, NULL);
  }
}

static gboolean
configure_sources (HzConnection *conn, const char *pattern, GError **error)
{
  g_autoptr (GstElement) video_source = NULL;
  g_autoptr (GstElement) payloader = NULL;
  g_autoptr (GstPad) payloader_sink = NULL;

  video_source = gst_bin_get_by_name (GST_BIN (conn->pipeline), "video-source");
  if (video_source == NULL)
    return TRUE;   /* audio only */
  if (!set_video_pattern (video_source, pattern, error))
    return FALSE;

  payloader = gst_bin_get_by_name (GST_BIN (conn->pipeline), "video-payloader");
  payloader_sink = gst_element_get_static_pad (payloader, "sink");
  gst_pad_add_probe (payloader_sink, GST_PAD_PROBE_TYPE_BUFFER, count_sent_frame, conn, NULL);
  return TRUE;
}

#define AUDIO_LEVEL_URI "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define TRANSPORT_CC_URI "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

/* Streaming thread: writes audio level (id 1, -30 dBov, voice) and
 * transport-cc (id 3, a sequence number) into each audio packet. */
static GstPadProbeReturn
write_header_extensions (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  guint *sequence = user_data;
  GstBuffer *buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint8 level = 0x80 | 30;
  guint8 transport_sequence[2];

  GST_PAD_PROBE_INFO_DATA (info) = buffer;
  if (!gst_rtp_buffer_map (buffer, GST_MAP_READWRITE, &rtp))
    return GST_PAD_PROBE_OK;
  transport_sequence[0] = (guint8) (*sequence >> 8);
  transport_sequence[1] = (guint8) *sequence;
  (*sequence)++;
  gst_rtp_buffer_add_extension_onebyte_header (&rtp, 1, &level, 1);
  gst_rtp_buffer_add_extension_onebyte_header (&rtp, 3, transport_sequence, 2);
  gst_rtp_buffer_unmap (&rtp);
  return GST_PAD_PROBE_OK;
}

/* --header-extensions: webrtcbin offers what the caps name (extmap-N), and
 * a probe writes the elements; the payloader's own extension support is
 * off, because GStreamer 1.22 writes audio level only from level meta.
 * Audio level crosses the relay to receivers that accept it; transport-cc
 * describes one hop, so the relay must never forward it. */
static void
add_header_extensions (HzConnection *conn)
{
  g_autoptr (GstElement) filter = gst_bin_get_by_name (GST_BIN (conn->pipeline), "audio-caps");
  g_autoptr (GstElement) payloader = gst_bin_get_by_name (GST_BIN (conn->pipeline),
                                                          "audio-payloader");
  g_autoptr (GstPad) filter_src = gst_element_get_static_pad (filter, "src");
  g_autoptr (GstCaps) caps = NULL;

  g_object_set (payloader, "auto-header-extension", FALSE, NULL);
  g_object_get (filter, "caps", &caps, NULL);
  caps = gst_caps_make_writable (caps);
  gst_caps_set_simple (caps,
                       "extmap-1", G_TYPE_STRING, AUDIO_LEVEL_URI,
                       "extmap-3", G_TYPE_STRING, TRANSPORT_CC_URI,
                       NULL);
  g_object_set (filter, "caps", caps, NULL);
  gst_pad_add_probe (filter_src, GST_PAD_PROBE_TYPE_BUFFER, write_header_extensions,
                     g_new0 (guint, 1), g_free);
}

/* Sets the second video's pattern, so that the two videos differ. */
static void
configure_second_video (HzConnection *conn)
{
  g_autoptr (GstElement) source = gst_bin_get_by_name (GST_BIN (conn->pipeline), "video2-source");

  if (source != NULL)
    gst_util_set_object_arg (G_OBJECT (source), "pattern", "smpte");
}

static HzConnection *
publish_new (HzPeer *peer, gboolean audio_only, GError **error)
{
  g_autofree char *description = hz_publish_describe (&peer->options, audio_only);
  g_autoptr (HzConnection) conn = hz_connection_new (peer, HZ_CONNECTION_PUBLISH, "publish",
                                                     description, error);

  if (conn == NULL)
    return NULL;
  if (!configure_sources (conn, peer->options.video_pattern, error))
    return NULL;
  configure_second_video (conn);
  if (peer->options.marker_interval_s > 0)
    hz_marker_add (conn, peer->options.marker_interval_s);
  if (peer->options.mute_for_s > 0)
    hz_mute_schedule (conn, peer->options.mute_at_s, peer->options.mute_for_s);
  if (peer->options.header_extensions)
    add_header_extensions (conn);
  make_sendonly (conn->webrtcbin, peer->options.nack);
  if (!hz_connection_start (conn, error))
    return NULL;
  return g_steal_pointer (&conn);
}

HzConnection *
hz_publish_new (HzPeer *peer, GError **error)
{
  return publish_new (peer, FALSE, error);
}

HzConnection *
hz_publish_new_audio_only (HzPeer *peer, GError **error)
{
  return publish_new (peer, TRUE, error);
}

/* Adds "publish": {connected_ms, seconds, wall_seconds, video_frames_sent}
 * to the summary. `seconds` is the stream time of the video sent after
 * "connected" (first PTS to last PTS + duration), and `wall_seconds` the
 * wall-clock time from "connected" to the stop. They differ by what queued
 * up before the connection and by what was still queued at the stop. Both
 * are 0 when the connection never came up. */
void
hz_publish_print_summary (HzConnection *publish, JsonBuilder *builder)
{
  HzPeer *peer = publish->peer;
  gint64 end_us = peer->stopped_us != 0 ? peer->stopped_us : g_get_monotonic_time ();
  double wall_seconds = 0;
  double seconds = 0;
  guint64 frames = 0;

  if (publish->connected_us != 0)
    wall_seconds = (end_us - publish->connected_us) / (double) G_USEC_PER_SEC;

  g_mutex_lock (&publish->sent_lock);
  frames = publish->sent_video_frames;
  if (GST_CLOCK_TIME_IS_VALID (publish->sent_first_pts))
    seconds = (publish->sent_end_pts - publish->sent_first_pts) / (double) GST_SECOND;
  g_mutex_unlock (&publish->sent_lock);

  json_builder_set_member_name (builder, "publish");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "connected_ms");
  json_builder_add_int_value (builder, publish->connected_us != 0
                              ? hz_peer_ms_since_joined (peer, publish->connected_us)
                              : -1);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_double_value (builder, seconds);
  json_builder_set_member_name (builder, "wall_seconds");
  json_builder_add_double_value (builder, wall_seconds);
  json_builder_set_member_name (builder, "video_frames_sent");
  json_builder_add_int_value (builder, frames);
  json_builder_end_object (builder);
}
