#include "hz-teaching-series.h"

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

static GDate
date_of (GDateTime *local)
{
  int year, month, day;
  GDate date;

  g_date_time_get_ymd (local, &year, &month, &day);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return date;
}

/* Returns the local start of occurrence K (0-based). */
static GDateTime *
occurrence_start (const HzRecurrence *recurrence,
                  GDateTime          *first,
                  guint               k)
{
  int year, month, day;
  g_autoptr (GDateTime) moved = g_date_time_add_weeks (first,
                                                       (int) (k * recurrence->interval_weeks));

  /* Rebuild the wall-clock time in the zone, so that the local start
   * stays the same when an offset change lies between the two dates. */
  g_date_time_get_ymd (moved, &year, &month, &day);
  return g_date_time_new (recurrence->zone, year, month, day,
                          g_date_time_get_hour (first), g_date_time_get_minute (first),
                          g_date_time_get_seconds (first));
}

/* Returns TRUE while occurrence K lies within the count or the end date. */
static gboolean
in_range (const HzRecurrence *recurrence,
          guint               k,
          const GDate        *date)
{
  if (recurrence->interval_weeks == 0)
    return k == 0;
  if (recurrence->count > 0)
    return k < recurrence->count;
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
      g_autoptr (GDateTime) start = occurrence_start (recurrence, first, k);
      HzOccurrence occurrence;

      occurrence.date = date_of (start);
      if (!in_range (recurrence, k, &occurrence.date))
        break;
      if (k >= HZ_TEACHING_MAX_OCCURRENCES)
        return HZ_RECURRENCE_TOO_MANY;
      if (is_excluded (recurrence, &occurrence.date))
        continue;

      occurrence.index = k + 1;
      occurrence.start = g_date_time_to_unix (start);
      occurrence.end = occurrence.start + duration;
      g_array_append_val (result, occurrence);
    }

  if (result->len == 0)
    return HZ_RECURRENCE_EMPTY;

  *occurrences = g_steal_pointer (&result);
  return HZ_RECURRENCE_OK;
}
