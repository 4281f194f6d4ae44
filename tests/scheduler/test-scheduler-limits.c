/* Integration tests of the scheduler's request rate limit, [scheduler]
 * api-rate-limit and api-rate-burst, and of max-connections-per-address,
 * against the real daemon on loopback.
 *
 * The daemon runs with 1 request per second and a burst of RATE_BURST, so
 * a client that sends as fast as it can is served RATE_BURST times, plus
 * one more for each second the requests took, before it gets 429. The
 * built-in defaults (20 per second, bursts of 200) would serve every
 * request of these loops, so a pass also shows that the values come from
 * the config file.
 */
#include <libsoup/soup.h>
#include <string.h>

#include "hz-sched-errors.h"
#include "hz-test-daemons.h"
#include "sched-test-http.h"

#define RATE_BURST 8
#define LIMITS_CONFIG "api-rate-limit = 1\napi-rate-burst = " G_STRINGIFY (RATE_BURST) "\n"
/* More than RATE_BURST plus one per second that the loop may take. */
#define MAX_REQUESTS 60
#define LIMITS_PASSWORD "Zunyi-2026-limits"

typedef struct {
  HzTestDaemons *daemons;
  char *doctor_key;
  char *other_key;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL;
  gint64 county_id;

  fixture->daemons = hz_test_daemons_start_with_keys (HZ_TEST_DAEMONS_SCHEDULER, LIMITS_CONFIG,
                                                      &error);
  g_assert_no_error (error);

  county_id = sched_create_org (fixture->daemons, "凤冈县人民医院", "county");
  body = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"罗医生\","
                          " \"role\": \"doctor\", \"login\": \"luo.doctor\","
                          " \"password\": \"" LIMITS_PASSWORD "\"}", county_id);
  sched_create (fixture->daemons, "/api/v1/users", fixture->daemons->admin_key, body,
                &fixture->doctor_key);
  sched_create_user (fixture->daemons, county_id, "杨医生", "doctor", &fixture->other_key);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
  g_free (fixture->doctor_key);
  g_free (fixture->other_key);
}

/* Sends GET /api/v1/me with KEY or COOKIE and, when not NULL, an
 * Accept-Language header. */
static SchedResponse
get_me (Fixture    *fixture,
        const char *key,
        const char *cookie,
        const char *accept_language)
{
  g_autofree char *url = g_strconcat (fixture->daemons->scheduler_url, "/api/v1/me", NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  if (key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (cookie != NULL)
    soup_message_headers_replace (headers, "Cookie", cookie);
  if (accept_language != NULL)
    soup_message_headers_replace (headers, "Accept-Language", accept_language);
  return sched_send_message (message);
}

/* Logs in with the doctor's password and returns "hz_session=VALUE". */
static char *
log_in (Fixture *fixture)
{
  g_auto (SchedResponse) response = sched_call (fixture->daemons, "POST", "/api/v1/login", NULL,
                                                "{\"login\": \"luo.doctor\","
                                                " \"password\": \"" LIMITS_PASSWORD "\"}");
  const char *header = soup_message_headers_get_one (response.headers, "Set-Cookie");

  g_assert_cmpuint (response.status, ==, 200);
  g_assert_nonnull (header);
  return g_strndup (header, strcspn (header, ";"));
}

/* Checks the 429 of the rate limit in LANGUAGE. */
static void
assert_rate_limited (const SchedResponse *response,
                     HzLanguage           language)
{
  JsonObject *object = sched_object (response);

  g_assert_cmpuint (response->status, ==, 429);
  g_assert_cmpstr (response->reason, ==, "Too Many Requests");
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, "rate_limited");
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==,
                   hz_sched_error_message (HZ_SCHED_ERROR_RATE_LIMITED, language));
  /* At 1 request per second a token is back within a second. */
  g_assert_cmpstr (soup_message_headers_get_one (response->headers, "Retry-After"), ==, "1");
}

/* Asserts that SERVED requests before the first 429, sent during
 * ELAPSED_US, fit the burst and the rate of LIMITS_CONFIG. */
static void
assert_served_within_limit (guint  served,
                            gint64 elapsed_us)
{
  guint refilled = (guint) (elapsed_us / G_USEC_PER_SEC);

  g_test_message ("%u requests served in %" G_GINT64_FORMAT " ms", served, elapsed_us / 1000);
  g_assert_cmpuint (served, >=, RATE_BURST);
  g_assert_cmpuint (served, <=, RATE_BURST + refilled + 1);
}

/* One API key over its rate gets 429 rate_limited, in Chinese by default
 * and in English on request, while another key is still served. */
static void
test_rate_limit_per_key (Fixture       *fixture,
                         gconstpointer  user_data)
{
  gint64 started_us = g_get_monotonic_time ();
  g_auto (SchedResponse) limited = { 0 };
  guint served = 0;

  for (guint i = 0; i < MAX_REQUESTS; i++)
    {
      g_auto (SchedResponse) response = get_me (fixture, fixture->doctor_key, NULL, NULL);

      if (response.status != 200)
        {
          limited = response;
          response = (SchedResponse) { 0 };
          break;
        }
      served++;
    }
  assert_served_within_limit (served, g_get_monotonic_time () - started_us);
  assert_rate_limited (&limited, HZ_LANGUAGE_ZH_CN);

  {
    g_auto (SchedResponse) other = get_me (fixture, fixture->other_key, NULL, NULL);

    g_assert_cmpuint (other.status, ==, 200);
  }

  for (guint i = 0; i < MAX_REQUESTS; i++)
    {
      g_auto (SchedResponse) english = get_me (fixture, fixture->doctor_key, NULL, "en");

      if (english.status != 200)
        {
          assert_rate_limited (&english, HZ_LANGUAGE_EN);
          return;
        }
    }
  g_assert_not_reached ();
}

/* Browser sessions count per user: two sessions of one user share one
 * bucket, and the user's API key has its own. */
static void
test_rate_limit_per_session_user (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autofree char *first_cookie = log_in (fixture);
  g_autofree char *second_cookie = log_in (fixture);
  g_auto (SchedResponse) limited = { 0 };
  gint64 started_us = g_get_monotonic_time ();
  guint served = 0;

  g_assert_cmpstr (first_cookie, !=, second_cookie);

  /* Taking turns, two separate buckets would serve 2 * RATE_BURST. */
  for (guint i = 0; i < MAX_REQUESTS; i++)
    {
      const char *cookie = i % 2 == 0 ? first_cookie : second_cookie;
      g_auto (SchedResponse) response = get_me (fixture, NULL, cookie, NULL);

      if (response.status != 200)
        {
          limited = response;
          response = (SchedResponse) { 0 };
          break;
        }
      served++;
    }
  assert_served_within_limit (served, g_get_monotonic_time () - started_us);
  assert_rate_limited (&limited, HZ_LANGUAGE_ZH_CN);

  {
    g_auto (SchedResponse) by_key = get_me (fixture, fixture->doctor_key, NULL, NULL);

    g_assert_cmpuint (by_key.status, ==, 200);
  }
}

#define CONNECTION_LIMIT 3
/* How long the test waits for the scheduler to notice closed connections. */
#define RELEASE_TIMEOUT_US (5 * G_USEC_PER_SEC)

/* Returns the status of GET /api/v1/client-config, an open route, and
 * stores the error code of a 429 in *CODE. */
static guint
get_client_config (HzTestDaemons  *daemons,
                   char          **code)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options (
    "timeout", SCHED_TEST_HTTP_TIMEOUT_SECONDS, NULL);
  g_autofree char *url = g_strconcat (daemons->scheduler_url, "/api/v1/client-config", NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint status;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  status = soup_message_get_status (message);
  if (status == 429)
    {
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                                 (gssize) g_bytes_get_size (body), NULL));
      *code = g_strdup (json_object_get_string_member (
        json_node_get_object (json_parser_get_root (parser)), "code"));
      g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                     "Retry-After"), ==, "1");
    }
  return status;
}

/* With [scheduler] max-connections-per-address = CONNECTION_LIMIT, idle
 * connections of one address up to the limit make its next request get 429
 * too_many_connections. Once they close, requests pass again. */
static void
test_connections_per_address (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start_with_keys (
    HZ_TEST_DAEMONS_SCHEDULER,
    "max-connections-per-address = " G_STRINGIFY (CONNECTION_LIMIT) "\n", &error);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GUri) uri = NULL;
  GSocketConnection *idle[CONNECTION_LIMIT] = { NULL };
  g_autofree char *code = NULL;
  gint64 deadline_us;
  guint status;

  g_assert_no_error (error);
  uri = g_uri_parse (daemons->scheduler_url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (get_client_config (daemons, &code), ==, 200);

  for (guint i = 0; i < CONNECTION_LIMIT; i++)
    {
      idle[i] = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                 (guint16) g_uri_get_port (uri), NULL, &error);
      g_assert_no_error (error);
    }

  /* The server accepts the idle connections in its own time, so the first
   * requests may still pass. */
  deadline_us = g_get_monotonic_time () + RELEASE_TIMEOUT_US;
  while ((status = get_client_config (daemons, &code)) == 200 &&
         g_get_monotonic_time () < deadline_us)
    g_usleep (50 * 1000);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpstr (code, ==, "too_many_connections");

  for (guint i = 0; i < CONNECTION_LIMIT; i++)
    {
      g_assert_true (g_io_stream_close (G_IO_STREAM (idle[i]), NULL, NULL));
      g_object_unref (idle[i]);
    }

  deadline_us = g_get_monotonic_time () + RELEASE_TIMEOUT_US;
  g_clear_pointer (&code, g_free);
  while ((status = get_client_config (daemons, &code)) == 429 &&
         g_get_monotonic_time () < deadline_us)
    {
      g_clear_pointer (&code, g_free);
      g_usleep (50 * 1000);
    }
  g_assert_cmpuint (status, ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/scheduler-limits/rate-per-key", Fixture, NULL, fixture_set_up,
              test_rate_limit_per_key, fixture_tear_down);
  g_test_add ("/scheduler-limits/rate-per-session-user", Fixture, NULL, fixture_set_up,
              test_rate_limit_per_session_user, fixture_tear_down);

  g_test_add_func ("/scheduler-limits/connections-per-address", test_connections_per_address);

  return g_test_run ();
}
