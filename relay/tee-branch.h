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

G_END_DECLS
