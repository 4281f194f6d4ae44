/* The consultation report: GET and PUT /consultations/{id}/report, its
 * signature and its amendments. */

#include "hz-sched-api-consultation.h"

#include "hz-sched-access.h"
#include "hz-sched-json.h"
#include "hz-sched-store-reports.h"

const HzFieldSpec hz_report_fields[] = {
  { .name = "opinion", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 20000,
    .multiline = TRUE },
  { NULL }
};

const HzFieldSpec hz_amendment_fields[] = {
  { .name = "text", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 4000,
    .multiline = TRUE },
  { NULL }
};

static void
add_author (JsonBuilder *builder,
            const char  *member,
            gint64       id,
            const char  *name)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name != NULL ? name : "");
  json_builder_end_object (builder);
}

static JsonNode *
report_json (const HzReport *report,
             GTimeZone      *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "consultation_id");
  json_builder_add_int_value (builder, report->consultation_id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, report->signed_at != HZ_TIME_NONE ? "signed" : "draft");
  json_builder_set_member_name (builder, "opinion");
  json_builder_add_string_value (builder, report->opinion);
  add_author (builder, "author", report->author_id, report->author_name);
  hz_json_add_time (builder, "created_at", report->created_at, zone);
  hz_json_add_time (builder, "updated_at", report->updated_at, zone);
  hz_json_add_time (builder, "signed_at", report->signed_at, zone);

  json_builder_set_member_name (builder, "amendments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->amendments->len; i++)
    {
      const HzAmendment *amendment = report->amendments->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, amendment->id);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, amendment->text);
      add_author (builder, "author", amendment->author_id, amendment->author_name);
      hz_json_add_time (builder, "created_at", amendment->created_at, zone);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Responds with the report of CONSULTATION. Unless SHOW_DRAFT, a report
 * that is not signed yet gets 404 not_found, as if there were none. */
static void
respond_report (HzRequest            *request,
                const HzConsultation *consultation,
                gboolean              show_draft,
                guint                 status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzReport) report = NULL;
  g_autoptr (JsonNode) node = NULL;

  report = hz_store_get_report (request->sched->db, consultation->id, &error);
  if (report == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  if (report->signed_at == HZ_TIME_NONE && !show_draft)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  node = report_json (report, request->zone);
  hz_request_respond_json (request, status, node);
}

/* Loads the consultation of the path for a report action: 404 when the
 * caller cannot see it, 403 when WRITE (the assigned expert only) or
 * reading is not allowed. */
static HzConsultation *
load_for_report (HzRequest *request,
                 gboolean   write)
{
  g_autoptr (HzConsultation) consultation = NULL;
  gboolean allowed;

  consultation = hz_api_load_visible_consultation (request, request->path_id);
  if (consultation == NULL)
    return NULL;

  allowed = write ? hz_access_can_write_report (request->caller, consultation)
                  : hz_access_can_read_report (request->caller, consultation);
  if (!allowed)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return NULL;
    }

  return g_steal_pointer (&consultation);
}

void
hz_api_get_report (HzRequest *request)
{
  g_autoptr (HzConsultation) consultation = load_for_report (request, FALSE);

  if (consultation != NULL)
    respond_report (request, consultation,
                    hz_access_can_read_draft_report (request->caller, consultation),
                    SOUP_STATUS_OK);
}

void
hz_api_save_report (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = load_for_report (request, TRUE);
  g_autoptr (GError) error = NULL;

  if (consultation == NULL)
    return;

  if (!hz_store_save_report_draft (request->sched->db, &actor, consultation->id,
                                   request->caller->id,
                                   hz_fields_get_string (request->body, "opinion"), &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Report draft of consultation %" G_GINT64_FORMAT " saved by user %"
             G_GINT64_FORMAT, consultation->id, request->caller->id);
  respond_report (request, consultation, TRUE, SOUP_STATUS_OK);
}

void
hz_api_sign_report (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = load_for_report (request, TRUE);
  g_autoptr (GError) error = NULL;

  if (consultation == NULL)
    return;

  if (!hz_store_sign_report (request->sched->db, &actor, consultation->id,
                             request->caller->id, &error))
    {
      hz_api_respond_workflow_error (request, consultation->id, HZ_WORKFLOW_COMPLETE, error);
      return;
    }

  g_message ("Report of consultation %" G_GINT64_FORMAT " signed by user %" G_GINT64_FORMAT,
             consultation->id, request->caller->id);
  respond_report (request, consultation, TRUE, SOUP_STATUS_OK);
}

void
hz_api_add_amendment (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = load_for_report (request, TRUE);
  g_autoptr (GError) error = NULL;

  if (consultation == NULL)
    return;

  if (!hz_store_add_amendment (request->sched->db, &actor, consultation->id,
                               request->caller->id, hz_fields_get_string (request->body, "text"),
                               &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Amendment to the report of consultation %" G_GINT64_FORMAT " by user %"
             G_GINT64_FORMAT, consultation->id, request->caller->id);
  respond_report (request, consultation, TRUE, SOUP_STATUS_CREATED);
}
