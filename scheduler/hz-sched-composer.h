/* Runs composition jobs (hz-sched-compositions.h) one at a time, each as a
 * huizhen-compose subprocess.
 *
 * The scheduler reads the recordings from the relay's [relay]
 * recordings-dir, so both daemons must share that folder (one host, or one
 * network file system). For session ID the runner writes
 * recordings-dir/ID/composition.json (the track list) and huizhen-compose
 * writes recordings-dir/ID/composed.webm and composed.mp4, each first under
 * NAME.partial and renamed once complete.
 *
 * huizhen-compose is looked up next to the scheduler's executable, then
 * in ../compose/ from it (the build tree), then in PATH. It runs with
 * PR_SET_PDEATHSIG, so it dies with the scheduler, and the job it was
 * running is queued again at the next start.
 */
#pragma once

#include "hz-sched.h"

G_BEGIN_DECLS

typedef struct _HzComposer HzComposer;

HzComposer *hz_composer_new (HzSched *sched);

/* Queues the jobs that an earlier run left running and starts the next
 * queued job. */
void hz_composer_resume (HzComposer *composer);

/* Queues a job for SESSION_ID (again, with RERUN) and starts it when no
 * other runs. */
gboolean hz_composer_request (HzComposer *composer,
                              gint64      session_id,
                              gboolean    rerun,
                              GError    **error);

/* Called after a recording report: queues a job when the last recording
 * of SESSION_ID has ended and the session has no job yet. Logs errors. */
void hz_composer_on_recording_reported (HzComposer *composer,
                                        gint64      session_id);

/* Stops the running subprocess, whose job stays "running" in the database
 * for the next start to queue again. */
void hz_composer_free (HzComposer *composer);

G_END_DECLS
