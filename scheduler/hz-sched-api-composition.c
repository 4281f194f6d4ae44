/* The composition job of a session; see hz-sched-api-composition.h. */
#include "hz-sched-api-composition.h"

#include "hz-sched-access.h"
#include "hz-sched-composer.h"
#include "hz-sched-compositions.h"
#include "hz-sched-json.h"

/* Loads session {id} and responds 404 unless the caller may see it: an
 * admin, a participant, or someone who can see its consultation, as for
 * GET /sessions/{id}/recordings. */
static HzSession *
load_visible_session (HzRequest *request)
{
  g_autoptr (HzSession) session = NULL;
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (GError) error = NULL;
  const char *role = NULL;
  gboolean visible = request->caller->role == HZ_ROLE_ADMIN;

  session = hz_store_get_session (request->sched->db, request->path_id, &error);
  if (session == NULL) {
    hz_request_respond_gerror (request, error);
    return NULL;
  }
  if (!visible) {
    if (!hz_store_get_participant_role (request->sched->db, session->id, request->caller->id,
                                        &role, &error)) {
      hz_request_respond_gerror (request, error);
      return NULL;
    }
    visible = role != NULL;
  }
  if (!visible && session->consultation_id != 0) {
    consultation = hz_store_get_consultation (request->sched->db, session->consultation_id,
                                              &error);
    if (consultation == NULL) {
      hz_request_respond_gerror (request, error);
      return NULL;
    }
    visible = hz_access_can_view_consultation (request->caller, consultation);
  }
  if (!visible) {
    hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
    return NULL;
  }
  return g_steal_pointer (&session);
}

static void
add_optional_string (JsonBuilder *builder, const char *member, const char *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static JsonNode *
build_composition (const HzComposition *composition, GTimeZone *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, composition->session_id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, composition->status);
  json_builder_set_member_name (builder, "progress");
  json_builder_add_double_value (builder, composition->progress);
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, composition->attempts);
  add_optional_string (builder, "webm_path", composition->webm_path);
  add_optional_string (builder, "mp4_path", composition->mp4_path);
  json_builder_set_member_name (builder, "duration_s");
  if (composition->duration_ms > 0)
    json_builder_add_double_value (builder, composition->duration_ms / 1000.0);
  else
    json_builder_add_null_value (builder);
  add_optional_string (builder, "error", composition->error);
  hz_json_add_time (builder, "requested_at", composition->requested_at, zone);
  hz_json_add_time (builder, "started_at",
                    composition->started_at > 0 ? composition->started_at : HZ_TIME_NONE, zone);
  hz_json_add_time (builder, "finished_at",
                    composition->finished_at > 0 ? composition->finished_at : HZ_TIME_NONE,
                    zone);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
respond_composition (HzRequest *request, gint64 session_id, guint status)
{
  g_autoptr (HzComposition) composition = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  composition = hz_store_get_composition (request->sched->db, session_id, &error);
  if (composition == NULL && error != NULL) {
    hz_request_respond_gerror (request, error);
    return;
  }
  if (composition == NULL) {
    hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
    return;
  }
  node = build_composition (composition, request->zone);
  hz_request_respond_json (request, status, node);
}

void
hz_api_get_composition (HzRequest *request)
{
  g_autoptr (HzSession) session = load_visible_session (request);

  if (session != NULL)
    respond_composition (request, session->id, SOUP_STATUS_OK);
}

void
hz_api_rerun_composition (HzRequest *request)
{
  g_autoptr (HzSession) session = load_visible_session (request);
  g_autoptr (GError) error = NULL;

  if (session == NULL)
    return;
  if (!hz_composer_request (request->sched->composer, session->id, TRUE, &error)) {
    hz_request_respond_gerror (request, error);
    return;
  }
  respond_composition (request, session->id, SOUP_STATUS_ACCEPTED);
}
