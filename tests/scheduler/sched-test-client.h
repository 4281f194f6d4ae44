/* Helpers for the scheduler's integration tests: JSON requests over a
 * SoupSession, and dates in Asia/Shanghai. Every failure of the transport
 * aborts the test. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "hz-test-daemons.h"

G_BEGIN_DECLS

typedef struct {
  guint status;
  JsonNode *json;          /* NULL when the body is empty or not JSON */
} HzTestResponse;

void hz_test_response_clear (HzTestResponse *response);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HzTestResponse, hz_test_response_clear)

/* Sends METHOD to BASE_URL + PATH with "Authorization: Bearer KEY" (when
 * KEY is not NULL), Accept-Language: en and BODY as JSON (when not NULL). */
HzTestResponse hz_test_request (SoupSession *session,
                                const char  *base_url,
                                const char  *method,
                                const char  *path,
                                const char  *key,
                                const char  *body);

/* Returns the response's object; asserts that there is one. */
JsonObject *hz_test_response_object (const HzTestResponse *response);

/* Asserts STATUS and, for errors, the machine CODE. */
void hz_test_assert_status (const HzTestResponse *response,
                            guint                 status,
                            const char           *code);

/* Returns "YYYY-MM-DD" of the date DAYS after today in Asia/Shanghai. */
char *hz_test_shanghai_date (int days);

/* Returns "DATE" + "T" + CLOCK + ":00+08:00", e.g. 2026-12-09T09:00:00+08:00
 * for CLOCK "09:00". */
char *hz_test_shanghai_time (const char *date,
                             const char *clock);

G_END_DECLS
