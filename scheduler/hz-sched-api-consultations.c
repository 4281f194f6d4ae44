/* POST and GET /consultations, GET /consultations/{id} and the schedule,
 * reschedule and cancel actions. */

#include "hz-sched-api-consultation.h"

#include "hz-sched-access.h"
#include "hz-sched-json.h"
#include "hz-sched-store-partners.h"

/* Page size of GET /consultations. */
#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 200

static const HzFieldSpec patient_fields[] = {
  { .name = "ref", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 64 },
  { .name = "age", .type = HZ_FIELD_INTEGER, .required = TRUE, .min = 0, .max = 150 },
  { .name = "sex", .type = HZ_FIELD_STRING, .required = TRUE, .allowed = hz_patient_sex_names },
  { .name = "summary", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 4000,
    .multiline = TRUE },
  { NULL }
};

/* How many preferred times a request may name. */
#define MAX_PREFERRED_TIMES 5

static const char *const urgency_names[] = { "routine", "urgent", "emergency", NULL };

static const HzFieldSpec preferred_time_fields[] = {
  { .name = "start", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "end", .type = HZ_FIELD_TIME, .required = TRUE },
  { NULL }
};

static const HzFieldSpec preferred_time_item = {
  .name = "preferred_time", .type = HZ_FIELD_OBJECT, .members = preferred_time_fields,
};

const HzFieldSpec hz_consultation_fields[] = {
  { .name = "specialty", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 100 },
  { .name = "patient", .type = HZ_FIELD_OBJECT, .required = TRUE, .members = patient_fields },
  { .name = "question", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 4000,
    .multiline = TRUE },
  { .name = "target_org_id", .type = HZ_FIELD_ID },
  { .name = "requested_expert_id", .type = HZ_FIELD_ID },
  { .name = "urgency", .type = HZ_FIELD_STRING, .allowed = urgency_names },
  { .name = "preferred_times", .type = HZ_FIELD_ARRAY, .items = &preferred_time_item,
    .max_items = MAX_PREFERRED_TIMES },
  { NULL }
};

const HzFieldSpec hz_schedule_fields[] = {
  { .name = "expert_id", .type = HZ_FIELD_ID, .required = TRUE },
  { .name = "start", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "end", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "recording", .type = HZ_FIELD_BOOLEAN },
  { NULL }
};

const HzFieldSpec hz_reschedule_fields[] = {
  { .name = "expert_id", .type = HZ_FIELD_ID },
  { .name = "start", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "end", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "reason", .type = HZ_FIELD_STRING, .max_length = 500, .multiline = TRUE },
  { NULL }
};

const HzFieldSpec hz_cancel_fields[] = {
  { .name = "reason", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 500,
    .multiline = TRUE },
  { NULL }
};

void
hz_api_respond_field_problem (HzRequest      *request,
                              const char     *field,
                              HzFieldProblem  problem)
{
  g_autoptr (HzFieldError) error = hz_field_error_new (field, problem, NULL);

  hz_request_respond_field_error (request, error);
}

HzConsultation *
hz_api_load_visible_consultation (HzRequest *request,
                                  gint64     id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzConsultation) consultation = NULL;

  consultation = hz_store_get_consultation (request->sched->db, id, &error);
  if (consultation == NULL)
    {
      hz_request_respond_gerror (request, error);
      return NULL;
    }

  if (!hz_access_can_view_consultation (request->caller, consultation))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return NULL;
    }

  return g_steal_pointer (&consultation);
}

void
hz_api_respond_consultation (HzRequest *request,
                             gint64     id,
                             guint      status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (JsonNode) node = NULL;

  consultation = hz_store_get_consultation (request->sched->db, id, &error);
  if (consultation == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  node = hz_json_consultation (consultation, request->zone);
  hz_request_respond_json (request, status, node);
}

/* The status is read again after the transaction failed, so under a race
 * the message names the newest status. */
void
hz_api_respond_workflow_error (HzRequest        *request,
                               gint64            id,
                               HzWorkflowAction  action,
                               const GError     *error)
{
  g_autoptr (GError) read_error = NULL;
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (JsonObject) extra = NULL;
  g_autofree char *message = NULL;
  HzConsultationStatus from, to = hz_workflow_target (action);

  if (!g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_TRANSITION))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  consultation = hz_store_get_consultation (request->sched->db, id, &read_error);
  if (consultation == NULL || !hz_consultation_status_from_string (consultation->status, &from))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_INVALID_TRANSITION);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT ": %s rejected, status is %s",
             id, hz_workflow_action_name (action), consultation->status);
  message = hz_workflow_transition_message (from, to, request->language);
  extra = json_object_new ();
  json_object_set_string_member (extra, "from", hz_consultation_status_to_string (from));
  json_object_set_string_member (extra, "to", hz_consultation_status_to_string (to));
  hz_request_respond_error_detail (request, HZ_SCHED_ERROR_INVALID_TRANSITION, message, extra);
}

/* Loads the user of ID and checks that it is an expert. Responds with
 * invalid_field naming FIELD otherwise. */
static HzUser *
load_expert (HzRequest  *request,
             const char *field,
             gint64      id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzUser) expert = NULL;

  expert = hz_store_get_user (request->sched->db, id, &error);
  if (expert == NULL && !g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND))
    {
      hz_request_respond_gerror (request, error);
      return NULL;
    }

  if (expert == NULL || expert->role != HZ_ROLE_EXPERT)
    {
      hz_api_respond_field_problem (request, field, HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      return NULL;
    }

  return g_steal_pointer (&expert);
}

/* Checks that the caller's organization, when it has partners, addresses
 * one of them. Responds and returns FALSE when it does not. */
static gboolean
is_partner (HzRequest      *request,
            HzConsultation *consultation)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) partners = hz_store_org_partner_ids (request->sched->db,
                                                          request->caller->org_id, &error);

  if (partners == NULL)
    {
      hz_request_respond_gerror (request, error);
      return FALSE;
    }
  if (partners->len == 0)
    return TRUE;
  for (guint i = 0; i < partners->len; i++)
    if (g_array_index (partners, gint64, i) == consultation->target_org_id)
      return TRUE;
  hz_api_respond_field_problem (request, consultation->requested_expert_id != 0
                                         ? "requested_expert_id" : "target_org_id",
                                HZ_FIELD_PROBLEM_INVALID_REFERENCE);
  return FALSE;
}

/* Sets the addressee of a new request from target_org_id and
 * requested_expert_id: the organization must give consultations, the
 * expert must belong to it, and an expert alone implies their
 * organization. Responds and returns FALSE when a check fails. */
static gboolean
read_addressee (HzRequest      *request,
                HzConsultation *consultation)
{
  JsonObject *body = request->body;
  g_autoptr (HzOrganization) org = NULL;
  g_autoptr (HzUser) expert = NULL;
  g_autoptr (GError) error = NULL;

  consultation->target_org_id = hz_fields_get_id (body, "target_org_id");
  consultation->requested_expert_id = hz_fields_get_id (body, "requested_expert_id");

  if (consultation->requested_expert_id != 0)
    {
      expert = load_expert (request, "requested_expert_id", consultation->requested_expert_id);
      if (expert == NULL)
        return FALSE;
      if (consultation->target_org_id == 0)
        consultation->target_org_id = expert->org_id;
      if (consultation->target_org_id != expert->org_id)
        {
          hz_api_respond_field_problem (request, "requested_expert_id",
                                        HZ_FIELD_PROBLEM_INVALID_REFERENCE);
          return FALSE;
        }
    }

  if (consultation->target_org_id == 0)
    return TRUE;

  if (!is_partner (request, consultation))
    return FALSE;

  org = hz_store_get_organization (request->sched->db, consultation->target_org_id, &error);
  if (org == NULL && !g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND))
    {
      hz_request_respond_gerror (request, error);
      return FALSE;
    }
  if (org == NULL || !hz_access_org_gives_consultations (org->level))
    {
      hz_api_respond_field_problem (request, "target_org_id", HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      return FALSE;
    }

  return TRUE;
}

/* Reads the request's preferred_times into CONSULTATION: each an interval
 * that ends after it starts and no longer than a session may be. Responds
 * and returns FALSE when one is not. */
static gboolean
read_preferred_times (HzRequest      *request,
                      HzConsultation *consultation)
{
  JsonArray *array = hz_fields_get_array (request->body, "preferred_times");

  if (array == NULL || json_array_get_length (array) == 0)
    return TRUE;
  consultation->preferred_times = g_array_new (FALSE, FALSE, sizeof (HzInterval));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = json_array_get_object_element (array, i);
      HzInterval interval = {
        hz_fields_get_time (item, "start", 0),
        hz_fields_get_time (item, "end", 0),
      };

      if (interval.end <= interval.start)
        {
          hz_api_respond_field_problem (request, "preferred_times",
                                        HZ_FIELD_PROBLEM_END_NOT_AFTER_START);
          return FALSE;
        }
      if (interval.end - interval.start > HZ_SESSION_MAX_HOURS * 3600)
        {
          hz_api_respond_field_problem (request, "preferred_times",
                                        HZ_FIELD_PROBLEM_DURATION_TOO_LONG);
          return FALSE;
        }
      g_array_append_val (consultation->preferred_times, interval);
    }
  return TRUE;
}

void
hz_api_create_consultation (HzRequest *request)
{
  JsonObject *body = request->body;
  JsonObject *patient = hz_fields_get_object (body, "patient");
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = g_new0 (HzConsultation, 1);
  g_autoptr (GError) error = NULL;

  if (!hz_access_can_request_consultation (request->caller))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  if (!read_addressee (request, consultation) || !read_preferred_times (request, consultation))
    return;

  consultation->org_id = request->caller->org_id;
  consultation->requester_id = request->caller->id;
  consultation->specialty = g_strdup (hz_fields_get_string (body, "specialty"));
  consultation->patient.ref = g_strdup (hz_fields_get_string (patient, "ref"));
  consultation->patient.age = hz_fields_get_integer (patient, "age", 0);
  consultation->patient.sex = g_strdup (hz_fields_get_string (patient, "sex"));
  consultation->patient.summary = g_strdup (hz_fields_get_string (patient, "summary"));
  consultation->question = g_strdup (hz_fields_get_string (body, "question"));
  consultation->urgency = g_strdup (hz_fields_get_string (body, "urgency") != NULL
                                    ? hz_fields_get_string (body, "urgency") : "routine");

  if (!hz_store_create_consultation (request->sched->db, &actor, consultation, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT " requested by user %" G_GINT64_FORMAT
             " of organization %" G_GINT64_FORMAT,
             consultation->id, request->caller->id, consultation->org_id);
  hz_api_respond_consultation (request, consultation->id, SOUP_STATUS_CREATED);
}

void
hz_api_get_consultation (HzRequest *request)
{
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (JsonNode) node = NULL;

  consultation = hz_api_load_visible_consultation (request, request->path_id);
  if (consultation == NULL)
    return;

  node = hz_json_consultation (consultation, request->zone);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Reads a positive integer query parameter NAME into *VALUE, leaving it
 * unchanged when absent. Responds with invalid_field and returns FALSE
 * for anything else or a value outside [MIN, MAX]. */
static gboolean
read_query_integer (HzRequest  *request,
                    GHashTable *params,
                    const char *name,
                    gint64      min,
                    gint64      max,
                    gint64     *value)
{
  const char *text = params ? g_hash_table_lookup (params, name) : NULL;
  guint64 parsed;

  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, (guint64) min, (guint64) max, &parsed, NULL))
    {
      hz_api_respond_field_problem (request, name, HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  *value = (gint64) parsed;
  return TRUE;
}

/* Reads ?status=&limit=&before_id= into QUERY. */
static gboolean
read_list_query (HzRequest           *request,
                 HzConsultationQuery *query)
{
  const char *raw = g_uri_get_query (soup_server_message_get_uri (request->msg));
  g_autoptr (GHashTable) params = NULL;
  HzConsultationStatus status;
  gint64 limit = LIST_DEFAULT_LIMIT, before_id = 0;

  if (raw != NULL)
    {
      params = g_uri_parse_params (raw, -1, "&", G_URI_PARAMS_NONE, NULL);
      if (params == NULL)
        {
          hz_api_respond_field_problem (request, "query", HZ_FIELD_PROBLEM_INVALID_VALUE);
          return FALSE;
        }
    }

  query->status = params ? g_hash_table_lookup (params, "status") : NULL;
  if (query->status != NULL && !hz_consultation_status_from_string (query->status, &status))
    {
      hz_api_respond_field_problem (request, "status", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }
  if (query->status != NULL)
    query->status = hz_consultation_status_to_string (status);

  if (!read_query_integer (request, params, "limit", 1, LIST_MAX_LIMIT, &limit) ||
      !read_query_integer (request, params, "before_id", 1, G_MAXINT64, &before_id))
    return FALSE;

  query->limit = (guint) limit;
  query->before_id = before_id;
  return TRUE;
}

void
hz_api_list_consultations (HzRequest *request)
{
  HzConsultationQuery query = { request->caller, NULL, 0, LIST_DEFAULT_LIMIT };
  g_autoptr (GPtrArray) consultations = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  gboolean more = FALSE;

  if (!read_list_query (request, &query))
    return;

  consultations = hz_store_list_consultations (request->sched->db, &query, &more, &error);
  if (consultations == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "consultations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < consultations->len; i++)
    json_builder_add_value (builder, hz_json_consultation (consultations->pdata[i],
                                                           request->zone));
  json_builder_end_array (builder);

  /* The id to pass as before_id for the next page, or null. */
  json_builder_set_member_name (builder, "next_before_id");
  if (more && consultations->len > 0)
    json_builder_add_int_value (builder,
                                ((HzConsultation *) consultations->pdata[consultations->len - 1])->id);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Reads start and end, which the field table has checked as RFC 3339, and
 * checks the interval itself. */
static gboolean
read_interval (HzRequest *request,
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

void
hz_api_schedule_consultation (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (HzUser) expert = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start, end, session_id;

  consultation = hz_api_load_visible_consultation (request, request->path_id);
  if (consultation == NULL)
    return;

  expert = load_expert (request, "expert_id", hz_fields_get_id (request->body, "expert_id"));
  if (expert == NULL)
    return;

  if (!hz_access_can_schedule (request->caller, expert))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  if (!read_interval (request, &start, &end))
    return;

  /* Recording needs the booking's explicit consent, so it is off unless
   * the request sets "recording": true. */
  session_id = hz_store_schedule_consultation (request->sched->db, &actor, consultation->id,
                                               expert->id, start, end,
                                               hz_fields_get_boolean (request->body,
                                                                      "recording", FALSE),
                                               &error);
  if (session_id == 0)
    {
      hz_api_respond_workflow_error (request, consultation->id, HZ_WORKFLOW_SCHEDULE, error);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT " scheduled as session %" G_GINT64_FORMAT
             " with expert %" G_GINT64_FORMAT " by user %" G_GINT64_FORMAT,
             consultation->id, session_id, expert->id, request->caller->id);
  hz_api_respond_consultation (request, consultation->id, SOUP_STATUS_CREATED);
}

/* Keeps the assigned expert unless the body names another one. */
void
hz_api_reschedule_consultation (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (HzUser) expert = NULL;
  g_autoptr (GError) error = NULL;
  gint64 expert_id, start, end;

  consultation = hz_api_load_visible_consultation (request, request->path_id);
  if (consultation == NULL)
    return;

  expert_id = hz_fields_get_id (request->body, "expert_id");
  if (expert_id == 0)
    expert_id = consultation->expert_id;
  if (expert_id == 0)
    {
      /* Never scheduled: the workflow check names the status. */
      g_set_error (&error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_TRANSITION,
                   "Consultation %" G_GINT64_FORMAT " has no session", consultation->id);
      hz_api_respond_workflow_error (request, consultation->id, HZ_WORKFLOW_RESCHEDULE, error);
      return;
    }

  expert = load_expert (request, "expert_id", expert_id);
  if (expert == NULL)
    return;

  if (!hz_access_can_schedule (request->caller, expert))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  if (!read_interval (request, &start, &end))
    return;

  if (!hz_store_reschedule_consultation (request->sched->db, &actor, consultation->id,
                                         expert->id, start, end,
                                         hz_fields_get_string (request->body, "reason"),
                                         &error))
    {
      hz_api_respond_workflow_error (request, consultation->id, HZ_WORKFLOW_RESCHEDULE, error);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT " rescheduled with expert %" G_GINT64_FORMAT
             " by user %" G_GINT64_FORMAT,
             consultation->id, expert->id, request->caller->id);
  hz_api_respond_consultation (request, consultation->id, SOUP_STATUS_OK);
}

void
hz_api_cancel_consultation (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (GError) error = NULL;

  consultation = hz_api_load_visible_consultation (request, request->path_id);
  if (consultation == NULL)
    return;

  if (!hz_access_can_cancel (request->caller, consultation))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  if (!hz_store_cancel_consultation (request->sched->db, &actor, consultation->id,
                                     hz_fields_get_string (request->body, "reason"), &error))
    {
      hz_api_respond_workflow_error (request, consultation->id, HZ_WORKFLOW_CANCEL, error);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT " cancelled by user %" G_GINT64_FORMAT,
             consultation->id, request->caller->id);
  hz_api_respond_consultation (request, consultation->id, SOUP_STATUS_OK);
}
