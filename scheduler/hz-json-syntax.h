/* A strict RFC 8259 syntax check for request bodies.
 *
 * JSON-GLib 1.6 parses a superset of JSON: comments, single-quoted strings,
 * hexadecimal numbers, trailing text after the value ("{} {}") and unknown
 * escapes all load without an error, and it parses recursively, so deep
 * nesting could exhaust the stack. It also keeps only the last of two
 * members with the same name, and cuts a string at an escaped U+0000.
 * Bodies pass this check before JSON-GLib parses them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HZ_JSON_SYNTAX_VALID,
  HZ_JSON_SYNTAX_INVALID,
  HZ_JSON_SYNTAX_NUL_IN_STRING,   /* valid JSON, but a string value contains "\u0000" */
} HzJsonSyntax;

/* Checks that DATA is exactly one JSON object (surrounded by optional
 * whitespace) whose arrays and objects nest at most MAX_DEPTH deep, with
 * no two members of one object named alike (after escapes are decoded).
 * Rejects unpaired UTF-16 surrogate escapes and "\u0000" in member names.
 * A "\u0000" in a string value gives HZ_JSON_SYNTAX_NUL_IN_STRING and, when
 * NUL_FIELD is not NULL, the path of the first such value in *NUL_FIELD,
 * e.g. "patient.summary" or "hours[2].start". DATA must be valid UTF-8. */
HzJsonSyntax hz_json_check_object_syntax (const char  *data,
                                          gsize        length,
                                          int          max_depth,
                                          char       **nul_field);

G_END_DECLS
