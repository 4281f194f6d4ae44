/* How long repeated failed logins are blocked.
 *
 * Failures are counted per login name (existing or not) and per client
 * address. A count restarts when its last failure is older than
 * HZ_THROTTLE_WINDOW_SECONDS. Once a count reaches its free allowance,
 * every further failure blocks that name or address for twice as long as
 * the one before, from HZ_THROTTLE_FIRST_BLOCK_SECONDS up to
 * HZ_THROTTLE_MAX_BLOCK_SECONDS. While blocked, a login is rejected with
 * 429 too_many_attempts before its password is checked.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_THROTTLE_ACCOUNT_FREE_FAILURES 5
#define HZ_THROTTLE_ADDRESS_FREE_FAILURES 20
#define HZ_THROTTLE_WINDOW_SECONDS (15 * 60)
#define HZ_THROTTLE_FIRST_BLOCK_SECONDS 2
#define HZ_THROTTLE_MAX_BLOCK_SECONDS (15 * 60)

typedef enum {
  HZ_THROTTLE_ACCOUNT,
  HZ_THROTTLE_ADDRESS,
} HzThrottleScope;

const char *hz_throttle_scope_to_string (HzThrottleScope scope);

/* Returns the block in seconds after FAILURES consecutive failures in
 * SCOPE: 0 below the free allowance, then 2, 4, 8, ... seconds up to the
 * maximum. */
gint64 hz_throttle_block_seconds (HzThrottleScope scope,
                                  gint64          failures);

G_END_DECLS
