/* Fan-out of a publisher track; see fanout.h.
 *
 * The outputs are an array that is replaced, never changed: the streaming
 * thread takes a reference on the current array under the lock and sends
 * without it, so adding or removing a connection never waits for a send.
 */
#include "fanout.h"
#include "sub-link.h"


/* About 1.5 s of 1 Mbit/s video: longer than a NACK takes to come back
 * from a county link. */
#define HISTORY_SIZE 256

typedef struct {
  HzSubLink *link;           /* a reference */
  guint track;
} Output;

struct _HzFanout {
  gatomicrefcount refs;
  HzMetrics *metrics;
  HzMetricsKind kind;
  GMutex lock;
  GPtrArray *outputs;        /* Output, replaced under lock */
  gboolean keep_history;
  GstBuffer *history[HISTORY_SIZE];  /* under lock, by sequence number */
  guint16 history_seq[HISTORY_SIZE];
};

static void
output_free (gpointer data)
{
  Output *output = data;

  hz_sub_link_unref (output->link);
  g_free (output);
}

static GPtrArray *
outputs_copy (GPtrArray *outputs, HzSubLink *without)
{
  GPtrArray *copy = g_ptr_array_new_full (outputs->len + 1, output_free);

  for (guint i = 0; i < outputs->len; i++) {
    const Output *output = g_ptr_array_index (outputs, i);
    Output *kept;

    if (output->link == without)
      continue;
    kept = g_new (Output, 1);
    kept->link = hz_sub_link_ref (output->link);
    kept->track = output->track;
    g_ptr_array_add (copy, kept);
  }
  return copy;
}

/* Keeps BUFFER, whose mapped bytes are DATA, as the packet of its
 * sequence number. Call with the lock held. */
static void
keep_locked (HzFanout *fanout, GstBuffer *buffer, const guint8 *data, gsize size)
{
  guint16 seq;
  guint slot;

  /* An RTP version 2 header of 12 bytes at least; the sequence number is
   * in bytes 2 and 3. */
  if (size < 12 || data[0] >> 6 != 2)
    return;
  seq = GST_READ_UINT16_BE (data + 2);
  slot = seq % HISTORY_SIZE;
  gst_clear_buffer (&fanout->history[slot]);
  fanout->history[slot] = gst_buffer_ref (buffer);
  fanout->history_seq[slot] = seq;
}

/* Maps each buffer once: the history and every connection read the same
 * bytes, and the lock is taken once per buffer. */
static gboolean
forward_buffer (GstBuffer **buffer, guint index, gpointer data)
{
  HzFanout *fanout = data;
  g_autoptr (GPtrArray) outputs = NULL;
  GstMapInfo map;

  if (!gst_buffer_map (*buffer, &map, GST_MAP_READ))
    return TRUE;
  g_mutex_lock (&fanout->lock);
  if (fanout->keep_history)
    keep_locked (fanout, *buffer, map.data, map.size);
  outputs = g_ptr_array_ref (fanout->outputs);
  g_mutex_unlock (&fanout->lock);

  for (guint i = 0; i < outputs->len; i++) {
    const Output *output = g_ptr_array_index (outputs, i);

    if (hz_sub_link_forward (output->link, output->track, map.data, map.size)) {
      hz_metrics_count (&fanout->metrics->packets_out[fanout->kind], 1);
      hz_metrics_count (&fanout->metrics->bytes_out[fanout->kind], map.size);
    }
  }
  gst_buffer_unmap (*buffer, &map);
  return TRUE;
}

static GstPadProbeReturn
on_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
    GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

    forward_buffer (&buffer, 0, data);
  } else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), forward_buffer, data);
  }
  return GST_PAD_PROBE_OK;
}

HzFanout *
hz_fanout_ref (HzFanout *fanout)
{
  g_atomic_ref_count_inc (&fanout->refs);
  return fanout;
}

void
hz_fanout_unref (HzFanout *fanout)
{
  if (!g_atomic_ref_count_dec (&fanout->refs))
    return;
  g_ptr_array_unref (fanout->outputs);
  for (guint i = 0; i < HISTORY_SIZE; i++)
    gst_clear_buffer (&fanout->history[i]);
  g_mutex_clear (&fanout->lock);
  g_free (fanout);
}

HzFanout *
hz_fanout_get (GstElement *tee, gboolean keep_history, HzMetrics *metrics, HzMetricsKind kind)
{
  HzFanout *fanout = g_object_get_data (G_OBJECT (tee), "hz-fanout");
  g_autoptr (GstPad) sink = NULL;

  if (fanout != NULL)
    return hz_fanout_ref (fanout);

  fanout = g_new0 (HzFanout, 1);
  g_atomic_ref_count_init (&fanout->refs);
  g_mutex_init (&fanout->lock);
  fanout->outputs = g_ptr_array_new_with_free_func (output_free);
  fanout->keep_history = keep_history;
  fanout->metrics = metrics;
  fanout->kind = kind;
  sink = gst_element_get_static_pad (tee, "sink");
  gst_pad_add_probe (sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, on_data,
                     hz_fanout_ref (fanout), (GDestroyNotify) hz_fanout_unref);
  g_object_set_data_full (G_OBJECT (tee), "hz-fanout", hz_fanout_ref (fanout),
                          (GDestroyNotify) hz_fanout_unref);
  return fanout;
}

void
hz_fanout_add (HzFanout *fanout, HzSubLink *link, guint track)
{
  Output *output = g_new (Output, 1);
  GPtrArray *old;

  output->link = hz_sub_link_ref (link);
  output->track = track;
  g_mutex_lock (&fanout->lock);
  old = fanout->outputs;
  fanout->outputs = outputs_copy (old, NULL);
  g_ptr_array_add (fanout->outputs, output);
  g_mutex_unlock (&fanout->lock);
  g_ptr_array_unref (old);
}

void
hz_fanout_remove (HzFanout *fanout, HzSubLink *link)
{
  GPtrArray *old;

  g_mutex_lock (&fanout->lock);
  old = fanout->outputs;
  fanout->outputs = outputs_copy (old, link);
  g_mutex_unlock (&fanout->lock);
  g_ptr_array_unref (old);
}

GstBuffer *
hz_fanout_lookup (HzFanout *fanout, guint16 seq)
{
  guint slot = seq % HISTORY_SIZE;
  GstBuffer *found = NULL;

  g_mutex_lock (&fanout->lock);
  if (fanout->history[slot] != NULL && fanout->history_seq[slot] == seq)
    found = gst_buffer_ref (fanout->history[slot]);
  g_mutex_unlock (&fanout->lock);
  return found;
}
