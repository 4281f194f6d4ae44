/* Unit tests of the scheduler's parts without I/O: the error table and
 * Accept-Language, request body parsing and field validation, API keys and
 * access rules. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hz-json-syntax.h"
#include "hz-sched-access.h"
#include "hz-sched-apikey.h"
#include "hz-sched-errors.h"
#include "hz-sched-fields.h"
#include "hz-sched-rate-limit.h"
#include "hz-sched-request.h"
#include "hz-timezone.h"

typedef struct {
  const char *header;
  HzLanguage expected;
} LanguageCase;

static const LanguageCase language_cases[] = {
  { NULL, HZ_LANGUAGE_ZH_CN },
  { "", HZ_LANGUAGE_ZH_CN },
  { "en", HZ_LANGUAGE_EN },
  { "EN-gb", HZ_LANGUAGE_EN },
  { "en-US,en;q=0.9", HZ_LANGUAGE_EN },
  { "zh-CN,zh;q=0.9,en;q=0.8", HZ_LANGUAGE_ZH_CN },
  { "zh-CN;q=0.4, en;q=0.5", HZ_LANGUAGE_EN },
  { "en;q=0.5, zh;q=0.4", HZ_LANGUAGE_EN },
  { "en;q=0.4, zh;q=0.5", HZ_LANGUAGE_ZH_CN },
  { "en, zh", HZ_LANGUAGE_EN },
  { "zh, en", HZ_LANGUAGE_ZH_CN },
  { "fr, de;q=0.5", HZ_LANGUAGE_ZH_CN },
  { "*", HZ_LANGUAGE_ZH_CN },
  { "en;q=0", HZ_LANGUAGE_ZH_CN },
  { "english", HZ_LANGUAGE_ZH_CN },
  { "en;q=2", HZ_LANGUAGE_ZH_CN },
  { "en;q=abc", HZ_LANGUAGE_ZH_CN },
  { "en;q=0.0001", HZ_LANGUAGE_ZH_CN },
  { "fr, en;q=0.1", HZ_LANGUAGE_EN },
  { " en-US ; q=1.000 ", HZ_LANGUAGE_EN },
  { ",,;;,en", HZ_LANGUAGE_EN },
};

static void
test_accept_language (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (language_cases); i++)
    {
      g_test_message ("Accept-Language: %s", language_cases[i].header);
      g_assert_cmpint (hz_language_from_accept_language (language_cases[i].header),
                       ==, language_cases[i].expected);
    }
}

/* Every code has a unique name, an HTTP error status and both messages. */
static void
test_error_table_complete (void)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (int code = 0; code < HZ_SCHED_ERROR_COUNT; code++)
    {
      const HzSchedErrorInfo *info = hz_sched_error_info (code);

      g_assert_nonnull (info->code);
      g_test_message ("code %s", info->code);
      g_assert_false (g_hash_table_contains (names, info->code));
      g_hash_table_add (names, (gpointer) info->code);
      g_assert_cmpuint (info->http_status, >=, 400);
      g_assert_cmpuint (info->http_status, <, 600);
      g_assert_nonnull (info->message_zh);
      g_assert_nonnull (info->message_en);
      g_assert_true (g_utf8_validate (info->message_zh, -1, NULL));
      g_assert_cmpstr (info->message_zh, !=, info->message_en);
    }
}

static void
test_error_contract_codes (void)
{
  g_assert_cmpstr (hz_sched_error_info (HZ_SCHED_ERROR_SLOT_TAKEN)->code, ==, "slot_taken");
  g_assert_cmpuint (hz_sched_error_info (HZ_SCHED_ERROR_SLOT_TAKEN)->http_status, ==, 409);
  g_assert_cmpstr (hz_sched_error_message (HZ_SCHED_ERROR_SLOT_TAKEN, HZ_LANGUAGE_ZH_CN), ==,
                   "该专家在此时间段已有会诊安排，请选择其他时间。");
  g_assert_cmpuint (hz_sched_error_info (HZ_SCHED_ERROR_BODY_TOO_LARGE)->http_status, ==, 413);
  g_assert_cmpuint (hz_sched_error_info (HZ_SCHED_ERROR_NOT_PARTICIPANT)->http_status, ==, 403);
  g_assert_cmpuint (hz_sched_error_info (HZ_SCHED_ERROR_UNAUTHORIZED)->http_status, ==, 401);
  g_assert_cmpuint (hz_sched_error_info (HZ_SCHED_ERROR_METHOD_NOT_ALLOWED)->http_status, ==, 405);
  g_assert_cmpuint (hz_sched_error_info (HZ_SCHED_ERROR_COUNT)->http_status, ==, 500);
}

static JsonObject *
parse (const char *text)
{
  return hz_json_parse_object (text, strlen (text), NULL);
}

static void
test_json_parse (void)
{
  g_autoptr (JsonObject) object = parse ("{\"a\": 1}");
  g_autoptr (JsonObject) padded = parse (" \r\n\t{\"a\": [1, {\"b\": \"}\"}]} \n");
  g_autofree char *deep_ok = g_strnfill (HZ_JSON_MAX_DEPTH, '[');
  g_autofree char *deep_bad = g_strnfill (HZ_JSON_MAX_DEPTH + 1, '[');
  g_autofree char *deep_ok_object = g_strconcat ("{\"a\": ", deep_ok + 1, "]", NULL);
  const char *const rejected[] = {
    "", "[1]", "\"text\"", "42", "null", "{", "{\"a\": }", "{} {}", "{}x", "{} []",
    "{'a': 1}", "{\"a\": 1}}",
  };

  g_assert_nonnull (object);
  g_assert_cmpint (json_object_get_int_member (object, "a"), ==, 1);
  g_assert_nonnull (padded);

  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_test_message ("body: %s", rejected[i]);
      g_assert_null (parse (rejected[i]));
    }

  g_assert_null (hz_json_parse_object ("{\"a\": \"\xff\"}", 10, NULL));
  g_assert_null (hz_json_parse_object ("{\"a\": 1}", HZ_BODY_MAX_BYTES + 1, NULL));
  g_assert_null (parse (deep_bad));

  /* Brackets inside strings do not count towards the depth. */
  {
    g_autofree char *quoted = g_strconcat ("{\"a\": \"", deep_bad, "\\\"\"}", NULL);
    g_autoptr (JsonObject) quoted_object = parse (quoted);

    g_assert_nonnull (quoted_object);
  }

  /* Unbalanced but shallow input reaches the parser and fails there. */
  g_assert_null (parse (deep_ok_object));
}

typedef struct {
  const char *text;
  gboolean valid;
} SyntaxCase;

#define NUL_IN_STRING 2

static const SyntaxCase syntax_cases[] = {
  { "{}", TRUE },
  { " {\"a\": [1, -0, 1.5E-3, 2e+10, true, false, null, \"x\", {}]} ", TRUE },
  { "{\"escapes\": \"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u4e2d\"}", TRUE },
  { "{\"pair\": \"\\ud83d\\ude00\"}", TRUE },
  { "{\"text\": \"中文\"}", TRUE },
  /* Accepted by JSON-GLib 1.6, but not JSON. */
  { "{/* comment */ \"a\": 1}", FALSE },
  { "{\"a\": 0x10}", FALSE },
  { "{\"a\": .5}", FALSE },
  { "{'a': 1}", FALSE },
  { "{\"a\": \"\\x\"}", FALSE },
  { "{} {}", FALSE },
  /* Not JSON at all. */
  { "{\"a\": 01}", FALSE },
  { "{\"a\": 1.}", FALSE },
  { "{\"a\": 1e}", FALSE },
  { "{\"a\": -}", FALSE },
  { "{\"a\": tru}", FALSE },
  { "{\"a\": 1,}", FALSE },
  { "{\"a\" 1}", FALSE },
  { "{a: 1}", FALSE },
  { "{\"a\": \"tab\there\"}", FALSE },
  { "{\"a\": \"unterminated}", FALSE },
  { "[]", FALSE },
  { "", FALSE },
  /* JSON-GLib keeps only the last of two members named alike. */
  { "{\"a\": 1, \"a\": 2}", FALSE },
  { "{\"a\": 1, \"\\u0061\": 2}", FALSE },
  { "{\"o\": {\"b\": 1, \"b\": 1}}", FALSE },
  { "{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}]}", TRUE },
  /* Valid JSON that a C string cannot carry: a NUL in a value is reported
   * with its field, a NUL in a name and lone surrogates are invalid. */
  { "{\"a\": \"\\u0000\"}", NUL_IN_STRING },
  { "{\"a\\u0000\": 1}", FALSE },
  { "{\"a\": \"\\ud83d\"}", FALSE },
  { "{\"a\": \"\\ude00\"}", FALSE },
  { "{\"a\": \"\\ud83d\\u0041\"}", FALSE },
};

static void
test_json_syntax (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (syntax_cases); i++)
    {
      const char *text = syntax_cases[i].text;

      HzJsonSyntax expected = syntax_cases[i].valid == NUL_IN_STRING ? HZ_JSON_SYNTAX_NUL_IN_STRING
                              : syntax_cases[i].valid ? HZ_JSON_SYNTAX_VALID
                              : HZ_JSON_SYNTAX_INVALID;

      g_test_message ("body: %s", text);
      g_assert_cmpint (hz_json_check_object_syntax (text, strlen (text), 8, NULL), ==, expected);
    }

  /* A NUL byte inside the body. */
  g_assert_cmpint (hz_json_check_object_syntax ("{\"a\": 1}\0", 9, 8, NULL), ==,
                   HZ_JSON_SYNTAX_INVALID);
  g_assert_cmpint (hz_json_check_object_syntax ("{\"a\0\": 1}", 9, 8, NULL), ==,
                   HZ_JSON_SYNTAX_INVALID);
}

/* An escaped NUL in a string value names the first such value's path. */
static void
test_json_nul_field (void)
{
  const struct {
    const char *text;
    const char *field;
  } cases[] = {
    { "{\"question\": \"a\\u0000b\"}", "question" },
    { "{\"patient\": {\"age\": 1, \"summary\": \"\\u0000\"}, \"question\": \"\\u0000\"}",
      "patient.summary" },
    { "{\"hours\": [{\"start\": \"08:00\"}, {\"start\": \"x\\u0000\"}]}", "hours[1].start" },
    { "{\"list\": [\"a\", \"\\u0000\"]}", "list[1]" },
    { "{\"\\u4e2d\": \"\\u0000\"}", "中" },
  };
  g_autofree char *long_name = g_strnfill (300, 'n');
  g_autofree char *long_body = g_strdup_printf ("{\"%s\": \"\\u0000\"}", long_name);
  g_autofree char *long_field = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *field = NULL;

      g_test_message ("body: %s", cases[i].text);
      g_assert_cmpint (hz_json_check_object_syntax (cases[i].text, strlen (cases[i].text), 8,
                                                    &field), ==, HZ_JSON_SYNTAX_NUL_IN_STRING);
      g_assert_cmpstr (field, ==, cases[i].field);
      g_clear_pointer (&field, g_free);
      g_assert_null (hz_json_parse_object (cases[i].text, strlen (cases[i].text), &field));
      g_assert_cmpstr (field, ==, cases[i].field);
    }

  /* Long names are cut in the report. */
  g_assert_null (hz_json_parse_object (long_body, strlen (long_body), &long_field));
  g_assert_cmpint (g_utf8_strlen (long_field, -1), ==, 101);
  g_assert_true (g_str_has_suffix (long_field, "…"));
}

static HzFieldError *
validate (const char        *text,
          const HzFieldSpec *specs)
{
  g_autoptr (JsonObject) object = parse (text);
  HzFieldError *error = NULL;

  g_assert_nonnull (object);
  if (hz_fields_validate (object, specs, &error))
    g_assert_null (error);
  else
    g_assert_nonnull (error);
  return error;
}

#define VALID_CONSULTATION_WITH(patient_fields) \
  "{\"specialty\": \"心血管内科\", \"question\": \"是否需要介入治疗？\"," \
  " \"patient\": {" patient_fields "}}"

static void
test_fields_consultation (void)
{
  g_autoptr (HzFieldError) ok = validate (
    VALID_CONSULTATION_WITH ("\"ref\": \"T-1\", \"age\": 61, \"sex\": \"male\","
                             " \"summary\": \"胸闷三天\""),
    hz_consultation_fields);
  g_autoptr (HzFieldError) missing = validate ("{\"specialty\": \"x\"}", hz_consultation_fields);
  g_autoptr (HzFieldError) nested = validate (
    VALID_CONSULTATION_WITH ("\"ref\": \"T-1\", \"age\": \"61\", \"sex\": \"male\","
                             " \"summary\": \"s\""),
    hz_consultation_fields);
  g_autoptr (HzFieldError) range = validate (
    VALID_CONSULTATION_WITH ("\"ref\": \"T-1\", \"age\": 151, \"sex\": \"male\","
                             " \"summary\": \"s\""),
    hz_consultation_fields);
  g_autoptr (HzFieldError) enumeration = validate (
    VALID_CONSULTATION_WITH ("\"ref\": \"T-1\", \"age\": 1, \"sex\": \"m\", \"summary\": \"s\""),
    hz_consultation_fields);
  g_autoptr (HzFieldError) null_required = validate (
    VALID_CONSULTATION_WITH ("\"ref\": null, \"age\": 1, \"sex\": \"male\", \"summary\": \"s\""),
    hz_consultation_fields);
  g_autoptr (HzFieldError) empty = validate (
    VALID_CONSULTATION_WITH ("\"ref\": \"\", \"age\": 1, \"sex\": \"male\", \"summary\": \"s\""),
    hz_consultation_fields);
  g_autoptr (HzFieldError) not_object = validate (
    "{\"specialty\": \"x\", \"question\": \"q\", \"patient\": [1]}", hz_consultation_fields);
  g_autoptr (HzFieldError) fractional = validate (
    VALID_CONSULTATION_WITH ("\"ref\": \"T-1\", \"age\": 61.0, \"sex\": \"male\","
                             " \"summary\": \"s\""),
    hz_consultation_fields);

  g_assert_null (ok);

  g_assert_cmpstr (missing->field, ==, "patient");
  g_assert_cmpint (missing->problem, ==, HZ_FIELD_PROBLEM_MISSING);

  g_assert_cmpstr (nested->field, ==, "patient.age");
  g_assert_cmpint (nested->problem, ==, HZ_FIELD_PROBLEM_WRONG_TYPE);

  g_assert_cmpstr (range->field, ==, "patient.age");
  g_assert_cmpint (range->problem, ==, HZ_FIELD_PROBLEM_OUT_OF_RANGE);

  g_assert_cmpstr (enumeration->field, ==, "patient.sex");
  g_assert_cmpint (enumeration->problem, ==, HZ_FIELD_PROBLEM_NOT_ALLOWED);

  g_assert_cmpstr (null_required->field, ==, "patient.ref");
  g_assert_cmpint (null_required->problem, ==, HZ_FIELD_PROBLEM_MISSING);

  g_assert_cmpstr (empty->field, ==, "patient.ref");
  g_assert_cmpint (empty->problem, ==, HZ_FIELD_PROBLEM_EMPTY);

  g_assert_cmpstr (not_object->field, ==, "patient");
  g_assert_cmpint (not_object->problem, ==, HZ_FIELD_PROBLEM_WRONG_TYPE);

  g_assert_cmpstr (fractional->field, ==, "patient.age");
  g_assert_cmpint (fractional->problem, ==, HZ_FIELD_PROBLEM_WRONG_TYPE);
}

static void
test_fields_length_counts_characters (void)
{
  g_autofree char *at_limit_text = NULL;
  g_autofree char *over_limit_text = NULL;
  g_autoptr (GString) at_limit = g_string_new (NULL);
  g_autoptr (HzFieldError) ok = NULL;
  g_autoptr (HzFieldError) too_long = NULL;

  /* 500 CJK characters are 1500 bytes but within a 500-character limit. */
  for (int i = 0; i < 500; i++)
    g_string_append (at_limit, "转");
  at_limit_text = g_strdup_printf ("{\"reason\": \"%s\"}", at_limit->str);
  over_limit_text = g_strdup_printf ("{\"reason\": \"%s转\"}", at_limit->str);

  ok = validate (at_limit_text, hz_cancel_fields);
  too_long = validate (over_limit_text, hz_cancel_fields);

  g_assert_null (ok);
  g_assert_nonnull (too_long);
  g_assert_cmpstr (too_long->field, ==, "reason");
  g_assert_cmpint (too_long->problem, ==, HZ_FIELD_PROBLEM_TOO_LONG);
}

static const HzFieldSpec text_fields[] = {
  { .name = "name", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 100 },
  { .name = "note", .type = HZ_FIELD_STRING, .max_length = 100 },
  { .name = "summary", .type = HZ_FIELD_STRING, .max_length = 100, .multiline = TRUE },
  { .name = "password", .type = HZ_FIELD_STRING, .max_length = 100, .secret = TRUE },
  { .name = "org_id", .type = HZ_FIELD_ID },
  { .name = "relay_id", .type = HZ_FIELD_ID_OR_DIGITS },
  { NULL }
};

/* Text fields: white space only, control characters, free text with line
 * breaks, passwords taken as they are; ids as integers. */
static void
test_fields_text_and_ids (void)
{
  const struct {
    const char *body;
    const char *field;         /* NULL when the body is valid */
    HzFieldProblem problem;
  } cases[] = {
    { "{\"name\": \"心血管内科\"}", NULL, 0 },
    { "{\"name\": \"   \"}", "name", HZ_FIELD_PROBLEM_EMPTY },
    { "{\"name\": \"\\t\\n \"}", "name", HZ_FIELD_PROBLEM_EMPTY },
    { "{\"name\": \"\\u3000\"}", "name", HZ_FIELD_PROBLEM_EMPTY },
    { "{\"name\": \"a\\u001b[31mb\"}", "name", HZ_FIELD_PROBLEM_CONTROL_CHARACTER },
    { "{\"name\": \"a\\nb\"}", "name", HZ_FIELD_PROBLEM_CONTROL_CHARACTER },
    { "{\"name\": \"a\\u0085b\"}", "name", HZ_FIELD_PROBLEM_CONTROL_CHARACTER },
    { "{\"name\": \"a\\u007fb\"}", "name", HZ_FIELD_PROBLEM_CONTROL_CHARACTER },
    /* An optional field may be blank; it still takes no control characters. */
    { "{\"name\": \"x\", \"note\": \" \"}", NULL, 0 },
    { "{\"name\": \"x\", \"note\": \"a\\tb\"}", "note", HZ_FIELD_PROBLEM_CONTROL_CHARACTER },
    { "{\"name\": \"x\", \"summary\": \"胸痛\\n\\t三天\\r\\n加重\"}", NULL, 0 },
    { "{\"name\": \"x\", \"summary\": \"a\\rb\"}", "summary",
      HZ_FIELD_PROBLEM_CONTROL_CHARACTER },
    { "{\"name\": \"x\", \"summary\": \"a\\u0007\"}", "summary",
      HZ_FIELD_PROBLEM_CONTROL_CHARACTER },
    { "{\"name\": \"x\", \"password\": \"  \\u0007 \"}", NULL, 0 },
    { "{\"name\": \"x\", \"org_id\": 2}", NULL, 0 },
    { "{\"name\": \"x\", \"org_id\": \"2\"}", "org_id", HZ_FIELD_PROBLEM_WRONG_TYPE },
    { "{\"name\": \"x\", \"relay_id\": \"2\"}", NULL, 0 },
    { "{\"name\": \"x\", \"relay_id\": 2}", NULL, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (HzFieldError) error = NULL;

      g_test_message ("body: %s", cases[i].body);
      error = validate (cases[i].body, text_fields);
      if (cases[i].field == NULL)
        {
          g_assert_null (error);
          continue;
        }
      g_assert_nonnull (error);
      g_assert_cmpstr (error->field, ==, cases[i].field);
      g_assert_cmpint (error->problem, ==, cases[i].problem);
      g_assert_cmpint (hz_field_error_code (error), ==, HZ_SCHED_ERROR_INVALID_FIELD);
    }
}

static void
test_fields_times_and_ids (void)
{
  g_autoptr (HzFieldError) ok = validate (
    "{\"expert_id\": 3, \"start\": \"2025-03-01T09:00:00+08:00\","
    " \"end\": \"2025-03-01T09:30:00Z\"}", hz_schedule_fields);
  g_autoptr (HzFieldError) no_offset = validate (
    "{\"expert_id\": 3, \"start\": \"2025-03-01T09:00:00\","
    " \"end\": \"2025-03-01T09:30:00Z\"}", hz_schedule_fields);
  g_autoptr (HzFieldError) unix_time = validate (
    "{\"expert_id\": 3, \"start\": 1740790800, \"end\": \"2025-03-01T09:30:00Z\"}",
    hz_schedule_fields);
  g_autoptr (HzFieldError) zero_id = validate (
    "{\"expert_id\": 0, \"start\": \"2025-03-01T09:00:00Z\", \"end\": \"2025-03-01T09:30:00Z\"}",
    hz_schedule_fields);
  g_autoptr (HzFieldError) report = validate (
    "{\"session_id\": 12, \"participant_id\": \"5\", \"kind\": \"video\","
    " \"path\": \"12/5-video.webm\", \"status\": \"recording\", \"started_at\": 1740790800}",
    hz_recording_report_fields);
  g_autoptr (HzFieldError) padded_id = validate (
    "{\"session_id\": 12, \"participant_id\": \"05\", \"kind\": \"video\","
    " \"path\": \"12/5-video.webm\", \"status\": \"recording\", \"started_at\": 1740790800}",
    hz_recording_report_fields);
  g_autofree char *message_zh = NULL;
  g_autofree char *message_en = NULL;

  g_assert_null (ok);

  g_assert_cmpstr (no_offset->field, ==, "start");
  g_assert_cmpint (hz_field_error_code (no_offset), ==, HZ_SCHED_ERROR_INVALID_TIME);

  g_assert_cmpstr (unix_time->field, ==, "start");
  g_assert_cmpint (hz_field_error_code (unix_time), ==, HZ_SCHED_ERROR_INVALID_TIME);

  g_assert_cmpstr (zero_id->field, ==, "expert_id");
  g_assert_cmpint (hz_field_error_code (zero_id), ==, HZ_SCHED_ERROR_INVALID_FIELD);

  g_assert_null (report);

  g_assert_cmpstr (padded_id->field, ==, "participant_id");

  message_zh = hz_field_error_message (zero_id, HZ_LANGUAGE_ZH_CN);
  message_en = hz_field_error_message (zero_id, HZ_LANGUAGE_EN);
  g_assert_nonnull (strstr (message_zh, "expert_id"));
  g_assert_nonnull (strstr (message_en, "expert_id"));
}

/* Every problem renders a message that names the field, with and without
 * a spec. */
static void
test_field_messages (void)
{
  for (int problem = HZ_FIELD_PROBLEM_MISSING; problem <= HZ_FIELD_PROBLEM_INVALID_VALUE; problem++)
    {
      g_autoptr (HzFieldError) with_spec = hz_field_error_new ("patient.sex", problem,
                                                               &hz_consultation_fields[0]);
      g_autoptr (HzFieldError) without_spec = hz_field_error_new ("patient.sex", problem, NULL);

      for (int language = HZ_LANGUAGE_ZH_CN; language <= HZ_LANGUAGE_EN; language++)
        {
          g_autofree char *first = hz_field_error_message (with_spec, language);
          g_autofree char *second = hz_field_error_message (without_spec, language);

          g_test_message ("problem %d, language %d: %s", problem, language, first);
          g_assert_nonnull (strstr (first, "patient.sex"));
          g_assert_nonnull (strstr (second, "patient.sex"));
        }
    }
}

static void
test_api_key_format (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *first = hz_api_key_generate (&error);
  g_autofree char *second = hz_api_key_generate (&error);
  g_autofree char *hash = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (first, "hz_"));
  /* 32 bytes are 43 base64url characters without padding. */
  g_assert_cmpuint (strlen (first), ==, 3 + 43);
  g_assert_cmpstr (first, !=, second);
  for (const char *p = first + 3; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');

  hash = hz_api_key_hash ("hz_test");
  g_assert_cmpstr (hash, ==, "c96a8f98a6fc241a4a5ad09eccf237cb2e8c9848efc5eb31137027016c8ca50c");
}

static HzUser
make_user (gint64      id,
           gint64      org_id,
           HzRole      role,
           const char *org_level)
{
  HzUser user = { id, org_id, (char *) "测试", role, NULL, NULL, (char *) org_level, NULL };

  return user;
}

static void
test_access_rules (void)
{
  HzUser admin = make_user (1, 0, HZ_ROLE_ADMIN, NULL);
  HzUser coordinator = make_user (2, 10, HZ_ROLE_COORDINATOR, "district");
  HzUser expert = make_user (3, 10, HZ_ROLE_EXPERT, "district");
  HzUser other_expert = make_user (4, 10, HZ_ROLE_EXPERT, "district");
  HzUser doctor = make_user (5, 20, HZ_ROLE_DOCTOR, "county");
  HzUser colleague = make_user (6, 20, HZ_ROLE_DOCTOR, "county");
  HzUser stranger = make_user (7, 30, HZ_ROLE_DOCTOR, "county");
  HzUser district_doctor = make_user (8, 10, HZ_ROLE_DOCTOR, "district");
  HzUser county_coordinator = make_user (9, 30, HZ_ROLE_COORDINATOR, "county");
  HzConsultation consultation = { .id = 1, .org_id = 20, .requester_id = 5, .expert_id = 3 };

  g_assert_true (hz_access_can_request_consultation (&doctor));
  g_assert_false (hz_access_can_request_consultation (&district_doctor));
  g_assert_false (hz_access_can_request_consultation (&expert));

  g_assert_true (hz_access_can_view_consultation (&admin, &consultation));
  g_assert_true (hz_access_can_view_consultation (&coordinator, &consultation));
  g_assert_true (hz_access_can_view_consultation (&expert, &consultation));
  g_assert_true (hz_access_can_view_consultation (&colleague, &consultation));
  g_assert_false (hz_access_can_view_consultation (&other_expert, &consultation));
  g_assert_false (hz_access_can_view_consultation (&stranger, &consultation));
  g_assert_false (hz_access_can_view_consultation (&county_coordinator, &consultation));

  g_assert_true (hz_access_can_schedule (&admin, &expert));
  g_assert_true (hz_access_can_schedule (&coordinator, &expert));
  g_assert_false (hz_access_can_schedule (&county_coordinator, &expert));
  g_assert_false (hz_access_can_schedule (&doctor, &expert));

  g_assert_true (hz_access_can_cancel (&doctor, &consultation));
  g_assert_true (hz_access_can_cancel (&expert, &consultation));
  g_assert_true (hz_access_can_cancel (&coordinator, &consultation));
  g_assert_false (hz_access_can_cancel (&colleague, &consultation));
  g_assert_false (hz_access_can_cancel (&stranger, &consultation));

  g_assert_true (hz_access_can_create_organization (&admin));
  g_assert_false (hz_access_can_create_organization (&coordinator));
  g_assert_true (hz_access_can_create_user (&coordinator, 10, HZ_ROLE_EXPERT));
  g_assert_false (hz_access_can_create_user (&coordinator, 20, HZ_ROLE_DOCTOR));
  g_assert_false (hz_access_can_create_user (&coordinator, 10, HZ_ROLE_ADMIN));
  g_assert_false (hz_access_can_create_user (&doctor, 20, HZ_ROLE_DOCTOR));
}

/* The bounds of a booked session, at their edges. */
static void
test_session_interval_bounds (void)
{
  const gint64 now = 1796083200;   /* 2026-12-01T00:00:00Z */
  const gint64 past = now - HZ_BOOKING_MAX_PAST_SECONDS;
  const gint64 ahead = now + HZ_BOOKING_MAX_AHEAD_DAYS * G_GINT64_CONSTANT (86400);
  struct {
    gint64 start, end;
    const char *field;         /* NULL when the interval is accepted */
    HzFieldProblem problem;
  } cases[] = {
    { now, now + 1800, NULL, 0 },
    { past, past + 1800, NULL, 0 },
    { past - 1, past + 1800, "start", HZ_FIELD_PROBLEM_TOO_FAR_IN_PAST },
    { ahead, ahead + 1800, NULL, 0 },
    { ahead + 1, ahead + 1800, "start", HZ_FIELD_PROBLEM_TOO_FAR_AHEAD },
    { now, now, "end", HZ_FIELD_PROBLEM_END_NOT_AFTER_START },
    { now, now + HZ_SESSION_MAX_HOURS * 3600 + 1, "end", HZ_FIELD_PROBLEM_DURATION_TOO_LONG },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (HzFieldError) error = hz_fields_check_session_interval (cases[i].start,
                                                                         cases[i].end, now);

      g_test_message ("case %zu", i);
      if (cases[i].field == NULL)
        {
          g_assert_null (error);
          continue;
        }
      g_assert_nonnull (error);
      g_assert_cmpstr (error->field, ==, cases[i].field);
      g_assert_cmpint (error->problem, ==, cases[i].problem);
      g_assert_cmpint (hz_field_error_code (error), ==, HZ_SCHED_ERROR_INVALID_TIME);
    }
}

/* Identifiers checked against the system's zone database. */
static void
test_timezone_system (void)
{
  const char *known[] = {
    "Asia/Shanghai", "UTC", "Etc/GMT+8", "Etc/GMT-14", "America/Argentina/Buenos_Aires",
  };
  const char *rejected[] = {
    "", "/etc/localtime", "+05:00", "../../etc/passwd", "Asia/../../../etc/passwd",
    "/Asia/Shanghai", "Asia//Shanghai", "Asia/Shanghai/", "Asia/Shanghai\n", "Asia/Shang hai",
    "localtime", "posixrules", "zone.tab", "Asia", "Nowhere/City", "posix/Asia/Shanghai",
    "right/UTC", "posix/UTC",
    "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  };

  g_assert_false (hz_timezone_is_known (NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    {
      g_test_message ("known: %s", known[i]);
      g_assert_true (hz_timezone_is_known (known[i]));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_test_message ("rejected: %s", rejected[i]);
      g_assert_false (hz_timezone_is_known (rejected[i]));
      g_assert_null (hz_timezone_new (rejected[i]));
    }
}

/* Files of a zone directory that are not zones, in a TZDIR of the test's
 * own: a FIFO (which would block a reader), a text file, a directory and a
 * link that leaves the directory. */
static void
test_timezone_files (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hz-zoneinfo-XXXXXX", &error);
  g_autofree char *zone_dir = NULL, *good = NULL, *fifo = NULL, *text = NULL;
  g_autofree char *outside = NULL, *inside = NULL, *contents = NULL;
  g_autoptr (GTimeZone) zone = NULL;
  gsize length;

  g_assert_no_error (error);
  zone_dir = g_build_filename (dir, "Zone", NULL);
  good = g_build_filename (zone_dir, "Good", NULL);
  fifo = g_build_filename (dir, "Fifo", NULL);
  text = g_build_filename (dir, "Text", NULL);
  outside = g_build_filename (dir, "Outside", NULL);
  inside = g_build_filename (dir, "Inside", NULL);

  g_file_get_contents ("/usr/share/zoneinfo/Asia/Shanghai", &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (zone_dir, 0700), ==, 0);
  g_file_set_contents (good, contents, (gssize) length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_file_set_contents (text, "root:x:0:0:root:/root:/bin/bash\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (symlink ("/usr/share/zoneinfo/Asia/Shanghai", outside), ==, 0);
  g_assert_cmpint (symlink ("Zone/Good", inside), ==, 0);

  g_assert_true (g_setenv ("TZDIR", dir, TRUE));
  g_assert_true (hz_timezone_is_known ("Zone/Good"));
  g_assert_true (hz_timezone_is_known ("Inside"));
  g_assert_false (hz_timezone_is_known ("Fifo"));
  g_assert_false (hz_timezone_is_known ("Text"));
  g_assert_false (hz_timezone_is_known ("Zone"));
  g_assert_false (hz_timezone_is_known ("Outside"));
  g_assert_false (hz_timezone_is_known ("Asia/Shanghai"));
  g_assert_null (hz_timezone_new ("Fifo"));

  zone = hz_timezone_new ("Zone/Good");
  g_assert_nonnull (zone);
  /* 2025-01-01T00:00:00Z, in China Standard Time. */
  g_assert_cmpint (g_time_zone_get_offset (zone, g_time_zone_find_interval (
                     zone, G_TIME_TYPE_UNIVERSAL, 1735689600)), ==, 8 * 3600);
  g_unsetenv ("TZDIR");

  g_assert_cmpint (g_unlink (inside), ==, 0);
  g_assert_cmpint (g_unlink (outside), ==, 0);
  g_assert_cmpint (g_unlink (text), ==, 0);
  g_assert_cmpint (g_unlink (fifo), ==, 0);
  g_assert_cmpint (g_unlink (good), ==, 0);
  g_assert_cmpint (g_rmdir (zone_dir), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

#define SECOND_US G_USEC_PER_SEC

/* A bucket of 4 refilled at 2 per second: 4 requests at once, then one
 * every half second, each client on its own. */
static void
test_rate_limit_bucket (void)
{
  g_autoptr (HzRateLimiter) limiter = hz_rate_limiter_new (2, 4);
  gint64 start = 1000 * SECOND_US;
  guint retry_after_s = 0;
  guint rejected = 99;

  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (hz_rate_limiter_take (limiter, "key:1", start, &retry_after_s, &rejected));
      g_assert_cmpuint (rejected, ==, 0);
    }

  g_assert_false (hz_rate_limiter_take (limiter, "key:1", start, &retry_after_s, &rejected));
  g_assert_cmpuint (retry_after_s, ==, 1);
  g_assert_cmpuint (rejected, ==, 1);
  g_assert_false (hz_rate_limiter_take (limiter, "key:1", start + SECOND_US / 4, &retry_after_s,
                                        &rejected));
  g_assert_cmpuint (rejected, ==, 2);

  /* Another client still has its whole burst. */
  g_assert_true (hz_rate_limiter_take (limiter, "session:1", start, &retry_after_s, &rejected));
  g_assert_cmpuint (rejected, ==, 0);

  /* Half a second brings one token back, and the next request learns how
   * many were rejected before it. */
  g_assert_true (hz_rate_limiter_take (limiter, "key:1", start + SECOND_US / 2, &retry_after_s,
                                       &rejected));
  g_assert_cmpuint (rejected, ==, 2);
  g_assert_false (hz_rate_limiter_take (limiter, "key:1", start + SECOND_US / 2, &retry_after_s,
                                        &rejected));
  g_assert_cmpuint (rejected, ==, 1);

  /* Ten idle seconds refill the bucket to its burst, not beyond. */
  for (guint i = 0; i < 4; i++)
    g_assert_true (hz_rate_limiter_take (limiter, "key:1", start + 11 * SECOND_US,
                                         &retry_after_s, &rejected));
  g_assert_false (hz_rate_limiter_take (limiter, "key:1", start + 11 * SECOND_US,
                                        &retry_after_s, &rejected));
}

/* Retry-After rounds the wait for one token up to whole seconds. */
static void
test_rate_limit_retry_after (void)
{
  g_autoptr (HzRateLimiter) slow = hz_rate_limiter_new (1, 1);
  g_autoptr (HzRateLimiter) fast = hz_rate_limiter_new (1000, 1);
  gint64 start = 50 * SECOND_US;
  guint retry_after_s = 0;
  guint rejected = 0;

  g_assert_true (hz_rate_limiter_take (slow, "key:7", start, &retry_after_s, &rejected));
  g_assert_false (hz_rate_limiter_take (slow, "key:7", start + SECOND_US / 10, &retry_after_s,
                                        &rejected));
  g_assert_cmpuint (retry_after_s, ==, 1);

  g_assert_true (hz_rate_limiter_take (fast, "key:7", start, &retry_after_s, &rejected));
  g_assert_false (hz_rate_limiter_take (fast, "key:7", start, &retry_after_s, &rejected));
  g_assert_cmpuint (retry_after_s, ==, 1);
}

/* Full buckets are dropped once a minute, but a client whose last request
 * was rejected keeps its bucket and its count of rejections. */
static void
test_rate_limit_drops_idle_clients (void)
{
  g_autoptr (HzRateLimiter) limiter = hz_rate_limiter_new (1, 1);
  gint64 start = g_get_monotonic_time ();
  guint retry_after_s = 0;
  guint rejected = 0;

  g_assert_true (hz_rate_limiter_take (limiter, "key:1", start, &retry_after_s, &rejected));
  g_assert_true (hz_rate_limiter_take (limiter, "key:2", start + 30 * SECOND_US,
                                       &retry_after_s, &rejected));
  g_assert_false (hz_rate_limiter_take (limiter, "key:2", start + 30 * SECOND_US,
                                        &retry_after_s, &rejected));
  g_assert_cmpuint (hz_rate_limiter_count_clients (limiter), ==, 2);

  g_assert_true (hz_rate_limiter_take (limiter, "key:3", start + 61 * SECOND_US,
                                       &retry_after_s, &rejected));
  g_assert_cmpuint (hz_rate_limiter_count_clients (limiter), ==, 2);
  g_assert_true (hz_rate_limiter_take (limiter, "key:2", start + 61 * SECOND_US,
                                       &retry_after_s, &rejected));
  g_assert_cmpuint (rejected, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sched-core/accept-language", test_accept_language);
  g_test_add_func ("/sched-core/error-table/complete", test_error_table_complete);
  g_test_add_func ("/sched-core/error-table/contract-codes", test_error_contract_codes);
  g_test_add_func ("/sched-core/json/parse", test_json_parse);
  g_test_add_func ("/sched-core/json/syntax", test_json_syntax);
  g_test_add_func ("/sched-core/json/nul-field", test_json_nul_field);
  g_test_add_func ("/sched-core/fields/consultation", test_fields_consultation);
  g_test_add_func ("/sched-core/fields/length-in-characters", test_fields_length_counts_characters);
  g_test_add_func ("/sched-core/fields/times-and-ids", test_fields_times_and_ids);
  g_test_add_func ("/sched-core/fields/text-and-ids", test_fields_text_and_ids);
  g_test_add_func ("/sched-core/fields/messages", test_field_messages);
  g_test_add_func ("/sched-core/api-key/format", test_api_key_format);
  g_test_add_func ("/sched-core/access/rules", test_access_rules);
  g_test_add_func ("/sched-core/fields/session-interval", test_session_interval_bounds);
  g_test_add_func ("/sched-core/timezone/system", test_timezone_system);
  g_test_add_func ("/sched-core/timezone/files", test_timezone_files);
  g_test_add_func ("/sched-core/rate-limit/bucket", test_rate_limit_bucket);
  g_test_add_func ("/sched-core/rate-limit/retry-after", test_rate_limit_retry_after);
  g_test_add_func ("/sched-core/rate-limit/drops-idle-clients", test_rate_limit_drops_idle_clients);

  return g_test_run ();
}
