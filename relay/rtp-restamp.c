/* Recorded RTP packets stamped from their RTP timestamps; see
 * rtp-restamp.h. */
#include "rtp-restamp.h"

#include <gst/rtp/rtp.h>

GST_DEBUG_CATEGORY_STATIC (hz_rtp_restamp_debug);
#define GST_CAT_DEFAULT hz_rtp_restamp_debug

void
hz_rtp_restamp_init (HzRtpRestamp *restamp, guint clock_rate)
{
  g_return_if_fail (clock_rate > 0);

  *restamp = (HzRtpRestamp) {
    .clock_rate = clock_rate,
    .ext_timestamp = -1,
    .anchor_pts = GST_CLOCK_TIME_NONE,
  };
}

static void
anchor_at (HzRtpRestamp *restamp, guint64 ext, GstClockTime pts)
{
  restamp->anchored = TRUE;
  restamp->anchor_ext = ext;
  restamp->anchor_pts = pts;
}

/* The time from the anchor to extended RTP timestamp EXT, negative for a
 * packet older than the anchor. */
static GstClockTimeDiff
since_anchor (const HzRtpRestamp *restamp, guint64 ext)
{
  if (ext >= restamp->anchor_ext)
    return (GstClockTimeDiff) gst_util_uint64_scale (ext - restamp->anchor_ext, GST_SECOND,
                                                     restamp->clock_rate);
  return -(GstClockTimeDiff) gst_util_uint64_scale (restamp->anchor_ext - ext, GST_SECOND,
                                                    restamp->clock_rate);
}

GstClockTime
hz_rtp_restamp_next (HzRtpRestamp *restamp, guint32 rtp_timestamp, GstClockTime arrival_pts,
                     gboolean *reference)
{
  guint64 ext = gst_rtp_buffer_ext_timestamp (&restamp->ext_timestamp, rtp_timestamp);
  GstClockTimeDiff pts, lag;

  *reference = FALSE;
  if (!restamp->anchored) {
    pts = (GstClockTimeDiff) arrival_pts;
    anchor_at (restamp, ext, (GstClockTime) pts);
    *reference = TRUE;
  } else {
    GstClockTimeDiff since_previous, arrival_since_previous;

    /* A reordered packet a little older than the anchor comes before it. */
    pts = (GstClockTimeDiff) restamp->anchor_pts + since_anchor (restamp, ext);
    since_previous = pts - (GstClockTimeDiff) restamp->previous_pts;
    arrival_since_previous = GST_CLOCK_DIFF (restamp->previous_arrival, arrival_pts);
    if (ABS (since_previous - arrival_since_previous) > (GstClockTimeDiff) HZ_RTP_RESTAMP_MAX_JUMP) {
      /* Keep the arrival spacing across the jump, and never go back. */
      GST_INFO ("RTP timestamps jumped by %" GST_STIME_FORMAT " against %" GST_STIME_FORMAT
                " of arrival; anchoring anew", GST_STIME_ARGS (since_previous),
                GST_STIME_ARGS (arrival_since_previous));
      pts = (GstClockTimeDiff) restamp->previous_pts + MAX (arrival_since_previous, 0);
      anchor_at (restamp, ext, (GstClockTime) pts);
      *reference = TRUE;
    }
  }

  lag = GST_CLOCK_DIFF ((GstClockTime) MAX (pts, 0), arrival_pts);
  if (*reference || lag < restamp->reference_lag - (GstClockTimeDiff) HZ_RTP_RESTAMP_REFERENCE_STEP) {
    restamp->reference_lag = lag;
    *reference = TRUE;
  }
  restamp->previous_pts = (GstClockTime) MAX (pts, 0);
  restamp->previous_arrival = arrival_pts;
  return restamp->previous_pts;
}

/* A restamper attached to a pad. */
typedef struct {
  HzRtpRestamp restamp;
  HzRtpReferenceFunc reference_func;
  gpointer user_data;
  GDestroyNotify destroy;
} PadRestamp;

static void
pad_restamp_free (gpointer data)
{
  PadRestamp *pad_restamp = data;

  if (pad_restamp->destroy != NULL)
    pad_restamp->destroy (pad_restamp->user_data);
  g_free (pad_restamp);
}

static void
restamp_buffer (PadRestamp *pad_restamp, const GstSegment *segment, GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint32 rtp_timestamp;
  GstClockTime pts, arrival;
  gboolean reference;

  if (!GST_BUFFER_PTS_IS_VALID (buffer) || !gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return;
  rtp_timestamp = gst_rtp_buffer_get_timestamp (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  arrival = GST_BUFFER_PTS (buffer);
  pts = hz_rtp_restamp_next (&pad_restamp->restamp, rtp_timestamp, arrival, &reference);
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DTS (buffer) = pts;
  if (reference && pad_restamp->reference_func != NULL && segment != NULL) {
    GstClockTime running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts);
    GstClockTime arrival_running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME,
                                                                     arrival);

    if (running_time != GST_CLOCK_TIME_NONE && arrival_running_time != GST_CLOCK_TIME_NONE)
      pad_restamp->reference_func (rtp_timestamp, running_time, arrival_running_time,
                                   pad_restamp->user_data);
  }
}

typedef struct {
  PadRestamp *pad_restamp;
  const GstSegment *segment;
} ListItemData;

static gboolean
restamp_list_item (GstBuffer **buffer, guint index, gpointer data)
{
  ListItemData *item_data = data;

  *buffer = gst_buffer_make_writable (*buffer);
  restamp_buffer (item_data->pad_restamp, item_data->segment, *buffer);
  return TRUE;
}

/* Runs on the streaming thread of the pad, so the restamper needs no
 * lock. */
static GstPadProbeReturn
on_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  PadRestamp *pad_restamp = data;
  g_autoptr (GstEvent) segment_event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  const GstSegment *segment = NULL;

  if (segment_event != NULL)
    gst_event_parse_segment (segment_event, &segment);
  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = gst_buffer_list_make_writable (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
    ListItemData item_data = { pad_restamp, segment };

    gst_buffer_list_foreach (list, restamp_list_item, &item_data);
    GST_PAD_PROBE_INFO_DATA (info) = list;
  } else {
    GstBuffer *buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));

    restamp_buffer (pad_restamp, segment, buffer);
    GST_PAD_PROBE_INFO_DATA (info) = buffer;
  }
  return GST_PAD_PROBE_OK;
}

gboolean
hz_rtp_restamp_attach (GstPad *pad, const GstCaps *caps, HzRtpReferenceFunc reference_func,
                       gpointer user_data, GDestroyNotify destroy)
{
  static gsize initialized = 0;
  PadRestamp *pad_restamp;
  int clock_rate = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_rtp_restamp_debug, "hz-rtp-restamp", 0,
                             "Huizhen timestamps of recorded RTP packets");
    g_once_init_leave (&initialized, 1);
  }

  if (!gst_structure_get_int (gst_caps_get_structure (caps, 0), "clock-rate", &clock_rate)
      || clock_rate <= 0)
    return FALSE;
  pad_restamp = g_new0 (PadRestamp, 1);
  hz_rtp_restamp_init (&pad_restamp->restamp, (guint) clock_rate);
  pad_restamp->reference_func = reference_func;
  pad_restamp->user_data = user_data;
  pad_restamp->destroy = destroy;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_buffer,
                     pad_restamp, pad_restamp_free);
  return TRUE;
}
