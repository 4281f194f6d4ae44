/* GET /internal/sessions/{id}: the relay requests at each join whether the
 * session still takes place and when, because a join token stays valid
 * after its session is cancelled or moved. Signed by the relay like its
 * reports (HZ_AUTH_RELAY); times are RFC 3339 in UTC. */

#include "hz-sched-request.h"
#include "hz-sched-json.h"

void
hz_api_get_internal_session (HzRequest *request)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSession) session = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  session = hz_store_get_session (request->sched->db, request->path_id, &error);
  if (session == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, session->id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, session->status);
  hz_json_add_time (builder, "start", session->start_at, utc);
  hz_json_add_time (builder, "end", session->end_at, utc);
  json_builder_set_member_name (builder, "recording");
  json_builder_add_boolean_value (builder, session->recording);
  json_builder_set_member_name (builder, "hls");
  json_builder_add_boolean_value (builder, session->hls);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
