/* The review steps of a consultation (accept, return, no-show) and its
 * history. */

#include "hz-sched-api-consultation.h"

#include "hz-sched-access.h"
#include "hz-sched-json.h"
#include "hz-sched-store-workflow.h"

const HzFieldSpec hz_return_fields[] = {
  { .name = "reason", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 500,
    .multiline = TRUE },
  { NULL }
};

const HzFieldSpec hz_no_show_fields[] = {
  { .name = "reason", .type = HZ_FIELD_STRING, .max_length = 500, .multiline = TRUE },
  { NULL }
};

static void
review (HzRequest        *request,
        HzWorkflowAction  action)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (GError) error = NULL;
  const char *reason = request->body ? hz_fields_get_string (request->body, "reason") : NULL;

  consultation = hz_api_load_visible_consultation (request, request->path_id);
  if (consultation == NULL)
    return;

  if (!hz_access_can_review (request->caller, consultation))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  if (!hz_store_consultation_review (request->sched->db, &actor, consultation->id, action,
                                     reason, &error))
    {
      hz_api_respond_workflow_error (request, consultation->id, action, error);
      return;
    }

  g_message ("Consultation %" G_GINT64_FORMAT ": %s by user %" G_GINT64_FORMAT,
             consultation->id, hz_workflow_action_name (action), request->caller->id);
  hz_api_respond_consultation (request, consultation->id, SOUP_STATUS_OK);
}

void
hz_api_accept_consultation (HzRequest *request)
{
  review (request, HZ_WORKFLOW_ACCEPT);
}

void
hz_api_return_consultation (HzRequest *request)
{
  review (request, HZ_WORKFLOW_RETURN);
}

void
hz_api_mark_no_show (HzRequest *request)
{
  review (request, HZ_WORKFLOW_NO_SHOW);
}

/* Adds DETAIL, a JSON object stored by the store, converting members whose
 * name ends in "_at" from Unix seconds to RFC 3339 in ZONE. */
static void
add_detail (JsonBuilder *builder,
            const char  *detail,
            GTimeZone   *zone)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_builder_set_member_name (builder, "detail");
  if (detail == NULL || !json_parser_load_from_data (parser, detail, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  json_object_iter_init (&iter, json_node_get_object (json_parser_get_root (parser)));
  while (json_object_iter_next (&iter, &name, &value))
    {
      if (g_str_has_suffix (name, "_at") && JSON_NODE_HOLDS_VALUE (value) &&
          json_node_get_value_type (value) == G_TYPE_INT64)
        {
          hz_json_add_time (builder, name, json_node_get_int (value), zone);
          continue;
        }
      json_builder_set_member_name (builder, name);
      json_builder_add_value (builder, json_node_copy (value));
    }
  json_builder_end_object (builder);
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *member,
                     const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static JsonNode *
history_entry_json (const HzHistoryEntry *entry,
                    GTimeZone            *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  hz_json_add_time (builder, "at", entry->at, zone);
  add_nullable_string (builder, "action", entry->action);
  add_nullable_string (builder, "from", entry->from_status);
  add_nullable_string (builder, "to", entry->to_status);
  add_nullable_string (builder, "reason", entry->reason);

  json_builder_set_member_name (builder, "actor");
  json_builder_begin_object (builder);
  add_nullable_string (builder, "kind", entry->actor_kind);
  json_builder_set_member_name (builder, "id");
  if (entry->actor_id > 0)
    json_builder_add_int_value (builder, entry->actor_id);
  else
    json_builder_add_null_value (builder);
  add_nullable_string (builder, "name", entry->actor_name);
  add_nullable_string (builder, "role", entry->actor_role);
  json_builder_end_object (builder);

  add_detail (builder, entry->detail, zone);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

void
hz_api_consultation_history (HzRequest *request)
{
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  consultation = hz_api_load_visible_consultation (request, request->path_id);
  if (consultation == NULL)
    return;

  entries = hz_store_consultation_history (request->sched->db, consultation->id, &error);
  if (entries == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "consultation_id");
  json_builder_add_int_value (builder, consultation->id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, consultation->status);
  json_builder_set_member_name (builder, "history");
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    json_builder_add_value (builder, history_entry_json (entries->pdata[i], request->zone));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
