/* Makes GLib's reports of misuse crash a fuzz target, so that libFuzzer
 * saves the input.
 *
 * A GError set twice, a g_return_if_fail() that failed or a GObject type
 * error is reported with g_warning() or g_critical() and execution goes on,
 * so libFuzzer would not notice it. Warnings of Huizhen's own log domains
 * ("huizhen-...") can be the expected result of bad input and stay
 * warnings. libFuzzer calls LLVMFuzzerInitialize() before the first input;
 * fuzz-replay.c calls it too.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);

static const char *
log_domain (const GLogField *fields, gsize n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0)
      return fields[i].value;
  return NULL;
}

static const char *
log_message (const GLogField *fields, gsize n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      return fields[i].value;
  return "";
}

/* GLib 2.74's GKeyFile sets its own GError twice for a value with an
 * invalid escape sequence followed by a backslash at the end of the line
 * (g_key_file_get_string() on "a\\q\\"), whatever the caller passes. Only
 * GKeyFile uses this message, so the warning is not about Huizhen's code. */
static gboolean
is_key_file_double_error (const char *message)
{
  return strstr (message, "GError set over the top of a previous GError") != NULL
         && strstr (message, "The overwriting error message was: Key file contains "
                             "escape character at end of line") != NULL;
}

static GLogWriterOutput
abort_on_misuse (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                 gpointer user_data)
{
  GLogWriterOutput output = g_log_writer_standard_streams (level, fields, n_fields, user_data);
  const char *domain = log_domain (fields, n_fields);
  gboolean ours = domain != NULL && g_str_has_prefix (domain, "huizhen-");

  if (is_key_file_double_error (log_message (fields, n_fields)))
    return output;

  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) != 0
      || ((level & G_LOG_LEVEL_WARNING) != 0 && !ours))
    abort ();
  return output;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_writer_func (abort_on_misuse, NULL, NULL);
  return 0;
}
