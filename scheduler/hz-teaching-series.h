/* Occurrences of a teaching series: a first session repeated every N weeks
 * at the same local wall-clock time, up to a count or an end date, without
 * the excluded dates. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Maximum occurrences of one series: two years of weekly rounds. */
#define HZ_TEACHING_MAX_OCCURRENCES 104

typedef struct {
  gint64 first_start;        /* the first occurrence, Unix seconds */
  gint64 first_end;
  GTimeZone *zone;           /* of the presenter's organization; borrowed */
  guint interval_weeks;      /* 1 for weekly; 0 for a single session */
  guint count;               /* occurrences including excluded ones, or 0 */
  GDate until;               /* last possible local date, when count is 0 and
                              * has_until_time is FALSE */
  GArray *exclude_dates;     /* GDate, local dates without an occurrence; may be NULL */
  gboolean has_until_time;   /* whether the series ends at until_time, not a date */
  gint64 until_time;         /* latest possible start, Unix seconds, as RFC 5545's
                              * UNTIL date-time */
} HzRecurrence;

typedef struct {
  guint index;               /* 1-based position in the series, excluded dates counted */
  gint64 start;
  gint64 end;
  GDate date;                /* local date of the start */
} HzOccurrence;

typedef enum {
  HZ_RECURRENCE_OK,
  HZ_RECURRENCE_TOO_MANY,    /* more than HZ_TEACHING_MAX_OCCURRENCES */
  HZ_RECURRENCE_EMPTY,       /* no occurrence is left */
} HzRecurrenceResult;

/* Sets *OCCURRENCES to a new array of HzOccurrence in time order. Each
 * occurrence keeps the first one's local start time and its duration, so
 * a daylight saving change moves it in UTC, not on the wall clock. A start
 * time that the clocks skip moves forward by the gap's length, and one
 * that they show twice is its first pass (RFC 5545, section 3.3.5). A
 * RECURRENCE with interval_weeks 0 gives the first session only. With a
 * count, the index runs from 1 to count and excluded dates leave gaps, as
 * COUNT and EXDATE do in RFC 5545. *OCCURRENCES is NULL unless the result
 * is HZ_RECURRENCE_OK. */
HzRecurrenceResult hz_recurrence_expand (const HzRecurrence  *recurrence,
                                         GArray             **occurrences);

G_END_DECLS
