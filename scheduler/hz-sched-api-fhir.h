/* FHIR R4 read views (hz-sched-api-fhir*.c).
 *
 * The views are served below "/fhir" and below "/api/v1/fhir". Requests go
 * through the API router, so authentication and routing are those of the
 * JSON API, but every response, errors included, is FHIR JSON
 * (application/fhir+json): errors are OperationOutcome resources.
 */
#pragma once

#include "hz-sched-fhir-search.h"
#include "hz-sched-request.h"

G_BEGIN_DECLS

#define HZ_FHIR_PATH "/fhir"

/* Whether PATH is below HZ_FHIR_PATH or HZ_API_PREFIX HZ_FHIR_PATH. */
gboolean hz_fhir_is_path (const char *path);

/* Marks MSG as a FHIR request and dispatches it to the route table with
 * PATH below HZ_API_PREFIX. */
void hz_fhir_dispatch (HzSched           *sched,
                       SoupServerMessage *msg,
                       const char        *path);

/* Writes an OperationOutcome error when MSG is a FHIR request and returns
 * TRUE; returns FALSE and leaves MSG alone otherwise. */
gboolean hz_fhir_respond_error (SoupServerMessage *msg,
                                guint              http_status,
                                const char        *error_code,
                                const char        *message);

/* The base URL of the FHIR views as the request reached them, e.g.
 * "http://127.0.0.1:8080/fhir". */
const char *hz_fhir_request_base (HzRequest *request);

/* Sends RESOURCE as application/fhir+json with STATUS. */
void hz_fhir_respond (HzRequest *request,
                      guint      status,
                      JsonNode  *resource);

/* Responds 400 with an OperationOutcome naming search parameter NAME. */
void hz_fhir_respond_bad_parameter (HzRequest  *request,
                                    const char *name);

/* The state of one search: its parameters and paging. */
typedef struct {
  GPtrArray *params;       /* HzFhirParam of the whole query string */
  GString *used;           /* the parameters that the search applied, for the links */
  guint count;             /* _count: entries per page, at most HZ_FHIR_MAX_COUNT */
  guint offset;            /* _offset: entries skipped */
} HzFhirSearch;

#define HZ_FHIR_DEFAULT_COUNT 50
#define HZ_FHIR_MAX_COUNT 200

/* Parses the query string, _count and _offset. Responds 400 and returns
 * FALSE when they are invalid. */
gboolean hz_fhir_search_begin (HzRequest    *request,
                               HzFhirSearch *search);
void hz_fhir_search_clear (HzFhirSearch *search);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HzFhirSearch, hz_fhir_search_clear)

/* Records that the search applied PARAM, so that the Bundle's links
 * repeat it. */
void hz_fhir_search_use (HzFhirSearch      *search,
                         const HzFhirParam *param);

/* Parses PARAM's comma-separated values (alternatives) into DATES
 * (HzFhirDate), or into IDS (gint64) of references to TYPE. A modifier
 * other than TYPE itself is rejected. Both respond 400 and return FALSE
 * for an invalid value. */
gboolean hz_fhir_search_dates (HzRequest         *request,
                               const HzFhirParam *param,
                               GArray            *dates);
gboolean hz_fhir_search_references (HzRequest         *request,
                                    const HzFhirParam *param,
                                    const char        *type,
                                    GArray            *ids);

/* Returns PARAM's comma-separated codes, each of which must be in ALLOWED
 * (NULL-terminated); a modifier is rejected. Responds 400 and returns NULL
 * for an empty value or an unknown code. */
GStrv hz_fhir_search_codes (HzRequest         *request,
                            const HzFhirParam *param,
                            const char *const *allowed);

/* Whether any element of DATES (HzFhirDate) matches INSTANT. */
gboolean hz_fhir_dates_match_any (GArray *dates,
                                  gint64  instant);

/* Whether ID is in IDS (gint64). */
gboolean hz_fhir_ids_contain (GArray *ids,
                              gint64  id);

/* Sends a searchset Bundle of TYPE: TOTAL matches, of which PAGE holds the
 * resources (JsonNode) from search->offset on. */
void hz_fhir_search_respond (HzRequest    *request,
                             HzFhirSearch *search,
                             const char   *type,
                             gint64        total,
                             GPtrArray    *page);

/* Route handlers. */
void hz_api_fhir_metadata (HzRequest *request);
void hz_api_fhir_read_appointment (HzRequest *request);
void hz_api_fhir_read_teaching_appointment (HzRequest *request);
void hz_api_fhir_search_appointments (HzRequest *request);
void hz_api_fhir_read_practitioner (HzRequest *request);
void hz_api_fhir_read_schedule (HzRequest *request);
void hz_api_fhir_search_schedules (HzRequest *request);
void hz_api_fhir_search_slots (HzRequest *request);
void hz_api_fhir_read_slot (HzRequest *request);

G_END_DECLS
