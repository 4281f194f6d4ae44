/* FHIR R4 (4.0.1) rules. The invariants follow R4's FHIRPath expressions
 * (app-2, app-3 and app-4 of Appointment; bdl-1, bdl-2 and bdl-7 of
 * Bundle; cpb-1 of CapabilityStatement).
 * NOTE: the element lists, value sets and primitive patterns were
 * transcribed by hand from the R4 pages, not generated from its
 * StructureDefinitions. */
#include "fhir-r4-check.h"

#include <string.h>

/* The regular expressions of R4's primitive types (datatypes.html). */
#define ID_PATTERN "^[A-Za-z0-9\\-\\.]{1,64}$"
#define INSTANT_PATTERN                                                       \
  "^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-"       \
  "(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"   \
  "(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$"
#define DATE_TIME_PATTERN                                                     \
  "^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])"       \
  "(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)" \
  "(\\.[0-9]+)?(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$"
#define RELATIVE_REFERENCE_PATTERN "^[A-Z][A-Za-z]+/[A-Za-z0-9\\-\\.]{1,64}$"

static const char *const resource_base[] = {
  "resourceType", "id", "meta", "implicitRules", "language", NULL,
};
static const char *const domain_resource[] = {
  "text", "contained", "extension", "modifierExtension", NULL,
};

static const char *const appointment_elements[] = {
  "identifier", "status", "cancelationReason", "serviceCategory", "serviceType", "specialty",
  "appointmentType", "reasonCode", "reasonReference", "priority", "description",
  "supportingInformation", "start", "end", "minutesDuration", "slot", "created", "comment",
  "patientInstruction", "basedOn", "participant", "requestedPeriod", NULL,
};
static const char *const participant_elements[] = {
  "id", "extension", "modifierExtension", "type", "actor", "required", "status", "period", NULL,
};
static const char *const slot_elements[] = {
  "identifier", "serviceCategory", "serviceType", "specialty", "appointmentType", "schedule",
  "status", "start", "end", "overbooked", "comment", NULL,
};
static const char *const schedule_elements[] = {
  "identifier", "active", "serviceCategory", "serviceType", "specialty", "actor",
  "planningHorizon", "comment", NULL,
};
static const char *const practitioner_elements[] = {
  "identifier", "active", "name", "telecom", "address", "gender", "birthDate", "photo",
  "qualification", "communication", NULL,
};
static const char *const bundle_elements[] = {
  "identifier", "type", "timestamp", "total", "link", "entry", "signature", NULL,
};
static const char *const entry_elements[] = {
  "id", "extension", "modifierExtension", "link", "fullUrl", "resource", "search", "request",
  "response", NULL,
};
static const char *const outcome_elements[] = { "issue", NULL };
static const char *const issue_elements[] = {
  "id", "extension", "modifierExtension", "severity", "code", "details", "diagnostics",
  "location", "expression", NULL,
};

static const char *const appointment_status[] = {
  "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
  "entered-in-error", "checked-in", "waitlist", NULL,
};
static const char *const participation_status[] = {
  "accepted", "declined", "tentative", "needs-action", NULL,
};
static const char *const participant_required[] = {
  "required", "optional", "information-only", NULL,
};
static const char *const slot_status[] = {
  "busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error", NULL,
};
static const char *const bundle_type[] = {
  "document", "message", "transaction", "transaction-response", "batch", "batch-response",
  "history", "searchset", "collection", NULL,
};
static const char *const search_entry_mode[] = { "match", "include", "outcome", NULL };
static const char *const issue_severity[] = { "fatal", "error", "warning", "information", NULL };
static const char *const issue_type[] = {
  "invalid", "structure", "required", "value", "invariant", "security", "login", "unknown",
  "expired", "forbidden", "suppressed", "processing", "not-supported", "duplicate",
  "multiple-matches", "not-found", "deleted", "too-long", "code-invalid", "extension",
  "too-costly", "business-rule", "conflict", "transient", "lock-error", "no-store", "exception",
  "timeout", "incomplete", "throttled", "informational", NULL,
};
static const char *const publication_status[] = { "draft", "active", "retired", "unknown", NULL };
static const char *const capability_kind[] = { "instance", "capability", "requirements", NULL };

typedef struct {
  GString *problems;
} Checker;

static void G_GNUC_PRINTF (3, 4)
report (Checker    *checker,
        const char *path,
        const char *format,
        ...)
{
  va_list args;

  g_string_append_printf (checker->problems, "%s: ", path);
  va_start (args, format);
  g_string_append_vprintf (checker->problems, format, args);
  va_end (args);
  g_string_append_c (checker->problems, '\n');
}

static gboolean
matches (const char *pattern,
         const char *text)
{
  return g_regex_match_simple (pattern, text, 0, 0);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }
  return TRUE;
}

/* json.html: no null, no empty string, array or object, anywhere. */
static void
check_json_rules (Checker    *checker,
                  JsonNode   *node,
                  const char *path)
{
  if (JSON_NODE_HOLDS_NULL (node))
    report (checker, path, "null is not allowed");
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
           is_blank (json_node_get_string (node)))
    report (checker, path, "empty or blank string");
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      if (json_array_get_length (array) == 0)
        report (checker, path, "empty array");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s[%u]", path, i);

          check_json_rules (checker, json_array_get_element (array, i), child);
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      if (json_object_get_size (object) == 0)
        report (checker, path, "empty object");
      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &member))
        {
          g_autofree char *child = g_strdup_printf ("%s.%s", path, name);

          check_json_rules (checker, member, child);
        }
    }
}

/* Reports members of OBJECT that are neither in ELEMENTS nor, for
 * resources, in the base elements: a misspelt element is an error. */
static void
check_elements (Checker           *checker,
                JsonObject        *object,
                const char        *path,
                const char *const *elements,
                gboolean           is_resource)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &member))
    {
      if (g_strv_contains (elements, name))
        continue;
      if (is_resource && (g_strv_contains (resource_base, name) ||
                          g_strv_contains (domain_resource, name)))
        continue;
      report (checker, path, "unknown element '%s'", name);
    }
}

/* Returns the string member NAME, reporting a wrong type; NULL when absent. */
static const char *
get_string (Checker    *checker,
            JsonObject *object,
            const char *path,
            const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    {
      report (checker, path, "'%s' must be a string", name);
      return NULL;
    }
  return json_node_get_string (member);
}

static const char *
require_string (Checker    *checker,
                JsonObject *object,
                const char *path,
                const char *name)
{
  const char *value = get_string (checker, object, path, name);

  if (value == NULL && !json_object_has_member (object, name))
    report (checker, path, "'%s' is required (1..1)", name);
  return value;
}

static void
check_code (Checker           *checker,
            JsonObject        *object,
            const char        *path,
            const char        *name,
            const char *const *value_set,
            gboolean           required)
{
  const char *value = required ? require_string (checker, object, path, name)
                               : get_string (checker, object, path, name);

  if (value != NULL && !g_strv_contains (value_set, value))
    report (checker, path, "'%s' value '%s' is not in its required value set", name, value);
}

static void
check_pattern (Checker    *checker,
               JsonObject *object,
               const char *path,
               const char *name,
               const char *pattern,
               const char *type)
{
  const char *value = get_string (checker, object, path, name);

  if (value != NULL && !matches (pattern, value))
    report (checker, path, "'%s' value '%s' is not a valid %s", name, value, type);
}

/* Returns the array member NAME, reporting a wrong type; NULL when absent. */
static JsonArray *
get_array (Checker    *checker,
           JsonObject *object,
           const char *path,
           const char *name,
           gboolean    required)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL)
    {
      if (required)
        report (checker, path, "'%s' is required (1..*)", name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (member))
    {
      report (checker, path, "'%s' must be an array", name);
      return NULL;
    }
  return json_node_get_array (member);
}

static JsonObject *
get_object (Checker    *checker,
            JsonObject *object,
            const char *path,
            const char *name,
            gboolean    required)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL)
    {
      if (required)
        report (checker, path, "'%s' is required (1..1)", name);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (member))
    {
      report (checker, path, "'%s' must be an object", name);
      return NULL;
    }
  return json_node_get_object (member);
}

/* A Reference: reference, if present, is "Type/id" or an absolute URL. */
static void
check_reference (Checker    *checker,
                 JsonObject *reference,
                 const char *path,
                 const char *expected_type)
{
  const char *text = get_string (checker, reference, path, "reference");

  if (text == NULL)
    {
      if (!json_object_has_member (reference, "identifier") &&
          !json_object_has_member (reference, "display"))
        report (checker, path, "a Reference needs reference, identifier or display");
      return;
    }

  if (!matches (RELATIVE_REFERENCE_PATTERN, text) && !g_str_has_prefix (text, "http"))
    report (checker, path, "reference '%s' is neither Type/id nor an absolute URL", text);
  if (expected_type != NULL && !g_str_has_prefix (text, expected_type))
    report (checker, path, "reference '%s' is not to a %s", text, expected_type);
}

static void
check_resource_id (Checker    *checker,
                   JsonObject *resource,
                   const char *path)
{
  const char *id = require_string (checker, resource, path, "id");

  if (id != NULL && !matches (ID_PATTERN, id))
    report (checker, path, "id '%s' is not a valid id", id);

  if (json_object_has_member (resource, "meta"))
    {
      JsonObject *meta = get_object (checker, resource, path, "meta", FALSE);

      if (meta != NULL)
        check_pattern (checker, meta, path, "lastUpdated", INSTANT_PATTERN, "instant");
    }
}

static gboolean
read_instant (const char *text,
              gint64     *unix_seconds)
{
  g_autoptr (GDateTime) time = text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  if (time == NULL)
    return FALSE;
  *unix_seconds = g_date_time_to_unix (time);
  return TRUE;
}

static void
check_positive_int (Checker    *checker,
                    JsonObject *object,
                    const char *path,
                    const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL)
    return;
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64 ||
      json_node_get_int (member) < 1)
    report (checker, path, "'%s' must be a positiveInt", name);
}

static void
check_boolean (Checker    *checker,
               JsonObject *object,
               const char *path,
               const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member != NULL &&
      (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN))
    report (checker, path, "'%s' must be a boolean", name);
}

static void
check_participant (Checker    *checker,
                   JsonObject *participant,
                   const char *path)
{
  JsonObject *actor = get_object (checker, participant, path, "actor", FALSE);

  check_elements (checker, participant, path, participant_elements, FALSE);
  check_code (checker, participant, path, "status", participation_status, TRUE);
  check_code (checker, participant, path, "required", participant_required, FALSE);

  /* app-1 */
  if (!json_object_has_member (participant, "type") && actor == NULL)
    report (checker, path, "app-1: either the type or actor on the participant SHALL be specified");
  get_array (checker, participant, path, "type", FALSE);
  if (actor != NULL)
    check_reference (checker, actor, path, NULL);
}

/* Checks start, end and the invariants app-2, app-3 and app-4. */
static void
check_appointment_period (Checker    *checker,
                          JsonObject *appointment,
                          const char *path,
                          const char *status)
{
  const char *start = get_string (checker, appointment, path, "start");
  const char *end = get_string (checker, appointment, path, "end");
  gint64 start_seconds, end_seconds;

  check_pattern (checker, appointment, path, "start", INSTANT_PATTERN, "instant");
  check_pattern (checker, appointment, path, "end", INSTANT_PATTERN, "instant");

  if ((start == NULL) != (end == NULL))
    report (checker, path, "app-2: either start and end are specified, or neither");

  if ((start == NULL || end == NULL) && status != NULL &&
      !g_str_equal (status, "proposed") && !g_str_equal (status, "cancelled") &&
      !g_str_equal (status, "waitlist"))
    report (checker, path, "app-3: only proposed or cancelled appointments can be missing "
            "start/end dates (status is %s)", status);

  /* R4 writes app-4 as "status='no-show' or status='cancelled'", and
   * 'no-show' is not a status code ("noshow" is), so only cancelled
   * Appointments pass it with a cancelationReason. */
  if (json_object_has_member (appointment, "cancelationReason") &&
      g_strcmp0 (status, "cancelled") != 0)
    report (checker, path, "app-4: cancelationReason is only used for cancelled or no-show "
            "appointments (status is %s)", status);

  if (read_instant (start, &start_seconds) && read_instant (end, &end_seconds) &&
      start_seconds > end_seconds)
    report (checker, path, "start %s is after end %s", start, end);
}

static void
check_appointment (Checker    *checker,
                   JsonObject *appointment,
                   const char *path)
{
  JsonArray *participants;
  const char *status;

  check_elements (checker, appointment, path, appointment_elements, TRUE);
  check_resource_id (checker, appointment, path);
  check_code (checker, appointment, path, "status", appointment_status, TRUE);
  status = get_string (checker, appointment, path, "status");

  check_appointment_period (checker, appointment, path, status);
  check_positive_int (checker, appointment, path, "minutesDuration");
  check_pattern (checker, appointment, path, "created", DATE_TIME_PATTERN, "dateTime");

  participants = get_array (checker, appointment, path, "participant", TRUE);
  for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
    {
      JsonNode *element = json_array_get_element (participants, i);
      g_autofree char *child = g_strdup_printf ("%s.participant[%u]", path, i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        report (checker, child, "must be an object");
      else
        check_participant (checker, json_node_get_object (element), child);
    }
}

static void
check_slot (Checker    *checker,
            JsonObject *slot,
            const char *path)
{
  JsonObject *schedule = get_object (checker, slot, path, "schedule", TRUE);
  const char *start = require_string (checker, slot, path, "start");
  const char *end = require_string (checker, slot, path, "end");
  gint64 start_seconds, end_seconds;

  check_elements (checker, slot, path, slot_elements, TRUE);
  check_resource_id (checker, slot, path);
  check_code (checker, slot, path, "status", slot_status, TRUE);
  check_pattern (checker, slot, path, "start", INSTANT_PATTERN, "instant");
  check_pattern (checker, slot, path, "end", INSTANT_PATTERN, "instant");
  check_boolean (checker, slot, path, "overbooked");
  if (schedule != NULL)
    check_reference (checker, schedule, path, "Schedule/");

  if (read_instant (start, &start_seconds) && read_instant (end, &end_seconds) &&
      start_seconds >= end_seconds)
    report (checker, path, "start %s is not before end %s", start, end);
}

static void
check_schedule (Checker    *checker,
                JsonObject *schedule,
                const char *path)
{
  JsonArray *actors = get_array (checker, schedule, path, "actor", TRUE);

  check_elements (checker, schedule, path, schedule_elements, TRUE);
  check_resource_id (checker, schedule, path);
  check_boolean (checker, schedule, path, "active");

  for (guint i = 0; actors != NULL && i < json_array_get_length (actors); i++)
    {
      JsonNode *element = json_array_get_element (actors, i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        report (checker, path, "actor[%u] must be a Reference", i);
      else
        check_reference (checker, json_node_get_object (element), path, NULL);
    }
}

static void
check_practitioner (Checker    *checker,
                    JsonObject *practitioner,
                    const char *path)
{
  check_elements (checker, practitioner, path, practitioner_elements, TRUE);
  check_resource_id (checker, practitioner, path);
  check_boolean (checker, practitioner, path, "active");
  get_array (checker, practitioner, path, "name", FALSE);
}

static void
check_operation_outcome (Checker    *checker,
                         JsonObject *outcome,
                         const char *path)
{
  JsonArray *issues = get_array (checker, outcome, path, "issue", TRUE);

  check_elements (checker, outcome, path, outcome_elements, TRUE);
  for (guint i = 0; issues != NULL && i < json_array_get_length (issues); i++)
    {
      JsonNode *element = json_array_get_element (issues, i);
      g_autofree char *child = g_strdup_printf ("%s.issue[%u]", path, i);
      JsonObject *issue;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          report (checker, child, "must be an object");
          continue;
        }
      issue = json_node_get_object (element);
      check_elements (checker, issue, child, issue_elements, FALSE);
      check_code (checker, issue, child, "severity", issue_severity, TRUE);
      check_code (checker, issue, child, "code", issue_type, TRUE);
      get_object (checker, issue, child, "details", FALSE);
      get_string (checker, issue, child, "diagnostics");
    }
}

static void
check_capability_statement (Checker    *checker,
                            JsonObject *statement,
                            const char *path)
{
  check_code (checker, statement, path, "status", publication_status, TRUE);
  require_string (checker, statement, path, "date");
  check_pattern (checker, statement, path, "date", DATE_TIME_PATTERN, "dateTime");
  check_code (checker, statement, path, "kind", capability_kind, TRUE);
  require_string (checker, statement, path, "fhirVersion");
  get_array (checker, statement, path, "format", TRUE);

  /* cpb-1 */
  if (!json_object_has_member (statement, "rest") &&
      !json_object_has_member (statement, "messaging") &&
      !json_object_has_member (statement, "document"))
    report (checker, path, "cpb-1: a CapabilityStatement SHALL have rest, messaging or document");
}

static void check_resource (Checker    *checker,
                            JsonNode   *node,
                            const char *path);

/* fullUrl of a RESTful server: an absolute URL ending in TYPE/ID. */
static void
check_full_url (Checker    *checker,
                JsonObject *entry,
                JsonObject *resource,
                const char *path,
                GHashTable *seen)
{
  const char *full_url = require_string (checker, entry, path, "fullUrl");
  const char *type = resource ? json_object_get_string_member_with_default (resource,
                                                                            "resourceType", "")
                              : "";
  const char *id = resource ? json_object_get_string_member_with_default (resource, "id", "")
                            : "";
  g_autofree char *suffix = g_strdup_printf ("/%s/%s", type, id);

  if (full_url == NULL)
    return;
  if (!g_str_has_prefix (full_url, "http://") && !g_str_has_prefix (full_url, "https://"))
    report (checker, path, "fullUrl '%s' is not an absolute URL", full_url);
  if (resource != NULL && !g_str_has_suffix (full_url, suffix))
    report (checker, path, "fullUrl '%s' does not end in %s", full_url, suffix);

  /* bdl-7 (no versionId here) */
  if (!g_hash_table_add (seen, g_strdup (full_url)))
    report (checker, path, "bdl-7: fullUrl '%s' appears twice", full_url);
}

static void
check_bundle_entry (Checker    *checker,
                    JsonObject *entry,
                    const char *path,
                    const char *type,
                    GHashTable *seen)
{
  JsonObject *resource = get_object (checker, entry, path, "resource", FALSE);
  JsonObject *search = get_object (checker, entry, path, "search", FALSE);

  check_elements (checker, entry, path, entry_elements, FALSE);
  check_full_url (checker, entry, resource, path, seen);

  /* bdl-2 */
  if (search != NULL && g_strcmp0 (type, "searchset") != 0)
    report (checker, path, "bdl-2: entry.search only when a search");
  if (search != NULL)
    check_code (checker, search, path, "mode", search_entry_mode, FALSE);

  if (resource != NULL)
    {
      g_autofree char *child = g_strdup_printf ("%s.resource", path);

      check_resource (checker, json_object_get_member (entry, "resource"), child);
    }
  else if (g_strcmp0 (type, "searchset") == 0)
    report (checker, path, "a searchset entry has a resource");
}

static void
check_bundle (Checker    *checker,
              JsonObject *bundle,
              const char *path)
{
  const char *type = require_string (checker, bundle, path, "type");
  JsonArray *links = get_array (checker, bundle, path, "link", FALSE);
  JsonArray *entries = get_array (checker, bundle, path, "entry", FALSE);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  check_elements (checker, bundle, path, bundle_elements, TRUE);
  check_code (checker, bundle, path, "type", bundle_type, TRUE);

  /* bdl-1 */
  if (json_object_has_member (bundle, "total") && g_strcmp0 (type, "searchset") != 0 &&
      g_strcmp0 (type, "history") != 0)
    report (checker, path, "bdl-1: total only when a search or history");
  if (json_object_has_member (bundle, "total") &&
      (json_node_get_value_type (json_object_get_member (bundle, "total")) != G_TYPE_INT64 ||
       json_object_get_int_member (bundle, "total") < 0))
    report (checker, path, "'total' must be an unsignedInt");

  for (guint i = 0; links != NULL && i < json_array_get_length (links); i++)
    {
      JsonObject *link = json_array_get_object_element (links, i);

      require_string (checker, link, path, "relation");
      require_string (checker, link, path, "url");
    }

  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
    {
      g_autofree char *child = g_strdup_printf ("%s.entry[%u]", path, i);

      check_bundle_entry (checker, json_array_get_object_element (entries, i), child, type,
                          seen);
    }
}

static void
check_resource (Checker    *checker,
                JsonNode   *node,
                const char *path)
{
  JsonObject *resource;
  const char *type;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      report (checker, path, "a resource is a JSON object");
      return;
    }

  resource = json_node_get_object (node);
  type = require_string (checker, resource, path, "resourceType");
  if (g_strcmp0 (type, "Appointment") == 0)
    check_appointment (checker, resource, path);
  else if (g_strcmp0 (type, "Slot") == 0)
    check_slot (checker, resource, path);
  else if (g_strcmp0 (type, "Schedule") == 0)
    check_schedule (checker, resource, path);
  else if (g_strcmp0 (type, "Practitioner") == 0)
    check_practitioner (checker, resource, path);
  else if (g_strcmp0 (type, "Bundle") == 0)
    check_bundle (checker, resource, path);
  else if (g_strcmp0 (type, "OperationOutcome") == 0)
    check_operation_outcome (checker, resource, path);
  else if (g_strcmp0 (type, "CapabilityStatement") == 0)
    check_capability_statement (checker, resource, path);
  else
    report (checker, path, "resourceType '%s' is not one that this checker knows", type);
}

char *
fhir_r4_check (JsonNode *node)
{
  Checker checker = { g_string_new (NULL) };

  if (node == NULL)
    return g_strdup ("the body is not JSON");

  check_json_rules (&checker, node, "$");
  check_resource (&checker, node, "$");

  if (checker.problems->len == 0)
    {
      g_string_free (checker.problems, TRUE);
      return NULL;
    }
  return g_string_free (checker.problems, FALSE);
}
