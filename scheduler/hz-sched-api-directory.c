/* POST /organizations and POST /users. */

#include "hz-sched-request.h"

#include "hz-sched-access.h"
#include "hz-sched-json.h"
#include "hz-sched-password.h"
#include "hz-sched-store-accounts.h"
#include "hz-timezone.h"

const HzFieldSpec hz_organization_fields[] = {
  { .name = "name", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 200 },
  { .name = "name_en", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 200 },
  { .name = "level", .type = HZ_FIELD_STRING, .required = TRUE, .allowed = hz_org_level_names },
  { .name = "timezone", .type = HZ_FIELD_STRING, .max_length = HZ_TIMEZONE_MAX_LENGTH },
  { NULL }
};

const HzFieldSpec hz_user_fields[] = {
  { .name = "org_id", .type = HZ_FIELD_ID, .required = TRUE },
  { .name = "name", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 100 },
  { .name = "role", .type = HZ_FIELD_STRING, .required = TRUE, .allowed = hz_role_names },
  { .name = "specialty", .type = HZ_FIELD_STRING, .max_length = 100 },
  { .name = "title", .type = HZ_FIELD_STRING, .max_length = 100 },
  { .name = "login", .type = HZ_FIELD_STRING, .max_length = HZ_LOGIN_MAX_LENGTH },
  { .name = "password", .type = HZ_FIELD_STRING, .min_length = HZ_PASSWORD_MIN_LENGTH,
    .max_length = HZ_PASSWORD_MAX_LENGTH, .secret = TRUE },
  { NULL }
};

static void
respond_field_problem (HzRequest      *request,
                       const char     *field,
                       HzFieldProblem  problem)
{
  g_autoptr (HzFieldError) error = hz_field_error_new (field, problem, NULL);

  hz_request_respond_field_error (request, error);
}

void
hz_api_create_organization (HzRequest *request)
{
  JsonObject *body = request->body;
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzOrganization) org = g_new0 (HzOrganization, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (!hz_access_can_create_organization (request->caller))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  org->timezone = g_strdup (hz_fields_get_string (body, "timezone"));
  if (org->timezone != NULL && !hz_timezone_is_known (org->timezone))
    {
      respond_field_problem (request, "timezone", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return;
    }

  org->name = g_strdup (hz_fields_get_string (body, "name"));
  org->name_en = g_strdup (hz_fields_get_string (body, "name_en"));
  org->level = g_strdup (hz_fields_get_string (body, "level"));

  if (!hz_store_create_organization (request->sched->db, &actor, org, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Organization %" G_GINT64_FORMAT " (%s) created by user %" G_GINT64_FORMAT,
             org->id, org->level, request->caller->id);
  node = hz_json_organization (org);
  hz_request_respond_json (request, SOUP_STATUS_CREATED, node);
}

/* Reads the optional login name and password into USER->login and
 * *PASSWORD_HASH. Responds and returns FALSE when one is invalid. */
static gboolean
read_credentials (HzRequest  *request,
                  HzUser     *user,
                  char      **password_hash)
{
  const char *login = hz_fields_get_string (request->body, "login");
  const char *password = hz_fields_get_string (request->body, "password");
  g_autoptr (GError) error = NULL;

  if (login != NULL)
    {
      user->login = hz_login_normalize (login);
      if (user->login == NULL)
        {
          respond_field_problem (request, "login", HZ_FIELD_PROBLEM_INVALID_VALUE);
          return FALSE;
        }
    }

  if (password == NULL)
    return TRUE;

  *password_hash = hz_password_hash (password, &error);
  if (*password_hash == NULL)
    {
      hz_request_respond_gerror (request, error);
      return FALSE;
    }

  return TRUE;
}

void
hz_api_create_user (HzRequest *request)
{
  JsonObject *body = request->body;
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (HzUser) user = g_new0 (HzUser, 1);
  g_autoptr (HzOrganization) org = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *api_key = NULL;
  g_autofree char *password_hash = NULL;

  user->org_id = hz_fields_get_id (body, "org_id");
  org = hz_store_get_organization (request->sched->db, user->org_id, &error);
  if (g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND))
    {
      respond_field_problem (request, "org_id", HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      return;
    }
  if (org == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  hz_role_from_string (hz_fields_get_string (body, "role"), &user->role);
  if (!hz_access_can_create_user (request->caller, user->org_id, user->role))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  user->name = g_strdup (hz_fields_get_string (body, "name"));
  user->specialty = g_strdup (hz_fields_get_string (body, "specialty"));
  user->title = g_strdup (hz_fields_get_string (body, "title"));

  if (!read_credentials (request, user, &password_hash))
    return;

  api_key = hz_store_create_user_with_credentials (request->sched->db, &actor, user,
                                                   password_hash, &error);
  if (api_key == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("User %" G_GINT64_FORMAT " (%s) created in organization %" G_GINT64_FORMAT
             " by user %" G_GINT64_FORMAT,
             user->id, hz_role_to_string (user->role), user->org_id, request->caller->id);
  node = hz_json_user (user, api_key);
  hz_request_respond_json (request, SOUP_STATUS_CREATED, node);
}
