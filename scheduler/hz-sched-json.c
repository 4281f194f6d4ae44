#include "hz-sched-json.h"

#include "hz-sched-time.h"

void
hz_json_add_time (JsonBuilder *builder,
                  const char  *member,
                  gint64       unix_seconds,
                  GTimeZone   *zone)
{
  g_autofree char *text = NULL;

  json_builder_set_member_name (builder, member);
  if (unix_seconds != HZ_TIME_NONE)
    text = hz_time_format_rfc3339 (unix_seconds, zone);

  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

/* Adds ID, or null for 0 (the records' "none"). */
static void
add_optional_id (JsonBuilder *builder,
                 const char  *member,
                 gint64       id)
{
  json_builder_set_member_name (builder, member);
  if (id > 0)
    json_builder_add_int_value (builder, id);
  else
    json_builder_add_null_value (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
hz_json_organization (const HzOrganization *org)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, org->id);
  add_string (builder, "name", org->name);
  add_string (builder, "name_en", org->name_en);
  add_string (builder, "level", org->level);
  add_string (builder, "timezone", org->timezone);
  if (org->partner_org_ids != NULL)
    {
      json_builder_set_member_name (builder, "partner_org_ids");
      json_builder_begin_array (builder);
      for (guint i = 0; i < org->partner_org_ids->len; i++)
        json_builder_add_int_value (builder, g_array_index (org->partner_org_ids, gint64, i));
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
hz_json_user (const HzUser *user,
              const char   *api_key)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, user->id);
  add_optional_id (builder, "org_id", user->org_id);
  add_string (builder, "name", user->name);
  add_string (builder, "role", hz_role_to_string (user->role));
  add_string (builder, "specialty", user->specialty);
  add_string (builder, "title", user->title);
  add_string (builder, "login", user->login);
  if (api_key != NULL)
    add_string (builder, "api_key", api_key);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
add_patient (JsonBuilder     *builder,
             const HzPatient *patient)
{
  json_builder_set_member_name (builder, "patient");
  json_builder_begin_object (builder);
  add_string (builder, "ref", patient->ref);
  json_builder_set_member_name (builder, "age");
  json_builder_add_int_value (builder, patient->age);
  add_string (builder, "sex", patient->sex);
  add_string (builder, "summary", patient->summary);
  json_builder_end_object (builder);
}

JsonNode *
hz_json_consultation (const HzConsultation *consultation,
                      GTimeZone            *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, consultation->id);
  add_string (builder, "status", consultation->status);
  add_optional_id (builder, "org_id", consultation->org_id);
  add_optional_id (builder, "requester_id", consultation->requester_id);
  add_optional_id (builder, "target_org_id", consultation->target_org_id);
  add_optional_id (builder, "requested_expert_id", consultation->requested_expert_id);
  add_string (builder, "specialty", consultation->specialty);
  add_patient (builder, &consultation->patient);
  add_string (builder, "question", consultation->question);
  add_string (builder, "urgency", consultation->urgency);
  json_builder_set_member_name (builder, "preferred_times");
  json_builder_begin_array (builder);
  for (guint i = 0; consultation->preferred_times != NULL && i < consultation->preferred_times->len; i++)
    {
      const HzInterval *interval = &g_array_index (consultation->preferred_times, HzInterval, i);

      json_builder_begin_object (builder);
      hz_json_add_time (builder, "start", interval->start, zone);
      hz_json_add_time (builder, "end", interval->end, zone);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_optional_id (builder, "expert_id", consultation->expert_id);
  add_optional_id (builder, "session_id", consultation->session_id);
  hz_json_add_time (builder, "start", consultation->start_at, zone);
  hz_json_add_time (builder, "end", consultation->end_at, zone);
  add_string (builder, "return_reason", consultation->return_reason);
  add_string (builder, "cancel_reason", consultation->cancel_reason);
  add_optional_id (builder, "cancelled_by", consultation->cancelled_by);
  hz_json_add_time (builder, "created_at", consultation->created_at, zone);
  hz_json_add_time (builder, "updated_at", consultation->updated_at, zone);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* The members that the recordings library adds to a recording. */
static void
add_library_members (JsonBuilder       *builder,
                     const HzRecording *recording)
{
  add_string (builder, "title", recording->title);
  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  for (guint i = 0; recording->tags != NULL && recording->tags[i] != NULL; i++)
    json_builder_add_string_value (builder, recording->tags[i]);
  json_builder_end_array (builder);
  add_string (builder, "sha256", recording->sha256);
  json_builder_set_member_name (builder, "keep_for_training");
  json_builder_add_boolean_value (builder, recording->keep_for_training);
  add_string (builder, "session_kind", recording->session_kind);
  add_string (builder, "specialty", recording->specialty);
  add_optional_id (builder, "presenter_id", recording->presenter_id);
  add_string (builder, "participant_name", recording->participant_name);
  add_string (builder, "presenter_name", recording->presenter_name);
  json_builder_set_member_name (builder, "content_type");
  json_builder_add_string_value (builder, g_str_has_suffix (recording->path, ".mkv")
                                          ? "video/x-matroska" : "video/webm");
  json_builder_set_member_name (builder, "editable");
  json_builder_add_boolean_value (builder, recording->editable);
  if (recording->editable)
    {
      json_builder_set_member_name (builder, "shared_with_org_ids");
      json_builder_begin_array (builder);
      for (gsize i = 0; i < recording->n_shared_org_ids; i++)
        json_builder_add_int_value (builder, recording->shared_org_ids[i]);
      json_builder_end_array (builder);
    }
}

JsonNode *
hz_json_recording (const HzRecording *recording,
                   GTimeZone         *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *participant_id = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                     recording->participant_id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, recording->id);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, recording->session_id);
  /* A string, like participant ids in the signalling protocol. */
  add_string (builder, "participant_id", participant_id);
  add_string (builder, "kind", recording->kind);
  add_string (builder, "path", recording->path);
  add_string (builder, "status", recording->status);
  hz_json_add_time (builder, "started_at", recording->started_at, zone);
  hz_json_add_time (builder, "ended_at", recording->ended_at, zone);
  json_builder_set_member_name (builder, "bytes");
  if (recording->bytes >= 0)
    json_builder_add_int_value (builder, recording->bytes);
  else
    json_builder_add_null_value (builder);
  if (recording->failure_reason != NULL)
    add_string (builder, "failure_reason", recording->failure_reason);
  if (recording->library)
    add_library_members (builder, recording);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
