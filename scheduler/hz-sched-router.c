/* The route table and the steps that every API request goes through:
 * route matching, authentication, body parsing and validation. */

#include "hz-sched-request.h"

#include <string.h>

#include "hz-request-auth.h"
#include "hz-sched-api-composition.h"
#include "hz-sched-api-availability.h"
#include "hz-sched-api-calendar.h"
#include "hz-sched-api-client.h"
#include "hz-sched-api-hls.h"
#include "hz-sched-api-recordings.h"
#include "hz-sched-recording-files.h"
#include "hz-sched-api-teaching.h"
#include "hz-sched-api-fhir.h"
#include "hz-sched-apikey.h"
#include "hz-sched-body-limit.h"
#include "hz-sched-time.h"

static const HzRoute routes[] = {
  { "POST", "/organizations", HZ_AUTH_API_KEY, hz_organization_fields,
    hz_api_create_organization },
  { "POST", "/users", HZ_AUTH_API_KEY, hz_user_fields, hz_api_create_user },
  { "POST", "/consultations", HZ_AUTH_API_KEY, hz_consultation_fields,
    hz_api_create_consultation },
  { "GET", "/consultations/{id}", HZ_AUTH_API_KEY, NULL, hz_api_get_consultation },
  { "POST", "/consultations/{id}/schedule", HZ_AUTH_API_KEY, hz_schedule_fields,
    hz_api_schedule_consultation },
  { "POST", "/consultations/{id}/cancel", HZ_AUTH_API_KEY, hz_cancel_fields,
    hz_api_cancel_consultation },
  { "GET", "/consultations", HZ_AUTH_API_KEY, NULL, hz_api_list_consultations },
  { "POST", "/consultations/{id}/accept", HZ_AUTH_API_KEY, NULL, hz_api_accept_consultation },
  { "POST", "/consultations/{id}/return", HZ_AUTH_API_KEY, hz_return_fields,
    hz_api_return_consultation },
  { "POST", "/consultations/{id}/reschedule", HZ_AUTH_API_KEY, hz_reschedule_fields,
    hz_api_reschedule_consultation },
  { "POST", "/consultations/{id}/no-show", HZ_AUTH_API_KEY, hz_no_show_fields,
    hz_api_mark_no_show },
  { "GET", "/consultations/{id}/history", HZ_AUTH_API_KEY, NULL, hz_api_consultation_history },
  { "GET", "/consultations/{id}/report", HZ_AUTH_API_KEY, NULL, hz_api_get_report },
  { "PUT", "/consultations/{id}/report", HZ_AUTH_API_KEY, hz_report_fields, hz_api_save_report },
  { "POST", "/consultations/{id}/report/sign", HZ_AUTH_API_KEY, NULL, hz_api_sign_report },
  { "POST", "/consultations/{id}/report/amendments", HZ_AUTH_API_KEY, hz_amendment_fields,
    hz_api_add_amendment },
  { "POST", "/internal/participation", HZ_AUTH_RELAY, hz_participation_report_fields,
    hz_api_report_participation },
  { "GET", "/internal/sessions/{id}", HZ_AUTH_RELAY, NULL, hz_api_get_internal_session },
  { "POST", "/login", HZ_AUTH_NONE, hz_login_fields, hz_api_login },
  { "POST", "/logout", HZ_AUTH_NONE, NULL, hz_api_logout },
  { "GET", "/client-config", HZ_AUTH_NONE, NULL, hz_api_get_client_config },
  { "GET", "/me", HZ_AUTH_API_KEY, NULL, hz_api_get_me },
  { "GET", "/organizations", HZ_AUTH_API_KEY, NULL, hz_api_list_organizations },
  { "GET", "/users", HZ_AUTH_API_KEY, NULL, hz_api_list_users },
  { "GET", "/experts", HZ_AUTH_API_KEY, NULL, hz_api_list_experts },
  { "POST", "/users/{id}/password", HZ_AUTH_API_KEY, hz_password_fields, hz_api_set_password },
  { "POST", "/sessions/{id}/join-token", HZ_AUTH_API_KEY, NULL, hz_api_create_join_token },
  { "GET", "/sessions/{id}/recordings", HZ_AUTH_API_KEY, NULL, hz_api_list_recordings },
  { "GET", "/sessions/{id}/hls/{hls-file}", HZ_AUTH_API_KEY, NULL, hz_api_get_hls_file },
  { "GET", "/sessions/{id}/composition", HZ_AUTH_API_KEY, NULL, hz_api_get_composition },
  { "POST", "/sessions/{id}/composition", HZ_AUTH_API_KEY, NULL, hz_api_rerun_composition },
  { "POST", "/internal/recordings", HZ_AUTH_RELAY, hz_recording_report_fields,
    hz_api_report_recording },
  { "GET", "/recordings", HZ_AUTH_API_KEY, NULL, hz_api_search_recordings },
  { "GET", "/recordings/{id}", HZ_AUTH_API_KEY, NULL, hz_api_get_recording },
  { "PATCH", "/recordings/{id}", HZ_AUTH_API_KEY, hz_recording_update_fields,
    hz_api_update_recording },
  { "POST", "/recordings/{id}/share", HZ_AUTH_API_KEY, hz_recording_share_fields,
    hz_api_share_recording },
  { "POST", "/recordings/{id}/unshare", HZ_AUTH_API_KEY, hz_recording_share_fields,
    hz_api_unshare_recording },
  { "GET", "/recordings/{id}/file", HZ_AUTH_API_KEY, NULL, hz_api_download_recording },
  { "HEAD", "/recordings/{id}/file", HZ_AUTH_API_KEY, NULL, hz_api_download_recording },
  { "POST", "/me/ical-token", HZ_AUTH_API_KEY, NULL, hz_api_issue_own_ical_token },
  { "DELETE", "/me/ical-token", HZ_AUTH_API_KEY, NULL, hz_api_revoke_own_ical_token },
  { "POST", "/users/{id}/ical-token", HZ_AUTH_API_KEY, NULL, hz_api_issue_user_ical_token },
  { "GET", "/fhir/metadata", HZ_AUTH_NONE, NULL, hz_api_fhir_metadata },
  { "GET", "/fhir/Appointment", HZ_AUTH_API_KEY, NULL, hz_api_fhir_search_appointments },
  { "GET", "/fhir/Appointment/{id}", HZ_AUTH_API_KEY, NULL, hz_api_fhir_read_appointment },
  { "GET", "/fhir/Practitioner/{id}", HZ_AUTH_API_KEY, NULL, hz_api_fhir_read_practitioner },
  { "GET", "/fhir/Schedule", HZ_AUTH_API_KEY, NULL, hz_api_fhir_search_schedules },
  { "GET", "/fhir/Schedule/{id}", HZ_AUTH_API_KEY, NULL, hz_api_fhir_read_schedule },
  { "GET", "/fhir/Slot", HZ_AUTH_API_KEY, NULL, hz_api_fhir_search_slots },
  { "GET", "/fhir/Slot/{fhir-id}", HZ_AUTH_API_KEY, NULL, hz_api_fhir_read_slot },
  /* After "/fhir/Appointment/{id}", which takes the numeric ids. */
  { "GET", "/fhir/Appointment/{fhir-id}", HZ_AUTH_API_KEY, NULL,
    hz_api_fhir_read_teaching_appointment },
  { "GET", "/experts/{id}/working-hours", HZ_AUTH_API_KEY, NULL, hz_api_get_working_hours },
  { "PUT", "/experts/{id}/working-hours", HZ_AUTH_API_KEY, hz_working_hours_fields,
    hz_api_set_working_hours },
  { "GET", "/experts/{id}/booking-rules", HZ_AUTH_API_KEY, NULL, hz_api_get_booking_rules },
  { "PUT", "/experts/{id}/booking-rules", HZ_AUTH_API_KEY, hz_booking_rules_fields,
    hz_api_set_booking_rules },
  { "POST", "/experts/{id}/leave", HZ_AUTH_API_KEY, hz_leave_fields, hz_api_add_leave },
  { "POST", "/experts/{id}/extra-hours", HZ_AUTH_API_KEY, hz_extra_hours_fields,
    hz_api_add_extra_hours },
  { "GET", "/experts/{id}/exceptions", HZ_AUTH_API_KEY, NULL, hz_api_list_exceptions },
  { "DELETE", "/availability-exceptions/{id}", HZ_AUTH_API_KEY, NULL, hz_api_delete_exception },
  { "PUT", "/organizations/{id}/holiday-calendar", HZ_AUTH_API_KEY, hz_holiday_calendar_fields,
    hz_api_set_holiday_calendar },
  { "PUT", "/organizations/{id}/partners", HZ_AUTH_API_KEY, hz_partner_fields, hz_api_set_partners },
  { "GET", "/holiday-calendars", HZ_AUTH_API_KEY, NULL, hz_api_list_holiday_calendars },
  { "GET", "/holidays", HZ_AUTH_API_KEY, NULL, hz_api_list_holidays },
  { "GET", "/slots", HZ_AUTH_API_KEY, NULL, hz_api_search_slots },
  { "POST", "/teaching-sessions", HZ_AUTH_API_KEY, hz_teaching_fields, hz_api_create_teaching },
  { "GET", "/teaching-sessions", HZ_AUTH_API_KEY, NULL, hz_api_list_teaching },
  { "GET", "/teaching-sessions/{id}", HZ_AUTH_API_KEY, NULL, hz_api_get_teaching },
  { "POST", "/teaching-sessions/{id}/registrations", HZ_AUTH_API_KEY, NULL,
    hz_api_register_for_teaching },
  { "GET", "/teaching-sessions/{id}/registrations", HZ_AUTH_API_KEY, NULL,
    hz_api_list_teaching_registrations },
  { "DELETE", "/teaching-sessions/{id}/registrations/me", HZ_AUTH_API_KEY, NULL,
    hz_api_cancel_teaching_registration },
  { "POST", "/teaching-occurrences/{id}/move", HZ_AUTH_API_KEY, hz_occurrence_move_fields,
    hz_api_move_occurrence },
  { "POST", "/teaching-occurrences/{id}/cancel", HZ_AUTH_API_KEY, hz_occurrence_cancel_fields,
    hz_api_cancel_occurrence },
  { "GET", "/teaching-occurrences/{id}/attendance", HZ_AUTH_API_KEY, NULL,
    hz_api_get_attendance },
};

const HzRoute *
hz_routes_get (gsize *count)
{
  *count = G_N_ELEMENTS (routes);
  return routes;
}

/* Whether SEGMENT is a FHIR resource id: 1 to 64 letters, digits, "-" and
 * ".". */
static gboolean
is_fhir_id (const char *segment)
{
  gsize length = strlen (segment);

  if (length < 1 || length > 64)
    return FALSE;
  for (const char *p = segment; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
        return FALSE;
    }
  return TRUE;
}

/* Matches PATH (below HZ_API_PREFIX) against PATTERN segment by segment.
 * "{id}" takes a positive decimal integer without leading zeros,
 * "{fhir-id}" a FHIR resource id and "{hls-file}" the name of an HLS
 * playlist or segment. The handler reads the last two from the path. */
static gboolean
match_pattern (const char *pattern,
               const char *path,
               gint64     *id)
{
  g_auto (GStrv) pattern_parts = g_strsplit (pattern, "/", -1);
  g_auto (GStrv) path_parts = g_strsplit (path, "/", -1);

  if (g_strv_length (pattern_parts) != g_strv_length (path_parts))
    return FALSE;

  for (guint i = 0; pattern_parts[i] != NULL; i++)
    {
      const char *segment = path_parts[i];
      guint64 value;

      if (g_str_equal (pattern_parts[i], "{fhir-id}"))
        {
          if (!is_fhir_id (segment))
            return FALSE;
          continue;
        }
      if (g_str_equal (pattern_parts[i], "{hls-file}"))
        {
          if (!hz_hls_file_name_is_valid (segment))
            return FALSE;
          continue;
        }
      if (!g_str_equal (pattern_parts[i], "{id}"))
        {
          if (!g_str_equal (pattern_parts[i], segment))
            return FALSE;
          continue;
        }

      if (segment[0] < '1' || segment[0] > '9' ||
          !g_ascii_string_to_unsigned (segment, 10, 1, G_MAXINT64, &value, NULL))
        return FALSE;
      *id = (gint64) value;
    }

  return TRUE;
}

/* Finds the route for METHOD and PATH. When the path matches only routes
 * of other methods, returns NULL and sets *ALLOW to their methods. */
static const HzRoute *
find_route (const char  *method,
            const char  *path,
            gint64      *id,
            char       **allow)
{
  g_autoptr (GString) methods = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      if (!match_pattern (routes[i].pattern, path, id))
        continue;
      if (g_str_equal (routes[i].method, method))
        return &routes[i];

      if (methods->len > 0)
        g_string_append (methods, ", ");
      g_string_append (methods, routes[i].method);
    }

  *allow = methods->len > 0 ? g_string_free (g_steal_pointer (&methods), FALSE) : NULL;
  return NULL;
}

/* Returns the key of "Authorization: Bearer KEY", or NULL. Two
 * Authorization headers read as one list ("Bearer A, Bearer B"), which no
 * key matches, so an ambiguous request is refused. */
static const char *
bearer_key (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_list (
    soup_server_message_get_request_headers (msg), "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;

  header += 7;
  while (*header == ' ')
    header++;
  return *header != '\0' ? header : NULL;
}

/* Whether the Origin header of MSG, when present, names the scheme, host
 * and port that MSG was sent to. Browsers send Origin with every
 * cross-site POST, so this rejects a forged form even where SameSite is
 * not enforced. */
static gboolean
origin_matches (SoupServerMessage *msg)
{
  const char *origin = soup_message_headers_get_one (
    soup_server_message_get_request_headers (msg), "Origin");
  GUri *target = soup_server_message_get_uri (msg);
  g_autoptr (GUri) parsed = NULL;

  if (origin == NULL)
    return TRUE;

  parsed = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  return parsed != NULL &&
         g_strcmp0 (g_uri_get_scheme (parsed), g_uri_get_scheme (target)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (parsed) ? g_uri_get_host (parsed) : "",
                             g_uri_get_host (target) ? g_uri_get_host (target) : "") == 0 &&
         g_uri_get_port (parsed) == g_uri_get_port (target);
}

/* Authenticates by the browser session cookie of POST /login. A request
 * that changes state must come from the scheduler's own pages. */
static gboolean
authenticate_cookie (HzRequest *request)
{
  const char *method = soup_server_message_get_method (request->msg);
  g_autoptr (GError) error = NULL;

  request->caller = hz_api_find_session_user (request->sched, request->msg, &error);
  if (error != NULL)
    {
      hz_request_respond_gerror (request, error);
      return FALSE;
    }
  if (request->caller == NULL)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_UNAUTHORIZED);
      return FALSE;
    }

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD") &&
      !origin_matches (request->msg))
    {
      g_message ("Rejected a cross-origin %s by user %" G_GINT64_FORMAT, method,
                 request->caller->id);
      hz_request_respond_error (request, HZ_SCHED_ERROR_CROSS_ORIGIN);
      return FALSE;
    }

  return TRUE;
}

/* An Authorization header must carry a valid key; without one, the
 * session cookie counts. */
static gboolean
authenticate_key (HzRequest *request)
{
  const char *key = bearer_key (request->msg);
  g_autoptr (GError) error = NULL;

  if (key == NULL && soup_message_headers_get_one (
        soup_server_message_get_request_headers (request->msg), "Authorization") == NULL)
    return authenticate_cookie (request);

  if (key == NULL || !g_str_has_prefix (key, HZ_API_KEY_PREFIX))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_UNAUTHORIZED);
      return FALSE;
    }

  request->caller = hz_store_find_user_by_key (request->sched->db, key, &error);
  if (error != NULL)
    {
      hz_request_respond_gerror (request, error);
      return FALSE;
    }
  if (request->caller == NULL)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_UNAUTHORIZED);
      return FALSE;
    }

  return TRUE;
}

/* Takes a token from the caller's bucket: the API key's when the request
 * carries one, else the bucket of the browser session's user. Over the
 * rate, responds 429 rate_limited with Retry-After. Logs the first
 * rejection of a run and, once a request passes again, how many there
 * were, because the request log already has a line for each. */
static gboolean
check_rate_limit (HzRequest *request)
{
  const HzSchedulerConfig *config = &request->sched->config->scheduler;
  gboolean by_key = bearer_key (request->msg) != NULL;
  const char *kind = by_key ? "API key" : "browser session";
  gint64 user_id = request->caller->id;
  g_autofree char *client = g_strdup_printf ("%s:%" G_GINT64_FORMAT,
                                             by_key ? "key" : "session", user_id);
  g_autofree char *retry_after = NULL;
  guint retry_after_s = 0;
  guint rejected = 0;

  if (hz_rate_limiter_take (request->sched->rate_limiter, client, g_get_monotonic_time (),
                            &retry_after_s, &rejected))
    {
      if (rejected > 0)
        g_message ("Serving user %" G_GINT64_FORMAT " (%s) again after %u requests rejected "
                   "with rate_limited", user_id, kind, rejected);
      return TRUE;
    }

  if (rejected == 1)
    g_message ("Rejecting requests of user %" G_GINT64_FORMAT " (%s) with rate_limited: over "
               "[scheduler] api-rate-limit = %u per second with api-rate-burst = %u",
               user_id, kind, config->api_rate_limit, config->api_rate_burst);

  retry_after = g_strdup_printf ("%u", retry_after_s);
  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Retry-After", retry_after);
  hz_request_respond_error (request, HZ_SCHED_ERROR_RATE_LIMITED);
  return FALSE;
}

static gboolean
authenticate_relay (HzRequest  *request,
                    GBytes     *body)
{
  SoupServerMessage *msg = request->msg;
  const char *header = soup_message_headers_get_one (
    soup_server_message_get_request_headers (msg), "Authorization");
  gsize length = 0;
  const char *data = g_bytes_get_data (body, &length);
  g_autoptr (GError) error = NULL;

  if (!hz_request_auth_verify (&request->sched->secret, header,
                               soup_server_message_get_method (msg),
                               g_uri_get_path (soup_server_message_get_uri (msg)),
                               g_get_real_time () / G_USEC_PER_SEC,
                               data, length, &error))
    {
      g_warning ("Rejected a relay report from %s: %s",
                 soup_server_message_get_remote_host (msg), error->message);
      hz_request_respond_error (request, HZ_SCHED_ERROR_INVALID_SIGNATURE);
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_body (HzRequest         *request,
            const HzFieldSpec *fields,
            GBytes            *body)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (body, &length);
  g_autoptr (HzFieldError) field_error = NULL;
  g_autofree char *nul_field = NULL;

  request->body = hz_json_parse_object (data, length, &nul_field);
  if (request->body == NULL && nul_field != NULL)
    {
      field_error = hz_field_error_new (nul_field, HZ_FIELD_PROBLEM_CONTROL_CHARACTER, NULL);
      hz_request_respond_field_error (request, field_error);
      return FALSE;
    }
  if (request->body == NULL)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_INVALID_JSON);
      return FALSE;
    }

  if (!hz_fields_validate (request->body, fields, &field_error))
    {
      hz_request_respond_field_error (request, field_error);
      return FALSE;
    }

  return TRUE;
}

static void
run_route (HzRequest     *request,
           const HzRoute *route)
{
  SoupMessageBody *message_body = soup_server_message_get_request_body (request->msg);
  g_autoptr (GBytes) body = soup_message_body_flatten (message_body);
  guint max_kib = request->sched->config->scheduler.max_body_kib;

  if (g_bytes_get_size (body) > (gsize) max_kib * 1024)
    {
      g_autofree char *message = hz_body_limit_message (request->language, max_kib);

      hz_request_respond_error_detail (request, HZ_SCHED_ERROR_BODY_TOO_LARGE, message, NULL);
      return;
    }

  if (route->auth == HZ_AUTH_API_KEY && (!authenticate_key (request) || !check_rate_limit (request)))
    return;
  if (route->auth == HZ_AUTH_RELAY && !authenticate_relay (request, body))
    return;

  if (route->fields != NULL && !parse_body (request, route->fields, body))
    return;

  request->zone = hz_sched_lookup_zone (request->caller ? request->caller->org_timezone : NULL);
  route->handler (request);
}

void
hz_api_dispatch (HzSched           *sched,
                 SoupServerMessage *msg,
                 const char        *path)
{
  HzRequest request = { sched, msg, hz_request_language (msg), NULL, 0, NULL, NULL };
  const HzRoute *route;
  g_autofree char *allow = NULL;

  if (!g_str_has_prefix (path, HZ_API_PREFIX "/"))
    {
      hz_request_respond_error (&request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  route = find_route (soup_server_message_get_method (msg),
                      path + strlen (HZ_API_PREFIX), &request.path_id, &allow);
  if (route == NULL && allow != NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allow);
      hz_request_respond_error (&request, HZ_SCHED_ERROR_METHOD_NOT_ALLOWED);
    }
  else if (route == NULL)
    hz_request_respond_error (&request, HZ_SCHED_ERROR_NOT_FOUND);
  else
    run_route (&request, route);

  g_clear_pointer (&request.caller, hz_user_free);
  g_clear_pointer (&request.body, json_object_unref);
  g_clear_pointer (&request.zone, g_time_zone_unref);
}
