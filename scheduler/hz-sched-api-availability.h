/* Availability, holiday calendar and slot search endpoints
 * (hz-sched-api-availability.c, hz-sched-api-slots.c). */
#pragma once

#include "hz-sched-request.h"

G_BEGIN_DECLS

extern const HzFieldSpec hz_working_hours_fields[];
extern const HzFieldSpec hz_booking_rules_fields[];
extern const HzFieldSpec hz_leave_fields[];
extern const HzFieldSpec hz_extra_hours_fields[];
extern const HzFieldSpec hz_holiday_calendar_fields[];

/* GET and PUT /experts/{id}/working-hours. */
void hz_api_get_working_hours (HzRequest *request);
void hz_api_set_working_hours (HzRequest *request);

/* GET and PUT /experts/{id}/booking-rules. */
void hz_api_get_booking_rules (HzRequest *request);
void hz_api_set_booking_rules (HzRequest *request);

/* POST /experts/{id}/leave, POST /experts/{id}/extra-hours,
 * GET /experts/{id}/exceptions?from=&to=, DELETE /availability-exceptions/{id}. */
void hz_api_add_leave (HzRequest *request);
void hz_api_add_extra_hours (HzRequest *request);
void hz_api_list_exceptions (HzRequest *request);
void hz_api_delete_exception (HzRequest *request);

/* PUT /organizations/{id}/holiday-calendar, GET /holiday-calendars,
 * GET /holidays?calendar=&from=&to=. */
void hz_api_set_holiday_calendar (HzRequest *request);
void hz_api_list_holiday_calendars (HzRequest *request);
void hz_api_list_holidays (HzRequest *request);

/* GET /slots?specialty=&expert_id=&from=&to=&duration=&step=. */
void hz_api_search_slots (HzRequest *request);

/* Reads query parameter NAME of REQUEST as an RFC 3339 time with an offset
 * into *VALUE. Responds with 400 invalid_time (or invalid_field when
 * REQUIRED and missing) and returns FALSE otherwise. */
gboolean hz_request_query_time (HzRequest  *request,
                                const char *name,
                                gboolean    required,
                                gint64     *value);

/* Returns query parameter NAME of REQUEST, or NULL. */
const char *hz_request_query (HzRequest  *request,
                              const char *name);

G_END_DECLS
