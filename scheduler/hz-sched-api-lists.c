/* Read-only lists for the web UI: GET /organizations, GET /users and
 * GET /experts. */

#include "hz-sched-request.h"

#include "hz-sched-api-consultation.h"
#include "hz-sched-json.h"
#include "hz-sched-store-directory.h"

/* Parses the request's query string into a table of parameters. Returns
 * FALSE after responding when the query is malformed, and sets *PARAMS to
 * NULL when there is no query. */
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

static const char *
query_value (GHashTable *params,
             const char *name)
{
  return params != NULL ? g_hash_table_lookup (params, name) : NULL;
}

/* Lists the organizations for every signed-in user, because the UI shows
 * their names next to requests and sessions and formats times in their
 * zones. */
void
hz_api_list_organizations (HzRequest *request)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) orgs = hz_store_list_organizations (request->sched->db, &error);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  if (orgs == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "organizations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < orgs->len; i++)
    json_builder_add_value (builder, hz_json_organization (orgs->pdata[i]));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

static void
respond_user_list (HzRequest  *request,
                   const char *member,
                   GPtrArray  *users,
                   gboolean    with_login)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < users->len; i++)
    {
      HzUser *user = users->pdata[i];

      /* Login names are for those who manage accounts. */
      if (!with_login)
        g_clear_pointer (&user->login, g_free);
      json_builder_add_value (builder, hz_json_user (user, NULL));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Reads ?org_id= and ?role= of GET /users. Responds and returns FALSE when
 * one is invalid. */
static gboolean
read_user_filter (HzRequest   *request,
                  GHashTable  *params,
                  gint64      *org_id,
                  const char **role)
{
  const char *org_text = query_value (params, "org_id");
  const char *role_text = query_value (params, "role");
  guint64 parsed = 0;
  HzRole parsed_role;

  if (org_text != NULL &&
      !g_ascii_string_to_unsigned (org_text, 10, 1, G_MAXINT64, &parsed, NULL))
    {
      hz_api_respond_field_problem (request, "org_id", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }
  if (role_text != NULL && !hz_role_from_string (role_text, &parsed_role))
    {
      hz_api_respond_field_problem (request, "role", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  *org_id = (gint64) parsed;
  *role = role_text != NULL ? hz_role_to_string (parsed_role) : NULL;
  return TRUE;
}

/* Lists every user for admins, and the users of their own organization
 * for coordinators, whatever ?org_id= names. Other roles get 403. */
void
hz_api_list_users (HzRequest *request)
{
  const HzUser *caller = request->caller;
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GError) error = NULL;
  gint64 org_id = 0;
  const char *role = NULL;

  if (caller->role != HZ_ROLE_ADMIN && caller->role != HZ_ROLE_COORDINATOR)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }
  if (!read_query (request, &params) || !read_user_filter (request, params, &org_id, &role))
    return;
  if (caller->role == HZ_ROLE_COORDINATOR)
    org_id = caller->org_id;

  users = hz_store_list_users (request->sched->db, org_id, role, &error);
  if (users == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  respond_user_list (request, "users", users, TRUE);
}

/* Lists the experts of every organization, optionally of one ?specialty=
 * (exact text), without their login names. Trainees book nothing, so they
 * get 403. */
void
hz_api_list_experts (HzRequest *request)
{
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GError) error = NULL;
  const char *specialty;

  if (request->caller->role == HZ_ROLE_TRAINEE)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }
  if (!read_query (request, &params))
    return;
  specialty = query_value (params, "specialty");

  users = hz_store_list_users (request->sched->db, 0, "expert", &error);
  if (users == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  for (guint i = users->len; i > 0; i--)
    {
      HzUser *user = users->pdata[i - 1];

      if (specialty != NULL && g_strcmp0 (user->specialty, specialty) != 0)
        g_ptr_array_remove_index (users, i - 1);
    }
  respond_user_list (request, "experts", users, FALSE);
}
