/* POST /consultations, GET /consultations/{id} and the schedule and cancel
 * actions. */

#include "hz-sched-request.h"

#include "hz-sched-access.h"
#include "hz-sched-json.h"

static const HzFieldSpec patient_fields[] = {
  { .name = "ref", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 64 },
  { .name = "age", .type = HZ_FIELD_INTEGER, .required = TRUE, .min = 0, .max = 150 },
  { .name = "sex", .type = HZ_FIELD_STRING, .required = TRUE, .allowed = hz_patient_sex_names },
  { .name = "summary", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 4000 },
  { NULL }
};

const HzFieldSpec hz_consultation_fields[] = {
  { .name = "specialty", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 100 },
  { .name = "patient", .type = HZ_FIELD_OBJECT, .required = TRUE, .members = patient_fields },
  { .name = "question", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 4000 },
  { NULL }
};

const HzFieldSpec hz_schedule_fields[] = {
  { .name = "expert_id", .type = HZ_FIELD_ID, .required = TRUE },
  { .name = "start", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "end", .type = HZ_FIELD_TIME, .required = TRUE },
  { NULL }
};

const HzFieldSpec hz_cancel_fields[] = {
  { .name = "reason", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 500 },
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

/* Loads the consultation of the request path and checks that the caller
 * may see it. Responds with 404 and returns NULL otherwise, so that the
 * existence of another organization's consultation does not leak. */
static HzConsultation *
load_visible_consultation (HzRequest *request,
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

/* Reads consultation ID again and sends it with STATUS. */
static void
respond_consultation (HzRequest *request,
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

  consultation->org_id = request->caller->org_id;
  consultation->requester_id = request->caller->id;
  consultation->specialty = g_strdup (hz_fields_get_string (body, "specialty"));
  consultation->patient.ref = g_strdup (hz_fields_get_string (patient, "ref"));
  consultation->patient.age = hz_fields_get_integer (patient, "age", 0);
  consultation->patient.sex = g_strdup (hz_fields_get_string (patient, "sex"));
  consultation->patient.summary = g_strdup (hz_fields_get_string (patient, "summary"));
  consultation->question = g_strdup (hz_fields_get_string (body, "question"));

  if (!hz_store_create_consultation (request->sched->db, &actor, consultation, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT " requested by user %" G_GINT64_FORMAT
             " of organization %" G_GINT64_FORMAT,
             consultation->id, request->caller->id, consultation->org_id);
  respond_consultation (request, consultation->id, SOUP_STATUS_CREATED);
}

void
hz_api_get_consultation (HzRequest *request)
{
  g_autoptr (HzConsultation) consultation = load_visible_consultation (request,
                                                                       request->path_id);
  g_autoptr (JsonNode) node = NULL;

  if (consultation == NULL)
    return;

  node = hz_json_consultation (consultation, request->zone);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Loads the user named by expert_id and checks that it is an expert. */
static HzUser *
load_expert (HzRequest *request)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzUser) expert = NULL;

  expert = hz_store_get_user (request->sched->db,
                              hz_fields_get_id (request->body, "expert_id"), &error);
  if (expert == NULL && !g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND))
    {
      hz_request_respond_gerror (request, error);
      return NULL;
    }

  if (expert == NULL || expert->role != HZ_ROLE_EXPERT)
    {
      respond_field_problem (request, "expert_id", HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      return NULL;
    }

  return g_steal_pointer (&expert);
}

/* Reads start and end, which the field table has checked as RFC 3339, and
 * checks the interval itself. */
static gboolean
read_interval (HzRequest *request,
               gint64    *start,
               gint64    *end)
{
  *start = hz_fields_get_time (request->body, "start", 0);
  *end = hz_fields_get_time (request->body, "end", 0);

  if (*start >= *end)
    {
      respond_field_problem (request, "end", HZ_FIELD_PROBLEM_END_NOT_AFTER_START);
      return FALSE;
    }

  if (*end - *start > HZ_SESSION_MAX_HOURS * 3600)
    {
      respond_field_problem (request, "end", HZ_FIELD_PROBLEM_DURATION_TOO_LONG);
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

  consultation = load_visible_consultation (request, request->path_id);
  if (consultation == NULL)
    return;

  expert = load_expert (request);
  if (expert == NULL)
    return;

  if (!hz_access_can_schedule (request->caller, expert))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  if (!read_interval (request, &start, &end))
    return;

  session_id = hz_store_schedule_consultation (request->sched->db, &actor, consultation->id,
                                               expert->id, start, end, &error);
  if (session_id == 0)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT " scheduled as session %" G_GINT64_FORMAT
             " with expert %" G_GINT64_FORMAT " by user %" G_GINT64_FORMAT,
             consultation->id, session_id, expert->id, request->caller->id);
  respond_consultation (request, consultation->id, SOUP_STATUS_OK);
}

void
hz_api_cancel_consultation (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (GError) error = NULL;

  consultation = load_visible_consultation (request, request->path_id);
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
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT " cancelled by user %" G_GINT64_FORMAT,
             consultation->id, request->caller->id);
  respond_consultation (request, consultation->id, SOUP_STATUS_OK);
}
