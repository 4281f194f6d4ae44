/* Integration tests of huizhen-scheduler as a process: committed data
 * survives SIGTERM and SIGKILL, two daemons on one database never book the
 * same slot twice, and --demo prints working keys and join URLs. */
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "hz-sched-time.h"
#include "hz-test-daemons.h"
#include "hz-token.h"

#define STARTUP_TIMEOUT_MS 15000
#define HTTP_TIMEOUT_SECONDS 10
#define BOOKING_START_OFFSET (2 * 24 * 3600)
#define BOOKING_DURATION (30 * 60)

static char *
scheduler_path (void)
{
  return g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"), "scheduler", "huizhen-scheduler",
                           NULL);
}

/* Starts another scheduler with CONFIG_PATH and EXTRA_ARGUMENT (or NULL),
 * reads stdout up to the startup line and returns the URL in it. Lines
 * before it are appended to PREAMBLE when that is not NULL. */
static GSubprocess *
start_scheduler (const char  *config_path,
                 const char  *extra_argument,
                 char       **url,
                 GString     *preamble)
{
  g_autofree char *path = scheduler_path ();
  const char *argv[] = { path, "--config", config_path, extra_argument, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = hz_test_spawn (argv, &error);
  const char *prefix = "huizhen-scheduler: listening on ";

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
      if (preamble != NULL)
        g_string_append_printf (preamble, "%s\n", line);
    }
}

/* Stops PROCESS with SIGNUM and checks how it ended: exit status 0 after
 * SIGTERM, killed by the signal after SIGKILL. */
static void
stop_scheduler (GSubprocess *process,
                int          signum)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (process, signum);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  if (signum == SIGKILL)
    {
      g_assert_true (g_subprocess_get_if_signaled (process));
      g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
    }
  else
    {
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
    }
}

static JsonObject *
get_object (SoupSession *session,
            const char  *url,
            const char  *key,
            guint       *status)
{
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (message);

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Sends POST URL with an empty JSON object as KEY and returns the JSON
 * object of the response; *STATUS gets the HTTP status. */
static JsonObject *
post_empty_object (SoupSession *session,
                   const char  *url,
                   const char  *key,
                   guint       *status)
{
  g_autoptr (SoupMessage) message = soup_message_new ("POST", url);
  g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);
  g_autoptr (GBytes) request = g_bytes_new_static ("{}", 2);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", request);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (message);

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Replaces the fixture's scheduler with a new process on the same
 * configuration and database, so that hz_test_daemons_stop() ends it. */
static void
restart_scheduler (HzTestDaemons *daemons,
                   int            signum)
{
  stop_scheduler (daemons->scheduler, signum);
  g_clear_object (&daemons->scheduler);
  g_clear_pointer (&daemons->scheduler_url, g_free);
  daemons->scheduler = start_scheduler (daemons->config_path, NULL,
                                        &daemons->scheduler_url, NULL);
}

static void
test_restart_keeps_data (void)
{
  const int signals[] = { SIGTERM, SIGKILL };
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout",
                                                                   HTTP_TIMEOUT_SECONDS, NULL);
  HzTestBooking booking;

  g_assert_no_error (error);
  hz_test_book_consultation (daemons, BOOKING_START_OFFSET, BOOKING_DURATION, &booking, &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_autofree char *url = NULL;
      g_autoptr (JsonObject) consultation = NULL;
      guint status = 0;

      g_test_message ("restart after signal %d", signals[i]);
      restart_scheduler (daemons, signals[i]);

      url = g_strdup_printf ("%s/api/v1/consultations/%" G_GINT64_FORMAT,
                             daemons->scheduler_url, booking.consultation_id);
      consultation = get_object (session, url, booking.doctor_key, &status);
      g_assert_cmpuint (status, ==, 200);
      g_assert_cmpstr (json_object_get_string_member (consultation, "status"), ==, "scheduled");
      g_assert_cmpint (json_object_get_int_member (consultation, "session_id"), ==,
                       booking.session_id);
    }

  hz_test_booking_clear (&booking);
}

typedef struct {
  int pending;
  guint statuses[2];
  SoupMessage *messages[2];
} RaceState;

static void
race_request_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RaceState *state = user_data;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);

  for (int i = 0; i < 2; i++)
    if (state->messages[i] == message)
      state->statuses[i] = soup_message_get_status (message);
  state->pending--;
}

static gint64
create_consultation (SoupSession *session,
                     const char  *base_url,
                     const char  *doctor_key)
{
  g_autofree char *url = g_strconcat (base_url, "/api/v1/consultations", NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", doctor_key, NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("POST", url);
  const char *body = "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"R-1\", \"age\": 70,"
                     " \"sex\": \"male\", \"summary\": \"气短\"}, \"question\": \"请会诊\"}";
  g_autoptr (GBytes) request = g_bytes_new_static (body, strlen (body));
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", request);
  response = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 201);

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (response, NULL),
                                             (gssize) g_bytes_get_size (response), NULL));
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "id");
}

static SoupMessage *
new_schedule_message (const char    *base_url,
                      const char    *coordinator_key,
                      gint64         consultation_id,
                      gint64         expert_id,
                      gint64         start)
{
  g_autofree char *url = g_strdup_printf ("%s/api/v1/consultations/%" G_GINT64_FORMAT
                                          "/schedule", base_url, consultation_id);
  g_autofree char *authorization = g_strconcat ("Bearer ", coordinator_key, NULL);
  g_autofree char *start_text = hz_time_format_rfc3339 (start, NULL);
  g_autofree char *end_text = hz_time_format_rfc3339 (start + 1800, NULL);
  g_autofree char *body = g_strdup_printf (
    "{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\", \"end\": \"%s\"}",
    expert_id, start_text, end_text);
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
  SoupMessage *message = soup_message_new ("POST", url);

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  return message;
}

/* Two daemons share the database. Each round sends overlapping bookings of
 * the same expert to both daemons at once, and exactly one may succeed.
 * NOTE: on a loopback connection the first request usually commits before
 * the second starts, so this checks the cross-process overlap check more
 * often than a true interleaving inside BEGIN IMMEDIATE. */
static void
test_two_daemons_race (void)
{
  const int rounds = 10;
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout",
                                                                   HTTP_TIMEOUT_SECONDS, NULL);
  g_autoptr (GSubprocess) second = NULL;
  g_autofree char *second_url = NULL;
  gint64 base = g_get_real_time () / G_USEC_PER_SEC + 5 * 24 * 3600;
  HzTestBooking booking;

  g_assert_no_error (error);
  hz_test_book_consultation (daemons, BOOKING_START_OFFSET, BOOKING_DURATION, &booking, &error);
  g_assert_no_error (error);
  second = start_scheduler (daemons->config_path, NULL, &second_url, NULL);

  for (int round = 0; round < rounds; round++)
    {
      const char *urls[2] = { daemons->scheduler_url, second_url };
      gint64 start = base + round * 3600;
      RaceState state = { 2, { 0, 0 }, { NULL, NULL } };

      for (int i = 0; i < 2; i++)
        {
          gint64 consultation = create_consultation (session, urls[i], booking.doctor_key);

          /* The second request starts ten minutes later: overlapping, not equal. */
          state.messages[i] = new_schedule_message (urls[i], booking.coordinator_key,
                                                    consultation, booking.expert_id,
                                                    start + i * 600);
        }

      for (int i = 0; i < 2; i++)
        soup_session_send_and_read_async (session, state.messages[i], G_PRIORITY_DEFAULT, NULL,
                                          race_request_done, &state);
      while (state.pending > 0)
        g_main_context_iteration (NULL, TRUE);

      g_test_message ("round %d: %u and %u", round, state.statuses[0], state.statuses[1]);
      g_assert_true ((state.statuses[0] == 201 && state.statuses[1] == 409) ||
                     (state.statuses[0] == 409 && state.statuses[1] == 201));
      g_clear_object (&state.messages[0]);
      g_clear_object (&state.messages[1]);
    }

  stop_scheduler (second, SIGTERM);
  hz_test_booking_clear (&booking);
}

/* Returns the API key on the demo table row that contains NAME. */
static char *
demo_key (const char *output,
          const char *name)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = NULL;

      if (strstr (lines[i], name) == NULL || strstr (lines[i], "hz_") == NULL)
        continue;
      words = g_strsplit_set (lines[i], " ", -1);
      for (guint w = 0; words[w] != NULL; w++)
        if (g_str_has_prefix (words[w], "hz_"))
          return g_strdup (words[w]);
    }
  return NULL;
}

/* Returns the user id in the first column of the demo table row that
 * contains NAME, or 0. */
static gint64
demo_user_id (const char *output,
              const char *name)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], name) != NULL && strstr (lines[i], "hz_") != NULL)
        return g_ascii_strtoll (lines[i], NULL, 10);
    }
  return 0;
}

/* Returns the join URL on the line after the one that contains LABEL. */
static char *
demo_join_url (const char *output,
               const char *label)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    if (strstr (lines[i], label) != NULL)
      return g_strdup (g_strstrip (lines[i + 1]));
  return NULL;
}

static void
test_demo_dataset (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout",
                                                                   HTTP_TIMEOUT_SECONDS, NULL);
  g_autofree char *directory = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  g_autofree char *url = NULL;
  g_autofree char *doctor_key = NULL;
  g_autofree char *expert_key = NULL;
  g_autofree char *doctor_url = NULL;
  g_autofree char *consultation_url = NULL;
  g_autoptr (GString) output = g_string_new (NULL);
  g_autoptr (GSubprocess) demo = NULL;
  g_autoptr (GSubprocess) again = NULL;
  g_autoptr (JsonObject) consultation = NULL;
  g_auto (HzJoinToken) token = { 0 };
  const char *fragment;
  const char *token_start;
  g_autofree char *token_text = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint status = 0;

  g_assert_no_error (error);

  /* A fresh database next to the fixture's, with the fixture's secret. */
  directory = g_build_filename (daemons->dir, "demo", NULL);
  config_path = g_build_filename (daemons->dir, "demo.conf", NULL);
  config = g_strdup_printf ("[scheduler]\nlisten = 127.0.0.1:0\ndatabase = %s/huizhen.db\n"
                            "token-secret-file = %s\n", directory, daemons->secret_path);
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));

  demo = start_scheduler (config_path, "--demo", &url, output);
  g_test_message ("%s", output->str);

  for (const char *const *name = (const char *const[]) { "杨浦区中心医院", "双柏县人民医院",
                                                          "玉龙县人民医院", "湄潭县人民医院",
                                                          "拉孜县人民医院", NULL };
       *name != NULL; name++)
    g_assert_nonnull (strstr (output->str, *name));

  doctor_key = demo_key (output->str, "次仁多吉");
  expert_key = demo_key (output->str, "陈国栋");
  doctor_url = demo_join_url (output->str, "医生 Doctor");
  g_assert_nonnull (doctor_key);
  g_assert_nonnull (expert_key);
  g_assert_nonnull (doctor_url);

  /* The join URL points at this scheduler and carries a token that is
   * valid now, because the demo consultation starts now. */
  g_assert_true (g_str_has_prefix (doctor_url, url));
  fragment = strchr (doctor_url, '#');
  g_assert_nonnull (fragment);
  token_start = strstr (fragment, "token=");
  g_assert_nonnull (token_start);
  token_text = g_strndup (token_start + 6, strcspn (token_start + 6, "&"));
  g_assert_true (hz_token_verify (&daemons->secret, token_text, 1, now, &token, &error));
  g_assert_no_error (error);
  g_assert_cmpint (token.expires - token.not_before, ==,
                   2 * 3600 + HZ_TOKEN_EARLY_SECONDS + HZ_TOKEN_LATE_SECONDS);

  /* The printed keys work. */
  consultation_url = g_strconcat (url, "/api/v1/consultations/1", NULL);
  consultation = get_object (session, consultation_url, expert_key, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (consultation, "status"), ==, "scheduled");
  g_clear_pointer (&consultation, json_object_unref);
  consultation = get_object (session, consultation_url, doctor_key, &status);
  g_assert_cmpuint (status, ==, 200);

  /* The table's id column names the users that the keys belong to, as
   * booking through the API needs (expert_id). */
  {
    g_autofree char *me_url = g_strconcat (url, "/api/v1/me", NULL);
    g_autoptr (JsonObject) me = get_object (session, me_url, expert_key, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpint (demo_user_id (output->str, "陈国栋"), ==,
                     json_object_get_int_member (me, "id"));
  }

  /* The demo trainee lists the teaching round, which has free places and
   * an occurrence that starts within half an hour, and can register for it. */
  {
    g_autofree char *trainee_key = demo_key (output->str, "普文静");
    g_autofree char *list_url = g_strconcat (url, "/api/v1/teaching-sessions", NULL);
    g_autoptr (JsonObject) list = NULL;
    g_autoptr (JsonObject) registration = NULL;
    g_autofree char *register_url = NULL;
    g_autoptr (GDateTime) first_start = NULL;
    JsonArray *rounds;
    JsonObject *round;
    JsonArray *occurrences;

    g_assert_nonnull (trainee_key);
    list = get_object (session, list_url, trainee_key, &status);
    g_assert_cmpuint (status, ==, 200);
    rounds = json_object_get_array_member (list, "teaching_sessions");
    g_assert_cmpuint (json_array_get_length (rounds), ==, 1);
    round = json_array_get_object_element (rounds, 0);
    g_assert_cmpint (json_object_get_int_member (round, "registered"), <,
                     json_object_get_int_member (round, "capacity"));
    occurrences = json_object_get_array_member (round, "occurrences");
    g_assert_cmpuint (json_array_get_length (occurrences), ==, 4);
    first_start = g_date_time_new_from_iso8601 (
      json_object_get_string_member (json_array_get_object_element (occurrences, 0), "start"),
      NULL);
    g_assert_nonnull (first_start);
    g_assert_cmpint (g_date_time_to_unix (first_start), >, now);
    g_assert_cmpint (g_date_time_to_unix (first_start), <=, now + 30 * 60);

    register_url = g_strdup_printf ("%s/api/v1/teaching-sessions/%" G_GINT64_FORMAT
                                    "/registrations", url,
                                    json_object_get_int_member (round, "id"));
    registration = post_empty_object (session, register_url, trainee_key, &status);
    g_assert_cmpuint (status, ==, 201);
    g_assert_cmpstr (json_object_get_string_member (registration, "status"), ==, "registered");
  }

  stop_scheduler (demo, SIGTERM);

  /* The demo dataset goes only into an empty database. */
  {
    g_autofree char *path = scheduler_path ();
    const char *argv[] = { path, "--config", config_path, "--demo", NULL };

    again = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
    g_assert_no_error (error);
    g_subprocess_wait (again, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_exited (again));
    g_assert_cmpint (g_subprocess_get_exit_status (again), ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scheduler-process/restart-keeps-data", test_restart_keeps_data);
  g_test_add_func ("/scheduler-process/two-daemons-race", test_two_daemons_race);
  g_test_add_func ("/scheduler-process/demo-dataset", test_demo_dataset);

  return g_test_run ();
}
