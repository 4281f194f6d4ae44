/* Writing JSON and error responses. */

#include "hz-sched-request.h"

#include <string.h>

#include "hz-sched-api-fhir.h"

/* RFC 6585; libsoup 3.2 has no name for it. */
#define HTTP_TOO_MANY_REQUESTS 429

HzLanguage
hz_request_language (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  return hz_language_from_accept_language (
    soup_message_headers_get_one (headers, "Accept-Language"));
}

void
hz_response_set_status (SoupServerMessage *msg,
                        guint              status)
{
  soup_server_message_set_status (msg, status,
                                  status == HTTP_TOO_MANY_REQUESTS ? "Too Many Requests" : NULL);
}

/* API responses can carry patient data, so caches must not keep them. */
static void
set_json_body (SoupServerMessage *msg,
               guint              status,
               JsonNode          *node)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char *text = json_to_string (node, FALSE);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  hz_response_set_status (msg, status);
  soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}

/* Sends {"code", "message"} and the members of EXTRA, which may be NULL. */
static void
respond_error_members (SoupServerMessage *msg,
                       HzSchedErrorCode   code,
                       const char        *message,
                       JsonObject        *extra)
{
  const HzSchedErrorInfo *info = hz_sched_error_info (code);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, info->code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  if (extra != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, extra);
      while (json_object_iter_next (&iter, &name, &value))
        {
          if (g_str_equal (name, "code") || g_str_equal (name, "message"))
            continue;
          json_builder_set_member_name (builder, name);
          json_builder_add_value (builder, json_node_copy (value));
        }
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  if (code == HZ_SCHED_ERROR_UNAUTHORIZED)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "WWW-Authenticate", "Bearer realm=\"huizhen\"");

  /* Requests to the FHIR views get an OperationOutcome instead. */
  if (hz_fhir_respond_error (msg, info->http_status, info->code, message))
    return;

  set_json_body (msg, info->http_status, node);
}

static void
respond_error_message (SoupServerMessage *msg,
                       HzSchedErrorCode   code,
                       const char        *message)
{
  respond_error_members (msg, code, message, NULL);
}

void
hz_request_respond_error_detail (HzRequest        *request,
                                 HzSchedErrorCode  code,
                                 const char       *message,
                                 JsonObject       *extra)
{
  if (message == NULL)
    message = hz_sched_error_message (code, request->language);
  respond_error_members (request->msg, code, message, extra);
}

void
hz_respond_error (SoupServerMessage *msg,
                  HzLanguage         language,
                  HzSchedErrorCode   code)
{
  respond_error_message (msg, code, hz_sched_error_message (code, language));
}

void
hz_request_respond_json (HzRequest *request,
                         guint      status,
                         JsonNode  *node)
{
  set_json_body (request->msg, status, node);
}

void
hz_request_respond_error (HzRequest        *request,
                          HzSchedErrorCode  code)
{
  hz_respond_error (request->msg, request->language, code);
}

void
hz_request_respond_field_error (HzRequest          *request,
                                const HzFieldError *error)
{
  g_autofree char *message = hz_field_error_message (error, request->language);

  respond_error_message (request->msg, hz_field_error_code (error), message);
}

void
hz_request_respond_gerror (HzRequest    *request,
                           const GError *error)
{
  HzSchedErrorCode code = HZ_SCHED_ERROR_INTERNAL;

  if (error->domain == HZ_SCHED_ERROR)
    code = (HzSchedErrorCode) error->code;

  switch (code)
    {
    case HZ_SCHED_ERROR_INTERNAL:
    case HZ_SCHED_ERROR_DATABASE_BUSY:
      g_warning ("%s %s failed: %s",
                 soup_server_message_get_method (request->msg),
                 g_uri_get_path (soup_server_message_get_uri (request->msg)),
                 error->message);
      break;
    default:
      break;
    }

  hz_request_respond_error (request, code);
}
