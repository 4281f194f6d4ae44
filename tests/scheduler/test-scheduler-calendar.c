/* Integration tests of the iCalendar feed: the real scheduler on loopback
 * with a temporary database, the feed fetched over HTTP and parsed by two
 * independent parsers, libical and Python's icalendar package. */
#include <libical/ical.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "views-http.h"

#define BOOKING_START_OFFSET (2 * 24 * 3600)
#define BOOKING_DURATION (30 * 60)

/* Prints the calendar on stdin as JSON, so that the test compares what
 * Python's icalendar package read with what libical read. */
static const char python_parser[] =
  "import json, sys, icalendar\n"
  "calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())\n"
  "events = []\n"
  "for event in calendar.walk('VEVENT'):\n"
  "    events.append({'uid': str(event['UID']), 'summary': str(event['SUMMARY']),\n"
  "                   'status': str(event['STATUS']), 'sequence': int(event['SEQUENCE']),\n"
  "                   'organizer': str(event['ORGANIZER']),\n"
  "                   'organizer_cn': str(event['ORGANIZER'].params.get('CN', '')),\n"
  "                   'start': int(event.decoded('DTSTART').timestamp()),\n"
  "                   'start_utc': event.decoded('DTSTART').utcoffset().total_seconds() == 0})\n"
  "print(json.dumps({'version': str(calendar['VERSION']), 'events': events},\n"
  "                 ensure_ascii=False))\n";

typedef struct {
  HzTestDaemons *daemons;
  HzTestBooking booking;
  SoupSession *session;
} Fixture;

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
  fixture->session = soup_session_new_with_options ("timeout", VIEWS_HTTP_TIMEOUT_SECONDS, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  hz_test_booking_clear (&fixture->booking);
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
}

/* Issues a feed token with KEY (for USER_ID, or for the caller when 0)
 * and returns the feed URL. */
static char *
issue_feed (Fixture    *fixture,
            const char *key,
            gint64      user_id)
{
  g_autofree char *path = user_id > 0
    ? g_strdup_printf ("/api/v1/users/%" G_GINT64_FORMAT "/ical-token", user_id)
    : g_strdup ("/api/v1/me/ical-token");
  g_auto (ViewsResponse) response = views_http (fixture->daemons, fixture->session, "POST",
                                                path, key, NULL);
  JsonObject *object;
  const char *url;

  g_assert_cmpuint (response.status, ==, 201);
  object = views_response_object (&response);
  url = json_object_get_string_member (object, "url");
  g_assert_true (g_str_has_prefix (url, fixture->daemons->scheduler_url));
  g_assert_true (g_str_has_suffix (url, ".ics"));
  g_assert_nonnull (strstr (url, json_object_get_string_member (object, "token")));
  return g_strdup (url);
}

/* Fetches URL, checks the response headers and returns the calendar text. */
static char *
fetch_feed (Fixture    *fixture,
            const char *url)
{
  g_auto (ViewsResponse) response = views_http (fixture->daemons, fixture->session, "GET", url,
                                                NULL, NULL);

  g_assert_cmpuint (response.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (response.headers, "Content-Type"), ==,
                   "text/calendar; charset=utf-8");
  g_assert_cmpstr (soup_message_headers_get_one (response.headers, "Cache-Control"), ==,
                   "no-store");
  return views_response_text (&response);
}

/* RFC 5545 section 3.1: CRLF line ends, at most 75 octets a line, and no
 * fold inside a UTF-8 sequence, so every physical line is valid UTF-8 and
 * none starts with a continuation octet. */
static void
assert_folded_by_octets (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);

  g_assert_true (g_str_has_suffix (text, "\r\n"));
  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    g_assert_cmpint (p[-1], ==, '\r');

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *content = lines[i][0] == ' ' ? lines[i] + 1 : lines[i];

      g_assert_cmpuint (strlen (lines[i]), <=, 75);
      g_assert_true (g_utf8_validate (content, -1, NULL));
      g_assert_false (((guchar) content[0] & 0xc0) == 0x80);
    }
}

/* Returns the VEVENT of SESSION_ID in CALENDAR, or NULL. */
static icalcomponent *
find_event (icalcomponent *calendar,
            gint64         session_id)
{
  g_autofree char *uid = g_strdup_printf ("session-%" G_GINT64_FORMAT "@huizhen", session_id);

  for (icalcomponent *event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
       event != NULL;
       event = icalcomponent_get_next_component (calendar, ICAL_VEVENT_COMPONENT))
    {
      if (g_strcmp0 (icalcomponent_get_uid (event), uid) == 0)
        return event;
    }
  return NULL;
}

static icalcomponent *
parse_with_libical (const char *text)
{
  icalcomponent *calendar = icalparser_parse_string (text);

  g_assert_nonnull (calendar);
  g_assert_cmpint (icalcomponent_isa (calendar), ==, ICAL_VCALENDAR_COMPONENT);
  g_assert_cmpint (icalcomponent_count_errors (calendar), ==, 0);

  /* libical checks each VEVENT against RFC 5546's table for the
   * calendar's METHOD (PUBLISH requires ORGANIZER) and adds an
   * X-LIC-ERROR property for each property that breaks it. */
  g_assert_cmpint (icalcomponent_check_restrictions (calendar), ==, 1);
  g_assert_cmpint (icalcomponent_count_errors (calendar), ==, 0);
  return calendar;
}

static void
kill_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Runs python_parser on TEXT with the interpreter that has the icalendar
 * package (HZ_TEST_PYTHON3, set by meson) and returns its JSON. */
static JsonObject *
parse_with_python (const char *text)
{
  const char *python = g_getenv ("HZ_TEST_PYTHON3");
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *output = NULL;

  g_subprocess_launcher_set_child_setup (launcher, kill_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, python ? python : "python3", "-c",
                                         python_parser, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, text, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  json_parser_load_from_data (parser, output, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Returns the event with UID from python_parser's output, or NULL. */
static JsonObject *
find_python_event (JsonObject *calendar,
                   gint64      session_id)
{
  JsonArray *events = json_object_get_array_member (calendar, "events");
  g_autofree char *uid = g_strdup_printf ("session-%" G_GINT64_FORMAT "@huizhen", session_id);

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_str_equal (json_object_get_string_member (event, "uid"), uid))
        return event;
    }
  return NULL;
}

/* The ORGANIZER of USER_ID's events: the URL of their FHIR Practitioner
 * view. */
static char *
organizer_uri (Fixture *fixture,
               gint64   user_id)
{
  return g_strdup_printf ("%s/fhir/Practitioner/%" G_GINT64_FORMAT,
                          fixture->daemons->scheduler_url, user_id);
}

static void
assert_organizer (Fixture       *fixture,
                  icalcomponent *event,
                  gint64         user_id,
                  const char    *name)
{
  icalproperty *organizer = icalcomponent_get_first_property (event, ICAL_ORGANIZER_PROPERTY);
  g_autofree char *uri = organizer_uri (fixture, user_id);
  icalparameter *cn;

  g_assert_nonnull (organizer);
  g_assert_cmpstr (icalproperty_get_organizer (organizer), ==, uri);
  cn = icalproperty_get_first_parameter (organizer, ICAL_CN_PARAMETER);
  g_assert_nonnull (cn);
  g_assert_cmpstr (icalparameter_get_cn (cn), ==, name);
}

/* A consultation whose summary has 40 Han characters ("远程会诊：" and a
 * specialty of 36) reaches both parsers intact, folded by octets. */
static void
test_feed_forty_han_summary (Fixture       *fixture,
                             gconstpointer  user_data)
{
  const char *han = "心血管内科神经外科消化内科呼吸内科肾脏内科内分泌科血液科风湿免疫科感染科";
  g_autofree char *specialty = g_utf8_substring (han, 0, 36);
  g_autofree char *summary = g_strconcat ("远程会诊：", specialty, NULL);
  g_autofree char *expert_uri = NULL;
  gint64 consultation_id = views_request_consultation (fixture->daemons, fixture->session,
                                                       fixture->booking.doctor_key, specialty);
  gint64 start = 0;
  gint64 session_id = views_schedule (fixture->daemons, fixture->session,
                                      fixture->booking.coordinator_key, consultation_id,
                                      fixture->booking.expert_id, 3 * 24 * 3600, 3600, &start);
  g_autofree char *url = issue_feed (fixture, fixture->booking.doctor_key, 0);
  g_autofree char *text = fetch_feed (fixture, url);
  g_autoptr (JsonObject) python = NULL;
  icalcomponent *calendar;
  icalcomponent *event;
  JsonObject *python_event;
  struct icaltimetype event_start;

  g_assert_cmpuint (strlen ("SUMMARY:") + strlen (summary), >, 75);
  assert_folded_by_octets (text);
  g_assert_nonnull (strstr (text, "\r\nVERSION:2.0\r\n"));
  g_assert_nonnull (strstr (text, "\r\nPRODID:"));

  calendar = parse_with_libical (text);
  event = find_event (calendar, session_id);
  g_assert_nonnull (event);
  g_assert_cmpstr (icalcomponent_get_summary (event), ==, summary);
  event_start = icalcomponent_get_dtstart (event);
  g_assert_true (icaltime_is_utc (event_start));
  g_assert_cmpint (icaltime_as_timet (event_start), ==, start);
  g_assert_nonnull (icalcomponent_get_first_property (event, ICAL_DTSTAMP_PROPERTY));
  assert_organizer (fixture, event, fixture->booking.expert_id, "王专家");
  icalcomponent_free (calendar);

  python = parse_with_python (text);
  g_assert_cmpstr (json_object_get_string_member (python, "version"), ==, "2.0");
  python_event = find_python_event (python, session_id);
  g_assert_nonnull (python_event);
  g_assert_cmpstr (json_object_get_string_member (python_event, "summary"), ==, summary);
  g_assert_cmpint (json_object_get_int_member (python_event, "start"), ==, start);
  g_assert_true (json_object_get_boolean_member (python_event, "start_utc"));
  expert_uri = organizer_uri (fixture, fixture->booking.expert_id);
  g_assert_cmpstr (json_object_get_string_member (python_event, "organizer"), ==, expert_uri);
  g_assert_cmpstr (json_object_get_string_member (python_event, "organizer_cn"), ==, "王专家");
}

/* Cancelling keeps the event with the same UID, STATUS:CANCELLED and a
 * higher SEQUENCE, for both parsers. */
static void
test_feed_cancelled_event (Fixture       *fixture,
                           gconstpointer  user_data)
{
  gint64 session_id = fixture->booking.session_id;
  g_autofree char *url = issue_feed (fixture, fixture->booking.expert_key, 0);
  g_autofree char *before = fetch_feed (fixture, url);
  g_autofree char *after = NULL;
  g_autoptr (JsonObject) python = NULL;
  icalcomponent *calendar = parse_with_libical (before);
  icalcomponent *event = find_event (calendar, session_id);
  JsonObject *python_event;
  int sequence_before;

  g_assert_nonnull (event);
  g_assert_cmpint (icalcomponent_get_status (event), ==, ICAL_STATUS_CONFIRMED);
  sequence_before = icalcomponent_get_sequence (event);
  icalcomponent_free (calendar);

  views_cancel (fixture->daemons, fixture->session, fixture->booking.doctor_key,
                fixture->booking.consultation_id);
  after = fetch_feed (fixture, url);

  calendar = parse_with_libical (after);
  event = find_event (calendar, session_id);
  g_assert_nonnull (event);
  g_assert_cmpint (icalcomponent_get_status (event), ==, ICAL_STATUS_CANCELLED);
  g_assert_cmpint (icalcomponent_get_sequence (event), >, sequence_before);
  icalcomponent_free (calendar);

  python = parse_with_python (after);
  python_event = find_python_event (python, session_id);
  g_assert_nonnull (python_event);
  g_assert_cmpstr (json_object_get_string_member (python_event, "status"), ==, "CANCELLED");
  g_assert_cmpint (json_object_get_int_member (python_event, "sequence"), >, sequence_before);
}

static char *
format_utc (gint64 unix_seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Rescheduling moves the event: the same UID, the new start and a higher
 * SEQUENCE. */
static void
test_feed_rescheduled_event (Fixture       *fixture,
                             gconstpointer  user_data)
{
  gint64 session_id = fixture->booking.session_id;
  gint64 new_start = (g_get_real_time () / G_USEC_PER_SEC + 6 * 24 * 3600) / 60 * 60;
  g_autofree char *start_text = format_utc (new_start);
  g_autofree char *end_text = format_utc (new_start + 1800);
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT
                                           "/reschedule", fixture->booking.consultation_id);
  g_autofree char *body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\","
                                           " \"reason\": \"专家门诊时间调整\"}",
                                           start_text, end_text);
  g_autofree char *url = issue_feed (fixture, fixture->booking.doctor_key, 0);
  g_autofree char *before = fetch_feed (fixture, url);
  g_autofree char *after = NULL;
  g_auto (ViewsResponse) moved = { 0 };
  icalcomponent *calendar = parse_with_libical (before);
  icalcomponent *event = find_event (calendar, session_id);
  int sequence_before;

  g_assert_nonnull (event);
  sequence_before = icalcomponent_get_sequence (event);
  icalcomponent_free (calendar);

  moved = views_http (fixture->daemons, fixture->session, "POST", path,
                      fixture->booking.coordinator_key, body);
  g_assert_cmpuint (moved.status, ==, 200);

  after = fetch_feed (fixture, url);
  calendar = parse_with_libical (after);
  event = find_event (calendar, session_id);
  g_assert_nonnull (event);
  g_assert_cmpint (icaltime_as_timet (icalcomponent_get_dtstart (event)), ==, new_start);
  g_assert_cmpint (icalcomponent_get_sequence (event), >, sequence_before);
  g_assert_cmpint (icalcomponent_get_status (event), ==, ICAL_STATUS_CONFIRMED);
  icalcomponent_free (calendar);
}

static GPtrArray *
event_uids (const char *text)
{
  icalcomponent *calendar = parse_with_libical (text);
  GPtrArray *uids = g_ptr_array_new_with_free_func (g_free);

  for (icalcomponent *event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
       event != NULL;
       event = icalcomponent_get_next_component (calendar, ICAL_VEVENT_COMPONENT))
    g_ptr_array_add (uids, g_strdup (icalcomponent_get_uid (event)));

  icalcomponent_free (calendar);
  return uids;
}

static void
test_feed_stable_uids (Fixture       *fixture,
                       gconstpointer  user_data)
{
  gint64 second = views_request_consultation (fixture->daemons, fixture->session,
                                              fixture->booking.doctor_key, "神经内科");
  g_autofree char *url = NULL;
  g_autofree char *first_text = NULL;
  g_autofree char *second_text = NULL;
  g_autoptr (GPtrArray) first_uids = NULL;
  g_autoptr (GPtrArray) second_uids = NULL;

  views_schedule (fixture->daemons, fixture->session, fixture->booking.coordinator_key, second,
                  fixture->booking.expert_id, 4 * 24 * 3600, 1800, NULL);
  url = issue_feed (fixture, fixture->booking.doctor_key, 0);
  first_text = fetch_feed (fixture, url);
  second_text = fetch_feed (fixture, url);
  first_uids = event_uids (first_text);
  second_uids = event_uids (second_text);

  g_assert_cmpuint (first_uids->len, ==, 2);
  g_assert_cmpuint (second_uids->len, ==, first_uids->len);
  for (guint i = 0; i < first_uids->len; i++)
    g_assert_cmpstr (first_uids->pdata[i], ==, second_uids->pdata[i]);
  g_assert_cmpstr (first_uids->pdata[0], !=, first_uids->pdata[1]);
}

static void
assert_feed_not_found (Fixture    *fixture,
                       const char *target)
{
  g_auto (ViewsResponse) response = views_http (fixture->daemons, fixture->session, "GET",
                                                target, NULL, NULL);

  g_assert_cmpuint (response.status, ==, 404);
  g_assert_cmpstr (json_object_get_string_member (views_response_object (&response), "code"),
                   ==, "not_found");
}

/* Unknown, malformed, replaced and revoked tokens give 404. */
static void
test_feed_bad_token (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *old_url = issue_feed (fixture, fixture->booking.doctor_key, 0);
  g_autofree char *new_url = issue_feed (fixture, fixture->booking.doctor_key, 0);
  g_autofree char *text = NULL;
  g_auto (ViewsResponse) post = { 0 };
  g_auto (ViewsResponse) revoke = { 0 };
  g_auto (ViewsResponse) revoke_again = { 0 };

  assert_feed_not_found (fixture, "/ical/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics");
  assert_feed_not_found (fixture, "/ical/short.ics");
  assert_feed_not_found (fixture, "/ical/");
  assert_feed_not_found (fixture, old_url);

  text = fetch_feed (fixture, new_url);
  g_assert_nonnull (strstr (text, "BEGIN:VEVENT"));

  post = views_http (fixture->daemons, fixture->session, "POST", new_url, NULL, "{}");
  g_assert_cmpuint (post.status, ==, 405);

  revoke = views_http (fixture->daemons, fixture->session, "DELETE", "/api/v1/me/ical-token",
                       fixture->booking.doctor_key, NULL);
  g_assert_cmpuint (revoke.status, ==, 204);
  assert_feed_not_found (fixture, new_url);
  revoke_again = views_http (fixture->daemons, fixture->session, "DELETE",
                             "/api/v1/me/ical-token", fixture->booking.doctor_key, NULL);
  g_assert_cmpuint (revoke_again.status, ==, 404);
}

static guint
issue_status (Fixture    *fixture,
              const char *key,
              gint64      user_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/users/%" G_GINT64_FORMAT "/ical-token",
                                           user_id);
  g_auto (ViewsResponse) response = views_http (fixture->daemons, fixture->session, "POST",
                                                path, key, NULL);

  return response.status;
}

/* Admins issue feeds for every user and coordinators for their
 * organization's staff. Other users get 404. */
static void
test_token_permissions (Fixture       *fixture,
                        gconstpointer  user_data)
{
  HzTestBooking *booking = &fixture->booking;
  g_autofree char *url = issue_feed (fixture, booking->coordinator_key, booking->expert_id);
  g_autofree char *text = fetch_feed (fixture, url);
  g_auto (ViewsResponse) anonymous = { 0 };

  g_assert_nonnull (strstr (text, "BEGIN:VEVENT"));
  g_assert_cmpuint (issue_status (fixture, fixture->daemons->admin_key, booking->doctor_id),
                    ==, 201);
  g_assert_cmpuint (issue_status (fixture, booking->coordinator_key, booking->doctor_id), ==, 404);
  g_assert_cmpuint (issue_status (fixture, booking->doctor_key, booking->expert_id), ==, 404);
  g_assert_cmpuint (issue_status (fixture, booking->expert_key, booking->coordinator_id), ==, 404);
  g_assert_cmpuint (issue_status (fixture, fixture->daemons->admin_key, 9999), ==, 404);

  anonymous = views_http (fixture->daemons, fixture->session, "POST", "/api/v1/me/ical-token",
                          NULL, NULL);
  g_assert_cmpuint (anonymous.status, ==, 401);
}

/* The feed names the specialty and the people, never the patient, and
 * lists only the user's own sessions. */
static void
test_feed_privacy (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *other_key = NULL;
  gint64 other_org = views_create_organization (fixture->daemons, fixture->session,
                                                "玉龙县人民医院", "county");
  g_autofree char *doctor_url = issue_feed (fixture, fixture->booking.doctor_key, 0);
  g_autofree char *doctor_text = fetch_feed (fixture, doctor_url);
  g_autofree char *other_url = NULL;
  g_autofree char *other_text = NULL;

  views_create_user (fixture->daemons, fixture->session, other_org, "赵医生", "doctor",
                     &other_key);
  other_url = issue_feed (fixture, other_key, 0);
  other_text = fetch_feed (fixture, other_url);

  g_assert_nonnull (strstr (doctor_text, "SUMMARY:远程会诊：心血管内科"));
  g_assert_null (strstr (doctor_text, "T-0001"));
  g_assert_null (strstr (doctor_text, "胸闷"));
  g_assert_null (strstr (doctor_text, "介入治疗"));
  g_assert_null (strstr (other_text, "BEGIN:VEVENT"));
}

static void
test_feed_english (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *url = issue_feed (fixture, fixture->booking.doctor_key, 0);
  g_autofree char *english_url = g_strconcat (url, "?lang=en", NULL);
  g_autofree char *text = fetch_feed (fixture, english_url);
  icalcomponent *calendar = parse_with_libical (text);
  icalcomponent *event = find_event (calendar, fixture->booking.session_id);

  g_assert_nonnull (event);
  g_assert_cmpstr (icalcomponent_get_summary (event), ==, "Remote consultation: 心血管内科");
  icalcomponent_free (calendar);
}

/* Creates a weekly ward round of three occurrences for CAPACITY users,
 * presented by the booking's expert and open to the county hospital.
 * Returns the series id and fills SESSION_IDS with the occurrences'
 * session ids. */
static gint64
create_ward_round (Fixture *fixture,
                   gint64   capacity,
                   gint64   session_ids[3])
{
  gint64 start = (g_get_real_time () / G_USEC_PER_SEC + 5 * 24 * 3600) / 60 * 60;
  g_autofree char *start_text = format_utc (start);
  g_autofree char *end_text = format_utc (start + 3600);
  g_autofree char *body = g_strdup_printf (
    "{\"presenter_id\": %" G_GINT64_FORMAT ", \"title\": \"冠心病介入治疗\","
    " \"kind\": \"ward_round\", \"start\": \"%s\", \"end\": \"%s\","
    " \"capacity\": %" G_GINT64_FORMAT ", \"audience_org_ids\": [%" G_GINT64_FORMAT "],"
    " \"series\": {\"weekly\": true, \"count\": 3}}",
    fixture->booking.expert_id, start_text, end_text, capacity,
    fixture->booking.county_org_id);
  g_auto (ViewsResponse) response = views_http (fixture->daemons, fixture->session, "POST",
                                                "/api/v1/teaching-sessions",
                                                fixture->booking.coordinator_key, body);
  JsonObject *series;
  JsonArray *occurrences;

  g_assert_cmpuint (response.status, ==, 201);
  series = views_response_object (&response);
  occurrences = json_object_get_array_member (series, "occurrences");
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 3);
  for (guint i = 0; i < 3; i++)
    session_ids[i] = json_object_get_int_member (json_array_get_object_element (occurrences, i),
                                                 "session_id");
  return json_object_get_int_member (series, "id");
}

/* Teaching rounds appear in the presenter's feed and in a registered
 * trainee's, and a cancelled occurrence stays with STATUS:CANCELLED and a
 * higher SEQUENCE. */
static void
test_feed_teaching_rounds (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *trainee_key = NULL;
  gint64 session_ids[3];
  gint64 series_id;
  g_autofree char *register_path = NULL;
  g_autofree char *cancel_path = NULL;
  g_autofree char *presenter_url = issue_feed (fixture, fixture->booking.expert_key, 0);
  g_autofree char *trainee_url = NULL;
  g_autofree char *presenter_text = NULL;
  g_autofree char *trainee_text = NULL;
  g_autofree char *cancelled_text = NULL;
  g_auto (ViewsResponse) registration = { 0 };
  g_auto (ViewsResponse) cancel = { 0 };
  g_autoptr (JsonObject) python = NULL;
  icalcomponent *calendar;
  int sequence_before;

  views_create_user (fixture->daemons, fixture->session, fixture->booking.county_org_id,
                     "陈学员", "trainee", &trainee_key);
  series_id = create_ward_round (fixture, 10, session_ids);
  register_path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT
                                   "/registrations", series_id);
  registration = views_http (fixture->daemons, fixture->session, "POST", register_path,
                             trainee_key, NULL);
  g_assert_cmpuint (registration.status, ==, 201);
  trainee_url = issue_feed (fixture, trainee_key, 0);

  presenter_text = fetch_feed (fixture, presenter_url);
  trainee_text = fetch_feed (fixture, trainee_url);
  assert_folded_by_octets (trainee_text);
  for (guint i = 0; i < 3; i++)
    {
      icalcomponent *presenter_calendar = parse_with_libical (presenter_text);
      icalcomponent *trainee_calendar = parse_with_libical (trainee_text);
      icalcomponent *event = find_event (trainee_calendar, session_ids[i]);

      g_assert_nonnull (find_event (presenter_calendar, session_ids[i]));
      g_assert_nonnull (event);
      g_assert_cmpstr (icalcomponent_get_summary (event), ==, "教学查房：冠心病介入治疗");
      g_assert_cmpint (icalcomponent_get_status (event), ==, ICAL_STATUS_CONFIRMED);
      assert_organizer (fixture, event, fixture->booking.expert_id, "王专家");
      icalcomponent_free (presenter_calendar);
      icalcomponent_free (trainee_calendar);
    }

  calendar = parse_with_libical (trainee_text);
  g_assert_null (find_event (calendar, fixture->booking.session_id));
  sequence_before = icalcomponent_get_sequence (find_event (calendar, session_ids[1]));
  icalcomponent_free (calendar);

  cancel_path = g_strdup_printf ("/api/v1/teaching-occurrences/%" G_GINT64_FORMAT "/cancel",
                                 session_ids[1]);
  cancel = views_http (fixture->daemons, fixture->session, "POST", cancel_path,
                       fixture->booking.coordinator_key, "{\"reason\": \"主讲专家出差\"}");
  g_assert_cmpuint (cancel.status, ==, 200);

  cancelled_text = fetch_feed (fixture, trainee_url);
  calendar = parse_with_libical (cancelled_text);
  g_assert_cmpint (icalcomponent_get_status (find_event (calendar, session_ids[1])), ==,
                   ICAL_STATUS_CANCELLED);
  g_assert_cmpint (icalcomponent_get_sequence (find_event (calendar, session_ids[1])), >,
                   sequence_before);
  g_assert_cmpint (icalcomponent_get_status (find_event (calendar, session_ids[2])), ==,
                   ICAL_STATUS_CONFIRMED);
  icalcomponent_free (calendar);

  python = parse_with_python (cancelled_text);
  g_assert_cmpstr (json_object_get_string_member (find_python_event (python, session_ids[1]),
                                                  "status"), ==, "CANCELLED");
}

/* One event of a feed as both parsers read it. */
typedef struct {
  gboolean present;
  icalproperty_status status;
  int sequence;
  gint64 start;
} FeedEvent;

/* Fetches the feed at URL and returns the event of SESSION_ID, after
 * checking that Python's icalendar package reads the same status and
 * SEQUENCE as libical. */
static FeedEvent
read_feed_event (Fixture    *fixture,
                 const char *url,
                 gint64      session_id)
{
  g_autofree char *text = fetch_feed (fixture, url);
  g_autoptr (JsonObject) python = parse_with_python (text);
  JsonObject *python_event = find_python_event (python, session_id);
  icalcomponent *calendar = parse_with_libical (text);
  icalcomponent *event = find_event (calendar, session_id);
  FeedEvent result = { FALSE, ICAL_STATUS_NONE, -1, 0 };

  assert_folded_by_octets (text);
  if (event == NULL)
    {
      g_assert_null (python_event);
      icalcomponent_free (calendar);
      return result;
    }

  result.present = TRUE;
  result.status = icalcomponent_get_status (event);
  result.sequence = icalcomponent_get_sequence (event);
  result.start = icaltime_as_timet (icalcomponent_get_dtstart (event));
  icalcomponent_free (calendar);

  g_assert_nonnull (python_event);
  g_assert_cmpstr (json_object_get_string_member (python_event, "status"), ==,
                   result.status == ICAL_STATUS_CANCELLED ? "CANCELLED" : "CONFIRMED");
  g_assert_cmpint (json_object_get_int_member (python_event, "sequence"), ==, result.sequence);
  g_assert_cmpint (json_object_get_int_member (python_event, "start"), ==, result.start);
  return result;
}

/* Reschedules the booking's consultation to EXPERT_ID, START_OFFSET
 * seconds from now, and returns the new start. */
static gint64
reschedule_to (Fixture *fixture,
               gint64   expert_id,
               gint64   start_offset)
{
  gint64 start = (g_get_real_time () / G_USEC_PER_SEC + start_offset) / 60 * 60;
  g_autofree char *start_text = format_utc (start);
  g_autofree char *end_text = format_utc (start + 1800);
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT
                                           "/reschedule", fixture->booking.consultation_id);
  g_autofree char *body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\","
                                           " \"expert_id\": %" G_GINT64_FORMAT "}",
                                           start_text, end_text, expert_id);
  g_auto (ViewsResponse) response = views_http (fixture->daemons, fixture->session, "POST",
                                                path, fixture->booking.coordinator_key, body);

  g_assert_cmpuint (response.status, ==, 200);
  return start;
}

/* An expert replaced by a reschedule keeps the event as cancelled, with
 * the same UID, the times they last saw and a higher SEQUENCE. When the
 * consultation comes back to them, the event is confirmed again with a
 * SEQUENCE above the cancelled copy's. */
static void
test_feed_replaced_expert (Fixture       *fixture,
                           gconstpointer  user_data)
{
  gint64 session_id = fixture->booking.session_id;
  g_autofree char *second_key = NULL;
  gint64 second_id = views_create_user (fixture->daemons, fixture->session,
                                        fixture->booking.district_org_id, "李专家", "expert",
                                        &second_key);
  g_autofree char *first_url = issue_feed (fixture, fixture->booking.expert_key, 0);
  g_autofree char *second_url = issue_feed (fixture, second_key, 0);
  FeedEvent before = read_feed_event (fixture, first_url, session_id);
  FeedEvent removed, second, back;
  gint64 second_start, back_start;

  g_assert_true (before.present);
  g_assert_cmpint (before.status, ==, ICAL_STATUS_CONFIRMED);
  g_assert_false (read_feed_event (fixture, second_url, session_id).present);

  second_start = reschedule_to (fixture, second_id, 6 * 24 * 3600);
  removed = read_feed_event (fixture, first_url, session_id);
  g_assert_true (removed.present);
  g_assert_cmpint (removed.status, ==, ICAL_STATUS_CANCELLED);
  g_assert_cmpint (removed.sequence, >, before.sequence);
  g_assert_cmpint (removed.start, ==, before.start);

  second = read_feed_event (fixture, second_url, session_id);
  g_assert_true (second.present);
  g_assert_cmpint (second.status, ==, ICAL_STATUS_CONFIRMED);
  g_assert_cmpint (second.start, ==, second_start);

  /* A later change of the session leaves the cancelled copy as it is. */
  reschedule_to (fixture, second_id, 7 * 24 * 3600);
  g_assert_cmpint (read_feed_event (fixture, first_url, session_id).sequence, ==,
                   removed.sequence);

  back_start = reschedule_to (fixture, fixture->booking.expert_id, 8 * 24 * 3600);
  back = read_feed_event (fixture, first_url, session_id);
  g_assert_true (back.present);
  g_assert_cmpint (back.status, ==, ICAL_STATUS_CONFIRMED);
  g_assert_cmpint (back.sequence, >, removed.sequence);
  g_assert_cmpint (back.start, ==, back_start);

  second = read_feed_event (fixture, second_url, session_id);
  g_assert_cmpint (second.status, ==, ICAL_STATUS_CANCELLED);
}

static guint
send_registration (Fixture    *fixture,
                   const char *method,
                   gint64      series_id,
                   const char *key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT
                                           "/registrations%s", series_id,
                                           g_str_equal (method, "DELETE") ? "/me" : "");
  g_auto (ViewsResponse) response = views_http (fixture->daemons, fixture->session, method,
                                                path, key, NULL);

  return response.status;
}

/* A trainee who cancels their registration keeps every occurrence as
 * cancelled with a higher SEQUENCE, and a confirmed event again, with a
 * SEQUENCE above that, after registering again. A waitlisted trainee's
 * feed has no occurrence until they move up. */
static void
test_feed_unregistered_trainee (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_autofree char *first_key = NULL;
  g_autofree char *waiting_key = NULL;
  g_autofree char *first_url = NULL;
  g_autofree char *waiting_url = NULL;
  gint64 session_ids[3];
  gint64 series_id;
  int sequences[3];

  views_create_user (fixture->daemons, fixture->session, fixture->booking.county_org_id,
                     "陈学员", "trainee", &first_key);
  views_create_user (fixture->daemons, fixture->session, fixture->booking.county_org_id,
                     "周学员", "trainee", &waiting_key);
  series_id = create_ward_round (fixture, 1, session_ids);
  g_assert_cmpuint (send_registration (fixture, "POST", series_id, first_key), ==, 201);
  g_assert_cmpuint (send_registration (fixture, "POST", series_id, waiting_key), ==, 201);
  first_url = issue_feed (fixture, first_key, 0);
  waiting_url = issue_feed (fixture, waiting_key, 0);

  for (guint i = 0; i < 3; i++)
    {
      FeedEvent event = read_feed_event (fixture, first_url, session_ids[i]);

      g_assert_true (event.present);
      g_assert_cmpint (event.status, ==, ICAL_STATUS_CONFIRMED);
      sequences[i] = event.sequence;
      g_assert_false (read_feed_event (fixture, waiting_url, session_ids[i]).present);
    }

  /* The first trainee leaves and the waitlisted one moves up. */
  g_assert_cmpuint (send_registration (fixture, "DELETE", series_id, first_key), ==, 200);
  for (guint i = 0; i < 3; i++)
    {
      FeedEvent removed = read_feed_event (fixture, first_url, session_ids[i]);
      FeedEvent promoted = read_feed_event (fixture, waiting_url, session_ids[i]);

      g_assert_true (removed.present);
      g_assert_cmpint (removed.status, ==, ICAL_STATUS_CANCELLED);
      g_assert_cmpint (removed.sequence, >, sequences[i]);
      sequences[i] = removed.sequence;
      g_assert_true (promoted.present);
      g_assert_cmpint (promoted.status, ==, ICAL_STATUS_CONFIRMED);
    }

  /* The second trainee leaves, so the first can register again. */
  g_assert_cmpuint (send_registration (fixture, "DELETE", series_id, waiting_key), ==, 200);
  g_assert_cmpuint (send_registration (fixture, "POST", series_id, first_key), ==, 201);
  for (guint i = 0; i < 3; i++)
    {
      FeedEvent again = read_feed_event (fixture, first_url, session_ids[i]);

      g_assert_cmpint (again.status, ==, ICAL_STATUS_CONFIRMED);
      g_assert_cmpint (again.sequence, >, sequences[i]);
      g_assert_cmpint (read_feed_event (fixture, waiting_url, session_ids[i]).status, ==,
                       ICAL_STATUS_CANCELLED);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD ("/calendar/feed/forty-han-summary", test_feed_forty_han_summary);
  ADD ("/calendar/feed/cancelled-event", test_feed_cancelled_event);
  ADD ("/calendar/feed/rescheduled-event", test_feed_rescheduled_event);
  ADD ("/calendar/feed/stable-uids", test_feed_stable_uids);
  ADD ("/calendar/feed/bad-token", test_feed_bad_token);
  ADD ("/calendar/feed/privacy", test_feed_privacy);
  ADD ("/calendar/feed/english", test_feed_english);
  ADD ("/calendar/feed/teaching-rounds", test_feed_teaching_rounds);
  ADD ("/calendar/feed/replaced-expert", test_feed_replaced_expert);
  ADD ("/calendar/feed/unregistered-trainee", test_feed_unregistered_trainee);
  ADD ("/calendar/token/permissions", test_token_permissions);

#undef ADD

  return g_test_run ();
}
