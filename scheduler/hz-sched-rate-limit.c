#include "hz-sched-rate-limit.h"

/* How often full buckets are dropped. */
#define SWEEP_INTERVAL_US (60 * G_USEC_PER_SEC)

typedef struct {
  double tokens;
  gint64 updated_us;
  guint rejected;      /* requests rejected in a row since the last one served */
} Bucket;

struct _HzRateLimiter {
  double rate;         /* tokens per second */
  double burst;        /* capacity of a bucket */
  GHashTable *buckets; /* client name (owned) -> Bucket (owned) */
  gint64 swept_us;
};

HzRateLimiter *
hz_rate_limiter_new (guint rate,
                     guint burst)
{
  HzRateLimiter *limiter;

  g_return_val_if_fail (rate >= 1 && burst >= 1, NULL);

  limiter = g_new0 (HzRateLimiter, 1);
  limiter->rate = rate;
  limiter->burst = burst;
  limiter->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  limiter->swept_us = g_get_monotonic_time ();
  return limiter;
}

void
hz_rate_limiter_free (HzRateLimiter *limiter)
{
  if (limiter == NULL)
    return;

  g_hash_table_destroy (limiter->buckets);
  g_free (limiter);
}

/* Adds the tokens that BUCKET gained since it was last updated. A clock
 * that went backwards adds none. */
static void
refill (const HzRateLimiter *limiter,
        Bucket              *bucket,
        gint64               now_us)
{
  if (now_us > bucket->updated_us)
    {
      double elapsed_s = (double) (now_us - bucket->updated_us) / G_USEC_PER_SEC;

      bucket->tokens = MIN (limiter->burst, bucket->tokens + elapsed_s * limiter->rate);
      bucket->updated_us = now_us;
    }
}

static void
drop_full_buckets (HzRateLimiter *limiter,
                   gint64         now_us)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, limiter->buckets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Bucket *bucket = value;

      refill (limiter, bucket, now_us);
      if (bucket->tokens >= limiter->burst && bucket->rejected == 0)
        g_hash_table_iter_remove (&iter);
    }
  limiter->swept_us = now_us;
}

gboolean
hz_rate_limiter_take (HzRateLimiter *limiter,
                      const char    *client,
                      gint64         now_us,
                      guint         *retry_after_s,
                      guint         *rejected)
{
  Bucket *bucket;
  double wait_s;

  if (now_us - limiter->swept_us >= SWEEP_INTERVAL_US)
    drop_full_buckets (limiter, now_us);

  bucket = g_hash_table_lookup (limiter->buckets, client);
  if (bucket == NULL)
    {
      bucket = g_new0 (Bucket, 1);
      bucket->tokens = limiter->burst;
      bucket->updated_us = now_us;
      g_hash_table_insert (limiter->buckets, g_strdup (client), bucket);
    }
  refill (limiter, bucket, now_us);

  if (bucket->tokens >= 1.0)
    {
      bucket->tokens -= 1.0;
      *rejected = bucket->rejected;
      bucket->rejected = 0;
      return TRUE;
    }

  bucket->rejected++;
  *rejected = bucket->rejected;
  wait_s = (1.0 - bucket->tokens) / limiter->rate;
  *retry_after_s = MAX (1, (guint) wait_s + ((double) (guint) wait_s < wait_s ? 1 : 0));
  return FALSE;
}

guint
hz_rate_limiter_count_clients (HzRateLimiter *limiter)
{
  return g_hash_table_size (limiter->buckets);
}
