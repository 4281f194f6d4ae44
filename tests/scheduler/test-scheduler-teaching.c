/* Integration tests of teaching rounds: weekly series checked occurrence by
 * occurrence against the presenter's sessions, occurrences moved or
 * cancelled alone, registration up to capacity with a waitlist, visibility
 * by audience, join tokens and attendance from the relay's reports. */
#include <gio/gio.h>
#include <string.h>

#include "hz-request-auth.h"
#include "hz-sched-time.h"
#include "hz-test-daemons.h"
#include "sched-test-client.h"

#define HTTP_TIMEOUT_SECONDS 10
#define BOOKING_START_OFFSET (2 * 24 * 3600)
#define BOOKING_DURATION (30 * 60)
#define PARTICIPATION_PATH "/api/v1/internal/participation"

typedef struct {
  HzTestDaemons *daemons;
  HzTestBooking booking;
  SoupSession *session;
  char *first_day;           /* the first occurrence's date, 3 days ahead */
  gint64 other_county_id;    /* an organization outside every audience */
} Fixture;

static HzTestResponse
call (Fixture    *fixture,
      const char *method,
      const char *path,
      const char *key,
      const char *body)
{
  return hz_test_request (fixture->session, fixture->daemons->scheduler_url, method, path,
                          key, body);
}

static gint64
create_organization (Fixture    *fixture,
                     const char *name)
{
  g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\", \"name_en\": \"%s\","
                                           " \"level\": \"county\"}", name, name);
  g_auto (HzTestResponse) response = call (fixture, "POST", "/api/v1/organizations",
                                           fixture->daemons->admin_key, body);

  hz_test_assert_status (&response, 201, NULL);
  return json_object_get_int_member (hz_test_response_object (&response), "id");
}

/* Creates a user and returns its API key; *ID receives its id. */
static char *
create_user (Fixture    *fixture,
             gint64      org_id,
             const char *name,
             const char *role,
             gint64     *id)
{
  g_autofree char *body = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"%s\","
                                           " \"role\": \"%s\"}", org_id, name, role);
  g_auto (HzTestResponse) response = call (fixture, "POST", "/api/v1/users",
                                           fixture->daemons->admin_key, body);
  JsonObject *object;

  hz_test_assert_status (&response, 201, NULL);
  object = hz_test_response_object (&response);
  if (id != NULL)
    *id = json_object_get_int_member (object, "id");
  return g_strdup (json_object_get_string_member (object, "api_key"));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;

  fixture->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);
  hz_test_book_consultation (fixture->daemons, BOOKING_START_OFFSET, BOOKING_DURATION,
                             &fixture->booking, &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_SECONDS, NULL);
  fixture->first_day = hz_test_shanghai_date (3);
  fixture->other_county_id = create_organization (fixture, "拉孜县人民医院");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  hz_test_booking_clear (&fixture->booking);
  g_clear_pointer (&fixture->first_day, g_free);
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
}

/* Returns "YYYY-MM-DD" of the first occurrence's date plus WEEKS weeks. */
static char *
week_date (Fixture *fixture,
           int      weeks)
{
  g_autofree char *midnight = hz_test_shanghai_time (fixture->first_day, "00:00");
  g_autoptr (GDateTime) first = g_date_time_new_from_iso8601 (midnight, NULL);
  g_autoptr (GDateTime) later = g_date_time_add_weeks (first, weeks);

  return g_date_time_format (later, "%Y-%m-%d");
}

/* Creates a teaching series by the expert on the first day from START to
 * END ("HH:MM"), with SERIES_JSON (or NULL) and extra members EXTRA (",
 * ..." or ""). */
static HzTestResponse
create_series (Fixture    *fixture,
               const char *start,
               const char *end,
               gint64      capacity,
               const char *series_json,
               const char *extra)
{
  g_autofree char *start_text = hz_test_shanghai_time (fixture->first_day, start);
  g_autofree char *end_text = hz_test_shanghai_time (fixture->first_day, end);
  g_autofree char *body = g_strdup_printf (
    "{\"presenter_id\": %" G_GINT64_FORMAT ", \"title\": \"心内科教学查房\","
    " \"description\": \"急性冠脉综合征病例讨论\", \"kind\": \"ward_round\","
    " \"start\": \"%s\", \"end\": \"%s\", \"capacity\": %" G_GINT64_FORMAT ","
    " \"audience_org_ids\": [%" G_GINT64_FORMAT "], \"recording\": true%s%s%s}",
    fixture->booking.expert_id, start_text, end_text, capacity,
    fixture->booking.county_org_id, series_json ? ", \"series\": " : "",
    series_json ? series_json : "", extra);

  return call (fixture, "POST", "/api/v1/teaching-sessions", fixture->booking.expert_key, body);
}

/* Books a consultation with the fixture's expert on DATE at START-END. */
static void
book_consultation (Fixture    *fixture,
                   const char *date,
                   const char *start,
                   const char *end)
{
  g_auto (HzTestResponse) created = call (
    fixture, "POST", "/api/v1/consultations", fixture->booking.doctor_key,
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"T-9\", \"age\": 40,"
    " \"sex\": \"male\", \"summary\": \"胸痛\"}, \"question\": \"请会诊\"}");
  g_autofree char *path = NULL;
  g_autofree char *start_text = hz_test_shanghai_time (date, start);
  g_autofree char *end_text = hz_test_shanghai_time (date, end);
  g_autofree char *body = g_strdup_printf (
    "{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\", \"end\": \"%s\"}",
    fixture->booking.expert_id, start_text, end_text);
  g_auto (HzTestResponse) scheduled = { 0 };

  hz_test_assert_status (&created, 201, NULL);
  path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                          json_object_get_int_member (hz_test_response_object (&created), "id"));
  scheduled = call (fixture, "POST", path, fixture->booking.coordinator_key, body);
  hz_test_assert_status (&scheduled, 201, NULL);
}

static JsonArray *
occurrences_of (const HzTestResponse *response)
{
  return json_object_get_array_member (hz_test_response_object (response), "occurrences");
}

static void
test_series_conflict_rejected (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autofree char *seventh = week_date (fixture, 6);
  g_auto (HzTestResponse) response = { 0 };
  g_auto (HzTestResponse) list = { 0 };
  JsonObject *object;
  JsonObject *occurrence;
  const char *message;

  book_consultation (fixture, seventh, "14:30", "15:00");
  response = create_series (fixture, "14:00", "15:00", 30, "{\"frequency\": \"weekly\","
                            " \"count\": 12}", "");

  hz_test_assert_status (&response, 409, "teaching_conflict");
  object = hz_test_response_object (&response);
  occurrence = json_object_get_object_member (object, "occurrence");
  g_assert_cmpint (json_object_get_int_member (occurrence, "index"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (occurrence, "date"), ==, seventh);
  g_assert_cmpstr (json_object_get_string_member (occurrence, "reason"), ==, "session");
  g_assert_cmpint (json_object_get_int_member (occurrence, "session_id"), >, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "conflicts")),
                    ==, 1);
  message = json_object_get_string_member (object, "message");
  g_assert_nonnull (strstr (message, "Occurrence 7"));
  g_assert_nonnull (strstr (message, seventh));

  /* Nothing was created. */
  list = call (fixture, "GET", "/api/v1/teaching-sessions", fixture->booking.expert_key, NULL);
  hz_test_assert_status (&list, 200, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      hz_test_response_object (&list), "teaching_sessions")), ==, 0);
}

static void
test_series_conflict_skipped (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autofree char *seventh = week_date (fixture, 6);
  g_autofree char *eighth = week_date (fixture, 7);
  g_auto (HzTestResponse) response = { 0 };
  JsonArray *occurrences;
  JsonArray *skipped;

  book_consultation (fixture, seventh, "14:30", "15:00");
  response = create_series (fixture, "14:00", "15:00", 30, "{\"weekly\": true, \"count\": 12}",
                            ", \"skip_conflicts\": true");

  hz_test_assert_status (&response, 201, NULL);
  occurrences = occurrences_of (&response);
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 11);
  for (guint i = 0; i < json_array_get_length (occurrences); i++)
    {
      JsonObject *occurrence = json_array_get_object_element (occurrences, i);

      g_assert_cmpint (json_object_get_int_member (occurrence, "index"), !=, 7);
      g_assert_cmpstr (json_object_get_string_member (occurrence, "status"), ==, "scheduled");
      g_assert_true (g_str_has_suffix (json_object_get_string_member (occurrence, "start"),
                                       "T14:00:00+08:00"));
    }
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (occurrences, 6), "date"), ==, eighth);

  skipped = json_object_get_array_member (hz_test_response_object (&response), "skipped");
  g_assert_cmpuint (json_array_get_length (skipped), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (skipped, 0),
                                               "index"), ==, 7);
}

/* Another round of the same presenter is a conflict too, and a consultation
 * can no longer be booked over a round. */
static void
test_conflict_with_round (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_auto (HzTestResponse) first = create_series (fixture, "14:00", "15:00", 30,
                                                 "{\"frequency\": \"weekly\", \"count\": 3}", "");
  g_auto (HzTestResponse) second = create_series (fixture, "14:30", "15:30", 30, NULL, "");
  g_autofree char *path = NULL;
  g_autofree char *start = hz_test_shanghai_time (fixture->first_day, "14:15");
  g_autofree char *end = hz_test_shanghai_time (fixture->first_day, "14:45");
  g_autofree char *body = NULL;
  g_auto (HzTestResponse) consultation = call (
    fixture, "POST", "/api/v1/consultations", fixture->booking.doctor_key,
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"T-8\", \"age\": 50,"
    " \"sex\": \"female\", \"summary\": \"心悸\"}, \"question\": \"请会诊\"}");
  g_auto (HzTestResponse) scheduled = { 0 };

  hz_test_assert_status (&first, 201, NULL);
  hz_test_assert_status (&second, 409, "teaching_conflict");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     hz_test_response_object (&second), "occurrence"), "index"), ==, 1);

  hz_test_assert_status (&consultation, 201, NULL);
  path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                          json_object_get_int_member (hz_test_response_object (&consultation),
                                                      "id"));
  body = g_strdup_printf ("{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\","
                          " \"end\": \"%s\"}", fixture->booking.expert_id, start, end);
  scheduled = call (fixture, "POST", path, fixture->booking.coordinator_key, body);
  hz_test_assert_status (&scheduled, 409, "slot_taken");
}

static gint64
series_id_of (const HzTestResponse *response)
{
  return json_object_get_int_member (hz_test_response_object (response), "id");
}

static HzTestResponse
register_user (Fixture    *fixture,
               gint64      series_id,
               const char *key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT
                                           "/registrations", series_id);

  return call (fixture, "POST", path, key, NULL);
}

static const char *
status_of (const HzTestResponse *response)
{
  return json_object_get_string_member (hz_test_response_object (response), "status");
}

static gint64
position_of (const HzTestResponse *response)
{
  JsonObject *object = hz_test_response_object (response);

  if (json_object_get_null_member (object, "waitlist_position"))
    return 0;
  return json_object_get_int_member (object, "waitlist_position");
}

static guint
join_token_status (Fixture    *fixture,
                   gint64      session_id,
                   const char *key,
                   char      **role)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/join-token",
                                           session_id);
  g_auto (HzTestResponse) response = call (fixture, "POST", path, key, NULL);

  if (role != NULL && response.status == 200)
    *role = g_strdup (json_object_get_string_member (hz_test_response_object (&response),
                                                     "role"));
  return response.status;
}

static void
test_capacity_and_waitlist (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_auto (HzTestResponse) created = create_series (fixture, "09:00", "10:00", 2,
                                                   "{\"frequency\": \"weekly\", \"count\": 2}",
                                                   "");
  gint64 series_id = series_id_of (&created);
  gint64 session_id = json_object_get_int_member (
    json_array_get_object_element (occurrences_of (&created), 0), "session_id");
  gint64 ids[4];
  char *keys[4];
  g_autofree char *cancel_path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT
                                                  "/registrations/me", series_id);

  hz_test_assert_status (&created, 201, NULL);
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("学员%d", i + 1);

      keys[i] = create_user (fixture, fixture->booking.county_org_id, name, "trainee", &ids[i]);
    }

  {
    g_auto (HzTestResponse) first = register_user (fixture, series_id, keys[0]);
    g_auto (HzTestResponse) second = register_user (fixture, series_id, keys[1]);
    g_auto (HzTestResponse) third = register_user (fixture, series_id, keys[2]);
    g_auto (HzTestResponse) fourth = register_user (fixture, series_id, keys[3]);
    g_auto (HzTestResponse) again = register_user (fixture, series_id, keys[1]);

    hz_test_assert_status (&first, 201, NULL);
    g_assert_cmpstr (status_of (&first), ==, "registered");
    hz_test_assert_status (&second, 201, NULL);
    g_assert_cmpstr (status_of (&second), ==, "registered");
    hz_test_assert_status (&third, 201, NULL);
    g_assert_cmpstr (status_of (&third), ==, "waitlisted");
    g_assert_cmpint (position_of (&third), ==, 1);
    g_assert_cmpint (position_of (&fourth), ==, 2);
    hz_test_assert_status (&again, 200, NULL);
    g_assert_cmpstr (status_of (&again), ==, "registered");
  }

  /* Registered users may join as viewers, waitlisted ones may not. */
  {
    g_autofree char *role = NULL;

    g_assert_cmpuint (join_token_status (fixture, session_id, keys[0], &role), ==, 200);
    g_assert_cmpstr (role, ==, "view");
    g_assert_cmpuint (join_token_status (fixture, session_id, keys[2], NULL), ==, 403);
  }

  /* The first registered user cancels: the first waiting one moves up. */
  {
    g_auto (HzTestResponse) cancelled = call (fixture, "DELETE", cancel_path, keys[0], NULL);
    g_auto (HzTestResponse) third = register_user (fixture, series_id, keys[2]);
    g_auto (HzTestResponse) fourth = register_user (fixture, series_id, keys[3]);
    g_auto (HzTestResponse) twice = call (fixture, "DELETE", cancel_path, keys[0], NULL);
    g_autofree char *role = NULL;

    hz_test_assert_status (&cancelled, 200, NULL);
    g_assert_cmpint (json_object_get_int_member (hz_test_response_object (&cancelled),
                                                 "promoted_user_id"), ==, ids[2]);
    g_assert_cmpstr (status_of (&third), ==, "registered");
    g_assert_cmpstr (status_of (&fourth), ==, "waitlisted");
    g_assert_cmpint (position_of (&fourth), ==, 1);
    hz_test_assert_status (&twice, 404, "not_registered");

    g_assert_cmpuint (join_token_status (fixture, session_id, keys[2], &role), ==, 200);
    g_assert_cmpstr (role, ==, "view");
    g_assert_cmpuint (join_token_status (fixture, session_id, keys[0], NULL), ==, 403);
  }

  for (int i = 0; i < 4; i++)
    g_free (keys[i]);
}

static void
test_visibility_by_audience (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_auto (HzTestResponse) created = create_series (fixture, "09:00", "10:00", 5, NULL, "");
  gint64 series_id = series_id_of (&created);
  g_autofree char *outsider = create_user (fixture, fixture->other_county_id, "外院学员",
                                           "trainee", NULL);
  g_autofree char *insider = create_user (fixture, fixture->booking.county_org_id, "本院学员",
                                          "trainee", NULL);
  g_autofree char *path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT,
                                           series_id);
  g_auto (HzTestResponse) hidden = call (fixture, "GET", path, outsider, NULL);
  g_auto (HzTestResponse) shown = call (fixture, "GET", path, insider, NULL);
  g_auto (HzTestResponse) outsider_list = call (fixture, "GET", "/api/v1/teaching-sessions",
                                                outsider, NULL);
  g_auto (HzTestResponse) insider_list = call (fixture, "GET", "/api/v1/teaching-sessions",
                                               insider, NULL);
  g_auto (HzTestResponse) rejected = register_user (fixture, series_id, outsider);
  g_auto (HzTestResponse) presenter = register_user (fixture, series_id,
                                                     fixture->booking.expert_key);
  g_autofree char *registrations = g_strdup_printf ("/api/v1/teaching-sessions/%"
                                                    G_GINT64_FORMAT "/registrations", series_id);
  g_auto (HzTestResponse) trainee_list = call (fixture, "GET", registrations, insider, NULL);
  g_auto (HzTestResponse) presenter_list = call (fixture, "GET", registrations,
                                                 fixture->booking.expert_key, NULL);

  hz_test_assert_status (&created, 201, NULL);
  hz_test_assert_status (&hidden, 404, "not_found");
  hz_test_assert_status (&shown, 200, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      hz_test_response_object (&outsider_list), "teaching_sessions")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      hz_test_response_object (&insider_list), "teaching_sessions")), ==, 1);
  hz_test_assert_status (&rejected, 404, "not_found");
  hz_test_assert_status (&presenter, 403, "forbidden");
  hz_test_assert_status (&trainee_list, 403, "forbidden");
  hz_test_assert_status (&presenter_list, 200, NULL);
}

static void
test_move_and_cancel_occurrence (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_auto (HzTestResponse) created = create_series (fixture, "09:00", "10:00", 5,
                                                   "{\"frequency\": \"weekly\", \"count\": 3}",
                                                   "");
  JsonArray *occurrences = occurrences_of (&created);
  gint64 second_id = json_object_get_int_member (json_array_get_object_element (occurrences, 1),
                                                 "id");
  gint64 third_id = json_object_get_int_member (json_array_get_object_element (occurrences, 2),
                                                "id");
  g_autofree char *second_day = week_date (fixture, 1);
  g_autofree char *new_start = hz_test_shanghai_time (second_day, "16:00");
  g_autofree char *new_end = hz_test_shanghai_time (second_day, "17:00");
  g_autofree char *move_path = g_strdup_printf ("/api/v1/teaching-occurrences/%" G_GINT64_FORMAT
                                                "/move", second_id);
  g_autofree char *move_body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\"}",
                                                new_start, new_end);
  g_autofree char *cancel_path = g_strdup_printf ("/api/v1/teaching-occurrences/%"
                                                  G_GINT64_FORMAT "/cancel", third_id);
  g_autofree char *series_path = NULL;
  g_auto (HzTestResponse) moved = { 0 };
  g_auto (HzTestResponse) cancelled = { 0 };
  g_auto (HzTestResponse) trainee_move = { 0 };
  g_auto (HzTestResponse) series = { 0 };
  g_auto (HzTestResponse) blocked = { 0 };
  g_autofree char *trainee = NULL;
  JsonArray *after;

  hz_test_assert_status (&created, 201, NULL);
  trainee = create_user (fixture, fixture->booking.county_org_id, "学员", "trainee", NULL);
  trainee_move = call (fixture, "POST", move_path, trainee, move_body);
  hz_test_assert_status (&trainee_move, 403, "forbidden");

  moved = call (fixture, "POST", move_path, fixture->booking.coordinator_key, move_body);
  hz_test_assert_status (&moved, 200, NULL);
  g_assert_cmpstr (json_object_get_string_member (hz_test_response_object (&moved), "start"),
                   ==, new_start);
  g_assert_cmpint (json_object_get_int_member (hz_test_response_object (&moved), "sequence"),
                   ==, 1);

  cancelled = call (fixture, "POST", cancel_path, fixture->booking.expert_key,
                    "{\"reason\": \"主讲人外出手术\"}");
  hz_test_assert_status (&cancelled, 200, NULL);
  g_assert_cmpstr (status_of (&cancelled), ==, "cancelled");

  series_path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT,
                                 series_id_of (&created));
  series = call (fixture, "GET", series_path, fixture->booking.expert_key, NULL);
  after = occurrences_of (&series);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (after, 0),
                                                  "status"), ==, "scheduled");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (after, 0),
                                               "sequence"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (after, 1),
                                                  "start"), ==, new_start);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (after, 2),
                                                  "status"), ==, "cancelled");

  /* Moving onto a consultation of the presenter is a conflict. */
  book_consultation (fixture, fixture->first_day, "11:00", "11:30");
  {
    g_autofree char *busy_start = hz_test_shanghai_time (fixture->first_day, "11:00");
    g_autofree char *busy_end = hz_test_shanghai_time (fixture->first_day, "12:00");
    g_autofree char *busy_body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\"}",
                                                  busy_start, busy_end);

    blocked = call (fixture, "POST", move_path, fixture->booking.expert_key, busy_body);
  }
  hz_test_assert_status (&blocked, 409, "teaching_conflict");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     hz_test_response_object (&blocked), "occurrence"), "index"), ==, 2);
}

static void
test_presenter_join_token (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_auto (HzTestResponse) created = create_series (fixture, "09:00", "10:00", 5, NULL, "");
  gint64 session_id = json_object_get_int_member (
    json_array_get_object_element (occurrences_of (&created), 0), "session_id");
  g_autofree char *role = NULL;

  hz_test_assert_status (&created, 201, NULL);
  g_assert_cmpuint (join_token_status (fixture, session_id, fixture->booking.expert_key, &role),
                    ==, 200);
  g_assert_cmpstr (role, ==, "publish");
  g_assert_cmpuint (join_token_status (fixture, session_id, fixture->booking.doctor_key, NULL),
                    ==, 403);
}

static void
report_participation (Fixture    *fixture,
                      gint64      session_id,
                      gint64      user_id,
                      const char *event,
                      gint64      at)
{
  g_autofree char *url = g_strconcat (fixture->daemons->scheduler_url, PARTICIPATION_PATH, NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("POST", url);
  g_autofree char *body = g_strdup_printf ("{\"session_id\": %" G_GINT64_FORMAT ","
                                           " \"participant_id\": \"%" G_GINT64_FORMAT "\","
                                           " \"event\": \"%s\", \"at\": %" G_GINT64_FORMAT "}",
                                           session_id, user_id, event, at);
  g_autofree char *authorization = hz_request_auth_sign (
    &fixture->daemons->secret, "POST", PARTICIPATION_PATH,
    g_get_real_time () / G_USEC_PER_SEC, body, strlen (body));
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  received = soup_session_send_and_read (fixture->session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
}

static JsonObject *
attendance_of (JsonArray *list,
               gint64     user_id)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *entry = json_array_get_object_element (list, i);

      if (json_object_get_int_member (entry, "user_id") == user_id)
        return entry;
    }

  g_assert_not_reached ();
}

/* Creates a single round of the expert from START to END (Unix seconds)
 * and returns its series id; *SESSION_ID receives the occurrence. */
static gint64
create_round_at (Fixture *fixture,
                 gint64   start,
                 gint64   end,
                 gint64  *session_id)
{
  g_autoptr (GDateTime) start_time = g_date_time_new_from_unix_utc (start);
  g_autoptr (GDateTime) end_time = g_date_time_new_from_unix_utc (end);
  g_autofree char *start_text = g_date_time_format (start_time, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *end_text = g_date_time_format (end_time, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *body = g_strdup_printf (
    "{\"presenter_id\": %" G_GINT64_FORMAT ", \"title\": \"手术示教\","
    " \"kind\": \"surgical_demo\", \"start\": \"%s\", \"end\": \"%s\", \"capacity\": 10,"
    " \"audience_org_ids\": [%" G_GINT64_FORMAT "]}",
    fixture->booking.expert_id, start_text, end_text, fixture->booking.county_org_id);
  g_auto (HzTestResponse) created = call (fixture, "POST", "/api/v1/teaching-sessions",
                                          fixture->booking.expert_key, body);

  hz_test_assert_status (&created, 201, NULL);
  *session_id = json_object_get_int_member (
    json_array_get_object_element (occurrences_of (&created), 0), "session_id");
  return series_id_of (&created);
}

/* A round that is over takes no registrations. */
static void
test_registration_closed (Fixture       *fixture,
                          gconstpointer  user_data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 session_id;
  gint64 series_id = create_round_at (fixture, now - 3 * 3600, now - 2 * 3600, &session_id);
  g_autofree char *key = create_user (fixture, fixture->booking.county_org_id, "学员",
                                      "trainee", NULL);
  g_auto (HzTestResponse) response = register_user (fixture, series_id, key);

  hz_test_assert_status (&response, 409, "registration_closed");
}

/* A round began ten minutes ago. A trainee joined for a minute, left, and
 * joined again two minutes ago. The presenter joined at the start and
 * never left. Another registered trainee never came. */
static void
test_attendance (Fixture       *fixture,
                 gconstpointer  user_data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 session_id;
  gint64 series_id = create_round_at (fixture, now - 600, now + 3000, &session_id);
  gint64 first_id, second_id;
  g_autofree char *first_key = create_user (fixture, fixture->booking.county_org_id, "学员甲",
                                            "trainee", &first_id);
  g_autofree char *second_key = create_user (fixture, fixture->booking.county_org_id, "学员乙",
                                             "trainee", &second_id);
  g_auto (HzTestResponse) first = register_user (fixture, series_id, first_key);
  g_auto (HzTestResponse) second = register_user (fixture, series_id, second_key);
  g_autofree char *path = g_strdup_printf ("/api/v1/teaching-occurrences/%" G_GINT64_FORMAT
                                           "/attendance", session_id);
  g_auto (HzTestResponse) response = { 0 };
  g_auto (HzTestResponse) trainee_view = { 0 };
  JsonArray *list;
  JsonObject *entry;

  hz_test_assert_status (&first, 201, NULL);
  hz_test_assert_status (&second, 201, NULL);

  report_participation (fixture, session_id, fixture->booking.expert_id, "join", now - 600);
  report_participation (fixture, session_id, first_id, "join", now - 300);
  report_participation (fixture, session_id, first_id, "leave", now - 240);
  report_participation (fixture, session_id, first_id, "join", now - 120);

  response = call (fixture, "GET", path, fixture->booking.expert_key, NULL);
  hz_test_assert_status (&response, 200, NULL);
  list = json_object_get_array_member (hz_test_response_object (&response), "attendance");
  g_assert_cmpuint (json_array_get_length (list), ==, 3);

  entry = attendance_of (list, first_id);
  g_assert_true (json_object_get_boolean_member (entry, "attended"));
  g_assert_cmpstr (json_object_get_string_member (entry, "role"), ==, "attendee");
  g_assert_cmpint (json_object_get_int_member (entry, "joins"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (entry, "seconds"), >=, 60 + 120);
  g_assert_cmpint (json_object_get_int_member (entry, "seconds"), <=, 60 + 120 + 30);
  g_assert_true (json_object_get_null_member (entry, "last_leave"));

  entry = attendance_of (list, fixture->booking.expert_id);
  g_assert_cmpstr (json_object_get_string_member (entry, "role"), ==, "presenter");
  g_assert_cmpint (json_object_get_int_member (entry, "seconds"), >=, 600);
  g_assert_cmpint (json_object_get_int_member (entry, "seconds"), <=, 600 + 30);

  entry = attendance_of (list, second_id);
  g_assert_false (json_object_get_boolean_member (entry, "attended"));
  g_assert_cmpint (json_object_get_int_member (entry, "seconds"), ==, 0);

  trainee_view = call (fixture, "GET", path, first_key, NULL);
  hz_test_assert_status (&trainee_view, 403, "forbidden");
}

static void
test_invalid_requests (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_auto (HzTestResponse) both_ends = create_series (
    fixture, "09:00", "10:00", 5, "{\"frequency\": \"weekly\", \"count\": 3,"
    " \"until\": \"2030-01-01\"}", "");
  g_auto (HzTestResponse) no_end = create_series (fixture, "09:00", "10:00", 5,
                                                  "{\"frequency\": \"weekly\"}", "");
  g_auto (HzTestResponse) too_many = create_series (fixture, "09:00", "10:00", 5,
                                                    "{\"frequency\": \"weekly\","
                                                    " \"until\": \"2099-01-01\"}", "");
  g_auto (HzTestResponse) bad_date = create_series (fixture, "09:00", "10:00", 5,
                                                    "{\"frequency\": \"weekly\", \"count\": 2,"
                                                    " \"exclude_dates\": [\"next week\"]}", "");
  g_auto (HzTestResponse) backwards = create_series (fixture, "10:00", "09:00", 5, NULL, "");
  g_auto (HzTestResponse) no_offset = call (
    fixture, "POST", "/api/v1/teaching-sessions", fixture->booking.expert_key,
    "{\"presenter_id\": 1, \"title\": \"x\", \"start\": \"2027-01-05T09:00:00\","
    " \"end\": \"2027-01-05T10:00:00+08:00\", \"capacity\": 1}");
  g_autofree char *trainee = create_user (fixture, fixture->booking.county_org_id, "学员",
                                          "trainee", NULL);
  g_auto (HzTestResponse) valid = create_series (fixture, "09:00", "10:00", 5, NULL, "");
  g_autofree char *other_expert = create_user (fixture, fixture->booking.district_org_id,
                                               "李专家", "expert", NULL);
  g_autofree char *forbidden_body = g_strdup_printf (
    "{\"presenter_id\": %" G_GINT64_FORMAT ", \"title\": \"x\","
    " \"start\": \"%sT09:00:00+08:00\", \"end\": \"%sT10:00:00+08:00\", \"capacity\": 1}",
    fixture->booking.expert_id, fixture->first_day, fixture->first_day);
  g_auto (HzTestResponse) for_colleague = call (fixture, "POST", "/api/v1/teaching-sessions",
                                                other_expert, forbidden_body);
  g_auto (HzTestResponse) trainee_create = call (fixture, "POST", "/api/v1/teaching-sessions",
                                                 trainee, forbidden_body);

  hz_test_assert_status (&both_ends, 400, "invalid_field");
  hz_test_assert_status (&no_end, 400, "invalid_field");
  hz_test_assert_status (&too_many, 400, "invalid_field");
  hz_test_assert_status (&bad_date, 400, "invalid_field");
  g_assert_nonnull (strstr (json_object_get_string_member (hz_test_response_object (&bad_date),
                                                           "message"),
                            "series.exclude_dates[0]"));
  hz_test_assert_status (&backwards, 400, "invalid_time");
  hz_test_assert_status (&no_offset, 400, "invalid_time");
  hz_test_assert_status (&valid, 201, NULL);
  hz_test_assert_status (&for_colleague, 403, "forbidden");
  hz_test_assert_status (&trainee_create, 403, "forbidden");
}

/* Excluded dates leave gaps in the indexes; "until" is a local date. */
static void
test_until_and_exclusions (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *second = week_date (fixture, 1);
  g_autofree char *fourth = week_date (fixture, 3);
  g_autofree char *series = g_strdup_printf ("{\"frequency\": \"weekly\", \"until\": \"%s\","
                                             " \"exclude_dates\": [\"%s\"]}", fourth, second);
  g_auto (HzTestResponse) created = create_series (fixture, "09:00", "10:00", 5, series, "");
  JsonArray *occurrences = occurrences_of (&created);

  hz_test_assert_status (&created, 201, NULL);
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (occurrences, 0),
                                               "index"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (occurrences, 1),
                                               "index"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (occurrences, 2),
                                                  "date"), ==, fourth);
}

/* An "until" time ends the series at that instant: the round that starts
 * later on the same day is not created. */
static void
test_until_time (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *second = week_date (fixture, 1);
  g_autofree char *third = week_date (fixture, 2);
  g_autofree char *morning = hz_test_shanghai_time (third, "08:00");
  g_autofree char *series = g_strdup_printf ("{\"frequency\": \"weekly\", \"until\": \"%s\"}",
                                             morning);
  g_auto (HzTestResponse) created = create_series (fixture, "17:00", "18:00", 5, series, "");
  JsonArray *occurrences;

  hz_test_assert_status (&created, 201, NULL);
  occurrences = occurrences_of (&created);
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (occurrences, 1),
                                                  "date"), ==, second);
}

/* An "until" time that is exactly an occurrence's start includes it. */
static void
test_until_time_inclusive (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *third = week_date (fixture, 2);
  g_autofree char *at_start = hz_test_shanghai_time (third, "17:00");
  g_autofree char *series = g_strdup_printf ("{\"frequency\": \"weekly\", \"until\": \"%s\"}",
                                             at_start);
  g_auto (HzTestResponse) created = create_series (fixture, "17:00", "18:00", 5, series, "");
  JsonArray *occurrences;

  hz_test_assert_status (&created, 201, NULL);
  occurrences = occurrences_of (&created);
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (occurrences, 2),
                                                  "date"), ==, third);
}

/* A series that leaves no occurrence is rejected with the field that ended
 * it: "until" before the first start, or exclusions of every date. */
static void
test_empty_series_names_field (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autofree char *day_before = week_date (fixture, -1);
  g_autofree char *until_series = g_strdup_printf ("{\"frequency\": \"weekly\","
                                                   " \"until\": \"%s\"}", day_before);
  g_autofree char *excluded_series = g_strdup_printf ("{\"frequency\": \"weekly\","
                                                      " \"count\": 1,"
                                                      " \"exclude_dates\": [\"%s\"]}",
                                                      fixture->first_day);
  g_auto (HzTestResponse) until_before = create_series (fixture, "09:00", "10:00", 5,
                                                        until_series, "");
  g_auto (HzTestResponse) all_excluded = create_series (fixture, "09:00", "10:00", 5,
                                                        excluded_series, "");
  const char *until_message;
  const char *excluded_message;

  hz_test_assert_status (&until_before, 400, "invalid_field");
  until_message = json_object_get_string_member (hz_test_response_object (&until_before),
                                                 "message");
  g_assert_nonnull (strstr (until_message, "series.until"));

  hz_test_assert_status (&all_excluded, 400, "invalid_field");
  excluded_message = json_object_get_string_member (hz_test_response_object (&all_excluded),
                                                    "message");
  g_assert_nonnull (strstr (excluded_message, "series.exclude_dates"));
}

#define ADD_TEST(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/teaching/series-conflict-rejected", test_series_conflict_rejected);
  ADD_TEST ("/teaching/series-conflict-skipped", test_series_conflict_skipped);
  ADD_TEST ("/teaching/conflict-with-round", test_conflict_with_round);
  ADD_TEST ("/teaching/capacity-and-waitlist", test_capacity_and_waitlist);
  ADD_TEST ("/teaching/visibility-by-audience", test_visibility_by_audience);
  ADD_TEST ("/teaching/move-and-cancel-occurrence", test_move_and_cancel_occurrence);
  ADD_TEST ("/teaching/presenter-join-token", test_presenter_join_token);
  ADD_TEST ("/teaching/registration-closed", test_registration_closed);
  ADD_TEST ("/teaching/attendance", test_attendance);
  ADD_TEST ("/teaching/invalid-requests", test_invalid_requests);
  ADD_TEST ("/teaching/until-and-exclusions", test_until_and_exclusions);
  ADD_TEST ("/teaching/until-time", test_until_time);
  ADD_TEST ("/teaching/until-time-inclusive", test_until_time_inclusive);
  ADD_TEST ("/teaching/empty-series-names-field", test_empty_series_names_field);

  return g_test_run ();
}
