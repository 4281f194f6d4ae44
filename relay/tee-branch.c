/* Tee branch removal and isolation; see tee-branch.h.
 *
 * The idle probe runs on the tee's streaming thread, or at once when the pad
 * is idle, so it only unlinks. Releasing the pad and the caller's teardown
 * run later on the main thread.
 */
#include "tee-branch.h"

typedef struct {
  GstElement *tee;
  GstPad *tee_pad;
  HzTeeBranchDetachedFunc detached;
  gpointer user_data;
  GDestroyNotify destroy;
} Detach;

static void
detach_free (gpointer data)
{
  Detach *detach = data;

  if (detach->destroy != NULL)
    detach->destroy (detach->user_data);
  gst_object_unref (detach->tee_pad);
  gst_object_unref (detach->tee);
  g_free (detach);
}

static gboolean
finish_on_main (gpointer data)
{
  Detach *detach = data;

  gst_element_release_request_pad (detach->tee, detach->tee_pad);
  detach->detached (detach->user_data);
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
on_pad_idle (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  g_autoptr (GstPad) peer = gst_pad_get_peer (pad);

  if (peer != NULL)
    gst_pad_unlink (pad, peer);
  g_idle_add_full (G_PRIORITY_DEFAULT, finish_on_main, data, detach_free);
  return GST_PAD_PROBE_REMOVE;
}

void
hz_tee_branch_detach (GstElement *tee, GstPad *tee_pad, HzTeeBranchDetachedFunc detached,
                      gpointer user_data, GDestroyNotify destroy)
{
  Detach *detach = g_new0 (Detach, 1);

  detach->tee = gst_object_ref (tee);
  detach->tee_pad = gst_object_ref (tee_pad);
  detach->detached = detached;
  detach->user_data = user_data;
  detach->destroy = destroy;

  /* The probe owns nothing: on_pad_idle hands DETACH to the idle source. */
  gst_pad_add_probe (tee_pad, GST_PAD_PROBE_TYPE_IDLE, on_pad_idle, detach, NULL);
}

#define LOG_PREFIX_KEY "hz-tee-branch-log-prefix"
#define FAILED_KEY "hz-tee-branch-failed"

static GstFlowReturn
isolate_flow (GstPad *pad, GstFlowReturn ret)
{
  if (ret == GST_FLOW_OK || ret == GST_FLOW_FLUSHING)
    return GST_FLOW_OK;
  if (g_object_get_data (G_OBJECT (pad), FAILED_KEY) == NULL) {
    g_object_set_data (G_OBJECT (pad), FAILED_KEY, GINT_TO_POINTER (TRUE));
    g_warning ("%s: branch %s stopped (%s); the tee's other branches go on",
               (const char *) g_object_get_data (G_OBJECT (pad), LOG_PREFIX_KEY),
               GST_OBJECT_NAME (GST_OBJECT_PARENT (pad)), gst_flow_get_name (ret));
  }
  return GST_FLOW_OK;
}

static GstFlowReturn
isolated_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  return isolate_flow (pad, gst_proxy_pad_chain_default (pad, parent, buffer));
}

static GstFlowReturn
isolated_chain_list (GstPad *pad, GstObject *parent, GstBufferList *list)
{
  return isolate_flow (pad, gst_proxy_pad_chain_list_default (pad, parent, list));
}

void
hz_tee_branch_isolate (GstPad *ghost_pad, const char *log_prefix)
{
  g_object_set_data_full (G_OBJECT (ghost_pad), LOG_PREFIX_KEY, g_strdup (log_prefix), g_free);
  gst_pad_set_chain_function (ghost_pad, isolated_chain);
  gst_pad_set_chain_list_function (ghost_pad, isolated_chain_list);
}
