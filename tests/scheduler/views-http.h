/* HTTP helpers shared by the integration tests of the calendar feed and
 * the FHIR views: one request to the real scheduler, with the raw body,
 * the headers and the JSON when the body is JSON. */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "hz-test-daemons.h"

G_BEGIN_DECLS

#define VIEWS_HTTP_TIMEOUT_SECONDS 10

typedef struct {
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
  JsonNode *json;              /* NULL when the body is not JSON */
} ViewsResponse;

void views_response_clear (ViewsResponse *response);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ViewsResponse, views_response_clear)

/* Sends METHOD to TARGET, a path on the scheduler or an absolute URL, with
 * "Authorization: Bearer KEY" unless KEY is NULL and BODY (JSON) unless it
 * is NULL. */
ViewsResponse views_http (HzTestDaemons *daemons,
                          SoupSession   *session,
                          const char    *method,
                          const char    *target,
                          const char    *key,
                          const char    *body);

/* The body as a NUL-terminated string. */
char *views_response_text (const ViewsResponse *response);

/* The response's JSON object; fails the test when there is none. */
JsonObject *views_response_object (const ViewsResponse *response);

/* Creates a user in ORG_ID with the admin key and returns its id; sets
 * *KEY to its API key. */
gint64 views_create_user (HzTestDaemons *daemons,
                          SoupSession   *session,
                          gint64         org_id,
                          const char    *name,
                          const char    *role,
                          char         **key);

/* Creates an organization with the admin key and returns its id. */
gint64 views_create_organization (HzTestDaemons *daemons,
                                  SoupSession   *session,
                                  const char    *name,
                                  const char    *level);

/* Files a consultation for SPECIALTY with DOCTOR_KEY and returns its id. */
gint64 views_request_consultation (HzTestDaemons *daemons,
                                   SoupSession   *session,
                                   const char    *doctor_key,
                                   const char    *specialty);

/* Schedules CONSULTATION_ID with EXPERT_ID for DURATION seconds, starting
 * START_OFFSET seconds from now rounded down to the minute. Returns the
 * session id and sets *START (may be NULL) to the start in Unix seconds. */
gint64 views_schedule (HzTestDaemons *daemons,
                       SoupSession   *session,
                       const char    *coordinator_key,
                       gint64         consultation_id,
                       gint64         expert_id,
                       gint64         start_offset,
                       gint64         duration,
                       gint64        *start);

/* Cancels CONSULTATION_ID with KEY and asserts 200. */
void views_cancel (HzTestDaemons *daemons,
                   SoupSession   *session,
                   const char    *key,
                   gint64         consultation_id);

G_END_DECLS
