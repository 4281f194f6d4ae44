/* Detaching a branch from a running tee without stopping the other
 * branches. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef void (*HzTeeBranchDetachedFunc) (gpointer user_data);

/* Waits until TEE_PAD (a request pad of TEE) is idle, unlinks it from its
 * peer, then on the main thread releases the pad and calls DETACHED.
 * Takes its own references to TEE and TEE_PAD. DESTROY frees USER_DATA
 * after DETACHED has run. */
void hz_tee_branch_detach (GstElement              *tee,
                           GstPad                  *tee_pad,
                           HzTeeBranchDetachedFunc  detached,
                           gpointer                 user_data,
                           GDestroyNotify           destroy);

/* Makes GHOST_PAD, the sink pad of a branch bin behind a tee, return
 * GST_FLOW_OK whatever the branch returns. A tee passes a branch's error
 * (e.g. not-negotiated) upstream, which would stop the source and with it
 * every other branch. Instead, a failed branch logs one warning with
 * LOG_PREFIX and drops its data. */
void hz_tee_branch_isolate (GstPad     *ghost_pad,
                            const char *log_prefix);

G_END_DECLS
