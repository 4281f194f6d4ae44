#include "hz-sched-time.h"

#include <string.h>

/* Reads exactly COUNT decimal digits at *CURSOR and advances past them. */
static gboolean
read_digits (const char **cursor,
             int          count,
             int         *value)
{
  int result = 0;

  for (int i = 0; i < count; i++)
    {
      char c = (*cursor)[i];

      if (!g_ascii_isdigit (c))
        return FALSE;
      result = result * 10 + (c - '0');
    }

  *cursor += count;
  *value = result;
  return TRUE;
}

static gboolean
expect_char (const char **cursor,
             char         expected)
{
  if (**cursor != expected)
    return FALSE;
  (*cursor)++;
  return TRUE;
}

static gboolean
is_leap_year (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month (int year,
               int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && is_leap_year (year))
    return 29;
  return days[month - 1];
}

/* Days from 1970-01-01 to YEAR-MONTH-DAY in the proleptic Gregorian
 * calendar. The algorithm counts 400-year eras of 146097 days, with March
 * as the first month so that the leap day falls at the end of a year. */
static gint64
days_from_civil (gint64 year,
                 int    month,
                 int    day)
{
  gint64 era;
  gint64 year_of_era;
  gint64 day_of_year;
  gint64 day_of_era;

  if (month <= 2)
    year -= 1;
  era = (year >= 0 ? year : year - 399) / 400;
  year_of_era = year - era * 400;
  day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

  return era * 146097 + day_of_era - 719468;
}

/* Reads "Z", "z", "+hh:mm" or "-hh:mm" into seconds east of UTC. */
static gboolean
read_offset (const char **cursor,
             gint64      *offset_seconds)
{
  char sign = **cursor;
  int hours;
  int minutes;

  if (sign == 'Z' || sign == 'z')
    {
      (*cursor)++;
      *offset_seconds = 0;
      return TRUE;
    }

  if (sign != '+' && sign != '-')
    return FALSE;
  (*cursor)++;

  if (!read_digits (cursor, 2, &hours) || !expect_char (cursor, ':') ||
      !read_digits (cursor, 2, &minutes))
    return FALSE;
  if (hours > 23 || minutes > 59)
    return FALSE;

  *offset_seconds = (gint64) hours * 3600 + minutes * 60;
  if (sign == '-')
    *offset_seconds = -*offset_seconds;
  return TRUE;
}

gboolean
hz_time_parse_rfc3339 (const char *text,
                       gint64     *unix_seconds)
{
  const char *cursor = text;
  int year, month, day, hour, minute, second;
  gint64 offset;
  gint64 result;

  g_return_val_if_fail (unix_seconds != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  if (!read_digits (&cursor, 4, &year) || !expect_char (&cursor, '-') ||
      !read_digits (&cursor, 2, &month) || !expect_char (&cursor, '-') ||
      !read_digits (&cursor, 2, &day))
    return FALSE;

  if (*cursor != 'T' && *cursor != 't')
    return FALSE;
  cursor++;

  if (!read_digits (&cursor, 2, &hour) || !expect_char (&cursor, ':') ||
      !read_digits (&cursor, 2, &minute) || !expect_char (&cursor, ':') ||
      !read_digits (&cursor, 2, &second))
    return FALSE;

  if (*cursor == '.')
    {
      cursor++;
      if (!g_ascii_isdigit (*cursor))
        return FALSE;
      while (g_ascii_isdigit (*cursor))
        cursor++;
    }

  if (!read_offset (&cursor, &offset) || *cursor != '\0')
    return FALSE;

  if (month < 1 || month > 12 || day < 1 || day > days_in_month (year, month))
    return FALSE;
  if (hour > 23 || minute > 59 || second > 59)
    return FALSE;

  result = days_from_civil (year, month, day) * 86400 +
           hour * 3600 + minute * 60 + second - offset;
  if (result < HZ_TIME_MIN || result > HZ_TIME_MAX)
    return FALSE;

  *unix_seconds = result;
  return TRUE;
}

gboolean
hz_time_is_leap_second (const char *text)
{
  g_autofree char *copy = NULL;
  gint64 ignored;

  /* "YYYY-MM-DDThh:mm:60" has the seconds at offsets 17 and 18. */
  if (text == NULL || strlen (text) < 20 || text[16] != ':' || text[17] != '6' || text[18] != '0')
    return FALSE;
  copy = g_strdup (text);
  copy[17] = '5';
  copy[18] = '9';
  return hz_time_parse_rfc3339 (copy, &ignored);
}

/* Formats TIME with OFFSET_SECONDS as "+hh:mm" / "-hh:mm", or with "Z" when
 * UTC_DESIGNATOR is set. */
static char *
format_fields (GDateTime *time,
               gint64     offset_seconds,
               gboolean   utc_designator)
{
  int year, month, day;
  gint64 magnitude = ABS (offset_seconds);
  g_autofree char *offset_text = NULL;

  g_date_time_get_ymd (time, &year, &month, &day);

  if (utc_designator)
    offset_text = g_strdup ("Z");
  else
    offset_text = g_strdup_printf ("%c%02d:%02d",
                                   offset_seconds < 0 ? '-' : '+',
                                   (int) (magnitude / 3600),
                                   (int) (magnitude % 3600 / 60));

  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d%s",
                          year, month, day,
                          g_date_time_get_hour (time),
                          g_date_time_get_minute (time),
                          g_date_time_get_second (time),
                          offset_text);
}

char *
hz_time_format_rfc3339 (gint64     unix_seconds,
                        GTimeZone *zone)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;
  gint64 offset_seconds;

  if (unix_seconds < HZ_TIME_MIN || unix_seconds > HZ_TIME_MAX)
    return NULL;

  utc = g_date_time_new_from_unix_utc (unix_seconds);
  if (utc == NULL)
    return NULL;

  if (zone != NULL)
    local = g_date_time_to_timezone (utc, zone);
  if (local == NULL)
    return format_fields (utc, 0, TRUE);

  offset_seconds = g_date_time_get_utc_offset (local) / G_TIME_SPAN_SECOND;
  if (offset_seconds % 60 != 0)
    return format_fields (utc, 0, TRUE);

  return format_fields (local, offset_seconds, FALSE);
}
