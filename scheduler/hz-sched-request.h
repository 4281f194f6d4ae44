/* One API request as the handlers see it, the route table and the
 * response helpers. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hz-sched.h"
#include "hz-sched-errors.h"
#include "hz-sched-fields.h"
#include "hz-sched-store.h"

G_BEGIN_DECLS

#define HZ_API_PREFIX "/api/v1"

typedef struct {
  HzSched *sched;
  SoupServerMessage *msg;
  HzLanguage language;
  HzUser *caller;          /* the key's or the session's user; NULL on routes
                            * signed by the relay and on open routes */
  gint64 path_id;          /* the {id} of the route, or 0 */
  JsonObject *body;        /* validated against the route's fields, or NULL */
  GTimeZone *zone;         /* zone of the times in the response */
} HzRequest;

typedef void (*HzRouteHandler) (HzRequest *request);

typedef enum {
  HZ_AUTH_API_KEY,         /* Authorization: Bearer KEY */
  HZ_AUTH_RELAY,           /* Authorization: HZ-HMAC ts=.., sig=.. (hz-request-auth.h) */
  HZ_AUTH_NONE,            /* open: POST /login, POST /logout, GET /fhir/metadata */
} HzAuthKind;

typedef struct {
  const char *method;
  const char *pattern;     /* below HZ_API_PREFIX; "{id}" matches a positive integer,
                              "{fhir-id}" a FHIR resource id */
  HzAuthKind auth;
  const HzFieldSpec *fields;  /* table for the JSON body, or NULL when the body is ignored */
  HzRouteHandler handler;
} HzRoute;

/* The route table, in hz-sched-router.c. */
const HzRoute *hz_routes_get (gsize *count);

/* Dispatches a request under HZ_API_PREFIX: routing, authentication, body
 * validation, then the handler. */
void hz_api_dispatch (HzSched           *sched,
                      SoupServerMessage *msg,
                      const char        *path);

/* Responses. Each sets status, headers and body of REQUEST's message. */
void hz_request_respond_json (HzRequest *request,
                              guint      status,
                              JsonNode  *node);
void hz_request_respond_error (HzRequest        *request,
                               HzSchedErrorCode  code);
void hz_request_respond_field_error (HzRequest          *request,
                                     const HzFieldError *error);

/* Responds with CODE's status, MESSAGE in place of the table's (NULL keeps
 * it) and the members of EXTRA (NULL for none) next to "code" and
 * "message", e.g. {"from": "returned", "to": "accepted"}. */
void hz_request_respond_error_detail (HzRequest        *request,
                                      HzSchedErrorCode  code,
                                      const char       *message,
                                      JsonObject       *extra);

/* Responds with the code of ERROR when it is in HZ_SCHED_ERROR, and with
 * internal_error otherwise. Server-side failures are logged here. */
void hz_request_respond_gerror (HzRequest    *request,
                                const GError *error);

/* Writes an error response to MSG outside a routed request. */
void hz_respond_error (SoupServerMessage *msg,
                       HzLanguage         language,
                       HzSchedErrorCode   code);

/* Logs MSG's method, path, status and duration, then OUTCOME (e.g.
 * " (aborted)"), in the scheduler's request log format (hz-sched-server.c). */
void hz_sched_log_request (SoupServerMessage *msg,
                           const char        *outcome);

/* Sets MSG's status with its reason phrase, which libsoup 3.2 lacks for 429
 * ("Unknown Error" otherwise). */
void hz_response_set_status (SoupServerMessage *msg,
                             guint              status);

/* Returns the language that MSG's Accept-Language header prefers. */
HzLanguage hz_request_language (SoupServerMessage *msg);

/* Handlers and their field tables (hz-sched-api-*.c). */
extern const HzFieldSpec hz_organization_fields[];
extern const HzFieldSpec hz_user_fields[];
extern const HzFieldSpec hz_consultation_fields[];
extern const HzFieldSpec hz_schedule_fields[];
extern const HzFieldSpec hz_cancel_fields[];
extern const HzFieldSpec hz_reschedule_fields[];
extern const HzFieldSpec hz_return_fields[];
extern const HzFieldSpec hz_no_show_fields[];
extern const HzFieldSpec hz_report_fields[];
extern const HzFieldSpec hz_amendment_fields[];
extern const HzFieldSpec hz_participation_report_fields[];
extern const HzFieldSpec hz_login_fields[];
extern const HzFieldSpec hz_password_fields[];
extern const HzFieldSpec hz_recording_report_fields[];
extern const HzFieldSpec hz_partner_fields[];

void hz_api_create_organization (HzRequest *request);
void hz_api_set_partners (HzRequest *request);
void hz_api_create_user (HzRequest *request);
void hz_api_create_consultation (HzRequest *request);
void hz_api_get_consultation (HzRequest *request);
void hz_api_schedule_consultation (HzRequest *request);
void hz_api_cancel_consultation (HzRequest *request);
void hz_api_list_consultations (HzRequest *request);
void hz_api_reschedule_consultation (HzRequest *request);
void hz_api_accept_consultation (HzRequest *request);
void hz_api_return_consultation (HzRequest *request);
void hz_api_mark_no_show (HzRequest *request);
void hz_api_consultation_history (HzRequest *request);
void hz_api_get_report (HzRequest *request);
void hz_api_save_report (HzRequest *request);
void hz_api_sign_report (HzRequest *request);
void hz_api_add_amendment (HzRequest *request);
void hz_api_report_participation (HzRequest *request);
void hz_api_get_internal_session (HzRequest *request);
void hz_api_login (HzRequest *request);
void hz_api_logout (HzRequest *request);
void hz_api_get_me (HzRequest *request);
void hz_api_set_password (HzRequest *request);
void hz_api_list_organizations (HzRequest *request);
void hz_api_list_users (HzRequest *request);
void hz_api_list_experts (HzRequest *request);

/* The name of the browser session cookie that POST /login sets. */
#define HZ_SESSION_COOKIE "hz_session"

/* Returns the user of MSG's unexpired session cookie, or NULL (with ERROR
 * unset when there is simply no such session). */
HzUser *hz_api_find_session_user (HzSched           *sched,
                                  SoupServerMessage *msg,
                                  GError           **error);
void hz_api_create_join_token (HzRequest *request);
void hz_api_list_recordings (HzRequest *request);
void hz_api_report_recording (HzRequest *request);

/* Static files from web-root for every path outside HZ_API_PREFIX
 * (hz-sched-static.c). */
void hz_static_serve (HzSched           *sched,
                      SoupServerMessage *msg,
                      const char        *path);

G_END_DECLS
