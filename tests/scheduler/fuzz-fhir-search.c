/* Fuzz target: the parts of the calendar feed and the FHIR views that
 * read untrusted text. The input is tried as a FHIR search query string
 * (each value as a date, a reference and a Slot id), as a feed token and
 * as iCalendar text to refold. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "hz-sched-fhir.h"
#include "hz-sched-fhir-search.h"
#include "hz-sched-ical.h"
#include "hz-sched-store-calendar.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_value (const char *value,
             GTimeZone  *zone)
{
  HzFhirDate date;
  gint64 id, start, end;

  if (hz_fhir_date_parse (value, zone, &date))
    {
      gint64 from = G_MININT64, to = G_MAXINT64;

      g_assert_cmpint (date.low, <, date.high);
      hz_fhir_date_narrow (&date, &from, &to);
      hz_fhir_date_matches (&date, date.low);
    }

  if (hz_fhir_reference_parse (value, "Practitioner", &id))
    g_assert_cmpint (id, >, 0);

  if (hz_fhir_slot_id_parse (value, &id, &start, &end))
    g_assert_cmpint (start, <, end);
}

static void
check_refold (const char *text)
{
  g_autofree char *folded = hz_ical_refold (text);
  g_autofree char *again = hz_ical_refold (folded);
  g_auto (GStrv) lines = g_strsplit (folded, "\r\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_cmpuint (strlen (lines[i]), <=, 75);

  /* Folding is idempotent on text without stray line breaks. */
  if (strchr (text, '\r') == NULL && strchr (text, '\n') == NULL)
    g_assert_cmpstr (folded, ==, again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr (GPtrArray) params = hz_fhir_query_parse (text);

  for (guint i = 0; params != NULL && i < params->len; i++)
    {
      const HzFhirParam *param = params->pdata[i];
      g_auto (GStrv) values = g_strsplit (param->value, ",", -1);

      g_assert_nonnull (param->name);
      for (guint j = 0; values[j] != NULL; j++)
        check_value (values[j], zone);
    }

  check_value (text, zone);
  hz_ical_token_is_well_formed (text);
  check_refold (text);
  return 0;
}
