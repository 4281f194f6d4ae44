/* Small helpers shared by the ingest and subscriber webrtcbins. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Returns the error message of a webrtcbin promise that has been replied
 * to, or NULL on success. For promise change functions only: they run once
 * the promise has left the PENDING state, so this never blocks. */
char *hz_webrtc_promise_error (GstPromise *promise);

/* Stops ELEMENT and removes it from PIPELINE if it is still a child. The
 * element's state is locked first so that later state changes of the
 * pipeline leave it alone. */
void hz_element_remove (GstElement *pipeline,
                        GstElement *element);

G_END_DECLS
