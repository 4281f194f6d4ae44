/* POST /teaching-sessions (a single round or a weekly series) and reading
 * teaching series. */

#include "hz-sched-api-teaching.h"

#include "hz-holidays.h"
#include "hz-sched-api-availability.h"
#include "hz-sched-time.h"

/* Default range of GET /teaching-sessions, and its maximum. */
#define LIST_DEFAULT_DAYS 90
#define LIST_MAX_DAYS 366

static const char *const frequency_names[] = { "weekly", NULL };

static const HzFieldSpec date_item = { .type = HZ_FIELD_STRING, .max_length = 10 };
static const HzFieldSpec org_item = { .type = HZ_FIELD_ID };

static const HzFieldSpec series_fields[] = {
  { .name = "frequency", .type = HZ_FIELD_STRING, .allowed = frequency_names },
  { .name = "weekly", .type = HZ_FIELD_BOOLEAN },
  { .name = "interval", .type = HZ_FIELD_INTEGER, .min = 1, .max = 4 },
  { .name = "count", .type = HZ_FIELD_INTEGER, .min = 1, .max = HZ_TEACHING_MAX_OCCURRENCES },
  { .name = "until", .type = HZ_FIELD_STRING, .max_length = 40 },
  { .name = "exclude_dates", .type = HZ_FIELD_ARRAY, .items = &date_item,
    .max_items = HZ_TEACHING_MAX_OCCURRENCES },
  { NULL }
};

const HzFieldSpec hz_teaching_fields[] = {
  { .name = "presenter_id", .type = HZ_FIELD_ID, .required = TRUE },
  { .name = "title", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 200 },
  { .name = "description", .type = HZ_FIELD_STRING, .max_length = 4000, .multiline = TRUE },
  { .name = "kind", .type = HZ_FIELD_STRING, .allowed = hz_teaching_kind_names },
  { .name = "start", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "end", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "capacity", .type = HZ_FIELD_INTEGER, .required = TRUE, .min = 1, .max = 10000 },
  { .name = "audience_org_ids", .type = HZ_FIELD_ARRAY, .items = &org_item, .max_items = 200 },
  { .name = "recording", .type = HZ_FIELD_BOOLEAN },
  { .name = "hls", .type = HZ_FIELD_BOOLEAN },
  { .name = "series", .type = HZ_FIELD_OBJECT, .members = series_fields },
  { .name = "skip_conflicts", .type = HZ_FIELD_BOOLEAN },
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

/* Experts, doctors and coordinators present; admins and trainees do not. */
static HzUser *
load_presenter (HzRequest *request)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzUser) presenter = hz_store_get_user (
    request->sched->db, hz_fields_get_id (request->body, "presenter_id"), &error);

  if (presenter == NULL && !g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND))
    {
      hz_request_respond_gerror (request, error);
      return NULL;
    }

  if (presenter == NULL || presenter->org_id == 0 ||
      (presenter->role != HZ_ROLE_EXPERT && presenter->role != HZ_ROLE_DOCTOR &&
       presenter->role != HZ_ROLE_COORDINATOR))
    {
      respond_field_problem (request, "presenter_id", HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      return NULL;
    }

  return g_steal_pointer (&presenter);
}

/* Admins, the presenter, and coordinators of the presenter's organization
 * create teaching sessions. */
static gboolean
can_create (const HzUser *user,
            const HzUser *presenter)
{
  if (user->role == HZ_ROLE_ADMIN || user->id == presenter->id)
    return TRUE;
  return user->role == HZ_ROLE_COORDINATOR && user->org_id == presenter->org_id;
}

/* Returns the id in NODE, which the field table checked as a positive
 * integer or a string of its digits. */
static gint64
read_id (JsonNode *node)
{
  guint64 value = 0;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);

  g_ascii_string_to_unsigned (json_node_get_string (node), 10, 1, G_MAXINT64, &value, NULL);
  return (gint64) value;
}

/* Reads the audience and checks that each organization exists. */
static gboolean
read_audience (HzRequest        *request,
               HzTeachingSeries *series)
{
  JsonArray *array = hz_fields_get_array (request->body, "audience_org_ids");

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      gint64 org_id = read_id (json_array_get_element (array, i));
      g_autoptr (HzOrganization) org = NULL;
      g_autoptr (GError) error = NULL;

      org = hz_store_get_organization (request->sched->db, org_id, &error);
      if (org == NULL)
        {
          g_autofree char *field = g_strdup_printf ("audience_org_ids[%u]", i);

          if (g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND))
            respond_field_problem (request, field, HZ_FIELD_PROBLEM_INVALID_REFERENCE);
          else
            hz_request_respond_gerror (request, error);
          return FALSE;
        }
      g_array_append_val (series->audience, org_id);
    }

  return TRUE;
}

/* Reads "until" into RECURRENCE: a date YYYY-MM-DD is the last local date
 * of an occurrence, and an RFC 3339 time the latest start of one. */
static gboolean
parse_until (const char   *text,
             HzRecurrence *recurrence)
{
  if (hz_holiday_parse_date (text, &recurrence->until))
    return TRUE;
  if (!hz_time_parse_rfc3339 (text, &recurrence->until_time))
    return FALSE;

  recurrence->has_until_time = TRUE;
  return TRUE;
}

static gboolean
read_exclusions (HzRequest    *request,
                 JsonObject   *object,
                 HzRecurrence *recurrence)
{
  JsonArray *array = hz_fields_get_array (object, "exclude_dates");

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      GDate date;

      if (!hz_holiday_parse_date (json_array_get_string_element (array, i), &date))
        {
          g_autofree char *field = g_strdup_printf ("series.exclude_dates[%u]", i);

          respond_field_problem (request, field, HZ_FIELD_PROBLEM_INVALID_VALUE);
          return FALSE;
        }
      g_array_append_val (recurrence->exclude_dates, date);
    }

  return TRUE;
}

/* Reads the optional series object into RECURRENCE. Responds and returns
 * FALSE when it is inconsistent. */
static gboolean
read_recurrence (HzRequest    *request,
                 HzRecurrence *recurrence)
{
  JsonObject *object = hz_fields_get_object (request->body, "series");
  const char *until;
  gboolean weekly;

  if (object == NULL)
    return TRUE;

  weekly = hz_fields_get_string (object, "frequency") != NULL ||
           hz_fields_get_boolean (object, "weekly", FALSE);
  if (!weekly)
    {
      respond_field_problem (request, "series.frequency", HZ_FIELD_PROBLEM_MISSING);
      return FALSE;
    }

  recurrence->interval_weeks = (guint) hz_fields_get_integer (object, "interval", 1);
  recurrence->count = (guint) hz_fields_get_integer (object, "count", 0);
  until = hz_fields_get_string (object, "until");

  /* Exactly one of count and until ends the series. */
  if ((recurrence->count > 0) == (until != NULL))
    {
      respond_field_problem (request, "series.count", recurrence->count > 0
                                                      ? HZ_FIELD_PROBLEM_INVALID_VALUE
                                                      : HZ_FIELD_PROBLEM_MISSING);
      return FALSE;
    }
  if (until != NULL && !parse_until (until, recurrence))
    {
      respond_field_problem (request, "series.until", HZ_FIELD_PROBLEM_INVALID_TIME);
      return FALSE;
    }

  return read_exclusions (request, object, recurrence);
}

/* Reads the first occurrence's times; later occurrences follow the
 * series and are not limited to HZ_BOOKING_MAX_AHEAD_DAYS. */
static gboolean
read_times (HzRequest *request,
            gint64    *start,
            gint64    *end)
{
  g_autoptr (HzFieldError) problem = NULL;

  *start = hz_fields_get_time (request->body, "start", 0);
  *end = hz_fields_get_time (request->body, "end", 0);

  problem = hz_fields_check_session_interval (*start, *end,
                                              g_get_real_time () / G_USEC_PER_SEC);
  if (problem != NULL)
    {
      hz_request_respond_field_error (request, problem);
      return FALSE;
    }

  return TRUE;
}

/* Returns the field that the error names when RECURRENCE expands to no
 * occurrence: "series.until" when it is empty even without exclusions,
 * because "until" lies before the first start, else "series.exclude_dates". */
static const char *
empty_series_field (const HzRecurrence *recurrence)
{
  HzRecurrence without_exclusions = *recurrence;
  g_autoptr (GArray) occurrences = NULL;

  without_exclusions.exclude_dates = NULL;
  if (hz_recurrence_expand (&without_exclusions, &occurrences) == HZ_RECURRENCE_EMPTY)
    return "series.until";
  return "series.exclude_dates";
}

/* Expands the request's times and series into occurrences. */
static GArray *
read_occurrences (HzRequest *request,
                  GTimeZone *zone)
{
  g_autoptr (GArray) excluded = g_array_new (FALSE, FALSE, sizeof (GDate));
  HzRecurrence recurrence = { 0, 0, zone, 0, 0, { 0 }, excluded };
  GArray *occurrences = NULL;

  g_date_clear (&recurrence.until, 1);
  if (!read_times (request, &recurrence.first_start, &recurrence.first_end) ||
      !read_recurrence (request, &recurrence))
    return NULL;

  switch (hz_recurrence_expand (&recurrence, &occurrences))
    {
    case HZ_RECURRENCE_OK:
      return occurrences;
    case HZ_RECURRENCE_TOO_MANY:
      respond_field_problem (request, "series", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return NULL;
    case HZ_RECURRENCE_EMPTY:
    default:
      respond_field_problem (request, empty_series_field (&recurrence),
                             HZ_FIELD_PROBLEM_INVALID_VALUE);
      return NULL;
    }
}

/* Fills SERIES from the body. Responds and returns FALSE on a problem. */
static gboolean
read_series (HzRequest        *request,
             const HzUser     *presenter,
             HzTeachingSeries *series)
{
  JsonObject *body = request->body;
  JsonNode *recurrence = json_object_get_member (body, "series");
  const char *kind = hz_fields_get_string (body, "kind");

  series->org_id = presenter->org_id;
  series->presenter_id = presenter->id;
  series->created_by = request->caller->id;
  series->kind = g_strdup (kind != NULL ? kind : "lecture");
  series->title = g_strdup (hz_fields_get_string (body, "title"));
  series->description = g_strdup (hz_fields_get_string (body, "description"));
  series->capacity = hz_fields_get_integer (body, "capacity", 1);
  series->recording = hz_fields_get_boolean (body, "recording", FALSE);
  series->hls = hz_fields_get_boolean (body, "hls", FALSE);
  if (recurrence != NULL && JSON_NODE_HOLDS_OBJECT (recurrence))
    series->recurrence = json_to_string (recurrence, FALSE);

  return read_audience (request, series);
}

void
hz_api_create_teaching (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzUser) presenter = NULL;
  g_autoptr (HzTeachingSeries) series = hz_teaching_series_new ();
  g_autoptr (GTimeZone) zone = NULL;
  g_autoptr (GArray) occurrences = NULL;
  g_autoptr (GArray) conflicts = g_array_new (FALSE, FALSE, sizeof (HzTeachingConflict));
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  gboolean skip = hz_fields_get_boolean (request->body, "skip_conflicts", FALSE);

  presenter = load_presenter (request);
  if (presenter == NULL)
    return;
  if (!can_create (request->caller, presenter))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  zone = hz_sched_lookup_zone (presenter->org_timezone);
  if (!read_series (request, presenter, series))
    return;
  occurrences = read_occurrences (request, zone);
  if (occurrences == NULL)
    return;

  if (!hz_store_create_teaching_series (request->sched->db, &actor, series, occurrences, skip,
                                        conflicts, &error))
    {
      if (g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_TEACHING_CONFLICT))
        hz_teaching_respond_conflicts (request, conflicts, zone);
      else
        hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Teaching series %" G_GINT64_FORMAT " with %u occurrences (%u skipped) created "
             "for presenter %" G_GINT64_FORMAT " by user %" G_GINT64_FORMAT,
             series->id, series->occurrences->len, conflicts->len, presenter->id,
             request->caller->id);
  node = hz_json_teaching_series (series, request->zone, zone, NULL, conflicts);
  hz_request_respond_json (request, SOUP_STATUS_CREATED, node);
}

void
hz_api_get_teaching (HzRequest *request)
{
  g_autoptr (HzTeachingSeries) series = hz_teaching_load_visible (request, request->path_id);
  g_autoptr (HzTeachingRegistration) registration = NULL;
  g_autoptr (GTimeZone) zone = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (series == NULL)
    return;

  registration = hz_store_get_teaching_registration (request->sched->db, series->id,
                                                     request->caller->id, &error);
  if (error != NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  zone = hz_teaching_zone (request, series);
  node = hz_json_teaching_series (series, request->zone, zone, registration, NULL);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Reads from and to, defaulting to the next LIST_DEFAULT_DAYS days. */
static gboolean
read_list_range (HzRequest *request,
                 gint64    *from,
                 gint64    *to)
{
  *from = g_get_real_time () / G_USEC_PER_SEC;
  *to = G_MININT64;

  if (!hz_request_query_time (request, "from", FALSE, from) ||
      !hz_request_query_time (request, "to", FALSE, to))
    return FALSE;
  if (*to == G_MININT64)
    *to = *from + LIST_DEFAULT_DAYS * 86400;

  if (*from >= *to || *to - *from > LIST_MAX_DAYS * 86400)
    {
      respond_field_problem (request, "to", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  return TRUE;
}

void
hz_api_list_teaching (HzRequest *request)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  gint64 from, to;

  if (!read_list_range (request, &from, &to))
    return;

  list = hz_store_list_teaching_series (request->sched->db, from, to, &error);
  if (list == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "teaching_sessions");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    {
      const HzTeachingSeries *series = g_ptr_array_index (list, i);
      g_autoptr (GTimeZone) zone = NULL;

      if (!hz_teaching_is_visible (request->caller, series))
        continue;
      zone = hz_teaching_zone (request, series);
      json_builder_add_value (builder, hz_json_teaching_series (series, request->zone, zone,
                                                                NULL, NULL));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
