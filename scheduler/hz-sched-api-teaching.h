/* Teaching round endpoints (hz-sched-api-teaching.c,
 * hz-sched-api-registrations.c) and the helpers they share
 * (hz-sched-teaching-json.c). */
#pragma once

#include "hz-sched-request.h"
#include "hz-sched-teaching.h"

G_BEGIN_DECLS

extern const HzFieldSpec hz_teaching_fields[];
extern const HzFieldSpec hz_occurrence_move_fields[];
extern const HzFieldSpec hz_occurrence_cancel_fields[];

/* POST /teaching-sessions, GET /teaching-sessions?from=&to=,
 * GET /teaching-sessions/{id}. */
void hz_api_create_teaching (HzRequest *request);
void hz_api_list_teaching (HzRequest *request);
void hz_api_get_teaching (HzRequest *request);

/* POST /teaching-occurrences/{id}/move, POST /teaching-occurrences/{id}/cancel,
 * GET /teaching-occurrences/{id}/attendance. */
void hz_api_move_occurrence (HzRequest *request);
void hz_api_cancel_occurrence (HzRequest *request);
void hz_api_get_attendance (HzRequest *request);

/* POST /teaching-sessions/{id}/registrations,
 * DELETE /teaching-sessions/{id}/registrations/me,
 * GET /teaching-sessions/{id}/registrations. */
void hz_api_register_for_teaching (HzRequest *request);
void hz_api_cancel_teaching_registration (HzRequest *request);
void hz_api_list_teaching_registrations (HzRequest *request);

/* Shared by the handlers (hz-sched-teaching-json.c). */

/* Visible to admins, users of the presenter's organization and users of
 * the audience's organizations. */
gboolean hz_teaching_is_visible (const HzUser           *user,
                                 const HzTeachingSeries *series);

/* Admins, the presenter and coordinators of the presenter's organization
 * may change a series and see who registered and attended. */
gboolean hz_teaching_can_manage (const HzUser           *user,
                                 const HzTeachingSeries *series);

/* Returns the zone of the series' organization, in which its dates are
 * counted. */
GTimeZone *hz_teaching_zone (HzRequest              *request,
                             const HzTeachingSeries *series);

/* Formats the local date of UNIX_SECONDS in ZONE as YYYY-MM-DD. */
char *hz_teaching_format_date (gint64     unix_seconds,
                               GTimeZone *zone);

JsonNode *hz_json_teaching_occurrence (const HzTeachingOccurrence *occurrence,
                                       GTimeZone                  *zone,
                                       GTimeZone                  *series_zone);

/* The series with its occurrences. REGISTRATION (the caller's, or NULL)
 * and SKIPPED (HzTeachingConflict, or NULL) are added when given. */
JsonNode *hz_json_teaching_series (const HzTeachingSeries       *series,
                                   GTimeZone                    *zone,
                                   GTimeZone                    *series_zone,
                                   const HzTeachingRegistration *registration,
                                   GArray                       *skipped);

JsonNode *hz_json_teaching_conflict (const HzTeachingConflict *conflict,
                                     GTimeZone                *zone,
                                     GTimeZone                *series_zone);

JsonNode *hz_json_teaching_registration (const HzTeachingRegistration *registration,
                                         GTimeZone                    *zone);

/* Responds with 409 teaching_conflict, a message that names the first
 * conflict's index and date, and the conflicts as members "occurrence"
 * (the first) and "conflicts" (all). */
void hz_teaching_respond_conflicts (HzRequest *request,
                                    GArray    *conflicts,
                                    GTimeZone *series_zone);

/* Loads the series of the request path and responds with 404 unless the
 * caller may see it. */
HzTeachingSeries *hz_teaching_load_visible (HzRequest *request,
                                            gint64     id);

G_END_DECLS
