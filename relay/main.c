/* huizhen-relay: the WebRTC media relay (SFU) of Huizhen.
 *
 * Usage: huizhen-relay [--config FILE]
 * Clients join rooms over the WebSocket protocol of docs/signalling.md; the
 * relay forwards their RTP to each other and records every track.
 */
#include "relay.h"

#include <glib-unix.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static gboolean
on_stop_signal (gpointer data)
{
  hz_relay_stop (data);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "Read the configuration from FILE (default: built-in defaults)", "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("- Huizhen media relay");
  g_autoptr (GError) error = NULL;
  g_autoptr (HzConfig) config = NULL;
  g_autoptr (HzRelay) relay = NULL;
  guint sigint_id, sigterm_id;

  /* Recordings hold patient video, and filesink creates files with mode
   * 0666 minus the umask, so everything the relay creates is owner-only. */
  umask (077);

  g_option_context_add_main_entries (options, entries, NULL);
  g_option_context_add_group (options, gst_init_get_option_group ());
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    fprintf (stderr, "huizhen-relay: %s\n", error->message);
    return EXIT_FAILURE;
  }

  config = hz_config_load (config_path, &error);
  if (config == NULL) {
    fprintf (stderr, "huizhen-relay: %s\n", error->message);
    return EXIT_FAILURE;
  }

  relay = hz_relay_new (g_steal_pointer (&config), &error);
  if (relay == NULL || !hz_relay_listen (relay, &error)) {
    fprintf (stderr, "huizhen-relay: %s\n", error->message);
    return EXIT_FAILURE;
  }

  sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, relay);
  sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, relay);
  g_main_loop_run (relay->loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  g_clear_pointer (&relay, hz_relay_free);
  gst_deinit ();
  return EXIT_SUCCESS;
}
