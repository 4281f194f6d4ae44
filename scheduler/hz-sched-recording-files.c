/* The recordings' files; see hz-sched-recording-files.h. */
#include "hz-sched-recording-files.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hz-sched-api-recordings.h"
#include "hz-sched-db.h"
#include "hz-sched-store-recordings.h"

/* Bytes read from a file at a time, for a download chunk and for the
 * checksum. */
#define FILE_CHUNK_BYTES (64 * 1024)

#define RETENTION_INTERVAL_S (24 * 3600)
#define SECONDS_PER_DAY (24 * 3600)

struct _HzRecordingFiles {
  HzSched *sched;
  char *root;                 /* canonical recordings-dir, without a trailing '/' */
  GCancellable *cancellable;  /* cancels the checksums at shutdown */
  guint retention_id;
};

/* Returns the canonical path of DIR. A directory that does not exist yet
 * (the relay creates it with its first recording) gives its absolute path
 * without symbolic links resolved, below which no file exists either. */
static char *
resolve_root (const char  *dir,
              GError     **error)
{
  char resolved[PATH_MAX];
  int saved_errno;

  if (realpath (dir, resolved) != NULL)
    return g_strdup (resolved);
  saved_errno = errno;
  if (saved_errno == ENOENT)
    return g_canonicalize_filename (dir, NULL);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "[scheduler] recordings-dir %s: %s", dir, g_strerror (saved_errno));
  return NULL;
}

/* Returns the canonical path of RELATIVE below ROOT. Fails with
 * recording_file_missing when the file does not exist or its path leads
 * outside ROOT (logged), so that a download reveals nothing about files
 * elsewhere, and with internal_error when it cannot be resolved. */
static char *
resolve_below (const char  *root,
               const char  *relative,
               GError     **error)
{
  g_autofree char *joined = NULL;
  g_autofree char *prefix = g_strconcat (root, "/", NULL);
  char resolved[PATH_MAX];

  if (g_path_is_absolute (relative) || strstr (relative, "..") != NULL)
    {
      g_warning ("Recording path %s is absolute or contains \"..\"; not opened", relative);
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_RECORDING_FILE_MISSING,
                   "Recording path %s is absolute or contains \"..\"", relative);
      return NULL;
    }

  joined = g_build_filename (root, relative, NULL);
  if (realpath (joined, resolved) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, HZ_SCHED_ERROR,
                   saved_errno == ENOENT || saved_errno == ENOTDIR
                   ? HZ_SCHED_ERROR_RECORDING_FILE_MISSING : HZ_SCHED_ERROR_INTERNAL,
                   "Recording file %s: %s", joined, g_strerror (saved_errno));
      return NULL;
    }
  if (!g_str_has_prefix (resolved, prefix))
    {
      g_warning ("Recording file %s resolves to %s, outside %s; not opened", joined, resolved,
                 root);
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_RECORDING_FILE_MISSING,
                   "Recording file %s resolves to %s, outside %s", joined, resolved, root);
      return NULL;
    }
  return g_strdup (resolved);
}

HzRecordingFiles *
hz_recording_files_new (HzSched  *sched,
                        GError  **error)
{
  g_autofree char *root = resolve_root (sched->config->scheduler.recordings_dir, error);
  HzRecordingFiles *files;

  if (root == NULL)
    return NULL;

  files = g_new0 (HzRecordingFiles, 1);
  files->sched = sched;
  files->root = g_steal_pointer (&root);
  files->cancellable = g_cancellable_new ();
  return files;
}

void
hz_recording_files_free (HzRecordingFiles *files)
{
  if (files == NULL)
    return;

  g_cancellable_cancel (files->cancellable);
  g_clear_handle_id (&files->retention_id, g_source_remove);
  g_clear_object (&files->cancellable);
  g_free (files->root);
  g_free (files);
}

/* ---- checksums ---- */

typedef struct {
  gint64 id;
  char *path;       /* relative, as stored */
  char *file;       /* canonical */
  sqlite3 *db;      /* used on the main thread only */
} ChecksumJob;

static void
checksum_job_free (gpointer data)
{
  ChecksumJob *job = data;

  g_free (job->path);
  g_free (job->file);
  g_free (job);
}

/* Runs on a worker thread: reads the file in chunks, never whole. */
static void
compute_checksum (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  ChecksumJob *job = data;
  g_autoptr (GFile) file = g_file_new_for_path (job->file);
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (FILE_CHUNK_BYTES);
  GError *error = NULL;
  gssize count;

  stream = g_file_read (file, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  while ((count = g_input_stream_read (G_INPUT_STREAM (stream), buffer, FILE_CHUNK_BYTES,
                                       cancellable, &error)) > 0)
    g_checksum_update (checksum, buffer, count);
  if (count < 0)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_strdup (g_checksum_get_string (checksum)), g_free);
}

static void
on_checksum_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  ChecksumJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *sha256 = g_task_propagate_pointer (G_TASK (result), &error);

  if (sha256 == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("SHA-256 of recording %" G_GINT64_FORMAT " (%s) failed: %s", job->id,
                   job->path, error->message);
      return;
    }

  if (!hz_store_set_recording_sha256 (job->db, job->id, job->path, sha256, &error))
    {
      g_warning ("Storing the SHA-256 of recording %" G_GINT64_FORMAT " failed: %s", job->id,
                 error->message);
      return;
    }
  g_message ("Recording %" G_GINT64_FORMAT " (%s) has SHA-256 %s", job->id, job->path, sha256);
}

void
hz_recording_files_checksum (HzRecordingFiles *files,
                             gint64            id,
                             const char       *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  ChecksumJob *job;
  char *file = resolve_below (files->root, path, &error);

  if (file == NULL)
    {
      g_warning ("SHA-256 of recording %" G_GINT64_FORMAT " skipped: %s", id, error->message);
      return;
    }

  job = g_new0 (ChecksumJob, 1);
  job->id = id;
  job->path = g_strdup (path);
  job->file = file;
  job->db = files->sched->db;
  task = g_task_new (NULL, files->cancellable, on_checksum_done, NULL);
  g_task_set_task_data (task, job, checksum_job_free);
  g_task_run_in_thread (task, compute_checksum);
}

void
hz_recording_files_checksum_missing (HzRecordingFiles *files)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (files->sched->db,
    "SELECT id, path FROM recordings WHERE status = 'complete' AND sha256 IS NULL", &error);
  gboolean has_row;

  if (stmt == NULL)
    {
      g_warning ("Listing recordings without SHA-256 failed: %s", error->message);
      return;
    }
  while (hz_db_step (stmt, &has_row, &error) && has_row)
    hz_recording_files_checksum (files, sqlite3_column_int64 (stmt, 0),
                                 (const char *) sqlite3_column_text (stmt, 1));
  if (error != NULL)
    g_warning ("Listing recordings without SHA-256 failed: %s", error->message);
}

/* ---- retention ---- */

/* Deletes RECORDING's file below ROOT, and its row when the file is gone;
 * sets *REMOVED when it deleted the row. */
static gboolean
delete_expired (sqlite3            *db,
                const char         *root,
                const HzRecording  *recording,
                guint               days,
                gint64              now,
                gboolean           *removed,
                GError            **error)
{
  HzActor actor = { HZ_ACTOR_CLI, 0 };
  g_autoptr (GError) file_error = NULL;
  g_autofree char *file = resolve_below (root, recording->path, &file_error);
  g_autofree char *reason = g_strdup_printf ("retention: older than %u days", days);
  gint64 age_days = (now - recording->started_at) / SECONDS_PER_DAY;

  *removed = FALSE;
  if (file == NULL &&
      !g_error_matches (file_error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_RECORDING_FILE_MISSING))
    {
      g_warning ("Retention kept recording %" G_GINT64_FORMAT ": %s", recording->id,
                 file_error->message);
      return TRUE;
    }
  if (file != NULL && g_unlink (file) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_warning ("Retention kept recording %" G_GINT64_FORMAT ": deleting %s failed: %s",
                 recording->id, file, g_strerror (saved_errno));
      return TRUE;
    }

  if (!hz_store_delete_recording (db, &actor, recording->id, reason, error))
    return FALSE;
  *removed = TRUE;
  g_message ("Retention deleted recording %" G_GINT64_FORMAT " of session %" G_GINT64_FORMAT
             " (%s, %" G_GINT64_FORMAT " days old%s)", recording->id, recording->session_id,
             recording->path, age_days, file == NULL ? ", file already gone" : "");
  return TRUE;
}

gint
hz_recording_retention_run (sqlite3         *db,
                            const HzConfig  *config,
                            GError         **error)
{
  guint days = config->scheduler.recordings_retention_days;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *root = NULL;
  g_autoptr (GPtrArray) expired = NULL;
  gint deleted = 0;

  if (days == 0)
    return 0;

  root = resolve_root (config->scheduler.recordings_dir, error);
  if (root == NULL)
    return -1;
  expired = hz_store_list_expired_recordings (db, now - (gint64) days * SECONDS_PER_DAY, error);
  if (expired == NULL)
    return -1;

  for (guint i = 0; i < expired->len; i++)
    {
      gboolean removed;

      if (!delete_expired (db, root, expired->pdata[i], days, now, &removed, error))
        return -1;
      if (removed)
        deleted++;
    }

  g_message ("Retention: %u recording(s) older than %u days checked, %d deleted",
             expired->len, days, deleted);
  return deleted;
}

static gboolean
on_retention_timer (gpointer data)
{
  HzRecordingFiles *files = data;
  g_autoptr (GError) error = NULL;

  if (hz_recording_retention_run (files->sched->db, files->sched->config, &error) < 0)
    g_warning ("Retention run failed: %s", error->message);
  return G_SOURCE_CONTINUE;
}

void
hz_recording_files_start_retention (HzRecordingFiles *files)
{
  if (files->sched->config->scheduler.recordings_retention_days == 0)
    return;

  on_retention_timer (files);
  files->retention_id = g_timeout_add_seconds (RETENTION_INTERVAL_S, on_retention_timer, files);
}

/* ---- downloads ---- */

#define DOWNLOAD_KEY "hz-recording-download"

/* One streamed response body: the open file and the bytes still to send.
 * It belongs to the message (DOWNLOAD_KEY), and a pending read holds a
 * reference to the message, so it outlives every callback. */
typedef struct {
  GInputStream *stream;
  goffset remaining;
  GCancellable *cancellable;   /* cancelled when the message finishes */
  gint64 id;
} Download;

static void
download_free (gpointer data)
{
  Download *download = data;

  g_cancellable_cancel (download->cancellable);
  g_clear_object (&download->cancellable);
  g_clear_object (&download->stream);
  g_free (download);
}

static void read_next_chunk (SoupServerMessage *msg);

static void
on_chunk_read (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr (SoupServerMessage) msg = data;
  Download *download = g_object_get_data (G_OBJECT (msg), DOWNLOAD_KEY);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                               &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (chunk == NULL || g_bytes_get_size (chunk) == 0)
    {
      /* The Content-Length is sent already, so the client sees a short
       * body and can retry with a Range request. */
      g_warning ("Download of recording %" G_GINT64_FORMAT " stopped with %" G_GOFFSET_FORMAT
                 " bytes unsent: %s", download->id, download->remaining,
                 error != NULL ? error->message : "the file is shorter than at the start");
      soup_message_body_complete (body);
      soup_server_message_unpause (msg);
      return;
    }

  download->remaining -= (goffset) g_bytes_get_size (chunk);
  soup_message_body_append_bytes (body, chunk);
  if (download->remaining == 0)
    soup_message_body_complete (body);
  soup_server_message_unpause (msg);
}

/* Pauses MSG and reads its next chunk, which unpauses it. */
static void
read_next_chunk (SoupServerMessage *msg)
{
  Download *download = g_object_get_data (G_OBJECT (msg), DOWNLOAD_KEY);

  soup_server_message_pause (msg);
  g_input_stream_read_bytes_async (download->stream,
                                   (gsize) MIN (download->remaining, FILE_CHUNK_BYTES),
                                   G_PRIORITY_DEFAULT, download->cancellable, on_chunk_read,
                                   g_object_ref (msg));
}

static void
on_wrote_chunk (SoupServerMessage *msg,
                gpointer           data)
{
  Download *download = g_object_get_data (G_OBJECT (msg), DOWNLOAD_KEY);

  if (download != NULL && download->remaining > 0)
    read_next_chunk (msg);
}

static void
on_download_finished (SoupServerMessage *msg,
                      gpointer           data)
{
  Download *download = g_object_get_data (G_OBJECT (msg), DOWNLOAD_KEY);

  if (download != NULL)
    g_cancellable_cancel (download->cancellable);
}

/* The single byte range that MSG requests of a file of SIZE bytes, as
 * libsoup parses the Range header. Returns FALSE when the whole file is to
 * be sent: no Range header, an invalid one, several ranges (served whole,
 * which RFC 9110 allows), or an If-Range that does not match ETAG. Sets
 * *UNSATISFIABLE when the one range starts at or beyond SIZE. */
static gboolean
requested_range (SoupServerMessage *msg,
                 goffset            size,
                 const char        *etag,
                 goffset           *start,
                 goffset           *end,
                 gboolean          *unsatisfiable)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *if_range = soup_message_headers_get_one (headers, "If-Range");
  SoupRange *ranges = NULL;
  int n_ranges = 0;
  gboolean single;

  *unsatisfiable = FALSE;
  if (if_range != NULL && g_strcmp0 (if_range, etag) != 0)
    return FALSE;
  /* A size of 0 would leave open ends at -1 (libsoup's "to the end"). */
  if (!soup_message_headers_get_ranges (headers, MAX (size, 1), &ranges, &n_ranges))
    return FALSE;

  single = n_ranges == 1;
  if (single)
    {
      *start = MAX (ranges[0].start, 0);
      *end = MIN (ranges[0].end, size - 1);
      *unsatisfiable = *start >= size;
    }
  soup_message_headers_free_ranges (headers, ranges);
  return single;
}

/* Opens recording's file and positions it at START. */
static GInputStream *
open_at (const char  *file,
         goffset      start,
         goffset     *size,
         GError     **error)
{
  g_autoptr (GFile) gfile = g_file_new_for_path (file);
  g_autoptr (GFileInputStream) stream = g_file_read (gfile, NULL, error);
  g_autoptr (GFileInfo) info = NULL;

  if (stream == NULL)
    return NULL;
  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, error);
  if (info == NULL)
    return NULL;
  *size = g_file_info_get_size (info);
  if (start > 0 && start < *size &&
      !g_seekable_seek (G_SEEKABLE (stream), start, G_SEEK_SET, NULL, error))
    return NULL;
  return G_INPUT_STREAM (g_steal_pointer (&stream));
}

static void
set_common_headers (SoupMessageHeaders *headers,
                    const HzRecording  *recording,
                    const char         *etag)
{
  soup_message_headers_replace (headers, "Accept-Ranges", "bytes");
  soup_message_headers_replace (headers, "Content-Type",
                                hz_recording_content_type (recording->path));
  soup_message_headers_replace (headers, "Cache-Control", "private, no-cache");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  if (etag != NULL)
    soup_message_headers_replace (headers, "ETag", etag);
}

/* Starts streaming LENGTH bytes of STREAM as MSG's body. */
static void
start_stream (SoupServerMessage *msg,
              GInputStream      *stream,
              goffset            length,
              gint64             id)
{
  Download *download = g_new0 (Download, 1);

  download->stream = g_object_ref (stream);
  download->remaining = length;
  download->cancellable = g_cancellable_new ();
  download->id = id;
  g_object_set_data_full (G_OBJECT (msg), DOWNLOAD_KEY, download, download_free);

  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), NULL);
  g_signal_connect (msg, "finished", G_CALLBACK (on_download_finished), NULL);
  if (length > 0)
    read_next_chunk (msg);
  else
    soup_message_body_complete (soup_server_message_get_response_body (msg));
}

void
hz_api_download_recording (HzRequest *request)
{
  SoupServerMessage *msg = request->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr (HzRecording) recording = hz_api_load_visible_recording (request);
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autofree char *file = NULL;
  g_autofree char *etag = NULL;
  const char *if_none_match;
  goffset size = 0, start = 0, end = 0;
  gboolean partial, unsatisfiable;

  if (recording == NULL)
    return;

  file = resolve_below (request->sched->recording_files->root, recording->path, &error);
  stream = file != NULL ? open_at (file, 0, &size, &error) : NULL;
  if (stream == NULL)
    {
      g_warning ("Download of recording %" G_GINT64_FORMAT " failed: %s", recording->id,
                 error->message);
      if (error->domain == HZ_SCHED_ERROR)
        hz_request_respond_gerror (request, error);
      else
        hz_request_respond_error (request, HZ_SCHED_ERROR_RECORDING_FILE_MISSING);
      return;
    }

  /* A strong ETag only once the file is complete and checksummed; while
   * the relay still writes it, the SHA-256 is unknown. */
  if (recording->sha256 != NULL)
    etag = g_strdup_printf ("\"%s\"", recording->sha256);
  if_none_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "If-None-Match");
  set_common_headers (headers, recording, etag);
  if (etag != NULL && g_strcmp0 (if_none_match, etag) == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }

  partial = requested_range (msg, size, etag, &start, &end, &unsatisfiable);
  if (partial && unsatisfiable)
    {
      g_autofree char *content_range = g_strdup_printf ("bytes */%" G_GOFFSET_FORMAT, size);

      soup_message_headers_replace (headers, "Content-Range", content_range);
      hz_request_respond_error (request, HZ_SCHED_ERROR_RANGE_NOT_SATISFIABLE);
      return;
    }
  if (!partial)
    end = size - 1;
  if (start > 0)
    {
      g_clear_object (&stream);
      stream = open_at (file, start, &size, &error);
      if (stream == NULL)
        {
          g_warning ("Download of recording %" G_GINT64_FORMAT " failed: %s", recording->id,
                     error->message);
          hz_request_respond_error (request, HZ_SCHED_ERROR_RECORDING_FILE_MISSING);
          return;
        }
    }

  soup_message_headers_set_content_length (headers, end - start + 1);
  if (partial)
    soup_message_headers_set_content_range (headers, start, end, size);
  soup_server_message_set_status (msg, partial ? SOUP_STATUS_PARTIAL_CONTENT : SOUP_STATUS_OK,
                                  NULL);
  if (g_str_equal (soup_server_message_get_method (msg), "HEAD"))
    return;

  g_message ("Recording %" G_GINT64_FORMAT " sent to user %" G_GINT64_FORMAT ": bytes %"
             G_GOFFSET_FORMAT "-%" G_GOFFSET_FORMAT " of %" G_GOFFSET_FORMAT, recording->id,
             request->caller->id, start, end, size);
  start_stream (msg, stream, end - start + 1, recording->id);
}
