/* Both daemons refuse to start on an invalid config value: each exits with
 * status 1 and names the file, the key, the value and the reason on
 * stderr, before it opens a socket or a database. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hz-test-daemons.h"

/* A daemon that does not exit within this time has started anyway. */
#define EXIT_TIMEOUT_SECONDS 10

typedef struct {
  const char *name;             /* the g_test path's last part */
  const char *program;          /* below HUIZHEN_BUILD_ROOT */
  const char *config;           /* the file's whole text */
  const char *expected[4];      /* texts that stderr contains, NULL-ended */
} RejectCase;

static const RejectCase reject_cases[] = {
  {
    "scheduler-listen-port", "scheduler/huizhen-scheduler",
    "[scheduler]\nlisten = 127.0.0.1:99999\n",
    { "[scheduler] listen", "'127.0.0.1:99999'", "port from 0 to 65535", NULL },
  },
  {
    "scheduler-database-empty", "scheduler/huizhen-scheduler",
    "[scheduler]\nlisten = 127.0.0.1:0\ndatabase =\n",
    { "[scheduler] database", "''", "a path is required", NULL },
  },
  {
    "relay-port-range", "relay/huizhen-relay",
    "[relay]\nlisten = 127.0.0.1:0\nice-port-min = 50000\nice-port-max = 40000\n",
    { "ice-port-min = '50000'", "ice-port-max = '40000'", "min <= max", NULL },
  },
  {
    "relay-recordings-dir-empty", "relay/huizhen-relay",
    "[relay]\nlisten = 127.0.0.1:0\nrecordings-dir =\n",
    { "[relay] recordings-dir", "''", "a path is required", NULL },
  },
};

typedef struct {
  GMainLoop *loop;
  gboolean timed_out;
} WaitState;

static void
on_process_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  WaitState *state = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  g_main_loop_quit (state->loop);
}

static gboolean
on_exit_timeout (gpointer user_data)
{
  WaitState *state = user_data;

  state->timed_out = TRUE;
  g_main_loop_quit (state->loop);
  return G_SOURCE_REMOVE;
}

static void
test_config_rejected (gconstpointer data)
{
  const RejectCase *rejected = data;
  g_autofree char *dir = g_dir_make_tmp ("huizhen-config-XXXXXX", NULL);
  g_autofree char *config_path = g_build_filename (dir, "huizhen.conf", NULL);
  g_autofree char *program = g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"),
                                               rejected->program, NULL);
  const char *argv[] = { program, "--config", config_path, NULL };
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError) error = NULL;
  g_autofree char *stderr_text = NULL;
  g_autofree char *var_dir = NULL;
  WaitState state = { loop, FALSE };
  guint timeout_id;

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (config_path, rejected->config, -1, &error));
  g_assert_no_error (error);

  /* The daemon works in DIR, so that defaults such as var/ land there. */
  g_subprocess_launcher_set_cwd (launcher, dir);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  g_subprocess_wait_async (process, NULL, on_process_exited, &state);
  timeout_id = g_timeout_add_seconds (EXIT_TIMEOUT_SECONDS, on_exit_timeout, &state);
  g_main_loop_run (loop);
  if (state.timed_out)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
    }
  else
    {
      g_source_remove (timeout_id);
    }
  g_assert_false (state.timed_out);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);

  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &stderr_text, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", stderr_text);
  g_assert_nonnull (strstr (stderr_text, config_path));
  for (guint i = 0; rejected->expected[i] != NULL; i++)
    g_assert_nonnull (strstr (stderr_text, rejected->expected[i]));

  /* Nothing was created: no database, no token secret, no recordings. */
  var_dir = g_build_filename (dir, "var", NULL);
  g_assert_false (g_file_test (var_dir, G_FILE_TEST_EXISTS));

  g_assert_cmpint (g_remove (config_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (reject_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/config-rejected/", reject_cases[i].name, NULL);

      g_test_add_data_func (path, &reject_cases[i], test_config_rejected);
    }
  return g_test_run ();
}
