/* When an expert can be booked: one definition for booking and for slot
 * search.
 *
 * The inputs are the expert's weekly hours in the time zone of their
 * organization, the holiday calendar's days, exceptions (leave removes
 * time, extra hours add it), the expert's sessions and the booking rules.
 * Busy time is each session widened by the buffer on both sides. All
 * instants are Unix seconds; intervals are half-open [start, end).
 *
 * An expert without weekly hours is available at any time, holidays
 * included: a booking is checked only for notice, leave and busy time,
 * and slot search offers every time that passes those checks.
 */
#pragma once

#include <glib.h>

#include "hz-holidays.h"
#include "hz-interval-set.h"

G_BEGIN_DECLS

/* Minutes after local midnight: [start_minute, end_minute) on WEEKDAY. */
typedef struct {
  int weekday;               /* 1 (Monday) to 7 (Sunday), ISO 8601 */
  int start_minute;          /* 0 to 1439 */
  int end_minute;            /* 1 to 1440, after start_minute */
} HzWorkingHours;

/* A make-up working day (调休上班日) has the hours of this weekday,
 * because the State Council's notices do not say which weekday it
 * replaces. */
#define HZ_WORKDAY_HOURS_OF_WEEKDAY 1

typedef enum {
  HZ_BOOKING_OK,
  HZ_BOOKING_TOO_SHORT_NOTICE,
  HZ_BOOKING_ON_LEAVE,
  HZ_BOOKING_PUBLIC_HOLIDAY,
  HZ_BOOKING_OUTSIDE_HOURS,
  HZ_BOOKING_BUSY,
} HzBookingProblem;

typedef struct {
  GTimeZone *zone;           /* of the expert's organization */
  GArray *hours;             /* HzWorkingHours; empty for no weekly hours */
  GHashTable *days;          /* Julian day number → HzHolidayDayKind + 1 */
  GArray *leave;             /* HzInterval: leave and other absences */
  GArray *extra;             /* HzInterval: time available outside the weekly hours */
  GArray *busy;              /* HzInterval: the expert's sessions, without buffer */
  gint64 buffer_seconds;     /* kept free before and after each session */
  gint64 earliest_start;     /* now plus the minimum notice */
} HzAvailability;

/* Returns empty inputs in ZONE (a new reference is taken) with no
 * earliest start. */
HzAvailability *hz_availability_new (GTimeZone *zone);
void hz_availability_free (HzAvailability *availability);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzAvailability, hz_availability_free)

void hz_availability_set_day (HzAvailability   *availability,
                              const GDate      *date,
                              HzHolidayDayKind  kind);

/* Returns the normalized working time within [FROM, TO): weekly hours by
 * the kind of each local day (or all of [FROM, TO) without weekly hours),
 * plus extra hours, minus leave. */
GArray *hz_availability_windows (const HzAvailability *availability,
                                 gint64                from,
                                 gint64                to);

/* Returns the normalized bookable time within [FROM, TO): the windows
 * minus busy time (with buffers) and minus everything before the earliest
 * start. */
GArray *hz_availability_free_time (const HzAvailability *availability,
                                   gint64                from,
                                   gint64                to);

/* Checks a booking of [START, END), in the order of the problems' enum
 * (notice first, busy time last), and returns the first problem. */
HzBookingProblem hz_availability_check (const HzAvailability *availability,
                                        gint64                start,
                                        gint64                end);

/* Checks [START, END) against leave and busy time (with buffers) only, as
 * for a teaching round, which may lie outside working hours: returns
 * HZ_BOOKING_ON_LEAVE, HZ_BOOKING_BUSY or HZ_BOOKING_OK. */
HzBookingProblem hz_availability_check_busy (const HzAvailability *availability,
                                             gint64                start,
                                             gint64                end);

/* Whether START is a multiple of STEP seconds after local midnight in
 * ZONE, with the offset that ZONE has at START. */
gboolean hz_availability_is_slot_start (GTimeZone *zone,
                                        gint64     start,
                                        gint64     step);

/* Appends to SLOTS (HzInterval) every [s, s + DURATION) inside one
 * interval of FREE for which hz_availability_is_slot_start (ZONE, s, STEP)
 * holds. Stops at MAX_SLOTS in total and then returns FALSE. */
gboolean hz_availability_add_slots (GArray    *slots,
                                    GArray    *free,
                                    GTimeZone *zone,
                                    gint64     duration,
                                    gint64     step,
                                    guint      max_slots);

G_END_DECLS
