/* Holiday calendars: which one an organization uses, and their days. */

#include "hz-sched-api-availability.h"

#include "hz-sched-availability.h"

/* Maximum range of GET /holidays, in days. */
#define HOLIDAYS_MAX_DAYS 731

static void
respond_field_problem (HzRequest      *request,
                       const char     *field,
                       HzFieldProblem  problem)
{
  g_autoptr (HzFieldError) error = hz_field_error_new (field, problem, NULL);

  hz_request_respond_field_error (request, error);
}

static void
respond_calendar_choice (HzRequest  *request,
                         gint64      org_id,
                         const char *name)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "org_id");
  json_builder_add_int_value (builder, org_id);
  json_builder_set_member_name (builder, "holiday_calendar");
  json_builder_add_string_value (builder, name);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_set_holiday_calendar (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  const char *name = hz_fields_get_string (request->body, "holiday_calendar");
  g_autoptr (GError) error = NULL;
  const HzUser *caller = request->caller;

  if (caller->role != HZ_ROLE_ADMIN &&
      !(caller->role == HZ_ROLE_COORDINATOR && caller->org_id == request->path_id))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  if (!hz_store_set_holiday_calendar (request->sched->db, &actor, request->path_id, name,
                                      &error))
    {
      if (g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_FIELD))
        respond_field_problem (request, "holiday_calendar", HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      else
        hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Organization %" G_GINT64_FORMAT " uses holiday calendar %s, set by user %"
             G_GINT64_FORMAT, request->path_id, name, caller->id);
  respond_calendar_choice (request, request->path_id, name);
}

void
hz_api_list_holiday_calendars (HzRequest *request)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) calendars = hz_store_list_holiday_calendars (request->sched->db, &error);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (calendars == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "calendars");
  json_builder_add_value (builder, g_steal_pointer (&calendars));
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Reads query parameter NAME as a date YYYY-MM-DD. */
static gboolean
read_query_date (HzRequest  *request,
                 const char *name,
                 GDate      *date)
{
  const char *text = hz_request_query (request, name);

  if (text == NULL)
    {
      respond_field_problem (request, name, HZ_FIELD_PROBLEM_MISSING);
      return FALSE;
    }
  if (!hz_holiday_parse_date (text, date))
    {
      respond_field_problem (request, name, HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  return TRUE;
}

static JsonNode *
day_to_json (const HzHolidayDayRow *row)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "date");
  json_builder_add_string_value (builder, row->date);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, row->kind);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, row->name);
  json_builder_set_member_name (builder, "name_en");
  json_builder_add_string_value (builder, row->name_en);
  json_builder_set_member_name (builder, "provisional");
  json_builder_add_boolean_value (builder, row->provisional);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
respond_days (HzRequest  *request,
              const char *calendar,
              GPtrArray  *rows)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "calendar");
  json_builder_add_string_value (builder, calendar);
  json_builder_set_member_name (builder, "days");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rows->len; i++)
    json_builder_add_value (builder, day_to_json (g_ptr_array_index (rows, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_list_holidays (HzRequest *request)
{
  g_autofree char *own_calendar = NULL;
  const char *calendar = hz_request_query (request, "calendar");
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  char first_text[16], last_text[16];
  GDate first, last;

  if (!read_query_date (request, "from", &first) || !read_query_date (request, "to", &last))
    return;
  if (g_date_compare (&first, &last) > 0 || g_date_days_between (&first, &last) > HOLIDAYS_MAX_DAYS)
    {
      respond_field_problem (request, "to", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return;
    }

  /* Without a calendar parameter, the caller's organization's calendar. */
  if (calendar == NULL && request->caller->org_id != 0)
    {
      own_calendar = hz_store_get_holiday_calendar (request->sched->db,
                                                    request->caller->org_id, &error);
      if (own_calendar == NULL)
        {
          hz_request_respond_gerror (request, error);
          return;
        }
      calendar = own_calendar;
    }
  if (calendar == NULL)
    {
      respond_field_problem (request, "calendar", HZ_FIELD_PROBLEM_MISSING);
      return;
    }

  g_date_strftime (first_text, sizeof first_text, "%Y-%m-%d", &first);
  g_date_strftime (last_text, sizeof last_text, "%Y-%m-%d", &last);
  rows = hz_store_list_holiday_days (request->sched->db, calendar, first_text, last_text,
                                     &error);
  if (rows == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  respond_days (request, calendar, rows);
}
