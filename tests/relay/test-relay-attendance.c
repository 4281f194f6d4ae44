/* Attendance from a real relay's join and leave reports.
 *
 * Each case starts the scheduler and a relay of its own on loopback. The
 * relay signs its reports with the fixture's shared secret. A teaching
 * round is booked through the scheduler's HTTP API with a presenter and
 * registered trainees, whose join tokens come from the API too, and
 * hz-test-peer joins with them. The test reads GET
 * /api/v1/teaching-occurrences/ID/attendance and compares each user's
 * first join, last leave and seconds with the times at which the test saw
 * its peers join and leave. A consultation case checks that the first join
 * through the relay starts the consultation.
 *
 * Command line, besides GLib's test options:
 *   --hz-test-peer=PATH
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-net.h"

#include <string.h>

/* The round runs from a minute ago for an hour, so every token is valid
 * during the test. The booking helper's consultation is a day later, so
 * that it does not conflict with the presenter's round. */
#define ROUND_START_OFFSET_S (-60)
#define ROUND_DURATION_S 3600
#define CONSULTATION_OFFSET_S (24 * 3600)
#define CONSULTATION_DURATION_S 1800

#define JOIN_TIMEOUT_MS 20000
#define EXIT_TIMEOUT_MS 30000
/* How long the test polls the scheduler for a report that the relay sends
 * at once, and how long it waits for the relay to see a killed peer. */
#define REPORT_TIMEOUT_MS 15000
#define DROP_TIMEOUT_MS 10000
#define POLL_INTERVAL_MS 200

/* The trainee's two visits and the pause between them. */
#define FIRST_VISIT_MS 5000
#define PAUSE_MS 4000
#define SECOND_VISIT_MS 4000
/* The killed trainee's visit, and the relay's reconnect grace in that
 * case: longer than TOLERANCE_S, so a leave reported at the grace's end
 * instead of at the drop fails the test. */
#define KILLED_VISIT_MS 5000
#define RECONNECT_GRACE_S 6

/* The relay reports times in whole seconds. It records a join a little
 * before the peer prints "joined", and a leave a little after the test
 * sends SIGTERM. Each reported time, and the seconds of one visit, may
 * differ from the test's clock by TOLERANCE_S. The seconds of two visits
 * add two rounding errors, so they get one second more. */
#define TOLERANCE_S 2
#define TWO_VISITS_TOLERANCE_S (TOLERANCE_S + 1)

#define PEER_EXIT_OK 0

/* A teaching round booked through the scheduler's API, and the relay that
 * reports its joins and leaves. The booking's expert presents. */
typedef struct {
  HzTestDaemons *daemons;
  HzTestBooking booking;
  NetTestRelay *relay;
  gint64 series_id;
  gint64 session_id;
  gint64 trainee_id;
  gint64 absent_id;          /* a registered trainee who never joins */
  char *trainee_key;
  char *absent_key;
  char *presenter_token;
  char *trainee_token;
} Round;

/* One stay of a peer in the room, on the test's clock (microseconds). */
typedef struct {
  gint64 started;            /* before the peer process started */
  gint64 joined;             /* when the peer printed "joined" */
  gint64 leaving;            /* when the test sent SIGTERM or SIGKILL */
  gint64 exited;             /* when the peer process had exited */
} Visit;

static void
round_free (Round *round)
{
  net_test_relay_stop (round->relay);
  hz_test_booking_clear (&round->booking);
  g_clear_pointer (&round->daemons, hz_test_daemons_stop);
  g_free (round->trainee_key);
  g_free (round->absent_key);
  g_free (round->presenter_token);
  g_free (round->trainee_token);
  g_free (round);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Round, round_free)

static char *
utc_time (gint64 offset_s)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) time = g_date_time_add_seconds (now, (gdouble) offset_s);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Creates a trainee of the county hospital and returns its id and API key. */
static gint64
create_trainee (Round *round, const char *name, char **key)
{
  g_autofree char *body = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"%s\","
                                           " \"role\": \"trainee\"}",
                                           round->booking.county_org_id, name);
  g_autoptr (JsonNode) created = NULL;
  JsonObject *user;
  guint status = 0;

  created = hz_test_http (round->daemons, "POST", "/api/v1/users", round->daemons->admin_key,
                          body, "en", &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_nonnull (created);
  user = json_node_get_object (created);
  *key = g_strdup (json_object_get_string_member (user, "api_key"));
  return json_object_get_int_member (user, "id");
}

static void
register_trainee (Round *round, const char *key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT
                                           "/registrations", round->series_id);
  g_autoptr (JsonNode) registration = NULL;
  guint status = 0;

  registration = hz_test_http (round->daemons, "POST", path, key, NULL, "en", &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_nonnull (registration);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (registration), "status"),
                   ==, "registered");
}

/* Books a single round for the county hospital, registers two trainees,
 * requests the presenter's and the first trainee's join tokens and starts
 * a relay with RELAY_KEYS (or none) in its [relay] group. */
static Round *
round_start (const char *relay_keys)
{
  g_autoptr (Round) round = g_new0 (Round, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) created = NULL;
  g_autofree char *start = utc_time (ROUND_START_OFFSET_S);
  g_autofree char *end = utc_time (ROUND_START_OFFSET_S + ROUND_DURATION_S);
  g_autofree char *body = NULL;
  JsonObject *series;
  JsonArray *occurrences;
  guint status = 0;

  round->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);
  hz_test_book_consultation (round->daemons, CONSULTATION_OFFSET_S, CONSULTATION_DURATION_S,
                             &round->booking, &error);
  g_assert_no_error (error);

  body = g_strdup_printf ("{\"presenter_id\": %" G_GINT64_FORMAT ", \"title\": \"心内科教学查房\","
                          " \"kind\": \"ward_round\", \"start\": \"%s\", \"end\": \"%s\","
                          " \"capacity\": 10, \"audience_org_ids\": [%" G_GINT64_FORMAT "]}",
                          round->booking.expert_id, start, end, round->booking.county_org_id);
  created = hz_test_http (round->daemons, "POST", "/api/v1/teaching-sessions",
                          round->booking.expert_key, body, "en", &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_nonnull (created);
  series = json_node_get_object (created);
  round->series_id = json_object_get_int_member (series, "id");
  occurrences = json_object_get_array_member (series, "occurrences");
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 1);
  round->session_id = json_object_get_int_member (json_array_get_object_element (occurrences, 0),
                                                  "session_id");

  round->trainee_id = create_trainee (round, "学员甲", &round->trainee_key);
  round->absent_id = create_trainee (round, "学员乙", &round->absent_key);
  register_trainee (round, round->trainee_key);
  register_trainee (round, round->absent_key);

  round->presenter_token = hz_test_join_token (round->daemons, round->session_id,
                                               round->booking.expert_key, &error);
  g_assert_no_error (error);
  round->trainee_token = hz_test_join_token (round->daemons, round->session_id,
                                             round->trainee_key, &error);
  g_assert_no_error (error);

  round->relay = net_test_relay_start (round->daemons, relay_keys);
  round->daemons->relay_url = g_strdup (round->relay->url);
  return g_steal_pointer (&round);
}

/* Visits ------------------------------------------------------------------ */

static RelayTestPeer *
visit_start (const RelayTestTools *tools, HzTestDaemons *daemons, gint64 session_id,
             const char *token, const char *label, const char *const *args, Visit *visit)
{
  RelayTestPeer *peer;

  visit->started = g_get_real_time ();
  peer = relay_test_peer_start (tools, daemons, session_id, token, label, args);
  g_assert_nonnull (relay_test_peer_wait_event (peer, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  visit->joined = g_get_real_time ();
  return peer;
}

/* Sends PEER SIGTERM, which makes it send "leave", and waits for its exit. */
static void
visit_leave (RelayTestPeer *peer, Visit *visit)
{
  visit->leaving = g_get_real_time ();
  relay_test_peer_terminate (peer);
  g_assert_cmpint (relay_test_peer_wait_exit (peer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  visit->exited = g_get_real_time ();
}

/* Kills PEER with SIGKILL, so its WebSocket ends without a close frame. */
static void
visit_kill (RelayTestPeer *peer, Visit *visit)
{
  visit->leaving = g_get_real_time ();
  g_subprocess_force_exit (peer->process);
  g_subprocess_wait (peer->process, NULL, NULL);
  visit->exited = g_get_real_time ();
}

static double
visit_seconds (const Visit *visit)
{
  return (double) (visit->leaving - visit->joined) / G_USEC_PER_SEC;
}

/* Attendance -------------------------------------------------------------- */

/* GETs the round's attendance as its presenter. */
static JsonNode *
fetch_attendance (Round *round)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/teaching-occurrences/%" G_GINT64_FORMAT
                                           "/attendance", round->session_id);
  JsonNode *attendance;
  guint status = 0;

  attendance = hz_test_http (round->daemons, "GET", path, round->booking.expert_key, NULL, "en",
                             &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (attendance);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (attendance), "session_id"),
                   ==, round->session_id);
  return attendance;
}

/* Returns USER_ID's entry of ATTENDANCE, or fails the test without one. */
static JsonObject *
attendance_entry (JsonNode *attendance, gint64 user_id)
{
  JsonArray *list = json_object_get_array_member (json_node_get_object (attendance), "attendance");

  g_assert_nonnull (list);
  for (guint i = 0; i < json_array_get_length (list); i++) {
    JsonObject *entry = json_array_get_object_element (list, i);

    if (json_object_get_int_member (entry, "user_id") == user_id)
      return entry;
  }
  g_error ("user %" G_GINT64_FORMAT " is not in the attendance", user_id);
}

static gboolean
entry_has_left (JsonObject *entry)
{
  return !json_object_get_null_member (entry, "last_leave");
}

/* Polls the attendance until USER_ID has JOINS joins and a last leave, and
 * returns it. Fails the test after TIMEOUT_MS. */
static JsonNode *
wait_attendance_left (Round *round, gint64 user_id, gint64 joins, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;) {
    g_autoptr (JsonNode) attendance = fetch_attendance (round);
    JsonObject *entry = attendance_entry (attendance, user_id);
    g_autofree char *text = NULL;

    if (json_object_get_int_member (entry, "joins") == joins && entry_has_left (entry))
      return g_steal_pointer (&attendance);
    if (g_get_monotonic_time () > deadline) {
      text = json_to_string (attendance, FALSE);
      g_error ("user %" G_GINT64_FORMAT " did not reach %" G_GINT64_FORMAT " joins and a leave "
               "within %u ms; attendance: %s", user_id, joins, timeout_ms, text);
    }
    g_usleep (POLL_INTERVAL_MS * G_TIME_SPAN_MILLISECOND);
  }
}

/* Reads MEMBER of ENTRY, an RFC 3339 time, as Unix seconds. */
static gint64
entry_time (JsonObject *entry, const char *member)
{
  const char *text = json_object_get_string_member (entry, member);
  g_autoptr (GDateTime) time = NULL;

  g_assert_nonnull (text);
  time = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

/* Checks that MEMBER of ENTRY lies between FROM_US and TO_US (test clock),
 * widened by TOLERANCE_S on each side. */
static void
assert_time_between (JsonObject *entry, const char *member, gint64 from_us, gint64 to_us)
{
  gint64 reported = entry_time (entry, member);

  g_test_message ("%s %" G_GINT64_FORMAT ", test clock %.1f to %.1f", member, reported,
                  (double) from_us / G_USEC_PER_SEC, (double) to_us / G_USEC_PER_SEC);
  g_assert_cmpint (reported, >=, from_us / G_USEC_PER_SEC - TOLERANCE_S);
  g_assert_cmpint (reported, <=, to_us / G_USEC_PER_SEC + TOLERANCE_S);
}

static void
assert_seconds_near (JsonObject *entry, double expected, double tolerance)
{
  gint64 seconds = json_object_get_int_member (entry, "seconds");

  g_test_message ("user %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT " seconds reported, %.1f seen",
                  json_object_get_int_member (entry, "user_id"), seconds, expected);
  g_assert_cmpfloat (seconds, >=, expected - tolerance);
  g_assert_cmpfloat (seconds, <=, expected + tolerance);
}

/* Checks the entry of a user who was present for one visit. */
static void
assert_one_visit (JsonObject *entry, const char *role, const Visit *visit)
{
  g_assert_cmpstr (json_object_get_string_member (entry, "role"), ==, role);
  g_assert_true (json_object_get_boolean_member (entry, "attended"));
  g_assert_cmpint (json_object_get_int_member (entry, "joins"), ==, 1);
  assert_time_between (entry, "first_join", visit->started, visit->joined);
  assert_time_between (entry, "last_leave", visit->leaving, visit->exited);
  assert_seconds_near (entry, visit_seconds (visit), TOLERANCE_S);
}

static void
assert_never_joined (JsonObject *entry, const char *role)
{
  g_assert_cmpstr (json_object_get_string_member (entry, "role"), ==, role);
  g_assert_false (json_object_get_boolean_member (entry, "attended"));
  g_assert_cmpint (json_object_get_int_member (entry, "joins"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "seconds"), ==, 0);
  g_assert_true (json_object_get_null_member (entry, "first_join"));
  g_assert_true (json_object_get_null_member (entry, "last_leave"));
}

/* Cases ---------------------------------------------------------------------- */

/* The presenter publishes for the whole round. The trainee watches twice
 * with a pause between, each time leaving with "leave", and its seconds are
 * the two visits together, without the pause. The second trainee never
 * joins and is listed as absent. */
static void
test_teaching_round (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (Round) round = round_start (NULL);
  const char *viewer_args[] = { "--no-publish", NULL };
  g_autoptr (RelayTestPeer) presenter = NULL;
  g_autoptr (JsonNode) before = NULL;
  g_autoptr (JsonNode) after_first = NULL;
  g_autoptr (JsonNode) after = NULL;
  Visit presenter_visit = { 0 };
  Visit first = { 0 };
  Visit second = { 0 };
  JsonObject *entry;

  before = fetch_attendance (round);
  assert_never_joined (attendance_entry (before, round->booking.expert_id), "presenter");
  assert_never_joined (attendance_entry (before, round->trainee_id), "attendee");

  presenter = visit_start (tools, round->daemons, round->session_id, round->presenter_token,
                           "presenter", NULL, &presenter_visit);

  {
    g_autoptr (RelayTestPeer) trainee = visit_start (tools, round->daemons, round->session_id,
                                                     round->trainee_token, "trainee",
                                                     viewer_args, &first);

    g_usleep (FIRST_VISIT_MS * G_TIME_SPAN_MILLISECOND);
    visit_leave (trainee, &first);
  }
  after_first = wait_attendance_left (round, round->trainee_id, 1, REPORT_TIMEOUT_MS);
  assert_one_visit (attendance_entry (after_first, round->trainee_id), "attendee", &first);
  g_usleep (PAUSE_MS * G_TIME_SPAN_MILLISECOND);

  {
    g_autoptr (RelayTestPeer) trainee = visit_start (tools, round->daemons, round->session_id,
                                                     round->trainee_token, "trainee again",
                                                     viewer_args, &second);

    g_usleep (SECOND_VISIT_MS * G_TIME_SPAN_MILLISECOND);
    visit_leave (trainee, &second);
  }
  visit_leave (presenter, &presenter_visit);

  json_node_unref (wait_attendance_left (round, round->booking.expert_id, 1, REPORT_TIMEOUT_MS));
  after = wait_attendance_left (round, round->trainee_id, 2, REPORT_TIMEOUT_MS);

  entry = attendance_entry (after, round->trainee_id);
  g_assert_cmpstr (json_object_get_string_member (entry, "role"), ==, "attendee");
  g_assert_cmpstr (json_object_get_string_member (entry, "user_name"), ==, "学员甲");
  g_assert_true (json_object_get_boolean_member (entry, "attended"));
  g_assert_cmpint (json_object_get_int_member (entry, "joins"), ==, 2);
  assert_time_between (entry, "first_join", first.started, first.joined);
  assert_time_between (entry, "last_leave", second.leaving, second.exited);
  assert_seconds_near (entry, visit_seconds (&first) + visit_seconds (&second),
                       TWO_VISITS_TOLERANCE_S);

  assert_one_visit (attendance_entry (after, round->booking.expert_id), "presenter",
                    &presenter_visit);
  assert_never_joined (attendance_entry (after, round->absent_id), "attendee");
}

/* The trainee's peer is killed. The relay keeps the participant for its
 * reconnect grace, and at the grace's end reports a leave at the time the
 * connection dropped, so the attendance ends at the kill. */
static void
test_killed_trainee (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autofree char *relay_keys = g_strdup_printf ("reconnect-grace = %d", RECONNECT_GRACE_S);
  g_autoptr (Round) round = round_start (relay_keys);
  g_autofree char *dropped = g_strdup_printf ("session %" G_GINT64_FORMAT " participant %"
                                              G_GINT64_FORMAT ": connection dropped",
                                              round->session_id, round->trainee_id);
  const char *viewer_args[] = { "--no-publish", NULL };
  g_autoptr (RelayTestPeer) presenter = NULL;
  g_autoptr (RelayTestPeer) trainee = NULL;
  g_autoptr (JsonNode) during_grace = NULL;
  g_autoptr (JsonNode) after_grace = NULL;
  g_autoptr (JsonNode) after = NULL;
  Visit presenter_visit = { 0 };
  Visit killed = { 0 };
  gint64 deadline;
  gint64 reported;

  presenter = visit_start (tools, round->daemons, round->session_id, round->presenter_token,
                           "presenter", NULL, &presenter_visit);
  trainee = visit_start (tools, round->daemons, round->session_id, round->trainee_token,
                         "trainee", viewer_args, &killed);
  g_usleep (KILLED_VISIT_MS * G_TIME_SPAN_MILLISECOND);
  visit_kill (trainee, &killed);

  deadline = g_get_monotonic_time () + DROP_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  while (!net_test_relay_log_contains (round->relay, dropped)) {
    if (g_get_monotonic_time () > deadline)
      g_error ("the relay did not log \"%s\" within %d ms; see %s", dropped, DROP_TIMEOUT_MS,
               round->relay->log_path);
    g_usleep (POLL_INTERVAL_MS * G_TIME_SPAN_MILLISECOND);
  }

  /* Within the grace the trainee could still resume, so no leave yet. */
  during_grace = fetch_attendance (round);
  g_assert_false (entry_has_left (attendance_entry (during_grace, round->trainee_id)));

  after_grace = wait_attendance_left (round, round->trainee_id, 1,
                                      RECONNECT_GRACE_S * 1000 + REPORT_TIMEOUT_MS);
  reported = g_get_real_time ();
  g_assert_cmpint (reported, >=, killed.leaving + (RECONNECT_GRACE_S - 1) * G_USEC_PER_SEC);
  assert_one_visit (attendance_entry (after_grace, round->trainee_id), "attendee", &killed);

  visit_leave (presenter, &presenter_visit);
  after = wait_attendance_left (round, round->booking.expert_id, 1, REPORT_TIMEOUT_MS);
  assert_one_visit (attendance_entry (after, round->booking.expert_id), "presenter",
                    &presenter_visit);
  assert_one_visit (attendance_entry (after, round->trainee_id), "attendee", &killed);
}

static char *
consultation_status (RelayTestSession *session)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT,
                                           session->booking.consultation_id);
  g_autoptr (JsonNode) consultation = NULL;
  guint status = 0;

  consultation = hz_test_http (session->daemons, "GET", path, session->booking.doctor_key, NULL,
                               "en", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (consultation);
  return g_strdup (json_object_get_string_member (json_node_get_object (consultation),
                                                  "status"));
}

/* A consultation has no attendance list, but the relay's first join report
 * moves it from scheduled to in progress. */
static void
test_consultation_started (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (RelayTestSession) session = relay_test_session_start ();
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autofree char *before = consultation_status (session);
  Visit visit = { 0 };
  gint64 deadline;

  g_assert_cmpstr (before, ==, "scheduled");
  doctor = visit_start (tools, session->daemons, session->booking.session_id,
                        session->doctor_token, "doctor", NULL, &visit);

  deadline = g_get_monotonic_time () + REPORT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  for (;;) {
    g_autofree char *status = consultation_status (session);

    if (g_str_equal (status, "in_progress"))
      break;
    g_assert_cmpstr (status, ==, "scheduled");
    if (g_get_monotonic_time () > deadline)
      g_error ("consultation %" G_GINT64_FORMAT " is still scheduled %d ms after the doctor "
               "joined", session->booking.consultation_id, REPORT_TIMEOUT_MS);
    g_usleep (POLL_INTERVAL_MS * G_TIME_SPAN_MILLISECOND);
  }
  visit_leave (doctor, &visit);
}

int
main (int argc, char **argv)
{
  RelayTestTools tools = { 0 };
  int status;

  g_test_init (&argc, &argv, NULL);
  tools.peer = relay_test_tool_path (argc, argv, "hz-test-peer", "hz-test-peer");
  if (tools.peer == NULL) {
    g_printerr ("pass --hz-test-peer=PATH or set HUIZHEN_BUILD_ROOT\n");
    return 77;
  }
  g_test_add_data_func ("/relay-attendance/teaching-round", &tools, test_teaching_round);
  g_test_add_data_func ("/relay-attendance/killed-trainee", &tools, test_killed_trainee);
  g_test_add_data_func ("/relay-attendance/consultation-started", &tools,
                        test_consultation_started);
  status = g_test_run ();
  g_free (tools.peer);
  return status;
}
