/* Recording reports to the scheduler.
 *
 * Each report is a POST of JSON to SCHEDULER_URL/api/v1/internal/recordings,
 * signed with hz_request_auth_sign(). The scheduler upserts by path, so the
 * reports of one recording are sent in order, and a failed report is retried
 * with backoff until a newer report of the same recording supersedes it.
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

void hz_reporter_send (HzReporter              *reporter,
                       const HzRecordingReport *report);

/* Sends the reports that wait for a retry at once and gives up on any later
 * failure. The relay calls it at shutdown, so its wait for reports is short. */
void hz_reporter_flush (HzReporter *reporter);

/* Reports queued or in flight. */
guint hz_reporter_get_pending (HzReporter *reporter);

G_END_DECLS
