/* The recordings library: search, titles and tags, shares, checksums and
 * retention (hz-sched-store-recordings.c).
 *
 * Who may see a recording: admins, and the coordinators, experts and
 * doctors of an organization that took part in its session. For a
 * consultation these are the requesting hospital and the expert's; for a
 * teaching round, the presenter's and the audience's. The organization of
 * any listed participant counts too. Trainees see a recording only when it
 * is shared with their organization. No other user can read it.
 *
 * Who owns a session's recordings, and so may set their title, tags and
 * keep-for-training mark and share them: admins; for a consultation, the
 * assigned expert and the coordinators of the expert's organization (who
 * book the expert's sessions); for a teaching round, the presenter, the
 * user who created it and the coordinators of its organization.
 */
#pragma once

#include "hz-sched-store.h"

G_BEGIN_DECLS

/* Maximum length of a title in characters, and of one tag. */
#define HZ_RECORDING_TITLE_MAX 200
#define HZ_RECORDING_TAG_MAX 32
#define HZ_RECORDING_TAGS_MAX 20

typedef struct {
  const HzUser *caller;       /* whose visibility applies */
  gint64 id;                  /* one recording, or 0 for any */
  gint64 org_id;              /* a participating organization, or 0 for any */
  gint64 presenter_id;        /* or 0 */
  gint64 session_id;          /* or 0 */
  const char *specialty;      /* exact match, or NULL */
  const char *const *tags;    /* every one must be set, or NULL */
  gint64 from;                /* started_at >= FROM, or HZ_TIME_NONE */
  gint64 to;                  /* started_at < TO, or HZ_TIME_NONE */
  gint64 before_id;           /* paging: ids below this one, or 0 */
  guint limit;                /* maximum rows */
} HzRecordingQuery;

/* Returns the recordings that QUERY matches and its caller may see, newest
 * id first, as HzRecording with the library members filled. */
GPtrArray *hz_store_search_recordings (sqlite3                 *db,
                                       const HzRecordingQuery  *query,
                                       GError                 **error);

/* Returns recording ID with the library members filled. Fails with
 * recording_forbidden when CALLER may not see it, and also when it does
 * not exist unless CALLER is an admin, so that outsiders cannot probe
 * which ids exist. Admins get not_found for a missing one. */
HzRecording *hz_store_get_library_recording (sqlite3       *db,
                                             const HzUser  *caller,
                                             gint64         id,
                                             GError       **error);

/* Changes what is not NULL (or -1 for KEEP_FOR_TRAINING) of recording ID
 * and writes an audit row. TAGS replaces all tags. Callers check first
 * that the user owns the session (HzRecording.editable). */
gboolean hz_store_update_recording_library (sqlite3            *db,
                                            const HzActor      *actor,
                                            gint64              id,
                                            const char         *title,
                                            const char *const  *tags,
                                            int                 keep_for_training,
                                            GError            **error);

/* Shares recording ID with the trainees of ORG_ID, or withdraws the share
 * when SHARED is FALSE, and writes an audit row. Fails with not_found
 * when ORG_ID does not exist. */
gboolean hz_store_share_recording (sqlite3        *db,
                                   const HzActor  *actor,
                                   gint64          id,
                                   gint64          org_id,
                                   gboolean        shared,
                                   GError        **error);

/* Stores SHA256 for recording ID while its path is still PATH. */
gboolean hz_store_set_recording_sha256 (sqlite3     *db,
                                        gint64       id,
                                        const char  *path,
                                        const char  *sha256,
                                        GError     **error);

/* Returns the recordings that started before BEFORE and are not kept for
 * training, as HzRecording with id, session_id, path, status and
 * started_at. */
GPtrArray *hz_store_list_expired_recordings (sqlite3  *db,
                                             gint64    before,
                                             GError  **error);

/* Deletes recording ID with its tags and shares, and writes an audit row
 * whose reason is REASON. */
gboolean hz_store_delete_recording (sqlite3        *db,
                                    const HzActor  *actor,
                                    gint64          id,
                                    const char     *reason,
                                    GError        **error);

/* "video/x-matroska" for a ".mkv" PATH, "video/webm" otherwise. */
const char *hz_recording_content_type (const char *path);

G_END_DECLS
