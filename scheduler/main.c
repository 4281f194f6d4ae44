/* huizhen-scheduler: books remote consultations and hands out join tokens
 * for the relay. */

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>

#include "demo.h"
#include "hz-config.h"
#include "hz-sched.h"
#include "hz-sched-composer.h"
#include "hz-sched-db.h"
#include "hz-sched-recording-files.h"
#include "hz-sched-store.h"

typedef struct {
  char *config_path;
  char *create_admin;
  gboolean demo;
  gboolean apply_retention;
} HzOptions;

static void
hz_options_clear (HzOptions *options)
{
  g_clear_pointer (&options->config_path, g_free);
  g_clear_pointer (&options->create_admin, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HzOptions, hz_options_clear)

static gboolean
parse_options (int        *argc,
               char     ***argv,
               HzOptions  *options,
               GError    **error)
{
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &options->config_path,
      "Configuration file (GKeyFile); built-in defaults without it", "FILE" },
    /* FILENAME keeps the bytes as given, so a UTF-8 name also works in
     * the C locale, where STRING would fail to convert it. */
    { "create-admin", 0, 0, G_OPTION_ARG_FILENAME, &options->create_admin,
      "Create an admin user called NAME, print the API key and exit", "NAME" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &options->demo,
      "Load the demo dataset into an empty database, print its keys, then serve", NULL },
    { "apply-retention", 0, 0, G_OPTION_ARG_NONE, &options->apply_retention,
      "Delete the recordings older than [scheduler] recordings-retention-days now, print "
      "how many, and exit", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- Huizhen consultation scheduler");

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if ((options->create_admin != NULL) + options->demo + options->apply_retention > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "--create-admin, --demo and --apply-retention cannot be combined");
      return FALSE;
    }

  return TRUE;
}

/* Creates an admin outside any organization and prints its key, which is
 * the only time it is shown. */
static int
create_admin (HzConfig   *config,
              const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *api_key = NULL;
  HzActor actor = { HZ_ACTOR_CLI, 0 };
  HzUser user = { 0, 0, (char *) name, HZ_ROLE_ADMIN, NULL, NULL, NULL, NULL };
  sqlite3 *db;

  if (!g_utf8_validate (name, -1, NULL) || *name == '\0' || g_utf8_strlen (name, -1) > 100)
    {
      g_printerr ("huizhen-scheduler: --create-admin needs a name of 1 to 100 characters "
                  "in UTF-8\n");
      return 1;
    }

  db = hz_db_open (config->scheduler.database, &error);
  if (db == NULL)
    {
      g_printerr ("huizhen-scheduler: %s\n", error->message);
      return 1;
    }

  api_key = hz_store_create_user (db, &actor, &user, &error);
  sqlite3_close (db);
  if (api_key == NULL)
    {
      g_printerr ("huizhen-scheduler: creating the admin failed: %s\n", error->message);
      return 1;
    }

  g_message ("Admin user %" G_GINT64_FORMAT " created from the command line", user.id);
  printf ("%s\n", api_key);
  fflush (stdout);
  return 0;
}

/* Runs the retention policy once, for cron jobs and tests. A running
 * daemon also runs it at start and daily. */
static int
apply_retention (HzConfig *config)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = hz_db_open (config->scheduler.database, &error);
  gint deleted;

  if (db == NULL)
    {
      g_printerr ("huizhen-scheduler: %s\n", error->message);
      return 1;
    }

  deleted = hz_recording_retention_run (db, config, &error);
  sqlite3_close (db);
  if (deleted < 0)
    {
      g_printerr ("huizhen-scheduler: the retention run failed: %s\n", error->message);
      return 1;
    }

  printf ("%d\n", deleted);
  fflush (stdout);
  return 0;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("Shutting down on signal");
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* Loads the demo when asked, listens, prints the startup line and runs
 * until SIGINT or SIGTERM. */
static int
serve (HzConfig *config,
       gboolean  demo_requested)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSched) sched = NULL;
  g_autoptr (HzDemo) demo = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sigint_id, sigterm_id;

  sched = hz_sched_new (config, &error);
  if (sched == NULL)
    {
      g_printerr ("huizhen-scheduler: %s\n", error->message);
      return 1;
    }

  if (demo_requested)
    {
      demo = hz_demo_load (sched, &error);
      if (demo == NULL)
        {
          g_printerr ("huizhen-scheduler: %s\n", error->message);
          return 1;
        }
    }

  if (!hz_sched_listen (sched, &error))
    {
      g_printerr ("huizhen-scheduler: %s\n", error->message);
      return 1;
    }

  if (demo != NULL)
    hz_demo_print (demo, sched, stdout);

  printf ("huizhen-scheduler: listening on %s\n", sched->listen_url);
  fflush (stdout);
  g_message ("Serving on %s (public URL %s, relay %s)",
             sched->listen_url, sched->public_url, sched->relay_url);

  sched->composer = hz_composer_new (sched);
  hz_composer_resume (sched->composer);

  sched->recording_files = hz_recording_files_new (sched, &error);
  if (sched->recording_files == NULL)
    {
      g_printerr ("huizhen-scheduler: %s\n", error->message);
      return 1;
    }
  hz_recording_files_start_retention (sched->recording_files);
  hz_recording_files_checksum_missing (sched->recording_files);

  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  hz_sched_stop (sched);
  g_clear_pointer (&sched->composer, hz_composer_free);
  g_clear_pointer (&sched->recording_files, hz_recording_files_free);
  g_message ("Stopped");
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_auto (HzOptions) options = { 0 };
  g_autoptr (GError) error = NULL;
  HzConfig *config;

  setlocale (LC_ALL, "");

  /* The database and the token secret hold patient data and keys, so
   * every file and directory the scheduler creates is owner-only, also
   * those that SQLite creates (journals, temporary files). */
  umask (077);

  if (!parse_options (&argc, &argv, &options, &error))
    {
      g_printerr ("huizhen-scheduler: %s\n", error->message);
      return 1;
    }

  config = hz_config_load (options.config_path, &error);
  if (config == NULL)
    {
      g_printerr ("huizhen-scheduler: %s\n", error->message);
      return 1;
    }

  if (options.create_admin != NULL)
    {
      int status = create_admin (config, options.create_admin);

      hz_config_free (config);
      return status;
    }

  if (options.apply_retention)
    {
      int status = apply_retention (config);

      hz_config_free (config);
      return status;
    }

  /* serve() owns CONFIG from here on, through the HzSched. */
  return serve (config, options.demo);
}
