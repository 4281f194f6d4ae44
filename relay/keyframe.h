/* A rate limiter for keyframe requests to one publisher.
 *
 * Requests come from subscribers joining, from clients' "keyframe"
 * messages and from the subscribers' own RTCP PLI/FIR. The limiter sends at
 * most one request per interval. Requests inside the interval are not
 * dropped but coalesced into one, sent when the interval ends.
 * Used on the main thread only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_KEYFRAME_INTERVAL_US (500 * G_TIME_SPAN_MILLISECOND)

typedef void (*HzKeyframeSendFunc) (gpointer user_data);

typedef struct _HzKeyframeLimiter HzKeyframeLimiter;

/* SEND is called on the main context for every request let through. */
HzKeyframeLimiter *hz_keyframe_limiter_new (gint64             interval_us,
                                            HzKeyframeSendFunc send,
                                            gpointer           user_data);

/* Cancels a pending coalesced request. */
void hz_keyframe_limiter_free (HzKeyframeLimiter *limiter);

void hz_keyframe_limiter_request (HzKeyframeLimiter *limiter);

/* Requests sent so far and requests absorbed by coalescing, for logs and
 * tests. */
guint hz_keyframe_limiter_get_sent (const HzKeyframeLimiter *limiter);
guint hz_keyframe_limiter_get_coalesced (const HzKeyframeLimiter *limiter);

G_END_DECLS
