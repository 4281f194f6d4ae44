/* JSON of teaching series, occurrences, conflicts and registrations, and
 * the access rules that the teaching handlers share. */

#include "hz-sched-api-teaching.h"

#include "hz-sched-access.h"
#include "hz-sched-json.h"

gboolean
hz_teaching_is_visible (const HzUser           *user,
                        const HzTeachingSeries *series)
{
  return hz_access_can_view_teaching (user, series->org_id,
                                      (const gint64 *) series->audience->data,
                                      series->audience->len);
}

gboolean
hz_teaching_can_manage (const HzUser           *user,
                        const HzTeachingSeries *series)
{
  if (user->role == HZ_ROLE_ADMIN || user->id == series->presenter_id)
    return TRUE;
  return user->role == HZ_ROLE_COORDINATOR && user->org_id == series->org_id;
}

GTimeZone *
hz_teaching_zone (HzRequest              *request,
                  const HzTeachingSeries *series)
{
  g_autoptr (HzOrganization) org = hz_store_get_organization (request->sched->db,
                                                              series->org_id, NULL);

  return hz_sched_lookup_zone (org != NULL ? org->timezone : NULL);
}

char *
hz_teaching_format_date (gint64     unix_seconds,
                         GTimeZone *zone)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, zone);

  return g_date_time_format (local, "%Y-%m-%d");
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *member,
         gint64       value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

JsonNode *
hz_json_teaching_occurrence (const HzTeachingOccurrence *occurrence,
                             GTimeZone                  *zone,
                             GTimeZone                  *series_zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *date = hz_teaching_format_date (occurrence->start_at, series_zone);

  json_builder_begin_object (builder);
  add_int (builder, "id", occurrence->id);
  add_int (builder, "session_id", occurrence->id);
  add_int (builder, "series_id", occurrence->series_id);
  add_int (builder, "index", occurrence->index);
  add_string_or_null (builder, "date", date);
  hz_json_add_time (builder, "start", occurrence->start_at, zone);
  hz_json_add_time (builder, "end", occurrence->end_at, zone);
  add_string_or_null (builder, "status", occurrence->status);
  add_int (builder, "sequence", occurrence->sequence);
  add_string_or_null (builder, "cancel_reason", occurrence->cancel_reason);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
hz_json_teaching_conflict (const HzTeachingConflict *conflict,
                           GTimeZone                *zone,
                           GTimeZone                *series_zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *date = hz_teaching_format_date (conflict->start, series_zone);

  json_builder_begin_object (builder);
  add_int (builder, "index", conflict->index);
  add_string_or_null (builder, "date", date);
  hz_json_add_time (builder, "start", conflict->start, zone);
  hz_json_add_time (builder, "end", conflict->end, zone);
  add_string_or_null (builder, "reason", conflict->reason);
  json_builder_set_member_name (builder, "session_id");
  if (conflict->session_id > 0)
    json_builder_add_int_value (builder, conflict->session_id);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

JsonNode *
hz_json_teaching_registration (const HzTeachingRegistration *registration,
                               GTimeZone                    *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_int (builder, "series_id", registration->series_id);
  add_int (builder, "user_id", registration->user_id);
  add_string_or_null (builder, "user_name", registration->user_name);
  add_int (builder, "org_id", registration->user_org_id);
  add_string_or_null (builder, "status", registration->status);
  json_builder_set_member_name (builder, "waitlist_position");
  if (registration->waitlist_place > 0)
    json_builder_add_int_value (builder, registration->waitlist_place);
  else
    json_builder_add_null_value (builder);
  hz_json_add_time (builder, "registered_at", registration->updated_at, zone);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
add_recurrence (JsonBuilder *builder,
                const char  *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  json_builder_set_member_name (builder, "series");
  if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL))
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (builder);
}

JsonNode *
hz_json_teaching_series (const HzTeachingSeries       *series,
                         GTimeZone                    *zone,
                         GTimeZone                    *series_zone,
                         const HzTeachingRegistration *registration,
                         GArray                       *skipped)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_int (builder, "id", series->id);
  add_string_or_null (builder, "title", series->title);
  add_string_or_null (builder, "description", series->description);
  add_string_or_null (builder, "kind", series->kind);
  add_int (builder, "presenter_id", series->presenter_id);
  add_int (builder, "org_id", series->org_id);
  add_int (builder, "capacity", series->capacity);
  json_builder_set_member_name (builder, "recording");
  json_builder_add_boolean_value (builder, series->recording);
  json_builder_set_member_name (builder, "hls");
  json_builder_add_boolean_value (builder, series->hls);
  json_builder_set_member_name (builder, "audience_org_ids");
  json_builder_begin_array (builder);
  for (guint i = 0; i < series->audience->len; i++)
    json_builder_add_int_value (builder, g_array_index (series->audience, gint64, i));
  json_builder_end_array (builder);
  add_recurrence (builder, series->recurrence);
  add_int (builder, "registered", series->registered);
  add_int (builder, "waitlisted", series->waitlisted);

  json_builder_set_member_name (builder, "occurrences");
  json_builder_begin_array (builder);
  for (guint i = 0; i < series->occurrences->len; i++)
    json_builder_add_value (builder, hz_json_teaching_occurrence (
      g_ptr_array_index (series->occurrences, i), zone, series_zone));
  json_builder_end_array (builder);

  if (skipped != NULL)
    {
      json_builder_set_member_name (builder, "skipped");
      json_builder_begin_array (builder);
      for (guint i = 0; i < skipped->len; i++)
        json_builder_add_value (builder, hz_json_teaching_conflict (
          &g_array_index (skipped, HzTeachingConflict, i), zone, series_zone));
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "my_registration");
  if (registration != NULL && !g_str_equal (registration->status, "cancelled"))
    json_builder_add_value (builder, hz_json_teaching_registration (registration, zone));
  else
    json_builder_add_null_value (builder);

  hz_json_add_time (builder, "created_at", series->created_at, zone);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
hz_teaching_respond_conflicts (HzRequest *request,
                               GArray    *conflicts,
                               GTimeZone *series_zone)
{
  const HzTeachingConflict *first = &g_array_index (conflicts, HzTeachingConflict, 0);
  g_autofree char *date = hz_teaching_format_date (first->start, series_zone);
  g_autofree char *message = NULL;
  g_autoptr (JsonObject) extra = json_object_new ();
  JsonArray *all = json_array_new ();
  gboolean leave = g_str_equal (first->reason, "leave");

  if (request->language == HZ_LANGUAGE_EN)
    message = g_strdup_printf ("Occurrence %u (%s) conflicts with the presenter's %s.%s",
                               first->index, date, leave ? "leave" : "other sessions",
                               conflicts->len > 1 ? " Other occurrences conflict too; see "
                                                    "\"conflicts\"." : "");
  else
    message = g_strdup_printf ("第 %u 场（%s）与主讲人的%s冲突。%s",
                               first->index, date, leave ? "请假" : "其他安排",
                               conflicts->len > 1 ? "其他冲突的场次见 conflicts。" : "");

  for (guint i = 0; i < conflicts->len; i++)
    json_array_add_element (all, hz_json_teaching_conflict (
      &g_array_index (conflicts, HzTeachingConflict, i), request->zone, series_zone));

  json_object_set_member (extra, "occurrence",
                          hz_json_teaching_conflict (first, request->zone, series_zone));
  json_object_set_array_member (extra, "conflicts", all);
  hz_request_respond_error_detail (request, HZ_SCHED_ERROR_TEACHING_CONFLICT, message, extra);
}

HzTeachingSeries *
hz_teaching_load_visible (HzRequest *request,
                          gint64     id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTeachingSeries) series = hz_store_get_teaching_series (request->sched->db, id,
                                                                      &error);

  if (series == NULL)
    {
      hz_request_respond_gerror (request, error);
      return NULL;
    }
  if (!hz_teaching_is_visible (request->caller, series))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return NULL;
    }

  return g_steal_pointer (&series);
}
