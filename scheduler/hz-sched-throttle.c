#include "hz-sched-throttle.h"

const char *
hz_throttle_scope_to_string (HzThrottleScope scope)
{
  return scope == HZ_THROTTLE_ACCOUNT ? "account" : "address";
}

gint64
hz_throttle_block_seconds (HzThrottleScope scope,
                           gint64          failures)
{
  gint64 free_failures = scope == HZ_THROTTLE_ACCOUNT ? HZ_THROTTLE_ACCOUNT_FREE_FAILURES
                                                      : HZ_THROTTLE_ADDRESS_FREE_FAILURES;
  gint64 block = HZ_THROTTLE_FIRST_BLOCK_SECONDS;

  if (failures < free_failures)
    return 0;

  for (gint64 i = free_failures; i < failures && block < HZ_THROTTLE_MAX_BLOCK_SECONDS; i++)
    block *= 2;

  return MIN (block, HZ_THROTTLE_MAX_BLOCK_SECONDS);
}
