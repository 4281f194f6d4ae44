#include "hz-sched-fhir.h"

#include <string.h>

#include "hz-sched-ical.h"
#include "hz-sched-time.h"

#define PARTICIPATION_TYPE_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"

static const struct {
  const char *consultation;
  const char *appointment;
} status_map[] = {
  { "requested", "proposed" },
  { "accepted", "pending" },
  { "returned", "cancelled" },
  { "scheduled", "booked" },
  { "in_progress", "arrived" },
  { "completed", "fulfilled" },
  { "cancelled", "cancelled" },
  { "no_show", "noshow" },
};

gboolean
hz_fhir_status_needs_times (const char *status)
{
  return g_strcmp0 (status, "proposed") != 0 && g_strcmp0 (status, "cancelled") != 0 &&
         g_strcmp0 (status, "waitlist") != 0;
}

const char *
hz_fhir_appointment_status (const char *consultation_status,
                            gboolean    has_times)
{
  for (gsize i = 0; i < G_N_ELEMENTS (status_map); i++)
    {
      const char *status = status_map[i].appointment;

      if (g_strcmp0 (consultation_status, status_map[i].consultation) != 0)
        continue;
      if (!has_times && hz_fhir_status_needs_times (status))
        return "proposed";
      return status;
    }

  return "entered-in-error";
}

/* Returns a node that takes over OBJECT's reference. */
static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

static void
set_time (JsonObject *object,
          const char *member,
          gint64      unix_seconds,
          GTimeZone  *zone)
{
  g_autofree char *text = NULL;

  if (unix_seconds == HZ_TIME_NONE)
    return;
  text = hz_time_format_rfc3339 (unix_seconds, zone);
  if (text != NULL)
    json_object_set_string_member (object, member, text);
}

static char *
id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

/* {"text": TEXT} */
static JsonNode *
text_concept (const char *text)
{
  JsonObject *concept = json_object_new ();

  json_object_set_string_member (concept, "text", text);
  return object_node (concept);
}

static JsonArray *
single_array (JsonNode *element)
{
  JsonArray *array = json_array_new ();

  json_array_add_element (array, element);
  return array;
}

static JsonNode *
reference (const char *type,
           gint64      id,
           const char *display)
{
  JsonObject *object = json_object_new ();
  g_autofree char *text = g_strdup_printf ("%s/%" G_GINT64_FORMAT, type, id);

  json_object_set_string_member (object, "reference", text);
  if (display != NULL)
    json_object_set_string_member (object, "display", display);
  return object_node (object);
}

static JsonNode *
participation_type (const char *code,
                    const char *display)
{
  JsonObject *coding = json_object_new ();
  JsonObject *concept = json_object_new ();

  json_object_set_string_member (coding, "system", PARTICIPATION_TYPE_SYSTEM);
  json_object_set_string_member (coding, "code", code);
  json_object_set_string_member (coding, "display", display);
  json_object_set_array_member (concept, "coding",
                                single_array (object_node (coding)));
  return object_node (concept);
}

/* One Appointment.participant. ACTOR may be NULL: R4 (app-1) needs a type
 * or an actor, and every participant here has a type. */
static JsonNode *
participant (JsonNode   *type,
             JsonNode   *actor,
             const char *status)
{
  JsonObject *object = json_object_new ();

  json_object_set_array_member (object, "type", single_array (type));
  if (actor != NULL)
    json_object_set_member (object, "actor", actor);
  json_object_set_string_member (object, "required", "required");
  json_object_set_string_member (object, "status", status);
  return object_node (object);
}

/* The consulting side: the assigned expert, else the expert that the
 * requester named, else none yet. Its status is the expert's response. */
static JsonNode *
consultant_participant (const HzConsultation *consultation,
                        const HzFhirNames    *names)
{
  JsonNode *type = participation_type ("CON", "consultant");
  JsonNode *actor = NULL;
  const char *status = "needs-action";

  if (consultation->expert_id > 0)
    {
      actor = reference ("Practitioner", consultation->expert_id, names->expert_name);
      status = "accepted";
    }
  else if (consultation->requested_expert_id > 0)
    actor = reference ("Practitioner", consultation->requested_expert_id, names->expert_name);

  if (g_strcmp0 (consultation->status, "returned") == 0)
    status = "declined";

  return participant (type, actor, status);
}

static JsonArray *
appointment_participants (const HzConsultation *consultation,
                          const HzFhirNames    *names)
{
  JsonArray *participants = json_array_new ();

  json_array_add_element (participants, participant (
    participation_type ("REF", "referrer"),
    reference ("Practitioner", consultation->requester_id, names->requester_name),
    "accepted"));
  json_array_add_element (participants, consultant_participant (consultation, names));
  return participants;
}

static void
set_meta (JsonObject *resource,
          gint64      last_updated,
          GTimeZone  *zone)
{
  JsonObject *meta = json_object_new ();

  set_time (meta, "lastUpdated", last_updated, zone);
  json_object_set_object_member (resource, "meta", meta);
}

/* Only cancelled Appointments carry a cancelationReason: R4's app-4
 * expression allows "cancelled" and "no-show", which is not the status
 * code "noshow". A returned request's reason is the return reason. */
static void
set_cancelation_reason (JsonObject           *appointment,
                        const HzConsultation *consultation,
                        const char           *status)
{
  const char *reason = g_strcmp0 (consultation->status, "returned") == 0
                       ? consultation->return_reason : consultation->cancel_reason;

  if (g_strcmp0 (status, "cancelled") != 0 || reason == NULL || *reason == '\0')
    return;
  json_object_set_member (appointment, "cancelationReason", text_concept (reason));
}

static void
set_period (JsonObject           *appointment,
            const HzConsultation *consultation,
            GTimeZone            *zone)
{
  gint64 minutes;

  /* R4 app-2: start and end come together or not at all. */
  if (consultation->start_at == HZ_TIME_NONE || consultation->end_at == HZ_TIME_NONE)
    return;

  set_time (appointment, "start", consultation->start_at, zone);
  set_time (appointment, "end", consultation->end_at, zone);

  minutes = (consultation->end_at - consultation->start_at) / 60;
  if (minutes >= 1)
    json_object_set_int_member (appointment, "minutesDuration", minutes);
}

JsonNode *
hz_fhir_appointment (const HzConsultation *consultation,
                     const HzFhirNames    *names,
                     GTimeZone            *zone,
                     HzLanguage            language)
{
  JsonObject *appointment = json_object_new ();
  gboolean has_times = consultation->start_at != HZ_TIME_NONE &&
                       consultation->end_at != HZ_TIME_NONE;
  const char *status = hz_fhir_appointment_status (consultation->status, has_times);
  const char *service = language == HZ_LANGUAGE_EN ? "Remote consultation" : "远程会诊";
  const char *separator = language == HZ_LANGUAGE_EN ? ": " : "：";
  g_autofree char *id = id_text (consultation->id);
  g_autofree char *description = g_strconcat (service, separator, consultation->specialty, NULL);

  json_object_set_string_member (appointment, "resourceType", "Appointment");
  json_object_set_string_member (appointment, "id", id);
  set_meta (appointment, consultation->updated_at, zone);
  json_object_set_string_member (appointment, "status", status);
  set_cancelation_reason (appointment, consultation, status);
  json_object_set_array_member (appointment, "serviceType", single_array (text_concept (service)));
  json_object_set_array_member (appointment, "specialty",
                                single_array (text_concept (consultation->specialty)));
  json_object_set_string_member (appointment, "description", description);
  set_period (appointment, consultation, zone);
  set_time (appointment, "created", consultation->created_at, zone);
  json_object_set_array_member (appointment, "participant",
                                appointment_participants (consultation, names));

  return object_node (appointment);
}

#define TEACHING_ID_PREFIX "teaching-"

char *
hz_fhir_teaching_id (gint64 session_id)
{
  return g_strdup_printf (TEACHING_ID_PREFIX "%" G_GINT64_FORMAT, session_id);
}

gboolean
hz_fhir_teaching_id_parse (const char *id,
                           gint64     *session_id)
{
  const char *digits = id + strlen (TEACHING_ID_PREFIX);
  guint64 value;

  if (!g_str_has_prefix (id, TEACHING_ID_PREFIX) || digits[0] < '1' || digits[0] > '9' ||
      !g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *session_id = (gint64) value;
  return TRUE;
}

const char *
hz_fhir_teaching_status (const char *session_status)
{
  if (g_strcmp0 (session_status, "scheduled") == 0)
    return "booked";
  if (g_strcmp0 (session_status, "cancelled") == 0)
    return "cancelled";
  if (g_strcmp0 (session_status, "completed") == 0)
    return "fulfilled";
  return "entered-in-error";
}

JsonNode *
hz_fhir_teaching_appointment (const HzFhirTeaching *teaching,
                              GTimeZone            *zone,
                              HzLanguage            language)
{
  JsonObject *appointment = json_object_new ();
  JsonArray *participants = json_array_new ();
  const char *status = hz_fhir_teaching_status (teaching->status);
  const char *service = hz_session_kind_label (teaching->kind, language);
  const char *separator = language == HZ_LANGUAGE_EN ? ": " : "：";
  g_autofree char *id = hz_fhir_teaching_id (teaching->session_id);
  g_autofree char *description = g_strconcat (service, separator, teaching->title, NULL);
  gint64 minutes = (teaching->end_at - teaching->start_at) / 60;

  json_object_set_string_member (appointment, "resourceType", "Appointment");
  json_object_set_string_member (appointment, "id", id);
  json_object_set_string_member (appointment, "status", status);
  if (g_str_equal (status, "cancelled") && teaching->cancel_reason != NULL &&
      *teaching->cancel_reason != '\0')
    json_object_set_member (appointment, "cancelationReason",
                            text_concept (teaching->cancel_reason));
  json_object_set_array_member (appointment, "serviceType", single_array (text_concept (service)));
  json_object_set_string_member (appointment, "description", description);

  /* A teaching occurrence always has its time, as R4 (app-3) requires of
   * booked and fulfilled Appointments. */
  set_time (appointment, "start", teaching->start_at, zone);
  set_time (appointment, "end", teaching->end_at, zone);
  if (minutes >= 1)
    json_object_set_int_member (appointment, "minutesDuration", minutes);
  set_time (appointment, "created", teaching->created_at, zone);

  json_array_add_element (participants, participant (
    participation_type ("PPRF", "primary performer"),
    reference ("Practitioner", teaching->presenter_id, teaching->presenter_name),
    "accepted"));
  if (teaching->attendee_id > 0)
    {
      JsonNode *attendee = participant (
        participation_type ("ATND", "attender"),
        reference ("Practitioner", teaching->attendee_id, teaching->attendee_name),
        "accepted");

      json_object_set_string_member (json_node_get_object (attendee), "required", "optional");
      json_array_add_element (participants, attendee);
    }
  json_object_set_array_member (appointment, "participant", participants);

  return object_node (appointment);
}

JsonNode *
hz_fhir_practitioner (const HzUser *user)
{
  JsonObject *practitioner = json_object_new ();
  g_autofree char *id = id_text (user->id);

  json_object_set_string_member (practitioner, "resourceType", "Practitioner");
  json_object_set_string_member (practitioner, "id", id);
  json_object_set_boolean_member (practitioner, "active", TRUE);
  json_object_set_array_member (practitioner, "name", single_array (text_concept (user->name)));

  if (user->title != NULL && *user->title != '\0')
    {
      JsonObject *qualification = json_object_new ();

      json_object_set_member (qualification, "code", text_concept (user->title));
      json_object_set_array_member (practitioner, "qualification", single_array (
        object_node (qualification)));
    }

  return object_node (practitioner);
}

JsonNode *
hz_fhir_schedule (const HzUser *expert,
                  HzLanguage    language)
{
  JsonObject *schedule = json_object_new ();
  g_autofree char *id = id_text (expert->id);
  const char *service = language == HZ_LANGUAGE_EN ? "Remote consultation" : "远程会诊";

  json_object_set_string_member (schedule, "resourceType", "Schedule");
  json_object_set_string_member (schedule, "id", id);
  json_object_set_boolean_member (schedule, "active", TRUE);
  json_object_set_array_member (schedule, "serviceType", single_array (text_concept (service)));
  if (expert->specialty != NULL && *expert->specialty != '\0')
    json_object_set_array_member (schedule, "specialty",
                                  single_array (text_concept (expert->specialty)));
  json_object_set_array_member (schedule, "actor", single_array (
    reference ("Practitioner", expert->id, expert->name)));

  return object_node (schedule);
}

char *
hz_fhir_slot_id (gint64 expert_id,
                 gint64 start,
                 gint64 end)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                          expert_id, start, end);
}

gboolean
hz_fhir_slot_id_parse (const char *id,
                       gint64     *expert_id,
                       gint64     *start,
                       gint64     *end)
{
  g_auto (GStrv) parts = g_strsplit (id, "-", -1);
  gint64 *values[] = { expert_id, start, end };
  guint64 value;

  if (g_strv_length (parts) != 3)
    return FALSE;

  for (guint i = 0; i < 3; i++)
    {
      if (parts[i][0] < '1' || parts[i][0] > '9' ||
          !g_ascii_string_to_unsigned (parts[i], 10, 1, G_MAXINT64, &value, NULL))
        return FALSE;
      *values[i] = (gint64) value;
    }

  return *start < *end;
}

JsonNode *
hz_fhir_slot (gint64      expert_id,
              gint64      start,
              gint64      end,
              const char *status,
              GTimeZone  *zone)
{
  JsonObject *slot = json_object_new ();
  g_autofree char *id = hz_fhir_slot_id (expert_id, start, end);

  json_object_set_string_member (slot, "resourceType", "Slot");
  json_object_set_string_member (slot, "id", id);
  json_object_set_member (slot, "schedule", reference ("Schedule", expert_id, NULL));
  json_object_set_string_member (slot, "status", status);
  set_time (slot, "start", start, zone);
  set_time (slot, "end", end, zone);

  return object_node (slot);
}

static JsonNode *
bundle_link (const char *relation,
             const char *url)
{
  JsonObject *link = json_object_new ();

  json_object_set_string_member (link, "relation", relation);
  json_object_set_string_member (link, "url", url);
  return object_node (link);
}

static JsonNode *
bundle_entry (const char *base,
              JsonNode   *resource)
{
  JsonObject *object = json_node_get_object (resource);
  JsonObject *entry = json_object_new ();
  JsonObject *search = json_object_new ();
  g_autofree char *full_url = g_strdup_printf (
    "%s/%s/%s", base, json_object_get_string_member (object, "resourceType"),
    json_object_get_string_member (object, "id"));

  json_object_set_string_member (entry, "fullUrl", full_url);
  json_object_set_member (entry, "resource", json_node_ref (resource));
  json_object_set_string_member (search, "mode", "match");
  json_object_set_object_member (entry, "search", search);
  return object_node (entry);
}

JsonNode *
hz_fhir_searchset (const char *base,
                   const char *self_url,
                   const char *next_url,
                   gint64      total,
                   GPtrArray  *entries,
                   GTimeZone  *zone)
{
  JsonObject *bundle = json_object_new ();
  JsonArray *links = json_array_new ();
  JsonArray *array = json_array_new ();

  json_object_set_string_member (bundle, "resourceType", "Bundle");
  set_meta (bundle, g_get_real_time () / G_USEC_PER_SEC, zone);
  json_object_set_string_member (bundle, "type", "searchset");
  json_object_set_int_member (bundle, "total", total);

  json_array_add_element (links, bundle_link ("self", self_url));
  if (next_url != NULL)
    json_array_add_element (links, bundle_link ("next", next_url));
  json_object_set_array_member (bundle, "link", links);

  for (guint i = 0; i < entries->len; i++)
    json_array_add_element (array, bundle_entry (base, entries->pdata[i]));
  if (entries->len > 0)
    json_object_set_array_member (bundle, "entry", array);
  else
    json_array_unref (array);

  return object_node (bundle);
}

static const char *
issue_code (guint http_status)
{
  switch (http_status)
    {
    case 400:
      return "invalid";
    case 401:
      return "login";
    case 403:
      return "forbidden";
    case 404:
      return "not-found";
    case 405:
    case 406:
      return "not-supported";
    case 409:
      return "conflict";
    case 413:
      return "too-long";
    case 422:
      return "business-rule";
    case 429:
      return "throttled";
    case 503:
      return "transient";
    default:
      return "exception";
    }
}

JsonNode *
hz_fhir_operation_outcome (guint       http_status,
                           const char *error_code,
                           const char *message)
{
  JsonObject *outcome = json_object_new ();
  JsonObject *issue = json_object_new ();

  json_object_set_string_member (issue, "severity", "error");
  json_object_set_string_member (issue, "code", issue_code (http_status));
  json_object_set_member (issue, "details", text_concept (message));
  json_object_set_string_member (issue, "diagnostics", error_code);

  json_object_set_string_member (outcome, "resourceType", "OperationOutcome");
  json_object_set_array_member (outcome, "issue",
                                single_array (object_node (issue)));
  return object_node (outcome);
}
