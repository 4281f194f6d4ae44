#include "views-http.h"

#include <string.h>

void
views_response_clear (ViewsResponse *response)
{
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->json, json_node_unref);
}

ViewsResponse
views_http (HzTestDaemons *daemons,
            SoupSession   *session,
            const char    *method,
            const char    *target,
            const char    *key,
            const char    *body)
{
  g_autofree char *url = g_str_has_prefix (target, "http")
                         ? g_strdup (target) : g_strconcat (daemons->scheduler_url, target, NULL);
  /* Relaxed parsing, so that a test can send invalid percent-encoding. */
  g_autoptr (GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS | G_URI_FLAGS_PARSE_RELAXED, NULL);
  g_autoptr (SoupMessage) message = uri ? soup_message_new_from_uri (method, uri) : NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  ViewsResponse response = { 0 };
  gsize length = 0;
  const char *data;

  g_assert_nonnull (message);
  if (key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message),
                                    "Authorization", authorization);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  response.body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  response.status = soup_message_get_status (message);
  response.headers = soup_message_headers_ref (soup_message_get_response_headers (message));

  data = g_bytes_get_data (response.body, &length);
  if (length > 0 && json_parser_load_from_data (parser, data, (gssize) length, NULL))
    response.json = json_node_copy (json_parser_get_root (parser));
  return response;
}

char *
views_response_text (const ViewsResponse *response)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (response->body, &length);

  return g_strndup (data, length);
}

JsonObject *
views_response_object (const ViewsResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

static gint64
post_created (HzTestDaemons *daemons,
              SoupSession   *session,
              const char    *path,
              const char    *key,
              const char    *body,
              char         **api_key)
{
  g_auto (ViewsResponse) response = views_http (daemons, session, "POST", path, key, body);
  JsonObject *object;

  g_assert_cmpuint (response.status, ==, 201);
  object = views_response_object (&response);
  if (api_key != NULL)
    *api_key = g_strdup (json_object_get_string_member (object, "api_key"));
  return json_object_get_int_member (object, "id");
}

gint64
views_create_organization (HzTestDaemons *daemons,
                           SoupSession   *session,
                           const char    *name,
                           const char    *level)
{
  g_autofree char *body = g_strdup_printf (
    "{\"name\": \"%s\", \"name_en\": \"%s\", \"level\": \"%s\"}", name, name, level);

  return post_created (daemons, session, "/api/v1/organizations", daemons->admin_key, body,
                       NULL);
}

gint64
views_create_user (HzTestDaemons *daemons,
                   SoupSession   *session,
                   gint64         org_id,
                   const char    *name,
                   const char    *role,
                   char         **key)
{
  g_autofree char *body = g_strdup_printf (
    "{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"%s\", \"role\": \"%s\","
    " \"specialty\": \"心血管内科\"}", org_id, name, role);

  return post_created (daemons, session, "/api/v1/users", daemons->admin_key, body, key);
}

gint64
views_request_consultation (HzTestDaemons *daemons,
                            SoupSession   *session,
                            const char    *doctor_key,
                            const char    *specialty)
{
  g_autofree char *body = g_strdup_printf (
    "{\"specialty\": \"%s\", \"patient\": {\"ref\": \"V-0042\", \"age\": 58, \"sex\": \"male\","
    " \"summary\": \"活动后胸痛两周\"}, \"question\": \"是否需要冠脉造影？\"}", specialty);

  return post_created (daemons, session, "/api/v1/consultations", doctor_key, body, NULL);
}

static char *
format_utc (gint64 unix_seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

gint64
views_schedule (HzTestDaemons *daemons,
                SoupSession   *session,
                const char    *coordinator_key,
                gint64         consultation_id,
                gint64         expert_id,
                gint64         start_offset,
                gint64         duration,
                gint64        *start)
{
  gint64 begin = (g_get_real_time () / G_USEC_PER_SEC + start_offset) / 60 * 60;
  g_autofree char *start_text = format_utc (begin);
  g_autofree char *end_text = format_utc (begin + duration);
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                                           consultation_id);
  g_autofree char *body = g_strdup_printf (
    "{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\", \"end\": \"%s\"}",
    expert_id, start_text, end_text);
  g_auto (ViewsResponse) response = views_http (daemons, session, "POST", path,
                                                coordinator_key, body);

  g_assert_cmpuint (response.status, ==, 201);
  if (start != NULL)
    *start = begin;
  return json_object_get_int_member (views_response_object (&response), "session_id");
}

void
views_cancel (HzTestDaemons *daemons,
              SoupSession   *session,
              const char    *key,
              gint64         consultation_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/cancel",
                                           consultation_id);
  g_auto (ViewsResponse) response = views_http (daemons, session, "POST", path, key,
                                                "{\"reason\": \"患者已转上级医院\"}");

  g_assert_cmpuint (response.status, ==, 200);
}
