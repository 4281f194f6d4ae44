#include "hz-holidays.h"

#include <string.h>

G_DEFINE_QUARK (hz-holiday-error-quark, hz_holiday_error)

#define CALENDAR_GROUP "calendar"

static const char *const calendar_keys[] = { "title", "title-en", NULL };
static const char *const period_keys[] = {
  "name", "name-en", "holidays", "workdays", "provisional", "source", NULL,
};

/* State of one parse: the file name for messages and the dates seen so
 * far, so that a date listed twice is found. */
typedef struct {
  const char *path;
  GKeyFile *file;
  HzHolidayCalendar *calendar;
  GHashTable *seen;          /* julian day number → GUINT_TO_POINTER (1) */
} Parser;

static void
period_free (gpointer data)
{
  HzHolidayPeriod *period = data;

  g_free (period->id);
  g_free (period->name);
  g_free (period->name_en);
  g_free (period->source);
  g_free (period);
}

void
hz_holiday_calendar_free (HzHolidayCalendar *calendar)
{
  if (calendar == NULL)
    return;
  g_free (calendar->title);
  g_free (calendar->title_en);
  g_clear_pointer (&calendar->periods, g_ptr_array_unref);
  g_clear_pointer (&calendar->days, g_array_unref);
  g_free (calendar);
}

gboolean
hz_holiday_parse_date (const char *text,
                       GDate      *date)
{
  guint64 year, month, day;
  char digits[5] = { 0 };

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;

  memcpy (digits, text, 4);
  if (!g_ascii_string_to_unsigned (digits, 10, 1900, 2999, &year, NULL))
    return FALSE;
  memset (digits, 0, sizeof digits);
  memcpy (digits, text + 5, 2);
  if (!g_ascii_isdigit (digits[0]) ||
      !g_ascii_string_to_unsigned (digits, 10, 1, 12, &month, NULL))
    return FALSE;
  memcpy (digits, text + 8, 2);
  if (!g_ascii_isdigit (digits[0]) ||
      !g_ascii_string_to_unsigned (digits, 10, 1, 31, &day, NULL))
    return FALSE;

  if (!g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return FALSE;

  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
  return TRUE;
}

gboolean
hz_holiday_calendar_name_is_valid (const char *name)
{
  gsize length = name ? strlen (name) : 0;

  if (length == 0 || length > 32 || !g_ascii_islower (name[0]))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_islower (name[i]) && !g_ascii_isdigit (name[i]) && name[i] != '-')
        return FALSE;
    }

  return TRUE;
}

static gboolean
fail (Parser      *parser,
      GError     **error,
      const char  *group,
      const char  *key,
      const char  *value,
      const char  *reason)
{
  if (key == NULL)
    g_set_error (error, HZ_HOLIDAY_ERROR, HZ_HOLIDAY_ERROR_INVALID,
                 "%s: [%s]: %s", parser->path, group, reason);
  else if (value == NULL)
    g_set_error (error, HZ_HOLIDAY_ERROR, HZ_HOLIDAY_ERROR_INVALID,
                 "%s: [%s] %s: %s", parser->path, group, key, reason);
  else
    g_set_error (error, HZ_HOLIDAY_ERROR, HZ_HOLIDAY_ERROR_INVALID,
                 "%s: [%s] %s = %s: %s", parser->path, group, key, value, reason);
  return FALSE;
}

static gboolean
check_keys (Parser             *parser,
            const char         *group,
            const char *const  *allowed,
            GError            **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (parser->file, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (allowed, keys[i]))
        return fail (parser, error, group, keys[i], NULL, "unknown key");
    }

  return TRUE;
}

/* Reads the string value of KEY with surrounding spaces removed. Returns
 * NULL with ERROR set when the key is missing, or empty and REQUIRED. */
static char *
read_text (Parser      *parser,
           const char  *group,
           const char  *key,
           gboolean     required,
           GError     **error)
{
  g_autofree char *value = NULL;

  if (!g_key_file_has_key (parser->file, group, key, NULL))
    {
      fail (parser, error, group, key, NULL, "missing required key");
      return NULL;
    }

  value = g_key_file_get_string (parser->file, group, key, NULL);
  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    {
      fail (parser, error, group, key, NULL, "the value is not valid UTF-8 text");
      return NULL;
    }

  g_strstrip (value);
  if (*value == '\0' && required)
    {
      fail (parser, error, group, key, NULL, "the value is empty");
      return NULL;
    }

  return g_steal_pointer (&value);
}

/* Adds DATE as KIND of PERIOD unless another entry has it. */
static gboolean
add_day (Parser            *parser,
         const GDate       *date,
         HzHolidayDayKind   kind,
         guint              period,
         const char        *group,
         const char        *key,
         const char        *item,
         GError           **error)
{
  guint32 julian = g_date_get_julian (date);
  HzHolidayDay day = { *date, kind, period };

  if (g_hash_table_contains (parser->seen, GUINT_TO_POINTER (julian)))
    return fail (parser, error, group, key, item, "the date is listed more than once");
  if (parser->calendar->days->len >= HZ_HOLIDAY_MAX_DAYS)
    return fail (parser, error, group, key, item, "the calendar has too many days");

  if (kind == HZ_HOLIDAY_DAY_WORKDAY &&
      g_date_get_weekday (date) != G_DATE_SATURDAY &&
      g_date_get_weekday (date) != G_DATE_SUNDAY)
    return fail (parser, error, group, key, item,
                 "a make-up working day must be a Saturday or a Sunday");

  g_hash_table_add (parser->seen, GUINT_TO_POINTER (julian));
  g_array_append_val (parser->calendar->days, day);
  return TRUE;
}

/* Parses one item of a date list: "YYYY-MM-DD" or "FIRST..LAST". */
static gboolean
add_item (Parser            *parser,
          const char        *item,
          HzHolidayDayKind   kind,
          guint              period,
          const char        *group,
          const char        *key,
          GError           **error)
{
  const char *dots = strstr (item, "..");
  g_autofree char *first_text = dots ? g_strndup (item, dots - item) : g_strdup (item);
  GDate first, last;

  if (!hz_holiday_parse_date (first_text, &first) ||
      (dots != NULL && !hz_holiday_parse_date (dots + 2, &last)))
    return fail (parser, error, group, key, item,
                 "expected a date YYYY-MM-DD or a range FIRST..LAST");

  if (dots == NULL)
    last = first;
  if (kind == HZ_HOLIDAY_DAY_WORKDAY && dots != NULL)
    return fail (parser, error, group, key, item, "list make-up working days one by one");
  if (g_date_compare (&first, &last) > 0)
    return fail (parser, error, group, key, item, "the range ends before it starts");
  if (g_date_days_between (&first, &last) >= HZ_HOLIDAY_MAX_RANGE_DAYS)
    return fail (parser, error, group, key, item, "a range spans at most 31 days");

  for (GDate date = first; g_date_compare (&date, &last) <= 0; g_date_add_days (&date, 1))
    {
      if (!add_day (parser, &date, kind, period, group, key, item, error))
        return FALSE;
    }

  return TRUE;
}

/* Parses the ";"-separated list of KEY. Empty items are skipped, so an
 * empty value is an empty list. */
static gboolean
read_days (Parser            *parser,
           const char        *group,
           const char        *key,
           HzHolidayDayKind   kind,
           guint              period,
           gboolean           required,
           GError           **error)
{
  g_autofree char *value = NULL;
  g_auto (GStrv) items = NULL;

  if (!required && !g_key_file_has_key (parser->file, group, key, NULL))
    return TRUE;

  value = read_text (parser, group, key, required, error);
  if (value == NULL)
    return FALSE;

  items = g_strsplit (value, ";", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);

      if (*item == '\0')
        continue;
      if (!add_item (parser, item, kind, period, group, key, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_provisional (Parser          *parser,
                  const char      *group,
                  HzHolidayPeriod *period,
                  GError         **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!g_key_file_has_key (parser->file, group, "provisional", NULL))
    return TRUE;

  period->provisional = g_key_file_get_boolean (parser->file, group, "provisional",
                                                &local_error);
  if (local_error != NULL)
    {
      g_autofree char *value = g_key_file_get_value (parser->file, group, "provisional", NULL);

      return fail (parser, error, group, "provisional", value, "expected true or false");
    }

  return TRUE;
}

static gboolean
read_period (Parser      *parser,
             const char  *group,
             GError     **error)
{
  HzHolidayPeriod *period = g_new0 (HzHolidayPeriod, 1);
  guint index = parser->calendar->periods->len;

  g_ptr_array_add (parser->calendar->periods, period);
  period->id = g_strdup (group);

  if (!check_keys (parser, group, period_keys, error))
    return FALSE;

  period->name = read_text (parser, group, "name", TRUE, error);
  if (period->name == NULL)
    return FALSE;
  period->name_en = read_text (parser, group, "name-en", TRUE, error);
  if (period->name_en == NULL)
    return FALSE;
  if (g_key_file_has_key (parser->file, group, "source", NULL))
    {
      period->source = read_text (parser, group, "source", FALSE, error);
      if (period->source == NULL)
        return FALSE;
    }

  if (!read_provisional (parser, group, period, error))
    return FALSE;

  return read_days (parser, group, "holidays", HZ_HOLIDAY_DAY_OFF, index, TRUE, error) &&
         read_days (parser, group, "workdays", HZ_HOLIDAY_DAY_WORKDAY, index, FALSE, error);
}

static gboolean
read_calendar_group (Parser  *parser,
                     GError **error)
{
  if (!g_key_file_has_group (parser->file, CALENDAR_GROUP))
    return fail (parser, error, CALENDAR_GROUP, NULL, NULL, "missing group");
  if (!check_keys (parser, CALENDAR_GROUP, calendar_keys, error))
    return FALSE;

  parser->calendar->title = read_text (parser, CALENDAR_GROUP, "title", TRUE, error);
  if (parser->calendar->title == NULL)
    return FALSE;
  parser->calendar->title_en = read_text (parser, CALENDAR_GROUP, "title-en", TRUE, error);
  return parser->calendar->title_en != NULL;
}

static gint
compare_days (gconstpointer a,
              gconstpointer b)
{
  const HzHolidayDay *day_a = a;
  const HzHolidayDay *day_b = b;

  return g_date_compare (&day_a->date, &day_b->date);
}

HzHolidayCalendar *
hz_holiday_calendar_parse (const char *data,
                           gsize       length,
                           const char *path,
                           GError    **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (HzHolidayCalendar) calendar = g_new0 (HzHolidayCalendar, 1);
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_auto (GStrv) groups = NULL;
  g_autoptr (GError) local_error = NULL;
  Parser parser = { path, file, calendar, seen };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  calendar->periods = g_ptr_array_new_with_free_func (period_free);
  calendar->days = g_array_new (FALSE, FALSE, sizeof (HzHolidayDay));

  if (length > HZ_HOLIDAY_MAX_FILE_BYTES || !g_utf8_validate_len (data, length, NULL))
    {
      g_set_error (error, HZ_HOLIDAY_ERROR, HZ_HOLIDAY_ERROR_PARSE,
                   "%s: not a UTF-8 text file of at most %d bytes",
                   path, HZ_HOLIDAY_MAX_FILE_BYTES);
      return NULL;
    }

  /* Translated keys ("name[en]") are kept so that the key check rejects
   * them, instead of GKeyFile dropping them without a word. */
  if (!g_key_file_load_from_data (file, data, length, G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error))
    {
      g_set_error (error, HZ_HOLIDAY_ERROR, HZ_HOLIDAY_ERROR_PARSE,
                   "%s: %s", path, local_error->message);
      return NULL;
    }

  if (!read_calendar_group (&parser, error))
    return NULL;

  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (g_str_equal (groups[i], CALENDAR_GROUP))
        continue;
      if (!read_period (&parser, groups[i], error))
        return NULL;
    }

  g_array_sort (calendar->days, compare_days);
  return g_steal_pointer (&calendar);
}

HzHolidayCalendar *
hz_holiday_calendar_load (const char *path,
                          GError    **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;

  return hz_holiday_calendar_parse (data, length, path, error);
}

const HzHolidayDay *
hz_holiday_calendar_lookup (const HzHolidayCalendar *calendar,
                            const GDate             *date)
{
  guint low = 0;
  guint high = calendar->days->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      const HzHolidayDay *day = &g_array_index (calendar->days, HzHolidayDay, middle);
      int order = g_date_compare (&day->date, date);

      if (order == 0)
        return day;
      if (order < 0)
        low = middle + 1;
      else
        high = middle;
    }

  return NULL;
}
