/* Integration tests of password login: the session cookie, logout, the
 * slowdown of repeated failures, setting passwords and the API keys that
 * keep working next to it. Each test starts its own daemon, because the
 * failure counters outlive a test. */
#include <gio/gio.h>
#include <string.h>

#include "hz-test-daemons.h"
#include "sched-test-http.h"

#define PASSWORD "Yangpu-2026-heart"

typedef struct {
  HzTestDaemons *daemons;
  gint64 county_id;
  gint64 doctor_id;
  char *doctor_key;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;

  fixture->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);

  fixture->county_id = sched_create_org (fixture->daemons, "湄潭县人民医院", "county");
  body = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"陈医生\","
                          " \"role\": \"doctor\", \"login\": \"Chen.Doctor\","
                          " \"password\": \"" PASSWORD "\"}", fixture->county_id);
  fixture->doctor_id = sched_create (fixture->daemons, "/api/v1/users",
                                     fixture->daemons->admin_key, body, &fixture->doctor_key);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
  g_free (fixture->doctor_key);
}

static SchedResponse
login (Fixture    *fixture,
       const char *name,
       const char *password)
{
  g_autofree char *body = g_strdup_printf ("{\"login\": \"%s\", \"password\": \"%s\"}",
                                           name, password);

  return sched_call (fixture->daemons, "POST", "/api/v1/login", NULL, body);
}

/* Returns "hz_session=VALUE" from the Set-Cookie header of RESPONSE and
 * checks its attributes. */
static char *
session_cookie (const SchedResponse *response)
{
  const char *header = soup_message_headers_get_one (response->headers, "Set-Cookie");
  g_auto (GStrv) parts = NULL;

  g_assert_nonnull (header);
  parts = g_strsplit (header, "; ", -1);
  g_assert_true (g_str_has_prefix (parts[0], "hz_session="));
  g_assert_cmpuint (strlen (parts[0]), >, strlen ("hz_session=") + 40);
  g_assert_true (g_strv_contains ((const char *const *) parts, "HttpOnly"));
  g_assert_true (g_strv_contains ((const char *const *) parts, "SameSite=Strict"));
  g_assert_true (g_strv_contains ((const char *const *) parts, "Path=/"));
  g_assert_true (g_strv_contains ((const char *const *) parts, "Max-Age=43200"));
  return g_strdup (parts[0]);
}

static SchedResponse
me (Fixture    *fixture,
    const char *cookie)
{
  return sched_send (fixture->daemons, "GET", "/api/v1/me", NULL, cookie, NULL, NULL);
}

static void
test_login_sets_cookie (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_auto (SchedResponse) response = login (fixture, "chen.doctor", PASSWORD);
  g_autofree char *cookie = session_cookie (&response);
  g_auto (SchedResponse) mixed_case = login (fixture, "CHEN.Doctor", PASSWORD);
  g_auto (SchedResponse) who = me (fixture, cookie);
  g_auto (SchedResponse) by_key = sched_call (fixture->daemons, "GET", "/api/v1/me",
                                              fixture->doctor_key, NULL);
  g_auto (SchedResponse) no_cookie = me (fixture, NULL);
  g_auto (SchedResponse) forged = me (fixture, "hz_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  JsonObject *user;

  g_assert_cmpuint (response.status, ==, 200);
  user = json_object_get_object_member (sched_object (&response), "user");
  g_assert_cmpint (json_object_get_int_member (user, "id"), ==, fixture->doctor_id);
  g_assert_cmpstr (json_object_get_string_member (user, "login"), ==, "chen.doctor");
  g_assert_false (json_object_has_member (user, "api_key"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (sched_object (&response),
                                                                  "expires_at"), "+08:00"));
  g_assert_cmpuint (mixed_case.status, ==, 200);

  g_assert_cmpuint (who.status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (sched_object (&who), "id"), ==,
                   fixture->doctor_id);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&who), "role"), ==, "doctor");
  g_assert_cmpuint (by_key.status, ==, 200);
  sched_assert_error (&no_cookie, 401, "unauthorized");
  sched_assert_error (&forged, 401, "unauthorized");
}

static void
test_wrong_password_rejected (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_auto (SchedResponse) wrong = login (fixture, "chen.doctor", "not-the-password");
  g_auto (SchedResponse) unknown = login (fixture, "nobody.here", PASSWORD);
  g_auto (SchedResponse) invalid_name = login (fixture, "陈医生", PASSWORD);

  sched_assert_error (&wrong, 401, "invalid_credentials");
  g_assert_null (soup_message_headers_get_one (wrong.headers, "Set-Cookie"));
  sched_assert_error (&unknown, 401, "invalid_credentials");
  sched_assert_error (&invalid_name, 401, "invalid_credentials");
}

/* The cookie works for the API, but a state change from another origin
 * is rejected. */
static void
test_cookie_checks_origin (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_auto (SchedResponse) response = login (fixture, "chen.doctor", PASSWORD);
  g_autofree char *cookie = session_cookie (&response);
  const char *body =
    "{\"specialty\": \"内分泌科\", \"patient\": {\"ref\": \"MT-7\", \"age\": 44,"
    " \"sex\": \"female\", \"summary\": \"血糖控制不佳\"}, \"question\": \"胰岛素方案？\"}";
  g_auto (SchedResponse) same_origin = sched_send (fixture->daemons, "POST",
                                                   "/api/v1/consultations", NULL, cookie,
                                                   fixture->daemons->scheduler_url, body);
  g_auto (SchedResponse) no_origin = sched_send (fixture->daemons, "POST",
                                                 "/api/v1/consultations", NULL, cookie, NULL,
                                                 body);
  g_auto (SchedResponse) foreign = sched_send (fixture->daemons, "POST",
                                               "/api/v1/consultations", NULL, cookie,
                                               "http://evil.example", body);
  g_auto (SchedResponse) foreign_get = sched_send (fixture->daemons, "GET", "/api/v1/me", NULL,
                                                   cookie, "http://evil.example", NULL);

  g_assert_cmpuint (same_origin.status, ==, 201);
  g_assert_cmpint (json_object_get_int_member (sched_object (&same_origin), "requester_id"), ==,
                   fixture->doctor_id);
  g_assert_cmpuint (no_origin.status, ==, 201);
  sched_assert_error (&foreign, 403, "cross_origin");
  g_assert_cmpuint (foreign_get.status, ==, 200);
}

static void
test_logout_ends_session (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_auto (SchedResponse) response = login (fixture, "chen.doctor", PASSWORD);
  g_autofree char *cookie = session_cookie (&response);
  g_auto (SchedResponse) other = login (fixture, "chen.doctor", PASSWORD);
  g_autofree char *other_cookie = session_cookie (&other);
  g_auto (SchedResponse) logout = sched_send (fixture->daemons, "POST", "/api/v1/logout", NULL,
                                              cookie, NULL, NULL);
  g_auto (SchedResponse) after = me (fixture, cookie);
  g_auto (SchedResponse) other_after = me (fixture, other_cookie);
  g_auto (SchedResponse) again = sched_send (fixture->daemons, "POST", "/api/v1/logout", NULL,
                                             cookie, NULL, NULL);
  const char *cleared;

  g_assert_cmpuint (logout.status, ==, 204);
  cleared = soup_message_headers_get_one (logout.headers, "Set-Cookie");
  g_assert_nonnull (cleared);
  g_assert_true (g_str_has_prefix (cleared, "hz_session=;"));
  g_assert_nonnull (strstr (cleared, "Max-Age=0"));
  sched_assert_error (&after, 401, "unauthorized");
  g_assert_cmpuint (other_after.status, ==, 200);
  g_assert_cmpuint (again.status, ==, 204);
}

static gint64
retry_after (const SchedResponse *response)
{
  const char *header = soup_message_headers_get_one (response->headers, "Retry-After");
  guint64 seconds = 0;

  g_assert_nonnull (header);
  g_assert_true (g_ascii_string_to_unsigned (header, 10, 1, 900, &seconds, NULL));
  return (gint64) seconds;
}

/* Five failures for one name are free. After them the name is blocked,
 * even for the right password, until Retry-After has passed. The block
 * doubles with every further failure. */
static void
test_account_slowdown (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_auto (SchedResponse) blocked = { 0 };
  g_auto (SchedResponse) blocked_other_case = { 0 };
  g_auto (SchedResponse) after_wait = { 0 };
  gint64 wait;

  for (int i = 0; i < 5; i++)
    {
      g_auto (SchedResponse) wrong = login (fixture, "chen.doctor", "guess");

      g_test_message ("failure %d", i + 1);
      sched_assert_error (&wrong, 401, "invalid_credentials");
    }

  blocked = login (fixture, "chen.doctor", PASSWORD);
  sched_assert_error (&blocked, 429, "too_many_attempts");
  g_assert_null (soup_message_headers_get_one (blocked.headers, "Set-Cookie"));
  wait = retry_after (&blocked);
  g_assert_cmpint (wait, <=, 2);

  blocked_other_case = login (fixture, "Chen.Doctor", PASSWORD);
  sched_assert_error (&blocked_other_case, 429, "too_many_attempts");

  g_usleep ((wait + 1) * G_USEC_PER_SEC);
  after_wait = login (fixture, "chen.doctor", PASSWORD);
  g_assert_cmpuint (after_wait.status, ==, 200);

  /* The success cleared the count: five more failures are free again. */
  for (int i = 0; i < 5; i++)
    {
      g_auto (SchedResponse) wrong = login (fixture, "chen.doctor", "guess");

      sched_assert_error (&wrong, 401, "invalid_credentials");
    }
  {
    g_auto (SchedResponse) sixth_blocked = login (fixture, "chen.doctor", "guess");
    g_auto (SchedResponse) seventh = { 0 };

    sched_assert_error (&sixth_blocked, 429, "too_many_attempts");
    g_usleep ((retry_after (&sixth_blocked) + 1) * G_USEC_PER_SEC);
    seventh = login (fixture, "chen.doctor", "guess");
    sched_assert_error (&seventh, 401, "invalid_credentials");
    {
      g_auto (SchedResponse) doubled = login (fixture, "chen.doctor", PASSWORD);

      sched_assert_error (&doubled, 429, "too_many_attempts");
      g_assert_cmpint (retry_after (&doubled), >, 2);
    }
  }
}

/* Failures spread over many names from one address block the address,
 * also for an account that never failed. */
static void
test_address_slowdown (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_auto (SchedResponse) blocked = { 0 };

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("guess%02d", i);
      g_auto (SchedResponse) wrong = login (fixture, name, "password1");

      sched_assert_error (&wrong, 401, "invalid_credentials");
    }

  blocked = login (fixture, "chen.doctor", PASSWORD);
  sched_assert_error (&blocked, 429, "too_many_attempts");
  g_assert_cmpint (retry_after (&blocked), >=, 1);
}

static SchedResponse
set_password (Fixture    *fixture,
              gint64      user_id,
              const char *key,
              const char *cookie,
              const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/users/%" G_GINT64_FORMAT "/password",
                                           user_id);

  return sched_send (fixture->daemons, "POST", path, key, cookie, NULL, body);
}

/* Sends TIMES changes of the doctor's own password without
 * current_password and returns how many got 400 invalid_field naming it. */
static guint
change_own_password_without_current (Fixture    *fixture,
                                     const char *cookie,
                                     guint       times)
{
  guint rejected = 0;

  for (guint i = 0; i < times; i++)
    {
      g_auto (SchedResponse) response = set_password (fixture, fixture->doctor_id, NULL, cookie,
                                                      "{\"password\": \"new-password-2\"}");
      JsonObject *object = response.json != NULL ? sched_object (&response) : NULL;

      if (response.status == 400 && object != NULL &&
          g_strcmp0 (json_object_get_string_member (object, "code"), "invalid_field") == 0 &&
          strstr (json_object_get_string_member (object, "message"), "current_password") != NULL)
        rejected++;
    }

  return rejected;
}

static void
test_set_password_rules (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_auto (SchedResponse) session = login (fixture, "chen.doctor", PASSWORD);
  g_autofree char *cookie = session_cookie (&session);
  g_autofree char *colleague_key = NULL;
  gint64 colleague_id = sched_create_user (fixture->daemons, fixture->county_id, "周医生",
                                           "doctor", &colleague_key);
  g_auto (SchedResponse) too_short = set_password (fixture, colleague_id,
                                                   fixture->daemons->admin_key, NULL,
                                                   "{\"password\": \"short\"}");
  g_auto (SchedResponse) bad_login = set_password (fixture, colleague_id,
                                                   fixture->daemons->admin_key, NULL,
                                                   "{\"password\": \"long-enough-1\","
                                                   " \"login\": \"周\"}");
  g_auto (SchedResponse) taken = set_password (fixture, colleague_id,
                                               fixture->daemons->admin_key, NULL,
                                               "{\"password\": \"long-enough-1\","
                                               " \"login\": \"CHEN.doctor\"}");
  g_auto (SchedResponse) by_peer = set_password (fixture, colleague_id, fixture->doctor_key,
                                                 NULL, "{\"password\": \"long-enough-1\"}");
  g_auto (SchedResponse) by_admin = set_password (fixture, colleague_id,
                                                  fixture->daemons->admin_key, NULL,
                                                  "{\"password\": \"long-enough-1\","
                                                  " \"login\": \"zhou\"}");
  g_auto (SchedResponse) colleague_login = login (fixture, "zhou", "long-enough-1");
  /* More than the 5 failures that are free: none of them counts. */
  guint without_current = change_own_password_without_current (fixture, cookie, 7);
  g_auto (SchedResponse) self_wrong_current = set_password (
    fixture, fixture->doctor_id, NULL, cookie,
    "{\"password\": \"new-password-2\", \"current_password\": \"wrong-one\"}");
  g_auto (SchedResponse) self = set_password (
    fixture, fixture->doctor_id, fixture->doctor_key, NULL,
    "{\"password\": \"new-password-2\", \"current_password\": \"" PASSWORD "\"}");
  g_auto (SchedResponse) old_cookie = me (fixture, cookie);
  g_auto (SchedResponse) old_password = login (fixture, "chen.doctor", PASSWORD);
  g_auto (SchedResponse) new_password = login (fixture, "chen.doctor", "new-password-2");
  g_auto (SchedResponse) key_still = sched_call (fixture->daemons, "GET", "/api/v1/me",
                                                 fixture->doctor_key, NULL);

  sched_assert_error (&too_short, 400, "invalid_field");
  g_assert_nonnull (strstr (json_object_get_string_member (sched_object (&too_short), "message"),
                            "password"));
  sched_assert_error (&bad_login, 400, "invalid_field");
  sched_assert_error (&taken, 409, "login_taken");
  sched_assert_error (&by_peer, 403, "forbidden");
  g_assert_cmpuint (by_admin.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&by_admin), "login"), ==, "zhou");
  g_assert_cmpuint (colleague_login.status, ==, 200);

  g_assert_cmpuint (without_current, ==, 7);
  sched_assert_error (&self_wrong_current, 401, "invalid_credentials");
  g_assert_cmpuint (self.status, ==, 200);

  /* A new password ends the browser sessions; the API key stays. */
  sched_assert_error (&old_cookie, 401, "unauthorized");
  sched_assert_error (&old_password, 401, "invalid_credentials");
  g_assert_cmpuint (new_password.status, ==, 200);
  g_assert_cmpuint (key_still.status, ==, 200);
}

/* The database contains an argon2id string, never the password. In WAL mode
 * the newest pages may still be in the -wal file, so both are read. */
/* Returns the bytes of the database file and of its -wal file. */
static GString *
read_database (Fixture *fixture)
{
  GString *stored = g_string_new (NULL);
  const char *suffixes[] = { "", "-wal" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (fixture->daemons->database_path, suffixes[i], NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, NULL))
        g_string_append_len (stored, contents, (gssize) length);
    }
  return stored;
}

static void
test_password_stored_hashed (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr (GString) stored = read_database (fixture);

  g_assert_cmpuint (stored->len, >, 0);
  /* memmem, because the files contain NUL bytes. */
  g_assert_null (memmem (stored->str, stored->len, PASSWORD, strlen (PASSWORD)));
  g_assert_nonnull (memmem (stored->str, stored->len, "$argon2id$", strlen ("$argon2id$")));
}

/* The database contains the SHA-256 of each API key, never the key. */
static void
test_api_key_stored_hashed (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr (GString) stored = read_database (fixture);
  const char *keys[] = { fixture->doctor_key, fixture->daemons->admin_key };

  g_assert_cmpuint (stored->len, >, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, keys[i], -1);

      g_assert_nonnull (keys[i]);
      g_assert_null (memmem (stored->str, stored->len, keys[i], strlen (keys[i])));
      g_assert_nonnull (memmem (stored->str, stored->len, hash, strlen (hash)));
    }
}

/* Two Authorization headers, a doctor's key and then the admin's, are
 * refused rather than read as either caller. */
static void
test_two_keys_rejected (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *url = g_strconcat (fixture->daemons->scheduler_url, "/api/v1/me", NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  g_autofree char *doctor = g_strconcat ("Bearer ", fixture->doctor_key, NULL);
  g_autofree char *admin = g_strconcat ("Bearer ", fixture->daemons->admin_key, NULL);
  g_auto (SchedResponse) response = { 0 };

  soup_message_headers_append (headers, "Authorization", doctor);
  soup_message_headers_append (headers, "Authorization", admin);
  response = sched_send_message (message);

  sched_assert_error (&response, 401, "unauthorized");
}

#define ADD(name, function) \
  g_test_add ("/scheduler-accounts/" name, Fixture, NULL, fixture_set_up, function, \
              fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("login-sets-cookie", test_login_sets_cookie);
  ADD ("wrong-password-rejected", test_wrong_password_rejected);
  ADD ("cookie-checks-origin", test_cookie_checks_origin);
  ADD ("logout-ends-session", test_logout_ends_session);
  ADD ("account-slowdown", test_account_slowdown);
  ADD ("address-slowdown", test_address_slowdown);
  ADD ("set-password-rules", test_set_password_rules);
  ADD ("password-stored-hashed", test_password_stored_hashed);
  ADD ("api-key-stored-hashed", test_api_key_stored_hashed);
  ADD ("two-keys-rejected", test_two_keys_rejected);

  return g_test_run ();
}
