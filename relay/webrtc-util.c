/* Helpers for webrtcbin users; see webrtc-util.h. */
#include "webrtc-util.h"

char *
hz_webrtc_promise_error (GstPromise *promise)
{
  const GstStructure *reply;
  g_autoptr (GError) error = NULL;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return g_strdup ("webrtcbin did not reply");
  reply = gst_promise_get_reply (promise);
  if (reply != NULL && gst_structure_has_field (reply, "error")) {
    gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
    return g_strdup (error != NULL ? error->message : "unknown webrtcbin error");
  }
  return NULL;
}

void
hz_element_remove (GstElement *pipeline, GstElement *element)
{
  gst_element_set_locked_state (element, TRUE);
  gst_element_set_state (element, GST_STATE_NULL);
  if (GST_OBJECT_PARENT (element) == GST_OBJECT (pipeline))
    gst_bin_remove (GST_BIN (pipeline), element);
}
