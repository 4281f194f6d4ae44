#include "hz-sched-fhir-search.h"

#include <string.h>

void
hz_fhir_param_free (HzFhirParam *param)
{
  if (param == NULL)
    return;
  g_free (param->name);
  g_free (param->modifier);
  g_free (param->value);
  g_free (param);
}

/* Decodes one part of an element; NULL for bad encoding or non-UTF-8. */
static char *
decode (const char *text)
{
  g_autofree char *decoded = g_uri_unescape_string (text, NULL);

  if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL))
    return NULL;
  return g_steal_pointer (&decoded);
}

static HzFhirParam *
parse_element (const char *element)
{
  const char *equals = strchr (element, '=');
  g_autofree char *key = g_strndup (element, equals ? (gsize) (equals - element)
                                                    : strlen (element));
  g_autofree char *name = decode (key);
  g_autofree char *value = decode (equals ? equals + 1 : "");
  HzFhirParam *param;
  char *colon;

  if (name == NULL || value == NULL)
    return NULL;

  param = g_new0 (HzFhirParam, 1);
  colon = strchr (name, ':');
  if (colon != NULL)
    {
      param->modifier = g_strdup (colon + 1);
      *colon = '\0';
    }
  param->name = g_steal_pointer (&name);
  param->value = g_steal_pointer (&value);
  return param;
}

GPtrArray *
hz_fhir_query_parse (const char *query)
{
  g_autoptr (GPtrArray) params =
    g_ptr_array_new_with_free_func ((GDestroyNotify) hz_fhir_param_free);
  g_auto (GStrv) elements = NULL;

  if (query == NULL)
    return g_steal_pointer (&params);

  elements = g_strsplit (query, "&", -1);
  for (guint i = 0; elements[i] != NULL; i++)
    {
      HzFhirParam *param;

      if (elements[i][0] == '\0')
        continue;
      param = parse_element (elements[i]);
      if (param == NULL)
        return NULL;
      g_ptr_array_add (params, param);
    }

  return g_steal_pointer (&params);
}

static const struct {
  const char *prefix;
  HzFhirCompare compare;
} prefixes[] = {
  { "eq", HZ_FHIR_COMPARE_EQ },
  { "ne", HZ_FHIR_COMPARE_NE },
  { "gt", HZ_FHIR_COMPARE_GT },
  { "lt", HZ_FHIR_COMPARE_LT },
  { "ge", HZ_FHIR_COMPARE_GE },
  { "le", HZ_FHIR_COMPARE_LE },
  { "sa", HZ_FHIR_COMPARE_SA },
  { "eb", HZ_FHIR_COMPARE_EB },
};

/* Reads exactly COUNT digits at *TEXT and advances it. */
static gboolean
read_digits (const char **text,
             int          count,
             int         *value)
{
  *value = 0;
  for (int i = 0; i < count; i++)
    {
      if (!g_ascii_isdigit ((*text)[i]))
        return FALSE;
      *value = *value * 10 + ((*text)[i] - '0');
    }

  *text += count;
  return TRUE;
}

/* Reads "Z", "+hh:mm" or "-hh:mm" as a zone; an empty TEXT gives a new
 * reference to FALLBACK. Returns NULL for anything else. */
static GTimeZone *
read_zone (const char *text,
           GTimeZone  *fallback)
{
  int hours, minutes;
  const char *p = text + 1;

  if (*text == '\0')
    return g_time_zone_ref (fallback);
  if (g_str_equal (text, "Z"))
    return g_time_zone_new_utc ();

  if ((*text != '+' && *text != '-') || strlen (text) != 6 ||
      !read_digits (&p, 2, &hours) || *p++ != ':' || !read_digits (&p, 2, &minutes) ||
      hours > 14 || minutes > 59)
    return NULL;

  return g_time_zone_new_identifier (text);
}

/* Precision of a date search value, from a year down to a second. */
typedef enum {
  PRECISION_YEAR,
  PRECISION_MONTH,
  PRECISION_DAY,
  PRECISION_MINUTE,
  PRECISION_SECOND,
} Precision;

typedef struct {
  int year, month, day, hour, minute, second;
  Precision precision;
  const char *zone;      /* the rest of the text after the time */
} DateFields;

/* Reads "hh:mm[:ss[.fff]]" after the "T". */
static gboolean
read_time (const char **p,
           DateFields  *fields)
{
  if (!read_digits (p, 2, &fields->hour) || *(*p)++ != ':' ||
      !read_digits (p, 2, &fields->minute))
    return FALSE;
  fields->precision = PRECISION_MINUTE;

  if (**p == ':')
    {
      (*p)++;
      if (!read_digits (p, 2, &fields->second))
        return FALSE;
      fields->precision = PRECISION_SECOND;

      if (**p == '.')
        {
          (*p)++;
          if (!g_ascii_isdigit (**p))
            return FALSE;
          while (g_ascii_isdigit (**p))
            (*p)++;
        }
    }

  return fields->hour <= 23 && fields->minute <= 59 && fields->second <= 59;
}

static gboolean
read_fields (const char *text,
             DateFields *fields)
{
  const char *p = text;

  memset (fields, 0, sizeof *fields);
  fields->month = fields->day = 1;
  fields->precision = PRECISION_YEAR;

  if (!read_digits (&p, 4, &fields->year))
    return FALSE;
  if (*p == '-')
    {
      p++;
      if (!read_digits (&p, 2, &fields->month))
        return FALSE;
      fields->precision = PRECISION_MONTH;
    }
  if (fields->precision == PRECISION_MONTH && *p == '-')
    {
      p++;
      if (!read_digits (&p, 2, &fields->day))
        return FALSE;
      fields->precision = PRECISION_DAY;
    }
  if (fields->precision == PRECISION_DAY && *p == 'T')
    {
      p++;
      if (!read_time (&p, fields))
        return FALSE;
    }

  fields->zone = p;
  /* An offset belongs to a time only. */
  return *p == '\0' || fields->precision >= PRECISION_MINUTE;
}

static GDateTime *
add_precision (GDateTime *start,
               Precision  precision)
{
  switch (precision)
    {
    case PRECISION_YEAR:
      return g_date_time_add_years (start, 1);
    case PRECISION_MONTH:
      return g_date_time_add_months (start, 1);
    case PRECISION_DAY:
      return g_date_time_add_days (start, 1);
    case PRECISION_MINUTE:
      return g_date_time_add_minutes (start, 1);
    case PRECISION_SECOND:
    default:
      return g_date_time_add_seconds (start, 1);
    }
}

gboolean
hz_fhir_date_parse (const char *text,
                    GTimeZone  *zone,
                    HzFhirDate *date)
{
  g_autoptr (GTimeZone) value_zone = NULL;
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GDateTime) end = NULL;
  DateFields fields;

  date->compare = HZ_FHIR_COMPARE_EQ;
  for (gsize i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      if (g_str_has_prefix (text, prefixes[i].prefix))
        {
          date->compare = prefixes[i].compare;
          text += 2;
          break;
        }
    }

  if (!read_fields (text, &fields) || fields.year < 1 || fields.month < 1 || fields.month > 12)
    return FALSE;

  value_zone = read_zone (fields.zone, zone);
  if (value_zone == NULL)
    return FALSE;

  /* g_date_time_new() rejects days that the month does not have. */
  start = g_date_time_new (value_zone, fields.year, fields.month, fields.day,
                           fields.hour, fields.minute, fields.second);
  if (start == NULL)
    return FALSE;
  end = add_precision (start, fields.precision);
  if (end == NULL)
    return FALSE;

  date->low = g_date_time_to_unix (start);
  date->high = g_date_time_to_unix (end);
  return TRUE;
}

gboolean
hz_fhir_date_matches (const HzFhirDate *date,
                      gint64            instant)
{
  gboolean within = date->low <= instant && instant < date->high;

  switch (date->compare)
    {
    case HZ_FHIR_COMPARE_EQ:
      return within;
    case HZ_FHIR_COMPARE_NE:
      return !within;
    case HZ_FHIR_COMPARE_GT:
    case HZ_FHIR_COMPARE_SA:
      return instant >= date->high;
    case HZ_FHIR_COMPARE_LT:
    case HZ_FHIR_COMPARE_EB:
      return instant < date->low;
    case HZ_FHIR_COMPARE_GE:
      return instant >= date->low;
    case HZ_FHIR_COMPARE_LE:
      return instant < date->high;
    default:
      return FALSE;
    }
}

void
hz_fhir_date_narrow (const HzFhirDate *date,
                     gint64           *from,
                     gint64           *to)
{
  switch (date->compare)
    {
    case HZ_FHIR_COMPARE_EQ:
      *from = MAX (*from, date->low);
      *to = MIN (*to, date->high);
      break;
    case HZ_FHIR_COMPARE_GT:
    case HZ_FHIR_COMPARE_SA:
      *from = MAX (*from, date->high);
      break;
    case HZ_FHIR_COMPARE_LT:
    case HZ_FHIR_COMPARE_EB:
      *to = MIN (*to, date->low);
      break;
    case HZ_FHIR_COMPARE_GE:
      *from = MAX (*from, date->low);
      break;
    case HZ_FHIR_COMPARE_LE:
      *to = MIN (*to, date->high);
      break;
    case HZ_FHIR_COMPARE_NE:
    default:
      break;
    }
}

/* A positive decimal integer without leading zeros. */
static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (text[0] < '1' || text[0] > '9' ||
      !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64) value;
  return TRUE;
}

gboolean
hz_fhir_reference_parse (const char *text,
                         const char *type,
                         gint64     *id)
{
  g_autofree char *typed = g_strconcat (type, "/", NULL);
  g_autofree char *suffix = g_strconcat ("/", type, "/", NULL);
  const char *last;

  if (g_str_has_prefix (text, typed))
    return parse_id (text + strlen (typed), id);

  if (g_str_has_prefix (text, "http://") || g_str_has_prefix (text, "https://"))
    {
      last = g_strrstr (text, suffix);
      return last != NULL && parse_id (last + strlen (suffix), id);
    }

  return parse_id (text, id);
}
