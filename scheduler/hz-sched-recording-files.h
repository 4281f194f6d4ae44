/* The recordings' files below [scheduler] recordings-dir, which the
 * scheduler reads and deletes: downloads with HTTP Range requests, SHA-256
 * checksums and the retention policy.
 *
 * The relay writes these files. A path from the database is resolved with realpath(3) and used
 * only when it lies below the canonical recordings-dir, so neither "..",
 * an absolute path nor a symbolic link leads outside it.
 */
#pragma once

#include "hz-sched.h"
#include "hz-sched-request.h"

G_BEGIN_DECLS

typedef struct _HzRecordingFiles HzRecordingFiles;

/* Resolves [scheduler] recordings-dir, which may not exist yet. Fails when
 * it cannot be read. SCHED must outlive the result. */
HzRecordingFiles *hz_recording_files_new (HzSched  *sched,
                                          GError  **error);

/* Cancels pending checksums and the daily retention run. */
void hz_recording_files_free (HzRecordingFiles *files);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzRecordingFiles, hz_recording_files_free)

/* Computes the SHA-256 of recording ID's file at PATH (relative to
 * recordings-dir) on a worker thread and stores it, unless PATH changed
 * meanwhile. Failures are logged. */
void hz_recording_files_checksum (HzRecordingFiles *files,
                                  gint64            id,
                                  const char       *path);

/* Queues the checksum of every complete recording that has none, e.g.
 * those reported while the scheduler was down. */
void hz_recording_files_checksum_missing (HzRecordingFiles *files);

/* Runs the retention policy now and then every 24 hours, when [scheduler]
 * recordings-retention-days is not 0. */
void hz_recording_files_start_retention (HzRecordingFiles *files);

/* Deletes the recordings older than [scheduler] recordings-retention-days
 * that are not kept for training: file, then row, each logged and
 * audited. A file that cannot be deleted keeps its row, so the next run
 * tries again. Returns the number deleted, or -1 with ERROR set when the
 * database failed. Does nothing and returns 0 when the setting is 0. */
gint hz_recording_retention_run (sqlite3         *db,
                                 const HzConfig  *config,
                                 GError         **error);

/* Handles GET and HEAD /recordings/{id}/file. */
void hz_api_download_recording (HzRequest *request);

G_END_DECLS
