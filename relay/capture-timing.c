/* Capture timing sidecars of recorded tracks; see capture-timing.h. */
#include "capture-timing.h"

#include <gio/gio.h>
#include <gst/rtp/rtp.h>
#include <json-glib/json-glib.h>

GST_DEBUG_CATEGORY_STATIC (hz_capture_timing_debug);
#define GST_CAT_DEFAULT hz_capture_timing_debug

/* How long a new reference packet waits for the sidecar's next write. */
#define REFERENCE_WRITE_DELAY_MS 1000

/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define NTP_UNIX_OFFSET_S G_GUINT64_CONSTANT (2208988800)

struct _HzCaptureTiming {
  /* Immutable after start. */
  GstElement *pipeline;
  GstPad *rtp_pad;
  char *track;
  char *sidecar_path;
  char *log_prefix;
  guint clock_rate;

  GMutex lock;
  gulong probe_id;                /* under LOCK; 0 once the probe is gone */
  gboolean have_first;            /* the members below are under LOCK */
  guint32 ssrc;
  guint32 first_rtp_timestamp;
  GstClockTime first_running_time;
  gint64 running_time_epoch_us;
  gboolean have_sender_report;
  guint64 sr_ntp_time;
  guint32 sr_rtp_timestamp;
  gboolean have_reference;
  guint32 reference_rtp_timestamp;
  GstClockTime reference_running_time;
  GstClockTime reference_arrival;
  guint write_source;             /* a write queued on the main context, or 0 */
};

HzCaptureTiming *
hz_capture_timing_ref (HzCaptureTiming *timing)
{
  return g_atomic_rc_box_acquire (timing);
}

static void
timing_clear (HzCaptureTiming *timing)
{
  g_clear_object (&timing->rtp_pad);
  g_clear_object (&timing->pipeline);
  g_free (timing->track);
  g_free (timing->sidecar_path);
  g_free (timing->log_prefix);
  g_mutex_clear (&timing->lock);
}

void
hz_capture_timing_unref (gpointer timing)
{
  g_atomic_rc_box_release_full (timing, (GDestroyNotify) timing_clear);
}

gint64
hz_capture_timing_ntp_to_unix_us (guint64 ntp_time)
{
  guint64 seconds = ntp_time >> 32;
  guint64 fraction = ntp_time & G_MAXUINT32;

  return ((gint64) seconds - (gint64) NTP_UNIX_OFFSET_S) * G_USEC_PER_SEC
         + (gint64) ((fraction * G_USEC_PER_SEC) >> 32);
}

/* Builds the sidecar text; must be called with the lock held. */
static char *
timing_to_json (HzCaptureTiming *timing)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "track");
  json_builder_add_string_value (builder, timing->track);
  json_builder_set_member_name (builder, "ssrc");
  json_builder_add_int_value (builder, timing->ssrc);
  json_builder_set_member_name (builder, "clock_rate");
  json_builder_add_int_value (builder, timing->clock_rate);
  json_builder_set_member_name (builder, "first_rtp_timestamp");
  json_builder_add_int_value (builder, timing->first_rtp_timestamp);
  json_builder_set_member_name (builder, "first_running_time_ns");
  json_builder_add_int_value (builder, (gint64) timing->first_running_time);
  json_builder_set_member_name (builder, "running_time_epoch_us");
  json_builder_add_int_value (builder, timing->running_time_epoch_us);

  if (timing->have_reference) {
    json_builder_set_member_name (builder, "reference_rtp_timestamp");
    json_builder_add_int_value (builder, timing->reference_rtp_timestamp);
    json_builder_set_member_name (builder, "reference_running_time_ns");
    json_builder_add_int_value (builder, (gint64) timing->reference_running_time);
    json_builder_set_member_name (builder, "reference_arrival_ns");
    json_builder_add_int_value (builder, (gint64) timing->reference_arrival);
  }

  if (timing->have_sender_report) {
    /* A signed 32-bit difference copes with the RTP timestamp wrapping
     * between the first packet and the report. */
    gint32 ticks = (gint32) (timing->sr_rtp_timestamp - timing->first_rtp_timestamp);
    gint64 report_us = hz_capture_timing_ntp_to_unix_us (timing->sr_ntp_time);

    /* The NTP timestamp goes in its two 32-bit halves: as one number it
     * exceeds JSON's signed 64-bit integers. */
    json_builder_set_member_name (builder, "sender_report");
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "ntp_seconds");
    json_builder_add_int_value (builder, (gint64) (timing->sr_ntp_time >> 32));
    json_builder_set_member_name (builder, "ntp_fraction");
    json_builder_add_int_value (builder, (gint64) (timing->sr_ntp_time & G_MAXUINT32));
    json_builder_set_member_name (builder, "rtp_timestamp");
    json_builder_add_int_value (builder, timing->sr_rtp_timestamp);
    json_builder_end_object (builder);
    if (timing->clock_rate > 0) {
      json_builder_set_member_name (builder, "first_capture_us");
      json_builder_add_int_value (builder,
                                  report_us - (gint64) ticks * G_USEC_PER_SEC / timing->clock_rate);
    }
    if (timing->clock_rate > 0 && timing->have_reference) {
      gint32 reference_ticks = (gint32) (timing->sr_rtp_timestamp - timing->reference_rtp_timestamp);

      json_builder_set_member_name (builder, "reference_capture_us");
      json_builder_add_int_value (builder, report_us - (gint64) reference_ticks * G_USEC_PER_SEC
                                                       / timing->clock_rate);
    }
  }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, TRUE);
}

/* Runs on the main context, so that no fsync stalls a streaming thread. */
static gboolean
write_sidecar (gpointer data)
{
  HzCaptureTiming *timing = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_mutex_lock (&timing->lock);
  timing->write_source = 0;
  text = timing_to_json (timing);
  g_mutex_unlock (&timing->lock);

  if (!g_file_set_contents_full (timing->sidecar_path, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("%s: failed to write the capture timing of the %s track: %s", timing->log_prefix,
               timing->track, error->message);
  return G_SOURCE_REMOVE;
}

/* Queues a write unless one is queued; must be called with the lock held. */
static void
queue_write (HzCaptureTiming *timing)
{
  if (timing->write_source == 0)
    timing->write_source = g_idle_add_full (G_PRIORITY_DEFAULT, write_sidecar,
                                            hz_capture_timing_ref (timing), hz_capture_timing_unref);
}

/* Queues a write REFERENCE_WRITE_DELAY_MS from now unless one is queued;
 * must be called with the lock held. A sender's startup burst makes a new
 * reference of nearly every packet, and each write syncs the file on the
 * main thread, which also runs the signalling. */
static void
queue_write_later (HzCaptureTiming *timing)
{
  if (timing->write_source == 0)
    timing->write_source = g_timeout_add_full (G_PRIORITY_DEFAULT, REFERENCE_WRITE_DELAY_MS,
                                               write_sidecar, hz_capture_timing_ref (timing),
                                               hz_capture_timing_unref);
}

/* The relay's wall clock at running time 0 of PIPELINE, in microseconds
 * since the Unix epoch. */
static gint64
running_time_epoch_us (GstElement *pipeline)
{
  g_autoptr (GstClock) clock = gst_element_get_clock (pipeline);
  GstClockTime now;

  if (clock == NULL)
    return 0;
  now = gst_clock_get_time (clock) - gst_element_get_base_time (pipeline);
  return g_get_real_time () - (gint64) (now / GST_USECOND);
}

static GstPadProbeReturn
on_first_packet (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  HzCaptureTiming *timing = data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  g_autoptr (GstEvent) segment_event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  const GstSegment *segment;
  GstClockTime running_time;

  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    buffer = gst_buffer_list_get (GST_PAD_PROBE_INFO_BUFFER_LIST (info), 0);
  if (buffer == NULL || segment_event == NULL || !GST_BUFFER_PTS_IS_VALID (buffer))
    return GST_PAD_PROBE_OK;
  gst_event_parse_segment (segment_event, &segment);
  running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));
  if (running_time == GST_CLOCK_TIME_NONE || !gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return GST_PAD_PROBE_OK;

  g_mutex_lock (&timing->lock);
  timing->ssrc = gst_rtp_buffer_get_ssrc (&rtp);
  timing->first_rtp_timestamp = gst_rtp_buffer_get_timestamp (&rtp);
  timing->first_running_time = running_time;
  timing->running_time_epoch_us = running_time_epoch_us (timing->pipeline);
  timing->have_first = TRUE;
  queue_write (timing);
  timing->probe_id = 0;
  g_mutex_unlock (&timing->lock);
  gst_rtp_buffer_unmap (&rtp);

  GST_DEBUG_OBJECT (pad, "%s: first %s packet, SSRC %08x, running time %" GST_TIME_FORMAT,
                    timing->log_prefix, timing->track, timing->ssrc,
                    GST_TIME_ARGS (running_time));
  return GST_PAD_PROBE_REMOVE;
}

HzCaptureTiming *
hz_capture_timing_start (GstElement *pipeline, GstPad *rtp_pad, const GstCaps *caps,
                         const char *track, const char *recording_location,
                         const char *log_prefix)
{
  static gsize initialized = 0;
  HzCaptureTiming *timing;
  int clock_rate = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_capture_timing_debug, "hz-capture-timing", 0,
                             "Huizhen capture timing of recordings");
    g_once_init_leave (&initialized, 1);
  }

  timing = g_atomic_rc_box_new0 (HzCaptureTiming);
  g_mutex_init (&timing->lock);
  timing->pipeline = gst_object_ref (pipeline);
  timing->rtp_pad = gst_object_ref (rtp_pad);
  timing->track = g_strdup (track);
  timing->sidecar_path = g_strconcat (recording_location, ".timing.json", NULL);
  timing->log_prefix = g_strdup (log_prefix);
  gst_structure_get_int (gst_caps_get_structure (caps, 0), "clock-rate", &clock_rate);
  timing->clock_rate = (guint) MAX (clock_rate, 0);

  g_mutex_lock (&timing->lock);
  timing->probe_id = gst_pad_add_probe (rtp_pad,
                                        GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                                        on_first_packet, hz_capture_timing_ref (timing), hz_capture_timing_unref);
  g_mutex_unlock (&timing->lock);
  return timing;
}

void
hz_capture_timing_set_sender_report (HzCaptureTiming *timing, guint64 ntp_time,
                                     guint32 rtp_timestamp)
{
  g_mutex_lock (&timing->lock);
  if (timing->have_first && !timing->have_sender_report) {
    timing->have_sender_report = TRUE;
    timing->sr_ntp_time = ntp_time;
    timing->sr_rtp_timestamp = rtp_timestamp;
    queue_write (timing);
    GST_DEBUG ("%s: first sender report of the %s track", timing->log_prefix, timing->track);
  }
  g_mutex_unlock (&timing->lock);
}

void
hz_capture_timing_set_reference (guint32 rtp_timestamp, GstClockTime running_time,
                                 GstClockTime arrival_running_time, gpointer data)
{
  HzCaptureTiming *timing = data;

  g_mutex_lock (&timing->lock);
  timing->have_reference = TRUE;
  timing->reference_rtp_timestamp = rtp_timestamp;
  timing->reference_running_time = running_time;
  timing->reference_arrival = arrival_running_time;
  queue_write_later (timing);
  g_mutex_unlock (&timing->lock);
}

guint32
hz_capture_timing_get_ssrc (HzCaptureTiming *timing)
{
  guint32 ssrc;

  g_mutex_lock (&timing->lock);
  ssrc = timing->have_first ? timing->ssrc : 0;
  g_mutex_unlock (&timing->lock);
  return ssrc;
}

void
hz_capture_timing_stop (HzCaptureTiming *timing)
{
  gulong probe_id;

  /* The probe removes itself after the first packet; before it, removing
   * it drops its reference. */
  g_mutex_lock (&timing->lock);
  probe_id = timing->probe_id;
  timing->probe_id = 0;
  g_mutex_unlock (&timing->lock);
  if (probe_id != 0)
    gst_pad_remove_probe (timing->rtp_pad, probe_id);
  hz_capture_timing_unref (timing);
}
