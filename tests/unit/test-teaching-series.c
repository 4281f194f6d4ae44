/* Unit tests of teaching series expansion (hz-teaching-series.h). */
#include <glib.h>

#include "hz-sched-time.h"
#include "hz-teaching-series.h"

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

static HzRecurrence
weekly (GTimeZone  *zone,
        const char *start,
        const char *end)
{
  HzRecurrence recurrence = { at (start), at (end), zone, 1, 0, { 0 }, NULL };

  g_date_clear (&recurrence.until, 1);
  return recurrence;
}

static void
test_count (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  HzRecurrence recurrence = weekly (zone, "2027-01-05T14:00:00+08:00",
                                    "2027-01-05T15:30:00+08:00");
  g_autoptr (GArray) occurrences = NULL;
  const HzOccurrence *seventh;

  recurrence.count = 12;
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_OK);
  g_assert_cmpuint (occurrences->len, ==, 12);

  seventh = &g_array_index (occurrences, HzOccurrence, 6);
  g_assert_cmpuint (seventh->index, ==, 7);
  g_assert_cmpint (seventh->start, ==, at ("2027-02-16T14:00:00+08:00"));
  g_assert_cmpint (seventh->end, ==, at ("2027-02-16T15:30:00+08:00"));
  g_assert_cmpint (g_date_get_day (&seventh->date), ==, 16);
}

static void
test_until_and_exclusions (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  HzRecurrence recurrence = weekly (zone, "2027-01-05T14:00:00+08:00",
                                    "2027-01-05T15:00:00+08:00");
  g_autoptr (GArray) excluded = g_array_new (FALSE, FALSE, sizeof (GDate));
  g_autoptr (GArray) occurrences = NULL;
  GDate skip = date_of (2027, 1, 19);

  g_array_append_val (excluded, skip);
  recurrence.until = date_of (2027, 2, 2);
  recurrence.exclude_dates = excluded;

  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_OK);
  /* 5, 12, (19 excluded), 26 January and 2 February. */
  g_assert_cmpuint (occurrences->len, ==, 4);
  g_assert_cmpuint (g_array_index (occurrences, HzOccurrence, 2).index, ==, 4);
  g_assert_cmpint (g_array_index (occurrences, HzOccurrence, 3).start, ==,
                   at ("2027-02-02T14:00:00+08:00"));
}

/* An "until" time is the latest start, as RFC 5545's UNTIL date-time. */
static void
test_until_time (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  HzRecurrence recurrence = weekly (zone, "2027-01-22T17:00:00+08:00",
                                    "2027-01-22T18:00:00+08:00");
  g_autoptr (GArray) cut = NULL;
  g_autoptr (GArray) inclusive = NULL;
  g_autoptr (GArray) by_date = NULL;

  recurrence.has_until_time = TRUE;
  recurrence.until_time = at ("2027-02-05T08:00:00+08:00");
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &cut), ==, HZ_RECURRENCE_OK);
  g_assert_cmpuint (cut->len, ==, 2);
  g_assert_cmpint (g_array_index (cut, HzOccurrence, 1).start, ==,
                   at ("2027-01-29T17:00:00+08:00"));

  recurrence.until_time = at ("2027-02-05T09:00:00Z");
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &inclusive), ==, HZ_RECURRENCE_OK);
  g_assert_cmpuint (inclusive->len, ==, 3);

  /* A date includes the whole local day. */
  recurrence.has_until_time = FALSE;
  recurrence.until = date_of (2027, 2, 5);
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &by_date), ==, HZ_RECURRENCE_OK);
  g_assert_cmpuint (by_date->len, ==, 3);
}

static void
test_excluded_count_keeps_indexes (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  HzRecurrence recurrence = weekly (zone, "2027-01-05T14:00:00+08:00",
                                    "2027-01-05T15:00:00+08:00");
  g_autoptr (GArray) excluded = g_array_new (FALSE, FALSE, sizeof (GDate));
  g_autoptr (GArray) occurrences = NULL;
  GDate second = date_of (2027, 1, 12);

  g_array_append_val (excluded, second);
  recurrence.count = 3;
  recurrence.exclude_dates = excluded;

  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_OK);
  g_assert_cmpuint (occurrences->len, ==, 2);
  g_assert_cmpuint (g_array_index (occurrences, HzOccurrence, 0).index, ==, 1);
  g_assert_cmpuint (g_array_index (occurrences, HzOccurrence, 1).index, ==, 3);
}

static void
test_single_session (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  HzRecurrence recurrence = weekly (zone, "2027-01-05T14:00:00+08:00",
                                    "2027-01-05T15:00:00+08:00");
  g_autoptr (GArray) occurrences = NULL;

  recurrence.interval_weeks = 0;
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_OK);
  g_assert_cmpuint (occurrences->len, ==, 1);
  g_assert_cmpuint (g_array_index (occurrences, HzOccurrence, 0).index, ==, 1);
}

/* Berlin leaves winter time on 28 March 2027: the 09:00 round stays at
 * 09:00 local time, one hour earlier in UTC. */
static void
test_daylight_saving (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Europe/Berlin");
  HzRecurrence recurrence = weekly (zone, "2027-03-22T09:00:00+01:00",
                                    "2027-03-22T10:00:00+01:00");
  g_autoptr (GArray) occurrences = NULL;

  recurrence.count = 2;
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_OK);
  g_assert_cmpint (g_array_index (occurrences, HzOccurrence, 1).start, ==,
                   at ("2027-03-29T09:00:00+02:00"));
  g_assert_cmpint (g_array_index (occurrences, HzOccurrence, 1).end, ==,
                   at ("2027-03-29T10:00:00+02:00"));
}

/* Returns the start of occurrence INDEX (0-based) of a weekly series of
 * COUNT in ZONE_NAME whose first occurrence starts at START and lasts an
 * hour. */
static gint64
weekly_start (const char *zone_name,
              const char *start,
              guint       count,
              guint       index)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (zone_name);
  HzRecurrence recurrence = weekly (zone, start, start);
  g_autoptr (GArray) occurrences = NULL;
  const HzOccurrence *occurrence;

  recurrence.first_end = recurrence.first_start + 3600;
  recurrence.count = count;
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_OK);
  g_assert_cmpuint (index, <, occurrences->len);
  occurrence = &g_array_index (occurrences, HzOccurrence, index);
  g_assert_cmpint (occurrence->end - occurrence->start, ==, 3600);
  return occurrence->start;
}

/* As RFC 5545 reads local times: a time that clocks skip moves forward by
 * the gap, and a time that occurs twice is its first pass. */
static void
test_gap_and_fold (void)
{
  /* Berlin skips 02:00-03:00 on 28 March 2027, New York on 14 March. */
  g_assert_cmpint (weekly_start ("Europe/Berlin", "2027-03-21T02:30:00+01:00", 3, 1), ==,
                   at ("2027-03-28T03:30:00+02:00"));
  g_assert_cmpint (weekly_start ("Europe/Berlin", "2027-03-21T02:30:00+01:00", 3, 2), ==,
                   at ("2027-04-04T02:30:00+02:00"));
  g_assert_cmpint (weekly_start ("America/New_York", "2027-03-07T02:30:00-05:00", 2, 1), ==,
                   at ("2027-03-14T03:30:00-04:00"));

  /* New York repeats 01:00-02:00 on 7 November 2027, Berlin 02:00-03:00
   * on 31 October. */
  g_assert_cmpint (weekly_start ("America/New_York", "2027-10-31T01:30:00-04:00", 2, 1), ==,
                   at ("2027-11-07T01:30:00-04:00"));
  g_assert_cmpint (weekly_start ("Europe/Berlin", "2027-10-24T02:30:00+02:00", 2, 1), ==,
                   at ("2027-10-31T02:30:00+02:00"));

  /* A first occurrence in the second pass stays as given. */
  g_assert_cmpint (weekly_start ("America/New_York", "2027-11-07T01:30:00-05:00", 2, 0), ==,
                   at ("2027-11-07T01:30:00-05:00"));
  g_assert_cmpint (weekly_start ("America/New_York", "2027-11-07T01:30:00-05:00", 2, 1), ==,
                   at ("2027-11-14T01:30:00-05:00"));
}

static void
test_limits (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  HzRecurrence recurrence = weekly (zone, "2027-01-05T14:00:00+08:00",
                                    "2027-01-05T15:00:00+08:00");
  g_autoptr (GArray) excluded = g_array_new (FALSE, FALSE, sizeof (GDate));
  GArray *occurrences = NULL;
  GDate first = date_of (2027, 1, 5);

  recurrence.count = HZ_TEACHING_MAX_OCCURRENCES + 1;
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_TOO_MANY);
  g_assert_null (occurrences);

  recurrence.count = 0;
  recurrence.until = date_of (2030, 1, 1);
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_TOO_MANY);

  recurrence.until = date_of (2027, 1, 4);
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_EMPTY);

  g_array_append_val (excluded, first);
  recurrence.count = 1;
  recurrence.exclude_dates = excluded;
  g_assert_cmpint (hz_recurrence_expand (&recurrence, &occurrences), ==, HZ_RECURRENCE_EMPTY);
  g_assert_null (occurrences);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("TZ", "America/Los_Angeles", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/teaching-series/count", test_count);
  g_test_add_func ("/teaching-series/until-and-exclusions", test_until_and_exclusions);
  g_test_add_func ("/teaching-series/until-time", test_until_time);
  g_test_add_func ("/teaching-series/excluded-count-keeps-indexes",
                   test_excluded_count_keeps_indexes);
  g_test_add_func ("/teaching-series/single-session", test_single_session);
  g_test_add_func ("/teaching-series/daylight-saving", test_daylight_saving);
  g_test_add_func ("/teaching-series/gap-and-fold", test_gap_and_fold);
  g_test_add_func ("/teaching-series/limits", test_limits);

  return g_test_run ();
}
