#include "sched-test-client.h"

#include <string.h>

void
hz_test_response_clear (HzTestResponse *response)
{
  g_clear_pointer (&response->json, json_node_unref);
}

HzTestResponse
hz_test_request (SoupSession *session,
                 const char  *base_url,
                 const char  *method,
                 const char  *path,
                 const char  *key,
                 const char  *body)
{
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  SoupMessageHeaders *headers;
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  HzTestResponse response = { 0 };
  gsize length = 0;
  const char *data;

  g_assert_nonnull (message);
  headers = soup_message_get_request_headers (message);
  soup_message_headers_replace (headers, "Accept-Language", "en");
  if (key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  received = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);

  response.status = soup_message_get_status (message);
  data = g_bytes_get_data (received, &length);
  if (length > 0 && json_parser_load_from_data (parser, data, (gssize) length, NULL))
    response.json = json_node_copy (json_parser_get_root (parser));
  return response;
}

JsonObject *
hz_test_response_object (const HzTestResponse *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

void
hz_test_assert_status (const HzTestResponse *response,
                       guint                 status,
                       const char           *code)
{
  if (response->status != status && response->json != NULL)
    {
      g_autofree char *text = json_to_string (response->json, FALSE);

      g_test_message ("unexpected response %u: %s", response->status, text);
    }
  g_assert_cmpuint (response->status, ==, status);
  if (code != NULL)
    g_assert_cmpstr (json_object_get_string_member (hz_test_response_object (response), "code"),
                     ==, code);
}

char *
hz_test_shanghai_date (int days)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr (GDateTime) now = g_date_time_new_now (zone);
  g_autoptr (GDateTime) later = g_date_time_add_days (now, days);

  return g_date_time_format (later, "%Y-%m-%d");
}

char *
hz_test_shanghai_time (const char *date,
                       const char *clock)
{
  return g_strdup_printf ("%sT%s:00+08:00", date, clock);
}
