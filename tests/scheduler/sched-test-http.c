#include "sched-test-http.h"

#include <string.h>

#include "hz-request-auth.h"

void
sched_response_clear (SchedResponse *response)
{
  g_clear_pointer (&response->reason, g_free);
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
}

SchedResponse
sched_send_message (SoupMessage *message)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options (
    "timeout", SCHED_TEST_HTTP_TIMEOUT_SECONDS, NULL);
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  SchedResponse response = { 0 };
  gsize length = 0;
  const char *data;

  received = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);

  response.status = soup_message_get_status (message);
  response.reason = g_strdup (soup_message_get_reason_phrase (message));
  response.headers = soup_message_headers_ref (soup_message_get_response_headers (message));
  data = g_bytes_get_data (received, &length);
  if (length > 0 && json_parser_load_from_data (parser, data, (gssize) length, NULL))
    response.json = json_node_copy (json_parser_get_root (parser));
  return response;
}

static void
set_body (SoupMessage *message,
          const char  *body)
{
  g_autoptr (GBytes) bytes = NULL;

  if (body == NULL)
    return;
  bytes = g_bytes_new (body, strlen (body));
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
}

SchedResponse
sched_send (HzTestDaemons *daemons,
            const char    *method,
            const char    *path,
            const char    *key,
            const char    *cookie,
            const char    *origin,
            const char    *body)
{
  g_autofree char *url = g_strconcat (daemons->scheduler_url, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  g_assert_nonnull (message);
  if (key != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
    }
  if (cookie != NULL)
    soup_message_headers_replace (headers, "Cookie", cookie);
  if (origin != NULL)
    soup_message_headers_replace (headers, "Origin", origin);
  set_body (message, body);

  return sched_send_message (message);
}

SchedResponse
sched_call (HzTestDaemons *daemons,
            const char    *method,
            const char    *path,
            const char    *key,
            const char    *body)
{
  return sched_send (daemons, method, path, key, NULL, NULL, body);
}

JsonObject *
sched_object (const SchedResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

void
sched_assert_error (const SchedResponse *response,
                    guint                status,
                    const char          *code)
{
  JsonObject *object;

  g_assert_cmpuint (response->status, ==, status);
  object = sched_object (response);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (object, "message"));
}

gint64
sched_create (HzTestDaemons *daemons,
              const char    *path,
              const char    *key,
              const char    *body,
              char         **api_key)
{
  g_auto (SchedResponse) response = sched_call (daemons, "POST", path, key, body);
  JsonObject *object;

  if (response.status != 201)
    g_test_message ("POST %s returned %u", path, response.status);
  g_assert_cmpuint (response.status, ==, 201);
  object = sched_object (&response);
  if (api_key != NULL)
    *api_key = g_strdup (json_object_get_string_member (object, "api_key"));
  return json_object_get_int_member (object, "id");
}

gint64
sched_create_org (HzTestDaemons *daemons,
                  const char    *name,
                  const char    *level)
{
  g_autofree char *body = g_strdup_printf (
    "{\"name\": \"%s\", \"name_en\": \"%s\", \"level\": \"%s\"}", name, name, level);

  return sched_create (daemons, "/api/v1/organizations", daemons->admin_key, body, NULL);
}

gint64
sched_create_user (HzTestDaemons *daemons,
                   gint64         org_id,
                   const char    *name,
                   const char    *role,
                   char         **api_key)
{
  g_autofree char *body = g_strdup_printf (
    "{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"%s\", \"role\": \"%s\","
    " \"specialty\": \"心血管内科\"}", org_id, name, role);

  return sched_create (daemons, "/api/v1/users", daemons->admin_key, body, api_key);
}

gint64
sched_request_consultation (HzTestDaemons *daemons,
                            const char    *doctor_key,
                            const char    *extra)
{
  g_autofree char *body = g_strdup_printf (
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"W-0001\", \"age\": 58,"
    " \"sex\": \"male\", \"summary\": \"胸痛两天\"}, \"question\": \"是否需要冠脉造影？\"%s}",
    extra != NULL ? extra : "");

  return sched_create (daemons, "/api/v1/consultations", doctor_key, body, NULL);
}

char *
sched_format_time (gint64 unix_seconds)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_offset (8 * 3600);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, shanghai);

  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

SchedResponse
sched_relay_post (HzTestDaemons *daemons,
                  const char    *path,
                  const char    *body)
{
  g_autofree char *full_path = g_strconcat ("/api/v1", path, NULL);
  g_autofree char *url = g_strconcat (daemons->scheduler_url, full_path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("POST", url);
  g_autofree char *authorization = hz_request_auth_sign (
    &daemons->secret, "POST", full_path, g_get_real_time () / G_USEC_PER_SEC, body,
    strlen (body));

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  set_body (message, body);
  return sched_send_message (message);
}
