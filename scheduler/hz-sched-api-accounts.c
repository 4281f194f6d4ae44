/* Password login for the web UI: POST /login, POST /logout, GET /me and
 * POST /users/{id}/password.
 *
 * A login sets the cookie "hz_session" (HttpOnly, SameSite=Strict,
 * Path=/, Max-Age of HZ_WEB_SESSION_SECONDS, and Secure when the scheduler
 * serves HTTPS or public-url is https). Repeated failures are throttled per login name and per client
 * address (hz-sched-throttle.h).
 *
 * NOTE: argon2id runs on the main loop, so each login attempt blocks every
 * other request for its duration (about 0.1 s with libsodium's interactive
 * limits, measured on one x86-64 development machine).
 */

#include "hz-sched-request.h"

#include "hz-sched-access.h"
#include "hz-sched-json.h"
#include "hz-sched-password.h"
#include "hz-sched-store-accounts.h"

const HzFieldSpec hz_login_fields[] = {
  { .name = "login", .type = HZ_FIELD_STRING, .required = TRUE,
    .max_length = HZ_LOGIN_MAX_LENGTH },
  { .name = "password", .type = HZ_FIELD_STRING, .required = TRUE,
    .max_length = HZ_PASSWORD_MAX_LENGTH, .secret = TRUE },
  { NULL }
};

const HzFieldSpec hz_password_fields[] = {
  { .name = "password", .type = HZ_FIELD_STRING, .required = TRUE,
    .min_length = HZ_PASSWORD_MIN_LENGTH, .max_length = HZ_PASSWORD_MAX_LENGTH, .secret = TRUE },
  { .name = "login", .type = HZ_FIELD_STRING, .max_length = HZ_LOGIN_MAX_LENGTH },
  { .name = "current_password", .type = HZ_FIELD_STRING,
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

static void
set_session_cookie (HzRequest  *request,
                    const char *value,
                    gint64      max_age)
{
  gboolean secure = request->sched->tls_certificate != NULL ||
                    g_str_has_prefix (request->sched->public_url, "https://");
  g_autofree char *header = g_strdup_printf (
    HZ_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%" G_GINT64_FORMAT "%s",
    value, max_age, secure ? "; Secure" : "");

  soup_message_headers_append (soup_server_message_get_response_headers (request->msg),
                               "Set-Cookie", header);
}

static void
respond_too_many_attempts (HzRequest *request,
                           gint64     retry_after)
{
  g_autofree char *seconds = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (retry_after, 1));

  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Retry-After", seconds);
  hz_request_respond_error (request, HZ_SCHED_ERROR_TOO_MANY_ATTEMPTS);
}

/* Sets *RETRY_AFTER to the longer of the blocks of SUBJECT (the login
 * name as typed, in lowercase) and of the client address. */
static gboolean
check_throttle (HzRequest   *request,
                const char  *subject,
                const char  *address,
                gint64       now,
                gint64      *retry_after,
                GError     **error)
{
  gint64 account_wait, address_wait;

  if (!hz_store_throttle_check (request->sched->db, HZ_THROTTLE_ACCOUNT, subject, now,
                                &account_wait, error) ||
      !hz_store_throttle_check (request->sched->db, HZ_THROTTLE_ADDRESS, address, now,
                                &address_wait, error))
    return FALSE;

  *retry_after = MAX (account_wait, address_wait);
  return TRUE;
}

/* Counts a failed login for SUBJECT and ADDRESS and logs it, with the user
 * id when the login name exists but never the name or the password. */
static gboolean
record_failure (HzRequest    *request,
                const char   *subject,
                const char   *address,
                const HzUser *user,
                gint64        now,
                GError      **error)
{
  gint64 account_failures, address_failures;

  if (!hz_store_throttle_fail (request->sched->db, HZ_THROTTLE_ACCOUNT, subject, now,
                               &account_failures, error) ||
      !hz_store_throttle_fail (request->sched->db, HZ_THROTTLE_ADDRESS, address, now,
                               &address_failures, error))
    return FALSE;

  g_message ("Failed login from %s for %s%" G_GINT64_FORMAT " (%" G_GINT64_FORMAT
             " failures for the name, %" G_GINT64_FORMAT " for the address)",
             address, user ? "user " : "an unknown login name", user ? user->id : 0,
             account_failures, address_failures);
  return TRUE;
}

/* Replaces a hash made with older limits; a failure only costs the
 * upgrade, so it is logged and the login goes on. */
static void
upgrade_hash (HzRequest  *request,
              gint64      user_id,
              const char *hash,
              const char *password)
{
  HzActor actor = { HZ_ACTOR_USER, user_id };
  g_autofree char *new_hash = NULL;
  g_autoptr (GError) error = NULL;

  if (!hz_password_needs_rehash (hash))
    return;

  new_hash = hz_password_hash (password, &error);
  if (new_hash == NULL ||
      !hz_store_set_credentials (request->sched->db, &actor, user_id, NULL, new_hash, &error))
    g_warning ("Upgrading the password hash of user %" G_GINT64_FORMAT " failed: %s",
               user_id, error->message);
}

static JsonNode *
login_response (const HzUser *user,
                gint64        expires_at,
                GTimeZone    *zone)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_add_value (builder, hz_json_user (user, NULL));
  hz_json_add_time (builder, "expires_at", expires_at, zone);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
finish_login (HzRequest    *request,
              const HzUser *user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTimeZone) zone = hz_sched_lookup_zone (user->org_timezone);
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *cookie = NULL;
  gint64 expires_at;

  cookie = hz_store_create_web_session (request->sched->db, user->id, &expires_at, &error);
  if (cookie == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("User %" G_GINT64_FORMAT " logged in from %s", user->id,
             soup_server_message_get_remote_host (request->msg));
  set_session_cookie (request, cookie, HZ_WEB_SESSION_SECONDS);
  node = login_response (user, expires_at, zone);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

void
hz_api_login (HzRequest *request)
{
  const char *typed = hz_fields_get_string (request->body, "login");
  const char *password = hz_fields_get_string (request->body, "password");
  const char *address = soup_server_message_get_remote_host (request->msg);
  g_autofree char *subject = g_utf8_strdown (typed, -1);
  g_autofree char *login = hz_login_normalize (typed);
  g_autofree char *hash = NULL;
  g_autoptr (HzUser) user = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 retry_after;

  if (address == NULL)
    address = "unknown";

  if (!check_throttle (request, subject, address, now, &retry_after, &error))
    goto failed;
  if (retry_after > 0)
    {
      g_message ("Login from %s rejected for %" G_GINT64_FORMAT " s after repeated failures",
                 address, retry_after);
      respond_too_many_attempts (request, retry_after);
      return;
    }

  if (login != NULL && !hz_store_find_login (request->sched->db, login, &user, &hash, &error))
    goto failed;

  if (!hz_password_verify (hash, password))
    {
      if (!record_failure (request, subject, address, user, now, &error))
        goto failed;
      hz_request_respond_error (request, HZ_SCHED_ERROR_INVALID_CREDENTIALS);
      return;
    }

  if (!hz_store_throttle_clear (request->sched->db, HZ_THROTTLE_ACCOUNT, subject, &error))
    goto failed;
  upgrade_hash (request, user->id, hash, password);
  finish_login (request, user);
  return;

failed:
  hz_request_respond_gerror (request, error);
}

/* Returns the value of the hz_session cookie of MSG, or NULL. The Cookie
 * header is "name=value; name=value" (RFC 6265, section 4.2.1). */
static char *
session_cookie (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (
    soup_server_message_get_request_headers (msg), "Cookie");
  g_autoptr (GHashTable) cookies = NULL;

  if (header == NULL)
    return NULL;

  cookies = soup_header_parse_semi_param_list (header);
  return g_strdup (g_hash_table_lookup (cookies, HZ_SESSION_COOKIE));
}

HzUser *
hz_api_find_session_user (HzSched           *sched,
                          SoupServerMessage *msg,
                          GError           **error)
{
  g_autofree char *value = session_cookie (msg);

  if (value == NULL || *value == '\0')
    return NULL;
  return hz_store_find_user_by_session (sched->db, value, error);
}

/* Ends the browser session of the cookie, if any, and clears the cookie.
 * Without a valid session it still succeeds, so logging out twice is
 * harmless. */
void
hz_api_logout (HzRequest *request)
{
  g_autofree char *value = session_cookie (request->msg);
  g_autoptr (GError) error = NULL;

  if (value != NULL && !hz_store_delete_web_session (request->sched->db, value, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  set_session_cookie (request, "", 0);
  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (request->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

void
hz_api_get_me (HzRequest *request)
{
  g_autoptr (JsonNode) node = hz_json_user (request->caller, NULL);

  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* A user who changes their own password proves the current one, unless
 * their role may set it anyway (an admin) or they have none yet. Responds
 * and returns FALSE on failure. A missing current_password is 400
 * invalid_field, and a wrong one counts as a failed login. */
static gboolean
check_current_password (HzRequest    *request,
                        const HzUser *target)
{
  const char *current = hz_fields_get_string (request->body, "current_password");
  const char *address = soup_server_message_get_remote_host (request->msg);
  g_autofree char *hash = NULL;
  g_autofree char *subject = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 retry_after;

  if (request->caller->id != target->id ||
      hz_access_can_create_user (request->caller, target->org_id, target->role))
    return TRUE;

  hash = hz_store_get_password_hash (request->sched->db, target->id, &error);
  if (error != NULL)
    goto failed;
  if (hash == NULL)
    return TRUE;
  if (current == NULL)
    {
      respond_field_problem (request, "current_password", HZ_FIELD_PROBLEM_MISSING);
      return FALSE;
    }

  subject = g_strdup (target->login != NULL ? target->login : "");
  if (!check_throttle (request, subject, address ? address : "unknown", now, &retry_after,
                       &error))
    goto failed;
  if (retry_after > 0)
    {
      respond_too_many_attempts (request, retry_after);
      return FALSE;
    }

  if (hz_password_verify (hash, current))
    return TRUE;

  if (!record_failure (request, subject, address ? address : "unknown", target, now, &error))
    goto failed;
  hz_request_respond_error (request, HZ_SCHED_ERROR_INVALID_CREDENTIALS);
  return FALSE;

failed:
  hz_request_respond_gerror (request, error);
  return FALSE;
}

void
hz_api_set_password (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  const char *typed_login = hz_fields_get_string (request->body, "login");
  g_autofree char *login = NULL;
  g_autofree char *hash = NULL;
  g_autoptr (HzUser) target = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  target = hz_store_get_user (request->sched->db, request->path_id, &error);
  if (target == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  if (!hz_access_can_set_password (request->caller, target))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
      return;
    }

  login = typed_login ? hz_login_normalize (typed_login) : NULL;
  if (typed_login != NULL && login == NULL)
    {
      respond_field_problem (request, "login", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return;
    }

  if (!check_current_password (request, target))
    return;

  hash = hz_password_hash (hz_fields_get_string (request->body, "password"), &error);
  if (hash == NULL ||
      !hz_store_set_credentials (request->sched->db, &actor, target->id, login, hash, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Password of user %" G_GINT64_FORMAT " set by user %" G_GINT64_FORMAT
             "; the user's browser sessions ended", target->id, request->caller->id);
  g_clear_pointer (&target, hz_user_free);
  target = hz_store_get_user (request->sched->db, request->path_id, &error);
  if (target == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  node = hz_json_user (target, NULL);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}
