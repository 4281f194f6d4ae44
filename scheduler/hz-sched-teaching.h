/* Teaching rounds (教学查房, 手术示教, lectures) in the scheduler database.
 *
 * A teaching series has a presenter, an audience of organizations and a
 * capacity. Each occurrence is a sessions row (kind 'teaching'), so join
 * tokens, recordings and the relay's participation reports work as for
 * consultations. The presenter takes part with role publish. Registered
 * users take part with role view in every occurrence that has not ended.
 * Users beyond the capacity wait in a queue and move up when a registered
 * user cancels.
 *
 * Errors are in HZ_SCHED_ERROR, as in hz-sched-store.h.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-availability.h"
#include "hz-sched-store.h"
#include "hz-teaching-series.h"

G_BEGIN_DECLS

/* NULL-terminated values of teaching_series.kind. */
extern const char *const hz_teaching_kind_names[];

typedef struct {
  gint64 id;                 /* the session id */
  gint64 series_id;
  guint index;               /* 1-based position in the series */
  gint64 start_at;
  gint64 end_at;
  char *status;              /* scheduled, cancelled or completed */
  gint64 sequence;
  char *cancel_reason;       /* or NULL */
} HzTeachingOccurrence;

void hz_teaching_occurrence_free (HzTeachingOccurrence *occurrence);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzTeachingOccurrence, hz_teaching_occurrence_free)

typedef struct {
  gint64 id;
  gint64 org_id;             /* the presenter's organization */
  gint64 presenter_id;
  gint64 created_by;
  char *kind;
  char *title;
  char *description;
  gint64 capacity;
  gboolean recording;
  gboolean hls;              /* the relay publishes each occurrence as HLS */
  char *recurrence;          /* the request's series object as JSON, or NULL */
  gint64 created_at;
  GArray *audience;          /* gint64 organization ids */
  GPtrArray *occurrences;    /* HzTeachingOccurrence in order of index */
  gint64 registered;         /* registrations with status registered */
  gint64 waitlisted;
} HzTeachingSeries;

HzTeachingSeries *hz_teaching_series_new (void);
void hz_teaching_series_free (HzTeachingSeries *series);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzTeachingSeries, hz_teaching_series_free)

/* An occurrence that collides with the presenter's other commitments. */
typedef struct {
  guint index;
  gint64 start;
  gint64 end;
  const char *reason;        /* "session" or "leave", static */
  gint64 session_id;         /* the colliding session, or 0 for leave */
} HzTeachingConflict;

/* Inserts SERIES (without id, occurrences and counts) and one session per
 * HzOccurrence of OCCURRENCES in one BEGIN IMMEDIATE transaction, after
 * checking each occurrence against the presenter's sessions (with the
 * presenter's buffer) and leave. Every collision is appended to CONFLICTS
 * (HzTeachingConflict). With collisions it fails with teaching_conflict
 * and inserts nothing, unless SKIP_CONFLICTS, when it leaves those
 * occurrences out, but it still fails when none is left. On success SERIES
 * contains its id and occurrences. */
gboolean hz_store_create_teaching_series (sqlite3           *db,
                                          const HzActor     *actor,
                                          HzTeachingSeries  *series,
                                          GArray            *occurrences,
                                          gboolean           skip_conflicts,
                                          GArray            *conflicts,
                                          GError           **error);

/* Checks [START, END) against the presenter's leave and sessions other
 * than EXCLUDE_ID in AVAILABILITY, which hz_store_load_availability() read
 * for PRESENTER_ID. Sets *COLLIDES and fills CONFLICT (all but its index)
 * when one of them is in the way. Shared by creating and moving. */
gboolean hz_store_check_presenter (sqlite3             *db,
                                   HzAvailability      *availability,
                                   gint64               presenter_id,
                                   gint64               start,
                                   gint64               end,
                                   gint64               exclude_id,
                                   gboolean            *collides,
                                   HzTeachingConflict  *conflict,
                                   GError             **error);

/* Returns the series with audience, occurrences and registration counts. */
HzTeachingSeries *hz_store_get_teaching_series (sqlite3 *db,
                                                gint64   id,
                                                GError **error);

/* Returns the HzTeachingSeries (complete, as above) with an occurrence that
 * ends after FROM and starts before TO, in order of id. */
GPtrArray *hz_store_list_teaching_series (sqlite3 *db,
                                          gint64   from,
                                          gint64   to,
                                          GError **error);

/* Returns the occurrence whose session id is ID; not_found for sessions of
 * other kinds. */
HzTeachingOccurrence *hz_store_get_teaching_occurrence (sqlite3 *db,
                                                        gint64   id,
                                                        GError **error);

/* Moves a scheduled occurrence to [START, END) and bumps its sequence.
 * Fails with invalid_state unless it is scheduled, and with
 * teaching_conflict (CONFLICT filled in) when the presenter is busy. */
gboolean hz_store_move_teaching_occurrence (sqlite3             *db,
                                            const HzActor       *actor,
                                            gint64               id,
                                            gint64               start,
                                            gint64               end,
                                            HzTeachingConflict  *conflict,
                                            GError             **error);

/* Cancels a scheduled occurrence alone and bumps its sequence. */
gboolean hz_store_cancel_teaching_occurrence (sqlite3        *db,
                                              const HzActor  *actor,
                                              gint64          id,
                                              const char     *reason,
                                              GError        **error);

/* Registrations (hz-sched-store-registrations.c). */

typedef struct {
  gint64 id;
  gint64 series_id;
  gint64 user_id;
  char *status;              /* registered, waitlisted or cancelled */
  gint64 queue_position;     /* order of registration within the series */
  gint64 waitlist_place;     /* 1-based place in the waitlist, or 0 */
  gint64 created_at;
  gint64 updated_at;
  char *user_name;
  gint64 user_org_id;
} HzTeachingRegistration;

void hz_teaching_registration_free (HzTeachingRegistration *registration);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzTeachingRegistration, hz_teaching_registration_free)

/* Registers USER_ID for the series: registered while places are free,
 * waitlisted otherwise. A user who is registered or waitlisted keeps that
 * status. Fails with registration_closed when no occurrence is scheduled
 * to end after NOW. Returns the registration. */
HzTeachingRegistration *hz_store_register_for_teaching (sqlite3        *db,
                                                        const HzActor  *actor,
                                                        gint64          series_id,
                                                        gint64          user_id,
                                                        gint64          now,
                                                        GError        **error);

/* Cancels USER_ID's registration or waitlist place (not_registered when
 * there is none) and, when a place became free, registers the first user
 * of the waitlist, whose id goes to *PROMOTED_USER_ID (0 for none). */
gboolean hz_store_cancel_teaching_registration (sqlite3        *db,
                                                const HzActor  *actor,
                                                gint64          series_id,
                                                gint64          user_id,
                                                gint64          now,
                                                gint64         *promoted_user_id,
                                                GError        **error);

/* Returns the user's registration, or NULL without an error when there is
 * none. */
HzTeachingRegistration *hz_store_get_teaching_registration (sqlite3 *db,
                                                            gint64   series_id,
                                                            gint64   user_id,
                                                            GError **error);

/* Returns the registered and waitlisted HzTeachingRegistrations of the
 * series: registered first, then the waitlist in order. */
GPtrArray *hz_store_list_teaching_registrations (sqlite3 *db,
                                                 gint64   series_id,
                                                 GError **error);

/* Who joined an occurrence and for how long, from the relay's join and
 * leave reports. */
typedef struct {
  gint64 user_id;
  char *user_name;
  gboolean registered;       /* a view participant of the occurrence */
  gboolean presenter;
  gint64 first_join;         /* HZ_TIME_NONE when never joined */
  gint64 last_leave;         /* HZ_TIME_NONE while still in the session */
  gint64 seconds;            /* time present, overlapping joins counted once */
  guint joins;
} HzAttendance;

void hz_attendance_free (HzAttendance *attendance);

/* Returns one HzAttendance for every participant of session ID and every
 * user the relay reported in it, in order of user id. A join without a
 * later leave counts until the session's end or NOW, whichever is
 * earlier. */
GPtrArray *hz_store_get_attendance (sqlite3 *db,
                                    gint64   id,
                                    gint64   now,
                                    GError **error);

G_END_DECLS
