/* Fuzz target: what the scheduler reads from the network before a handler
 * runs. The input is tried as a JSON body against every route's field
 * table, as an Accept-Language header and as an RFC 3339 time. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "hz-sched-request.h"
#include "hz-sched-time.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_field_tables (JsonObject *object)
{
  gsize count;
  const HzRoute *routes = hz_routes_get (&count);

  for (gsize i = 0; i < count; i++)
    {
      g_autoptr (HzFieldError) error = NULL;

      if (routes[i].fields == NULL || hz_fields_validate (object, routes[i].fields, &error))
        continue;

      for (int language = HZ_LANGUAGE_ZH_CN; language <= HZ_LANGUAGE_EN; language++)
        {
          g_autofree char *message = hz_field_error_message (error, language);

          g_assert_nonnull (strstr (message, error->field));
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (JsonObject) object = hz_json_parse_object ((const char *) data, size, NULL);
  HzLanguage language = hz_language_from_accept_language (text);
  gint64 seconds;

  g_assert_true (language == HZ_LANGUAGE_ZH_CN || language == HZ_LANGUAGE_EN);

  if (hz_time_parse_rfc3339 (text, &seconds))
    {
      g_assert_cmpint (seconds, >=, HZ_TIME_MIN);
      g_assert_cmpint (seconds, <=, HZ_TIME_MAX);
    }

  if (object != NULL)
    check_field_tables (object);
  return 0;
}
