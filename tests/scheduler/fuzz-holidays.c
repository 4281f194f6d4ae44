/* Fuzz target: the holiday calendar parser on arbitrary file contents.
 * Every accepted calendar must satisfy what its users rely on: days sorted
 * and unique, make-up working days on weekends, periods that exist. */
#include <glib.h>
#include <stdint.h>

#include "hz-holidays.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_calendar (const HzHolidayCalendar *calendar)
{
  for (guint i = 0; i < calendar->days->len; i++)
    {
      const HzHolidayDay *day = &g_array_index (calendar->days, HzHolidayDay, i);

      g_assert_true (g_date_valid (&day->date));
      g_assert_cmpuint (day->period, <, calendar->periods->len);
      g_assert_true (hz_holiday_calendar_lookup (calendar, &day->date) == day);
      if (i > 0)
        g_assert_cmpint (g_date_compare (&(day - 1)->date, &day->date), <, 0);
      if (day->kind == HZ_HOLIDAY_DAY_WORKDAY)
        g_assert_cmpint (g_date_get_weekday (&day->date), >=, G_DATE_SATURDAY);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzHolidayCalendar) calendar =
    hz_holiday_calendar_parse ((const char *) data, size, "fuzz.conf", &error);

  g_assert_true ((calendar == NULL) == (error != NULL));
  if (calendar != NULL)
    check_calendar (calendar);
  return 0;
}
