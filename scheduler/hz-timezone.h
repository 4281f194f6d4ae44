/* Time zone identifiers that come from API requests and the database. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_TIMEZONE_MAX_LENGTH 64

/* Returns whether IDENTIFIER names a zone of the system's IANA database:
 * at most HZ_TIMEZONE_MAX_LENGTH characters matching
 * [A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)* ("Asia/Shanghai", "UTC", "Etc/GMT+8"),
 * naming a regular TZif file below $TZDIR or /usr/share/zoneinfo, and
 * resolving, after symbolic links, to a file inside that directory. Offsets
 * ("+05:00"), absolute paths, "..", the copies of the zones below "posix/"
 * and "right/", and other files (FIFOs, text files) are
 * rejected without being opened as zones, because g_time_zone_new_identifier()
 * opens whatever path it is given, hangs on a FIFO and logs criticals for a
 * file that is not TZif. */
gboolean hz_timezone_is_known (const char *identifier);

/* Returns the zone of IDENTIFIER, or NULL when hz_timezone_is_known()
 * rejects it. */
GTimeZone *hz_timezone_new (const char *identifier);

G_END_DECLS
