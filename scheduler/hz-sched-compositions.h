/* Composition jobs: one row per session in table compositions, which
 * survives a restart of the scheduler.
 *
 * A job is queued when a session's last recording ends or on request,
 * runs huizhen-compose (hz-sched-composer.h), and ends complete or failed.
 * A job found running at startup was cut off by the end of the previous
 * run and is queued again.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

typedef struct {
  gint64 session_id;
  char *status;            /* "queued", "running", "complete" or "failed" */
  double progress;         /* 0 to 1 */
  gint64 attempts;         /* runs started, including one cut off by a restart */
  char *webm_path;         /* relative to recordings-dir; NULL until complete */
  char *mp4_path;
  gint64 duration_ms;      /* of the composed file; 0 until complete */
  char *error;             /* why the last run failed, or NULL */
  gint64 requested_at;     /* Unix seconds */
  gint64 started_at;       /* Unix seconds, 0 before the first run */
  gint64 finished_at;      /* Unix seconds, 0 while queued or running */
} HzComposition;

void hz_composition_free (HzComposition *composition);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzComposition, hz_composition_free)

/* Returns the job of SESSION_ID, or NULL with *ERROR unset when there is
 * none. */
HzComposition *hz_store_get_composition (sqlite3 *db,
                                         gint64   session_id,
                                         GError **error);

/* Queues a job for SESSION_ID. A queued or running job stays as it is.
 * With RERUN, a complete or failed job is queued again; without, only a
 * session without a job gets one. Sets *QUEUED when this call queued it. */
gboolean hz_store_queue_composition (sqlite3  *db,
                                     gint64    session_id,
                                     gboolean  rerun,
                                     gboolean *queued,
                                     GError  **error);

/* Whether SESSION_ID has recordings and none of them is still being
 * written (status "recording"). */
gboolean hz_store_recordings_ended (sqlite3  *db,
                                    gint64    session_id,
                                    gboolean *ended,
                                    GError  **error);

/* Sets *SESSION_ID to the oldest queued job's session, or 0. */
gboolean hz_store_next_queued_composition (sqlite3 *db,
                                           gint64  *session_id,
                                           GError **error);

/* Marks the job running from now, with progress 0 and one more attempt. */
gboolean hz_store_start_composition (sqlite3 *db,
                                     gint64   session_id,
                                     GError **error);

gboolean hz_store_set_composition_progress (sqlite3 *db,
                                            gint64   session_id,
                                            double   progress,
                                            GError **error);

/* Ends the job: complete with the output paths and duration when ERROR_TEXT
 * is NULL, else failed with ERROR_TEXT. */
gboolean hz_store_finish_composition (sqlite3    *db,
                                      gint64      session_id,
                                      const char *webm_path,
                                      const char *mp4_path,
                                      gint64      duration_ms,
                                      const char *error_text,
                                      GError    **error);

/* Queues again every job left running by an earlier run of the scheduler
 * and sets *COUNT to their number. */
gboolean hz_store_requeue_running_compositions (sqlite3 *db,
                                                guint   *count,
                                                GError **error);

/* Sets *PRESENTER_ID to the expert of SESSION_ID's consultation or the
 * presenter of its teaching round, or 0. */
gboolean hz_store_get_session_presenter (sqlite3 *db,
                                         gint64   session_id,
                                         gint64  *presenter_id,
                                         GError **error);

G_END_DECLS
