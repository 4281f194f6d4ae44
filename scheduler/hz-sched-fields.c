#include "hz-sched-fields.h"

#include <string.h>

#include "hz-json-syntax.h"
#include "hz-sched-time.h"

HzFieldError *
hz_field_error_new (const char        *field,
                    HzFieldProblem     problem,
                    const HzFieldSpec *spec)
{
  HzFieldError *error = g_new0 (HzFieldError, 1);

  error->field = g_strdup (field);
  error->problem = problem;
  error->spec = spec;
  return error;
}

void
hz_field_error_free (HzFieldError *error)
{
  if (error == NULL)
    return;
  g_free (error->field);
  g_free (error);
}

HzSchedErrorCode
hz_field_error_code (const HzFieldError *error)
{
  switch (error->problem)
    {
    case HZ_FIELD_PROBLEM_INVALID_TIME:
    case HZ_FIELD_PROBLEM_LEAP_SECOND:
    case HZ_FIELD_PROBLEM_END_NOT_AFTER_START:
    case HZ_FIELD_PROBLEM_DURATION_TOO_LONG:
    case HZ_FIELD_PROBLEM_TOO_FAR_IN_PAST:
    case HZ_FIELD_PROBLEM_TOO_FAR_AHEAD:
      return HZ_SCHED_ERROR_INVALID_TIME;
    default:
      return HZ_SCHED_ERROR_INVALID_FIELD;
    }
}

static const char *
type_name (HzFieldType type,
           HzLanguage  language)
{
  gboolean en = language == HZ_LANGUAGE_EN;

  switch (type)
    {
    case HZ_FIELD_STRING:
      return en ? "a string" : "字符串";
    case HZ_FIELD_INTEGER:
      return en ? "an integer" : "整数";
    case HZ_FIELD_ID:
      return en ? "a positive integer id" : "正整数编号";
    case HZ_FIELD_ID_OR_DIGITS:
      return en ? "a positive integer id, as a number or a string of digits"
                : "正整数编号（数字或由数字组成的字符串）";
    case HZ_FIELD_TIME:
      return en ? "an RFC 3339 time with an offset" : "带时区偏移的 RFC 3339 时间";
    case HZ_FIELD_TIMESTAMP:
      return en ? "an RFC 3339 time with an offset or Unix seconds"
                : "带时区偏移的 RFC 3339 时间或 Unix 秒数";
    case HZ_FIELD_OBJECT:
      return en ? "an object" : "对象";
    case HZ_FIELD_ARRAY:
      return en ? "an array" : "数组";
    case HZ_FIELD_BOOLEAN:
      return en ? "true or false" : "布尔值（true 或 false）";
    default:
      g_return_val_if_reached ("?");
    }
}

char *
hz_field_error_message (const HzFieldError *error,
                        HzLanguage          language)
{
  gboolean en = language == HZ_LANGUAGE_EN;
  const HzFieldSpec *spec = error->spec;
  const char *field = error->field;
  HzFieldProblem problem = error->problem;

  /* These messages quote the spec; without one, say only "invalid". */
  if (spec == NULL &&
      (problem == HZ_FIELD_PROBLEM_WRONG_TYPE || problem == HZ_FIELD_PROBLEM_TOO_LONG ||
       problem == HZ_FIELD_PROBLEM_TOO_SHORT ||
       problem == HZ_FIELD_PROBLEM_NOT_ALLOWED || problem == HZ_FIELD_PROBLEM_OUT_OF_RANGE ||
       problem == HZ_FIELD_PROBLEM_TOO_MANY_ITEMS))
    problem = HZ_FIELD_PROBLEM_INVALID_VALUE;
  if (problem == HZ_FIELD_PROBLEM_NOT_ALLOWED && spec->allowed == NULL)
    problem = HZ_FIELD_PROBLEM_INVALID_VALUE;

  switch (problem)
    {
    case HZ_FIELD_PROBLEM_MISSING:
      return en ? g_strdup_printf ("Missing required field '%s'.", field)
                : g_strdup_printf ("缺少必填字段“%s”。", field);
    case HZ_FIELD_PROBLEM_WRONG_TYPE:
      return en ? g_strdup_printf ("Field '%s' must be %s.", field,
                                   type_name (spec->type, language))
                : g_strdup_printf ("字段“%s”的类型不正确，应为%s。", field,
                                   type_name (spec->type, language));
    case HZ_FIELD_PROBLEM_EMPTY:
      return en ? g_strdup_printf ("Field '%s' must not be empty.", field)
                : g_strdup_printf ("字段“%s”不能为空。", field);
    case HZ_FIELD_PROBLEM_TOO_LONG:
      return en ? g_strdup_printf ("Field '%s' is longer than %u characters.",
                                   field, spec->max_length)
                : g_strdup_printf ("字段“%s”超过了 %u 个字符的长度上限。",
                                   field, spec->max_length);
    case HZ_FIELD_PROBLEM_TOO_SHORT:
      return en ? g_strdup_printf ("Field '%s' is shorter than %u characters.",
                                   field, spec->min_length)
                : g_strdup_printf ("字段“%s”不能少于 %u 个字符。",
                                   field, spec->min_length);
    case HZ_FIELD_PROBLEM_NOT_ALLOWED:
      {
        g_autofree char *allowed = g_strjoinv (en ? ", " : "、", (char **) spec->allowed);

        return en ? g_strdup_printf ("Field '%s' must be one of: %s.", field, allowed)
                  : g_strdup_printf ("字段“%s”的取值无效，可选值为：%s。", field, allowed);
      }
    case HZ_FIELD_PROBLEM_OUT_OF_RANGE:
      return en ? g_strdup_printf ("Field '%s' must be between %" G_GINT64_FORMAT
                                   " and %" G_GINT64_FORMAT ".",
                                   field, spec->min, spec->max)
                : g_strdup_printf ("字段“%s”应在 %" G_GINT64_FORMAT " 到 %"
                                   G_GINT64_FORMAT " 之间。",
                                   field, spec->min, spec->max);
    case HZ_FIELD_PROBLEM_INVALID_TIME:
      return en ? g_strdup_printf ("Field '%s' is not an RFC 3339 time with an offset "
                                   "(for example 2025-03-01T09:00:00+08:00).", field)
                : g_strdup_printf ("字段“%s”不是带时区偏移的 RFC 3339 时间"
                                   "（例如 2025-03-01T09:00:00+08:00）。", field);
    case HZ_FIELD_PROBLEM_LEAP_SECOND:
      return en ? g_strdup_printf ("Field '%s' is a leap second (seconds 60), which the scheduler "
                                   "does not take. Use second 59.", field)
                : g_strdup_printf ("字段“%s”是闰秒（秒数为 60），系统不接受闰秒，请改用 59 秒。",
                                   field);
    case HZ_FIELD_PROBLEM_END_NOT_AFTER_START:
      return en ? g_strdup_printf ("Field '%s': the end must be after the start.", field)
                : g_strdup_printf ("字段“%s”：结束时间必须晚于开始时间。", field);
    case HZ_FIELD_PROBLEM_DURATION_TOO_LONG:
      return en ? g_strdup_printf ("Field '%s': a session lasts at most %d hours.",
                                   field, HZ_SESSION_MAX_HOURS)
                : g_strdup_printf ("字段“%s”：单次会诊时长不能超过 %d 小时。",
                                   field, HZ_SESSION_MAX_HOURS);
    case HZ_FIELD_PROBLEM_TOO_FAR_IN_PAST:
      return en ? g_strdup_printf ("Field '%s' is more than %d hours in the past. "
                                   "Check the date, and book a current or future time.",
                                   field, HZ_BOOKING_MAX_PAST_SECONDS / 3600)
                : g_strdup_printf ("字段“%s”早于当前时间 %d 小时以上，请检查日期，"
                                   "并选择当前或将来的时间。",
                                   field, HZ_BOOKING_MAX_PAST_SECONDS / 3600);
    case HZ_FIELD_PROBLEM_TOO_FAR_AHEAD:
      return en ? g_strdup_printf ("Field '%s' is more than 5 years ahead. "
                                   "Check the year.", field)
                : g_strdup_printf ("字段“%s”晚于当前时间 5 年以上，请检查年份。", field);
    case HZ_FIELD_PROBLEM_CONTROL_CHARACTER:
      return en ? g_strdup_printf ("Field '%s' contains a control character. Free text may "
                                   "contain line breaks and tabs, other fields none.", field)
                : g_strdup_printf ("字段“%s”包含控制字符。自由文本只允许换行和制表符，"
                                   "其他字段不允许任何控制字符。", field);
    case HZ_FIELD_PROBLEM_INVALID_REFERENCE:
      return en ? g_strdup_printf ("Field '%s' refers to something that does not exist "
                                   "or does not qualify.", field)
                : g_strdup_printf ("字段“%s”指向的对象不存在或不符合要求。", field);
    case HZ_FIELD_PROBLEM_TOO_MANY_ITEMS:
      return en ? g_strdup_printf ("Field '%s' has more than %u elements.",
                                   field, spec->max_items)
                : g_strdup_printf ("字段“%s”的元素超过 %u 个。", field, spec->max_items);
    case HZ_FIELD_PROBLEM_INVALID_VALUE:
    default:
      return en ? g_strdup_printf ("Field '%s' has an invalid value.", field)
                : g_strdup_printf ("字段“%s”的取值无效。", field);
    }
}

JsonObject *
hz_json_parse_object (const char  *data,
                      gsize        length,
                      char       **nul_field)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;

  if (data == NULL || length == 0 || length > HZ_BODY_MAX_BYTES)
    return NULL;
  if (!g_utf8_validate_len (data, length, NULL))
    return NULL;
  if (hz_json_check_object_syntax (data, length, HZ_JSON_MAX_DEPTH, nul_field) !=
      HZ_JSON_SYNTAX_VALID)
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

static gboolean
node_is_integer (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Parses a positive decimal id without sign, spaces or leading zeros. */
static gboolean
parse_id_string (const char *text,
                 gint64     *id)
{
  guint64 value;

  if (text[0] < '1' || text[0] > '9' || strlen (text) > 18)
    return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64) value;
  return TRUE;
}

static gboolean
string_is_allowed (const char        *value,
                   const char *const *allowed)
{
  for (gsize i = 0; allowed[i] != NULL; i++)
    if (g_str_equal (value, allowed[i]))
      return TRUE;
  return FALSE;
}

/* Whether VALUE has a control character (Unicode category Cc: U+0000 to
 * U+001F, U+007F to U+009F) other than, when MULTILINE, "\n", "\t" and
 * the "\r" of "\r\n". */
static gboolean
has_control_character (const char *value,
                       gboolean    multiline)
{
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_iscntrl (c))
        continue;
      if (multiline && (c == '\n' || c == '\t' || (c == '\r' && p[1] == '\n')))
        continue;
      return TRUE;
    }
  return FALSE;
}

/* Whether VALUE is empty or white space only (Unicode White_Space, which
 * includes the ideographic space U+3000). */
static gboolean
is_blank (const char *value)
{
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        return FALSE;
    }
  return TRUE;
}

/* Each check returns TRUE when NODE satisfies SPEC, or FALSE with the
 * problem in *PROBLEM. */
static gboolean
check_string (JsonNode          *node,
              const HzFieldSpec *spec,
              HzFieldProblem    *problem)
{
  const char *value;

  if (!node_is_string (node))
    {
      *problem = HZ_FIELD_PROBLEM_WRONG_TYPE;
      return FALSE;
    }

  value = json_node_get_string (node);
  if (spec->allowed != NULL)
    {
      if (string_is_allowed (value, spec->allowed))
        return TRUE;
      *problem = HZ_FIELD_PROBLEM_NOT_ALLOWED;
      return FALSE;
    }

  if (!spec->secret && spec->required && is_blank (value))
    {
      *problem = HZ_FIELD_PROBLEM_EMPTY;
      return FALSE;
    }
  if (spec->secret && spec->required && *value == '\0')
    {
      *problem = HZ_FIELD_PROBLEM_EMPTY;
      return FALSE;
    }

  if (!spec->secret && has_control_character (value, spec->multiline))
    {
      *problem = HZ_FIELD_PROBLEM_CONTROL_CHARACTER;
      return FALSE;
    }

  if (spec->max_length > 0 && g_utf8_strlen (value, -1) > (glong) spec->max_length)
    {
      *problem = HZ_FIELD_PROBLEM_TOO_LONG;
      return FALSE;
    }

  if (spec->min_length > 0 && g_utf8_strlen (value, -1) < (glong) spec->min_length)
    {
      *problem = HZ_FIELD_PROBLEM_TOO_SHORT;
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_integer (JsonNode          *node,
               const HzFieldSpec *spec,
               HzFieldProblem    *problem)
{
  gint64 value;

  if (!node_is_integer (node))
    {
      *problem = HZ_FIELD_PROBLEM_WRONG_TYPE;
      return FALSE;
    }

  value = json_node_get_int (node);
  if (spec->min < spec->max && (value < spec->min || value > spec->max))
    {
      *problem = HZ_FIELD_PROBLEM_OUT_OF_RANGE;
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_id (JsonNode          *node,
          const HzFieldSpec *spec,
          HzFieldProblem    *problem)
{
  gint64 value;

  if (node_is_integer (node) && json_node_get_int (node) > 0)
    return TRUE;
  if (spec->type == HZ_FIELD_ID_OR_DIGITS && node_is_string (node) &&
      parse_id_string (json_node_get_string (node), &value))
    return TRUE;

  *problem = HZ_FIELD_PROBLEM_WRONG_TYPE;
  return FALSE;
}

static gboolean
check_time (JsonNode          *node,
            const HzFieldSpec *spec,
            HzFieldProblem    *problem)
{
  gint64 value;

  if (spec->type == HZ_FIELD_TIMESTAMP && node_is_integer (node))
    {
      value = json_node_get_int (node);
      if (value >= HZ_TIME_MIN && value <= HZ_TIME_MAX)
        return TRUE;
    }
  else if (node_is_string (node) &&
           hz_time_parse_rfc3339 (json_node_get_string (node), &value))
    return TRUE;

  *problem = node_is_string (node) ? hz_field_time_problem (json_node_get_string (node))
                                   : HZ_FIELD_PROBLEM_INVALID_TIME;
  return FALSE;
}

HzFieldProblem
hz_field_time_problem (const char *text)
{
  return hz_time_is_leap_second (text) ? HZ_FIELD_PROBLEM_LEAP_SECOND
                                       : HZ_FIELD_PROBLEM_INVALID_TIME;
}

static gboolean
check_scalar (JsonNode          *node,
              const HzFieldSpec *spec,
              HzFieldProblem    *problem)
{
  switch (spec->type)
    {
    case HZ_FIELD_STRING:
      return check_string (node, spec, problem);
    case HZ_FIELD_INTEGER:
      return check_integer (node, spec, problem);
    case HZ_FIELD_ID:
    case HZ_FIELD_ID_OR_DIGITS:
      return check_id (node, spec, problem);
    case HZ_FIELD_TIME:
    case HZ_FIELD_TIMESTAMP:
      return check_time (node, spec, problem);
    case HZ_FIELD_BOOLEAN:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return TRUE;
      *problem = HZ_FIELD_PROBLEM_WRONG_TYPE;
      return FALSE;
    case HZ_FIELD_OBJECT:
    case HZ_FIELD_ARRAY:
    default:
      *problem = HZ_FIELD_PROBLEM_WRONG_TYPE;
      g_return_val_if_reached (FALSE);
    }
}

static gboolean validate_members (JsonObject         *object,
                                  const HzFieldSpec  *specs,
                                  const char         *prefix,
                                  HzFieldError      **error);

/* Checks every element of ARRAY against SPEC->items. Elements are named
 * PATH[INDEX] in errors, and a null element is missing. */
static gboolean
validate_items (JsonArray          *array,
                const HzFieldSpec  *spec,
                const char         *path,
                HzFieldError      **error);

/* Checks a present, non-null NODE at PATH against SPEC. */
static gboolean
validate_node (JsonNode           *node,
               const HzFieldSpec  *spec,
               const char         *path,
               HzFieldError      **error)
{
  HzFieldProblem problem;

  if (spec->type == HZ_FIELD_OBJECT)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          *error = hz_field_error_new (path, HZ_FIELD_PROBLEM_WRONG_TYPE, spec);
          return FALSE;
        }
      return validate_members (json_node_get_object (node), spec->members, path, error);
    }

  if (spec->type == HZ_FIELD_ARRAY)
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          *error = hz_field_error_new (path, HZ_FIELD_PROBLEM_WRONG_TYPE, spec);
          return FALSE;
        }
      return validate_items (json_node_get_array (node), spec, path, error);
    }

  if (!check_scalar (node, spec, &problem))
    {
      *error = hz_field_error_new (path, problem, spec);
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_items (JsonArray          *array,
                const HzFieldSpec  *spec,
                const char         *path,
                HzFieldError      **error)
{
  guint length = json_array_get_length (array);

  if (spec->max_items > 0 && length > spec->max_items)
    {
      *error = hz_field_error_new (path, HZ_FIELD_PROBLEM_TOO_MANY_ITEMS, spec);
      return FALSE;
    }

  for (guint i = 0; i < length; i++)
    {
      g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_NULL (node))
        {
          *error = hz_field_error_new (item_path, HZ_FIELD_PROBLEM_MISSING, spec->items);
          return FALSE;
        }
      if (!validate_node (node, spec->items, item_path, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
validate_members (JsonObject         *object,
                  const HzFieldSpec  *specs,
                  const char         *prefix,
                  HzFieldError      **error)
{
  for (const HzFieldSpec *spec = specs; spec->name != NULL; spec++)
    {
      g_autofree char *path = prefix ? g_strconcat (prefix, ".", spec->name, NULL)
                                     : g_strdup (spec->name);
      JsonNode *node = json_object_get_member (object, spec->name);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          if (!spec->required)
            continue;
          *error = hz_field_error_new (path, HZ_FIELD_PROBLEM_MISSING, spec);
          return FALSE;
        }

      if (!validate_node (node, spec, path, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
hz_fields_validate (JsonObject         *object,
                    const HzFieldSpec  *specs,
                    HzFieldError      **error)
{
  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (error != NULL && *error == NULL, FALSE);

  return validate_members (object, specs, NULL, error);
}

static JsonNode *
get_present_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

const char *
hz_fields_get_string (JsonObject *object,
                      const char *name)
{
  JsonNode *node = get_present_member (object, name);

  return node && node_is_string (node) ? json_node_get_string (node) : NULL;
}

gint64
hz_fields_get_integer (JsonObject *object,
                       const char *name,
                       gint64      fallback)
{
  JsonNode *node = get_present_member (object, name);

  return node && node_is_integer (node) ? json_node_get_int (node) : fallback;
}

gint64
hz_fields_get_id (JsonObject *object,
                  const char *name)
{
  JsonNode *node = get_present_member (object, name);
  gint64 id = 0;

  if (node == NULL)
    return 0;
  if (node_is_integer (node))
    return json_node_get_int (node);
  if (node_is_string (node) && parse_id_string (json_node_get_string (node), &id))
    return id;
  return 0;
}

HzFieldError *
hz_fields_check_session_interval (gint64 start,
                                  gint64 end,
                                  gint64 now)
{
  if (start >= end)
    return hz_field_error_new ("end", HZ_FIELD_PROBLEM_END_NOT_AFTER_START, NULL);
  if (end - start > HZ_SESSION_MAX_HOURS * 3600)
    return hz_field_error_new ("end", HZ_FIELD_PROBLEM_DURATION_TOO_LONG, NULL);
  if (start < now - HZ_BOOKING_MAX_PAST_SECONDS)
    return hz_field_error_new ("start", HZ_FIELD_PROBLEM_TOO_FAR_IN_PAST, NULL);
  if (start > now + HZ_BOOKING_MAX_AHEAD_DAYS * G_GINT64_CONSTANT (86400))
    return hz_field_error_new ("start", HZ_FIELD_PROBLEM_TOO_FAR_AHEAD, NULL);
  return NULL;
}

gint64
hz_fields_get_time (JsonObject *object,
                    const char *name,
                    gint64      fallback)
{
  JsonNode *node = get_present_member (object, name);
  gint64 value;

  if (node == NULL)
    return fallback;
  if (node_is_integer (node))
    return json_node_get_int (node);
  if (node_is_string (node) && hz_time_parse_rfc3339 (json_node_get_string (node), &value))
    return value;
  return fallback;
}

JsonObject *
hz_fields_get_object (JsonObject *object,
                      const char *name)
{
  JsonNode *node = get_present_member (object, name);

  return node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
hz_fields_get_array (JsonObject *object,
                     const char *name)
{
  JsonNode *node = get_present_member (object, name);

  return node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gboolean
hz_fields_get_boolean (JsonObject *object,
                       const char *name,
                       gboolean    fallback)
{
  JsonNode *node = get_present_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}
