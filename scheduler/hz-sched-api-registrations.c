/* Registration for teaching series: register, cancel, and the list that
 * presenters and coordinators see. */

#include "hz-sched-api-teaching.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
hz_api_register_for_teaching (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzTeachingSeries) series = hz_teaching_load_visible (request, request->path_id);
  g_autoptr (HzTeachingRegistration) before = NULL;
  g_autoptr (HzTeachingRegistration) registration = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  gboolean created;

  if (series == NULL)
    return;

  /* The presenter takes part as publisher already. */
  if (request->caller->id == series->presenter_id)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  before = hz_store_get_teaching_registration (request->sched->db, series->id,
                                               request->caller->id, &error);
  if (error == NULL)
    registration = hz_store_register_for_teaching (request->sched->db, &actor, series->id,
                                                   request->caller->id, now_seconds (), &error);
  if (registration == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  created = before == NULL || g_str_equal (before->status, "cancelled");
  if (created)
    g_message ("User %" G_GINT64_FORMAT " %s for teaching series %" G_GINT64_FORMAT,
               request->caller->id, registration->status, series->id);
  node = hz_json_teaching_registration (registration, request->zone);
  hz_request_respond_json (request, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, node);
}

void
hz_api_cancel_teaching_registration (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzTeachingSeries) series = hz_teaching_load_visible (request, request->path_id);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  gint64 promoted = 0;

  if (series == NULL)
    return;

  if (!hz_store_cancel_teaching_registration (request->sched->db, &actor, series->id,
                                              request->caller->id, now_seconds (), &promoted,
                                              &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("User %" G_GINT64_FORMAT " cancelled the registration for teaching series %"
             G_GINT64_FORMAT "; promoted from the waitlist: %" G_GINT64_FORMAT,
             request->caller->id, series->id, promoted);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "series_id");
  json_builder_add_int_value (builder, series->id);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_int_value (builder, request->caller->id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "cancelled");
  json_builder_set_member_name (builder, "promoted_user_id");
  if (promoted > 0)
    json_builder_add_int_value (builder, promoted);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_list_teaching_registrations (HzRequest *request)
{
  g_autoptr (HzTeachingSeries) series = hz_teaching_load_visible (request, request->path_id);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (series == NULL)
    return;
  if (!hz_teaching_can_manage (request->caller, series))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  list = hz_store_list_teaching_registrations (request->sched->db, series->id, &error);
  if (list == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "capacity");
  json_builder_add_int_value (builder, series->capacity);
  json_builder_set_member_name (builder, "registrations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_value (builder, hz_json_teaching_registration (g_ptr_array_index (list, i),
                                                                    request->zone));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
