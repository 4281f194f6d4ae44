/* The per-user iCalendar feed (hz-sched-api-calendar.c). */
#pragma once

#include "hz-sched-request.h"

G_BEGIN_DECLS

/* Path prefix of the feed, outside HZ_API_PREFIX: "/ical/TOKEN.ics". */
#define HZ_ICAL_PATH_PREFIX "/ical/"

/* Returns PUBLIC_URL/ical/TOKEN.ics. */
char *hz_ical_feed_url (const HzSched *sched,
                        const char    *token);

/* POST /me/ical-token, POST /users/{id}/ical-token, DELETE /me/ical-token. */
void hz_api_issue_own_ical_token (HzRequest *request);
void hz_api_issue_user_ical_token (HzRequest *request);
void hz_api_revoke_own_ical_token (HzRequest *request);

/* Serves GET and HEAD of PATH below HZ_ICAL_PATH_PREFIX: the feed of the
 * token's user, or 404 not_found for an unknown or malformed token. */
void hz_ical_serve (HzSched           *sched,
                    SoupServerMessage *msg,
                    const char        *path);

G_END_DECLS
