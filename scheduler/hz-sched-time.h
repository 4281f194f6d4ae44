/* RFC 3339 timestamps at the API boundary; Unix seconds everywhere else. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The zone of an organization created without one. Mainland China, Tibet
 * included, keeps one civil time, so every hospital in the demo uses it. */
#define HZ_DEFAULT_TIMEZONE "Asia/Shanghai"

/* The range that GDateTime can format: 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59Z. */
#define HZ_TIME_MIN G_GINT64_CONSTANT (-62135596800)
#define HZ_TIME_MAX G_GINT64_CONSTANT (253402300799)

/* Parses an RFC 3339 date-time ("2025-03-01T09:00:00+08:00") into Unix
 * seconds. The offset ("Z" or "+hh:mm" / "-hh:mm") is required. Fractional
 * seconds are accepted and truncated. Returns FALSE for anything else,
 * including a leap second (":60", which Unix time cannot represent) and
 * instants outside HZ_TIME_MIN..HZ_TIME_MAX. */
gboolean hz_time_parse_rfc3339 (const char *text,
                                gint64     *unix_seconds);

/* Whether TEXT is an RFC 3339 date-time that hz_time_parse_rfc3339()
 * rejects only for its leap second (seconds "60"). */
gboolean hz_time_is_leap_second (const char *text);

/* Formats UNIX_SECONDS as RFC 3339 with the offset that ZONE has at that
 * instant, e.g. "2025-03-01T09:00:00+08:00". Falls back to UTC ("Z") when
 * ZONE is NULL or its offset is not a whole number of minutes (local mean
 * time before 1901 in Asia/Shanghai, for example). Returns NULL outside
 * HZ_TIME_MIN..HZ_TIME_MAX. */
char *hz_time_format_rfc3339 (gint64     unix_seconds,
                              GTimeZone *zone);

G_END_DECLS
