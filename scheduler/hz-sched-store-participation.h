/* The relay's join and leave reports.
 *
 * Every report becomes a session_participation row, for every session
 * kind, so that attendance (who joined, for how long) can be computed from
 * them. The first join of a consultation's session moves a scheduled
 * consultation to in_progress in the same transaction.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-sched-store.h"

G_BEGIN_DECLS

extern const char *const hz_participation_event_names[];   /* "join", "leave", NULL */

/* Stores EVENT ("join" or "leave") of USER_ID in SESSION_ID at AT (Unix
 * seconds, the relay's clock). Sets *STARTED_CONSULTATION_ID to the
 * consultation that this join moved to in_progress, or to 0. The caller
 * checks that the user is a participant. */
gboolean hz_store_record_participation (sqlite3        *db,
                                        const HzActor  *actor,
                                        gint64          session_id,
                                        gint64          user_id,
                                        const char     *event,
                                        gint64          at,
                                        gint64         *started_consultation_id,
                                        GError        **error);

G_END_DECLS
