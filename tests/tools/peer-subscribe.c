/* hz-test-peer: subscribe connections and the counters of received feeds.
 *
 * For each relay offer "sub:ID" the peer answers with a webrtcbin of its own
 * and decodes what arrives:
 *
 *   webrtcbin ─ VP8 ─ queue ! rtpvp8depay ! vp8dec ! fakesink       (frames counted after vp8dec)
 *             ├ H264 ─ queue ! rtph264depay ! h264parse ! openh264dec ! fakesink
 *             └ OPUS ─ queue ! rtpopusdepay ! opusdec ! audioconvert
 *                        ! audio/x-raw,format=S16LE ! fakesink       (buffers and RMS counted)
 *
 * rtpvp8depay waits for a keyframe and, while it waits, asks for one with a
 * force-key-unit event, which webrtcbin sends to the relay as an RTCP PLI.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#include <gst/rtp/rtp.h>
#include <gst/sdp/sdp.h>
#include <math.h>
#include <string.h>

static void
feed_stats_clear (HzFeedStats *feed)
{
  g_free (feed->participant_id);
  g_hash_table_unref (feed->video_pads);
  g_mutex_clear (&feed->lock);
}

HzFeedStats *
hz_feed_stats_new (HzPeer *peer, const char *participant_id)
{
  HzFeedStats *feed = g_atomic_rc_box_new0 (HzFeedStats);

  feed->peer = peer;
  feed->participant_id = g_strdup (participant_id);
  g_mutex_init (&feed->lock);
  feed->video_pads = g_hash_table_new (NULL, NULL);
  feed->audio_rms_db_max = HZ_PEER_SILENCE_DB;
  return feed;
}

HzFeedStats *
hz_feed_stats_ref (HzFeedStats *feed)
{
  return g_atomic_rc_box_acquire (feed);
}

void
hz_feed_stats_unref (HzFeedStats *feed)
{
  g_atomic_rc_box_release_full (feed, (GDestroyNotify) feed_stats_clear);
}

/* Returns the RMS level of interleaved S16 samples in dBFS, clamped to
 * HZ_PEER_SILENCE_DB; a full-scale sine is about -3 dB. */
static double
rms_db (const gint16 *samples, gsize count)
{
  double sum = 0;
  double rms = 0;

  if (count == 0)
    return HZ_PEER_SILENCE_DB;
  for (gsize i = 0; i < count; i++)
    sum += (double) samples[i] * samples[i];
  rms = sqrt (sum / count) / 32768.0;
  if (rms <= 0)
    return HZ_PEER_SILENCE_DB;
  return MAX (20.0 * log10 (rms), HZ_PEER_SILENCE_DB);
}

typedef struct {
  HzFeedStats *feed;
  const char *kind;           /* "video" or "audio" */
  gint64 at_us;
} FirstFrame;

static gboolean
print_first_frame (gpointer user_data)
{
  FirstFrame *first = user_data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "first-frame");
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, first->feed->participant_id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, first->kind);
  json_builder_set_member_name (builder, "ms");
  json_builder_add_int_value (builder, hz_peer_ms_since_joined (first->feed->peer, first->at_us));
  json_builder_end_object (builder);
  hz_peer_print_event (builder);
  return G_SOURCE_REMOVE;
}

static void
first_frame_free (gpointer user_data)
{
  FirstFrame *first = user_data;

  hz_feed_stats_unref (first->feed);
  g_free (first);
}

/* Streaming thread: hands the first-frame event to the main loop. */
static void
queue_first_frame (HzFeedStats *feed, const char *kind, gint64 at_us)
{
  FirstFrame *first = g_new0 (FirstFrame, 1);

  first->feed = hz_feed_stats_ref (feed);
  first->kind = kind;
  first->at_us = at_us;
  g_idle_add_full (G_PRIORITY_DEFAULT, print_first_frame, first, first_frame_free);
}

/* Streaming thread. */
static GstPadProbeReturn
count_video_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  HzFeedStats *feed = user_data;

  gint64 now = g_get_monotonic_time ();
  gboolean first = FALSE;

  g_mutex_lock (&feed->lock);
  feed->video_frames++;
  feed->last_video_us = now;
  g_hash_table_add (feed->video_pads, pad);
  if (feed->first_video_us == 0) {
    feed->first_video_us = now;
    first = TRUE;
  }
  g_mutex_unlock (&feed->lock);

  if (first)
    queue_first_frame (feed, "video", now);
  return GST_PAD_PROBE_OK;
}

/* Streaming thread. */
static GstPadProbeReturn
count_audio_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  HzFeedStats *feed = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;
  double level = HZ_PEER_SILENCE_DB;
  gint64 now = g_get_monotonic_time ();
  gboolean first = FALSE;

  if (gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    level = rms_db ((const gint16 *) map.data, map.size / sizeof (gint16));
    gst_buffer_unmap (buffer, &map);
  }

  g_mutex_lock (&feed->lock);
  feed->audio_buffers++;
  if (feed->first_audio_us == 0) {
    feed->first_audio_us = now;
    first = TRUE;
  }
  feed->audio_rms_db_max = MAX (feed->audio_rms_db_max, level);
  g_mutex_unlock (&feed->lock);

  if (first)
    queue_first_frame (feed, "audio", now);
  return GST_PAD_PROBE_OK;
}

/* Streaming thread: notes the header extension ids of each RTP packet. */
static GstPadProbeReturn
note_extension_ids (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  HzFeedStats *feed = user_data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint32 seen[8] = { 0, };
  guint8 *data = NULL;
  guint bits = 0;
  guint size = 0;

  if (!gst_rtp_buffer_map (GST_PAD_PROBE_INFO_BUFFER (info), GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;
  if (gst_rtp_buffer_get_extension_data (&rtp, (guint16 *) &bits, (gpointer *) &data, &size)) {
    size *= 4;
    for (guint i = 0; i < size;) {
      guint id, length;

      if (bits == 0xBEDE) {          /* one-byte elements */
        if (data[i] == 0) { i++; continue; }
        id = data[i] >> 4;
        length = (data[i] & 0x0f) + 1;
        if (id == 15)
          break;
        i += 1 + length;
      } else if ((bits & 0xFFF0) == 0x1000 && i + 1 < size) {  /* two-byte elements */
        if (data[i] == 0) { i++; continue; }
        id = data[i];
        i += 2 + data[i + 1];
      } else {
        break;
      }
      seen[id / 32] |= 1u << (id % 32);
    }
  }
  gst_rtp_buffer_unmap (&rtp);

  g_mutex_lock (&feed->lock);
  for (guint i = 0; i < G_N_ELEMENTS (seen); i++)
    feed->extension_ids[i] |= seen[i];
  g_mutex_unlock (&feed->lock);
  return GST_PAD_PROBE_OK;
}

/* Builds the decoding branch for one webrtcbin source pad; see the diagram
 * at the top. Returns NULL for an encoding that the peer does not decode. */
static GstElement *
make_decoder_bin (const char *encoding, HzFeedStats *feed)
{
  const char *description = NULL;
  GstPadProbeCallback counter = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  GstElement *bin = NULL;

  if (g_ascii_strcasecmp (encoding, "VP8") == 0) {
    description = "queue ! rtpvp8depay wait-for-keyframe=true request-keyframe=true "
                  "! vp8dec ! fakesink name=sink sync=false async=false";
    counter = count_video_frame;
  } else if (g_ascii_strcasecmp (encoding, "H264") == 0) {
    description = "queue ! rtph264depay request-keyframe=true ! h264parse ! openh264dec "
                  "! fakesink name=sink sync=false async=false";
    counter = count_video_frame;
  } else if (g_ascii_strcasecmp (encoding, "OPUS") == 0) {
    description = "queue ! rtpopusdepay ! opusdec ! audioconvert "
                  "! audio/x-raw,format=S16LE ! fakesink name=sink sync=false async=false";
    counter = count_audio_buffer;
  } else {
    return NULL;
  }

  bin = gst_parse_bin_from_description (description, TRUE, &error);
  if (bin == NULL) {
    g_printerr ("hz-test-peer: cannot build the %s decoder: %s\n", encoding, error->message);
    return NULL;
  }

  sink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, counter,
                     hz_feed_stats_ref (feed), (GDestroyNotify) hz_feed_stats_unref);
  {
    g_autoptr (GstPad) bin_sink = gst_element_get_static_pad (bin, "sink");

    gst_pad_add_probe (bin_sink, GST_PAD_PROBE_TYPE_BUFFER, note_extension_ids,
                       hz_feed_stats_ref (feed), (GDestroyNotify) hz_feed_stats_unref);
  }
  return bin;
}

/* Streaming thread: the branch is linked here, not on the main loop,
 * because webrtcbin pushes data as soon as the pad exists. */
/* The video RTP that webrtcbin hands on, after its jitter buffer and,
 * with --nack, after repair: each packet is counted, and each sequence
 * number skipped is counted as lost, that is, not repaired. The relay
 * gives every receiver a continuous sequence. Late and repeated packets
 * count as received only. */
typedef struct {
  HzFeedStats *feed;
  gboolean have_seq;
  guint16 next_seq;
} PacketCounter;

static void
packet_counter_free (PacketCounter *counter)
{
  hz_feed_stats_unref (counter->feed);
  g_free (counter);
}

static gboolean
count_video_packet (GstBuffer **buffer, guint index, gpointer user_data)
{
  PacketCounter *counter = user_data;
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint16 seq, ahead;
  gint64 skipped = 0;

  if (!gst_rtp_buffer_map (*buffer, GST_MAP_READ, &rtp))
    return TRUE;
  seq = gst_rtp_buffer_get_seq (&rtp);
  gst_rtp_buffer_unmap (&rtp);

  ahead = (guint16) (seq - counter->next_seq);
  if (!counter->have_seq || ahead < 0x8000) {
    if (counter->have_seq)
      skipped = ahead;
    counter->next_seq = (guint16) (seq + 1);
    counter->have_seq = TRUE;
  }
  g_mutex_lock (&counter->feed->lock);
  counter->feed->video_packets_received++;
  counter->feed->video_packets_lost += skipped;
  g_mutex_unlock (&counter->feed->lock);
  return TRUE;
}

static GstPadProbeReturn
count_video_packets (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstBuffer *buffer = NULL;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), count_video_packet, user_data);
  } else {
    buffer = GST_PAD_PROBE_INFO_BUFFER (info);
    count_video_packet (&buffer, 0, user_data);
  }
  return GST_PAD_PROBE_OK;
}

static void
on_pad_added (GstElement *webrtcbin, GstPad *pad, gpointer user_data)
{
  HzConnection *conn = user_data;
  g_autoptr (GstCaps) caps = NULL;
  const char *encoding = NULL;
  GstElement *branch = NULL;
  g_autoptr (GstPad) branch_sink = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  encoding = gst_structure_get_string (gst_caps_get_structure (caps, 0), "encoding-name");
  branch = make_decoder_bin (encoding != NULL ? encoding : "", conn->feed);
  if (branch == NULL) {
    g_printerr ("hz-test-peer: %s: dropping a stream with caps %" GST_PTR_FORMAT "\n",
                conn->pc, caps);
    branch = gst_element_factory_make ("fakesink", NULL);
    g_object_set (branch, "sync", FALSE, "async", FALSE, NULL);
  }

  if (g_strcmp0 (encoding, "VP8") == 0 || g_strcmp0 (encoding, "VP9") == 0
      || g_strcmp0 (encoding, "H264") == 0) {
    PacketCounter *counter = g_new0 (PacketCounter, 1);

    counter->feed = hz_feed_stats_ref (conn->feed);
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                       count_video_packets, counter,
                       (GDestroyNotify) packet_counter_free);
  }

  gst_bin_add (GST_BIN (conn->pipeline), branch);
  branch_sink = gst_element_get_static_pad (branch, "sink");
  if (gst_pad_link (pad, branch_sink) != GST_PAD_LINK_OK)
    g_printerr ("hz-test-peer: %s: cannot link the %s decoder\n", conn->pc, encoding);
  gst_element_sync_state_with_parent (branch);
}

/* --nack: the share of the session bandwidth for RTCP, 5 times
 * rtpsession's default of 0.05. GStreamer 1.22's rtpsession sends RTCP
 * feedback following RFC 4585, with at most one early packet per regular
 * RTCP interval. At the default share that interval was 0.3 to 0.7 s in
 * the relay's loss test, longer than webrtcbin's 200 ms jitter buffer, so
 * the NACK for a second loss within it went out too late. At 0.25 it was
 * mostly under 0.1 s. Browsers send a NACK as soon as they see a gap. */
#define RTCP_FRACTION 0.25

/* --nack: the answer accepts the relay's NACK and RTX for video, as
 * browsers do. Audio stays without, since the relay keeps no audio to
 * resend. */
static void
enable_nack (GstElement *webrtcbin, GstWebRTCRTPTransceiver *transceiver, gpointer user_data)
{
  GstWebRTCKind kind = GST_WEBRTC_KIND_UNKNOWN;

  g_object_get (transceiver, "kind", &kind, NULL);
  if (kind == GST_WEBRTC_KIND_VIDEO)
    g_object_set (transceiver, "do-nack", TRUE, NULL);
}

/* Returns whether SDP announces SSRC (a=ssrc) in a video m-line. */
static gboolean
ssrc_is_video (const GstSDPMessage *sdp, guint ssrc)
{
  g_autofree char *prefix = g_strdup_printf ("%u ", ssrc);

  for (guint i = 0; i < gst_sdp_message_medias_len (sdp); i++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);

    for (guint a = 0; a < gst_sdp_media_attributes_len (media); a++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, a);

      if (g_strcmp0 (attribute->key, "ssrc") == 0 && attribute->value != NULL
          && g_str_has_prefix (attribute->value, prefix))
        return g_strcmp0 (gst_sdp_media_get_media (media), "video") == 0;
    }
  }
  return FALSE;
}

/* --nack: webrtcbin 1.22 gives every jitter buffer of a bundled transport
 * the do-nack of the last transceiver on that transport, so the audio
 * jitter buffer asked for retransmissions too. Those NACKs went
 * unanswered and used up the early RTCP packets that the video NACKs
 * needed. This handler runs after webrtcbin's, turns retransmission
 * requests on for video SSRCs only and sets the RTCP share of the RTP
 * session. Streaming thread. */
static void
on_new_jitterbuffer (GstElement *rtpbin, GstElement *jitterbuffer, guint session_id, guint ssrc,
                     gpointer user_data)
{
  HzConnection *conn = user_data;
  GstWebRTCSessionDescription *offer = NULL;
  g_autoptr (GstElement) session = NULL;
  gboolean video = FALSE;

  g_object_get (conn->webrtcbin, "remote-description", &offer, NULL);
  if (offer != NULL) {
    video = ssrc_is_video (offer->sdp, ssrc);
    gst_webrtc_session_description_free (offer);
  }
  g_object_set (jitterbuffer, "do-retransmission", video, NULL);

  g_signal_emit_by_name (rtpbin, "get-session", session_id, &session);
  if (session != NULL)
    g_object_set (session, "rtcp-fraction", RTCP_FRACTION, NULL);
}

static void
configure_nack (HzConnection *conn)
{
  g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (conn->webrtcbin), "rtpbin");

  g_signal_connect (conn->webrtcbin, "on-new-transceiver", G_CALLBACK (enable_nack), NULL);
  if (rtpbin != NULL)
    g_signal_connect_after (rtpbin, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), conn);
  else
    g_printerr ("hz-test-peer: %s: no rtpbin in webrtcbin; audio may ask for retransmissions\n",
                conn->pc);
}

HzConnection *
hz_subscribe_new (HzPeer *peer, const char *participant_id, GError **error)
{
  g_autofree char *pc = g_strdup_printf ("sub:%s", participant_id);
  g_autoptr (HzConnection) conn = hz_connection_new (peer, HZ_CONNECTION_SUBSCRIBE, pc, NULL, error);
  HzFeedStats *feed = NULL;

  if (conn == NULL)
    return NULL;

  /* A participant who leaves and comes back keeps counting in one feed. */
  feed = g_hash_table_lookup (peer->feeds, participant_id);
  if (feed == NULL) {
    feed = hz_feed_stats_new (peer, participant_id);
    g_hash_table_insert (peer->feeds, g_strdup (participant_id), feed);
  }
  conn->feed = hz_feed_stats_ref (feed);

  g_signal_connect (conn->webrtcbin, "pad-added", G_CALLBACK (on_pad_added), conn);
  if (peer->options.nack)
    configure_nack (conn);
  if (!hz_connection_start (conn, error))
    return NULL;
  return g_steal_pointer (&conn);
}

/* Writes {video_frames, video_streams, audio_buffers, audio_rms_db_max,
 * first_video_ms, last_video_ms, first_audio_ms, video_packets_received,
 * video_packets_lost} as members of the object open in BUILDER.
 * video_streams counts the video tracks that decoded at least one frame.
 * The *_ms are milliseconds since `joined`, or -1 before the first frame.
 * The packet counts are those of the latest stats of the current
 * subscribe connection. */
void
hz_feed_stats_print (HzFeedStats *feed, JsonBuilder *builder)
{
  HzPeer *peer = feed->peer;
  guint64 video_frames, audio_buffers, video_packets_received;
  gint64 video_packets_lost;
  guint32 extension_ids[8];
  guint video_streams;
  double rms_max;
  gint64 first_video_us, last_video_us, first_audio_us;

  g_mutex_lock (&feed->lock);
  video_frames = feed->video_frames;
  audio_buffers = feed->audio_buffers;
  rms_max = feed->audio_rms_db_max;
  first_video_us = feed->first_video_us;
  last_video_us = feed->last_video_us;
  video_streams = g_hash_table_size (feed->video_pads);
  video_packets_received = feed->video_packets_received;
  video_packets_lost = feed->video_packets_lost;
  memcpy (extension_ids, feed->extension_ids, sizeof extension_ids);
  first_audio_us = feed->first_audio_us;
  g_mutex_unlock (&feed->lock);

  json_builder_set_member_name (builder, "video_frames");
  json_builder_add_int_value (builder, video_frames);
  json_builder_set_member_name (builder, "video_streams");
  json_builder_add_int_value (builder, video_streams);
  json_builder_set_member_name (builder, "audio_buffers");
  json_builder_add_int_value (builder, audio_buffers);
  json_builder_set_member_name (builder, "audio_rms_db_max");
  json_builder_add_double_value (builder, round (rms_max * 10) / 10);
  json_builder_set_member_name (builder, "first_video_ms");
  json_builder_add_int_value (builder, first_video_us != 0
                              ? hz_peer_ms_since_joined (peer, first_video_us) : -1);
  json_builder_set_member_name (builder, "last_video_ms");
  json_builder_add_int_value (builder, last_video_us != 0
                              ? hz_peer_ms_since_joined (peer, last_video_us) : -1);
  json_builder_set_member_name (builder, "extension_ids");
  json_builder_begin_array (builder);
  for (guint id = 1; id < 256; id++) {
    if (extension_ids[id / 32] & (1u << (id % 32)))
      json_builder_add_int_value (builder, id);
  }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "video_packets_received");
  json_builder_add_int_value (builder, (gint64) video_packets_received);
  json_builder_set_member_name (builder, "video_packets_lost");
  json_builder_add_int_value (builder, video_packets_lost);
  json_builder_set_member_name (builder, "first_audio_ms");
  json_builder_add_int_value (builder, first_audio_us != 0
                              ? hz_peer_ms_since_joined (peer, first_audio_us) : -1);
}
