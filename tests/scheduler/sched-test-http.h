/* HTTP helpers of the workflow, account and role tests: one request with
 * any headers, the parsed JSON body and the response headers, and the
 * users and organizations that most tests need. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hz-test-daemons.h"

G_BEGIN_DECLS

#define SCHED_TEST_HTTP_TIMEOUT_SECONDS 10

typedef struct {
  guint status;
  char *reason;                 /* the status line's reason phrase */
  JsonNode *json;               /* NULL when the body is not JSON */
  SoupMessageHeaders *headers;
} SchedResponse;

void sched_response_clear (SchedResponse *response);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SchedResponse, sched_response_clear)

/* Sends MESSAGE on a new session, so that no cookie or connection carries
 * over between requests. */
SchedResponse sched_send_message (SoupMessage *message);

/* Sends METHOD PATH to the scheduler of DAEMONS. KEY (an API key) becomes
 * "Authorization: Bearer KEY"; COOKIE (a whole Cookie header value) and
 * ORIGIN are sent when not NULL; BODY is JSON text or NULL. */
SchedResponse sched_send (HzTestDaemons *daemons,
                          const char    *method,
                          const char    *path,
                          const char    *key,
                          const char    *cookie,
                          const char    *origin,
                          const char    *body);

/* The same with an API key only. */
SchedResponse sched_call (HzTestDaemons *daemons,
                          const char    *method,
                          const char    *path,
                          const char    *key,
                          const char    *body);

/* The root object of RESPONSE; asserts that there is one. */
JsonObject *sched_object (const SchedResponse *response);

/* Asserts STATUS and the error CODE of RESPONSE. */
void sched_assert_error (const SchedResponse *response,
                         guint                status,
                         const char          *code);

/* POSTs BODY to PATH with KEY, asserts 201 and returns the member "id".
 * Stores the member "api_key" in *API_KEY when API_KEY is not NULL. */
gint64 sched_create (HzTestDaemons *daemons,
                     const char    *path,
                     const char    *key,
                     const char    *body,
                     char         **api_key);

/* Creates an organization of LEVEL with the admin key. */
gint64 sched_create_org (HzTestDaemons *daemons,
                         const char    *name,
                         const char    *level);

/* Creates a user of ROLE in ORG_ID with the admin key and returns its id;
 * *API_KEY gets its key. */
gint64 sched_create_user (HzTestDaemons *daemons,
                          gint64         org_id,
                          const char    *name,
                          const char    *role,
                          char         **api_key);

/* Files a consultation as the doctor with DOCTOR_KEY; EXTRA is appended to
 * the body's members (e.g. ", \"target_org_id\": 1") or NULL. */
gint64 sched_request_consultation (HzTestDaemons *daemons,
                                   const char    *doctor_key,
                                   const char    *extra);

/* Formats Unix seconds as RFC 3339 with +08:00. */
char *sched_format_time (gint64 unix_seconds);

/* Sends a relay-signed POST of BODY to PATH (below /api/v1), as the relay
 * does with the shared secret. */
SchedResponse sched_relay_post (HzTestDaemons *daemons,
                                const char    *path,
                                const char    *body);

G_END_DECLS
