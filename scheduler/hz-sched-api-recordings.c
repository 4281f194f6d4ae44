/* The recordings library: GET /recordings (search), GET and PATCH
 * /recordings/{id}, POST /recordings/{id}/share and /unshare. Downloads
 * are in hz-sched-recording-files.c. */

#include "hz-sched-request.h"

#include <string.h>

#include "hz-sched-api-consultation.h"
#include "hz-sched-api-recordings.h"
#include "hz-sched-json.h"
#include "hz-sched-store-recordings.h"
#include "hz-sched-time.h"

#define SEARCH_DEFAULT_LIMIT 50
#define SEARCH_MAX_LIMIT 200

static const HzFieldSpec tag_item = {
  .name = "tag", .type = HZ_FIELD_STRING, .min_length = 1, .max_length = HZ_RECORDING_TAG_MAX,
};

const HzFieldSpec hz_recording_update_fields[] = {
  { .name = "title", .type = HZ_FIELD_STRING, .max_length = HZ_RECORDING_TITLE_MAX },
  { .name = "tags", .type = HZ_FIELD_ARRAY, .items = &tag_item,
    .max_items = HZ_RECORDING_TAGS_MAX },
  { .name = "keep_for_training", .type = HZ_FIELD_BOOLEAN },
  { NULL }
};

const HzFieldSpec hz_recording_share_fields[] = {
  { .name = "org_id", .type = HZ_FIELD_ID, .required = TRUE },
  { NULL }
};

/* Parses the query string into *PARAMS (NULL when there is none).
 * Responds and returns FALSE when it is malformed. */
static gboolean
read_query (HzRequest   *request,
            GHashTable **params)
{
  const char *raw = g_uri_get_query (soup_server_message_get_uri (request->msg));

  *params = NULL;
  if (raw == NULL)
    return TRUE;

  *params = g_uri_parse_params (raw, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (*params == NULL)
    {
      hz_api_respond_field_problem (request, "query", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }
  return TRUE;
}

/* Reads the positive integer parameter NAME into *VALUE, which stays
 * unchanged when NAME is absent. */
static gboolean
read_integer (HzRequest  *request,
              GHashTable *params,
              const char *name,
              gint64      max,
              gint64     *value)
{
  const char *text = params != NULL ? g_hash_table_lookup (params, name) : NULL;
  guint64 parsed;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, (guint64) max, &parsed, NULL))
    {
      hz_api_respond_field_problem (request, name, HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }
  *value = (gint64) parsed;
  return TRUE;
}

/* Reads the RFC 3339 parameter NAME into *VALUE. */
static gboolean
read_time (HzRequest  *request,
           GHashTable *params,
           const char *name,
           gint64     *value)
{
  const char *text = params != NULL ? g_hash_table_lookup (params, name) : NULL;

  if (text == NULL)
    return TRUE;
  if (!hz_time_parse_rfc3339 (text, value))
    {
      hz_api_respond_field_problem (request, name, hz_field_time_problem (text));
      return FALSE;
    }
  return TRUE;
}

/* Whether TAG is a valid tag: no commas, which separate tags in the query
 * string and in the store, and no control characters. */
static gboolean
tag_is_valid (const char *tag)
{
  gsize length = g_utf8_strlen (tag, -1);

  if (length < 1 || length > HZ_RECORDING_TAG_MAX || strchr (tag, ',') != NULL)
    return FALSE;
  for (const char *p = tag; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return FALSE;
    }
  return TRUE;
}

/* Reads ?org_id=&specialty=&presenter_id=&session_id=&from=&to=&tags=a,b
 * &limit=&before_id= into QUERY, whose strings point into PARAMS and
 * *TAGS, which own them. */
static gboolean
read_search_query (HzRequest         *request,
                   GHashTable        *params,
                   HzRecordingQuery  *query,
                   char            ***tags)
{
  gint64 limit = SEARCH_DEFAULT_LIMIT;
  const char *text;

  if (!read_integer (request, params, "org_id", G_MAXINT64, &query->org_id) ||
      !read_integer (request, params, "presenter_id", G_MAXINT64, &query->presenter_id) ||
      !read_integer (request, params, "session_id", G_MAXINT64, &query->session_id) ||
      !read_integer (request, params, "before_id", G_MAXINT64, &query->before_id) ||
      !read_integer (request, params, "limit", SEARCH_MAX_LIMIT, &limit) ||
      !read_time (request, params, "from", &query->from) ||
      !read_time (request, params, "to", &query->to))
    return FALSE;
  query->limit = (guint) limit;

  text = params != NULL ? g_hash_table_lookup (params, "specialty") : NULL;
  query->specialty = text != NULL && text[0] != '\0' ? text : NULL;

  text = params != NULL ? g_hash_table_lookup (params, "tags") : NULL;
  if (text != NULL && text[0] != '\0')
    {
      *tags = g_strsplit (text, ",", -1);
      if (g_strv_length (*tags) > HZ_RECORDING_TAGS_MAX)
        {
          hz_api_respond_field_problem (request, "tags", HZ_FIELD_PROBLEM_TOO_MANY_ITEMS);
          return FALSE;
        }
      for (guint i = 0; (*tags)[i] != NULL; i++)
        {
          if (!tag_is_valid ((*tags)[i]))
            {
              hz_api_respond_field_problem (request, "tags", HZ_FIELD_PROBLEM_INVALID_VALUE);
              return FALSE;
            }
        }
      query->tags = (const char *const *) *tags;
    }
  return TRUE;
}

void
hz_api_search_recordings (HzRequest *request)
{
  HzRecordingQuery query = { request->caller, 0, 0, 0, 0, NULL, NULL,
                             HZ_TIME_NONE, HZ_TIME_NONE, 0, SEARCH_DEFAULT_LIMIT };
  g_autoptr (GHashTable) params = NULL;
  g_auto (GStrv) tags = NULL;
  g_autoptr (GPtrArray) recordings = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (!read_query (request, &params) || !read_search_query (request, params, &query, &tags))
    return;

  /* Fetching one row more than the page shows whether another page follows. */
  query.limit++;
  recordings = hz_store_search_recordings (request->sched->db, &query, &error);
  if (recordings == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recordings");
  json_builder_begin_array (builder);
  for (guint i = 0; i < recordings->len && i < query.limit - 1; i++)
    json_builder_add_value (builder, hz_json_recording (recordings->pdata[i], request->zone));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next_before_id");
  if (recordings->len == query.limit)
    json_builder_add_int_value (builder,
                                ((HzRecording *) recordings->pdata[query.limit - 2])->id);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

HzRecording *
hz_api_load_visible_recording (HzRequest *request)
{
  g_autoptr (GError) error = NULL;
  HzRecording *recording = hz_store_get_library_recording (request->sched->db, request->caller,
                                                           request->path_id, &error);

  if (recording == NULL)
    {
      if (g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_RECORDING_FORBIDDEN))
        g_message ("Recording %" G_GINT64_FORMAT " refused to user %" G_GINT64_FORMAT
                   " (%s)", request->path_id, request->caller->id,
                   hz_role_to_string (request->caller->role));
      hz_request_respond_gerror (request, error);
    }
  return recording;
}

static void
respond_recording (HzRequest *request,
                   gint64     id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzRecording) recording = NULL;
  g_autoptr (JsonNode) node = NULL;

  recording = hz_store_get_library_recording (request->sched->db, request->caller, id, &error);
  if (recording == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  node = hz_json_recording (recording, request->zone);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_get_recording (HzRequest *request)
{
  g_autoptr (HzRecording) recording = hz_api_load_visible_recording (request);
  g_autoptr (JsonNode) node = NULL;

  if (recording == NULL)
    return;
  node = hz_json_recording (recording, request->zone);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Loads the recording and checks that the caller owns its session.
 * Responds and returns NULL otherwise. */
static HzRecording *
load_owned_recording (HzRequest *request)
{
  g_autoptr (HzRecording) recording = hz_api_load_visible_recording (request);

  if (recording == NULL)
    return NULL;
  if (!recording->editable)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return NULL;
    }
  return g_steal_pointer (&recording);
}

/* Returns the body's tags, sorted, or NULL when the body has none (the
 * store drops duplicates). Responds and sets *VALID to FALSE for an
 * invalid tag. */
static GStrv
read_body_tags (HzRequest *request,
                gboolean  *valid)
{
  JsonArray *array = hz_fields_get_array (request->body, "tags");
  g_autoptr (GPtrArray) tags = NULL;

  *valid = TRUE;
  if (array == NULL)
    return NULL;

  tags = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *tag = json_array_get_string_element (array, i);

      if (!tag_is_valid (tag))
        {
          hz_api_respond_field_problem (request, "tags", HZ_FIELD_PROBLEM_INVALID_VALUE);
          *valid = FALSE;
          return NULL;
        }
      g_ptr_array_add (tags, g_strdup (tag));
    }
  g_ptr_array_sort (tags, (GCompareFunc) (void (*) (void)) g_strcmp0);
  g_ptr_array_add (tags, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&tags), FALSE);
}

void
hz_api_update_recording (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzRecording) recording = load_owned_recording (request);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) tags = NULL;
  JsonNode *keep = NULL;
  gboolean valid;
  int keep_for_training = -1;

  if (recording == NULL)
    return;

  tags = read_body_tags (request, &valid);
  if (!valid)
    return;
  if (json_object_has_member (request->body, "keep_for_training"))
    keep = json_object_get_member (request->body, "keep_for_training");
  if (keep != NULL && !JSON_NODE_HOLDS_NULL (keep))
    keep_for_training = json_node_get_boolean (keep) ? 1 : 0;

  if (!hz_store_update_recording_library (request->sched->db, &actor, recording->id,
                                          hz_fields_get_string (request->body, "title"),
                                          (const char *const *) tags, keep_for_training,
                                          &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Recording %" G_GINT64_FORMAT " updated by user %" G_GINT64_FORMAT,
             recording->id, request->caller->id);
  respond_recording (request, recording->id);
}

static void
change_share (HzRequest *request,
              gboolean   shared)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzRecording) recording = load_owned_recording (request);
  g_autoptr (GError) error = NULL;
  gint64 org_id;

  if (recording == NULL)
    return;

  org_id = hz_fields_get_id (request->body, "org_id");
  if (!hz_store_share_recording (request->sched->db, &actor, recording->id, org_id, shared,
                                 &error))
    {
      if (g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND))
        hz_api_respond_field_problem (request, "org_id", HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      else
        hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Recording %" G_GINT64_FORMAT " %s organization %" G_GINT64_FORMAT
             " by user %" G_GINT64_FORMAT, recording->id,
             shared ? "shared with" : "no longer shared with", org_id, request->caller->id);
  respond_recording (request, recording->id);
}

void
hz_api_share_recording (HzRequest *request)
{
  change_share (request, TRUE);
}

void
hz_api_unshare_recording (HzRequest *request)
{
  change_share (request, FALSE);
}
