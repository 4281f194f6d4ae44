#include "hz-teaching-series.h"

#include "hz-timezone.h"

static gboolean
is_excluded (const HzRecurrence *recurrence,
             const GDate        *date)
{
  if (recurrence->exclude_dates == NULL)
    return FALSE;

  for (guint i = 0; i < recurrence->exclude_dates->len; i++)
    {
      if (g_date_compare (&g_array_index (recurrence->exclude_dates, GDate, i), date) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Returns the start of occurrence K (0-based) and sets *DATE to its local
 * date. Later occurrences keep the first one's wall-clock time, so that the
 * local start stays the same when an offset change lies between the two
 * dates. As RFC 5545 (section 3.3.5) reads a local time, one that occurs
 * twice (clocks set back) is its first pass, and one that does not exist
 * (clocks set forward) moves forward by the length of the gap: 02:30 on a
 * day that skips from 02:00 to 03:00 is 03:30. */
static gint64
occurrence_start (const HzRecurrence *recurrence,
                  GDateTime          *first,
                  guint               k,
                  GDate              *date)
{
  int year, month, day;
  g_autoptr (GDateTime) moved = g_date_time_add_weeks (first,
                                                       (int) (k * recurrence->interval_weeks));
  g_autoptr (GDateTime) wall = NULL;
  gint64 earlier, later;

  g_date_time_get_ymd (moved, &year, &month, &day);
  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  if (k == 0)
    return recurrence->first_start;

  wall = g_date_time_new_utc (year, month, day, g_date_time_get_hour (first),
                              g_date_time_get_minute (first), g_date_time_get_second (first));
  if (hz_timezone_find_local (recurrence->zone, g_date_time_to_unix (wall), &earlier,
                              &later) == 0)
    return later;
  return earlier;
}

/* Returns TRUE while occurrence K, which starts at START on local DATE,
 * lies within the count, the end time or the end date. */
static gboolean
in_range (const HzRecurrence *recurrence,
          guint               k,
          const GDate        *date,
          gint64              start)
{
  if (recurrence->interval_weeks == 0)
    return k == 0;
  if (recurrence->count > 0)
    return k < recurrence->count;
  if (recurrence->has_until_time)
    return start <= recurrence->until_time;
  return g_date_valid (&recurrence->until) && g_date_compare (date, &recurrence->until) <= 0;
}

HzRecurrenceResult
hz_recurrence_expand (const HzRecurrence  *recurrence,
                      GArray             **occurrences)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (recurrence->first_start);
  g_autoptr (GDateTime) first = g_date_time_to_timezone (utc, recurrence->zone);
  g_autoptr (GArray) result = g_array_new (FALSE, FALSE, sizeof (HzOccurrence));
  gint64 duration = recurrence->first_end - recurrence->first_start;

  *occurrences = NULL;
  if (recurrence->count > HZ_TEACHING_MAX_OCCURRENCES)
    return HZ_RECURRENCE_TOO_MANY;

  for (guint k = 0;; k++)
    {
      HzOccurrence occurrence;
      gint64 start = occurrence_start (recurrence, first, k, &occurrence.date);

      if (!in_range (recurrence, k, &occurrence.date, start))
        break;
      if (k >= HZ_TEACHING_MAX_OCCURRENCES)
        return HZ_RECURRENCE_TOO_MANY;
      if (is_excluded (recurrence, &occurrence.date))
        continue;

      occurrence.index = k + 1;
      occurrence.start = start;
      occurrence.end = occurrence.start + duration;
      g_array_append_val (result, occurrence);
    }

  if (result->len == 0)
    return HZ_RECURRENCE_EMPTY;

  *occurrences = g_steal_pointer (&result);
  return HZ_RECURRENCE_OK;
}
