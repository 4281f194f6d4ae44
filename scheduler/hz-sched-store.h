/* Records of the scheduler database and the operations on them.
 *
 * Every function that changes state writes its audit_log row in the same
 * transaction. Errors are in HZ_SCHED_ERROR: not_found for a missing row,
 * invalid_state and slot_taken for rule violations, database_busy and
 * internal_error for SQLite failures. Callers check permissions first.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-interval-set.h"

G_BEGIN_DECLS

/* Marks an optional time column that is NULL. */
#define HZ_TIME_NONE G_MININT64

typedef enum {
  HZ_ROLE_ADMIN,
  HZ_ROLE_COORDINATOR,
  HZ_ROLE_EXPERT,
  HZ_ROLE_DOCTOR,
  HZ_ROLE_TRAINEE,
} HzRole;

/* NULL-terminated lists of the values that the API and the schema accept. */
extern const char *const hz_role_names[];
extern const char *const hz_org_level_names[];
extern const char *const hz_patient_sex_names[];
extern const char *const hz_recording_kind_names[];
extern const char *const hz_recording_status_names[];
extern const char *const hz_recording_failure_reason_names[];

const char *hz_role_to_string (HzRole role);
gboolean hz_role_from_string (const char *text,
                              HzRole     *role);

/* Who performs an audited action. */
typedef enum {
  HZ_ACTOR_USER,
  HZ_ACTOR_RELAY,
  HZ_ACTOR_CLI,
} HzActorKind;

typedef struct {
  HzActorKind kind;
  gint64 user_id;      /* 0 unless kind is HZ_ACTOR_USER */
} HzActor;

typedef struct {
  gint64 id;
  char *name;
  char *name_en;
  char *level;
  char *timezone;
  GArray *partner_org_ids;  /* gint64, from hz_store_list_organizations(); or NULL */
} HzOrganization;

void hz_organization_free (HzOrganization *org);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzOrganization, hz_organization_free)

typedef struct {
  gint64 id;
  gint64 org_id;       /* 0 for an admin outside any organization */
  char *name;
  HzRole role;
  char *specialty;
  char *title;
  char *org_level;     /* of org_id; NULL when org_id is 0 */
  char *org_timezone;  /* of org_id; NULL when org_id is 0 */
  char *login;         /* lowercase login name for password login, or NULL */
} HzUser;

void hz_user_free (HzUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzUser, hz_user_free)

typedef struct {
  char *ref;           /* the requesting hospital's record number */
  gint64 age;
  char *sex;
  char *summary;
} HzPatient;

typedef struct {
  gint64 id;
  gint64 org_id;
  gint64 requester_id;
  char *specialty;
  HzPatient patient;
  char *question;
  char *status;
  gint64 expert_id;      /* 0 until scheduled */
  gint64 session_id;     /* 0 until scheduled */
  gint64 start_at;       /* of the session; HZ_TIME_NONE until scheduled */
  gint64 end_at;
  char *cancel_reason;
  gint64 cancelled_by;   /* 0 unless cancelled by a user */
  gint64 created_at;
  gint64 updated_at;
  gint64 target_org_id;        /* consulting hospital addressed; 0 for any */
  gint64 requested_expert_id;  /* expert named by the requester, or 0 */
  char *return_reason;
  char *urgency;               /* "routine", "urgent" or "emergency" */
  GArray *preferred_times;     /* HzInterval (Unix seconds) the requester prefers; may be NULL */
} HzConsultation;

void hz_consultation_free (HzConsultation *consultation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzConsultation, hz_consultation_free)

typedef struct {
  gint64 id;
  char *kind;
  gint64 consultation_id;
  gint64 start_at;
  gint64 end_at;
  char *status;
  gboolean recording;
  gboolean hls;              /* a teaching round published as HLS */
} HzSession;

void hz_session_free (HzSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzSession, hz_session_free)

typedef struct {
  gint64 id;
  gint64 session_id;
  gint64 participant_id;
  char *kind;
  char *path;
  char *status;
  gint64 started_at;
  gint64 ended_at;     /* HZ_TIME_NONE while unknown */
  gint64 bytes;        /* -1 while unknown */
  char *failure_reason;  /* "disk_full" for a failed recording that ran out of disk, or NULL */

  /* The library's members, filled by hz_store_search_recordings() and
   * hz_store_get_library_recording() (hz-sched-store-recordings.c). */
  gboolean library;      /* TRUE when the members below are filled */
  char *title;           /* NULL until the owner sets one */
  char **tags;           /* sorted; empty when there are none */
  char *sha256;          /* lowercase hex SHA-256 of the complete file, or NULL */
  gboolean keep_for_training;
  char *session_kind;    /* "consultation" or "teaching" */
  char *specialty;       /* the consultation's, or the teaching presenter's; or NULL */
  char *participant_name; /* of participant_id, or NULL */
  char *presenter_name;  /* of presenter_id, or NULL */
  gint64 presenter_id;   /* the consultation's expert or the teaching presenter; or 0 */
  gboolean editable;     /* the caller owns the session (hz-sched-store-recordings.h) */
  gint64 *shared_org_ids;  /* organizations whose trainees may see it, for owners */
  gsize n_shared_org_ids;
} HzRecording;

void hz_recording_free (HzRecording *recording);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzRecording, hz_recording_free)

/* One audit_log row; the strings are borrowed. */
typedef struct {
  HzActor actor;
  const char *action;
  const char *object_type;
  gint64 object_id;
  const char *from_status;
  const char *to_status;
  const char *reason;
  const char *detail;   /* a JSON object as text, or NULL */
} HzAuditEntry;

/* Inserts ENTRY at the current time. Call it inside the transaction of the
 * change that it records. */
gboolean hz_audit_write (sqlite3             *db,
                         const HzAuditEntry  *entry,
                         GError             **error);

/* Organizations and users (hz-sched-store-users.c). */

gboolean hz_store_create_organization (sqlite3         *db,
                                       const HzActor   *actor,
                                       HzOrganization  *org,
                                       GError         **error);
HzOrganization *hz_store_get_organization (sqlite3 *db,
                                           gint64   id,
                                           GError **error);

/* Inserts USER (org_id, name, role, specialty, title), sets its id and
 * returns the new API key, which is stored only as its hash. */
char *hz_store_create_user (sqlite3        *db,
                            const HzActor  *actor,
                            HzUser         *user,
                            GError        **error);
HzUser *hz_store_get_user (sqlite3 *db,
                           gint64   id,
                           GError **error);

/* Returns the user whose key is API_KEY, or NULL without an error when no
 * user has it. */
HzUser *hz_store_find_user_by_key (sqlite3    *db,
                                   const char *api_key,
                                   GError    **error);

/* Sets *EMPTY when the database has no organizations and no users. */
gboolean hz_store_is_empty (sqlite3  *db,
                            gboolean *empty,
                            GError  **error);

/* Consultations (hz-sched-store-consultations.c). */

/* Inserts a consultation with status "requested" from the fields of
 * CONSULTATION (org_id, requester_id, target_org_id, requested_expert_id,
 * specialty, patient, question) and sets its id, status and times. */
gboolean hz_store_create_consultation (sqlite3         *db,
                                       const HzActor   *actor,
                                       HzConsultation  *consultation,
                                       GError         **error);
HzConsultation *hz_store_get_consultation (sqlite3 *db,
                                           gint64   id,
                                           GError **error);

/* Books [START, END) for EXPERT_ID in one BEGIN IMMEDIATE transaction.
 * It fails with invalid_transition unless the consultation is "accepted"
 * or "requested" (scheduling implies the review, and two history rows are
 * written), and with slot_taken when another non-cancelled session of the
 * expert overlaps the interval. Otherwise it inserts the session with the
 * requester and the expert as publishing participants and addresses the
 * consultation to the expert's organization. RECORDING is the booking's
 * consent to recording the session. Returns the new session id, or 0. */
gint64 hz_store_schedule_consultation (sqlite3        *db,
                                       const HzActor  *actor,
                                       gint64          consultation_id,
                                       gint64          expert_id,
                                       gint64          start,
                                       gint64          end,
                                       gboolean        recording,
                                       GError        **error);

/* Moves the session of a "scheduled" consultation to [START, END) with
 * EXPERT_ID (the same or another expert), in place, so the session id
 * stays and its sequence grows. The same overlap check as booking runs,
 * ignoring the session itself. */
gboolean hz_store_reschedule_consultation (sqlite3        *db,
                                           const HzActor  *actor,
                                           gint64          consultation_id,
                                           gint64          expert_id,
                                           gint64          start,
                                           gint64          end,
                                           const char     *reason,
                                           GError        **error);

/* Sets a "requested", "accepted" or "scheduled" consultation and its
 * session to "cancelled", which frees the expert's time. */
gboolean hz_store_cancel_consultation (sqlite3        *db,
                                       const HzActor  *actor,
                                       gint64          consultation_id,
                                       const char     *reason,
                                       GError        **error);

/* Filters of hz_store_list_consultations(). STATUS is a name from
 * hz_consultation_status_names, or NULL for any. */
typedef struct {
  const HzUser *viewer;
  const char *status;
  gint64 before_id;    /* only ids below it; 0 for no bound */
  guint limit;
} HzConsultationQuery;

/* Returns up to QUERY->limit consultations that QUERY->viewer may see
 * (hz_access_can_view_consultation()), newest first, as HzConsultation,
 * and sets *MORE when further ones exist. */
GPtrArray *hz_store_list_consultations (sqlite3                   *db,
                                        const HzConsultationQuery *query,
                                        gboolean                  *more,
                                        GError                   **error);

/* Sessions and recordings (hz-sched-store-sessions.c). */

HzSession *hz_store_get_session (sqlite3 *db,
                                 gint64   id,
                                 GError **error);

/* Sets *ROLE to "publish" or "view" (static strings), or to NULL when
 * USER_ID is not a participant of SESSION_ID. */
gboolean hz_store_get_participant_role (sqlite3     *db,
                                        gint64       session_id,
                                        gint64       user_id,
                                        const char **role,
                                        GError     **error);

/* Inserts RECORDING or updates the row with the same path, then fills
 * RECORDING from the stored row. The session and participant must exist.
 * Fails with recording_path_taken when the path belongs to another
 * session, participant or kind, and with recording_finished when the
 * stored status has ended and differs from RECORDING's. */
gboolean hz_store_upsert_recording (sqlite3        *db,
                                    const HzActor  *actor,
                                    HzRecording    *recording,
                                    GError        **error);

/* Returns the recordings of SESSION_ID in order of id, as HzRecording. */
GPtrArray *hz_store_list_recordings (sqlite3 *db,
                                     gint64   session_id,
                                     GError **error);

G_END_DECLS
