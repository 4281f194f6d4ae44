/* Test fixture that runs the real daemons; see hz-test-daemons.h. */
#include "hz-test-daemons.h"
#include "hz-test-logs.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#define STARTUP_TIMEOUT_MS 15000

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocess *
hz_test_spawn (const char *const *argv, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | hz_test_logs_spawn_flags ());
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process != NULL)
    hz_test_logs_capture (process, argv[0]);
  return process;
}

typedef struct {
  gboolean done;
  char *line;
} ReadLineState;

static void
read_line_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReadLineState *state = user_data;

  state->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                           result, NULL, NULL);
  state->done = TRUE;
}

static gboolean
cancel_on_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

char *
hz_test_read_line (GSubprocess *subprocess, guint timeout_ms)
{
  GDataInputStream *stream = g_object_get_data (G_OBJECT (subprocess), "hz-stdout");
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  ReadLineState state = { FALSE, NULL };

  if (stream == NULL)
    {
      stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (subprocess));
      g_object_set_data_full (G_OBJECT (subprocess), "hz-stdout", stream, g_object_unref);
    }

  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, cancel_on_timeout, cancellable, NULL);
  g_source_attach (timeout, context);
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, cancellable,
                                       read_line_done, &state);
  while (!state.done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
  return state.line;
}

/* Waits for the daemon's "NAME: listening on URL" line and returns URL. */
static char *
wait_for_listening (GSubprocess *daemon, const char *name, GError **error)
{
  g_autofree char *prefix = g_strdup_printf ("%s: listening on ", name);

  for (;;)
    {
      g_autofree char *line = hz_test_read_line (daemon, STARTUP_TIMEOUT_MS);

      if (line == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s printed no \"listening on\" line within %d ms",
                       name, STARTUP_TIMEOUT_MS);
          return NULL;
        }
      if (g_str_has_prefix (line, prefix))
        return g_strdup (line + strlen (prefix));
    }
}

static char *
build_path (const char *root_variable, const char *relative)
{
  const char *root = g_getenv (root_variable);

  g_assert_nonnull (root);
  return g_build_filename (root, relative, NULL);
}

static gboolean
write_config (HzTestDaemons *daemons, GError **error)
{
  g_autofree char *web_root = build_path ("HUIZHEN_SOURCE_ROOT", "web");
  g_autofree char *text = g_strdup_printf (
    "[scheduler]\nlisten = 127.0.0.1:0\ndatabase = %s\nweb-root = %s\ntoken-secret-file = %s\n"
    "recordings-dir = %s\nhls-dir = %s\n%s"
    "[relay]\nlisten = 127.0.0.1:0\nrecordings-dir = %s\nhls-dir = %s\n%s%s\n",
    daemons->database_path, web_root, daemons->secret_path, daemons->recordings_dir,
    daemons->hls_dir, daemons->scheduler_keys ? daemons->scheduler_keys : "",
    daemons->recordings_dir, daemons->hls_dir,
    daemons->scheduler_url ? "scheduler-url = " : "",
    daemons->scheduler_url ? daemons->scheduler_url : "");

  return g_file_set_contents (daemons->config_path, text, -1, error);
}

static gboolean
create_admin (HzTestDaemons *daemons, const char *scheduler_path, GError **error)
{
  const char *argv[] = { scheduler_path, "--config", daemons->config_path,
                         "--create-admin", "Test Admin", NULL };
  g_autoptr(GSubprocess) process = hz_test_spawn (argv, error);
  g_autofree char *line = NULL;

  if (process == NULL)
    return FALSE;
  line = hz_test_read_line (process, STARTUP_TIMEOUT_MS);
  if (!g_subprocess_wait_check (process, NULL, error))
    return FALSE;
  if (line == NULL || *g_strstrip (line) == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "huizhen-scheduler --create-admin printed no key");
      return FALSE;
    }
  daemons->admin_key = g_steal_pointer (&line);
  return TRUE;
}

static GSubprocess *
start_daemon (HzTestDaemons *daemons, const char *path, const char *name,
              char **url, GError **error)
{
  const char *argv[] = { path, "--config", daemons->config_path, NULL };
  g_autoptr(GSubprocess) process = hz_test_spawn (argv, error);

  if (process == NULL)
    return NULL;
  *url = wait_for_listening (process, name, error);
  if (*url == NULL)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      return NULL;
    }
  return g_steal_pointer (&process);
}

HzTestDaemons *
hz_test_daemons_start (HzTestDaemonsFlags flags, GError **error)
{
  return hz_test_daemons_start_with_keys (flags, NULL, error);
}

HzTestDaemons *
hz_test_daemons_start_with_keys (HzTestDaemonsFlags flags, const char *scheduler_keys,
                                 GError **error)
{
  g_autoptr(HzTestDaemons) daemons = g_new0 (HzTestDaemons, 1);
  g_autofree char *scheduler_path = build_path ("HUIZHEN_BUILD_ROOT", "scheduler/huizhen-scheduler");
  g_autofree char *relay_path = build_path ("HUIZHEN_BUILD_ROOT", "relay/huizhen-relay");

  daemons->dir = g_dir_make_tmp ("huizhen-test-XXXXXX", error);
  if (daemons->dir == NULL)
    return NULL;
  daemons->config_path = g_build_filename (daemons->dir, "huizhen.conf", NULL);
  daemons->secret_path = g_build_filename (daemons->dir, "token.secret", NULL);
  daemons->database_path = g_build_filename (daemons->dir, "huizhen.db", NULL);
  daemons->recordings_dir = g_build_filename (daemons->dir, "recordings", NULL);
  daemons->hls_dir = g_build_filename (daemons->dir, "hls", NULL);
  daemons->scheduler_keys = g_strdup (scheduler_keys);

  if (!write_config (daemons, error) ||
      !hz_secret_load_or_create (daemons->secret_path, &daemons->secret, error) ||
      !hz_test_logs_save_secret (&daemons->secret, error) ||
      !create_admin (daemons, scheduler_path, error))
    return NULL;

  daemons->scheduler = start_daemon (daemons, scheduler_path, "huizhen-scheduler",
                                     &daemons->scheduler_url, error);
  if (daemons->scheduler == NULL)
    return NULL;

  if (flags & HZ_TEST_DAEMONS_RELAY)
    {
      /* The relay reports recordings to the scheduler's real port. */
      if (!write_config (daemons, error))
        return NULL;
      daemons->relay = start_daemon (daemons, relay_path, "huizhen-relay",
                                     &daemons->relay_url, error);
      if (daemons->relay == NULL)
        return NULL;
    }
  return g_steal_pointer (&daemons);
}

typedef struct {
  gboolean done;      /* the wait returned, by exit or by cancellation */
  gboolean exited;
  gboolean timed_out;
} WaitState;

static void
wait_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WaitState *state = user_data;

  state->exited = g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  state->done = TRUE;
}

static gboolean
mark_timed_out (gpointer user_data)
{
  ((WaitState *) user_data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for PROCESS to exit, at most TIMEOUT_MS; returns whether it did. The
 * wait runs on a private main context so that it works from any caller. */
static gboolean
wait_with_timeout (GSubprocess *process, guint timeout_ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = g_timeout_source_new (timeout_ms);
  WaitState state = { FALSE, FALSE, FALSE };

  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, mark_timed_out, &state, NULL);
  g_source_attach (timeout, context);
  g_subprocess_wait_async (process, cancellable, wait_done, &state);
  while (!state.done && !state.timed_out)
    g_main_context_iteration (context, TRUE);
  if (!state.done)
    {
      g_cancellable_cancel (cancellable);
      while (!state.done)
        g_main_context_iteration (context, TRUE);
    }
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
  return state.exited;
}

static void
stop_process (GSubprocess *process)
{
  if (process == NULL || g_subprocess_get_identifier (process) == NULL)
    return;
  g_subprocess_send_signal (process, SIGTERM);
  if (!wait_with_timeout (process, 5000))
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
    }
}

void
hz_test_daemons_signal_relay (HzTestDaemons *daemons, int signum)
{
  g_subprocess_send_signal (daemons->relay, signum);
  g_subprocess_wait (daemons->relay, NULL, NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)))
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

void
hz_test_daemons_stop (HzTestDaemons *daemons)
{
  if (daemons == NULL)
    return;
  stop_process (daemons->relay);
  stop_process (daemons->scheduler);
  g_clear_object (&daemons->relay);
  g_clear_object (&daemons->scheduler);
  if (daemons->dir != NULL && g_getenv ("HUIZHEN_KEEP_TEST_DIR") == NULL)
    remove_tree (daemons->dir);
  g_free (daemons->dir);
  g_free (daemons->config_path);
  g_free (daemons->secret_path);
  g_free (daemons->database_path);
  g_free (daemons->recordings_dir);
  g_free (daemons->hls_dir);
  g_free (daemons->scheduler_url);
  g_free (daemons->relay_url);
  g_free (daemons->admin_key);
  g_clear_object (&daemons->tls_database);
  g_free (daemons->scheduler_keys);
  g_free (daemons);
}

JsonNode *
hz_test_http (HzTestDaemons *daemons, const char *method, const char *path,
              const char *key, const char *body, const char *accept_language,
              guint *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (daemons->scheduler_url, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  gsize length = 0;
  const char *data;

  g_assert_nonnull (message);
  if (daemons->tls_database != NULL)
    soup_session_set_tls_database (session, daemons->tls_database);
  if (key != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", key, NULL);
      soup_message_headers_replace (headers, "Authorization", value);
    }
  if (accept_language != NULL)
    soup_message_headers_replace (headers, "Accept-Language", accept_language);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  response = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  if (status != NULL)
    *status = soup_message_get_status (message);

  data = g_bytes_get_data (response, &length);
  if (length == 0 || !json_parser_load_from_data (parser, data, (gssize) length, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* Sends a POST that must return 2xx and returns the member "id" (or the
 * string MEMBER, stored in *TEXT, when TEXT is not NULL). */
static gboolean
post_expect (HzTestDaemons *daemons, const char *path, const char *key, const char *body,
             gint64 *id, const char *member, char **text, GError **error)
{
  guint status = 0;
  g_autoptr(JsonNode) node = hz_test_http (daemons, "POST", path, key, body, "en", &status);
  JsonObject *object;

  if (status < 200 || status > 299 || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *shown = node ? json_to_string (node, FALSE) : g_strdup ("(no JSON)");
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "POST %s returned %u: %s", path, status, shown);
      return FALSE;
    }
  object = json_node_get_object (node);
  if (id != NULL)
    *id = json_object_get_int_member_with_default (object, "id", 0);
  if (text != NULL)
    *text = g_strdup (json_object_get_string_member_with_default (object, member, ""));
  return TRUE;
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr(GTimeZone) shanghai = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (time, shanghai);

  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

static gboolean
create_user (HzTestDaemons *daemons, gint64 org_id, const char *name, const char *role,
             const char *specialty, gint64 *id, char **key, GError **error)
{
  g_autofree char *body = g_strdup_printf (
    "{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"%s\", \"role\": \"%s\", "
    "\"specialty\": \"%s\", \"title\": \"主治医师\"}", org_id, name, role, specialty);

  return post_expect (daemons, "/api/v1/users", daemons->admin_key, body, id,
                      "api_key", key, error);
}

gboolean
hz_test_book_consultation (HzTestDaemons *daemons, gint64 start_offset, gint64 duration,
                           HzTestBooking *booking, GError **error)
{
  return hz_test_book_consultation_recorded (daemons, start_offset, duration, TRUE, booking,
                                             error);
}

gboolean
hz_test_book_consultation_recorded (HzTestDaemons *daemons, gint64 start_offset,
                                    gint64 duration, gboolean recording,
                                    HzTestBooking *booking, GError **error)
{
  gint64 start = g_get_real_time () / G_USEC_PER_SEC + start_offset;
  g_autofree char *start_text = format_time (start);
  g_autofree char *end_text = format_time (start + duration);
  g_autofree char *schedule_path = NULL;
  g_autofree char *schedule_body = NULL;
  guint status = 0;
  g_autoptr(JsonNode) scheduled = NULL;

  memset (booking, 0, sizeof *booking);
  if (!post_expect (daemons, "/api/v1/organizations", daemons->admin_key,
                    "{\"name\": \"杨浦区中心医院\", \"name_en\": \"Yangpu District Central Hospital\","
                    " \"level\": \"district\"}", &booking->district_org_id, NULL, NULL, error) ||
      !post_expect (daemons, "/api/v1/organizations", daemons->admin_key,
                    "{\"name\": \"双柏县人民医院\", \"name_en\": \"Shuangbai County People's Hospital\","
                    " \"level\": \"county\"}", &booking->county_org_id, NULL, NULL, error) ||
      !create_user (daemons, booking->county_org_id, "李医生", "doctor", "内科",
                    &booking->doctor_id, &booking->doctor_key, error) ||
      !create_user (daemons, booking->district_org_id, "王专家", "expert", "心血管内科",
                    &booking->expert_id, &booking->expert_key, error) ||
      !create_user (daemons, booking->district_org_id, "张协调员", "coordinator", "",
                    &booking->coordinator_id, &booking->coordinator_key, error) ||
      !post_expect (daemons, "/api/v1/consultations", booking->doctor_key,
                    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"T-0001\", \"age\": 61,"
                    " \"sex\": \"male\", \"summary\": \"胸闷三天\"}, \"question\": \"是否需要介入治疗？\"}",
                    &booking->consultation_id, NULL, NULL, error))
    return FALSE;

  schedule_path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                                   booking->consultation_id);
  schedule_body = g_strdup_printf ("{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\","
                                   " \"end\": \"%s\", \"recording\": %s}", booking->expert_id,
                                   start_text, end_text, recording ? "true" : "false");
  scheduled = hz_test_http (daemons, "POST", schedule_path, booking->coordinator_key,
                            schedule_body, "en", &status);
  if (status != 201 || scheduled == NULL || !JSON_NODE_HOLDS_OBJECT (scheduled))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST %s returned %u",
                   schedule_path, status);
      return FALSE;
    }
  booking->session_id = json_object_get_int_member_with_default (
    json_node_get_object (scheduled), "session_id", 0);
  return booking->session_id > 0;
}

void
hz_test_booking_clear (HzTestBooking *booking)
{
  g_clear_pointer (&booking->doctor_key, g_free);
  g_clear_pointer (&booking->expert_key, g_free);
  g_clear_pointer (&booking->coordinator_key, g_free);
}

char *
hz_test_join_token (HzTestDaemons *daemons, gint64 session_id, const char *key, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/join-token",
                                           session_id);
  char *token = NULL;

  if (!post_expect (daemons, path, key, "{}", NULL, "token", &token, error))
    return NULL;
  return token;
}
