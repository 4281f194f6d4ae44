/* Calendar feed tokens and the sessions that a user's feed lists.
 *
 * A feed URL carries a per-user secret token instead of an API key,
 * because calendar clients cannot send headers. The database stores only
 * the token's SHA-256; issuing a new token replaces the old one.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-sched-errors.h"
#include "hz-sched-store.h"

G_BEGIN_DECLS

/* A token is 32 random bytes in unpadded base64url: 43 characters. */
#define HZ_ICAL_TOKEN_RANDOM_BYTES 32
#define HZ_ICAL_TOKEN_LENGTH 43

/* A feed lists sessions that ended at most this many days ago, and every
 * later one. The cancelled copy of a session that the user was removed
 * from stays as long, counted from the end that the user last saw. */
#define HZ_ICAL_PAST_DAYS 90

/* TRUE when TEXT has the shape of a token, so that other text is rejected
 * without a database query. */
gboolean hz_ical_token_is_well_formed (const char *text);

/* Issues a new token for USER_ID, replacing (and so revoking) any earlier
 * one, and returns it. The token is not stored and cannot be shown again. */
char *hz_store_replace_ical_token (sqlite3        *db,
                                   const HzActor  *actor,
                                   gint64          user_id,
                                   GError        **error);

/* Deletes USER_ID's token. Sets *REVOKED to FALSE when there was none. */
gboolean hz_store_revoke_ical_token (sqlite3        *db,
                                     const HzActor  *actor,
                                     gint64          user_id,
                                     gboolean       *revoked,
                                     GError        **error);

/* Returns the user whose current token is TOKEN, or NULL without an error
 * when no user has it. */
HzUser *hz_store_find_user_by_ical_token (sqlite3    *db,
                                          const char *token,
                                          GError    **error);

/* Returns the HzCalendarEvent records of USER_ID's sessions that end at or
 * after FROM (Unix seconds), in order of start: consultations that the user
 * requested, is the expert of or takes part in, and occurrences of teaching
 * series that the user presents or is registered for. Sessions that the
 * user was removed from follow as cancelled copies (see
 * hz_store_calendar_record_removals()). Organization names are in
 * LANGUAGE. */
GPtrArray *hz_store_list_calendar_events (sqlite3     *db,
                                          gint64       user_id,
                                          gint64       from,
                                          HzLanguage   language,
                                          GError     **error);

/* Returns the events of the sessions that USER_ID is on now and that a
 * feed fetched at NOW lists, for hz_store_calendar_record_removals(). */
GPtrArray *hz_store_calendar_snapshot (sqlite3  *db,
                                       gint64    user_id,
                                       gint64    now,
                                       GError  **error);

/* Stores a cancelled copy for every event of BEFORE, a snapshot of
 * USER_ID taken before a change, whose session USER_ID is no longer on,
 * so that their feed keeps the UID with STATUS:CANCELLED and a higher
 * SEQUENCE. Call both in the transaction of the change, with the same NOW;
 * the copy keeps the times of BEFORE. */
gboolean hz_store_calendar_record_removals (sqlite3     *db,
                                            gint64       user_id,
                                            GPtrArray   *before,
                                            gint64       now,
                                            GError     **error);

G_END_DECLS
