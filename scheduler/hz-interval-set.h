/* Sets of half-open time intervals [start, end) in Unix seconds, kept in
 * GArrays of HzInterval. A normalized set is sorted by start, and its
 * intervals neither overlap nor touch. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 start;
  gint64 end;
} HzInterval;

GArray *hz_interval_set_new (void);

/* Appends [START, END) unless it is empty. */
void hz_interval_set_add (GArray *set,
                          gint64  start,
                          gint64  end);

/* Sorts SET and merges intervals that overlap or touch, in place. */
void hz_interval_set_normalize (GArray *set);

/* Returns the normalized set of the instants in SET and not in REMOVE.
 * Both arguments may be unnormalized. */
GArray *hz_interval_set_subtract (GArray *set,
                                  GArray *remove);

/* Cuts the normalized SET down to [FROM, TO), in place. */
void hz_interval_set_clip (GArray *set,
                           gint64  from,
                           gint64  to);

/* Returns TRUE when one interval of the normalized SET contains all of
 * [START, END). */
gboolean hz_interval_set_covers (GArray *set,
                                 gint64  start,
                                 gint64  end);

/* Returns TRUE when some interval of SET overlaps [START, END). */
gboolean hz_interval_set_overlaps (GArray *set,
                                   gint64  start,
                                   gint64  end);

G_END_DECLS
