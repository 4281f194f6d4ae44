/* Keyframe request rate limiter; see keyframe.h. */
#include "keyframe.h"

struct _HzKeyframeLimiter {
  gint64 interval_us;
  HzKeyframeSendFunc send;
  gpointer user_data;
  gint64 last_sent_us;   /* monotonic time; 0 before the first request */
  guint timer_id;        /* the pending coalesced request, or 0 */
  guint sent;
  guint coalesced;
};

HzKeyframeLimiter *
hz_keyframe_limiter_new (gint64 interval_us, HzKeyframeSendFunc send, gpointer user_data)
{
  HzKeyframeLimiter *limiter = g_new0 (HzKeyframeLimiter, 1);

  limiter->interval_us = interval_us;
  limiter->send = send;
  limiter->user_data = user_data;
  return limiter;
}

void
hz_keyframe_limiter_free (HzKeyframeLimiter *limiter)
{
  if (limiter == NULL)
    return;
  g_clear_handle_id (&limiter->timer_id, g_source_remove);
  g_free (limiter);
}

static void
send_now (HzKeyframeLimiter *limiter)
{
  limiter->last_sent_us = g_get_monotonic_time ();
  limiter->sent++;
  limiter->send (limiter->user_data);
}

static gboolean
on_interval_end (gpointer user_data)
{
  HzKeyframeLimiter *limiter = user_data;

  limiter->timer_id = 0;
  send_now (limiter);
  return G_SOURCE_REMOVE;
}

void
hz_keyframe_limiter_request (HzKeyframeLimiter *limiter)
{
  gint64 since_last;
  gint64 wait_us;

  if (limiter->timer_id != 0) {
    limiter->coalesced++;
    return;
  }

  since_last = g_get_monotonic_time () - limiter->last_sent_us;
  if (limiter->last_sent_us == 0 || since_last >= limiter->interval_us) {
    send_now (limiter);
    return;
  }

  /* Round up so that the timer never fires before the interval has ended. */
  wait_us = limiter->interval_us - since_last;
  limiter->timer_id = g_timeout_add ((guint) ((wait_us + 999) / 1000), on_interval_end, limiter);
}

guint
hz_keyframe_limiter_get_sent (const HzKeyframeLimiter *limiter)
{
  return limiter->sent;
}

guint
hz_keyframe_limiter_get_coalesced (const HzKeyframeLimiter *limiter)
{
  return limiter->coalesced;
}
