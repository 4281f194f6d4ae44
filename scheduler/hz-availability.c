#include "hz-availability.h"

#include "hz-timezone.h"

#define SECONDS_PER_DAY 86400

HzAvailability *
hz_availability_new (GTimeZone *zone)
{
  HzAvailability *availability = g_new0 (HzAvailability, 1);

  availability->zone = g_time_zone_ref (zone);
  availability->hours = g_array_new (FALSE, FALSE, sizeof (HzWorkingHours));
  availability->days = g_hash_table_new (NULL, NULL);
  availability->leave = hz_interval_set_new ();
  availability->extra = hz_interval_set_new ();
  availability->busy = hz_interval_set_new ();
  availability->earliest_start = G_MININT64;
  return availability;
}

void
hz_availability_free (HzAvailability *availability)
{
  if (availability == NULL)
    return;
  g_time_zone_unref (availability->zone);
  g_array_unref (availability->hours);
  g_hash_table_unref (availability->days);
  g_array_unref (availability->leave);
  g_array_unref (availability->extra);
  g_array_unref (availability->busy);
  g_free (availability);
}

void
hz_availability_set_day (HzAvailability   *availability,
                         const GDate      *date,
                         HzHolidayDayKind  kind)
{
  g_hash_table_insert (availability->days, GUINT_TO_POINTER (g_date_get_julian (date)),
                       GINT_TO_POINTER (kind + 1));
}

/* Returns the local date of UNIX_SECONDS in ZONE. */
static GDate
local_date (GTimeZone *zone,
            gint64     unix_seconds)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, zone);
  int year, month, day;
  GDate date;

  g_date_time_get_ymd (local, &year, &month, &day);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return date;
}

/* Which instant a range boundary takes when its wall time occurs twice. */
typedef enum {
  BOUNDARY_START,          /* the first time the clock shows it */
  BOUNDARY_END,            /* the last time the clock shows it */
} Boundary;

/* Returns the instant of MINUTE (0 to 1440) after local midnight of DATE.
 * Minute 1440 is midnight of the next day. In a fold (clocks set back) a
 * range starts at the first pass of its wall time and ends at the second,
 * so hours 01:00-04:00 keep both passes of 01:00-02:00. A wall time in a
 * gap (clocks set forward) becomes the end of the gap, as GLib's
 * g_date_time_new() moves it. */
static gint64
local_instant (GTimeZone   *zone,
               const GDate *date,
               int          minute,
               Boundary     boundary)
{
  GDate day = *date;
  g_autoptr (GDateTime) wall = NULL;
  g_autoptr (GDateTime) local = NULL;
  gint64 earlier, later;

  if (minute >= 1440)
    {
      g_date_add_days (&day, 1);
      minute = 0;
    }

  wall = g_date_time_new_utc (g_date_get_year (&day), g_date_get_month (&day),
                              g_date_get_day (&day), minute / 60, minute % 60, 0);
  if (hz_timezone_find_local (zone, g_date_time_to_unix (wall), &earlier, &later) > 0)
    return boundary == BOUNDARY_START ? earlier : later;

  local = g_date_time_new (zone, g_date_get_year (&day), g_date_get_month (&day),
                           g_date_get_day (&day), minute / 60, minute % 60, 0);
  return g_date_time_to_unix (local);
}

static gboolean
day_has_kind (const HzAvailability *availability,
              const GDate          *date,
              HzHolidayDayKind      kind)
{
  gpointer value = g_hash_table_lookup (availability->days,
                                        GUINT_TO_POINTER (g_date_get_julian (date)));

  return GPOINTER_TO_INT (value) == (int) kind + 1;
}

/* Adds the weekly hours of local day DATE to WINDOWS. */
static void
add_day_hours (const HzAvailability *availability,
               const GDate          *date,
               GArray               *windows)
{
  int weekday = g_date_get_weekday (date);

  if (day_has_kind (availability, date, HZ_HOLIDAY_DAY_OFF))
    return;
  if (day_has_kind (availability, date, HZ_HOLIDAY_DAY_WORKDAY))
    weekday = HZ_WORKDAY_HOURS_OF_WEEKDAY;

  for (guint i = 0; i < availability->hours->len; i++)
    {
      const HzWorkingHours *hours = &g_array_index (availability->hours, HzWorkingHours, i);

      if (hours->weekday != weekday)
        continue;
      hz_interval_set_add (windows,
                           local_instant (availability->zone, date, hours->start_minute,
                                          BOUNDARY_START),
                           local_instant (availability->zone, date, hours->end_minute,
                                          BOUNDARY_END));
    }
}

GArray *
hz_availability_windows (const HzAvailability *availability,
                         gint64                from,
                         gint64                to)
{
  g_autoptr (GArray) windows = hz_interval_set_new ();
  GArray *result;
  GDate date, last;

  /* A day's hours lie within that local day, so the days from one before
   * FROM to one after TO cover every window that reaches [FROM, TO). */
  date = local_date (availability->zone, MAX (from, G_MININT64 + SECONDS_PER_DAY) -
                                         SECONDS_PER_DAY);
  last = local_date (availability->zone, MIN (to, G_MAXINT64 - SECONDS_PER_DAY) +
                                         SECONDS_PER_DAY);

  /* Without weekly hours every instant is working time. */
  if (availability->hours->len == 0)
    hz_interval_set_add (windows, from, to);

  for (; g_date_compare (&date, &last) <= 0; g_date_add_days (&date, 1))
    add_day_hours (availability, &date, windows);

  g_array_append_vals (windows, availability->extra->data, availability->extra->len);
  result = hz_interval_set_subtract (windows, availability->leave);
  hz_interval_set_clip (result, from, to);
  return result;
}

/* Busy time widened by the buffer on both sides. */
static GArray *
buffered_busy_time (const HzAvailability *availability)
{
  GArray *blocked = hz_interval_set_new ();

  for (guint i = 0; i < availability->busy->len; i++)
    {
      const HzInterval *session = &g_array_index (availability->busy, HzInterval, i);

      hz_interval_set_add (blocked, session->start - availability->buffer_seconds,
                           session->end + availability->buffer_seconds);
    }

  return blocked;
}

GArray *
hz_availability_free_time (const HzAvailability *availability,
                           gint64                from,
                           gint64                to)
{
  g_autoptr (GArray) windows = hz_availability_windows (availability, from, to);
  g_autoptr (GArray) blocked = buffered_busy_time (availability);

  if (availability->earliest_start > from)
    hz_interval_set_add (blocked, from, availability->earliest_start);

  return hz_interval_set_subtract (windows, blocked);
}

/* Returns TRUE when a local day that [START, END) touches is a holiday. */
static gboolean
touches_holiday (const HzAvailability *availability,
                 gint64                start,
                 gint64                end)
{
  GDate date = local_date (availability->zone, start);
  GDate last = local_date (availability->zone, end - 1);

  for (; g_date_compare (&date, &last) <= 0; g_date_add_days (&date, 1))
    {
      if (day_has_kind (availability, &date, HZ_HOLIDAY_DAY_OFF))
        return TRUE;
    }

  return FALSE;
}

HzBookingProblem
hz_availability_check (const HzAvailability *availability,
                       gint64                start,
                       gint64                end)
{
  g_autoptr (GArray) blocked = NULL;

  if (start < availability->earliest_start)
    return HZ_BOOKING_TOO_SHORT_NOTICE;

  if (hz_interval_set_overlaps (availability->leave, start, end))
    return HZ_BOOKING_ON_LEAVE;

  if (availability->hours->len > 0)
    {
      g_autoptr (GArray) windows = hz_availability_windows (availability, start, end);

      if (!hz_interval_set_covers (windows, start, end))
        return touches_holiday (availability, start, end) ? HZ_BOOKING_PUBLIC_HOLIDAY
                                                          : HZ_BOOKING_OUTSIDE_HOURS;
    }

  blocked = buffered_busy_time (availability);
  if (hz_interval_set_overlaps (blocked, start, end))
    return HZ_BOOKING_BUSY;

  return HZ_BOOKING_OK;
}

HzBookingProblem
hz_availability_check_busy (const HzAvailability *availability,
                            gint64                start,
                            gint64                end)
{
  g_autoptr (GArray) blocked = NULL;

  if (hz_interval_set_overlaps (availability->leave, start, end))
    return HZ_BOOKING_ON_LEAVE;

  blocked = buffered_busy_time (availability);
  if (hz_interval_set_overlaps (blocked, start, end))
    return HZ_BOOKING_BUSY;

  return HZ_BOOKING_OK;
}

/* Returns the first instant at or after T that is a multiple of STEP
 * seconds after local midnight in ZONE. */
static gint64
align_up (GTimeZone *zone,
          gint64     t,
          gint64     step)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (t);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, zone);
  gint64 offset = g_date_time_get_utc_offset (local) / G_TIME_SPAN_SECOND;
  gint64 local_seconds = t + offset;
  gint64 remainder = ((local_seconds % step) + step) % step;

  return remainder == 0 ? t : t + (step - remainder);
}

gboolean
hz_availability_is_slot_start (GTimeZone *zone,
                               gint64     start,
                               gint64     step)
{
  g_return_val_if_fail (step > 0, FALSE);

  return align_up (zone, start, step) == start;
}

gboolean
hz_availability_add_slots (GArray    *slots,
                           GArray    *free,
                           GTimeZone *zone,
                           gint64     duration,
                           gint64     step,
                           guint      max_slots)
{
  g_return_val_if_fail (duration > 0 && step > 0, FALSE);

  for (guint i = 0; i < free->len; i++)
    {
      const HzInterval *interval = &g_array_index (free, HzInterval, i);

      /* Each start is aligned again, because a change of the UTC offset
       * inside the interval can move the grid of local times. */
      for (gint64 start = align_up (zone, interval->start, step);
           start + duration <= interval->end;
           start = align_up (zone, start + step, step))
        {
          if (slots->len >= max_slots)
            return FALSE;
          hz_interval_set_add (slots, start, start + duration);
        }
    }

  return TRUE;
}
