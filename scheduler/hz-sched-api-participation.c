/* POST /internal/participation: the relay reports that a participant
 * joined or left a session. */

#include "hz-sched-api-consultation.h"

#include "hz-sched-json.h"
#include "hz-sched-store-participation.h"

const HzFieldSpec hz_participation_report_fields[] = {
  { .name = "session_id", .type = HZ_FIELD_ID, .required = TRUE },
  { .name = "participant_id", .type = HZ_FIELD_ID_OR_DIGITS, .required = TRUE },
  { .name = "event", .type = HZ_FIELD_STRING, .required = TRUE,
    .allowed = hz_participation_event_names },
  { .name = "at", .type = HZ_FIELD_TIMESTAMP, .required = TRUE },
  { NULL }
};

/* Checks that the session exists (else 404) and that the participant
 * belongs to it (else invalid_field). */
static gboolean
check_participant (HzRequest *request,
                   gint64     session_id,
                   gint64     participant_id)
{
  g_autoptr (HzSession) session = NULL;
  g_autoptr (GError) error = NULL;
  const char *role = NULL;

  session = hz_store_get_session (request->sched->db, session_id, &error);
  if (session == NULL ||
      !hz_store_get_participant_role (request->sched->db, session_id, participant_id, &role,
                                      &error))
    {
      hz_request_respond_gerror (request, error);
      return FALSE;
    }

  if (role == NULL)
    {
      g_message ("Participation report for session %" G_GINT64_FORMAT " names participant %"
                 G_GINT64_FORMAT ", who is not in it", session_id, participant_id);
      hz_api_respond_field_problem (request, "participant_id",
                                    HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      return FALSE;
    }

  return TRUE;
}

void
hz_api_report_participation (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_RELAY, 0 };
  JsonObject *body = request->body;
  gint64 session_id = hz_fields_get_id (body, "session_id");
  gint64 participant_id = hz_fields_get_id (body, "participant_id");
  const char *event = hz_fields_get_string (body, "event");
  gint64 at = hz_fields_get_time (body, "at", 0);
  gint64 started_id = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (!check_participant (request, session_id, participant_id))
    return;

  if (!hz_store_record_participation (request->sched->db, &actor, session_id, participant_id,
                                      event, at, &started_id, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Participant %" G_GINT64_FORMAT " %s session %" G_GINT64_FORMAT "%s",
             participant_id, g_str_equal (event, "join") ? "joined" : "left", session_id,
             started_id != 0 ? "; its consultation is now in progress" : "");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, session_id);
  json_builder_set_member_name (builder, "participant_id");
  json_builder_add_int_value (builder, participant_id);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  hz_json_add_time (builder, "at", at, request->zone);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
