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
hz_rtp_restamp_next (HzRtpRestamp *restamp, guint32 rtp_timestamp, GstClockTime arrival_pts)
{
  guint64 ext = gst_rtp_buffer_ext_timestamp (&restamp->ext_timestamp, rtp_timestamp);
  GstClockTimeDiff pts;

  if (!restamp->anchored) {
    anchor_at (restamp, ext, arrival_pts);
    pts = (GstClockTimeDiff) arrival_pts;
  } else {
    GstClockTimeDiff since_previous, arrival_since_previous;

    /* A reordered packet a little older than the anchor comes before it. */
    pts = (GstClockTimeDiff) restamp->anchor_pts + since_anchor (restamp, ext);
    since_previous = pts - (GstClockTimeDiff) restamp->previous_pts;
    arrival_since_previous = GST_CLOCK_DIFF (restamp->previous_arrival, arrival_pts);
    if (ABS (since_previous - arrival_since_previous) > (GstClockTimeDiff) HZ_RTP_RESTAMP_MAX_JUMP) {
      /* Keep the arrival spacing across the jump, and never go back. */
      pts = (GstClockTimeDiff) restamp->previous_pts + MAX (arrival_since_previous, 0);
      GST_INFO ("RTP timestamps jumped by %" GST_STIME_FORMAT " against %" GST_STIME_FORMAT
                " of arrival; anchoring anew", GST_STIME_ARGS (since_previous),
                GST_STIME_ARGS (arrival_since_previous));
      anchor_at (restamp, ext, (GstClockTime) pts);
    }
  }
  restamp->previous_pts = (GstClockTime) MAX (pts, 0);
  restamp->previous_arrival = arrival_pts;
  return restamp->previous_pts;
}

static void
restamp_buffer (HzRtpRestamp *restamp, GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  guint32 rtp_timestamp;
  GstClockTime pts;

  if (!GST_BUFFER_PTS_IS_VALID (buffer) || !gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return;
  rtp_timestamp = gst_rtp_buffer_get_timestamp (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  pts = hz_rtp_restamp_next (restamp, rtp_timestamp, GST_BUFFER_PTS (buffer));
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DTS (buffer) = pts;
}

static gboolean
restamp_list_item (GstBuffer **buffer, guint index, gpointer data)
{
  *buffer = gst_buffer_make_writable (*buffer);
  restamp_buffer (data, *buffer);
  return TRUE;
}

/* Runs on the streaming thread of the pad, so RESTAMP needs no lock. */
static GstPadProbeReturn
on_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  HzRtpRestamp *restamp = data;

  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    GstBufferList *list = gst_buffer_list_make_writable (GST_PAD_PROBE_INFO_BUFFER_LIST (info));

    gst_buffer_list_foreach (list, restamp_list_item, restamp);
    GST_PAD_PROBE_INFO_DATA (info) = list;
  } else {
    GstBuffer *buffer = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));

    restamp_buffer (restamp, buffer);
    GST_PAD_PROBE_INFO_DATA (info) = buffer;
  }
  return GST_PAD_PROBE_OK;
}

gboolean
hz_rtp_restamp_attach (GstPad *pad, const GstCaps *caps)
{
  static gsize initialized = 0;
  HzRtpRestamp *restamp;
  int clock_rate = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_rtp_restamp_debug, "hz-rtp-restamp", 0,
                             "Huizhen timestamps of recorded RTP packets");
    g_once_init_leave (&initialized, 1);
  }

  if (!gst_structure_get_int (gst_caps_get_structure (caps, 0), "clock-rate", &clock_rate)
      || clock_rate <= 0)
    return FALSE;
  restamp = g_new (HzRtpRestamp, 1);
  hz_rtp_restamp_init (restamp, (guint) clock_rate);
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_buffer,
                     restamp, g_free);
  return TRUE;
}
