/* Unit tests of the availability rules (hz-availability.h) and of the
 * interval sets beneath them. The process runs in America/Los_Angeles, so
 * a result that depended on the local zone instead of the expert's would
 * be off by 16 hours. */
#include <glib.h>
#include <stdlib.h>

#include "hz-availability.h"
#include "hz-sched-time.h"

static gint64
at (const char *rfc3339)
{
  gint64 value = 0;

  g_assert_true (hz_time_parse_rfc3339 (rfc3339, &value));
  return value;
}

static GDate
date_of (int year,
         int month,
         int day)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return date;
}

static void
add_hours (HzAvailability *availability,
           int             weekday,
           int             start_minute,
           int             end_minute)
{
  HzWorkingHours hours = { weekday, start_minute, end_minute };

  g_array_append_val (availability->hours, hours);
}

/* Monday to Friday 09:00-12:00 and 14:00-17:00 in Asia/Shanghai. */
static HzAvailability *
office_hours (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  HzAvailability *availability = hz_availability_new (zone);

  for (int weekday = 1; weekday <= 5; weekday++)
    {
      add_hours (availability, weekday, 9 * 60, 12 * 60);
      add_hours (availability, weekday, 14 * 60, 17 * 60);
    }

  return availability;
}

static void
assert_interval (GArray     *set,
                 guint       index,
                 const char *start,
                 const char *end)
{
  g_assert_cmpuint (index, <, set->len);
  g_assert_cmpint (g_array_index (set, HzInterval, index).start, ==, at (start));
  g_assert_cmpint (g_array_index (set, HzInterval, index).end, ==, at (end));
}

static void
test_windows_weekday (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();
  g_autoptr (GArray) windows = hz_availability_windows (
    availability, at ("2026-12-07T00:00:00+08:00"), at ("2026-12-08T00:00:00+08:00"));

  g_assert_cmpuint (windows->len, ==, 2);
  assert_interval (windows, 0, "2026-12-07T09:00:00+08:00", "2026-12-07T12:00:00+08:00");
  assert_interval (windows, 1, "2026-12-07T14:00:00+08:00", "2026-12-07T17:00:00+08:00");
}

static void
test_windows_weekend_empty (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();
  g_autoptr (GArray) windows = hz_availability_windows (
    availability, at ("2026-12-12T00:00:00+08:00"), at ("2026-12-14T00:00:00+08:00"));

  g_assert_cmpuint (windows->len, ==, 0);
}

static void
test_holiday_and_workday (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();
  GDate monday = date_of (2026, 12, 7);
  GDate sunday = date_of (2026, 12, 13);
  g_autoptr (GArray) holiday = NULL;
  g_autoptr (GArray) workday = NULL;

  hz_availability_set_day (availability, &monday, HZ_HOLIDAY_DAY_OFF);
  hz_availability_set_day (availability, &sunday, HZ_HOLIDAY_DAY_WORKDAY);

  holiday = hz_availability_windows (availability, at ("2026-12-07T00:00:00+08:00"),
                                     at ("2026-12-08T00:00:00+08:00"));
  g_assert_cmpuint (holiday->len, ==, 0);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T09:00:00+08:00"),
                                          at ("2026-12-07T09:30:00+08:00")),
                   ==, HZ_BOOKING_PUBLIC_HOLIDAY);

  /* The make-up Sunday has Monday's hours. */
  workday = hz_availability_windows (availability, at ("2026-12-13T00:00:00+08:00"),
                                     at ("2026-12-14T00:00:00+08:00"));
  g_assert_cmpuint (workday->len, ==, 2);
  assert_interval (workday, 0, "2026-12-13T09:00:00+08:00", "2026-12-13T12:00:00+08:00");
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-13T09:00:00+08:00"),
                                          at ("2026-12-13T09:30:00+08:00")),
                   ==, HZ_BOOKING_OK);
}

typedef struct {
  const char *start;
  const char *end;
  HzBookingProblem expected;
} CheckCase;

static const CheckCase office_cases[] = {
  { "2026-12-07T09:00:00+08:00", "2026-12-07T09:30:00+08:00", HZ_BOOKING_OK },
  { "2026-12-07T01:00:00Z", "2026-12-07T01:30:00Z", HZ_BOOKING_OK },
  { "2026-12-07T11:30:00+08:00", "2026-12-07T12:00:00+08:00", HZ_BOOKING_OK },
  { "2026-12-07T08:30:00+08:00", "2026-12-07T09:00:00+08:00", HZ_BOOKING_OUTSIDE_HOURS },
  { "2026-12-07T08:59:00+08:00", "2026-12-07T09:29:00+08:00", HZ_BOOKING_OUTSIDE_HOURS },
  { "2026-12-07T11:30:00+08:00", "2026-12-07T12:30:00+08:00", HZ_BOOKING_OUTSIDE_HOURS },
  { "2026-12-07T11:30:00+08:00", "2026-12-07T14:30:00+08:00", HZ_BOOKING_OUTSIDE_HOURS },
  { "2026-12-12T09:00:00+08:00", "2026-12-12T09:30:00+08:00", HZ_BOOKING_OUTSIDE_HOURS },
  /* 09:00 in Los Angeles is 01:00 the next day in Shanghai. */
  { "2026-12-07T09:00:00-08:00", "2026-12-07T09:30:00-08:00", HZ_BOOKING_OUTSIDE_HOURS },
};

static void
test_check_hours (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();

  for (gsize i = 0; i < G_N_ELEMENTS (office_cases); i++)
    {
      g_test_message ("booking %s to %s", office_cases[i].start, office_cases[i].end);
      g_assert_cmpint (hz_availability_check (availability, at (office_cases[i].start),
                                              at (office_cases[i].end)),
                       ==, office_cases[i].expected);
    }
}

static void
test_midnight_hours_merge (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr (HzAvailability) availability = hz_availability_new (zone);

  add_hours (availability, 1, 20 * 60, 24 * 60);
  add_hours (availability, 2, 0, 2 * 60);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T23:30:00+08:00"),
                                          at ("2026-12-08T00:30:00+08:00")),
                   ==, HZ_BOOKING_OK);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-08T01:30:00+08:00"),
                                          at ("2026-12-08T02:30:00+08:00")),
                   ==, HZ_BOOKING_OUTSIDE_HOURS);
}

static void
test_leave (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();
  g_autoptr (GArray) windows = NULL;

  hz_interval_set_add (availability->leave, at ("2026-12-07T10:00:00+08:00"),
                       at ("2026-12-07T11:00:00+08:00"));
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T10:30:00+08:00"),
                                          at ("2026-12-07T11:30:00+08:00")),
                   ==, HZ_BOOKING_ON_LEAVE);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T09:30:00+08:00"),
                                          at ("2026-12-07T10:00:00+08:00")),
                   ==, HZ_BOOKING_OK);

  windows = hz_availability_windows (availability, at ("2026-12-07T00:00:00+08:00"),
                                     at ("2026-12-08T00:00:00+08:00"));
  g_assert_cmpuint (windows->len, ==, 3);
  assert_interval (windows, 0, "2026-12-07T09:00:00+08:00", "2026-12-07T10:00:00+08:00");
  assert_interval (windows, 1, "2026-12-07T11:00:00+08:00", "2026-12-07T12:00:00+08:00");
}

static void
test_extra_hours (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();

  hz_interval_set_add (availability->extra, at ("2026-12-12T10:00:00+08:00"),
                       at ("2026-12-12T11:00:00+08:00"));
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-12T10:00:00+08:00"),
                                          at ("2026-12-12T11:00:00+08:00")),
                   ==, HZ_BOOKING_OK);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-12T10:30:00+08:00"),
                                          at ("2026-12-12T11:30:00+08:00")),
                   ==, HZ_BOOKING_OUTSIDE_HOURS);
}

static void
test_busy_and_buffer (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();

  hz_interval_set_add (availability->busy, at ("2026-12-07T09:00:00+08:00"),
                       at ("2026-12-07T09:30:00+08:00"));

  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T09:30:00+08:00"),
                                          at ("2026-12-07T10:00:00+08:00")),
                   ==, HZ_BOOKING_OK);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T09:15:00+08:00"),
                                          at ("2026-12-07T09:45:00+08:00")),
                   ==, HZ_BOOKING_BUSY);

  availability->buffer_seconds = 10 * 60;
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T09:30:00+08:00"),
                                          at ("2026-12-07T10:00:00+08:00")),
                   ==, HZ_BOOKING_BUSY);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T09:40:00+08:00"),
                                          at ("2026-12-07T10:10:00+08:00")),
                   ==, HZ_BOOKING_OK);
}

static void
test_notice (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();

  availability->earliest_start = at ("2026-12-07T10:00:00+08:00");
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T09:30:00+08:00"),
                                          at ("2026-12-07T10:00:00+08:00")),
                   ==, HZ_BOOKING_TOO_SHORT_NOTICE);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T10:00:00+08:00"),
                                          at ("2026-12-07T10:30:00+08:00")),
                   ==, HZ_BOOKING_OK);
}

static void
test_no_hours_unrestricted (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr (HzAvailability) availability = hz_availability_new (zone);
  g_autoptr (GArray) free = NULL;
  GDate holiday = date_of (2026, 12, 7);

  hz_availability_set_day (availability, &holiday, HZ_HOLIDAY_DAY_OFF);
  g_assert_cmpint (hz_availability_check (availability, at ("2026-12-07T03:00:00+08:00"),
                                          at ("2026-12-07T03:30:00+08:00")),
                   ==, HZ_BOOKING_OK);

  /* All of the day is free but the session. */
  hz_interval_set_add (availability->busy, at ("2026-12-07T09:00:00+08:00"),
                       at ("2026-12-07T09:30:00+08:00"));
  free = hz_availability_free_time (availability, at ("2026-12-07T00:00:00+08:00"),
                                    at ("2026-12-08T00:00:00+08:00"));
  g_assert_cmpuint (free->len, ==, 2);
  assert_interval (free, 0, "2026-12-07T00:00:00+08:00", "2026-12-07T09:00:00+08:00");
  assert_interval (free, 1, "2026-12-07T09:30:00+08:00", "2026-12-08T00:00:00+08:00");
}

static void
test_slots (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();
  g_autoptr (GArray) free = NULL;
  g_autoptr (GArray) slots = hz_interval_set_new ();

  hz_interval_set_add (availability->busy, at ("2026-12-07T09:30:00+08:00"),
                       at ("2026-12-07T10:00:00+08:00"));
  free = hz_availability_free_time (availability, at ("2026-12-07T09:07:00+08:00"),
                                    at ("2026-12-07T12:00:00+08:00"));
  g_assert_cmpuint (free->len, ==, 2);
  assert_interval (free, 0, "2026-12-07T09:07:00+08:00", "2026-12-07T09:30:00+08:00");

  g_assert_true (hz_availability_add_slots (slots, free, availability->zone,
                                            30 * 60, 15 * 60, 100));
  /* 09:07-09:30 is too short, then 10:00 to 11:30 every 15 minutes. */
  g_assert_cmpuint (slots->len, ==, 7);
  assert_interval (slots, 0, "2026-12-07T10:00:00+08:00", "2026-12-07T10:30:00+08:00");
  assert_interval (slots, 6, "2026-12-07T11:30:00+08:00", "2026-12-07T12:00:00+08:00");

  g_array_set_size (slots, 0);
  g_assert_false (hz_availability_add_slots (slots, free, availability->zone,
                                             30 * 60, 15 * 60, 3));
  g_assert_cmpuint (slots->len, ==, 3);
}

static void
test_slots_notice (void)
{
  g_autoptr (HzAvailability) availability = office_hours ();
  g_autoptr (GArray) free = NULL;

  availability->earliest_start = at ("2026-12-07T11:00:00+08:00");
  free = hz_availability_free_time (availability, at ("2026-12-07T00:00:00+08:00"),
                                    at ("2026-12-08T00:00:00+08:00"));
  g_assert_cmpuint (free->len, ==, 2);
  assert_interval (free, 0, "2026-12-07T11:00:00+08:00", "2026-12-07T12:00:00+08:00");
}

/* Returns the windows of a Sunday's hours START_MINUTE to END_MINUTE in
 * ZONE_NAME over [FROM, TO), and the 30-minute slots in them in *SLOTS. */
static GArray *
sunday_windows (const char  *zone_name,
                int          start_minute,
                int          end_minute,
                const char  *from,
                const char  *to,
                GArray     **slots)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (zone_name);
  g_autoptr (HzAvailability) availability = hz_availability_new (zone);
  GArray *windows;

  add_hours (availability, 7, start_minute, end_minute);
  windows = hz_availability_windows (availability, at (from), at (to));
  *slots = hz_interval_set_new ();
  g_assert_true (hz_availability_add_slots (*slots, windows, zone, 30 * 60, 30 * 60, 100));
  return windows;
}

/* On the day that clocks go back, a range starts at the first pass of its
 * start time and ends at the last pass of its end time, so no working
 * time is lost in the repeated hour. */
static void
test_fall_back_keeps_repeated_hour (void)
{
  g_autoptr (GArray) new_york_slots = NULL;
  g_autoptr (GArray) new_york = sunday_windows (
    "America/New_York", 60, 4 * 60, "2027-11-07T00:00:00-04:00", "2027-11-08T00:00:00-05:00",
    &new_york_slots);
  g_autoptr (GArray) berlin_slots = NULL;
  g_autoptr (GArray) berlin = sunday_windows (
    "Europe/Berlin", 2 * 60, 4 * 60, "2027-10-31T00:00:00+02:00", "2027-11-01T00:00:00+01:00",
    &berlin_slots);
  g_autoptr (GArray) end_slots = NULL;
  g_autoptr (GArray) end_in_fold = sunday_windows (
    "America/New_York", 0, 90, "2027-11-07T00:00:00-04:00", "2027-11-08T00:00:00-05:00",
    &end_slots);

  /* 01:00 EDT to 04:00 EST: four hours, with 01:00 and 01:30 twice. */
  g_assert_cmpuint (new_york->len, ==, 1);
  assert_interval (new_york, 0, "2027-11-07T01:00:00-04:00", "2027-11-07T04:00:00-05:00");
  g_assert_cmpuint (new_york_slots->len, ==, 8);
  assert_interval (new_york_slots, 0, "2027-11-07T01:00:00-04:00", "2027-11-07T01:30:00-04:00");
  assert_interval (new_york_slots, 2, "2027-11-07T01:00:00-05:00", "2027-11-07T01:30:00-05:00");

  /* 02:00 CEST to 04:00 CET: three hours. */
  g_assert_cmpuint (berlin->len, ==, 1);
  assert_interval (berlin, 0, "2027-10-31T02:00:00+02:00", "2027-10-31T04:00:00+01:00");
  g_assert_cmpuint (berlin_slots->len, ==, 6);

  /* An end in the repeated hour is its second pass: 00:00 EDT to 01:30 EST. */
  g_assert_cmpuint (end_in_fold->len, ==, 1);
  assert_interval (end_in_fold, 0, "2027-11-07T00:00:00-04:00", "2027-11-07T01:30:00-05:00");
  g_assert_cmpuint (end_slots->len, ==, 5);
}

/* A start in the hour that clocks skip becomes the end of the gap. */
static void
test_spring_forward_gap (void)
{
  g_autoptr (GArray) slots = NULL;
  g_autoptr (GArray) berlin = sunday_windows (
    "Europe/Berlin", 2 * 60 + 30, 4 * 60, "2027-03-28T00:00:00+01:00",
    "2027-03-29T00:00:00+02:00", &slots);

  g_assert_cmpuint (berlin->len, ==, 1);
  assert_interval (berlin, 0, "2027-03-28T03:00:00+02:00", "2027-03-28T04:00:00+02:00");
  g_assert_cmpuint (slots->len, ==, 2);
}

static void
test_interval_set_subtract (void)
{
  g_autoptr (GArray) set = hz_interval_set_new ();
  g_autoptr (GArray) remove = hz_interval_set_new ();
  g_autoptr (GArray) result = NULL;

  hz_interval_set_add (set, 50, 60);
  hz_interval_set_add (set, 0, 10);
  hz_interval_set_add (set, 10, 20);
  hz_interval_set_add (set, 30, 40);
  hz_interval_set_add (set, 5, 5);
  hz_interval_set_add (remove, 8, 12);
  hz_interval_set_add (remove, 35, 55);
  hz_interval_set_add (remove, 15, 16);

  result = hz_interval_set_subtract (set, remove);
  g_assert_cmpuint (result->len, ==, 5);
  g_assert_cmpint (g_array_index (result, HzInterval, 0).start, ==, 0);
  g_assert_cmpint (g_array_index (result, HzInterval, 0).end, ==, 8);
  g_assert_cmpint (g_array_index (result, HzInterval, 1).start, ==, 12);
  g_assert_cmpint (g_array_index (result, HzInterval, 1).end, ==, 15);
  g_assert_cmpint (g_array_index (result, HzInterval, 2).start, ==, 16);
  g_assert_cmpint (g_array_index (result, HzInterval, 2).end, ==, 20);
  g_assert_cmpint (g_array_index (result, HzInterval, 3).start, ==, 30);
  g_assert_cmpint (g_array_index (result, HzInterval, 3).end, ==, 35);
  g_assert_cmpint (g_array_index (result, HzInterval, 4).start, ==, 55);
  g_assert_cmpint (g_array_index (result, HzInterval, 4).end, ==, 60);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("TZ", "America/Los_Angeles", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/availability/windows-weekday", test_windows_weekday);
  g_test_add_func ("/availability/windows-weekend-empty", test_windows_weekend_empty);
  g_test_add_func ("/availability/holiday-and-workday", test_holiday_and_workday);
  g_test_add_func ("/availability/check-hours", test_check_hours);
  g_test_add_func ("/availability/midnight-hours-merge", test_midnight_hours_merge);
  g_test_add_func ("/availability/leave", test_leave);
  g_test_add_func ("/availability/extra-hours", test_extra_hours);
  g_test_add_func ("/availability/busy-and-buffer", test_busy_and_buffer);
  g_test_add_func ("/availability/notice", test_notice);
  g_test_add_func ("/availability/no-hours-unrestricted", test_no_hours_unrestricted);
  g_test_add_func ("/availability/slots", test_slots);
  g_test_add_func ("/availability/slots-notice", test_slots_notice);
  g_test_add_func ("/availability/fall-back-repeated-hour", test_fall_back_keeps_repeated_hour);
  g_test_add_func ("/availability/spring-forward-gap", test_spring_forward_gap);
  g_test_add_func ("/availability/interval-set-subtract", test_interval_set_subtract);

  return g_test_run ();
}
