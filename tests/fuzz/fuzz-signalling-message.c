/* Fuzz target: one client WebSocket frame, as the relay parses it. */
#include <glib.h>
#include <stdint.h>

#include "signalling-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HzSignalMessage) message =
    hz_signal_message_parse ((const char *) data, size, &error);

  if (message == NULL)
    g_assert_true (error != NULL && error->domain == HZ_SIGNAL_ERROR);
  else
    g_assert_nonnull (hz_signal_type_to_string (message->type));
  return 0;
}
