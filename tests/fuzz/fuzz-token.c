/* Fuzz target: join token verification, as the relay runs it on every join. */
#include <glib.h>
#include <stdint.h>

#include "hz-token.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const HzSecret secret = { { 1, 2, 3, 4, 5, 6, 7, 8 } };
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(HzJoinToken) token = { 0 };
  g_autoptr(GError) error = NULL;

  if (hz_token_verify (&secret, text, 42, 1800000000, &token, &error))
    g_assert_nonnull (token.name);
  else
    g_assert_true (error != NULL && error->domain == HZ_TOKEN_ERROR);
  return 0;
}
