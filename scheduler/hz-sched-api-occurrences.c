/* One occurrence of a teaching series: moving or cancelling it alone, and
 * who attended it. */

#include "hz-sched-api-teaching.h"

#include "hz-sched-json.h"

const HzFieldSpec hz_occurrence_move_fields[] = {
  { .name = "start", .type = HZ_FIELD_TIME, .required = TRUE },
  { .name = "end", .type = HZ_FIELD_TIME, .required = TRUE },
  { NULL }
};

const HzFieldSpec hz_occurrence_cancel_fields[] = {
  { .name = "reason", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 500,
    .multiline = TRUE },
  { NULL }
};

/* Loads the occurrence of the request path and its series, and checks that
 * the caller may manage it: 404 when the series is not visible to them,
 * 403 when it is visible but theirs to manage. */
static HzTeachingOccurrence *
load_managed_occurrence (HzRequest         *request,
                         HzTeachingSeries **series)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTeachingOccurrence) occurrence = hz_store_get_teaching_occurrence (
    request->sched->db, request->path_id, &error);

  if (occurrence == NULL)
    {
      hz_request_respond_gerror (request, error);
      return NULL;
    }

  *series = hz_teaching_load_visible (request, occurrence->series_id);
  if (*series == NULL)
    return NULL;
  if (!hz_teaching_can_manage (request->caller, *series))
    {
      g_clear_pointer (series, hz_teaching_series_free);
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return NULL;
    }

  return g_steal_pointer (&occurrence);
}

/* Reads the occurrence again and sends it. */
static void
respond_occurrence (HzRequest              *request,
                    const HzTeachingSeries *series,
                    gint64                  id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTeachingOccurrence) occurrence = hz_store_get_teaching_occurrence (
    request->sched->db, id, &error);
  g_autoptr (GTimeZone) zone = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (occurrence == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  zone = hz_teaching_zone (request, series);
  node = hz_json_teaching_occurrence (occurrence, request->zone, zone);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_move_occurrence (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzTeachingSeries) series = NULL;
  g_autoptr (HzTeachingOccurrence) occurrence = load_managed_occurrence (request, &series);
  g_autoptr (GError) error = NULL;
  HzTeachingConflict conflict = { 0 };
  g_autoptr (HzFieldError) problem = NULL;
  gint64 start, end;

  if (occurrence == NULL)
    return;

  start = hz_fields_get_time (request->body, "start", 0);
  end = hz_fields_get_time (request->body, "end", 0);
  problem = hz_fields_check_session_interval (start, end, g_get_real_time () / G_USEC_PER_SEC);
  if (problem != NULL)
    {
      hz_request_respond_field_error (request, problem);
      return;
    }

  if (!hz_store_move_teaching_occurrence (request->sched->db, &actor, occurrence->id, start,
                                          end, &conflict, &error))
    {
      if (g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_TEACHING_CONFLICT))
        {
          g_autoptr (GArray) conflicts = g_array_new (FALSE, FALSE, sizeof (HzTeachingConflict));
          g_autoptr (GTimeZone) zone = hz_teaching_zone (request, series);

          g_array_append_val (conflicts, conflict);
          hz_teaching_respond_conflicts (request, conflicts, zone);
        }
      else
        hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Teaching occurrence %" G_GINT64_FORMAT " (series %" G_GINT64_FORMAT
             ", index %u) moved by user %" G_GINT64_FORMAT,
             occurrence->id, series->id, occurrence->index, request->caller->id);
  respond_occurrence (request, series, occurrence->id);
}

void
hz_api_cancel_occurrence (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzTeachingSeries) series = NULL;
  g_autoptr (HzTeachingOccurrence) occurrence = load_managed_occurrence (request, &series);
  g_autoptr (GError) error = NULL;

  if (occurrence == NULL)
    return;

  if (!hz_store_cancel_teaching_occurrence (request->sched->db, &actor, occurrence->id,
                                            hz_fields_get_string (request->body, "reason"),
                                            &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Teaching occurrence %" G_GINT64_FORMAT " (series %" G_GINT64_FORMAT
             ", index %u) cancelled by user %" G_GINT64_FORMAT,
             occurrence->id, series->id, occurrence->index, request->caller->id);
  respond_occurrence (request, series, occurrence->id);
}

static JsonNode *
attendance_to_json (const HzAttendance *attendance,
                    GTimeZone          *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_int_value (builder, attendance->user_id);
  json_builder_set_member_name (builder, "user_name");
  if (attendance->user_name != NULL)
    json_builder_add_string_value (builder, attendance->user_name);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, attendance->presenter ? "presenter"
                                          : attendance->registered ? "attendee" : "other");
  json_builder_set_member_name (builder, "attended");
  json_builder_add_boolean_value (builder, attendance->joins > 0);
  hz_json_add_time (builder, "first_join", attendance->first_join, zone);
  hz_json_add_time (builder, "last_leave", attendance->last_leave, zone);
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_int_value (builder, attendance->seconds);
  json_builder_set_member_name (builder, "joins");
  json_builder_add_int_value (builder, attendance->joins);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
hz_api_get_attendance (HzRequest *request)
{
  g_autoptr (HzTeachingSeries) series = NULL;
  g_autoptr (HzTeachingOccurrence) occurrence = load_managed_occurrence (request, &series);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (occurrence == NULL)
    return;

  list = hz_store_get_attendance (request->sched->db, occurrence->id,
                                  g_get_real_time () / G_USEC_PER_SEC, &error);
  if (list == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, occurrence->id);
  json_builder_set_member_name (builder, "attendance");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_value (builder, attendance_to_json (g_ptr_array_index (list, i),
                                                         request->zone));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
