/* Fuzz target: RFC 3339 time strings from request bodies and queries. */
#include <glib.h>
#include <stdint.h>

#include "hz-sched-time.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gint64 seconds = 0;

  if (hz_time_parse_rfc3339 (text, &seconds))
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autofree char *formatted = hz_time_format_rfc3339 (seconds, utc);
      gint64 again = 0;

      /* Whatever parses must format and parse back to the same instant. */
      g_assert_true (seconds >= HZ_TIME_MIN && seconds <= HZ_TIME_MAX);
      g_assert_nonnull (formatted);
      g_assert_true (hz_time_parse_rfc3339 (formatted, &again));
      g_assert_cmpint (again, ==, seconds);
    }

  /* A leap second is one that the parser rejects. */
  if (hz_time_is_leap_second (text))
    g_assert_false (hz_time_parse_rfc3339 (text, &seconds));
  return 0;
}
