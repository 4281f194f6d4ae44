/* Parsing and validation of JSON request bodies.
 *
 * Each endpoint declares its fields in a table of HzFieldSpec. Before a
 * handler runs, the request layer parses the body with
 * hz_json_parse_object() and checks it with hz_fields_validate(), so
 * handlers read values that are present and of the declared type. Members
 * that no table names are ignored.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "hz-sched-errors.h"

G_BEGIN_DECLS

/* The largest request body that hz_json_parse_object() takes: the largest
 * [scheduler] max-body-kib that the config accepts (100000 KiB). The
 * configured limit, 1 MiB by default, is enforced before, against
 * Content-Length and while the body arrives (hz-sched-body-limit.h). */
#define HZ_BODY_MAX_BYTES (100000 * 1024)

/* Maximum nesting of arrays and objects in a body. The syntax check and
 * JSON-GLib 1.6 both parse recursively, so this bounds their stack use. */
#define HZ_JSON_MAX_DEPTH 32

/* Maximum duration of a session that can be booked. */
#define HZ_SESSION_MAX_HOURS 12

/* How far from the time of the request a booked session may start: a day
 * back, so that a session that has just begun can still be entered, and
 * five years ahead (1827 days, with two leap days). Anything further is a
 * likely typing error, such as a wrong year, and is rejected. */
#define HZ_BOOKING_MAX_PAST_SECONDS (24 * 3600)
#define HZ_BOOKING_MAX_AHEAD_DAYS 1827

typedef enum {
  HZ_FIELD_STRING,
  HZ_FIELD_INTEGER,
  HZ_FIELD_ID,         /* positive integer */
  HZ_FIELD_ID_OR_DIGITS, /* positive integer, or a string of its decimal digits, as the
                          * relay sends participant ids */
  HZ_FIELD_TIME,       /* RFC 3339 string with an offset */
  HZ_FIELD_TIMESTAMP,  /* RFC 3339 string with an offset, or integer Unix seconds */
  HZ_FIELD_OBJECT,
  HZ_FIELD_ARRAY,      /* JSON array whose elements all match the spec in items */
  HZ_FIELD_BOOLEAN,    /* true or false */
} HzFieldType;

typedef struct _HzFieldSpec HzFieldSpec;

/* One member of a request body. A table ends with an entry whose name is
 * NULL. A JSON null counts as absent. */
struct _HzFieldSpec {
  const char *name;
  HzFieldType type;
  gboolean required;
  guint max_length;              /* strings: maximum characters; 0 for no limit */
  const char *const *allowed;    /* strings: NULL-terminated allowed values, or NULL */
  gint64 min;                    /* integers: inclusive range, used when min < max */
  gint64 max;
  const HzFieldSpec *members;    /* objects: the table of their members */
  const HzFieldSpec *items;      /* arrays: one spec for every element; its name is unused */
  guint max_items;               /* arrays: maximum number of elements */
  guint min_length;              /* strings: minimum characters; 0 for no limit */
  gboolean multiline;            /* strings: free text that may contain "\n", "\t" and
                                  * "\r\n"; other control characters are rejected */
  gboolean secret;               /* strings: a password, checked for length only */
};

typedef enum {
  HZ_FIELD_PROBLEM_MISSING,
  HZ_FIELD_PROBLEM_WRONG_TYPE,
  HZ_FIELD_PROBLEM_EMPTY,
  HZ_FIELD_PROBLEM_TOO_LONG,
  HZ_FIELD_PROBLEM_NOT_ALLOWED,
  HZ_FIELD_PROBLEM_OUT_OF_RANGE,
  HZ_FIELD_PROBLEM_INVALID_TIME,
  HZ_FIELD_PROBLEM_LEAP_SECOND,
  HZ_FIELD_PROBLEM_END_NOT_AFTER_START,
  HZ_FIELD_PROBLEM_DURATION_TOO_LONG,
  HZ_FIELD_PROBLEM_INVALID_REFERENCE,
  HZ_FIELD_PROBLEM_INVALID_VALUE,
  HZ_FIELD_PROBLEM_TOO_MANY_ITEMS,
  HZ_FIELD_PROBLEM_TOO_SHORT,
  HZ_FIELD_PROBLEM_TOO_FAR_IN_PAST,
  HZ_FIELD_PROBLEM_TOO_FAR_AHEAD,
  HZ_FIELD_PROBLEM_CONTROL_CHARACTER,
} HzFieldProblem;

/* A rejected field: its path ("patient.age", "hours[2].start"), what is wrong with it
 * and, where known, the spec that it failed. */
typedef struct {
  char *field;
  HzFieldProblem problem;
  const HzFieldSpec *spec;       /* borrowed from a static table, or NULL */
} HzFieldError;

HzFieldError *hz_field_error_new (const char        *field,
                                  HzFieldProblem     problem,
                                  const HzFieldSpec *spec);
void hz_field_error_free (HzFieldError *error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzFieldError, hz_field_error_free)

/* invalid_time for the time problems, invalid_field for the others. */
HzSchedErrorCode hz_field_error_code (const HzFieldError *error);

/* The client-facing message, naming the field, in LANGUAGE. */
char *hz_field_error_message (const HzFieldError *error,
                              HzLanguage          language);

/* Parses a request body that must be one JSON object in UTF-8, at most
 * HZ_BODY_MAX_BYTES long, nested at most HZ_JSON_MAX_DEPTH deep and
 * without two members of one object named alike. Returns a new
 * reference, or NULL for anything else. A body that is valid JSON except
 * for "\u0000" in a string value also gives NULL, and then sets
 * *NUL_FIELD (when NUL_FIELD is not NULL) to the path of that value, e.g.
 * "patient.summary". */
JsonObject *hz_json_parse_object (const char  *data,
                                  gsize        length,
                                  char       **nul_field);

/* Checks OBJECT against SPECS. Returns FALSE and sets *ERROR (a new
 * HzFieldError) at the first field that fails. */
gboolean hz_fields_validate (JsonObject         *object,
                             const HzFieldSpec  *specs,
                             HzFieldError      **error);

/* Checks the interval [START, END) of a session booked at NOW (all Unix
 * seconds): END after START, at most HZ_SESSION_MAX_HOURS long, and START
 * neither more than HZ_BOOKING_MAX_PAST_SECONDS before NOW nor more than
 * HZ_BOOKING_MAX_AHEAD_DAYS after it. Returns NULL, or the first problem
 * with the field that it concerns ("start" or "end"). */
HzFieldError *hz_fields_check_session_interval (gint64 start,
                                                gint64 end,
                                                gint64 now);

/* Accessors for a validated object; absent and null members give the
 * fallback (NULL for strings and objects). */
const char *hz_fields_get_string (JsonObject *object,
                                  const char *name);
gint64 hz_fields_get_integer (JsonObject *object,
                              const char *name,
                              gint64      fallback);
gint64 hz_fields_get_id (JsonObject *object,
                         const char *name);
gint64 hz_fields_get_time (JsonObject *object,
                           const char *name,
                           gint64      fallback);
JsonObject *hz_fields_get_object (JsonObject *object,
                                  const char *name);
JsonArray *hz_fields_get_array (JsonObject *object,
                                const char *name);
gboolean hz_fields_get_boolean (JsonObject *object,
                                const char *name,
                                gboolean    fallback);

/* The problem of a time string that hz_time_parse_rfc3339() rejected:
 * HZ_FIELD_PROBLEM_LEAP_SECOND or HZ_FIELD_PROBLEM_INVALID_TIME. */
HzFieldProblem hz_field_time_problem (const char *text);

G_END_DECLS
