/* Request rate limits per client: one token bucket per API key or browser
 * session user.
 *
 * A bucket contains at most BURST tokens and gains RATE tokens per second.
 * Each request takes one token, and a request that finds less than one
 * token is rejected with 429 rate_limited. A new client starts with a full
 * bucket. The scheduler runs one thread, so the limiter has no lock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HzRateLimiter HzRateLimiter;

/* Creates a limiter of RATE requests per second with bursts of up to
 * BURST requests. Both must be at least 1. */
HzRateLimiter *hz_rate_limiter_new (guint rate,
                                    guint burst);
void hz_rate_limiter_free (HzRateLimiter *limiter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzRateLimiter, hz_rate_limiter_free)

/* Takes one token from the bucket of CLIENT (a name such as "key:12") at
 * NOW_US, a g_get_monotonic_time() value. Returns TRUE when the request may
 * run, and then sets *REJECTED to the number of requests of CLIENT rejected
 * in a row just before it. Returns FALSE when it is over the rate, and then
 * sets *RETRY_AFTER_S to the whole seconds (at least 1) until a token is
 * back and *REJECTED to the rejections in a row, this one included. */
gboolean hz_rate_limiter_take (HzRateLimiter *limiter,
                               const char    *client,
                               gint64         now_us,
                               guint         *retry_after_s,
                               guint         *rejected);

/* Returns the number of clients whose buckets are stored. Buckets that have
 * refilled completely are dropped once a minute, because a new bucket is
 * the same as a full one. */
guint hz_rate_limiter_count_clients (HzRateLimiter *limiter);

G_END_DECLS
