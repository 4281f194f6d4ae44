/* Reports of recordings and of joins and leaves to the scheduler.
 *
 * Each report is a POST of JSON to SCHEDULER_URL/api/v1/internal/recordings
 * or .../internal/participation, signed with hz_request_auth_sign(). The
 * reports of one recording, or of one participant's joins and leaves, are
 * sent in order. A failed report is retried with backoff; for a recording,
 * which the scheduler upserts by path, a newer report supersedes it.
 * Nothing here blocks the caller.
 */
#pragma once

#include <glib.h>
#include "hz-secret.h"

G_BEGIN_DECLS

typedef struct _HzReporter HzReporter;

typedef struct {
  gint64 session_id;
  const char *participant_id;
  const char *kind;          /* "audio" or "video" */
  const char *path;          /* relative to recordings-dir, e.g. "12/5-video.webm" */
  const char *status;        /* "recording", "complete" or "failed" */
  gint64 started_at;         /* microseconds since the Unix epoch */
  gint64 ended_at;           /* microseconds since the Unix epoch, or 0 */
  gint64 bytes;              /* file size, or -1 when unknown */
} HzRecordingReport;

/* Attempts per report, the first included, before it is given up. */
#define HZ_REPORT_MAX_ATTEMPTS 5

/* SCHEDULER_URL is the scheduler's base URL; NULL or "" disables reports. */
HzReporter *hz_reporter_new (const char     *scheduler_url,
                             const HzSecret *secret,
                             GError        **error);

/* Cancels reports in flight and drops the queued ones. */
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

/* Sends the reports that wait for a retry at once and gives up on any later
 * failure. The relay calls it at shutdown, so its wait for reports is short. */
void hz_reporter_flush (HzReporter *reporter);

/* Reports queued or in flight. */
guint hz_reporter_get_pending (HzReporter *reporter);

G_END_DECLS
