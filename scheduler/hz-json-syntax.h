/* A strict RFC 8259 syntax check for request bodies.
 *
 * JSON-GLib 1.6 parses a superset of JSON: comments, single-quoted strings,
 * hexadecimal numbers, trailing text after the value ("{} {}") and unknown
 * escapes all load without an error, and it parses recursively, so deep
 * nesting could exhaust the stack. Bodies pass this check before JSON-GLib
 * parses them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns TRUE when DATA is exactly one JSON object (surrounded by optional
 * whitespace) whose arrays and objects nest at most MAX_DEPTH deep. Also
 * rejects "\u0000" and unpaired UTF-16 surrogate escapes, which have no
 * place in a C string of valid UTF-8. DATA must be valid UTF-8. */
gboolean hz_json_check_object_syntax (const char *data,
                                      gsize       length,
                                      int         max_depth);

G_END_DECLS
