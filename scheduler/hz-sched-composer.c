/* The composition job runner; see hz-sched-composer.h. */
#include "hz-sched-composer.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/prctl.h>

#include "hz-sched-compositions.h"
#include "hz-sched-store.h"

#define COMPOSE_PROGRAM "huizhen-compose"

/* Progress goes to the database in steps of at least this much. */
#define PROGRESS_STEP 0.01

struct _HzComposer {
  HzSched *sched;
  char *program;               /* huizhen-compose, or NULL when not found */
  GSubprocess *process;        /* the running job's, or NULL */
  GDataInputStream *output;    /* its stdout */
  GCancellable *cancellable;
  gint64 session_id;           /* of the running job */
  double progress;             /* last stored */
  gint64 duration_ms;          /* from the "done" line */
  gboolean exited;             /* the process ended; EXIT_ERROR is why it failed */
  char *exit_error;            /* NULL after a clean exit */
  gboolean output_ended;       /* its stdout reached the end */
  guint start_source;          /* an idle that starts the next job */
};

static void start_next (HzComposer *composer);

static char *
find_program (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self != NULL ? g_path_get_dirname (self) : NULL;
  const char *candidates[] = { ".", "../compose" };

  for (guint i = 0; dir != NULL && i < G_N_ELEMENTS (candidates); i++) {
    g_autofree char *path = g_build_filename (dir, candidates[i], COMPOSE_PROGRAM, NULL);

    if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
      return g_steal_pointer (&path);
  }
  return g_find_program_in_path (COMPOSE_PROGRAM);
}

HzComposer *
hz_composer_new (HzSched *sched)
{
  HzComposer *composer = g_new0 (HzComposer, 1);

  composer->sched = sched;
  composer->program = find_program ();
  if (composer->program == NULL)
    g_warning ("Composition: %s not found next to the scheduler or in PATH; "
               "composition jobs stay queued", COMPOSE_PROGRAM);
  return composer;
}

static void
clear_process (HzComposer *composer)
{
  if (composer->cancellable != NULL)
    g_cancellable_cancel (composer->cancellable);
  g_clear_object (&composer->cancellable);
  g_clear_object (&composer->output);
  g_clear_object (&composer->process);
  g_clear_pointer (&composer->exit_error, g_free);
  composer->exited = FALSE;
  composer->output_ended = FALSE;
  composer->session_id = 0;
}

void
hz_composer_free (HzComposer *composer)
{
  if (composer == NULL)
    return;
  g_clear_handle_id (&composer->start_source, g_source_remove);
  if (composer->process != NULL) {
    g_message ("Composition of session %" G_GINT64_FORMAT " stopped with the scheduler; "
               "it restarts at the next start", composer->session_id);
    g_subprocess_force_exit (composer->process);
  }
  clear_process (composer);
  g_free (composer->program);
  g_free (composer);
}

static gboolean
on_start_idle (gpointer data)
{
  HzComposer *composer = data;

  composer->start_source = 0;
  start_next (composer);
  return G_SOURCE_REMOVE;
}

static void
schedule_start (HzComposer *composer)
{
  if (composer->start_source == 0 && composer->process == NULL)
    composer->start_source = g_idle_add (on_start_idle, composer);
}

void
hz_composer_resume (HzComposer *composer)
{
  g_autoptr (GError) error = NULL;
  guint count = 0;

  if (!hz_store_requeue_running_compositions (composer->sched->db, &count, &error))
    g_warning ("Composition: cannot queue the interrupted jobs again: %s", error->message);
  else if (count > 0)
    g_message ("Composition: queued %u job(s) again that the previous run left unfinished",
               count);
  schedule_start (composer);
}

gboolean
hz_composer_request (HzComposer *composer, gint64 session_id, gboolean rerun, GError **error)
{
  gboolean queued = FALSE;

  if (!hz_store_queue_composition (composer->sched->db, session_id, rerun, &queued, error))
    return FALSE;
  if (queued)
    g_message ("Composition of session %" G_GINT64_FORMAT " queued%s", session_id,
               rerun ? " again on request" : "");
  schedule_start (composer);
  return TRUE;
}

void
hz_composer_on_recording_reported (HzComposer *composer, gint64 session_id)
{
  g_autoptr (GError) error = NULL;
  gboolean ended = FALSE;

  if (!hz_store_recordings_ended (composer->sched->db, session_id, &ended, &error)
      || (ended && !hz_composer_request (composer, session_id, FALSE, &error)))
    g_warning ("Composition of session %" G_GINT64_FORMAT ": cannot queue: %s", session_id,
               error->message);
}

/* Builds the manifest that compose-track.h describes. */
static char *
build_manifest (HzComposer *composer, gint64 session_id, GError **error)
{
  const char *recordings_dir = composer->sched->config->scheduler.recordings_dir;
  g_autoptr (GPtrArray) recordings = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gint64 presenter_id = 0;

  recordings = hz_store_list_recordings (composer->sched->db, session_id, error);
  if (recordings == NULL
      || !hz_store_get_session_presenter (composer->sched->db, session_id, &presenter_id, error))
    return NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, session_id);
  json_builder_set_member_name (builder, "tracks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < recordings->len; i++) {
    HzRecording *recording = recordings->pdata[i];
    g_autofree char *path = g_build_filename (recordings_dir, recording->path, NULL);

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "path");
    json_builder_add_string_value (builder, path);
    json_builder_set_member_name (builder, "participant_id");
    json_builder_add_int_value (builder, recording->participant_id);
    json_builder_set_member_name (builder, "kind");
    json_builder_add_string_value (builder, recording->kind);
    json_builder_set_member_name (builder, "presenter");
    json_builder_add_boolean_value (builder, recording->participant_id == presenter_id);
    /* The scheduler stores recording times in seconds. */
    json_builder_set_member_name (builder, "started_at_us");
    json_builder_add_int_value (builder, recording->started_at * G_USEC_PER_SEC);
    json_builder_set_member_name (builder, "ended_at_us");
    json_builder_add_int_value (builder, recording->ended_at != HZ_TIME_NONE
                                         ? recording->ended_at * G_USEC_PER_SEC : 0);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, TRUE);
}

static void finish_job (HzComposer *composer, const char *error_text);

/* Ends the job once the process has exited and its last line was read. */
static void
finish_when_done (HzComposer *composer)
{
  g_autofree char *error_text = NULL;

  if (!composer->exited || !composer->output_ended)
    return;
  error_text = g_steal_pointer (&composer->exit_error);
  finish_job (composer, error_text);
}

static void
handle_output_line (HzComposer *composer, const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object;
  const char *event;

  if (!json_parser_load_from_data (parser, line, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));
  event = json_object_get_string_member_with_default (object, "event", "");

  if (g_str_equal (event, "done")) {
    composer->duration_ms = (gint64) (json_object_get_double_member_with_default (object,
                                                                                  "duration_s",
                                                                                  0) * 1000);
    g_message ("Composition of session %" G_GINT64_FORMAT ": %.1f s composed in %.1f s",
               composer->session_id, composer->duration_ms / 1000.0,
               json_object_get_double_member_with_default (object, "elapsed_s", 0));
  } else if (g_str_equal (event, "progress")) {
    double position = json_object_get_double_member_with_default (object, "position_s", 0);
    double duration = json_object_get_double_member_with_default (object, "duration_s", 0);
    double progress = duration > 0 ? MIN (position / duration, 0.99) : 0;

    if (progress - composer->progress >= PROGRESS_STEP) {
      composer->progress = progress;
      if (!hz_store_set_composition_progress (composer->sched->db, composer->session_id,
                                              progress, &error))
        g_warning ("Composition of session %" G_GINT64_FORMAT ": cannot store progress: %s",
                   composer->session_id, error->message);
    }
  }
}

static void
read_next_line (HzComposer *composer);

static void
on_line_read (GObject *source, GAsyncResult *result, gpointer data)
{
  HzComposer *composer = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (line == NULL) {
    composer->output_ended = TRUE;
    finish_when_done (composer);
    return;
  }
  handle_output_line (composer, line);
  read_next_line (composer);
}

static void
read_next_line (HzComposer *composer)
{
  g_data_input_stream_read_line_async (composer->output, G_PRIORITY_DEFAULT,
                                       composer->cancellable, on_line_read, composer);
}

static void
on_process_exited (GObject *source, GAsyncResult *result, gpointer data)
{
  HzComposer *composer = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *error_text = NULL;
  GSubprocess *process = G_SUBPROCESS (source);

  if (!g_subprocess_wait_finish (process, result, &error)) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    error_text = g_strdup_printf ("waiting for %s failed: %s", COMPOSE_PROGRAM, error->message);
  } else if (g_subprocess_get_if_signaled (process)) {
    error_text = g_strdup_printf ("%s was killed by signal %d", COMPOSE_PROGRAM,
                                  g_subprocess_get_term_sig (process));
  } else if (g_subprocess_get_exit_status (process) != 0) {
    error_text = g_strdup_printf ("%s exited with status %d; the scheduler's log has its "
                                  "message", COMPOSE_PROGRAM,
                                  g_subprocess_get_exit_status (process));
  }
  composer->exited = TRUE;
  composer->exit_error = g_steal_pointer (&error_text);
  finish_when_done (composer);
}

static void
die_with_scheduler (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Writes the manifest and starts huizhen-compose for SESSION_ID. */
static gboolean
spawn_job (HzComposer *composer, gint64 session_id, GError **error)
{
  const char *recordings_dir = composer->sched->config->scheduler.recordings_dir;
  g_autofree char *session_dir = g_strdup_printf ("%s/%" G_GINT64_FORMAT, recordings_dir,
                                                  session_id);
  g_autofree char *manifest_path = g_build_filename (session_dir, "composition.json", NULL);
  g_autofree char *webm = g_build_filename (session_dir, "composed.webm", NULL);
  g_autofree char *mp4 = g_build_filename (session_dir, "composed.mp4", NULL);
  g_autofree char *manifest = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  const char *argv[] = { composer->program, "--manifest", manifest_path, "--webm", webm,
                         "--mp4", mp4, NULL };

  manifest = build_manifest (composer, session_id, error);
  if (manifest == NULL)
    return FALSE;
  if (g_mkdir_with_parents (session_dir, 0700) != 0
      || !g_file_set_contents_full (manifest_path, manifest, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                    0600, error))
    return FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_scheduler, NULL, NULL);
  composer->process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (composer->process == NULL)
    return FALSE;
  composer->session_id = session_id;
  composer->progress = 0;
  composer->duration_ms = 0;
  composer->cancellable = g_cancellable_new ();
  composer->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (composer->process));
  read_next_line (composer);
  g_subprocess_wait_async (composer->process, composer->cancellable, on_process_exited,
                           composer);
  return TRUE;
}

static void
finish_job (HzComposer *composer, const char *error_text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *webm = g_strdup_printf ("%" G_GINT64_FORMAT "/composed.webm",
                                           composer->session_id);
  g_autofree char *mp4 = g_strdup_printf ("%" G_GINT64_FORMAT "/composed.mp4",
                                          composer->session_id);

  if (error_text == NULL)
    g_message ("Composition of session %" G_GINT64_FORMAT " complete: %s and %s",
               composer->session_id, webm, mp4);
  else
    g_warning ("Composition of session %" G_GINT64_FORMAT " failed: %s", composer->session_id,
               error_text);
  if (!hz_store_finish_composition (composer->sched->db, composer->session_id, webm, mp4,
                                    composer->duration_ms, error_text, &error))
    g_warning ("Composition of session %" G_GINT64_FORMAT ": cannot store the result: %s",
               composer->session_id, error->message);
  clear_process (composer);
  schedule_start (composer);
}

static void
start_next (HzComposer *composer)
{
  g_autoptr (GError) error = NULL;
  gint64 session_id = 0;

  if (composer->process != NULL || composer->program == NULL)
    return;
  if (!hz_store_next_queued_composition (composer->sched->db, &session_id, &error)) {
    g_warning ("Composition: cannot read the queue: %s", error->message);
    return;
  }
  if (session_id == 0)
    return;

  if (!hz_store_start_composition (composer->sched->db, session_id, &error)) {
    g_warning ("Composition of session %" G_GINT64_FORMAT ": cannot start: %s", session_id,
               error->message);
    return;
  }
  g_message ("Composition of session %" G_GINT64_FORMAT " started", session_id);
  if (!spawn_job (composer, session_id, &error)) {
    composer->session_id = session_id;
    finish_job (composer, error->message);
  }
}
