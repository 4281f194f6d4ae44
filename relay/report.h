/* Reports of recordings and of joins and leaves to the scheduler.
 *
 * Each report is a POST of JSON to SCHEDULER_URL/api/v1/internal/recordings
 * or .../internal/participation, signed with hz_request_auth_sign(). The
 * reports of one recording, or of one participant's joins and leaves, are
 * sent in order. A failed report is retried with backoff (1 s doubling up to
 * 32 s) for as long as the relay runs. For a recording, which the scheduler
 * upserts by path, a newer report supersedes a failed one. Only a response
 * of 400, 403, 404, 409 or 422, which a retry cannot change, gives a report
 * up.
 *
 * Every report is kept in a journal under RECORDINGS_DIR/.reports
 * (report-journal.h) until the scheduler acknowledges it, and a new
 * reporter sends what an earlier run left there. A recording whose last
 * kept report is "recording" was cut off by the end of that run: it is
 * reported "interrupted", with the file's size and modification time.
 * Nothing here blocks the caller for longer than a journal write.
 */
#pragma once

#include <gio/gio.h>
#include "hz-secret.h"

G_BEGIN_DECLS

typedef struct _HzReporter HzReporter;

typedef struct {
  gint64 session_id;
  const char *participant_id;
  const char *kind;          /* "audio" or "video" */
  const char *path;          /* relative to recordings-dir, e.g. "12/5-video.webm" */
  const char *status;        /* "recording", "complete", "failed" or "interrupted" */
  gint64 started_at;         /* microseconds since the Unix epoch */
  gint64 ended_at;           /* microseconds since the Unix epoch, or 0 */
  gint64 bytes;              /* file size, or -1 when unknown */
  const char *failure_reason;  /* "disk_full" for a failed recording, or NULL */
} HzRecordingReport;

/* SCHEDULER_URL is the scheduler's base URL; NULL or "" disables reports
 * and the journal. CA_DATABASE verifies an https scheduler's certificate,
 * or NULL for the system's CAs. RECORDINGS_DIR is [relay] recordings-dir.
 * Queues the reports that an earlier run left in the journal. */
HzReporter *hz_reporter_new (const char     *scheduler_url,
                             GTlsDatabase   *ca_database,
                             const HzSecret *secret,
                             const char     *recordings_dir,
                             GError        **error);

/* Cancels reports in flight and drops the queued ones, which stay in the
 * journal. */
void hz_reporter_free (HzReporter *reporter);

void hz_reporter_send_recording (HzReporter              *reporter,
                                 const HzRecordingReport *report);

/* Reports that PARTICIPANT_ID joined or left (EVENT "join" or "leave") the
 * session at AT, in microseconds since the Unix epoch. */
void hz_reporter_send_participation (HzReporter *reporter,
                                     gint64      session_id,
                                     const char *participant_id,
                                     const char *event,
                                     gint64      at);

/* Sends the reports that wait for a retry at once, and from then on drops
 * a report that fails from the queue, leaving it in the journal for the
 * next start. The relay calls it at shutdown, so its wait for reports is
 * short. */
void hz_reporter_flush (HzReporter *reporter);

/* Reports queued or in flight. */
guint hz_reporter_get_pending (HzReporter *reporter);

G_END_DECLS
