/* PUT /organizations/{id}/partners: an admin sets which county and
 * township hospitals a consulting hospital supports
 * (hz-sched-store-partners.h). */

#include "hz-sched-request.h"

#include "hz-sched-store-partners.h"

/* More than any district hospital pairs with. */
#define MAX_PARTNERS 500

static const HzFieldSpec partner_id_item = { .name = "partner_org_id", .type = HZ_FIELD_ID };

const HzFieldSpec hz_partner_fields[] = {
  { .name = "partner_org_ids", .type = HZ_FIELD_ARRAY, .required = TRUE, .items = &partner_id_item,
    .max_items = MAX_PARTNERS },
  { NULL }
};

void
hz_api_set_partners (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  JsonArray *array = hz_fields_get_array (request->body, "partner_org_ids");
  guint n_ids = array != NULL ? json_array_get_length (array) : 0;
  g_autofree gint64 *ids = g_new0 (gint64, MAX (n_ids, 1));
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (request->caller->role != HZ_ROLE_ADMIN)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  for (guint i = 0; i < n_ids; i++)
    ids[i] = json_array_get_int_element (array, i);
  if (!hz_store_set_org_partners (request->sched->db, &actor, request->path_id, ids, n_ids, &error))
    {
      if (g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_FIELD))
        {
          g_autoptr (HzFieldError) field_error =
            hz_field_error_new ("partner_org_ids", HZ_FIELD_PROBLEM_INVALID_REFERENCE, NULL);

          hz_request_respond_field_error (request, field_error);
        }
      else
        {
          hz_request_respond_gerror (request, error);
        }
      return;
    }

  g_message ("Organization %" G_GINT64_FORMAT " has %u partner(s), set by user %" G_GINT64_FORMAT,
             request->path_id, n_ids, request->caller->id);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "org_id");
  json_builder_add_int_value (builder, request->path_id);
  json_builder_set_member_name (builder, "partner_org_ids");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_ids; i++)
    json_builder_add_int_value (builder, ids[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
