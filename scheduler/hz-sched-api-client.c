/* GET /client-config; see hz-sched-api-client.h. */

#include "hz-sched-api-client.h"

void
hz_api_get_client_config (HzRequest *request)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "relay_url");
  json_builder_add_string_value (builder, request->sched->relay_url);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
