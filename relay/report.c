/* Reports to the scheduler; see report.h.
 *
 * Reports are queued per subject: a recording path, or a participant of a
 * session. The head of a queue is in flight or waiting for its retry. For
 * recordings, which the scheduler upserts, a newer report supersedes a
 * failed head instead of waiting behind its retries. Participation events
 * are each kept, in order.
 *
 * Journal: a recording has one entry, rewritten by each of its reports and
 * removed once its final report (any status but "recording") is
 * acknowledged. Each participation event has an entry of its own.
 */
#include "report.h"
#include "report-journal.h"
#include "scheduler-client.h"
#include "hz-request-auth.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define RECORDINGS_PATH "/api/v1/internal/recordings"
#define PARTICIPATION_PATH "/api/v1/internal/participation"
#define REQUEST_TIMEOUT_S 10
#define FIRST_RETRY_DELAY_MS 1000
/* Retry delays double up to FIRST_RETRY_DELAY_MS << MAX_RETRY_SHIFT (32 s). */
#define MAX_RETRY_SHIFT 5
/* Failures of one report are logged for the first LOGGED_FAILURES attempts,
 * then every LOGGED_FAILURE_INTERVAL-th. */
#define LOGGED_FAILURES 5
#define LOGGED_FAILURE_INTERVAL 10

typedef struct {
  char *url;                 /* SCHEDULER_URL + the endpoint's path */
  char *signed_path;         /* the URL's path, which the signature covers */
} Endpoint;

struct _HzReporter {
  SoupSession *session;      /* NULL when reports are disabled */
  Endpoint recordings;
  Endpoint participation;
  HzSecret secret;
  GCancellable *cancellable;
  GHashTable *queues;        /* subject → ReportQueue */
  gboolean flushing;         /* set at shutdown: send now, retry no more */
  HzReportJournal *journal;  /* NULL when reports are disabled */
  char *recordings_dir;
};

/* One report: its body, and its journal entry. */
typedef struct {
  char *body;                /* JSON text */
  char *journal_name;
  gboolean final;            /* the journal entry goes once this is acknowledged */
} Report;

typedef struct {
  HzReporter *reporter;      /* NULL once the reporter is freed */
  const Endpoint *endpoint;
  gboolean supersede;        /* a newer report replaces a failed head */
  char *subject;             /* e.g. "recording 12/5-video.webm", for logs */
  GQueue reports;            /* Report, oldest first */
  guint attempt;             /* attempts made for the head */
  gboolean in_flight;
  guint retry_id;
} ReportQueue;

static void queue_start (ReportQueue *queue);

static void
report_free (gpointer data)
{
  Report *report = data;

  g_free (report->body);
  g_free (report->journal_name);
  g_free (report);
}

static void
report_queue_clear (ReportQueue *queue)
{
  g_queue_clear_full (&queue->reports, report_free);
  g_free (queue->subject);
}

static void
report_queue_unref (gpointer queue)
{
  g_rc_box_release_full (queue, (GDestroyNotify) report_queue_clear);
}

static void
endpoint_init (Endpoint *endpoint, GUri *base, const char *base_path, const char *path)
{
  g_autoptr (GUri) uri = NULL;

  endpoint->signed_path = g_strconcat (base_path, path, NULL);
  uri = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (base), NULL, g_uri_get_host (base),
                     g_uri_get_port (base), endpoint->signed_path, NULL, NULL);
  endpoint->url = g_uri_to_string (uri);
}

static void
endpoint_clear (Endpoint *endpoint)
{
  g_clear_pointer (&endpoint->url, g_free);
  g_clear_pointer (&endpoint->signed_path, g_free);
}

static void replay_journal (HzReporter *reporter);

HzReporter *
hz_reporter_new (const char *scheduler_url, GTlsDatabase *ca_database, const HzSecret *secret,
                 const char *recordings_dir, GError **error)
{
  g_autoptr (GUri) base = NULL;
  g_autofree char *base_path = NULL;
  HzReporter *reporter = g_new0 (HzReporter, 1);

  reporter->secret = *secret;
  reporter->queues = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, NULL);
  reporter->cancellable = g_cancellable_new ();
  reporter->recordings_dir = g_strdup (recordings_dir);
  if (scheduler_url == NULL || scheduler_url[0] == '\0') {
    g_message ("no scheduler-url: recordings and participation are not reported");
    return reporter;
  }

  base = g_uri_parse (scheduler_url, G_URI_FLAGS_NONE, error);
  if (base == NULL) {
    g_prefix_error (error, "invalid scheduler-url %s: ", scheduler_url);
    hz_reporter_free (reporter);
    return NULL;
  }
  reporter->journal = hz_report_journal_open (recordings_dir, error);
  if (reporter->journal == NULL) {
    hz_reporter_free (reporter);
    return NULL;
  }
  base_path = g_strdup (g_uri_get_path (base));
  while (g_str_has_suffix (base_path, "/"))
    base_path[strlen (base_path) - 1] = '\0';
  endpoint_init (&reporter->recordings, base, base_path, RECORDINGS_PATH);
  endpoint_init (&reporter->participation, base, base_path, PARTICIPATION_PATH);
  reporter->session = hz_scheduler_client_new (ca_database, REQUEST_TIMEOUT_S);
  replay_journal (reporter);
  return reporter;
}

void
hz_reporter_free (HzReporter *reporter)
{
  GHashTableIter iter;
  gpointer value;

  if (reporter == NULL)
    return;
  g_cancellable_cancel (reporter->cancellable);
  g_hash_table_iter_init (&iter, reporter->queues);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    ReportQueue *queue = value;

    if (queue->reports.length > 0)
      g_warning ("%s: %u report(s) not sent; they stay in the journal for the next start",
                 queue->subject, queue->reports.length);
    queue->reporter = NULL;
    g_clear_handle_id (&queue->retry_id, g_source_remove);
    report_queue_unref (queue);
  }
  g_hash_table_unref (reporter->queues);
  g_clear_object (&reporter->session);
  g_object_unref (reporter->cancellable);
  endpoint_clear (&reporter->recordings);
  endpoint_clear (&reporter->participation);
  g_clear_pointer (&reporter->journal, hz_report_journal_free);
  g_free (reporter->recordings_dir);
  g_free (reporter);
}

guint
hz_reporter_get_pending (HzReporter *reporter)
{
  GHashTableIter iter;
  gpointer value;
  guint pending = 0;

  g_hash_table_iter_init (&iter, reporter->queues);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    pending += ((ReportQueue *) value)->reports.length;
  return pending;
}

void
hz_reporter_flush (HzReporter *reporter)
{
  g_autoptr (GList) queues = g_hash_table_get_values (reporter->queues);

  reporter->flushing = TRUE;
  for (GList *l = queues; l != NULL; l = l->next) {
    ReportQueue *queue = l->data;

    if (queue->retry_id != 0) {
      g_clear_handle_id (&queue->retry_id, g_source_remove);
      queue_start (queue);
    }
  }
}

static char *
format_time (gint64 unix_us)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
build_recording_body (const HzRecordingReport *report)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *started_at = format_time (report->started_at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, report->session_id);
  json_builder_set_member_name (builder, "participant_id");
  json_builder_add_string_value (builder, report->participant_id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, report->kind);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, report->path);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, report->status);
  json_builder_set_member_name (builder, "started_at");
  json_builder_add_string_value (builder, started_at);
  if (report->ended_at != 0) {
    g_autofree char *ended_at = format_time (report->ended_at);

    json_builder_set_member_name (builder, "ended_at");
    json_builder_add_string_value (builder, ended_at);
  }
  if (report->bytes >= 0) {
    json_builder_set_member_name (builder, "bytes");
    json_builder_add_int_value (builder, report->bytes);
  }
  if (report->failure_reason != NULL) {
    json_builder_set_member_name (builder, "failure_reason");
    json_builder_add_string_value (builder, report->failure_reason);
  }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Drops the head and starts the next report, or removes an empty queue.
 * The head's journal entry goes too when ACKNOWLEDGED and it is final. */
static void
queue_advance (ReportQueue *queue, gboolean acknowledged)
{
  HzReporter *reporter = queue->reporter;
  Report *head = g_queue_pop_head (&queue->reports);

  if (acknowledged && head->final && head->journal_name != NULL && reporter->journal != NULL)
    hz_report_journal_remove (reporter->journal, head->journal_name);
  report_free (head);
  queue->attempt = 0;
  if (queue->reports.length > 0) {
    queue_start (queue);
    return;
  }
  g_hash_table_remove (reporter->queues, queue->subject);
  report_queue_unref (queue);
}

static gboolean
on_retry (gpointer data)
{
  ReportQueue *queue = data;

  queue->retry_id = 0;
  queue_start (queue);
  return G_SOURCE_REMOVE;
}

/* Whether the scheduler rejected the report itself (HTTP STATUS), so that
 * sending it again cannot succeed. 401 is not: a wrong clock or secret can
 * be fixed while the relay runs. */
static gboolean
is_rejection (guint status)
{
  return status == SOUP_STATUS_BAD_REQUEST || status == SOUP_STATUS_FORBIDDEN
         || status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_CONFLICT
         || status == SOUP_STATUS_UNPROCESSABLE_ENTITY;
}

static void
handle_failure (ReportQueue *queue, guint status, const char *reason)
{
  guint delay_ms = FIRST_RETRY_DELAY_MS << MIN (queue->attempt - 1, (guint) MAX_RETRY_SHIFT);

  if (queue->supersede && queue->reports.length > 1) {
    g_warning ("%s: report failed (%s); a newer report replaces it", queue->subject, reason);
    queue_advance (queue, FALSE);
  } else if (is_rejection (status)) {
    g_warning ("%s: report rejected by the scheduler (%s); it is not sent again",
               queue->subject, reason);
    queue_advance (queue, TRUE);
  } else if (queue->reporter->flushing) {
    g_warning ("%s: report failed (%s); kept in the journal for the next start",
               queue->subject, reason);
    queue_advance (queue, FALSE);
  } else {
    if (queue->attempt <= LOGGED_FAILURES || queue->attempt % LOGGED_FAILURE_INTERVAL == 0)
      g_warning ("%s: report failed (%s); retrying in %u ms (attempt %u)", queue->subject,
                 reason, delay_ms, queue->attempt);
    queue->retry_id = g_timeout_add (delay_ms, on_retry, queue);
  }
}

static void
on_response (GObject *source, GAsyncResult *result, gpointer data)
{
  ReportQueue *queue = data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (queue->reporter == NULL) {
    report_queue_unref (queue);
    return;
  }
  queue->in_flight = FALSE;

  status = message != NULL ? soup_message_get_status (message) : 0;
  if (body != NULL && SOUP_STATUS_IS_SUCCESSFUL (status)) {
    if (queue->attempt > 1)
      g_message ("%s: reported after %u attempts", queue->subject, queue->attempt);
    queue_advance (queue, TRUE);
  } else {
    reason = error != NULL ? hz_scheduler_client_describe_error (error, message)
                           : g_strdup_printf ("HTTP %u %s", status,
                                              soup_message_get_reason_phrase (message));
    handle_failure (queue, error != NULL ? 0 : status, reason);
  }
  report_queue_unref (queue);
}

static void
queue_start (ReportQueue *queue)
{
  HzReporter *reporter = queue->reporter;
  const Report *report = g_queue_peek_head (&queue->reports);
  gsize length = strlen (report->body);
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_POST, queue->endpoint->url);
  g_autoptr (GBytes) bytes = g_bytes_new (report->body, length);
  g_autofree char *authorization = hz_request_auth_sign (&reporter->secret, "POST",
                                                         queue->endpoint->signed_path,
                                                         g_get_real_time () / G_USEC_PER_SEC,
                                                         report->body, length);

  queue->attempt++;
  queue->in_flight = TRUE;
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  soup_session_send_and_read_async (reporter->session, message, G_PRIORITY_DEFAULT,
                                    reporter->cancellable, on_response,
                                    g_rc_box_acquire (queue));
}

/* Queues BODY (taken) for SUBJECT and starts it when nothing is ahead.
 * BODY is first kept in the journal as JOURNAL_NAME. */
static void
enqueue (HzReporter *reporter, const Endpoint *endpoint, gboolean supersede,
         const char *subject, char *body, const char *journal_name, gboolean final)
{
  ReportQueue *queue = g_hash_table_lookup (reporter->queues, subject);
  Report *report = g_new0 (Report, 1);

  report->body = body;
  report->journal_name = g_strdup (journal_name);
  report->final = final;
  hz_report_journal_write (reporter->journal, journal_name, body);

  if (queue == NULL) {
    queue = g_rc_box_new0 (ReportQueue);
    queue->reporter = reporter;
    queue->endpoint = endpoint;
    queue->supersede = supersede;
    queue->subject = g_strdup (subject);
    g_queue_init (&queue->reports);
    g_hash_table_insert (reporter->queues, queue->subject, queue);
  }
  g_queue_push_tail (&queue->reports, report);

  if (queue->in_flight)
    return;
  if (queue->retry_id != 0 && queue->supersede) {
    /* The failed head waits for a retry: the new report supersedes it. */
    g_clear_handle_id (&queue->retry_id, g_source_remove);
    queue_advance (queue, FALSE);
    return;
  }
  if (queue->reports.length == 1)
    queue_start (queue);
}

static void
enqueue_recording (HzReporter *reporter, const char *path, const char *status, char *body)
{
  g_autofree char *subject = g_strdup_printf ("recording %s", path);
  g_autofree char *journal_name = hz_report_journal_recording_name (path);

  g_debug ("%s: report \"%s\" queued", subject, status);
  enqueue (reporter, &reporter->recordings, TRUE, subject, body, journal_name,
           !g_str_equal (status, "recording"));
}

void
hz_reporter_send_recording (HzReporter *reporter, const HzRecordingReport *report)
{
  if (reporter->session == NULL)
    return;
  enqueue_recording (reporter, report->path, report->status, build_recording_body (report));
}

static char *
build_participation_body (gint64 session_id, const char *participant_id, const char *event,
                          gint64 at)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *at_text = format_time (at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, session_id);
  json_builder_set_member_name (builder, "participant_id");
  json_builder_add_string_value (builder, participant_id);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  json_builder_set_member_name (builder, "at");
  json_builder_add_string_value (builder, at_text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static char *
participation_subject (gint64 session_id, const char *participant_id)
{
  return g_strdup_printf ("session %" G_GINT64_FORMAT " participant %s participation",
                          session_id, participant_id);
}

void
hz_reporter_send_participation (HzReporter *reporter, gint64 session_id,
                                const char *participant_id, const char *event, gint64 at)
{
  g_autofree char *subject = NULL;
  g_autofree char *journal_name = NULL;

  if (reporter->session == NULL)
    return;
  subject = participation_subject (session_id, participant_id);
  journal_name = hz_report_journal_participation_name (reporter->journal, at);
  g_debug ("%s: report \"%s\" queued", subject, event);
  enqueue (reporter, &reporter->participation, FALSE, subject,
           build_participation_body (session_id, participant_id, event, at), journal_name,
           TRUE);
}

/* ---- the journal of an earlier run ---- */

/* Turns the "recording" report OBJECT of a recording that an earlier run
 * left unfinished into an "interrupted" one, with the file's size and
 * modification time (or 0 bytes and the start time when there is no file). */
static void
mark_interrupted (HzReporter *reporter, JsonObject *object, const char *path)
{
  g_autofree char *file = g_build_filename (reporter->recordings_dir, path, NULL);
  GStatBuf info;
  gint64 bytes = 0;
  g_autofree char *ended_at = NULL;

  if (g_stat (file, &info) == 0) {
    bytes = info.st_size;
    ended_at = format_time ((gint64) info.st_mtime * G_USEC_PER_SEC);
  } else {
    ended_at = g_strdup (json_object_get_string_member_with_default (object, "started_at", ""));
  }
  json_object_set_string_member (object, "status", "interrupted");
  json_object_set_string_member (object, "ended_at", ended_at);
  json_object_set_int_member (object, "bytes", bytes);
  g_message ("recording %s: in progress when the relay stopped; reporting it as interrupted "
             "(%" G_GINT64_FORMAT " bytes)", path, bytes);
}

static void
replay_entry (HzReporter *reporter, const HzJournalEntry *entry)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object = NULL;
  const char *path = NULL;
  const char *status = NULL;

  if (json_parser_load_from_data (parser, entry->body, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    object = json_node_get_object (json_parser_get_root (parser));

  if (object != NULL && g_str_has_prefix (entry->name, "participation-")) {
    g_autofree char *subject = participation_subject (
        json_object_get_int_member_with_default (object, "session_id", 0),
        json_object_get_string_member_with_default (object, "participant_id", "?"));

    enqueue (reporter, &reporter->participation, FALSE, subject, g_strdup (entry->body),
             entry->name, TRUE);
    return;
  }

  if (object != NULL) {
    path = json_object_get_string_member_with_default (object, "path", NULL);
    status = json_object_get_string_member_with_default (object, "status", NULL);
  }
  /* The journal contains what this relay wrote, so a path that leaves
   * recordings-dir or a missing member means that the file was altered. */
  if (path == NULL || status == NULL || g_path_is_absolute (path) || strstr (path, "..") != NULL) {
    g_warning ("%s: not a report of this relay; removing it from the journal", entry->name);
    hz_report_journal_remove (reporter->journal, entry->name);
    return;
  }
  if (g_str_equal (status, "recording")) {
    mark_interrupted (reporter, object, path);
    status = "interrupted";
  }
  enqueue_recording (reporter, path, status,
                     json_to_string (json_parser_get_root (parser), FALSE));
}

static void
replay_journal (HzReporter *reporter)
{
  g_autoptr (GPtrArray) entries = hz_report_journal_read_all (reporter->journal);

  if (entries->len > 0)
    g_message ("sending %u report(s) left in the journal by an earlier run", entries->len);
  for (guint i = 0; i < entries->len; i++)
    replay_entry (reporter, entries->pdata[i]);
}
