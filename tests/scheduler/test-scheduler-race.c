/* Integration test of booking under concurrency: 50 requests for
 * overlapping times of one expert, released at once from 50 threads
 * against two daemons that share one database. Exactly one may win; the
 * others must get 409 slot_taken, never a second booking or an error. */
#include <gio/gio.h>
#include <signal.h>
#include <string.h>

#include "hz-test-daemons.h"
#include "sched-test-client.h"

#define HTTP_TIMEOUT_SECONDS 30
#define STARTUP_TIMEOUT_MS 15000
#define BOOKING_START_OFFSET (2 * 24 * 3600)
#define BOOKING_DURATION (30 * 60)
#define REQUESTS 50
#define ROUNDS 3
/* The rounds send more than 400 requests in about a second, over the
 * default api-rate-burst of 200, and the test is about concurrency, not
 * the rate limit. */
#define RACE_SCHEDULER_KEYS "api-rate-limit = 10000\napi-rate-burst = 10000\n"

typedef struct {
  GMutex lock;
  GCond changed;
  guint ready;               /* threads waiting for the start */
  gboolean go;
} Barrier;

typedef struct {
  Barrier *barrier;
  const char *url;           /* the daemon this request goes to */
  const char *key;
  char *path;
  char *body;
  guint status;
  char *code;                /* the error code, or NULL */
} Attempt;

static gpointer
run_attempt (gpointer data)
{
  Attempt *attempt = data;
  g_autoptr (SoupSession) session = soup_session_new_with_options (
    "timeout", HTTP_TIMEOUT_SECONDS, NULL);
  g_auto (HzTestResponse) response = { 0 };

  g_mutex_lock (&attempt->barrier->lock);
  attempt->barrier->ready++;
  g_cond_broadcast (&attempt->barrier->changed);
  while (!attempt->barrier->go)
    g_cond_wait (&attempt->barrier->changed, &attempt->barrier->lock);
  g_mutex_unlock (&attempt->barrier->lock);

  response = hz_test_request (session, attempt->url, "POST", attempt->path, attempt->key,
                              attempt->body);
  attempt->status = response.status;
  if (response.json != NULL && JSON_NODE_HOLDS_OBJECT (response.json))
    attempt->code = g_strdup (json_object_get_string_member_with_default (
      json_node_get_object (response.json), "code", NULL));
  return NULL;
}

/* Starts a second scheduler on the fixture's config and database. */
static GSubprocess *
start_second_scheduler (HzTestDaemons  *daemons,
                        char          **url)
{
  g_autofree char *path = g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"), "scheduler",
                                            "huizhen-scheduler", NULL);
  const char *argv[] = { path, "--config", daemons->config_path, NULL };
  const char *prefix = "huizhen-scheduler: listening on ";
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = hz_test_spawn (argv, &error);

  g_assert_no_error (error);
  for (;;)
    {
      g_autofree char *line = hz_test_read_line (process, STARTUP_TIMEOUT_MS);

      g_assert_nonnull (line);
      if (g_str_has_prefix (line, prefix))
        {
          *url = g_strdup (line + strlen (prefix));
          return g_steal_pointer (&process);
        }
    }
}

static gint64
create_consultation (SoupSession         *session,
                     const HzTestDaemons *daemons,
                     const HzTestBooking *booking)
{
  g_auto (HzTestResponse) response = hz_test_request (
    session, daemons->scheduler_url, "POST", "/api/v1/consultations", booking->doctor_key,
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"R-1\", \"age\": 70,"
    " \"sex\": \"female\", \"summary\": \"胸痛\"}, \"question\": \"请会诊\"}");

  hz_test_assert_status (&response, 201, NULL);
  return json_object_get_int_member (hz_test_response_object (&response), "id");
}

/* Runs one round on DATE: request I books 10:00 + I minutes for an hour,
 * so every two requests overlap. Returns the consultation ids. */
static GArray *
run_round (SoupSession         *session,
           const HzTestDaemons *daemons,
           const HzTestBooking *booking,
           const char          *second_url,
           const char          *date)
{
  Barrier barrier = { 0 };
  Attempt attempts[REQUESTS] = { 0 };
  GThread *threads[REQUESTS];
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint won = 0, taken = 0;
  g_autofree char *base_text = g_strdup_printf ("%sT10:00:00+08:00", date);
  g_autoptr (GDateTime) base = g_date_time_new_from_iso8601 (base_text, NULL);

  g_mutex_init (&barrier.lock);
  g_cond_init (&barrier.changed);

  for (guint i = 0; i < REQUESTS; i++)
    {
      gint64 id = create_consultation (session, daemons, booking);
      g_autoptr (GDateTime) start = g_date_time_add_minutes (base, (int) i);
      g_autoptr (GDateTime) end = g_date_time_add_minutes (start, 60);
      g_autofree char *start_text = g_date_time_format (start, "%Y-%m-%dT%H:%M:%S%:z");
      g_autofree char *end_text = g_date_time_format (end, "%Y-%m-%dT%H:%M:%S%:z");

      g_array_append_val (ids, id);
      attempts[i].barrier = &barrier;
      attempts[i].url = i % 2 == 0 ? daemons->scheduler_url : second_url;
      attempts[i].key = booking->coordinator_key;
      attempts[i].path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                                          id);
      attempts[i].body = g_strdup_printf (
        "{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\", \"end\": \"%s\"}",
        booking->expert_id, start_text, end_text);
      threads[i] = g_thread_new ("booking", run_attempt, &attempts[i]);
    }

  /* Release every request at once, after all threads are waiting. */
  g_mutex_lock (&barrier.lock);
  while (barrier.ready < REQUESTS)
    g_cond_wait (&barrier.changed, &barrier.lock);
  barrier.go = TRUE;
  g_cond_broadcast (&barrier.changed);
  g_mutex_unlock (&barrier.lock);

  for (guint i = 0; i < REQUESTS; i++)
    {
      g_thread_join (threads[i]);
      g_test_message ("request %u: %u %s", i, attempts[i].status,
                      attempts[i].code ? attempts[i].code : "");
      if (attempts[i].status == 201)
        won++;
      else if (attempts[i].status == 409 && g_strcmp0 (attempts[i].code, "slot_taken") == 0)
        taken++;
      g_free (attempts[i].path);
      g_free (attempts[i].body);
      g_free (attempts[i].code);
    }

  g_mutex_clear (&barrier.lock);
  g_cond_clear (&barrier.changed);

  g_assert_cmpuint (won, ==, 1);
  g_assert_cmpuint (taken, ==, REQUESTS - 1);
  return ids;
}

/* Reads every consultation back: exactly one of IDS is scheduled. */
static void
assert_one_scheduled (SoupSession         *session,
                      const HzTestDaemons *daemons,
                      const HzTestBooking *booking,
                      GArray              *ids)
{
  guint scheduled = 0;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT,
                                               g_array_index (ids, gint64, i));
      g_auto (HzTestResponse) response = hz_test_request (session, daemons->scheduler_url,
                                                          "GET", path,
                                                          booking->coordinator_key, NULL);
      const char *status;

      hz_test_assert_status (&response, 200, NULL);
      status = json_object_get_string_member (hz_test_response_object (&response), "status");
      if (g_str_equal (status, "scheduled"))
        scheduled++;
    }

  g_assert_cmpuint (scheduled, ==, 1);
}

static void
test_concurrent_booking (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start_with_keys (HZ_TEST_DAEMONS_SCHEDULER,
                                                                       RACE_SCHEDULER_KEYS,
                                                                       &error);
  g_autoptr (SoupSession) session = soup_session_new_with_options (
    "timeout", HTTP_TIMEOUT_SECONDS, NULL);
  g_autoptr (GSubprocess) second = NULL;
  g_autofree char *second_url = NULL;
  HzTestBooking booking = { 0 };

  g_assert_no_error (error);
  hz_test_book_consultation (daemons, BOOKING_START_OFFSET, BOOKING_DURATION, &booking, &error);
  g_assert_no_error (error);
  second = start_second_scheduler (daemons, &second_url);

  for (int round = 0; round < ROUNDS; round++)
    {
      g_autofree char *date = hz_test_shanghai_date (4 + round);
      g_autoptr (GArray) ids = run_round (session, daemons, &booking, second_url, date);

      assert_one_scheduled (session, daemons, &booking, ids);
    }

  g_subprocess_send_signal (second, SIGTERM);
  g_subprocess_wait (second, NULL, NULL);
  hz_test_booking_clear (&booking);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/race/concurrent-booking", test_concurrent_booking);

  return g_test_run ();
}
