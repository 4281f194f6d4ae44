/* Per-receiver forwarding probe; see track-forward.h.
 *
 * Threads: the probe runs on the tee's streaming thread (behind the
 * branch's queue); hz_track_forward_set_answer() runs on the main thread.
 * MAP and ACCEPTED are read and written under LOCK. Packets from the tee
 * are shared with the other branches, so a changed packet is written to a
 * new buffer and the shared one is left alone.
 */
#include "track-forward.h"
#include "forward-caps.h"

GST_DEBUG_CATEGORY_STATIC (hz_track_forward_debug);
#define GST_CAT_DEFAULT hz_track_forward_debug

struct _HzTrackForward {
  GstCaps *caps;           /* immutable: the caps offered to the receiver */
  GMutex lock;
  HzRtpMap map;            /* under LOCK */
  gboolean accepted;       /* under LOCK; FALSE drops every packet */
  gint started;            /* atomic; packets are dropped until it is set */
  gint dropped;            /* atomic */
};

static void
ensure_debug_category (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_track_forward_debug, "hz-track-forward", 0,
                             "Huizhen relay per-receiver RTP rewriting");
    g_once_init_leave (&initialized, 1);
  }
}

HzTrackForward *
hz_track_forward_new (const GstCaps *track_caps)
{
  HzTrackForward *forward = g_atomic_rc_box_new0 (HzTrackForward);
  int payload = -1;

  ensure_debug_category ();
  forward->caps = hz_forward_caps (track_caps);
  g_mutex_init (&forward->lock);
  gst_structure_get_int (gst_caps_get_structure (forward->caps, 0), "payload", &payload);

  /* Before the answer: the publisher's payload type, no extensions. */
  hz_rtp_map_init (&forward->map);
  forward->map.source_pt = payload;
  forward->map.target_pt = payload;
  forward->accepted = TRUE;
  return forward;
}

static void
forward_clear (HzTrackForward *forward)
{
  gst_caps_unref (forward->caps);
  g_mutex_clear (&forward->lock);
}

HzTrackForward *
hz_track_forward_ref (HzTrackForward *forward)
{
  return g_atomic_rc_box_acquire (forward);
}

void
hz_track_forward_unref (HzTrackForward *forward)
{
  g_atomic_rc_box_release_full (forward, (GDestroyNotify) forward_clear);
}

const GstCaps *
hz_track_forward_get_caps (HzTrackForward *forward)
{
  return forward->caps;
}

void
hz_track_forward_set_answer (HzTrackForward *forward, const HzRtpMap *map, gboolean accepted)
{
  g_mutex_lock (&forward->lock);
  forward->map = *map;
  forward->accepted = accepted;
  g_mutex_unlock (&forward->lock);
}

void
hz_track_forward_start (HzTrackForward *forward)
{
  g_atomic_int_set (&forward->started, TRUE);
}

guint
hz_track_forward_get_dropped (HzTrackForward *forward)
{
  return (guint) g_atomic_int_get (&forward->dropped);
}

static void
count_drop (HzTrackForward *forward)
{
  g_atomic_int_inc (&forward->dropped);
}

/* Rewrites BUFFER (not consumed) for the receiver. Returns UNCHANGED,
 * DROP, or CHANGED with the new buffer in *OUT. */
static HzRtpRewriteResult
rewrite_buffer (HzTrackForward *forward, GstBuffer *buffer, GstBuffer **out)
{
  HzRtpRewriteResult result = HZ_RTP_REWRITE_DROP;
  GstMapInfo in_map, out_map;
  gsize out_length = 0;

  if (!gst_buffer_map (buffer, &in_map, GST_MAP_READ))
    return HZ_RTP_REWRITE_DROP;

  g_mutex_lock (&forward->lock);
  if (forward->accepted)
    result = hz_rtp_rewrite_classify (&forward->map, in_map.data, in_map.size);
  if (result == HZ_RTP_REWRITE_CHANGED) {
    *out = gst_buffer_new_allocate (NULL, HZ_RTP_REWRITE_MAX_SIZE (in_map.size), NULL);
    gst_buffer_map (*out, &out_map, GST_MAP_WRITE);
    hz_rtp_rewrite_packet (&forward->map, in_map.data, in_map.size, out_map.data, &out_length);
    gst_buffer_unmap (*out, &out_map);
  }
  g_mutex_unlock (&forward->lock);
  gst_buffer_unmap (buffer, &in_map);

  if (result == HZ_RTP_REWRITE_CHANGED) {
    gst_buffer_set_size (*out, (gssize) out_length);
    gst_buffer_copy_into (*out, buffer, GST_BUFFER_COPY_METADATA, 0, -1);
  } else if (result == HZ_RTP_REWRITE_DROP) {
    count_drop (forward);
  }
  return result;
}

static gboolean
rewrite_list_item (GstBuffer **buffer, guint index, gpointer data)
{
  GstBuffer *out = NULL;

  switch (rewrite_buffer (data, *buffer, &out)) {
    case HZ_RTP_REWRITE_UNCHANGED:
      break;
    case HZ_RTP_REWRITE_CHANGED:
      gst_buffer_unref (*buffer);
      *buffer = out;
      break;
    case HZ_RTP_REWRITE_DROP:
      gst_clear_buffer (buffer);
      break;
  }
  return TRUE;
}

static GstPadProbeReturn
on_forward_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  HzTrackForward *forward = data;
  GstBuffer *out = NULL;

  /* Until the DTLS handshake is done, webrtcbin blocks on the first packet
   * while the leaky queue in front of it drops the ones after it. The
   * receiver would then start with a gap of up to the queue's length. It
   * would report those packets lost, and no retransmission could fill the
   * gap because they never reached webrtcbin. So nothing goes on before
   * hz_track_forward_start(). */
  if ((info->type & (GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST))
      && !g_atomic_int_get (&forward->started))
    return GST_PAD_PROBE_DROP;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

    switch (rewrite_buffer (forward, buffer, &out)) {
      case HZ_RTP_REWRITE_UNCHANGED:
        return GST_PAD_PROBE_OK;
      case HZ_RTP_REWRITE_CHANGED:
        gst_buffer_unref (buffer);
        GST_PAD_PROBE_INFO_DATA (info) = out;
        return GST_PAD_PROBE_OK;
      case HZ_RTP_REWRITE_DROP:
        return GST_PAD_PROBE_DROP;
    }
  }

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = gst_buffer_list_make_writable (GST_PAD_PROBE_INFO_BUFFER_LIST (info));

    GST_PAD_PROBE_INFO_DATA (info) = list;
    gst_buffer_list_foreach (list, rewrite_list_item, forward);
    return gst_buffer_list_length (list) > 0 ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
  }

  /* The publisher's caps carry its whole negotiation (extension ids,
   * feedback types); webrtcbin builds the offer from what reaches it, so
   * only the offered caps go on. */
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM
      && GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_CAPS) {
    gst_event_unref (GST_PAD_PROBE_INFO_EVENT (info));
    GST_PAD_PROBE_INFO_DATA (info) = gst_event_new_caps (forward->caps);
  }
  return GST_PAD_PROBE_OK;
}

void
hz_track_forward_attach (HzTrackForward *forward, GstPad *pad)
{
  gst_pad_add_probe (pad,
                     GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST
                     | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     on_forward_data, hz_track_forward_ref (forward),
                     (GDestroyNotify) hz_track_forward_unref);
}
