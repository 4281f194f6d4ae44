/* Runs a fuzz target's entry point over saved inputs, without libFuzzer.
 *
 * Each argument is a file or a directory of files. The normal test suite
 * uses this to replay the seed corpus and every input that once crashed.
 */
#include <glib.h>
#include <stdint.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
replay_file (const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, length);
  return 0;
}

int
main (int argc, char **argv)
{
  int failures = 0, count = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
      const char *name;

      if (dir == NULL)
        {
          failures += replay_file (argv[i]);
          count++;
          continue;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          failures += replay_file (path);
          count++;
        }
    }
  /* TAP, so meson reports the count. */
  g_print ("1..1\n%s 1 - replayed %d inputs\n", failures == 0 && count > 0 ? "ok" : "not ok", count);
  return failures == 0 && count > 0 ? 0 : 1;
}
