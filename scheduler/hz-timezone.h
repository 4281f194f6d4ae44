/* Time zone identifiers that come from API requests and the database, and
 * the instants at which a zone's wall clock shows a given civil time. */
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

/* Finds the instants at which the wall clock of ZONE shows the civil time
 * WALL, given as the Unix seconds of that civil time read in UTC. Returns
 * 1 when there is one such instant, stored in both *EARLIER and *LATER.
 * Returns 2 in a fold (clocks set back), with the two instants in order.
 * Returns 0 in a gap (clocks set forward, so no instant exists): *EARLIER
 * is WALL read with the offset after the gap and *LATER with the offset
 * before it, which is the time moved forward by the gap's length, as RFC
 * 5545 (section 3.3.5) reads a nonexistent local time.
 * NOTE: offsets are taken a day before and a day after WALL, so a zone
 * that changes its offset twice within two days is read as if only the
 * outer offsets existed. No zone of the tz database has done so since
 * 1970. */
guint hz_timezone_find_local (GTimeZone *zone,
                              gint64     wall,
                              gint64    *earlier,
                              gint64    *later);

G_END_DECLS
