/* JSON representations of the records in API responses. Times are RFC 3339
 * in ZONE; absent optional values are JSON null. */
#pragma once

#include <json-glib/json-glib.h>

#include "hz-sched-store.h"

G_BEGIN_DECLS

/* Adds MEMBER as an RFC 3339 time, or null for HZ_TIME_NONE. */
void hz_json_add_time (JsonBuilder *builder,
                       const char  *member,
                       gint64       unix_seconds,
                       GTimeZone   *zone);

JsonNode *hz_json_organization (const HzOrganization *org);

/* API_KEY is included only when not NULL, which is only on creation. */
JsonNode *hz_json_user (const HzUser *user,
                        const char   *api_key);

JsonNode *hz_json_consultation (const HzConsultation *consultation,
                                GTimeZone            *zone);

JsonNode *hz_json_recording (const HzRecording *recording,
                             GTimeZone         *zone);

G_END_DECLS
