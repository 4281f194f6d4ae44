/* Integration tests of the consultation workflow: guarded transitions, the
 * history, rescheduling, the relay's join reports and the signed report.
 * The real daemon runs on loopback with a temporary database. */
#include <gio/gio.h>
#include <sqlite3.h>
#include <string.h>

#include "hz-sched-time.h"
#include "hz-test-daemons.h"
#include "sched-test-http.h"

/* Bookings start three days ahead, one hour apart, so none collide. */
#define FIRST_SLOT_OFFSET (3 * 24 * 3600)
#define SLOT_SECONDS 3600
#define SESSION_SECONDS 1800

typedef struct {
  HzTestDaemons *daemons;
  gint64 district_id;
  gint64 county_id;
  gint64 coordinator_id;
  gint64 expert_id;
  gint64 other_expert_id;
  gint64 doctor_id;
  char *coordinator_key;
  char *expert_key;
  char *other_expert_key;
  char *doctor_key;
  gint64 next_slot;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  fixture->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);

  fixture->district_id = sched_create_org (fixture->daemons, "杨浦区中心医院", "district");
  fixture->county_id = sched_create_org (fixture->daemons, "双柏县人民医院", "county");
  fixture->coordinator_id = sched_create_user (fixture->daemons, fixture->district_id,
                                               "张协调员", "coordinator",
                                               &fixture->coordinator_key);
  fixture->expert_id = sched_create_user (fixture->daemons, fixture->district_id, "王专家",
                                          "expert", &fixture->expert_key);
  fixture->other_expert_id = sched_create_user (fixture->daemons, fixture->district_id,
                                                "赵专家", "expert", &fixture->other_expert_key);
  fixture->doctor_id = sched_create_user (fixture->daemons, fixture->county_id, "李医生",
                                          "doctor", &fixture->doctor_key);
  fixture->next_slot = (now + FIRST_SLOT_OFFSET) / SLOT_SECONDS * SLOT_SECONDS;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
  g_free (fixture->coordinator_key);
  g_free (fixture->expert_key);
  g_free (fixture->other_expert_key);
  g_free (fixture->doctor_key);
}

static gint64
take_slot (Fixture *fixture)
{
  gint64 slot = fixture->next_slot;

  fixture->next_slot += SLOT_SECONDS;
  return slot;
}

static gint64
request_consultation (Fixture *fixture)
{
  g_autofree char *extra = g_strdup_printf (", \"target_org_id\": %" G_GINT64_FORMAT,
                                            fixture->district_id);

  return sched_request_consultation (fixture->daemons, fixture->doctor_key, extra);
}

/* POSTs BODY to /consultations/ID/ACTION with KEY. */
static SchedResponse
act (Fixture    *fixture,
     gint64      id,
     const char *action,
     const char *key,
     const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/%s",
                                           id, action);

  return sched_call (fixture->daemons, "POST", path, key, body);
}

static char *
interval_body (gint64 expert_id,
               gint64 start,
               gint64 end)
{
  g_autofree char *start_text = sched_format_time (start);
  g_autofree char *end_text = sched_format_time (end);

  return g_strdup_printf ("{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\","
                          " \"end\": \"%s\"}", expert_id, start_text, end_text);
}

static SchedResponse
schedule_at (Fixture *fixture,
             gint64   id,
             gint64   expert_id,
             gint64   start)
{
  g_autofree char *body = interval_body (expert_id, start, start + SESSION_SECONDS);

  return act (fixture, id, "schedule", fixture->coordinator_key, body);
}

static SchedResponse
reschedule_at (Fixture *fixture,
               gint64   id,
               gint64   expert_id,
               gint64   start)
{
  g_autofree char *body = interval_body (expert_id, start, start + SESSION_SECONDS);

  return act (fixture, id, "reschedule", fixture->coordinator_key, body);
}

static JsonObject *
get_consultation (Fixture    *fixture,
                  gint64      id,
                  const char *key,
                  SchedResponse *response)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT, id);

  *response = sched_call (fixture->daemons, "GET", path, key, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  return sched_object (response);
}

static char *
status_of (Fixture *fixture,
           gint64   id)
{
  g_auto (SchedResponse) response = { 0 };
  JsonObject *object = get_consultation (fixture, id, fixture->doctor_key, &response);

  return g_strdup (json_object_get_string_member (object, "status"));
}

static gint64
session_of (Fixture *fixture,
            gint64   id)
{
  g_auto (SchedResponse) response = { 0 };
  JsonObject *object = get_consultation (fixture, id, fixture->doctor_key, &response);

  return json_object_get_int_member (object, "session_id");
}

static SchedResponse
report_participation (Fixture    *fixture,
                      gint64      session_id,
                      gint64      participant_id,
                      const char *event)
{
  g_autofree char *at = sched_format_time (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *body = g_strdup_printf (
    "{\"session_id\": %" G_GINT64_FORMAT ", \"participant_id\": \"%" G_GINT64_FORMAT "\","
    " \"event\": \"%s\", \"at\": \"%s\"}", session_id, participant_id, event, at);

  return sched_relay_post (fixture->daemons, "/internal/participation", body);
}

static SchedResponse
save_report (Fixture    *fixture,
             gint64      id,
             const char *key,
             const char *opinion)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/report",
                                           id);
  g_autofree char *body = g_strdup_printf ("{\"opinion\": \"%s\"}", opinion);

  return sched_call (fixture->daemons, "PUT", path, key, body);
}

static void
assert_ok (const SchedResponse *response,
           guint                status)
{
  if (response->status != status && response->json != NULL)
    {
      g_autofree char *text = json_to_string (response->json, FALSE);

      g_test_message ("Unexpected response %u: %s", response->status, text);
    }
  g_assert_cmpuint (response->status, ==, status);
}

/* Asserts a 409 invalid_transition that names FROM and TO. */
static void
assert_invalid_transition (const SchedResponse *response,
                           const char          *from,
                           const char          *to)
{
  JsonObject *object;

  sched_assert_error (response, 409, "invalid_transition");
  object = sched_object (response);
  g_assert_cmpstr (json_object_get_string_member (object, "from"), ==, from);
  g_assert_cmpstr (json_object_get_string_member (object, "to"), ==, to);
}

typedef enum {
  STATE_REQUESTED,
  STATE_ACCEPTED,
  STATE_RETURNED,
  STATE_SCHEDULED,
  STATE_IN_PROGRESS,
  STATE_COMPLETED,
  STATE_CANCELLED,
  STATE_COUNT,
} State;

static const char *const state_names[STATE_COUNT] = {
  "requested", "accepted", "returned", "scheduled", "in_progress", "completed", "cancelled",
};

/* Returns a new consultation in STATE, reached through the API. */
static gint64
consultation_in_state (Fixture *fixture,
                       State    state)
{
  gint64 id = request_consultation (fixture);
  g_autofree char *reached = NULL;

  if (state == STATE_ACCEPTED)
    {
      g_auto (SchedResponse) accepted = act (fixture, id, "accept",
                                             fixture->coordinator_key, NULL);
      assert_ok (&accepted, 200);
    }
  else if (state == STATE_RETURNED)
    {
      g_auto (SchedResponse) returned = act (fixture, id, "return", fixture->coordinator_key,
                                             "{\"reason\": \"病历资料不全\"}");
      assert_ok (&returned, 200);
    }
  else if (state == STATE_CANCELLED)
    {
      g_auto (SchedResponse) cancelled = act (fixture, id, "cancel", fixture->doctor_key,
                                              "{\"reason\": \"患者转院\"}");
      assert_ok (&cancelled, 200);
    }
  else if (state >= STATE_SCHEDULED)
    {
      g_auto (SchedResponse) scheduled = schedule_at (fixture, id, fixture->expert_id,
                                                      take_slot (fixture));
      assert_ok (&scheduled, 201);
    }

  if (state >= STATE_IN_PROGRESS && state <= STATE_COMPLETED)
    {
      g_auto (SchedResponse) joined = report_participation (fixture, session_of (fixture, id),
                                                            fixture->doctor_id, "join");
      assert_ok (&joined, 200);
    }

  if (state == STATE_COMPLETED)
    {
      g_auto (SchedResponse) draft = save_report (fixture, id, fixture->expert_key, "建议冠脉造影");
      g_auto (SchedResponse) signed_report = act (fixture, id, "report/sign",
                                                  fixture->expert_key, NULL);
      assert_ok (&draft, 200);
      assert_ok (&signed_report, 200);
    }

  reached = status_of (fixture, id);
  g_assert_cmpstr (reached, ==, state_names[state]);
  return id;
}

typedef enum {
  ACTION_ACCEPT,
  ACTION_RETURN,
  ACTION_SCHEDULE,
  ACTION_RESCHEDULE,
  ACTION_CANCEL,
  ACTION_NO_SHOW,
  ACTION_COUNT,
} Action;

static const struct {
  const char *path;
  const char *target;
  guint success_status;    /* 201 when the action creates the session */
} actions[ACTION_COUNT] = {
  [ACTION_ACCEPT] = { "accept", "accepted", 200 },
  [ACTION_RETURN] = { "return", "returned", 200 },
  [ACTION_SCHEDULE] = { "schedule", "scheduled", 201 },
  [ACTION_RESCHEDULE] = { "reschedule", "scheduled", 200 },
  [ACTION_CANCEL] = { "cancel", "cancelled", 200 },
  [ACTION_NO_SHOW] = { "no-show", "no_show", 200 },
};

/* The outcome of each action from each state: NULL for success, else the
 * error code. The table is written from the workflow's definition, not
 * from the daemon's table. A no-show of a session three days ahead fails
 * because the session has not started. */
#define IT "invalid_transition"
static const char *const expected_outcome[STATE_COUNT][ACTION_COUNT] = {
  /*                    accept return schedule reschedule cancel no-show */
  [STATE_REQUESTED] =   { NULL, NULL, NULL, IT, NULL, IT },
  [STATE_ACCEPTED] =    { IT, NULL, NULL, IT, NULL, IT },
  [STATE_RETURNED] =    { IT, IT, IT, IT, IT, IT },
  [STATE_SCHEDULED] =   { IT, IT, IT, NULL, NULL, "session_not_started" },
  [STATE_IN_PROGRESS] = { IT, IT, IT, IT, IT, IT },
  [STATE_COMPLETED] =   { IT, IT, IT, IT, IT, IT },
  [STATE_CANCELLED] =   { IT, IT, IT, IT, IT, IT },
};
#undef IT

static SchedResponse
perform (Fixture *fixture,
         gint64   id,
         Action   action)
{
  switch (action)
    {
    case ACTION_SCHEDULE:
      return schedule_at (fixture, id, fixture->expert_id, take_slot (fixture));
    case ACTION_RESCHEDULE:
      return reschedule_at (fixture, id, fixture->expert_id, take_slot (fixture));
    case ACTION_RETURN:
      return act (fixture, id, "return", fixture->coordinator_key,
                  "{\"reason\": \"请补充心电图\"}");
    case ACTION_CANCEL:
      return act (fixture, id, "cancel", fixture->coordinator_key,
                  "{\"reason\": \"专家出差\"}");
    case ACTION_NO_SHOW:
      return act (fixture, id, "no-show", fixture->coordinator_key, "{}");
    case ACTION_ACCEPT:
    default:
      return act (fixture, id, "accept", fixture->coordinator_key, NULL);
    }
}

static void
test_transition_matrix (Fixture       *fixture,
                        gconstpointer  user_data)
{
  for (State state = 0; state < STATE_COUNT; state++)
    {
      for (Action action = 0; action < ACTION_COUNT; action++)
        {
          gint64 id = consultation_in_state (fixture, state);
          const char *outcome = expected_outcome[state][action];
          g_auto (SchedResponse) response = perform (fixture, id, action);
          g_autofree char *after = status_of (fixture, id);

          g_test_message ("%s from %s", actions[action].path, state_names[state]);
          if (outcome == NULL)
            {
              assert_ok (&response, actions[action].success_status);
              g_assert_cmpstr (after, ==, actions[action].target);
              continue;
            }

          if (g_str_equal (outcome, "invalid_transition"))
            assert_invalid_transition (&response, state_names[state], actions[action].target);
          else
            sched_assert_error (&response, 409, outcome);
          g_assert_cmpstr (after, ==, state_names[state]);
        }
    }
}

/* The case "a returned request cannot be accepted or scheduled", with the
 * messages that name both states in both languages. */
static void
test_returned_is_final (Fixture       *fixture,
                        gconstpointer  user_data)
{
  gint64 id = request_consultation (fixture);
  g_auto (SchedResponse) returned = act (fixture, id, "return", fixture->coordinator_key,
                                         "{\"reason\": \"病历资料不全，请补充影像\"}");
  g_auto (SchedResponse) accept = act (fixture, id, "accept", fixture->coordinator_key, NULL);
  g_auto (SchedResponse) schedule = schedule_at (fixture, id, fixture->expert_id,
                                                 take_slot (fixture));
  g_auto (SchedResponse) accept_admin = act (fixture, id, "accept",
                                             fixture->daemons->admin_key, NULL);
  g_auto (SchedResponse) return_again = act (fixture, id, "return", fixture->coordinator_key,
                                             "{\"reason\": \"再次退回\"}");
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/accept",
                                           id);
  g_autofree char *authorization = g_strconcat ("Bearer ", fixture->coordinator_key, NULL);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (fixture->daemons->scheduler_url, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr (GBytes) english_body = NULL;
  g_autofree char *after = NULL;
  const char *message_zh;

  assert_ok (&returned, 200);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&returned), "status"), ==,
                   "returned");
  g_assert_cmpstr (json_object_get_string_member (sched_object (&returned), "return_reason"),
                   ==, "病历资料不全，请补充影像");

  assert_invalid_transition (&accept, "returned", "accepted");
  message_zh = json_object_get_string_member (sched_object (&accept), "message");
  g_assert_nonnull (strstr (message_zh, "已退回"));
  g_assert_nonnull (strstr (message_zh, "已受理"));

  assert_invalid_transition (&schedule, "returned", "scheduled");
  g_assert_nonnull (strstr (json_object_get_string_member (sched_object (&schedule), "message"),
                            "已排班"));
  assert_invalid_transition (&accept_admin, "returned", "accepted");
  assert_invalid_transition (&return_again, "returned", "returned");

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept-Language",
                                "en");
  english_body = soup_session_send_and_read (session, message, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (message), ==, 409);
  g_assert_nonnull (english_body);
  g_assert_nonnull (strstr (g_bytes_get_data (english_body, NULL),
                            "The consultation is returned and cannot become accepted."));

  after = status_of (fixture, id);
  g_assert_cmpstr (after, ==, "returned");
}

/* Returns history entry INDEX of consultation ID as seen by KEY. */
static JsonArray *
history_of (Fixture       *fixture,
            gint64         id,
            const char    *key,
            SchedResponse *response)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/history",
                                           id);

  *response = sched_call (fixture->daemons, "GET", path, key, NULL);
  assert_ok (response, 200);
  return json_object_get_array_member (sched_object (response), "history");
}

static void
assert_entry (JsonArray  *history,
              guint       index,
              const char *action,
              const char *from,
              const char *to,
              const char *actor_kind,
              gint64      actor_id)
{
  JsonObject *entry = json_array_get_object_element (history, index);
  JsonObject *actor = json_object_get_object_member (entry, "actor");
  const char *at = json_object_get_string_member (entry, "at");

  g_test_message ("history[%u]: %s", index, action);
  g_assert_cmpstr (json_object_get_string_member (entry, "action"), ==, action);
  if (from == NULL)
    g_assert_true (json_object_get_null_member (entry, "from"));
  else
    g_assert_cmpstr (json_object_get_string_member (entry, "from"), ==, from);
  g_assert_cmpstr (json_object_get_string_member (entry, "to"), ==, to);
  g_assert_cmpstr (json_object_get_string_member (actor, "kind"), ==, actor_kind);
  if (actor_id == 0)
    g_assert_true (json_object_get_null_member (actor, "id"));
  else
    g_assert_cmpint (json_object_get_int_member (actor, "id"), ==, actor_id);
  g_assert_true (g_str_has_suffix (at, "+08:00"));
}

static void
test_history_records_every_step (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  gint64 id = request_consultation (fixture);
  gint64 first_start = take_slot (fixture);
  gint64 second_start = take_slot (fixture);
  g_autofree char *reschedule_body = NULL;
  g_autofree char *second_start_text = NULL;
  g_autofree char *second_end_text = NULL;
  g_auto (SchedResponse) accepted = act (fixture, id, "accept", fixture->coordinator_key, NULL);
  g_auto (SchedResponse) scheduled = schedule_at (fixture, id, fixture->expert_id, first_start);
  g_auto (SchedResponse) rescheduled = { 0 };
  g_auto (SchedResponse) joined = { 0 };
  g_auto (SchedResponse) draft = { 0 };
  g_auto (SchedResponse) signed_report = { 0 };
  g_auto (SchedResponse) response = { 0 };
  JsonArray *history;
  JsonObject *detail;
  gint64 value;

  assert_ok (&accepted, 200);
  assert_ok (&scheduled, 201);
  second_start_text = sched_format_time (second_start);
  second_end_text = sched_format_time (second_start + SESSION_SECONDS);
  reschedule_body = g_strdup_printf (
    "{\"start\": \"%s\", \"end\": \"%s\", \"reason\": \"专家临时手术\"}",
    second_start_text, second_end_text);
  rescheduled = act (fixture, id, "reschedule", fixture->coordinator_key, reschedule_body);
  assert_ok (&rescheduled, 200);
  joined = report_participation (fixture, session_of (fixture, id), fixture->expert_id, "join");
  assert_ok (&joined, 200);
  draft = save_report (fixture, id, fixture->expert_key, "考虑不稳定型心绞痛");
  assert_ok (&draft, 200);
  signed_report = act (fixture, id, "report/sign", fixture->expert_key, NULL);
  assert_ok (&signed_report, 200);

  history = history_of (fixture, id, fixture->doctor_key, &response);
  g_assert_cmpuint (json_array_get_length (history), ==, 6);
  assert_entry (history, 0, "consultation.request", NULL, "requested", "user",
                fixture->doctor_id);
  assert_entry (history, 1, "consultation.accept", "requested", "accepted", "user",
                fixture->coordinator_id);
  assert_entry (history, 2, "consultation.schedule", "accepted", "scheduled", "user",
                fixture->coordinator_id);
  assert_entry (history, 3, "consultation.reschedule", "scheduled", "scheduled", "user",
                fixture->coordinator_id);
  assert_entry (history, 4, "consultation.start", "scheduled", "in_progress", "relay", 0);
  assert_entry (history, 5, "consultation.complete", "in_progress", "completed", "user",
                fixture->expert_id);

  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (json_array_get_object_element (history, 1),
                                                    "actor"), "name"), ==, "张协调员");

  /* The reschedule row keeps the reason and both times. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (history, 3),
                                                  "reason"), ==, "专家临时手术");
  detail = json_object_get_object_member (json_array_get_object_element (history, 3), "detail");
  g_assert_true (hz_time_parse_rfc3339 (
    json_object_get_string_member (detail, "previous_start_at"), &value));
  g_assert_cmpint (value, ==, first_start);
  g_assert_true (hz_time_parse_rfc3339 (json_object_get_string_member (detail, "start_at"),
                                        &value));
  g_assert_cmpint (value, ==, second_start);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (detail, "start_at"),
                                   "+08:00"));
}

/* Scheduling a request that no coordinator accepted writes the implied
 * accept. */
static void
test_history_implied_accept (Fixture       *fixture,
                             gconstpointer  user_data)
{
  gint64 id = request_consultation (fixture);
  g_auto (SchedResponse) scheduled = schedule_at (fixture, id, fixture->expert_id,
                                                  take_slot (fixture));
  g_auto (SchedResponse) response = { 0 };
  JsonArray *history;
  JsonObject *detail;

  assert_ok (&scheduled, 201);
  history = history_of (fixture, id, fixture->coordinator_key, &response);
  g_assert_cmpuint (json_array_get_length (history), ==, 3);
  assert_entry (history, 1, "consultation.accept", "requested", "accepted", "user",
                fixture->coordinator_id);
  assert_entry (history, 2, "consultation.schedule", "accepted", "scheduled", "user",
                fixture->coordinator_id);
  detail = json_object_get_object_member (json_array_get_object_element (history, 1), "detail");
  g_assert_cmpstr (json_object_get_string_member (detail, "implied_by"), ==,
                   "consultation.schedule");
}

static SchedResponse
join_token (Fixture    *fixture,
            gint64      session_id,
            const char *key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/join-token",
                                           session_id);

  return sched_call (fixture->daemons, "POST", path, key, NULL);
}

/* Rescheduling moves the session in place, frees the old time, checks the
 * new one and may hand the session to another expert. */
static void
test_reschedule_moves_session (Fixture       *fixture,
                               gconstpointer  user_data)
{
  gint64 first = request_consultation (fixture);
  gint64 second = request_consultation (fixture);
  gint64 third = request_consultation (fixture);
  gint64 slot_a = take_slot (fixture), slot_b = take_slot (fixture), slot_c = take_slot (fixture);
  g_auto (SchedResponse) booked_first = schedule_at (fixture, first, fixture->expert_id, slot_a);
  g_auto (SchedResponse) booked_second = schedule_at (fixture, second, fixture->expert_id,
                                                      slot_b);
  gint64 session_id = session_of (fixture, first);
  g_auto (SchedResponse) onto_second = reschedule_at (fixture, first, fixture->expert_id,
                                                      slot_b + 600);
  g_auto (SchedResponse) moved = reschedule_at (fixture, first, fixture->expert_id, slot_c);
  g_auto (SchedResponse) old_time = schedule_at (fixture, third, fixture->expert_id, slot_a);
  g_auto (SchedResponse) handed_over = reschedule_at (fixture, first, fixture->other_expert_id,
                                                      slot_c);
  g_auto (SchedResponse) new_expert_token = join_token (fixture, session_id,
                                                        fixture->other_expert_key);
  g_auto (SchedResponse) old_expert_token = join_token (fixture, session_id,
                                                        fixture->expert_key);
  g_auto (SchedResponse) requested_only = reschedule_at (fixture, request_consultation (fixture),
                                                         fixture->expert_id,
                                                         take_slot (fixture));
  JsonObject *object;
  gint64 start;

  assert_ok (&booked_first, 201);
  assert_ok (&booked_second, 201);
  sched_assert_error (&onto_second, 409, "slot_taken");

  assert_ok (&moved, 200);
  object = sched_object (&moved);
  g_assert_cmpint (json_object_get_int_member (object, "session_id"), ==, session_id);
  g_assert_true (hz_time_parse_rfc3339 (json_object_get_string_member (object, "start"),
                                        &start));
  g_assert_cmpint (start, ==, slot_c);

  assert_ok (&old_time, 201);

  assert_ok (&handed_over, 200);
  g_assert_cmpint (json_object_get_int_member (sched_object (&handed_over), "expert_id"), ==,
                   fixture->other_expert_id);
  g_assert_cmpint (json_object_get_int_member (sched_object (&handed_over), "session_id"), ==,
                   session_id);
  assert_ok (&new_expert_token, 200);
  sched_assert_error (&old_expert_token, 403, "not_participant");

  assert_invalid_transition (&requested_only, "requested", "scheduled");
}

static void
test_first_join_starts (Fixture       *fixture,
                        gconstpointer  user_data)
{
  gint64 id = consultation_in_state (fixture, STATE_SCHEDULED);
  gint64 session_id = session_of (fixture, id);
  g_auto (SchedResponse) unsigned_report = { 0 };
  g_auto (SchedResponse) stranger = report_participation (fixture, session_id,
                                                          fixture->other_expert_id, "join");
  g_auto (SchedResponse) missing = report_participation (fixture, session_id + 1000,
                                                         fixture->doctor_id, "join");
  g_autofree char *still_scheduled = status_of (fixture, id);
  g_auto (SchedResponse) first = report_participation (fixture, session_id, fixture->doctor_id,
                                                       "join");
  g_autofree char *started = status_of (fixture, id);
  g_auto (SchedResponse) left = report_participation (fixture, session_id, fixture->doctor_id,
                                                      "leave");
  g_auto (SchedResponse) second = report_participation (fixture, session_id, fixture->expert_id,
                                                        "join");
  g_auto (SchedResponse) history_response = { 0 };
  g_autofree char *body = g_strdup_printf ("{\"session_id\": %" G_GINT64_FORMAT
                                           ", \"participant_id\": %" G_GINT64_FORMAT
                                           ", \"event\": \"join\", \"at\": 0}",
                                           session_id, fixture->doctor_id);
  JsonArray *history;

  unsigned_report = sched_call (fixture->daemons, "POST", "/api/v1/internal/participation",
                                NULL, body);
  sched_assert_error (&unsigned_report, 401, "invalid_signature");
  sched_assert_error (&stranger, 400, "invalid_field");
  sched_assert_error (&missing, 404, "not_found");
  g_assert_cmpstr (still_scheduled, ==, "scheduled");

  assert_ok (&first, 200);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&first), "event"), ==, "join");
  g_assert_cmpstr (started, ==, "in_progress");
  assert_ok (&left, 200);
  assert_ok (&second, 200);

  /* Only the first join is a transition. */
  history = history_of (fixture, id, fixture->doctor_key, &history_response);
  g_assert_cmpuint (json_array_get_length (history), ==, 4);
  assert_entry (history, 3, "consultation.start", "scheduled", "in_progress", "relay", 0);
}

/* Runs SQL on the daemon's database file and returns the SQLite result. */
static int
exec_on_database (Fixture    *fixture,
                  const char *sql)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (fixture->daemons->database_path, &db, SQLITE_OPEN_READWRITE, NULL);

  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  sqlite3_close (db);
  return rc;
}

static SchedResponse
get_report (Fixture    *fixture,
            gint64      id,
            const char *key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/report",
                                           id);

  return sched_call (fixture->daemons, "GET", path, key, NULL);
}

static void
test_report_signed_is_immutable (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  gint64 id = consultation_in_state (fixture, STATE_SCHEDULED);
  g_auto (SchedResponse) none_yet = get_report (fixture, id, fixture->doctor_key);
  g_auto (SchedResponse) sign_without_draft = act (fixture, id, "report/sign",
                                                   fixture->expert_key, NULL);
  g_auto (SchedResponse) draft = save_report (fixture, id, fixture->expert_key, "初稿");
  g_auto (SchedResponse) redraft = save_report (fixture, id, fixture->expert_key,
                                                "考虑急性冠脉综合征，建议尽快冠脉造影。");
  g_auto (SchedResponse) draft_for_doctor = get_report (fixture, id, fixture->doctor_key);
  g_auto (SchedResponse) draft_for_expert = get_report (fixture, id, fixture->expert_key);
  g_auto (SchedResponse) by_doctor = save_report (fixture, id, fixture->doctor_key, "篡改");
  g_auto (SchedResponse) early_amendment = act (fixture, id, "report/amendments",
                                                fixture->expert_key, "{\"text\": \"补充\"}");
  g_auto (SchedResponse) sign_before_session = act (fixture, id, "report/sign",
                                                    fixture->expert_key, NULL);
  g_auto (SchedResponse) joined = report_participation (fixture, session_of (fixture, id),
                                                        fixture->doctor_id, "join");
  g_auto (SchedResponse) signed_report = act (fixture, id, "report/sign", fixture->expert_key,
                                              NULL);
  g_autofree char *completed = status_of (fixture, id);
  g_auto (SchedResponse) edit_signed = save_report (fixture, id, fixture->expert_key, "改写");
  g_auto (SchedResponse) sign_again = act (fixture, id, "report/sign", fixture->expert_key,
                                           NULL);
  g_auto (SchedResponse) amendment = act (fixture, id, "report/amendments", fixture->expert_key,
                                          "{\"text\": \"补充：肌钙蛋白复查阴性。\"}");
  g_auto (SchedResponse) read = get_report (fixture, id, fixture->doctor_key);
  g_auto (SchedResponse) token = join_token (fixture, session_of (fixture, id),
                                             fixture->doctor_key);
  JsonObject *report;
  JsonArray *amendments;
  JsonObject *first_amendment;

  sched_assert_error (&none_yet, 404, "not_found");
  sched_assert_error (&sign_without_draft, 409, "report_missing");
  assert_ok (&draft, 200);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&draft), "status"), ==, "draft");
  assert_ok (&redraft, 200);
  /* Only the expert reads a draft: the requesting side sees no report
   * until it is signed. */
  sched_assert_error (&draft_for_doctor, 404, "not_found");
  assert_ok (&draft_for_expert, 200);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&draft_for_expert), "status"),
                   ==, "draft");
  sched_assert_error (&by_doctor, 403, "forbidden");
  sched_assert_error (&early_amendment, 409, "report_not_signed");
  assert_invalid_transition (&sign_before_session, "scheduled", "completed");

  assert_ok (&joined, 200);
  assert_ok (&signed_report, 200);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&signed_report), "status"),
                   ==, "signed");
  g_assert_false (json_object_get_null_member (sched_object (&signed_report), "signed_at"));
  g_assert_cmpstr (completed, ==, "completed");

  sched_assert_error (&edit_signed, 409, "report_signed");
  sched_assert_error (&sign_again, 409, "report_signed");
  assert_ok (&amendment, 201);

  assert_ok (&read, 200);
  report = sched_object (&read);
  g_assert_cmpstr (json_object_get_string_member (report, "opinion"), ==,
                   "考虑急性冠脉综合征，建议尽快冠脉造影。");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (report, "author"),
                                               "id"), ==, fixture->expert_id);
  amendments = json_object_get_array_member (report, "amendments");
  g_assert_cmpuint (json_array_get_length (amendments), ==, 1);
  first_amendment = json_array_get_object_element (amendments, 0);
  g_assert_cmpstr (json_object_get_string_member (first_amendment, "text"), ==,
                   "补充：肌钙蛋白复查阴性。");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (first_amendment, "author"), "name"), ==,
                   "王专家");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (first_amendment, "created_at"),
                                   "+08:00"));

  /* A completed consultation's session takes no more joins. */
  sched_assert_error (&token, 409, "invalid_state");

  /* The schema's triggers reject changes that bypass the API. */
  g_assert_cmpint (exec_on_database (fixture, "UPDATE consultation_reports SET opinion = 'x'"),
                   ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (exec_on_database (fixture, "DELETE FROM consultation_reports"), ==,
                   SQLITE_CONSTRAINT);
  g_assert_cmpint (exec_on_database (fixture,
                                     "UPDATE consultation_report_amendments SET text = 'x'"),
                   ==, SQLITE_CONSTRAINT);
}

/* Returns the opinion and the text of the first amendment of the report of
 * consultation ID, read through the API as the requesting doctor. */
static void
read_signed_report (Fixture  *fixture,
                    gint64    id,
                    char    **opinion,
                    char    **amendment)
{
  g_auto (SchedResponse) read = get_report (fixture, id, fixture->doctor_key);
  JsonObject *report;
  JsonArray *amendments;

  assert_ok (&read, 200);
  report = sched_object (&read);
  g_assert_cmpstr (json_object_get_string_member (report, "status"), ==, "signed");
  amendments = json_object_get_array_member (report, "amendments");
  g_assert_cmpuint (json_array_get_length (amendments), ==, 1);
  *opinion = g_strdup (json_object_get_string_member (report, "opinion"));
  *amendment = g_strdup (json_object_get_string_member (
                           json_array_get_object_element (amendments, 0), "text"));
}

/* REPLACE conflict resolution deletes the old row without firing DELETE
 * triggers, so the schema needs triggers on INSERT and on key changes as
 * well. The statements run as a sqlite3 shell would run them, without
 * PRAGMA recursive_triggers. */
static void
test_report_replace_blocked (Fixture       *fixture,
                             gconstpointer  user_data)
{
  gint64 id = consultation_in_state (fixture, STATE_SCHEDULED);
  gint64 draft_id = consultation_in_state (fixture, STATE_SCHEDULED);
  g_auto (SchedResponse) draft = save_report (fixture, id, fixture->expert_key, "初稿");
  g_auto (SchedResponse) joined = report_participation (fixture, session_of (fixture, id),
                                                        fixture->doctor_id, "join");
  g_auto (SchedResponse) signed_report = act (fixture, id, "report/sign", fixture->expert_key,
                                              NULL);
  g_auto (SchedResponse) amendment = act (fixture, id, "report/amendments", fixture->expert_key,
                                          "{\"text\": \"补充：肌钙蛋白复查阴性。\"}");
  g_auto (SchedResponse) other_draft = save_report (fixture, draft_id, fixture->expert_key,
                                                    "另一份草稿");
  g_auto (SchedResponse) redraft = { 0 };
  g_autofree char *replace_report = g_strdup_printf (
    "INSERT OR REPLACE INTO consultation_reports (consultation_id, author_id, opinion,"
    "  created_at, updated_at, signed_at, signed_by)"
    "  SELECT consultation_id, author_id, '无异常，无需处理。', created_at, updated_at,"
    "         signed_at, signed_by"
    "  FROM consultation_reports WHERE consultation_id = %" G_GINT64_FORMAT, id);
  g_autofree char *replace_amendment = g_strdup_printf (
    "INSERT OR REPLACE INTO consultation_report_amendments (id, consultation_id, author_id,"
    "  text, created_at)"
    "  SELECT id, consultation_id, author_id, '补充：已删除', created_at"
    "  FROM consultation_report_amendments WHERE consultation_id = %" G_GINT64_FORMAT, id);
  g_autofree char *move_draft = g_strdup_printf (
    "UPDATE OR REPLACE consultation_reports SET consultation_id = %" G_GINT64_FORMAT
    "  WHERE consultation_id = %" G_GINT64_FORMAT, id, draft_id);
  g_autofree char *opinion = NULL;
  g_autofree char *amendment_text = NULL;

  assert_ok (&draft, 200);
  assert_ok (&joined, 200);
  assert_ok (&signed_report, 200);
  assert_ok (&amendment, 201);
  assert_ok (&other_draft, 200);

  g_assert_cmpint (exec_on_database (fixture, replace_report), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (exec_on_database (fixture, replace_amendment), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (exec_on_database (fixture, move_draft), ==, SQLITE_CONSTRAINT);

  read_signed_report (fixture, id, &opinion, &amendment_text);
  g_assert_cmpstr (opinion, ==, "初稿");
  g_assert_cmpstr (amendment_text, ==, "补充：肌钙蛋白复查阴性。");

  /* An unsigned draft is still saved by the upsert of PUT /report. */
  redraft = save_report (fixture, draft_id, fixture->expert_key, "修改后的草稿");
  assert_ok (&redraft, 200);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&redraft), "opinion"), ==,
                   "修改后的草稿");
}

/* A no-show needs the session to have started. */
static void
test_no_show_after_start (Fixture       *fixture,
                          gconstpointer  user_data)
{
  gint64 id = request_consultation (fixture);
  gint64 start = g_get_real_time () / G_USEC_PER_SEC + 2;
  g_auto (SchedResponse) scheduled = schedule_at (fixture, id, fixture->other_expert_id, start);
  g_auto (SchedResponse) too_early = act (fixture, id, "no-show", fixture->coordinator_key,
                                          "{}");
  g_auto (SchedResponse) by_doctor = { 0 };
  g_auto (SchedResponse) marked = { 0 };
  g_auto (SchedResponse) cancel_after = { 0 };
  g_auto (SchedResponse) token_after = { 0 };
  g_autofree char *after = NULL;

  assert_ok (&scheduled, 201);
  sched_assert_error (&too_early, 409, "session_not_started");

  while (g_get_real_time () / G_USEC_PER_SEC <= start)
    g_usleep (200 * 1000);

  by_doctor = act (fixture, id, "no-show", fixture->doctor_key, "{}");
  sched_assert_error (&by_doctor, 403, "forbidden");
  marked = act (fixture, id, "no-show", fixture->coordinator_key,
                "{\"reason\": \"县医院网络中断，患者未到\"}");
  assert_ok (&marked, 200);
  g_assert_cmpstr (json_object_get_string_member (sched_object (&marked), "status"), ==,
                   "no_show");

  cancel_after = act (fixture, id, "cancel", fixture->coordinator_key, "{\"reason\": \"x\"}");
  assert_invalid_transition (&cancel_after, "no_show", "cancelled");
  token_after = join_token (fixture, session_of (fixture, id), fixture->doctor_key);
  sched_assert_error (&token_after, 409, "invalid_state");
  after = status_of (fixture, id);
  g_assert_cmpstr (after, ==, "no_show");
}

/* Requests name an expert or a consulting hospital, which must exist and
 * fit together. */
static void
test_request_addressee (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *by_expert = g_strdup_printf (", \"requested_expert_id\": %" G_GINT64_FORMAT,
                                                fixture->expert_id);
  g_autofree char *county_body = g_strdup_printf (
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"W-2\", \"age\": 50, \"sex\": \"female\","
    " \"summary\": \"心悸\"}, \"question\": \"?\", \"target_org_id\": %" G_GINT64_FORMAT "}",
    fixture->county_id);
  g_autofree char *doctor_body = g_strdup_printf (
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"W-3\", \"age\": 50, \"sex\": \"female\","
    " \"summary\": \"心悸\"}, \"question\": \"?\", \"requested_expert_id\": %" G_GINT64_FORMAT "}",
    fixture->doctor_id);
  gint64 id = sched_request_consultation (fixture->daemons, fixture->doctor_key, by_expert);
  g_auto (SchedResponse) response = { 0 };
  g_auto (SchedResponse) county_target = sched_call (fixture->daemons, "POST",
                                                     "/api/v1/consultations",
                                                     fixture->doctor_key, county_body);
  g_auto (SchedResponse) doctor_as_expert = sched_call (fixture->daemons, "POST",
                                                        "/api/v1/consultations",
                                                        fixture->doctor_key, doctor_body);
  JsonObject *object = get_consultation (fixture, id, fixture->expert_key, &response);

  g_assert_cmpint (json_object_get_int_member (object, "requested_expert_id"), ==,
                   fixture->expert_id);
  g_assert_cmpint (json_object_get_int_member (object, "target_org_id"), ==,
                   fixture->district_id);
  sched_assert_error (&county_target, 400, "invalid_field");
  sched_assert_error (&doctor_as_expert, 400, "invalid_field");
}

/* A request's urgency and preferred times are returned in the
 * organization's zone. An unknown urgency, a reversed preferred time and
 * too many preferred times are rejected. Without either member a request
 * is routine with no preferred times. */
static void
test_request_urgency_and_times (Fixture       *fixture,
                                gconstpointer  user_data)
{
  const char *patient = "\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"U-1\", \"age\": 70,"
                        " \"sex\": \"male\", \"summary\": \"胸痛\"}, \"question\": \"?\"";
  g_autofree char *urgent = g_strdup_printf (
    "{%s, \"urgency\": \"urgent\", \"preferred_times\": ["
    "{\"start\": \"2031-03-03T09:00:00+08:00\", \"end\": \"2031-03-03T11:00:00+08:00\"},"
    "{\"start\": \"2031-03-04T06:00:00Z\", \"end\": \"2031-03-04T08:00:00Z\"}]}", patient);
  g_autofree char *bad_urgency = g_strdup_printf ("{%s, \"urgency\": \"asap\"}", patient);
  g_autofree char *reversed = g_strdup_printf (
    "{%s, \"preferred_times\": [{\"start\": \"2031-03-03T11:00:00+08:00\","
    " \"end\": \"2031-03-03T09:00:00+08:00\"}]}", patient);
  g_autoptr (GString) too_many = g_string_new (NULL);
  g_auto (SchedResponse) created = { 0 };
  g_auto (SchedResponse) response = { 0 };
  g_auto (SchedResponse) plain_response = { 0 };
  JsonObject *object;
  JsonArray *times;
  gint64 id;

  g_string_append_printf (too_many, "{%s, \"preferred_times\": [", patient);
  for (int i = 0; i < 6; i++)
    g_string_append_printf (too_many, "%s{\"start\": \"2031-03-0%dT09:00:00+08:00\","
                            " \"end\": \"2031-03-0%dT10:00:00+08:00\"}", i ? "," : "", i + 1, i + 1);
  g_string_append (too_many, "]}");

  created = sched_call (fixture->daemons, "POST", "/api/v1/consultations", fixture->doctor_key, urgent);
  g_assert_cmpuint (created.status, ==, 201);
  id = json_object_get_int_member (sched_object (&created), "id");
  object = get_consultation (fixture, id, fixture->coordinator_key, &response);
  g_assert_cmpstr (json_object_get_string_member (object, "urgency"), ==, "urgent");
  times = json_object_get_array_member (object, "preferred_times");
  g_assert_cmpuint (json_array_get_length (times), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (times, 0), "start"), ==,
                   "2031-03-03T09:00:00+08:00");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (times, 1), "end"), ==,
                   "2031-03-04T16:00:00+08:00");

  {
    g_auto (SchedResponse) bad = sched_call (fixture->daemons, "POST", "/api/v1/consultations",
                                             fixture->doctor_key, bad_urgency);
    g_auto (SchedResponse) backwards = sched_call (fixture->daemons, "POST", "/api/v1/consultations",
                                                   fixture->doctor_key, reversed);
    g_auto (SchedResponse) many = sched_call (fixture->daemons, "POST", "/api/v1/consultations",
                                              fixture->doctor_key, too_many->str);

    sched_assert_error (&bad, 400, "invalid_field");
    sched_assert_error (&backwards, 400, "invalid_time");
    sched_assert_error (&many, 400, "invalid_field");
  }

  id = sched_request_consultation (fixture->daemons, fixture->doctor_key, "");
  object = get_consultation (fixture, id, fixture->doctor_key, &plain_response);
  g_assert_cmpstr (json_object_get_string_member (object, "urgency"), ==, "routine");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "preferred_times")), ==, 0);
}

/* The partner organizations of ORG_ID in GET /organizations. */
static JsonArray *
partners_of (Fixture       *fixture,
             gint64         org_id,
             SchedResponse *response)
{
  JsonArray *orgs;

  *response = sched_call (fixture->daemons, "GET", "/api/v1/organizations", fixture->doctor_key, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  orgs = json_object_get_array_member (sched_object (response), "organizations");
  for (guint i = 0; i < json_array_get_length (orgs); i++)
    {
      JsonObject *org = json_array_get_object_element (orgs, i);

      if (json_object_get_int_member (org, "id") == org_id)
        return json_object_get_array_member (org, "partner_org_ids");
    }
  g_assert_not_reached ();
}

/* An admin pairs the district hospital with the county hospital. Then the
 * county's doctors may ask the district hospital, or any hospital, but not
 * another district hospital, until the pairing is removed. Only admins
 * pair, only consulting hospitals with county or township ones. */
static void
test_partner_links (Fixture       *fixture,
                    gconstpointer  user_data)
{
  gint64 other_id = sched_create_org (fixture->daemons, "徐汇区中心医院", "district");
  g_autofree char *district_path = g_strdup_printf ("/api/v1/organizations/%" G_GINT64_FORMAT "/partners",
                                                    fixture->district_id);
  g_autofree char *county_path = g_strdup_printf ("/api/v1/organizations/%" G_GINT64_FORMAT "/partners",
                                                  fixture->county_id);
  g_autofree char *pair = g_strdup_printf ("{\"partner_org_ids\": [%" G_GINT64_FORMAT "]}",
                                           fixture->county_id);
  g_autofree char *pair_district = g_strdup_printf ("{\"partner_org_ids\": [%" G_GINT64_FORMAT "]}",
                                                    other_id);
  g_autofree char *to_other = g_strdup_printf (", \"target_org_id\": %" G_GINT64_FORMAT, other_id);
  g_autofree char *to_district = g_strdup_printf (", \"target_org_id\": %" G_GINT64_FORMAT,
                                                  fixture->district_id);
  g_autofree char *other_body = g_strdup_printf (
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"P-1\", \"age\": 50, \"sex\": \"female\","
    " \"summary\": \"心悸\"}, \"question\": \"?\"%s}", to_other);
  g_auto (SchedResponse) by_coordinator = sched_call (fixture->daemons, "PUT", district_path,
                                                      fixture->coordinator_key, pair);
  g_auto (SchedResponse) paired = sched_call (fixture->daemons, "PUT", district_path,
                                              fixture->daemons->admin_key, pair);
  g_auto (SchedResponse) district_partners = { 0 };
  g_auto (SchedResponse) county_partners = { 0 };
  JsonArray *ids;

  sched_assert_error (&by_coordinator, 403, "forbidden");
  g_assert_cmpuint (paired.status, ==, 200);
  ids = partners_of (fixture, fixture->district_id, &district_partners);
  g_assert_cmpuint (json_array_get_length (ids), ==, 1);
  g_assert_cmpint (json_array_get_int_element (ids, 0), ==, fixture->county_id);
  ids = partners_of (fixture, fixture->county_id, &county_partners);
  g_assert_cmpuint (json_array_get_length (ids), ==, 1);
  g_assert_cmpint (json_array_get_int_element (ids, 0), ==, fixture->district_id);

  {
    g_auto (SchedResponse) to_unpaired = sched_call (fixture->daemons, "POST", "/api/v1/consultations",
                                                     fixture->doctor_key, other_body);
    g_auto (SchedResponse) district_with_district = sched_call (fixture->daemons, "PUT", district_path,
                                                                fixture->daemons->admin_key,
                                                                pair_district);
    g_auto (SchedResponse) county_as_consulting = sched_call (fixture->daemons, "PUT", county_path,
                                                              fixture->daemons->admin_key, pair);

    sched_assert_error (&to_unpaired, 400, "invalid_field");
    sched_assert_error (&district_with_district, 400, "invalid_field");
    sched_assert_error (&county_as_consulting, 400, "invalid_field");
  }
  g_assert_cmpint (sched_request_consultation (fixture->daemons, fixture->doctor_key, to_district), >, 0);
  g_assert_cmpint (sched_request_consultation (fixture->daemons, fixture->doctor_key, ""), >, 0);

  {
    g_auto (SchedResponse) unpaired = sched_call (fixture->daemons, "PUT", district_path,
                                                  fixture->daemons->admin_key,
                                                  "{\"partner_org_ids\": []}");

    g_assert_cmpuint (unpaired.status, ==, 200);
  }
  g_assert_cmpint (sched_request_consultation (fixture->daemons, fixture->doctor_key, to_other), >, 0);
}

#define ADD(name, function) \
  g_test_add ("/scheduler-workflow/" name, Fixture, NULL, fixture_set_up, function, \
              fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("transition-matrix", test_transition_matrix);
  ADD ("returned-is-final", test_returned_is_final);
  ADD ("history-every-step", test_history_records_every_step);
  ADD ("history-implied-accept", test_history_implied_accept);
  ADD ("reschedule-moves-session", test_reschedule_moves_session);
  ADD ("first-join-starts", test_first_join_starts);
  ADD ("report-signed-immutable", test_report_signed_is_immutable);
  ADD ("report-replace-blocked", test_report_replace_blocked);
  ADD ("no-show-after-start", test_no_show_after_start);
  ADD ("request-addressee", test_request_addressee);
  ADD ("request-urgency-and-times", test_request_urgency_and_times);
  ADD ("partner-links", test_partner_links);

  return g_test_run ();
}
