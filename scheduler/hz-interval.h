/* Half-open time intervals [start, end) in Unix seconds. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns TRUE when [A_START, A_END) and [B_START, B_END) share at least one
 * instant: a_start < b_end AND b_start < a_end. Intervals that only touch
 * (a_end == b_start) do not overlap, so back-to-back bookings are allowed.
 * Callers pass non-empty intervals (start < end); the booking code rejects
 * the others before they get here. */
gboolean hz_interval_overlaps (gint64 a_start,
                               gint64 a_end,
                               gint64 b_start,
                               gint64 b_end);

G_END_DECLS
