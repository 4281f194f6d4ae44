/* Experts' weekly hours, booking rules, leave and extra hours. */

#include "hz-sched-api-availability.h"

#include <string.h>

#include "hz-sched-availability.h"
#include "hz-sched-json.h"
#include "hz-sched-time.h"

/* Maximum length of one leave or extra-hours entry, in days. */
#define EXCEPTION_MAX_DAYS 366
#define QUERY_KEY "hz-query"

static const HzFieldSpec hours_range_fields[] = {
  { .name = "weekday", .type = HZ_FIELD_INTEGER, .required = TRUE, .min = 1, .max = 7 },
  { .name = "start", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 5 },
  { .name = "end", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 5 },
  { NULL }
};

static const HzFieldSpec hours_range_item = {
  .type = HZ_FIELD_OBJECT, .members = hours_range_fields,
};

const HzFieldSpec hz_working_hours_fields[] = {
  { .name = "hours", .type = HZ_FIELD_ARRAY, .required = TRUE, .items = &hours_range_item,
    .max_items = 70 },
  { NULL }
};

const HzFieldSpec hz_booking_rules_fields[] = {
  { .name = "min_notice_minutes", .type = HZ_FIELD_INTEGER, .required = TRUE,
    .min = 0, .max = 60 * 24 * 90 },
  { .name = "buffer_minutes", .type = HZ_FIELD_INTEGER, .required = TRUE, .min = 0, .max = 240 },
  { NULL }
};

static const char *const leave_kind_names[] = {
  "leave", "training", "conference", "other", NULL,
};

const HzFieldSpec hz_leave_fields[] = {
  { .name = "start", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "end", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "kind", .type = HZ_FIELD_STRING, .allowed = leave_kind_names },
  { .name = "reason", .type = HZ_FIELD_STRING, .max_length = 500, .multiline = TRUE },
  { NULL }
};

const HzFieldSpec hz_extra_hours_fields[] = {
  { .name = "start", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "end", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "reason", .type = HZ_FIELD_STRING, .max_length = 500, .multiline = TRUE },
  { NULL }
};

const HzFieldSpec hz_holiday_calendar_fields[] = {
  { .name = "holiday_calendar", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 32 },
  { NULL }
};

static void
respond_field_problem (HzRequest      *request,
                       const char     *field,
                       HzFieldProblem  problem)
{
  g_autoptr (HzFieldError) error = hz_field_error_new (field, problem, NULL);

  hz_request_respond_field_error (request, error);
}

const char *
hz_request_query (HzRequest  *request,
                  const char *name)
{
  GObject *msg = G_OBJECT (request->msg);
  GHashTable *params = g_object_get_data (msg, QUERY_KEY);

  if (params == NULL)
    {
      const char *query = g_uri_get_query (soup_server_message_get_uri (request->msg));

      /* Without G_URI_PARAMS_WWW_FORM a "+" stays a plus sign, so an
       * offset like +08:00 needs no percent-encoding. */
      if (query != NULL)
        params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
      if (params == NULL)
        params = g_hash_table_new (g_str_hash, g_str_equal);
      g_object_set_data_full (msg, QUERY_KEY, params, (GDestroyNotify) g_hash_table_unref);
    }

  return g_hash_table_lookup (params, name);
}

gboolean
hz_request_query_time (HzRequest  *request,
                       const char *name,
                       gboolean    required,
                       gint64     *value)
{
  const char *text = hz_request_query (request, name);

  if (text == NULL || *text == '\0')
    {
      if (!required)
        return TRUE;
      respond_field_problem (request, name, HZ_FIELD_PROBLEM_MISSING);
      return FALSE;
    }

  if (!hz_time_parse_rfc3339 (text, value))
    {
      respond_field_problem (request, name, hz_field_time_problem (text));
      return FALSE;
    }

  return TRUE;
}

/* Loads the expert of the request path. Users that are not experts are
 * 404, like missing ones. */
static HzUser *
load_expert (HzRequest *request)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzUser) expert = hz_store_get_user (request->sched->db, request->path_id, &error);

  if (expert == NULL)
    {
      hz_request_respond_gerror (request, error);
      return NULL;
    }
  if (expert->role != HZ_ROLE_EXPERT)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return NULL;
    }

  return g_steal_pointer (&expert);
}

/* Admins, coordinators of the expert's organization and the expert. */
static gboolean
can_manage_expert (const HzUser *user,
                   const HzUser *expert)
{
  if (user->role == HZ_ROLE_ADMIN || user->id == expert->id)
    return TRUE;
  return user->role == HZ_ROLE_COORDINATOR && user->org_id == expert->org_id;
}

/* Loads the expert and checks that the caller may manage them. */
static HzUser *
load_managed_expert (HzRequest *request)
{
  g_autoptr (HzUser) expert = load_expert (request);

  if (expert == NULL)
    return NULL;
  if (!can_manage_expert (request->caller, expert))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return NULL;
    }

  return g_steal_pointer (&expert);
}

/* Loads the expert for reading hours and rules, which every role but
 * trainees may see because slot search shows them anyway. */
static HzUser *
load_visible_expert (HzRequest *request)
{
  if (request->caller->role == HZ_ROLE_TRAINEE)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return NULL;
    }

  return load_expert (request);
}

/* Parses "HH:MM" (00:00 to 24:00) into minutes after midnight. */
static gboolean
parse_clock (const char *text,
             int        *minutes)
{
  guint64 hours, mins;
  char digits[3] = { 0 };

  if (strlen (text) != 5 || text[2] != ':' || !g_ascii_isdigit (text[0]) ||
      !g_ascii_isdigit (text[3]))
    return FALSE;

  memcpy (digits, text, 2);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, 24, &hours, NULL))
    return FALSE;
  memcpy (digits, text + 3, 2);
  if (!g_ascii_string_to_unsigned (digits, 10, 0, 59, &mins, NULL))
    return FALSE;
  if (hours == 24 && mins != 0)
    return FALSE;

  *minutes = (int) (hours * 60 + mins);
  return TRUE;
}

/* Reads element INDEX of the hours array into *HOURS. Responds and returns
 * FALSE when a clock time is invalid or the range is empty. */
static gboolean
read_hours_range (HzRequest      *request,
                  JsonObject     *object,
                  guint           index,
                  HzWorkingHours *hours)
{
  g_autofree char *start_field = g_strdup_printf ("hours[%u].start", index);
  g_autofree char *end_field = g_strdup_printf ("hours[%u].end", index);

  hours->weekday = (int) hz_fields_get_integer (object, "weekday", 0);
  if (!parse_clock (hz_fields_get_string (object, "start"), &hours->start_minute) ||
      hours->start_minute >= 24 * 60)
    {
      respond_field_problem (request, start_field, HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }
  if (!parse_clock (hz_fields_get_string (object, "end"), &hours->end_minute) ||
      hours->end_minute <= hours->start_minute)
    {
      respond_field_problem (request, end_field, HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  return TRUE;
}

/* Reads the validated hours array. Ranges of one weekday must not
 * overlap, so that every minute has one owner. */
static GArray *
read_hours (HzRequest *request)
{
  JsonArray *array = hz_fields_get_array (request->body, "hours");
  g_autoptr (GArray) hours = g_array_new (FALSE, FALSE, sizeof (HzWorkingHours));

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      HzWorkingHours range;

      if (!read_hours_range (request, json_array_get_object_element (array, i), i, &range))
        return NULL;

      for (guint j = 0; j < hours->len; j++)
        {
          const HzWorkingHours *other = &g_array_index (hours, HzWorkingHours, j);

          if (other->weekday == range.weekday && range.start_minute < other->end_minute &&
              other->start_minute < range.end_minute)
            {
              g_autofree char *field = g_strdup_printf ("hours[%u]", i);

              respond_field_problem (request, field, HZ_FIELD_PROBLEM_INVALID_VALUE);
              return NULL;
            }
        }

      g_array_append_val (hours, range);
    }

  return g_steal_pointer (&hours);
}

static char *
format_clock (int minutes)
{
  return g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);
}

static void
respond_working_hours (HzRequest    *request,
                       const HzUser *expert)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) hours = hz_store_get_working_hours (request->sched->db, expert->id,
                                                         &error);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (hours == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "expert_id");
  json_builder_add_int_value (builder, expert->id);
  json_builder_set_member_name (builder, "timezone");
  json_builder_add_string_value (builder, expert->org_timezone ? expert->org_timezone
                                                               : HZ_DEFAULT_TIMEZONE);
  json_builder_set_member_name (builder, "hours");
  json_builder_begin_array (builder);
  for (guint i = 0; i < hours->len; i++)
    {
      const HzWorkingHours *range = &g_array_index (hours, HzWorkingHours, i);
      g_autofree char *start = format_clock (range->start_minute);
      g_autofree char *end = format_clock (range->end_minute);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "weekday");
      json_builder_add_int_value (builder, range->weekday);
      json_builder_set_member_name (builder, "start");
      json_builder_add_string_value (builder, start);
      json_builder_set_member_name (builder, "end");
      json_builder_add_string_value (builder, end);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_get_working_hours (HzRequest *request)
{
  g_autoptr (HzUser) expert = load_visible_expert (request);

  if (expert != NULL)
    respond_working_hours (request, expert);
}

void
hz_api_set_working_hours (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzUser) expert = load_managed_expert (request);
  g_autoptr (GArray) hours = NULL;
  g_autoptr (GError) error = NULL;

  if (expert == NULL)
    return;

  hours = read_hours (request);
  if (hours == NULL)
    return;

  if (!hz_store_set_working_hours (request->sched->db, &actor, expert->id, hours, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Working hours of expert %" G_GINT64_FORMAT " set to %u ranges by user %"
             G_GINT64_FORMAT, expert->id, hours->len, request->caller->id);
  respond_working_hours (request, expert);
}

static void
respond_booking_rules (HzRequest    *request,
                       const HzUser *expert)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  HzBookingRules rules;

  if (!hz_store_get_booking_rules (request->sched->db, expert->id, &rules, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "expert_id");
  json_builder_add_int_value (builder, expert->id);
  json_builder_set_member_name (builder, "min_notice_minutes");
  json_builder_add_int_value (builder, rules.min_notice_minutes);
  json_builder_set_member_name (builder, "buffer_minutes");
  json_builder_add_int_value (builder, rules.buffer_minutes);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_get_booking_rules (HzRequest *request)
{
  g_autoptr (HzUser) expert = load_visible_expert (request);

  if (expert != NULL)
    respond_booking_rules (request, expert);
}

void
hz_api_set_booking_rules (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzUser) expert = load_managed_expert (request);
  g_autoptr (GError) error = NULL;
  HzBookingRules rules;

  if (expert == NULL)
    return;

  rules.min_notice_minutes = hz_fields_get_integer (request->body, "min_notice_minutes", 0);
  rules.buffer_minutes = hz_fields_get_integer (request->body, "buffer_minutes", 0);
  if (!hz_store_set_booking_rules (request->sched->db, &actor, expert->id, &rules, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Booking rules of expert %" G_GINT64_FORMAT " set by user %" G_GINT64_FORMAT
             ": notice %" G_GINT64_FORMAT " min, buffer %" G_GINT64_FORMAT " min",
             expert->id, request->caller->id, rules.min_notice_minutes, rules.buffer_minutes);
  respond_booking_rules (request, expert);
}

static JsonNode *
exception_to_json (const HzAvailabilityException *exception,
                   GTimeZone                     *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, exception->id);
  json_builder_set_member_name (builder, "expert_id");
  json_builder_add_int_value (builder, exception->expert_id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, exception->kind);
  hz_json_add_time (builder, "start", exception->start_at, zone);
  hz_json_add_time (builder, "end", exception->end_at, zone);
  json_builder_set_member_name (builder, "reason");
  if (exception->reason != NULL)
    json_builder_add_string_value (builder, exception->reason);
  else
    json_builder_add_null_value (builder);
  hz_json_add_time (builder, "created_at", exception->created_at, zone);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Adds a leave or extra-hours entry of KIND from the request body. */
static void
add_exception (HzRequest  *request,
               const char *kind)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzUser) expert = load_managed_expert (request);
  g_autoptr (HzAvailabilityException) exception = g_new0 (HzAvailabilityException, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (expert == NULL)
    return;

  exception->expert_id = expert->id;
  exception->kind = g_strdup (kind);
  exception->start_at = hz_fields_get_time (request->body, "start", 0);
  exception->end_at = hz_fields_get_time (request->body, "end", 0);
  exception->reason = g_strdup (hz_fields_get_string (request->body, "reason"));

  if (exception->start_at >= exception->end_at)
    {
      respond_field_problem (request, "end", HZ_FIELD_PROBLEM_END_NOT_AFTER_START);
      return;
    }
  if (exception->end_at - exception->start_at > EXCEPTION_MAX_DAYS * 86400)
    {
      respond_field_problem (request, "end", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return;
    }

  if (!hz_store_add_exception (request->sched->db, &actor, exception, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Availability exception %" G_GINT64_FORMAT " (%s) of expert %" G_GINT64_FORMAT
             " added by user %" G_GINT64_FORMAT,
             exception->id, kind, expert->id, request->caller->id);
  node = exception_to_json (exception, request->zone);
  hz_request_respond_json (request, SOUP_STATUS_CREATED, node);
}

void
hz_api_add_leave (HzRequest *request)
{
  const char *kind = hz_fields_get_string (request->body, "kind");

  add_exception (request, kind != NULL ? kind : "leave");
}

void
hz_api_add_extra_hours (HzRequest *request)
{
  add_exception (request, "extra_hours");
}

void
hz_api_list_exceptions (HzRequest *request)
{
  g_autoptr (HzUser) expert = load_managed_expert (request);
  g_autoptr (GPtrArray) exceptions = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  gint64 from = HZ_TIME_MIN;
  gint64 to = HZ_TIME_MAX;

  if (expert == NULL)
    return;
  if (!hz_request_query_time (request, "from", FALSE, &from) ||
      !hz_request_query_time (request, "to", FALSE, &to))
    return;

  exceptions = hz_store_list_exceptions (request->sched->db, expert->id, from, to, &error);
  if (exceptions == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exceptions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < exceptions->len; i++)
    json_builder_add_value (builder, exception_to_json (g_ptr_array_index (exceptions, i),
                                                        request->zone));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_delete_exception (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzAvailabilityException) exception = NULL;
  g_autoptr (HzUser) expert = NULL;
  g_autoptr (GError) error = NULL;

  exception = hz_store_get_exception (request->sched->db, request->path_id, &error);
  if (exception != NULL)
    expert = hz_store_get_user (request->sched->db, exception->expert_id, &error);
  if (expert == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  /* Others' exceptions are 404, so their existence does not leak. */
  if (!can_manage_expert (request->caller, expert))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  if (!hz_store_delete_exception (request->sched->db, &actor, exception->id, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Availability exception %" G_GINT64_FORMAT " of expert %" G_GINT64_FORMAT
             " deleted by user %" G_GINT64_FORMAT,
             exception->id, expert->id, request->caller->id);
  soup_server_message_set_status (request->msg, SOUP_STATUS_NO_CONTENT, NULL);
}
