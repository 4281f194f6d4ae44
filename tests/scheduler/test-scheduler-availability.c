/* Integration tests of availability, slot search and the booking checks:
 * the real daemon over HTTP on a temporary database.
 *
 * The daemons run with TZ=UTC while the hospitals are in Asia/Shanghai, so
 * every local-time rule is checked across a time zone boundary. They also
 * run in a temporary working directory whose config/holidays contains the
 * shipped cn.conf and a "test" calendar with a holiday and a make-up
 * working Sunday in the coming week. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hz-holidays.h"
#include "hz-sched-time.h"
#include "hz-test-daemons.h"
#include "sched-test-client.h"

#define HTTP_TIMEOUT_SECONDS 10
#define BOOKING_START_OFFSET (2 * 24 * 3600)
#define BOOKING_DURATION (30 * 60)

/* Morning and afternoon of the test hospital, Monday to Friday. With
 * 30-minute slots every 15 minutes that is 11 + 11 slots a day. */
#define HOURS_BODY \
  "{\"hours\": [" \
  "{\"weekday\": 1, \"start\": \"09:00\", \"end\": \"12:00\"}," \
  "{\"weekday\": 1, \"start\": \"14:00\", \"end\": \"17:00\"}," \
  "{\"weekday\": 2, \"start\": \"09:00\", \"end\": \"12:00\"}," \
  "{\"weekday\": 2, \"start\": \"14:00\", \"end\": \"17:00\"}," \
  "{\"weekday\": 3, \"start\": \"09:00\", \"end\": \"12:00\"}," \
  "{\"weekday\": 3, \"start\": \"14:00\", \"end\": \"17:00\"}," \
  "{\"weekday\": 4, \"start\": \"09:00\", \"end\": \"12:00\"}," \
  "{\"weekday\": 4, \"start\": \"14:00\", \"end\": \"17:00\"}," \
  "{\"weekday\": 5, \"start\": \"09:00\", \"end\": \"12:00\"}," \
  "{\"weekday\": 5, \"start\": \"14:00\", \"end\": \"17:00\"}]}"
#define SLOTS_PER_DAY 22

/* The dates of the "test" calendar, set once in main(). */
typedef struct {
  char *wednesday;           /* an ordinary working day, 3 to 9 days ahead */
  char *holiday;             /* the Thursday after it */
  char *saturday;
  char *workday;             /* the make-up working Sunday after it */
  char *monday;
  char *directory;           /* the daemons' working directory */
} TestCalendar;

typedef struct {
  const TestCalendar *calendar;
  HzTestDaemons *daemons;
  HzTestBooking booking;
  SoupSession *session;
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

static void
set_calendar (Fixture    *fixture,
              const char *name)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/organizations/%" G_GINT64_FORMAT
                                           "/holiday-calendar",
                                           fixture->booking.district_org_id);
  g_autofree char *body = g_strdup_printf ("{\"holiday_calendar\": \"%s\"}", name);
  g_auto (HzTestResponse) response = call (fixture, "PUT", path,
                                           fixture->booking.coordinator_key, body);

  hz_test_assert_status (&response, 200, NULL);
}

static void
set_hours (Fixture    *fixture,
           const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/experts/%" G_GINT64_FORMAT "/working-hours",
                                           fixture->booking.expert_id);
  g_auto (HzTestResponse) response = call (fixture, "PUT", path,
                                           fixture->booking.coordinator_key, body);

  hz_test_assert_status (&response, 200, NULL);
}

static void
set_rules (Fixture *fixture,
           int      notice_minutes,
           int      buffer_minutes)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/experts/%" G_GINT64_FORMAT "/booking-rules",
                                           fixture->booking.expert_id);
  g_autofree char *body = g_strdup_printf ("{\"min_notice_minutes\": %d, \"buffer_minutes\": %d}",
                                           notice_minutes, buffer_minutes);
  g_auto (HzTestResponse) response = call (fixture, "PUT", path,
                                           fixture->booking.expert_key, body);

  hz_test_assert_status (&response, 200, NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;

  fixture->calendar = user_data;
  fixture->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);
  hz_test_book_consultation (fixture->daemons, BOOKING_START_OFFSET, BOOKING_DURATION,
                             &fixture->booking, &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_SECONDS, NULL);

  set_calendar (fixture, "test");
  set_hours (fixture, HOURS_BODY);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  hz_test_booking_clear (&fixture->booking);
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
}

static gint64
create_consultation (Fixture *fixture)
{
  g_auto (HzTestResponse) response = call (
    fixture, "POST", "/api/v1/consultations", fixture->booking.doctor_key,
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"S-1\", \"age\": 52,"
    " \"sex\": \"male\", \"summary\": \"心悸\"}, \"question\": \"请会诊\"}");

  hz_test_assert_status (&response, 201, NULL);
  return json_object_get_int_member (hz_test_response_object (&response), "id");
}

/* Books a new consultation with the fixture's expert on DATE from START to
 * END ("HH:MM" in Asia/Shanghai). */
static HzTestResponse
book (Fixture    *fixture,
      const char *date,
      const char *start,
      const char *end)
{
  gint64 id = create_consultation (fixture);
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                                           id);
  g_autofree char *start_text = hz_test_shanghai_time (date, start);
  g_autofree char *end_text = hz_test_shanghai_time (date, end);
  g_autofree char *body = g_strdup_printf (
    "{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\", \"end\": \"%s\"}",
    fixture->booking.expert_id, start_text, end_text);

  return call (fixture, "POST", path, fixture->booking.coordinator_key, body);
}

/* Searches the fixture's expert's 30-minute slots in [FROM, TO), both
 * RFC 3339, every 15 minutes, and returns their start times. */
static GPtrArray *
search (Fixture    *fixture,
        const char *from,
        const char *to)
{
  g_autofree char *path = g_strdup_printf (
    "/api/v1/slots?expert_id=%" G_GINT64_FORMAT "&from=%s&to=%s&duration=30&step=15",
    fixture->booking.expert_id, from, to);
  g_auto (HzTestResponse) response = call (fixture, "GET", path,
                                           fixture->booking.coordinator_key, NULL);
  GPtrArray *starts = g_ptr_array_new_with_free_func (g_free);
  JsonArray *slots;

  hz_test_assert_status (&response, 200, NULL);
  slots = json_object_get_array_member (hz_test_response_object (&response), "slots");
  g_assert_false (json_object_get_boolean_member (hz_test_response_object (&response),
                                                  "truncated"));

  for (guint i = 0; i < json_array_get_length (slots); i++)
    {
      JsonObject *slot = json_array_get_object_element (slots, i);
      gint64 start, end;

      g_assert_cmpint (json_object_get_int_member (slot, "expert_id"), ==,
                       fixture->booking.expert_id);
      g_assert_true (hz_time_parse_rfc3339 (json_object_get_string_member (slot, "start"),
                                            &start));
      g_assert_true (hz_time_parse_rfc3339 (json_object_get_string_member (slot, "end"),
                                            &end));
      g_assert_cmpint (end - start, ==, 30 * 60);
      g_ptr_array_add (starts, g_strdup (json_object_get_string_member (slot, "start")));
    }

  return starts;
}

/* Searches the whole local day DATE. */
static GPtrArray *
search_day (Fixture    *fixture,
            const char *date)
{
  g_autofree char *from = hz_test_shanghai_time (date, "00:00");
  g_autoptr (GDateTime) start = g_date_time_new_from_iso8601 (from, NULL);
  g_autoptr (GDateTime) next = g_date_time_add_days (start, 1);
  g_autofree char *to = g_date_time_format (next, "%Y-%m-%dT%H:%M:%S%:z");

  return search (fixture, from, to);
}

static gboolean
has_start (GPtrArray  *starts,
           const char *date,
           const char *clock)
{
  g_autofree char *expected = hz_test_shanghai_time (date, clock);

  return g_ptr_array_find_with_equal_func (starts, expected, g_str_equal, NULL);
}

static void
test_office_hours (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_autoptr (GPtrArray) starts = search_day (fixture, day);

  g_assert_cmpuint (starts->len, ==, SLOTS_PER_DAY);
  g_assert_true (has_start (starts, day, "09:00"));
  g_assert_true (has_start (starts, day, "11:30"));
  g_assert_false (has_start (starts, day, "11:45"));
  g_assert_false (has_start (starts, day, "12:00"));
  g_assert_true (has_start (starts, day, "14:00"));
  g_assert_true (has_start (starts, day, "16:30"));
  g_assert_false (has_start (starts, day, "08:45"));
}

/* Without a step, slots follow each other: 09:00, 09:30, ... 11:30 and
 * 14:00 ... 16:30. */
static void
test_default_step (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_autofree char *from = hz_test_shanghai_time (day, "00:00");
  g_autofree char *to = hz_test_shanghai_time (day, "23:59");
  g_autofree char *path = g_strdup_printf ("/api/v1/slots?expert_id=%" G_GINT64_FORMAT
                                           "&from=%s&to=%s", fixture->booking.expert_id,
                                           from, to);
  g_auto (HzTestResponse) response = call (fixture, "GET", path,
                                           fixture->booking.coordinator_key, NULL);
  JsonArray *slots;
  JsonObject *second;

  hz_test_assert_status (&response, 200, NULL);
  slots = json_object_get_array_member (hz_test_response_object (&response), "slots");
  g_assert_cmpuint (json_array_get_length (slots), ==, 12);
  second = json_array_get_object_element (slots, 1);
  g_assert_cmpstr (json_object_get_string_member (second, "start"), ==,
                   json_object_get_string_member (json_array_get_object_element (slots, 0),
                                                  "end"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (second, "start"),
                                   "T09:30:00+08:00"));
}

static void
test_specialty_search (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_autofree char *from = hz_test_shanghai_time (day, "00:00");
  g_autofree char *to = hz_test_shanghai_time (day, "23:59");
  g_autofree char *specialty = g_uri_escape_string ("心血管内科", NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/api/v1/slots?specialty=%s&from=%s&to=%s&step=15",
                                           specialty, from, to);
  g_autofree char *other_path = g_strdup_printf ("/api/v1/slots?specialty=%s&from=%s&to=%s",
                                                 "%E7%9C%BC%E7%A7%91", from, to);
  g_auto (HzTestResponse) response = call (fixture, "GET", path,
                                           fixture->booking.doctor_key, NULL);
  g_auto (HzTestResponse) other = call (fixture, "GET", other_path,
                                        fixture->booking.doctor_key, NULL);

  hz_test_assert_status (&response, 200, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      hz_test_response_object (&response), "slots")), ==, SLOTS_PER_DAY);
  hz_test_assert_status (&other, 200, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      hz_test_response_object (&other), "slots")), ==, 0);
}

static void
test_back_to_back (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_auto (HzTestResponse) first = book (fixture, day, "09:00", "09:30");
  g_auto (HzTestResponse) second = book (fixture, day, "09:30", "10:00");
  g_auto (HzTestResponse) straddling = book (fixture, day, "09:15", "09:45");

  hz_test_assert_status (&first, 201, NULL);
  hz_test_assert_status (&second, 201, NULL);
  hz_test_assert_status (&straddling, 409, "slot_taken");
}

static void
test_cancel_frees_slot (Fixture       *fixture,
                        gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_auto (HzTestResponse) booked = book (fixture, day, "09:15", "09:45");
  g_autoptr (GPtrArray) busy = search_day (fixture, day);
  g_autoptr (GPtrArray) free = NULL;
  g_autofree char *cancel_path = NULL;
  g_auto (HzTestResponse) cancelled = { 0 };

  hz_test_assert_status (&booked, 201, NULL);
  g_assert_false (has_start (busy, day, "09:00"));
  g_assert_false (has_start (busy, day, "09:15"));
  g_assert_false (has_start (busy, day, "09:30"));
  g_assert_true (has_start (busy, day, "09:45"));

  cancel_path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/cancel",
                                 json_object_get_int_member (hz_test_response_object (&booked),
                                                             "id"));
  cancelled = call (fixture, "POST", cancel_path, fixture->booking.coordinator_key,
                    "{\"reason\": \"专家临时出诊\"}");
  hz_test_assert_status (&cancelled, 200, NULL);

  free = search_day (fixture, day);
  g_assert_cmpuint (free->len, ==, SLOTS_PER_DAY);
  g_assert_true (has_start (free, day, "09:15"));
}

static void
test_buffer (Fixture       *fixture,
             gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_auto (HzTestResponse) first = { 0 };
  g_auto (HzTestResponse) adjacent = { 0 };
  g_auto (HzTestResponse) after_buffer = { 0 };
  g_autoptr (GPtrArray) starts = NULL;

  set_rules (fixture, 0, 15);
  first = book (fixture, day, "10:00", "10:30");
  hz_test_assert_status (&first, 201, NULL);

  starts = search_day (fixture, day);
  g_assert_true (has_start (starts, day, "09:15"));
  g_assert_false (has_start (starts, day, "09:30"));
  g_assert_false (has_start (starts, day, "10:30"));
  g_assert_true (has_start (starts, day, "10:45"));

  adjacent = book (fixture, day, "10:30", "11:00");
  hz_test_assert_status (&adjacent, 409, "slot_taken");
  after_buffer = book (fixture, day, "10:45", "11:15");
  hz_test_assert_status (&after_buffer, 201, NULL);
}

static void
test_minimum_notice (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_autoptr (GPtrArray) starts = NULL;
  g_auto (HzTestResponse) response = { 0 };

  set_rules (fixture, 30 * 24 * 60, 0);
  starts = search_day (fixture, day);
  g_assert_cmpuint (starts->len, ==, 0);

  response = book (fixture, day, "09:00", "09:30");
  hz_test_assert_status (&response, 422, "too_short_notice");
}

static void
test_outside_hours (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_auto (HzTestResponse) early = book (fixture, day, "08:30", "09:00");
  g_auto (HzTestResponse) lunch = book (fixture, day, "11:45", "12:15");
  g_auto (HzTestResponse) weekend = book (fixture, fixture->calendar->saturday, "09:00", "09:30");

  hz_test_assert_status (&early, 422, "outside_working_hours");
  hz_test_assert_status (&lunch, 422, "outside_working_hours");
  hz_test_assert_status (&weekend, 422, "outside_working_hours");
}

static void
test_leave_removes_slots (Fixture       *fixture,
                          gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_autofree char *leave_path = g_strdup_printf ("/api/v1/experts/%" G_GINT64_FORMAT "/leave",
                                                 fixture->booking.expert_id);
  g_autofree char *start = hz_test_shanghai_time (day, "10:00");
  g_autofree char *end = hz_test_shanghai_time (day, "11:00");
  g_autofree char *body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\","
                                           " \"reason\": \"学术会议\"}", start, end);
  g_auto (HzTestResponse) leave = call (fixture, "POST", leave_path,
                                        fixture->booking.expert_key, body);
  g_autoptr (GPtrArray) starts = search_day (fixture, day);
  g_auto (HzTestResponse) rejected = book (fixture, day, "10:15", "10:45");
  g_autofree char *delete_path = NULL;
  g_auto (HzTestResponse) deleted = { 0 };
  g_autoptr (GPtrArray) restored = NULL;

  hz_test_assert_status (&leave, 201, NULL);
  g_assert_cmpstr (json_object_get_string_member (hz_test_response_object (&leave), "kind"),
                   ==, "leave");
  g_assert_true (has_start (starts, day, "09:30"));
  g_assert_false (has_start (starts, day, "09:45"));
  g_assert_false (has_start (starts, day, "10:30"));
  g_assert_true (has_start (starts, day, "11:00"));
  g_assert_cmpuint (starts->len, ==, SLOTS_PER_DAY - 5);
  hz_test_assert_status (&rejected, 409, "expert_on_leave");

  delete_path = g_strdup_printf ("/api/v1/availability-exceptions/%" G_GINT64_FORMAT,
                                 json_object_get_int_member (hz_test_response_object (&leave),
                                                             "id"));
  deleted = call (fixture, "DELETE", delete_path, fixture->booking.expert_key, NULL);
  hz_test_assert_status (&deleted, 204, NULL);
  restored = search_day (fixture, day);
  g_assert_cmpuint (restored->len, ==, SLOTS_PER_DAY);
}

static void
test_holiday_removes_slots (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const char *day = fixture->calendar->holiday;
  g_autoptr (GPtrArray) starts = search_day (fixture, day);
  g_auto (HzTestResponse) rejected = book (fixture, day, "09:00", "09:30");
  g_autofree char *extra_path = g_strdup_printf ("/api/v1/experts/%" G_GINT64_FORMAT
                                                 "/extra-hours", fixture->booking.expert_id);
  g_autofree char *start = hz_test_shanghai_time (day, "10:00");
  g_autofree char *end = hz_test_shanghai_time (day, "11:00");
  g_autofree char *body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\"}", start, end);
  g_auto (HzTestResponse) extra = { 0 };
  g_autoptr (GPtrArray) duty = NULL;
  g_auto (HzTestResponse) accepted = { 0 };

  g_assert_cmpuint (starts->len, ==, 0);
  hz_test_assert_status (&rejected, 422, "public_holiday");

  /* Extra hours open a holiday for booking. */
  extra = call (fixture, "POST", extra_path, fixture->booking.coordinator_key, body);
  hz_test_assert_status (&extra, 201, NULL);
  duty = search_day (fixture, day);
  g_assert_cmpuint (duty->len, ==, 3);
  g_assert_true (has_start (duty, day, "10:00"));
  g_assert_true (has_start (duty, day, "10:30"));
  accepted = book (fixture, day, "10:00", "10:30");
  hz_test_assert_status (&accepted, 201, NULL);
}

/* The make-up working Sunday has working hours (Monday's), the Saturday
 * before it has none. */
static void
test_make_up_sunday (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const TestCalendar *calendar = fixture->calendar;
  g_autofree char *from = hz_test_shanghai_time (calendar->saturday, "00:00");
  g_autofree char *to = hz_test_shanghai_time (calendar->monday, "00:00");
  g_autoptr (GPtrArray) starts = search (fixture, from, to);
  g_auto (HzTestResponse) booked = book (fixture, calendar->workday, "09:00", "09:30");

  g_assert_cmpuint (starts->len, ==, SLOTS_PER_DAY);
  g_assert_true (has_start (starts, calendar->workday, "09:00"));
  g_assert_true (has_start (starts, calendar->workday, "16:30"));
  for (guint i = 0; i < starts->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (starts, i), calendar->workday));
  hz_test_assert_status (&booked, 201, NULL);
}

/* Returns the first make-up working Sunday of the shipped calendar that is
 * at least two days ahead, as YYYY-MM-DD. */
static char *
next_shipped_make_up_sunday (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("HUIZHEN_SOURCE_ROOT"),
                                            "config", "holidays", "cn.conf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (HzHolidayCalendar) calendar = hz_holiday_calendar_load (path, &error);
  g_autofree char *earliest = hz_test_shanghai_date (2);
  GDate limit;

  g_assert_no_error (error);
  g_assert_true (hz_holiday_parse_date (earliest, &limit));

  for (guint i = 0; i < calendar->days->len; i++)
    {
      const HzHolidayDay *day = &g_array_index (calendar->days, HzHolidayDay, i);
      char text[16];

      if (day->kind != HZ_HOLIDAY_DAY_WORKDAY || g_date_get_weekday (&day->date) != G_DATE_SUNDAY ||
          g_date_compare (&day->date, &limit) < 0)
        continue;
      g_date_strftime (text, sizeof text, "%Y-%m-%d", &day->date);
      return g_strdup (text);
    }

  return NULL;
}

/* The same with the shipped calendar: the day before its next make-up
 * working Sunday, slot search offers that Sunday's hours. */
static void
test_shipped_make_up_sunday (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *sunday = next_shipped_make_up_sunday ();
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autoptr (GPtrArray) starts = NULL;
  g_autoptr (GDateTime) start = NULL;
  g_autoptr (GDateTime) saturday = NULL;
  g_autoptr (GDateTime) monday = NULL;

  /* A calendar without a future make-up Sunday is out of date. */
  g_assert_nonnull (sunday);
  set_calendar (fixture, "cn");

  from = hz_test_shanghai_time (sunday, "00:00");
  start = g_date_time_new_from_iso8601 (from, NULL);
  saturday = g_date_time_add_days (start, -1);
  monday = g_date_time_add_days (start, 1);
  g_clear_pointer (&from, g_free);
  from = g_date_time_format (saturday, "%Y-%m-%dT%H:%M:%S%:z");
  to = g_date_time_format (monday, "%Y-%m-%dT%H:%M:%S%:z");

  starts = search (fixture, from, to);
  g_test_message ("make-up Sunday %s", sunday);
  g_assert_cmpuint (starts->len, ==, SLOTS_PER_DAY);
  g_assert_true (has_start (starts, sunday, "09:00"));
  for (guint i = 0; i < starts->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (starts, i), sunday));
}

/* 00:00 to 08:00 in Shanghai is 16:00 to 24:00 UTC of the day before, on a
 * server that runs in UTC. Working hours from 07:00 every day must give
 * 07:00, 07:15 and 07:30 Shanghai time of the requested day. */
static void
test_shanghai_morning (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char *day = fixture->calendar->wednesday;
  g_autofree char *from = hz_test_shanghai_time (day, "00:00");
  g_autofree char *to = hz_test_shanghai_time (day, "08:00");
  g_autoptr (GPtrArray) starts = NULL;
  g_autoptr (GPtrArray) utc_starts = NULL;
  g_autoptr (GDateTime) local_from = g_date_time_new_from_iso8601 (from, NULL);
  g_autoptr (GDateTime) utc_from = g_date_time_to_utc (local_from);
  g_autoptr (GDateTime) local_to = g_date_time_new_from_iso8601 (to, NULL);
  g_autoptr (GDateTime) utc_to = g_date_time_to_utc (local_to);
  g_autofree char *utc_from_text = g_date_time_format (utc_from, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *utc_to_text = g_date_time_format (utc_to, "%Y-%m-%dT%H:%M:%SZ");

  g_assert_cmpstr (g_getenv ("TZ"), ==, "UTC");
  set_hours (fixture, "{\"hours\": ["
                      "{\"weekday\": 1, \"start\": \"07:00\", \"end\": \"12:00\"},"
                      "{\"weekday\": 2, \"start\": \"07:00\", \"end\": \"12:00\"},"
                      "{\"weekday\": 3, \"start\": \"07:00\", \"end\": \"12:00\"},"
                      "{\"weekday\": 4, \"start\": \"07:00\", \"end\": \"12:00\"},"
                      "{\"weekday\": 5, \"start\": \"07:00\", \"end\": \"12:00\"},"
                      "{\"weekday\": 6, \"start\": \"07:00\", \"end\": \"12:00\"},"
                      "{\"weekday\": 7, \"start\": \"07:00\", \"end\": \"12:00\"}]}");

  starts = search (fixture, from, to);
  g_assert_cmpuint (starts->len, ==, 3);
  g_assert_true (has_start (starts, day, "07:00"));
  g_assert_true (has_start (starts, day, "07:15"));
  g_assert_true (has_start (starts, day, "07:30"));

  /* The same instants written in UTC give the same slots, still shown
   * with the organization's offset. */
  utc_starts = search (fixture, utc_from_text, utc_to_text);
  g_assert_cmpuint (utc_starts->len, ==, 3);
  g_assert_true (has_start (utc_starts, day, "07:00"));
}

static void
test_invalid_queries (Fixture       *fixture,
                      gconstpointer  user_data)
{
  const char *key = fixture->booking.coordinator_key;
  g_autofree char *no_offset = g_strdup_printf (
    "/api/v1/slots?expert_id=%" G_GINT64_FORMAT "&from=%sT00:00:00&to=%sT23:00:00+08:00",
    fixture->booking.expert_id, fixture->calendar->wednesday, fixture->calendar->wednesday);
  g_autofree char *no_expert = g_strdup_printf (
    "/api/v1/slots?from=%sT00:00:00Z&to=%sT23:00:00Z",
    fixture->calendar->wednesday, fixture->calendar->wednesday);
  g_autofree char *reversed = g_strdup_printf (
    "/api/v1/slots?expert_id=%" G_GINT64_FORMAT "&from=%sT12:00:00Z&to=%sT08:00:00Z",
    fixture->booking.expert_id, fixture->calendar->wednesday, fixture->calendar->wednesday);
  g_auto (HzTestResponse) offsetless = call (fixture, "GET", no_offset, key, NULL);
  g_auto (HzTestResponse) missing = call (fixture, "GET", no_expert, key, NULL);
  g_auto (HzTestResponse) backwards = call (fixture, "GET", reversed, key, NULL);
  g_autofree char *calendar_path = g_strdup_printf (
    "/api/v1/organizations/%" G_GINT64_FORMAT "/holiday-calendar",
    fixture->booking.district_org_id);
  g_auto (HzTestResponse) unknown_calendar = call (fixture, "PUT", calendar_path, key,
                                                   "{\"holiday_calendar\": \"mars\"}");
  g_auto (HzTestResponse) bad_hours = { 0 };
  g_autofree char *hours_path = g_strdup_printf ("/api/v1/experts/%" G_GINT64_FORMAT
                                                 "/working-hours", fixture->booking.expert_id);

  hz_test_assert_status (&offsetless, 400, "invalid_time");
  hz_test_assert_status (&missing, 400, "invalid_field");
  hz_test_assert_status (&backwards, 400, "invalid_time");
  hz_test_assert_status (&unknown_calendar, 400, "invalid_field");

  bad_hours = call (fixture, "PUT", hours_path, key,
                    "{\"hours\": [{\"weekday\": 1, \"start\": \"09:00\", \"end\": \"12:00\"},"
                    " {\"weekday\": 1, \"start\": \"11:00\", \"end\": \"13:00\"}]}");
  hz_test_assert_status (&bad_hours, 400, "invalid_field");
  g_assert_nonnull (strstr (json_object_get_string_member (hz_test_response_object (&bad_hours),
                                                           "message"), "hours[1]"));
}

/* Working hours are managed by the expert, coordinators of the expert's
 * organization and admins; a doctor of another hospital cannot. */
static void
test_hours_permissions (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/experts/%" G_GINT64_FORMAT "/working-hours",
                                           fixture->booking.expert_id);
  g_auto (HzTestResponse) doctor_write = call (fixture, "PUT", path, fixture->booking.doctor_key,
                                               "{\"hours\": []}");
  g_auto (HzTestResponse) doctor_read = call (fixture, "GET", path, fixture->booking.doctor_key,
                                              NULL);
  g_auto (HzTestResponse) expert_write = call (fixture, "PUT", path,
                                               fixture->booking.expert_key, HOURS_BODY);

  hz_test_assert_status (&doctor_write, 403, "forbidden");
  hz_test_assert_status (&doctor_read, 200, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      hz_test_response_object (&doctor_read), "hours")), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (hz_test_response_object (&doctor_read),
                                                  "timezone"), ==, "Asia/Shanghai");
  hz_test_assert_status (&expert_write, 200, NULL);
}

/* Writes config/holidays in a new temporary directory: the shipped
 * cn.conf and a "test" calendar around the coming Wednesday. */
static void
write_test_calendar (TestCalendar *calendar)
{
  g_autoptr (GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr (GDateTime) now = g_date_time_new_now (zone);
  g_autoptr (GDateTime) day = g_date_time_add_days (now, 3);
  g_autoptr (GError) error = NULL;
  g_autofree char *holidays_dir = NULL;
  g_autofree char *shipped = NULL;
  g_autofree char *shipped_text = NULL;
  g_autofree char *target = NULL;
  g_autofree char *test_text = NULL;
  g_autofree char *test_path = NULL;

  while (g_date_time_get_day_of_week (day) != 3)
    {
      GDateTime *next = g_date_time_add_days (day, 1);

      g_date_time_unref (day);
      day = next;
    }

  calendar->wednesday = g_date_time_format (day, "%Y-%m-%d");
  {
    g_autoptr (GDateTime) thursday = g_date_time_add_days (day, 1);
    g_autoptr (GDateTime) saturday = g_date_time_add_days (day, 3);
    g_autoptr (GDateTime) sunday = g_date_time_add_days (day, 4);
    g_autoptr (GDateTime) monday = g_date_time_add_days (day, 5);

    calendar->holiday = g_date_time_format (thursday, "%Y-%m-%d");
    calendar->saturday = g_date_time_format (saturday, "%Y-%m-%d");
    calendar->workday = g_date_time_format (sunday, "%Y-%m-%d");
    calendar->monday = g_date_time_format (monday, "%Y-%m-%d");
  }

  calendar->directory = g_dir_make_tmp ("huizhen-holidays-XXXXXX", &error);
  g_assert_no_error (error);
  holidays_dir = g_build_filename (calendar->directory, "config", "holidays", NULL);
  g_assert_cmpint (g_mkdir_with_parents (holidays_dir, 0700), ==, 0);

  shipped = g_build_filename (g_getenv ("HUIZHEN_SOURCE_ROOT"), "config", "holidays",
                              "cn.conf", NULL);
  g_file_get_contents (shipped, &shipped_text, NULL, &error);
  g_assert_no_error (error);
  target = g_build_filename (holidays_dir, "cn.conf", NULL);
  g_file_set_contents (target, shipped_text, -1, &error);
  g_assert_no_error (error);

  test_text = g_strdup_printf ("[calendar]\ntitle = 测试日历\ntitle-en = Test calendar\n"
                               "[test-holiday]\nname = 测试节\nname-en = Test Day\n"
                               "holidays = %s\nworkdays = %s\n",
                               calendar->holiday, calendar->workday);
  test_path = g_build_filename (holidays_dir, "test.conf", NULL);
  g_file_set_contents (test_path, test_text, -1, &error);
  g_assert_no_error (error);
}

static void
remove_test_calendar (TestCalendar *calendar)
{
  const char *const names[] = { "cn.conf", "test.conf" };
  g_autofree char *holidays_dir = g_build_filename (calendar->directory, "config", "holidays",
                                                    NULL);
  g_autofree char *config_dir = g_build_filename (calendar->directory, "config", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (holidays_dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (holidays_dir);
  g_rmdir (config_dir);
  g_rmdir (calendar->directory);
}

#define ADD_TEST(path, function) \
  g_test_add (path, Fixture, &calendar, fixture_set_up, function, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  TestCalendar calendar = { 0 };
  int status;

  /* Inherited by the daemons: they run in UTC, in a directory with the
   * test calendars. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  write_test_calendar (&calendar);
  g_assert_cmpint (g_chdir (calendar.directory), ==, 0);

  ADD_TEST ("/availability/office-hours", test_office_hours);
  ADD_TEST ("/availability/default-step", test_default_step);
  ADD_TEST ("/availability/specialty-search", test_specialty_search);
  ADD_TEST ("/availability/back-to-back", test_back_to_back);
  ADD_TEST ("/availability/cancel-frees-slot", test_cancel_frees_slot);
  ADD_TEST ("/availability/buffer", test_buffer);
  ADD_TEST ("/availability/minimum-notice", test_minimum_notice);
  ADD_TEST ("/availability/outside-hours", test_outside_hours);
  ADD_TEST ("/availability/leave-removes-slots", test_leave_removes_slots);
  ADD_TEST ("/availability/holiday-removes-slots", test_holiday_removes_slots);
  ADD_TEST ("/availability/make-up-sunday", test_make_up_sunday);
  ADD_TEST ("/availability/shipped-make-up-sunday", test_shipped_make_up_sunday);
  ADD_TEST ("/availability/shanghai-morning-utc-server", test_shanghai_morning);
  ADD_TEST ("/availability/invalid-queries", test_invalid_queries);
  ADD_TEST ("/availability/hours-permissions", test_hours_permissions);

  status = g_test_run ();
  remove_test_calendar (&calendar);
  g_free (calendar.wednesday);
  g_free (calendar.holiday);
  g_free (calendar.saturday);
  g_free (calendar.workday);
  g_free (calendar.monday);
  g_free (calendar.directory);
  return status;
}
