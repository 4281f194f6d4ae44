/* FHIR R4 (4.0.1) JSON views of the scheduler's records: Appointment,
 * Schedule, Slot and Practitioner, search Bundles and OperationOutcome.
 *
 * These are read-only views for hospital systems. A consultation is an
 * Appointment whose id is the consultation id. An expert is a
 * Practitioner with one Schedule of the same id, and a Slot is a free or
 * busy interval of a Schedule. The builders are pure, so their output is unit-tested.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "hz-sched-errors.h"
#include "hz-sched-store.h"

G_BEGIN_DECLS

#define HZ_FHIR_CONTENT_TYPE "application/fhir+json"

/* The R4 Appointment.status of a consultation status:
 *
 *   requested   -> proposed   nobody has committed to a time yet
 *   accepted    -> pending    reviewed, waiting for the expert and the time;
 *                             "proposed" while it has no start and end,
 *                             because R4 (app-3) allows no pending
 *                             appointment without them
 *   returned    -> cancelled  the consulting hospital declined the request
 *   scheduled   -> booked
 *   in_progress -> arrived    R4 has no "in progress"; "arrived" is the
 *                             last status before "fulfilled"
 *   completed   -> fulfilled
 *   cancelled   -> cancelled
 *   no_show     -> noshow
 *
 * Any other status maps to "entered-in-error". HAS_TIMES tells whether the
 * consultation has a start and an end. */
const char *hz_fhir_appointment_status (const char *consultation_status,
                                        gboolean    has_times);

/* Whether an Appointment with STATUS must have start and end (R4 app-3:
 * only proposed, cancelled and waitlist appointments may lack them). */
gboolean hz_fhir_status_needs_times (const char *status);

/* The names that an Appointment's participants display; NULL to leave
 * the display out. */
typedef struct {
  const char *requester_name;
  const char *expert_name;
} HzFhirNames;

JsonNode *hz_fhir_appointment (const HzConsultation *consultation,
                               const HzFhirNames    *names,
                               GTimeZone            *zone,
                               HzLanguage            language);

/* One occurrence of a teaching round, as its Appointment shows it. The
 * strings are borrowed. */
typedef struct {
  gint64 session_id;
  const char *kind;            /* "ward_round", "surgical_demo" or "lecture" */
  const char *title;
  gint64 presenter_id;
  const char *presenter_name;  /* or NULL */
  gint64 start_at;
  gint64 end_at;
  const char *status;          /* of the session: scheduled, cancelled or completed */
  const char *cancel_reason;   /* or NULL */
  gint64 created_at;           /* of the series */
  gint64 attendee_id;          /* a registered attendee to list, or 0 */
  const char *attendee_name;   /* or NULL */
} HzFhirTeaching;

/* Teaching occurrences are Appointments with the id "teaching-SESSION",
 * so that their ids never collide with consultations'. */
char *hz_fhir_teaching_id (gint64 session_id);
gboolean hz_fhir_teaching_id_parse (const char *id,
                                    gint64     *session_id);

/* The R4 Appointment.status of a teaching session: scheduled -> booked,
 * cancelled -> cancelled, completed -> fulfilled, anything else
 * entered-in-error. */
const char *hz_fhir_teaching_status (const char *session_status);

/* The Appointment of a teaching occurrence: the presenter (type PPRF,
 * primary performer) and, when ATTENDEE_ID is set, that attendee (type
 * ATND, attender, not required). */
JsonNode *hz_fhir_teaching_appointment (const HzFhirTeaching *teaching,
                                        GTimeZone            *zone,
                                        HzLanguage            language);

JsonNode *hz_fhir_practitioner (const HzUser *user);

/* The Schedule of EXPERT, whose id is the expert's user id. */
JsonNode *hz_fhir_schedule (const HzUser *expert,
                            HzLanguage    language);

/* Slot ids name the schedule and the interval, "EXPERT-START-END" with
 * Unix seconds, so that a Slot can be read again by its id. */
char *hz_fhir_slot_id (gint64 expert_id,
                       gint64 start,
                       gint64 end);
gboolean hz_fhir_slot_id_parse (const char *id,
                                gint64     *expert_id,
                                gint64     *start,
                                gint64     *end);

/* STATUS is "free" or "busy". */
JsonNode *hz_fhir_slot (gint64      expert_id,
                        gint64      start,
                        gint64      end,
                        const char *status,
                        GTimeZone  *zone);

/* A searchset Bundle. ENTRIES contains the JsonNode resources, whose
 * fullUrl is BASE/TYPE/ID. NEXT_URL may be NULL. */
JsonNode *hz_fhir_searchset (const char *base,
                             const char *self_url,
                             const char *next_url,
                             gint64      total,
                             GPtrArray  *entries,
                             GTimeZone  *zone);

/* An OperationOutcome with one error issue. The issue code follows
 * HTTP_STATUS (404 not-found, 409 conflict, ...), details.text is MESSAGE
 * and diagnostics is the scheduler's error code, e.g. "not_found". */
JsonNode *hz_fhir_operation_outcome (guint       http_status,
                                     const char *error_code,
                                     const char *message);

G_END_DECLS
