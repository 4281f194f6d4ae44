/* Integration tests of the FHIR R4 views: the real scheduler on loopback
 * with a temporary database. Every response, errors included, goes through
 * the R4 checker in fhir-r4-check.c. */
#include <string.h>

#include "fhir-r4-check.h"
#include "hz-sched-time.h"
#include "views-http.h"

#define BOOKING_START_OFFSET (2 * 24 * 3600)
#define BOOKING_DURATION (30 * 60)

typedef struct {
  HzTestDaemons *daemons;
  HzTestBooking booking;
  SoupSession *session;
  gint64 booking_start;          /* Unix seconds */
  gint64 other_org_id;           /* a second county hospital */
  gint64 other_doctor_id;
  char *other_doctor_key;
  gint64 trainee_id;             /* a trainee of the booking's county hospital */
  char *trainee_key;
  gint64 other_expert_id;        /* an expert not assigned to the booking */
  char *other_expert_key;
} Fixture;

static gint64
read_time (JsonObject *object,
           const char *member)
{
  gint64 seconds = 0;

  g_assert_true (hz_time_parse_rfc3339 (json_object_get_string_member (object, member),
                                        &seconds));
  return seconds;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  HzTestBooking *booking = &fixture->booking;

  fixture->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);
  hz_test_book_consultation (fixture->daemons, BOOKING_START_OFFSET, BOOKING_DURATION, booking,
                             &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new_with_options ("timeout", VIEWS_HTTP_TIMEOUT_SECONDS, NULL);

  path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT, booking->consultation_id);
  {
    g_auto (ViewsResponse) consultation = views_http (fixture->daemons, fixture->session, "GET",
                                                      path, booking->doctor_key, NULL);

    g_assert_cmpuint (consultation.status, ==, 200);
    fixture->booking_start = read_time (views_response_object (&consultation), "start");
  }

  fixture->other_org_id = views_create_organization (fixture->daemons, fixture->session,
                                                     "湄潭县人民医院", "county");
  fixture->other_doctor_id = views_create_user (fixture->daemons, fixture->session,
                                                fixture->other_org_id, "刘医生", "doctor",
                                                &fixture->other_doctor_key);
  fixture->trainee_id = views_create_user (fixture->daemons, fixture->session,
                                           booking->county_org_id, "陈学员", "trainee",
                                           &fixture->trainee_key);
  fixture->other_expert_id = views_create_user (fixture->daemons, fixture->session,
                                                booking->district_org_id, "周专家", "expert",
                                                &fixture->other_expert_key);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  hz_test_booking_clear (&fixture->booking);
  g_clear_pointer (&fixture->other_doctor_key, g_free);
  g_clear_pointer (&fixture->trainee_key, g_free);
  g_clear_pointer (&fixture->other_expert_key, g_free);
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
}

/* GETs PATH with KEY, asserts STATUS, the FHIR content type and R4
 * validity, and returns the response. */
static ViewsResponse
fhir_get (Fixture    *fixture,
          const char *path,
          const char *key,
          guint       status)
{
  ViewsResponse response = views_http (fixture->daemons, fixture->session, "GET", path, key,
                                       NULL);

  g_test_message ("GET %s: %u", path, response.status);
  g_assert_cmpuint (response.status, ==, status);
  g_assert_cmpstr (soup_message_headers_get_content_type (response.headers, NULL), ==,
                   "application/fhir+json");
  fhir_r4_assert_valid (response.json);
  return response;
}

static void
assert_outcome (const ViewsResponse *response,
                const char          *issue_code)
{
  JsonObject *outcome = views_response_object (response);
  JsonObject *issue = json_array_get_object_element (
    json_object_get_array_member (outcome, "issue"), 0);

  g_assert_cmpstr (json_object_get_string_member (outcome, "resourceType"), ==,
                   "OperationOutcome");
  g_assert_cmpstr (json_object_get_string_member (issue, "code"), ==, issue_code);
}

static char *
appointment_path (gint64 consultation_id)
{
  return g_strdup_printf ("/fhir/Appointment/%" G_GINT64_FORMAT, consultation_id);
}

static JsonObject *
participant_at (JsonObject *appointment,
                guint       index)
{
  return json_array_get_object_element (
    json_object_get_array_member (appointment, "participant"), index);
}

static const char *
actor_reference (JsonObject *participant)
{
  if (!json_object_has_member (participant, "actor"))
    return NULL;
  return json_object_get_string_member (json_object_get_object_member (participant, "actor"),
                                        "reference");
}

static void
test_appointment_booked (Fixture       *fixture,
                         gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *path = appointment_path (booking->consultation_id);
  g_autofree char *api_path = g_strconcat ("/api/v1", path, NULL);
  g_autofree char *doctor_reference = g_strdup_printf ("Practitioner/%" G_GINT64_FORMAT,
                                                       booking->doctor_id);
  g_autofree char *expert_reference = g_strdup_printf ("Practitioner/%" G_GINT64_FORMAT,
                                                       booking->expert_id);
  g_auto (ViewsResponse) response = fhir_get (fixture, path, booking->doctor_key, 200);
  g_auto (ViewsResponse) below_api = fhir_get (fixture, api_path, booking->doctor_key, 200);
  JsonObject *appointment = views_response_object (&response);
  g_autofree char *text = views_response_text (&response);

  g_assert_cmpstr (json_object_get_string_member (appointment, "resourceType"), ==,
                   "Appointment");
  g_assert_cmpint (g_ascii_strtoll (json_object_get_string_member (appointment, "id"), NULL, 10),
                   ==, booking->consultation_id);
  g_assert_cmpstr (json_object_get_string_member (appointment, "status"), ==, "booked");
  g_assert_cmpint (read_time (appointment, "start"), ==, fixture->booking_start);
  g_assert_cmpint (read_time (appointment, "end"), ==, fixture->booking_start + BOOKING_DURATION);
  g_assert_cmpint (json_object_get_int_member (appointment, "minutesDuration"), ==, 30);

  g_assert_cmpstr (actor_reference (participant_at (appointment, 0)), ==, doctor_reference);
  g_assert_cmpstr (json_object_get_string_member (participant_at (appointment, 0), "status"),
                   ==, "accepted");
  g_assert_cmpstr (actor_reference (participant_at (appointment, 1)), ==, expert_reference);
  g_assert_cmpstr (json_object_get_string_member (participant_at (appointment, 1), "required"),
                   ==, "required");

  /* No patient data in the view. */
  g_assert_null (strstr (text, "T-0001"));
  g_assert_null (strstr (text, "胸闷"));

  g_assert_cmpstr (json_object_get_string_member (views_response_object (&below_api), "status"),
                   ==, "booked");
}

/* Returns the Appointment of CONSULTATION_ID as the admin reads it. */
static JsonObject *
read_appointment (Fixture *fixture,
                  gint64   consultation_id)
{
  g_autofree char *path = appointment_path (consultation_id);
  g_auto (ViewsResponse) response = fhir_get (fixture, path, fixture->daemons->admin_key, 200);

  return json_object_ref (views_response_object (&response));
}

static void
post_ok (Fixture    *fixture,
         const char *key,
         gint64      consultation_id,
         const char *action,
         const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/%s",
                                           consultation_id, action);
  g_auto (ViewsResponse) response = views_http (fixture->daemons, fixture->session, "POST", path,
                                                key, body);

  g_assert_cmpuint (response.status, ==, 200);
}

/* Each workflow status has its R4 status, and start and end appear
 * exactly when R4 (app-3) requires or allows them. */
static void
test_appointment_status_per_workflow (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  gint64 requested = views_request_consultation (fixture->daemons, fixture->session,
                                                 booking->doctor_key, "神经内科");
  gint64 accepted = views_request_consultation (fixture->daemons, fixture->session,
                                                booking->doctor_key, "神经内科");
  gint64 returned = views_request_consultation (fixture->daemons, fixture->session,
                                                booking->doctor_key, "神经内科");
  g_autoptr (JsonObject) proposed = NULL;
  g_autoptr (JsonObject) reviewed = NULL;
  g_autoptr (JsonObject) declined = NULL;
  g_autoptr (JsonObject) cancelled = NULL;

  post_ok (fixture, booking->coordinator_key, accepted, "accept", NULL);
  post_ok (fixture, booking->coordinator_key, returned, "return",
           "{\"reason\": \"请补充心电图检查结果\"}");
  views_cancel (fixture->daemons, fixture->session, booking->doctor_key,
                booking->consultation_id);

  proposed = read_appointment (fixture, requested);
  g_assert_cmpstr (json_object_get_string_member (proposed, "status"), ==, "proposed");
  g_assert_false (json_object_has_member (proposed, "start"));
  g_assert_false (json_object_has_member (proposed, "end"));
  g_assert_cmpstr (json_object_get_string_member (participant_at (proposed, 1), "status"), ==,
                   "needs-action");

  reviewed = read_appointment (fixture, accepted);
  g_assert_cmpstr (json_object_get_string_member (reviewed, "status"), ==, "proposed");
  g_assert_false (json_object_has_member (reviewed, "start"));

  declined = read_appointment (fixture, returned);
  g_assert_cmpstr (json_object_get_string_member (declined, "status"), ==, "cancelled");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (declined, "cancelationReason"), "text"),
                   ==, "请补充心电图检查结果");
  g_assert_cmpstr (json_object_get_string_member (participant_at (declined, 1), "status"), ==,
                   "declined");

  cancelled = read_appointment (fixture, booking->consultation_id);
  g_assert_cmpstr (json_object_get_string_member (cancelled, "status"), ==, "cancelled");
  g_assert_true (json_object_has_member (cancelled, "cancelationReason"));
  g_assert_cmpint (read_time (cancelled, "start"), ==, fixture->booking_start);
}

static gint64
search_total (Fixture    *fixture,
              const char *path,
              const char *key)
{
  g_auto (ViewsResponse) response = fhir_get (fixture, path, key, 200);
  JsonObject *bundle = views_response_object (&response);

  g_assert_cmpstr (json_object_get_string_member (bundle, "resourceType"), ==, "Bundle");
  g_assert_cmpstr (json_object_get_string_member (bundle, "type"), ==, "searchset");
  return json_object_get_int_member (bundle, "total");
}

/* The same visibility as the JSON API: a role that cannot see the
 * consultation gets 404 for the read and no match in a search. */
static void
test_appointment_visibility_per_role (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *path = appointment_path (booking->consultation_id);
  g_autofree char *search = g_strdup_printf ("/fhir/Appointment?actor=Practitioner/%"
                                             G_GINT64_FORMAT, booking->doctor_id);
  const struct {
    const char *role;
    const char *key;
    gboolean visible;
  } cases[] = {
    { "admin", fixture->daemons->admin_key, TRUE },
    { "requesting doctor", booking->doctor_key, TRUE },
    { "assigned expert", booking->expert_key, TRUE },
    { "district coordinator", booking->coordinator_key, TRUE },
    { "trainee of the county", fixture->trainee_key, FALSE },
    { "doctor of another county", fixture->other_doctor_key, FALSE },
    { "expert not assigned", fixture->other_expert_key, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (ViewsResponse) read = { 0 };

      g_test_message ("role: %s", cases[i].role);
      read = fhir_get (fixture, path, cases[i].key, cases[i].visible ? 200 : 404);
      if (!cases[i].visible)
        assert_outcome (&read, "not-found");
      g_assert_cmpint (search_total (fixture, search, cases[i].key), ==, cases[i].visible);
    }
}

static char *
shanghai_date (gint64 unix_seconds,
               int    days)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (unix_seconds);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (time, zone);
  g_autoptr (GDateTime) shifted = g_date_time_add_days (local, days);

  return g_date_time_format (shifted, "%Y-%m-%d");
}

static void
test_appointment_search_actor_date (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *day = shanghai_date (fixture->booking_start, 0);
  g_autofree char *next_day = shanghai_date (fixture->booking_start, 1);
  g_autofree char *by_day = g_strdup_printf (
    "/fhir/Appointment?actor=Practitioner/%" G_GINT64_FORMAT "&date=%s", booking->expert_id, day);
  g_autofree char *by_next_day = g_strdup_printf (
    "/fhir/Appointment?actor=Practitioner/%" G_GINT64_FORMAT "&date=%s", booking->expert_id,
    next_day);
  g_autofree char *range = g_strdup_printf (
    "/fhir/Appointment?actor=%" G_GINT64_FORMAT "&date=ge%s&date=lt%s", booking->expert_id, day,
    next_day);
  g_autofree char *before = g_strdup_printf ("/fhir/Appointment?date=lt%s", day);
  g_autofree char *other_actor = g_strdup_printf (
    "/fhir/Appointment?actor=Practitioner/%" G_GINT64_FORMAT, fixture->other_expert_id);
  g_autofree char *expected_url = g_strdup_printf ("%s/fhir/Appointment/%" G_GINT64_FORMAT,
                                                   fixture->daemons->scheduler_url,
                                                   booking->consultation_id);
  g_auto (ViewsResponse) found = fhir_get (fixture, by_day, booking->expert_key, 200);
  JsonObject *bundle = views_response_object (&found);
  JsonObject *entry = json_array_get_object_element (
    json_object_get_array_member (bundle, "entry"), 0);

  g_assert_cmpint (json_object_get_int_member (bundle, "total"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "fullUrl"), ==, expected_url);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (entry, "search"), "mode"), ==, "match");

  g_assert_cmpint (search_total (fixture, by_next_day, booking->expert_key), ==, 0);
  g_assert_cmpint (search_total (fixture, range, booking->expert_key), ==, 1);
  g_assert_cmpint (search_total (fixture, before, booking->expert_key), ==, 0);
  g_assert_cmpint (search_total (fixture, other_actor, fixture->daemons->admin_key), ==, 0);
  g_assert_cmpint (search_total (fixture, "/fhir/Appointment?status=booked",
                                 booking->expert_key), ==, 1);
  g_assert_cmpint (search_total (fixture, "/fhir/Appointment?status=proposed,cancelled",
                                 booking->expert_key), ==, 0);
}

/* Invalid parameters are 400 with an OperationOutcome, not an empty
 * result. Invalid percent-encoding never reaches the views, because
 * libsoup rejects the request first. */
static void
test_appointment_search_invalid (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  const char *const paths[] = {
    "/fhir/Appointment?actor=Patient/1",
    "/fhir/Appointment?date=yesterday",
    "/fhir/Appointment?date=2026-02-30",
    "/fhir/Appointment?date:missing=true",
    "/fhir/Appointment?_count=-1",
    "/fhir/Appointment?_count=201",
    "/fhir/Appointment?status:not=booked",
    "/fhir/Appointment?status=bogus",
    "/fhir/Appointment?status=booked,bogus",
    "/fhir/Appointment?status=",
    "/fhir/Appointment?status=booked,",
    "/fhir/Appointment?status=BOOKED",
    "/fhir/Slot?status=bogus",
    "/fhir/Slot?status=free,busy,",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto (ViewsResponse) response = fhir_get (fixture, paths[i],
                                                  fixture->booking.doctor_key, 400);

      assert_outcome (&response, "invalid");
    }

  /* Codes of the R4 value sets that no resource here has are valid. */
  g_assert_cmpint (search_total (fixture, "/fhir/Appointment?status=pending,waitlist",
                                 fixture->booking.doctor_key), ==, 0);
  g_assert_cmpint (search_total (fixture, "/fhir/Slot?status=busy-tentative",
                                 fixture->booking.doctor_key), ==, 0);
}

static void
test_errors_are_outcomes (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *path = appointment_path (fixture->booking.consultation_id);
  g_auto (ViewsResponse) anonymous = fhir_get (fixture, path, NULL, 401);
  g_auto (ViewsResponse) missing = fhir_get (fixture, "/fhir/Appointment/9999",
                                             fixture->booking.doctor_key, 404);
  g_auto (ViewsResponse) unknown_type = fhir_get (fixture, "/fhir/Patient/1",
                                                  fixture->booking.doctor_key, 404);
  g_auto (ViewsResponse) post = views_http (fixture->daemons, fixture->session, "POST",
                                            "/fhir/Appointment", fixture->booking.doctor_key,
                                            "{}");

  assert_outcome (&anonymous, "login");
  assert_outcome (&missing, "not-found");
  assert_outcome (&unknown_type, "not-found");
  g_assert_cmpuint (post.status, ==, 405);
  fhir_r4_assert_valid (post.json);
  assert_outcome (&post, "not-supported");
}

static void
test_schedule_read_and_search (Fixture       *fixture,
                               gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *path = g_strdup_printf ("/fhir/Schedule/%" G_GINT64_FORMAT, booking->expert_id);
  g_autofree char *not_expert = g_strdup_printf ("/fhir/Schedule/%" G_GINT64_FORMAT,
                                                 booking->doctor_id);
  g_autofree char *search = g_strdup_printf ("/fhir/Schedule?actor=Practitioner/%"
                                             G_GINT64_FORMAT, booking->expert_id);
  g_autofree char *practitioner = g_strdup_printf ("/fhir/Practitioner/%" G_GINT64_FORMAT,
                                                   booking->expert_id);
  g_auto (ViewsResponse) schedule = fhir_get (fixture, path, booking->doctor_key, 200);
  /* fhir_get() checks the status; the bodies of these two are not read. */
  G_GNUC_UNUSED g_auto (ViewsResponse) doctor = fhir_get (fixture, not_expert, booking->doctor_key, 404);
  g_auto (ViewsResponse) trainee = fhir_get (fixture, path, fixture->trainee_key, 403);
  G_GNUC_UNUSED g_auto (ViewsResponse) person = fhir_get (fixture, practitioner, booking->doctor_key, 200);
  JsonObject *actor = json_array_get_object_element (
    json_object_get_array_member (views_response_object (&schedule), "actor"), 0);
  g_autofree char *expected_actor = g_strdup_printf ("Practitioner/%" G_GINT64_FORMAT,
                                                     booking->expert_id);

  g_assert_cmpstr (json_object_get_string_member (actor, "reference"), ==, expected_actor);
  assert_outcome (&trainee, "forbidden");
  g_assert_cmpint (search_total (fixture, search, booking->doctor_key), ==, 1);
  g_assert_cmpint (search_total (fixture, "/fhir/Schedule", booking->doctor_key), ==, 2);
}

/* The booking is a busy Slot of the expert's Schedule until it is
 * cancelled, which frees the time. */
static void
test_slot_busy_until_cancelled (Fixture       *fixture,
                                gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *day = shanghai_date (fixture->booking_start, 0);
  g_autofree char *next_day = shanghai_date (fixture->booking_start, 1);
  g_autofree char *path = g_strdup_printf (
    "/fhir/Slot?schedule=Schedule/%" G_GINT64_FORMAT "&start=ge%s&start=lt%s&status=busy",
    booking->expert_id, day, next_day);
  g_autofree char *schedule_reference = g_strdup_printf ("Schedule/%" G_GINT64_FORMAT,
                                                         booking->expert_id);
  g_auto (ViewsResponse) busy = fhir_get (fixture, path, booking->coordinator_key, 200);
  g_auto (ViewsResponse) freed = { 0 };
  g_auto (ViewsResponse) read_busy = { 0 };
  g_auto (ViewsResponse) grid_busy = { 0 };
  g_auto (ViewsResponse) grid_free = { 0 };
  /* Asia/Shanghai has a whole-hour offset, so its 30-minute grid is UTC's. */
  gint64 grid_start = fixture->booking_start / 1800 * 1800;
  g_autofree char *grid_path = g_strdup_printf ("/fhir/Slot/%" G_GINT64_FORMAT "-%"
                                                G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                                booking->expert_id, grid_start,
                                                grid_start + 1800);
  g_autofree char *full_url = NULL;
  JsonObject *bundle = views_response_object (&busy);
  JsonObject *slot;

  g_assert_cmpint (json_object_get_int_member (bundle, "total"), ==, 1);
  slot = json_object_get_object_member (json_array_get_object_element (
    json_object_get_array_member (bundle, "entry"), 0), "resource");
  g_assert_cmpstr (json_object_get_string_member (slot, "status"), ==, "busy");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (slot, "schedule"), "reference"),
                   ==, schedule_reference);
  g_assert_cmpint (read_time (slot, "start"), ==, fixture->booking_start);
  g_assert_cmpint (read_time (slot, "end"), ==, fixture->booking_start + BOOKING_DURATION);
  full_url = g_strdup (json_object_get_string_member (json_array_get_object_element (
    json_object_get_array_member (bundle, "entry"), 0), "fullUrl"));
  read_busy = fhir_get (fixture, full_url, booking->coordinator_key, 200);
  g_assert_cmpstr (json_object_get_string_member (views_response_object (&read_busy), "status"),
                   ==, "busy");

  /* The free Slot on the 30-minute grid that the booking overlaps is busy
   * too. */
  grid_busy = fhir_get (fixture, grid_path, booking->coordinator_key, 200);
  g_assert_cmpstr (json_object_get_string_member (views_response_object (&grid_busy), "status"),
                   ==, "busy");

  views_cancel (fixture->daemons, fixture->session, booking->doctor_key,
                booking->consultation_id);
  freed = fhir_get (fixture, path, booking->coordinator_key, 200);
  g_assert_cmpint (json_object_get_int_member (views_response_object (&freed), "total"), ==, 0);

  /* The expert has no weekly hours, so the freed time can be booked: the
   * grid Slot is free. The booking's own time is no Slot any more unless
   * it lies on the grid, which it does once in 1800 runs. */
  grid_free = fhir_get (fixture, grid_path, booking->coordinator_key, 200);
  g_assert_cmpstr (json_object_get_string_member (views_response_object (&grid_free), "status"),
                   ==, "free");
  if (fixture->booking_start % 1800 != 0)
    {
      g_auto (ViewsResponse) read_freed = fhir_get (fixture, full_url, booking->coordinator_key,
                                                    404);

      assert_outcome (&read_freed, "not-found");
    }
}

static void
test_slot_read_invalid (Fixture       *fixture,
                        gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *not_expert = g_strdup_printf ("/fhir/Slot/%" G_GINT64_FORMAT "-%"
                                                 G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                                 booking->doctor_id, fixture->booking_start,
                                                 fixture->booking_start + 1800);
  g_autofree char *reversed = g_strdup_printf ("/fhir/Slot/%" G_GINT64_FORMAT "-%"
                                               G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                               booking->expert_id, fixture->booking_start,
                                               fixture->booking_start - 1800);
  const char *const paths[] = { "/fhir/Slot/abc", "/fhir/Slot/3-1-", not_expert, reversed };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  /* A free half hour on the grid a day ahead, clear of the booking two
   * days ahead. Asia/Shanghai's 30-minute grid is UTC's. */
  gint64 grid = (now + 24 * 3600) / 1800 * 1800;
  gint64 past = (now - 3600) / 1800 * 1800;
  gint64 too_far = (now + 1828 * 24 * 3600) / 1800 * 1800;
  /* Half an hour after local noon or midnight in Asia/Shanghai, so never
   * on the grid of 12-hour Slots. */
  gint64 off_half_day = ((now + 8 * 3600) / (12 * 3600) + 2) * 12 * 3600 - 8 * 3600 + 1800;
  const struct {
    gint64 start;
    gint64 end;
    const char *status;      /* NULL for 404 */
  } intervals[] = {
    { grid, grid + 1800, "free" },
    { grid, grid + 300, "free" },
    { off_half_day, off_half_day + 12 * 3600, NULL },
    { grid + 60, grid + 1860, NULL },
    { grid, grid + 1801, NULL },
    { grid, grid + 240, NULL },
    { grid, grid + 12 * 3600 + 1800, NULL },
    { 1, 2, NULL },
    { past, past + 1800, NULL },
    { too_far, too_far + 1800, NULL },
    { G_GINT64_CONSTANT (99999999999), G_GINT64_CONSTANT (100000000000), NULL },
    { G_GINT64_CONSTANT (253402300800), G_GINT64_CONSTANT (253402300900), NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto (ViewsResponse) response = fhir_get (fixture, paths[i], booking->coordinator_key,
                                                  404);

      assert_outcome (&response, "not-found");
    }

  /* Intervals that are not on the grid of free Slots, too short or long,
   * in the past or beyond the 1827 days that scheduling accepts are no
   * Slots. */
  for (gsize i = 0; i < G_N_ELEMENTS (intervals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/fhir/Slot/%" G_GINT64_FORMAT "-%"
                                               G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                               booking->expert_id, intervals[i].start,
                                               intervals[i].end);
      g_auto (ViewsResponse) response = fhir_get (fixture, path, booking->coordinator_key,
                                                  intervals[i].status != NULL ? 200 : 404);

      if (intervals[i].status != NULL)
        g_assert_cmpstr (json_object_get_string_member (views_response_object (&response),
                                                        "status"), ==, intervals[i].status);
      else
        assert_outcome (&response, "not-found");
    }
}

/* Slot searches list nothing before now or beyond the 1827 days that
 * scheduling accepts, so no Slot lacks its start or end. */
static void
test_slot_search_bounds (Fixture       *fixture,
                         gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *past = g_strdup_printf (
    "/fhir/Slot?schedule=%" G_GINT64_FORMAT "&start=ge2020-01-01&start=lt2020-01-10",
    booking->expert_id);
  g_autofree char *far = g_strdup_printf (
    "/fhir/Slot?schedule=%" G_GINT64_FORMAT "&start=ge9999-12-25", booking->expert_id);
  g_autofree char *json_far = g_strdup_printf (
    "/api/v1/slots?expert_id=%" G_GINT64_FORMAT
    "&from=9999-12-25T00:00:00Z&to=9999-12-31T00:00:00Z", booking->expert_id);
  g_auto (ViewsResponse) json_slots = views_http (fixture->daemons, fixture->session, "GET",
                                                  json_far, booking->coordinator_key, NULL);

  g_assert_cmpint (search_total (fixture, past, booking->coordinator_key), ==, 0);
  g_assert_cmpint (search_total (fixture, far, booking->coordinator_key), ==, 0);
  g_assert_cmpuint (json_slots.status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      views_response_object (&json_slots), "slots")), ==, 0);
}

static char *
format_utc (gint64 unix_seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Free Slots are the slots of the JSON slot search, which booking shares,
 * and never overlap the expert's busy time. */
static void
test_slot_free_matches_slot_search (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *hours_path = g_strdup_printf ("/api/v1/experts/%" G_GINT64_FORMAT
                                                 "/working-hours", booking->expert_id);
  g_autofree char *from = format_utc (fixture->booking_start / 86400 * 86400);
  g_autofree char *to = format_utc (fixture->booking_start / 86400 * 86400 + 14 * 86400);
  g_autofree char *json_path = g_strdup_printf (
    "/api/v1/slots?expert_id=%" G_GINT64_FORMAT "&from=%s&to=%s&duration=30&step=30",
    booking->expert_id, from, to);
  g_autofree char *fhir_path = g_strdup_printf (
    "/fhir/Slot?schedule=Schedule/%" G_GINT64_FORMAT "&start=ge%s&start=lt%s&duration=30"
    "&_count=200", booking->expert_id, from, to);
  g_auto (ViewsResponse) hours = views_http (
    fixture->daemons, fixture->session, "PUT", hours_path, fixture->daemons->admin_key,
    "{\"hours\": [{\"weekday\": 1, \"start\": \"08:00\", \"end\": \"12:00\"},"
    " {\"weekday\": 2, \"start\": \"08:00\", \"end\": \"12:00\"},"
    " {\"weekday\": 3, \"start\": \"08:00\", \"end\": \"12:00\"},"
    " {\"weekday\": 4, \"start\": \"08:00\", \"end\": \"12:00\"},"
    " {\"weekday\": 5, \"start\": \"08:00\", \"end\": \"12:00\"}]}");
  g_auto (ViewsResponse) expected = { 0 };
  g_auto (ViewsResponse) found = { 0 };
  JsonArray *slots;
  JsonArray *entries;
  guint free_count = 0;

  g_assert_cmpuint (hours.status, ==, 200);
  expected = views_http (fixture->daemons, fixture->session, "GET", json_path,
                         booking->coordinator_key, NULL);
  g_assert_cmpuint (expected.status, ==, 200);
  slots = json_object_get_array_member (views_response_object (&expected), "slots");
  g_assert_cmpuint (json_array_get_length (slots), >, 0);

  found = fhir_get (fixture, fhir_path, booking->coordinator_key, 200);
  entries = json_object_get_array_member (views_response_object (&found), "entry");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *slot = json_object_get_object_member (
        json_array_get_object_element (entries, i), "resource");
      JsonObject *json_slot;

      if (!g_str_equal (json_object_get_string_member (slot, "status"), "free"))
        {
          /* The booking is busy and outside the working hours' slots. */
          g_assert_cmpint (read_time (slot, "start"), ==, fixture->booking_start);
          continue;
        }

      if (free_count == 0)
        {
          const char *full_url = json_object_get_string_member (
            json_array_get_object_element (entries, i), "fullUrl");
          g_auto (ViewsResponse) read = fhir_get (fixture, full_url, booking->coordinator_key,
                                                  200);

          g_assert_cmpstr (json_object_get_string_member (views_response_object (&read),
                                                          "status"), ==, "free");
        }

      g_assert_cmpuint (free_count, <, json_array_get_length (slots));
      json_slot = json_array_get_object_element (slots, free_count);
      g_assert_cmpint (read_time (slot, "start"), ==, read_time (json_slot, "start"));
      g_assert_cmpint (read_time (slot, "end"), ==, read_time (json_slot, "end"));
      g_assert_false (read_time (slot, "start") < fixture->booking_start + BOOKING_DURATION &&
                      fixture->booking_start < read_time (slot, "end"));
      free_count++;
    }
  g_assert_cmpuint (free_count, ==, json_array_get_length (slots));
}

static void
test_search_paging (Fixture       *fixture,
                    gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_auto (ViewsResponse) first = { 0 };
  g_auto (ViewsResponse) second = { 0 };
  JsonObject *bundle;
  JsonArray *links;
  const char *next_url = NULL;

  views_request_consultation (fixture->daemons, fixture->session, booking->doctor_key, "神经内科");
  first = fhir_get (fixture, "/fhir/Appointment?_count=1", booking->doctor_key, 200);
  bundle = views_response_object (&first);
  g_assert_cmpint (json_object_get_int_member (bundle, "total"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (bundle, "entry")), ==, 1);

  links = json_object_get_array_member (bundle, "link");
  for (guint i = 0; i < json_array_get_length (links); i++)
    {
      JsonObject *link = json_array_get_object_element (links, i);

      if (g_str_equal (json_object_get_string_member (link, "relation"), "next"))
        next_url = json_object_get_string_member (link, "url");
    }
  g_assert_nonnull (next_url);

  second = fhir_get (fixture, next_url, booking->doctor_key, 200);
  bundle = views_response_object (&second);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (bundle, "entry")), ==, 1);
}

/* A weekly ward round of three occurrences presented by the booking's
 * expert for the county hospital, with the trainee registered. Fills
 * SESSION_IDS with the occurrences' session ids. */
static void
create_ward_round (Fixture *fixture,
                   gint64   session_ids[3])
{
  gint64 start = (g_get_real_time () / G_USEC_PER_SEC + 5 * 24 * 3600) / 60 * 60;
  g_autofree char *start_text = format_utc (start);
  g_autofree char *end_text = format_utc (start + 3600);
  g_autofree char *body = g_strdup_printf (
    "{\"presenter_id\": %" G_GINT64_FORMAT ", \"title\": \"冠心病介入治疗\","
    " \"kind\": \"ward_round\", \"start\": \"%s\", \"end\": \"%s\", \"capacity\": 10,"
    " \"audience_org_ids\": [%" G_GINT64_FORMAT "], \"series\": {\"weekly\": true,"
    " \"count\": 3}}",
    fixture->booking.expert_id, start_text, end_text, fixture->booking.county_org_id);
  g_auto (ViewsResponse) created = views_http (fixture->daemons, fixture->session, "POST",
                                               "/api/v1/teaching-sessions",
                                               fixture->booking.coordinator_key, body);
  g_auto (ViewsResponse) registered = { 0 };
  g_autofree char *register_path = NULL;
  JsonObject *series;
  JsonArray *occurrences;

  g_assert_cmpuint (created.status, ==, 201);
  series = views_response_object (&created);
  occurrences = json_object_get_array_member (series, "occurrences");
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 3);
  for (guint i = 0; i < 3; i++)
    session_ids[i] = json_object_get_int_member (json_array_get_object_element (occurrences, i),
                                                 "session_id");

  register_path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT
                                   "/registrations", json_object_get_int_member (series, "id"));
  registered = views_http (fixture->daemons, fixture->session, "POST", register_path,
                           fixture->trainee_key, NULL);
  g_assert_cmpuint (registered.status, ==, 201);
}

/* Checks that every Appointment that the search PATH finds has a
 * participant whose actor is REFERENCE, as the actor parameter requires. */
static void
assert_every_entry_lists (Fixture    *fixture,
                          const char *path,
                          const char *key,
                          const char *reference)
{
  g_auto (ViewsResponse) response = fhir_get (fixture, path, key, 200);
  JsonObject *bundle = views_response_object (&response);
  JsonArray *entries = json_object_get_array_member (bundle, "entry");

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *appointment = json_object_get_object_member (
        json_array_get_object_element (entries, i), "resource");
      JsonArray *participants = json_object_get_array_member (appointment, "participant");
      gboolean listed = FALSE;

      for (guint j = 0; j < json_array_get_length (participants); j++)
        listed = listed || g_strcmp0 (actor_reference (participant_at (appointment, j)),
                                      reference) == 0;
      g_test_message ("entry %u: Appointment/%s", i,
                      json_object_get_string_member (appointment, "id"));
      g_assert_true (listed);
    }
}

/* Teaching occurrences are Appointments "teaching-SESSION", visible to the
 * audience, found by presenter and by registered attendee. */
static void
test_appointment_teaching_round (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  gint64 session_ids[3];
  g_autofree char *path = NULL;
  g_autofree char *cancel_path = NULL;
  g_autofree char *by_trainee = g_strdup_printf ("/fhir/Appointment?actor=Practitioner/%"
                                                 G_GINT64_FORMAT, fixture->trainee_id);
  g_autofree char *by_presenter = g_strdup_printf (
    "/fhir/Appointment?actor=Practitioner/%" G_GINT64_FORMAT "&status=booked",
    booking->expert_id);
  g_autofree char *presenter_reference = g_strdup_printf ("Practitioner/%" G_GINT64_FORMAT,
                                                          booking->expert_id);
  g_autofree char *trainee_reference = g_strdup_printf ("Practitioner/%" G_GINT64_FORMAT,
                                                        fixture->trainee_id);
  g_auto (ViewsResponse) read = { 0 };
  g_auto (ViewsResponse) hidden = { 0 };
  g_auto (ViewsResponse) cancel = { 0 };
  g_auto (ViewsResponse) cancelled = { 0 };
  JsonObject *appointment;

  create_ward_round (fixture, session_ids);
  path = g_strdup_printf ("/fhir/Appointment/teaching-%" G_GINT64_FORMAT, session_ids[0]);

  read = fhir_get (fixture, path, fixture->trainee_key, 200);
  appointment = views_response_object (&read);
  g_assert_cmpstr (json_object_get_string_member (appointment, "status"), ==, "booked");
  g_assert_cmpstr (json_object_get_string_member (appointment, "description"), ==,
                   "教学查房：冠心病介入治疗");
  g_assert_cmpstr (actor_reference (participant_at (appointment, 0)), ==, presenter_reference);

  hidden = fhir_get (fixture, path, fixture->other_doctor_key, 404);
  assert_outcome (&hidden, "not-found");

  /* The trainee reads themselves as an attendee. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (appointment,
                                                                         "participant")), ==, 2);
  g_assert_cmpstr (actor_reference (participant_at (appointment, 1)), ==, trainee_reference);

  /* The trainee sees no consultation, only the three occurrences, and
   * each match lists the trainee. */
  g_assert_cmpint (search_total (fixture, by_trainee, fixture->trainee_key), ==, 3);
  assert_every_entry_lists (fixture, by_trainee, fixture->trainee_key, trainee_reference);
  /* Another user of the audience reads no attendee, so no occurrence
   * matches the trainee for them. */
  g_assert_cmpint (search_total (fixture, by_trainee, booking->doctor_key), ==, 0);
  /* The presenter's booked Appointments: the consultation and the round. */
  g_assert_cmpint (search_total (fixture, by_presenter, booking->expert_key), ==, 4);

  cancel_path = g_strdup_printf ("/api/v1/teaching-occurrences/%" G_GINT64_FORMAT "/cancel",
                                 session_ids[0]);
  cancel = views_http (fixture->daemons, fixture->session, "POST", cancel_path,
                       booking->coordinator_key, "{\"reason\": \"主讲专家出差\"}");
  g_assert_cmpuint (cancel.status, ==, 200);
  cancelled = fhir_get (fixture, path, fixture->trainee_key, 200);
  appointment = views_response_object (&cancelled);
  g_assert_cmpstr (json_object_get_string_member (appointment, "status"), ==, "cancelled");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (appointment, "cancelationReason"), "text"),
                   ==, "主讲专家出差");
}

/* An expert whom the request named is the consultant only until another
 * expert is assigned, and an actor search follows the Appointment. */
static void
test_appointment_named_expert (Fixture       *fixture,
                               gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *request_body = g_strdup_printf (
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"R-2\", \"age\": 61,"
    " \"sex\": \"male\", \"summary\": \"胸闷\"}, \"question\": \"请会诊\","
    " \"requested_expert_id\": %" G_GINT64_FORMAT "}", fixture->other_expert_id);
  g_autofree char *by_named = g_strdup_printf ("/fhir/Appointment?actor=Practitioner/%"
                                               G_GINT64_FORMAT, fixture->other_expert_id);
  g_autofree char *named_reference = g_strdup_printf ("Practitioner/%" G_GINT64_FORMAT,
                                                      fixture->other_expert_id);
  g_autofree char *start_text = format_utc (fixture->booking_start + 24 * 3600);
  g_autofree char *end_text = format_utc (fixture->booking_start + 24 * 3600 + 1800);
  g_autofree char *schedule_body = g_strdup_printf (
    "{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\", \"end\": \"%s\"}",
    booking->expert_id, start_text, end_text);
  g_autofree char *schedule_path = NULL;
  g_auto (ViewsResponse) requested = views_http (fixture->daemons, fixture->session, "POST",
                                                 "/api/v1/consultations", booking->doctor_key,
                                                 request_body);
  g_auto (ViewsResponse) scheduled = { 0 };
  const char *admin_key = fixture->daemons->admin_key;

  g_assert_cmpuint (requested.status, ==, 201);
  g_assert_cmpint (search_total (fixture, by_named, admin_key), ==, 1);
  assert_every_entry_lists (fixture, by_named, admin_key, named_reference);

  schedule_path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                                   json_object_get_int_member (views_response_object (&requested),
                                                               "id"));
  scheduled = views_http (fixture->daemons, fixture->session, "POST", schedule_path,
                          booking->coordinator_key, schedule_body);
  g_assert_cmpuint (scheduled.status, ==, 201);
  g_assert_cmpint (search_total (fixture, by_named, admin_key), ==, 0);
}

static void
test_capability_statement (Fixture       *fixture,
                           gconstpointer  user_data)
{
  /* Clients read the CapabilityStatement before they authenticate. */
  g_auto (ViewsResponse) response = fhir_get (fixture, "/fhir/metadata", NULL, 200);

  g_assert_cmpstr (json_object_get_string_member (views_response_object (&response),
                                                  "fhirVersion"), ==, "4.0.1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD ("/fhir/appointment/booked", test_appointment_booked);
  ADD ("/fhir/appointment/status-per-workflow", test_appointment_status_per_workflow);
  ADD ("/fhir/appointment/visibility-per-role", test_appointment_visibility_per_role);
  ADD ("/fhir/appointment/search-actor-date", test_appointment_search_actor_date);
  ADD ("/fhir/appointment/search-invalid", test_appointment_search_invalid);
  ADD ("/fhir/appointment/teaching-round", test_appointment_teaching_round);
  ADD ("/fhir/appointment/named-expert", test_appointment_named_expert);
  ADD ("/fhir/errors/operation-outcome", test_errors_are_outcomes);
  ADD ("/fhir/schedule/read-and-search", test_schedule_read_and_search);
  ADD ("/fhir/slot/busy-until-cancelled", test_slot_busy_until_cancelled);
  ADD ("/fhir/slot/free-matches-slot-search", test_slot_free_matches_slot_search);
  ADD ("/fhir/slot/read-invalid", test_slot_read_invalid);
  ADD ("/fhir/slot/search-bounds", test_slot_search_bounds);
  ADD ("/fhir/search/paging", test_search_paging);
  ADD ("/fhir/metadata", test_capability_statement);

#undef ADD

  return g_test_run ();
}
