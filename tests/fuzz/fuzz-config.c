/* Fuzz target: the config loader on arbitrary file contents. */
#include <glib.h>
#include <stdint.h>

#include "hz-config.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HzConfig) config =
    hz_config_load_from_data ((const char *) data, size, "fuzz.conf", &error);

  g_assert_true ((config == NULL) == (error != NULL));
  return 0;
}
