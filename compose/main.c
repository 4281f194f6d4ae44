/* huizhen-compose: composes the recorded tracks of one session into one
 * WebM and one MP4 file. The scheduler runs it as a subprocess; see
 * compose-track.h for the manifest and compose-pipeline.h for the outputs.
 *
 * stdout carries one JSON object per line:
 *   {"event":"progress","position_s":12.5,"duration_s":30.0}
 *   {"event":"done","duration_s":30.0,"elapsed_s":9.1}
 * Errors go to stderr, and the exit status is 0 on success, 1 on a bad
 * argument or manifest and 2 when composing failed.
 */
#include "compose-pipeline.h"
#include "compose-track.h"

#include <gst/gst.h>
#include <stdio.h>

enum {
  EXIT_OK = 0,
  EXIT_USAGE = 1,
  EXIT_COMPOSE_FAILED = 2,
};

static void
print_progress (gint64 position_ns, gint64 duration_ns, gpointer user_data)
{
  printf ("{\"event\":\"progress\",\"position_s\":%.3f,\"duration_s\":%.3f}\n",
          (double) position_ns / GST_SECOND, (double) duration_ns / GST_SECOND);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  g_autofree char *manifest = NULL;
  g_autofree char *webm = NULL;
  g_autofree char *mp4 = NULL;
  int width = 1280, height = 720, framerate = 30;
  GOptionEntry entries[] = {
    { "manifest", 0, 0, G_OPTION_ARG_FILENAME, &manifest,
      "The session's track list (JSON)", "FILE" },
    { "webm", 0, 0, G_OPTION_ARG_FILENAME, &webm, "Output WebM file (VP8 + Opus)", "FILE" },
    { "mp4", 0, 0, G_OPTION_ARG_FILENAME, &mp4, "Output MP4 file (H.264 + AAC)", "FILE" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "Frame width in pixels (default 1280)", "PX" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "Frame height in pixels (default 720)", "PX" },
    { "framerate", 0, 0, G_OPTION_ARG_INT, &framerate,
      "Frames per second of the output (default 30)", "FPS" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- compose a recorded session");
  g_autoptr (GError) error = NULL;
  g_autoptr (HzComposeSession) session = NULL;
  HzComposeOptions options;
  gint64 started_us, duration_ns = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("huizhen-compose: %s\n", error->message);
    return EXIT_USAGE;
  }
  if (manifest == NULL || webm == NULL || mp4 == NULL) {
    g_printerr ("huizhen-compose: --manifest, --webm and --mp4 are required\n");
    return EXIT_USAGE;
  }
  if (width < 64 || width > 3840 || height < 64 || height > 2160 || width % 2 || height % 2
      || framerate < 1 || framerate > 60) {
    g_printerr ("huizhen-compose: the size must be even, 64x64 to 3840x2160, "
                "and the frame rate 1 to 60\n");
    return EXIT_USAGE;
  }

  session = hz_compose_session_load (manifest, &error);
  if (session == NULL) {
    g_printerr ("huizhen-compose: %s\n", error->message);
    return EXIT_USAGE;
  }
  hz_compose_session_place (session);

  options = (HzComposeOptions) { webm, mp4, width, height, framerate };
  started_us = g_get_monotonic_time ();
  if (!hz_compose_run (session, &options, print_progress, NULL, &duration_ns, &error)) {
    g_printerr ("huizhen-compose: session %" G_GINT64_FORMAT ": %s\n", session->session_id,
                error->message);
    return EXIT_COMPOSE_FAILED;
  }
  printf ("{\"event\":\"done\",\"duration_s\":%.3f,\"elapsed_s\":%.3f}\n",
          (double) duration_ns / GST_SECOND,
          (double) (g_get_monotonic_time () - started_us) / G_USEC_PER_SEC);
  fflush (stdout);
  gst_deinit ();
  return EXIT_OK;
}
