/* GET /slots: free times of the experts of a specialty, or of one expert,
 * from the same availability rules that booking checks. */

#include "hz-sched-api-availability.h"

#include "hz-sched-availability.h"
#include "hz-sched-json.h"

#define DEFAULT_DURATION_MINUTES 30
#define MAX_STEP_MINUTES 240

static void
respond_field_problem (HzRequest      *request,
                       const char     *field,
                       HzFieldProblem  problem)
{
  g_autoptr (HzFieldError) error = hz_field_error_new (field, problem, NULL);

  hz_request_respond_field_error (request, error);
}

/* Reads query parameter NAME as whole minutes from MIN to MAX. */
static gboolean
read_minutes (HzRequest  *request,
              const char *name,
              guint64     fallback,
              guint64     min,
              guint64     max,
              gint64     *seconds)
{
  const char *text = hz_request_query (request, name);
  guint64 minutes = fallback;

  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, min, max, &minutes, NULL))
    {
      respond_field_problem (request, name, HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  *seconds = (gint64) minutes * 60;
  return TRUE;
}

static gboolean
read_expert_id (HzRequest *request,
                gint64    *expert_id)
{
  const char *text = hz_request_query (request, "expert_id");
  guint64 value = 0;

  *expert_id = 0;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      respond_field_problem (request, "expert_id", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  *expert_id = (gint64) value;
  return TRUE;
}

/* Reads and checks the query into QUERY. Responds and returns FALSE when a
 * parameter is missing or invalid. */
static gboolean
read_query (HzRequest   *request,
            HzSlotQuery *query)
{
  query->specialty = hz_request_query (request, "specialty");
  if (query->specialty != NULL && *query->specialty == '\0')
    query->specialty = NULL;

  if (!read_expert_id (request, &query->expert_id))
    return FALSE;
  if (query->specialty == NULL && query->expert_id == 0)
    {
      respond_field_problem (request, "specialty", HZ_FIELD_PROBLEM_MISSING);
      return FALSE;
    }

  if (!hz_request_query_time (request, "from", TRUE, &query->from) ||
      !hz_request_query_time (request, "to", TRUE, &query->to))
    return FALSE;
  if (query->from >= query->to)
    {
      respond_field_problem (request, "to", HZ_FIELD_PROBLEM_END_NOT_AFTER_START);
      return FALSE;
    }
  if (query->to - query->from > HZ_SLOT_SEARCH_MAX_DAYS * 86400)
    {
      respond_field_problem (request, "to", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  if (!read_minutes (request, "duration", DEFAULT_DURATION_MINUTES, 5,
                     HZ_SESSION_MAX_HOURS * 60, &query->duration))
    return FALSE;

  /* By default slots follow each other without overlapping, as FHIR Slot
   * resources do. A smaller step offers more possible starts. */
  return read_minutes (request, "step", MIN (query->duration / 60, MAX_STEP_MINUTES), 5,
                       MAX_STEP_MINUTES, &query->step);
}

/* Admins, coordinators, doctors and experts search; trainees book nothing. */
static gboolean
can_search_slots (const HzUser *user)
{
  return user->role != HZ_ROLE_TRAINEE;
}

static void
respond_slots (HzRequest         *request,
               const HzSlotQuery *query,
               GArray            *slots,
               gboolean           truncated)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (builder);
  hz_json_add_time (builder, "from", query->from, request->zone);
  hz_json_add_time (builder, "to", query->to, request->zone);
  json_builder_set_member_name (builder, "duration_minutes");
  json_builder_add_int_value (builder, query->duration / 60);
  json_builder_set_member_name (builder, "slots");
  json_builder_begin_array (builder);
  for (guint i = 0; i < slots->len; i++)
    {
      const HzSlot *slot = &g_array_index (slots, HzSlot, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "expert_id");
      json_builder_add_int_value (builder, slot->expert_id);
      hz_json_add_time (builder, "start", slot->start, request->zone);
      hz_json_add_time (builder, "end", slot->end, request->zone);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "truncated");
  json_builder_add_boolean_value (builder, truncated);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_search_slots (HzRequest *request)
{
  HzSlotQuery query = { 0 };
  g_autoptr (GArray) slots = NULL;
  g_autoptr (GError) error = NULL;
  gboolean truncated = FALSE;

  if (!can_search_slots (request->caller))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  if (!read_query (request, &query))
    return;

  query.now = g_get_real_time () / G_USEC_PER_SEC;
  slots = hz_store_search_slots (request->sched->db, &query, &truncated, &error);
  if (slots == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  respond_slots (request, &query, slots, truncated);
}
