/* Unit tests of array and boolean fields in request validation
 * (hz-sched-fields.h). */
#include <glib.h>
#include <string.h>

#include "hz-sched-fields.h"

static const HzFieldSpec range_fields[] = {
  { .name = "weekday", .type = HZ_FIELD_INTEGER, .required = TRUE, .min = 1, .max = 7 },
  { .name = "start", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 5 },
  { NULL }
};

static const HzFieldSpec range_item = { .type = HZ_FIELD_OBJECT, .members = range_fields };
static const HzFieldSpec id_item = { .type = HZ_FIELD_ID };

static const HzFieldSpec body_fields[] = {
  { .name = "hours", .type = HZ_FIELD_ARRAY, .required = TRUE, .items = &range_item,
    .max_items = 3 },
  { .name = "org_ids", .type = HZ_FIELD_ARRAY, .items = &id_item, .max_items = 2 },
  { .name = "recording", .type = HZ_FIELD_BOOLEAN },
  { NULL }
};

typedef struct {
  const char *body;
  const char *field;        /* NULL when the body is valid */
  HzFieldProblem problem;
} Case;

static const Case cases[] = {
  { "{\"hours\": []}", NULL, 0 },
  { "{\"hours\": [{\"weekday\": 1, \"start\": \"09:00\"}], \"org_ids\": [1, 2]}", NULL, 0 },
  /* Ids are JSON integers; a string of digits is the wrong type. */
  { "{\"hours\": [], \"org_ids\": [1, \"2\"]}", "org_ids[1]", HZ_FIELD_PROBLEM_WRONG_TYPE },
  { "{}", "hours", HZ_FIELD_PROBLEM_MISSING },
  { "{\"hours\": {}}", "hours", HZ_FIELD_PROBLEM_WRONG_TYPE },
  { "{\"hours\": [1]}", "hours[0]", HZ_FIELD_PROBLEM_WRONG_TYPE },
  { "{\"hours\": [null]}", "hours[0]", HZ_FIELD_PROBLEM_MISSING },
  { "{\"hours\": [{\"weekday\": 1, \"start\": \"09:00\"}, {\"weekday\": 8, \"start\": \"x\"}]}",
    "hours[1].weekday", HZ_FIELD_PROBLEM_OUT_OF_RANGE },
  { "{\"hours\": [{\"weekday\": 2}]}", "hours[0].start", HZ_FIELD_PROBLEM_MISSING },
  { "{\"hours\": [{}, {}, {}, {}]}", "hours", HZ_FIELD_PROBLEM_TOO_MANY_ITEMS },
  { "{\"hours\": [], \"org_ids\": [0]}", "org_ids[0]", HZ_FIELD_PROBLEM_WRONG_TYPE },
  { "{\"hours\": [], \"org_ids\": [1, 2, 3]}", "org_ids", HZ_FIELD_PROBLEM_TOO_MANY_ITEMS },
  { "{\"hours\": [], \"recording\": false}", NULL, 0 },
  { "{\"hours\": [], \"recording\": 1}", "recording", HZ_FIELD_PROBLEM_WRONG_TYPE },
  { "{\"hours\": [], \"recording\": \"true\"}", "recording", HZ_FIELD_PROBLEM_WRONG_TYPE },
};

static void
test_array_fields (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonObject) object = hz_json_parse_object (cases[i].body,
                                                            strlen (cases[i].body), NULL);
      g_autoptr (HzFieldError) error = NULL;
      gboolean valid;

      g_test_message ("body: %s", cases[i].body);
      g_assert_nonnull (object);
      valid = hz_fields_validate (object, body_fields, &error);
      if (cases[i].field == NULL)
        {
          g_assert_true (valid);
          continue;
        }

      g_assert_false (valid);
      g_assert_cmpstr (error->field, ==, cases[i].field);
      g_assert_cmpint (error->problem, ==, cases[i].problem);
      for (int language = HZ_LANGUAGE_ZH_CN; language <= HZ_LANGUAGE_EN; language++)
        {
          g_autofree char *message = hz_field_error_message (error, language);

          g_assert_nonnull (strstr (message, cases[i].field));
        }
    }
}

static void
test_too_many_items_message (void)
{
  const char *body = "{\"hours\": [{}, {}, {}, {}]}";
  g_autoptr (JsonObject) object = hz_json_parse_object (body, strlen (body), NULL);
  g_autoptr (HzFieldError) error = NULL;
  g_autofree char *english = NULL;

  g_assert_false (hz_fields_validate (object, body_fields, &error));
  english = hz_field_error_message (error, HZ_LANGUAGE_EN);
  g_assert_cmpstr (english, ==, "Field 'hours' has more than 3 elements.");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/field-arrays/validate", test_array_fields);
  g_test_add_func ("/field-arrays/too-many-items-message", test_too_many_items_message);

  return g_test_run ();
}
