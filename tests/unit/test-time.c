/* Unit tests of RFC 3339 parsing and formatting (hz-sched-time.h). */
#include <glib.h>

#include "hz-sched-time.h"

typedef struct {
  const char *text;
  gint64 expected;
} ValidCase;

static const ValidCase valid_cases[] = {
  { "1970-01-01T00:00:00Z", 0 },
  { "2025-03-01T09:00:00+08:00", 1740790800 },
  { "2025-03-01T01:00:00Z", 1740790800 },
  { "2025-03-01T01:00:00z", 1740790800 },
  { "2025-03-01t01:00:00Z", 1740790800 },
  { "2025-03-01T01:00:00+00:00", 1740790800 },
  { "2025-03-01T01:00:00-00:00", 1740790800 },
  { "2025-02-28T20:00:00-05:00", 1740790800 },
  { "2025-03-01T06:45:00+05:45", 1740790800 },
  /* Fractional seconds are truncated. */
  { "2025-03-01T09:00:00.999+08:00", 1740790800 },
  { "2025-03-01T09:00:00.1234567890+08:00", 1740790800 },
  /* Leap days. */
  { "2024-02-29T00:00:00Z", 1709164800 },
  { "2000-02-29T00:00:00Z", 951782400 },
  /* Before 1970 and the ends of the supported range. */
  { "1969-12-31T23:59:59Z", -1 },
  { "1900-01-01T00:00:00Z", -2208988800 },
  { "0001-01-01T00:00:00Z", G_GINT64_CONSTANT (-62135596800) },
  { "9999-12-31T23:59:59Z", G_GINT64_CONSTANT (253402300799) },
  { "9999-12-31T23:59:59+08:00", G_GINT64_CONSTANT (253402271999) },
  { "2106-02-07T06:28:16Z", G_GINT64_CONSTANT (4294967296) },
};

static void
test_parse_valid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      gint64 value = 42;

      g_test_message ("input: %s", valid_cases[i].text);
      g_assert_true (hz_time_parse_rfc3339 (valid_cases[i].text, &value));
      g_assert_cmpint (value, ==, valid_cases[i].expected);
    }
}

static const char *const invalid_cases[] = {
  "",
  "2025-03-01",
  "09:00:00+08:00",
  /* The offset is required. */
  "2025-03-01T09:00:00",
  "2025-03-01T09:00:00.5",
  /* Offsets must be Z or ±hh:mm. */
  "2025-03-01T09:00:00+08",
  "2025-03-01T09:00:00+0800",
  "2025-03-01T09:00:00+8:00",
  "2025-03-01T09:00:00+24:00",
  "2025-03-01T09:00:00+08:60",
  "2025-03-01T09:00:00 +08:00",
  "2025-03-01T09:00:00UTC",
  /* Separators and field widths. */
  "2025-03-01 09:00:00+08:00",
  "2025/03/01T09:00:00+08:00",
  "2025-3-01T09:00:00+08:00",
  "2025-03-01T9:00:00+08:00",
  "2025-03-01T09:00+08:00",
  "25-03-01T09:00:00+08:00",
  "+2025-03-01T09:00:00Z",
  "10000-01-01T00:00:00Z",
  "2025-03-01T09:00:00.+08:00",
  /* Out-of-range fields. */
  "2025-00-01T09:00:00Z",
  "2025-13-01T09:00:00Z",
  "2025-03-00T09:00:00Z",
  "2025-04-31T09:00:00Z",
  "2025-02-29T09:00:00Z",
  "1900-02-29T09:00:00Z",
  "2025-03-01T24:00:00Z",
  "2025-03-01T09:60:00Z",
  /* A leap second cannot be represented in Unix time. */
  "2016-12-31T23:59:60Z",
  "2016-12-31T23:59:60.5Z",
  /* Outside 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59-01:00",
  /* Trailing and embedded garbage. */
  "2025-03-01T09:00:00+08:00 ",
  "2025-03-01T09:00:00+08:00x",
  " 2025-03-01T09:00:00+08:00",
  "2025-03-01T09:00:0x+08:00",
  "２０２５-03-01T09:00:00+08:00",
};

static void
test_parse_invalid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      gint64 value = 42;

      g_test_message ("input: \"%s\"", invalid_cases[i]);
      g_assert_false (hz_time_parse_rfc3339 (invalid_cases[i], &value));
      g_assert_cmpint (value, ==, 42);
    }
}

/* A leap second is distinguished from other invalid text, so that the API
 * can explain why it rejects a valid RFC 3339 time. */
static void
test_leap_second (void)
{
  const char *leap[] = { "2016-12-31T23:59:60Z", "2017-01-01T07:59:60+08:00",
                         "2027-04-05T23:59:60.5+08:00" };
  const char *other[] = { "2016-12-31T23:59:59Z", "2016-12-31T23:59:61Z", "2016-12-31T23:59:60",
                          "2016-02-30T23:59:60Z", "60", "", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (leap); i++)
    {
      gint64 value;

      g_test_message ("leap: \"%s\"", leap[i]);
      g_assert_false (hz_time_parse_rfc3339 (leap[i], &value));
      g_assert_true (hz_time_is_leap_second (leap[i]));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (other); i++)
    {
      g_test_message ("not leap: \"%s\"", other[i] != NULL ? other[i] : "(null)");
      g_assert_false (hz_time_is_leap_second (other[i]));
    }
}

static void
test_parse_null (void)
{
  gint64 value = 42;

  g_assert_false (hz_time_parse_rfc3339 (NULL, &value));
  g_assert_cmpint (value, ==, 42);
}

static void
test_format_shanghai (void)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (HZ_DEFAULT_TIMEZONE);
  g_autofree char *text = NULL;

  g_assert_nonnull (zone);
  text = hz_time_format_rfc3339 (1740790800, zone);
  g_assert_cmpstr (text, ==, "2025-03-01T09:00:00+08:00");
}

static void
test_format_offsets (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GTimeZone) minus_five = g_time_zone_new_offset (-5 * 3600);
  g_autoptr (GTimeZone) kathmandu = g_time_zone_new_offset (5 * 3600 + 45 * 60);
  g_autofree char *utc_text = hz_time_format_rfc3339 (1740790800, utc);
  g_autofree char *minus_text = hz_time_format_rfc3339 (1740790800, minus_five);
  g_autofree char *kathmandu_text = hz_time_format_rfc3339 (1740790800, kathmandu);
  g_autofree char *null_zone_text = hz_time_format_rfc3339 (1740790800, NULL);

  g_assert_cmpstr (utc_text, ==, "2025-03-01T01:00:00+00:00");
  g_assert_cmpstr (minus_text, ==, "2025-02-28T20:00:00-05:00");
  g_assert_cmpstr (kathmandu_text, ==, "2025-03-01T06:45:00+05:45");
  g_assert_cmpstr (null_zone_text, ==, "2025-03-01T01:00:00Z");
}

static void
test_format_range (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autofree char *first = hz_time_format_rfc3339 (HZ_TIME_MIN, utc);
  g_autofree char *last = hz_time_format_rfc3339 (HZ_TIME_MAX, utc);
  g_autofree char *before = hz_time_format_rfc3339 (HZ_TIME_MIN - 1, utc);
  g_autofree char *after = hz_time_format_rfc3339 (HZ_TIME_MAX + 1, utc);

  g_assert_cmpstr (first, ==, "0001-01-01T00:00:00+00:00");
  g_assert_cmpstr (last, ==, "9999-12-31T23:59:59+00:00");
  g_assert_null (before);
  g_assert_null (after);
}

/* Formatting in any zone and parsing again gives the same instant. */
static void
test_round_trip (void)
{
  const char *const zones[] = { "Asia/Shanghai", "UTC", "America/New_York", "Asia/Kathmandu" };
  const gint64 instants[] = { 0, 1740790800, -2208988800, G_GINT64_CONSTANT (4102444800) };

  for (gsize z = 0; z < G_N_ELEMENTS (zones); z++)
    {
      g_autoptr (GTimeZone) zone = g_time_zone_new_identifier (zones[z]);

      if (zone == NULL)
        {
          g_test_message ("zone %s missing from the system, skipped", zones[z]);
          continue;
        }

      for (gsize i = 0; i < G_N_ELEMENTS (instants); i++)
        {
          g_autofree char *text = hz_time_format_rfc3339 (instants[i], zone);
          gint64 parsed = 0;

          g_test_message ("%" G_GINT64_FORMAT " in %s: %s", instants[i], zones[z], text);
          g_assert_nonnull (text);
          g_assert_true (hz_time_parse_rfc3339 (text, &parsed));
          g_assert_cmpint (parsed, ==, instants[i]);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/time/parse/valid", test_parse_valid);
  g_test_add_func ("/time/parse/invalid", test_parse_invalid);
  g_test_add_func ("/time/parse/null", test_parse_null);
  g_test_add_func ("/time/parse/leap-second", test_leap_second);
  g_test_add_func ("/time/format/shanghai", test_format_shanghai);
  g_test_add_func ("/time/format/offsets", test_format_offsets);
  g_test_add_func ("/time/format/range", test_format_range);
  g_test_add_func ("/time/round-trip", test_round_trip);

  return g_test_run ();
}
