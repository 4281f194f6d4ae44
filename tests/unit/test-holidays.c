/* Unit tests of the holiday calendar parser (hz-holidays.h), on the
 * shipped config/holidays/cn.conf and on small files with one defect each. */
#include <glib.h>
#include <string.h>

#include "hz-holidays.h"

static HzHolidayCalendar *
load_shipped (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("HUIZHEN_SOURCE_ROOT"),
                                            "config", "holidays", "cn.conf", NULL);
  g_autoptr (GError) error = NULL;
  HzHolidayCalendar *calendar = hz_holiday_calendar_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (calendar);
  return calendar;
}

static const HzHolidayDay *
lookup (const HzHolidayCalendar *calendar,
        const char              *text)
{
  GDate date;

  g_assert_true (hz_holiday_parse_date (text, &date));
  return hz_holiday_calendar_lookup (calendar, &date);
}

static const char *
period_name (const HzHolidayCalendar *calendar,
             const HzHolidayDay      *day)
{
  const HzHolidayPeriod *period = g_ptr_array_index (calendar->periods, day->period);

  return period->name;
}

typedef struct {
  const char *date;
  int kind;                  /* -1 for an ordinary day */
  const char *name;
} DayCase;

/* From the State Council's notice of 2025-11-04 for 2026. */
static const DayCase shipped_2026[] = {
  { "2026-01-01", HZ_HOLIDAY_DAY_OFF, "元旦" },
  { "2026-01-03", HZ_HOLIDAY_DAY_OFF, "元旦" },
  { "2026-01-04", HZ_HOLIDAY_DAY_WORKDAY, "元旦" },
  { "2026-01-05", -1, NULL },
  { "2026-02-14", HZ_HOLIDAY_DAY_WORKDAY, "春节" },
  { "2026-02-15", HZ_HOLIDAY_DAY_OFF, "春节" },
  { "2026-02-23", HZ_HOLIDAY_DAY_OFF, "春节" },
  { "2026-02-24", -1, NULL },
  { "2026-02-28", HZ_HOLIDAY_DAY_WORKDAY, "春节" },
  { "2026-04-06", HZ_HOLIDAY_DAY_OFF, "清明节" },
  { "2026-05-05", HZ_HOLIDAY_DAY_OFF, "劳动节" },
  { "2026-05-09", HZ_HOLIDAY_DAY_WORKDAY, "劳动节" },
  { "2026-06-19", HZ_HOLIDAY_DAY_OFF, "端午节" },
  { "2026-09-20", HZ_HOLIDAY_DAY_WORKDAY, "国庆节" },
  { "2026-09-25", HZ_HOLIDAY_DAY_OFF, "中秋节" },
  { "2026-10-07", HZ_HOLIDAY_DAY_OFF, "国庆节" },
  { "2026-10-08", -1, NULL },
  { "2026-10-10", HZ_HOLIDAY_DAY_WORKDAY, "国庆节" },
  { "2026-12-25", -1, NULL },
};

static void
test_shipped_2026 (void)
{
  g_autoptr (HzHolidayCalendar) calendar = load_shipped ();

  g_assert_cmpstr (calendar->title, ==, "中国大陆法定节假日");
  for (gsize i = 0; i < G_N_ELEMENTS (shipped_2026); i++)
    {
      const HzHolidayDay *day = lookup (calendar, shipped_2026[i].date);

      g_test_message ("date: %s", shipped_2026[i].date);
      if (shipped_2026[i].kind < 0)
        {
          g_assert_null (day);
          continue;
        }
      g_assert_nonnull (day);
      g_assert_cmpint (day->kind, ==, shipped_2026[i].kind);
      g_assert_cmpstr (period_name (calendar, day), ==, shipped_2026[i].name);
      g_assert_false (((HzHolidayPeriod *) g_ptr_array_index (calendar->periods,
                                                              day->period))->provisional);
    }
}

/* 2027 is projected, so every one of its periods says so. */
static void
test_shipped_2027_provisional (void)
{
  g_autoptr (HzHolidayCalendar) calendar = load_shipped ();
  guint days_2027 = 0;

  for (guint i = 0; i < calendar->days->len; i++)
    {
      const HzHolidayDay *day = &g_array_index (calendar->days, HzHolidayDay, i);
      const HzHolidayPeriod *period = g_ptr_array_index (calendar->periods, day->period);

      if (g_date_get_year (&day->date) != 2027)
        continue;
      days_2027++;
      g_assert_true (period->provisional);
    }

  g_assert_cmpuint (days_2027, >, 20);
  g_assert_cmpint (lookup (calendar, "2027-02-05")->kind, ==, HZ_HOLIDAY_DAY_OFF);
  g_assert_cmpint (lookup (calendar, "2027-10-01")->kind, ==, HZ_HOLIDAY_DAY_OFF);
}

static void
test_shipped_sorted (void)
{
  g_autoptr (HzHolidayCalendar) calendar = load_shipped ();

  for (guint i = 1; i < calendar->days->len; i++)
    g_assert_cmpint (g_date_compare (&g_array_index (calendar->days, HzHolidayDay, i - 1).date,
                                     &g_array_index (calendar->days, HzHolidayDay, i).date),
                     <, 0);
}

#define HEADER "[calendar]\ntitle = 测试\ntitle-en = Test\n"

typedef struct {
  const char *data;
  const char *message_part;  /* expected in the error message */
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "not a key file", "test.conf" },
  { "[calendar]\ntitle-en = Test\n", "[calendar] title: missing required key" },
  { HEADER "colour = red\n", "[calendar] colour: unknown key" },
  { HEADER "[p]\nname-en = P\nholidays = 2026-01-01\n", "[p] name: missing required key" },
  { HEADER "[p]\nname = 节\nname-en = P\n", "[p] holidays: missing required key" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays =\n", "[p] holidays: the value is empty" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-02-30\n", "2026-02-30: expected a date" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-1-1\n", "expected a date" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-01-05..2026-01-01\n",
    "the range ends before it starts" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-01-01..2026-03-01\n",
    "a range spans at most 31 days" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-01-01;2026-01-01\n",
    "listed more than once" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-01-01\n"
           "[q]\nname = 节\nname-en = Q\nholidays = 2025-12-31..2026-01-02\n",
    "[q] holidays = 2025-12-31..2026-01-02: the date is listed more than once" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-01-01\nworkdays = 2026-01-05\n",
    "must be a Saturday or a Sunday" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-01-01\n"
           "workdays = 2026-01-03..2026-01-04\n", "one by one" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-01-01\nprovisional = maybe\n",
    "provisional = maybe: expected true or false" },
  { HEADER "[p]\nname = 节\nname-en = P\nholidays = 2026-01-01\nname[en] = P\n",
    "unknown key" },
};

static void
test_invalid_files (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      g_autoptr (GError) error = NULL;
      g_autoptr (HzHolidayCalendar) calendar = NULL;

      g_test_message ("input: %s", c->data);
      calendar = hz_holiday_calendar_parse (c->data, strlen (c->data), "test.conf", &error);
      g_assert_null (calendar);
      g_assert_nonnull (error);
      g_assert_true (error->domain == HZ_HOLIDAY_ERROR);
      g_assert_nonnull (strstr (error->message, "test.conf"));
      g_assert_nonnull (strstr (error->message, c->message_part));
    }
}

static void
test_minimal_file (void)
{
  const char *data = HEADER
    "[p]\nname = 节\nname-en = P\nholidays = 2026-01-01 ; 2026-01-02..2026-01-03 ;\n"
    "workdays = 2026-01-04\nsource = 测试\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (HzHolidayCalendar) calendar =
    hz_holiday_calendar_parse (data, strlen (data), "test.conf", &error);
  const HzHolidayPeriod *period;

  g_assert_no_error (error);
  g_assert_cmpuint (calendar->periods->len, ==, 1);
  g_assert_cmpuint (calendar->days->len, ==, 4);
  period = g_ptr_array_index (calendar->periods, 0);
  g_assert_cmpstr (period->id, ==, "p");
  g_assert_cmpstr (period->source, ==, "测试");
  g_assert_false (period->provisional);
  g_assert_cmpint (lookup (calendar, "2026-01-02")->kind, ==, HZ_HOLIDAY_DAY_OFF);
  g_assert_cmpint (lookup (calendar, "2026-01-04")->kind, ==, HZ_HOLIDAY_DAY_WORKDAY);
  g_assert_null (lookup (calendar, "2025-12-31"));
}

static void
test_parse_date (void)
{
  const char *const valid[] = { "2026-01-01", "2024-02-29", "1900-01-01", "2999-12-31" };
  const char *const invalid[] = {
    "", "2026-01-1", "2026-13-01", "2026-00-10", "2025-02-29", "1899-12-31",
    "3000-01-01", "2026/01/01", "+026-01-01", "2026-01-01 ", "2026-0a-01", "2026- 1-01",
  };
  GDate date;

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (hz_holiday_parse_date (valid[i], &date));
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_message ("input: %s", invalid[i]);
      g_assert_false (hz_holiday_parse_date (invalid[i], &date));
    }
}

static void
test_calendar_names (void)
{
  g_assert_true (hz_holiday_calendar_name_is_valid ("cn"));
  g_assert_true (hz_holiday_calendar_name_is_valid ("cn-shanghai-2"));
  g_assert_false (hz_holiday_calendar_name_is_valid (""));
  g_assert_false (hz_holiday_calendar_name_is_valid ("CN"));
  g_assert_false (hz_holiday_calendar_name_is_valid ("2cn"));
  g_assert_false (hz_holiday_calendar_name_is_valid ("../cn"));
  g_assert_false (hz_holiday_calendar_name_is_valid ("cn.conf"));
  g_assert_false (hz_holiday_calendar_name_is_valid ("abcdefghijklmnopqrstuvwxyzabcdefg"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/holidays/shipped-2026", test_shipped_2026);
  g_test_add_func ("/holidays/shipped-2027-provisional", test_shipped_2027_provisional);
  g_test_add_func ("/holidays/shipped-sorted", test_shipped_sorted);
  g_test_add_func ("/holidays/invalid-files", test_invalid_files);
  g_test_add_func ("/holidays/minimal-file", test_minimal_file);
  g_test_add_func ("/holidays/parse-date", test_parse_date);
  g_test_add_func ("/holidays/calendar-names", test_calendar_names);

  return g_test_run ();
}
