/* Integration tests of huizhen-scheduler: the real daemon on loopback with
 * a temporary database, driven over HTTP with libsoup. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>

#include "hz-request-auth.h"
#include "hz-sched-errors.h"
#include "hz-sched-fields.h"
#include "hz-sched-time.h"
#include "hz-test-daemons.h"
#include "hz-token.h"

#define BOOKING_START_OFFSET (2 * 24 * 3600)
#define BOOKING_DURATION (30 * 60)
#define HTTP_TIMEOUT_SECONDS 10
/* [scheduler] max-body-kib of these tests, below the default of 1024. */
#define BODY_LIMIT_KIB 64

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

  fixture->daemons = hz_test_daemons_start_with_keys (HZ_TEST_DAEMONS_SCHEDULER,
                                                      "max-body-kib = "
                                                      G_STRINGIFY (BODY_LIMIT_KIB) "\n", &error);
  g_assert_no_error (error);

  hz_test_book_consultation (fixture->daemons, BOOKING_START_OFFSET, BOOKING_DURATION,
                             &fixture->booking, &error);
  g_assert_no_error (error);

  fixture->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_SECONDS, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  hz_test_booking_clear (&fixture->booking);
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
}

typedef struct {
  guint status;
  JsonNode *json;             /* NULL when the body is not JSON */
  SoupMessageHeaders *headers;
} Response;

static void
response_clear (Response *response)
{
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

/* Sends one request. AUTHORIZATION is the whole header value; BODY may
 * contain NUL bytes and is sent with BODY_LENGTH. */
static Response
send_raw (Fixture    *fixture,
          const char *method,
          const char *path,
          const char *authorization,
          const char *body,
          gsize       body_length,
          const char *accept_language)
{
  g_autofree char *url = g_strconcat (fixture->daemons->scheduler_url, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  Response response = { 0 };
  gsize length = 0;
  const char *data;

  if (authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", authorization);
  if (accept_language != NULL)
    soup_message_headers_replace (headers, "Accept-Language", accept_language);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, body_length);

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  received = soup_session_send_and_read (fixture->session, message, NULL, &error);
  g_assert_no_error (error);

  response.status = soup_message_get_status (message);
  response.headers = soup_message_headers_ref (soup_message_get_response_headers (message));
  data = g_bytes_get_data (received, &length);
  if (length > 0 && json_parser_load_from_data (parser, data, (gssize) length, NULL))
    response.json = json_node_copy (json_parser_get_root (parser));
  return response;
}

static Response
send_json (Fixture    *fixture,
           const char *method,
           const char *path,
           const char *key,
           const char *body)
{
  g_autofree char *authorization = key ? g_strconcat ("Bearer ", key, NULL) : NULL;

  return send_raw (fixture, method, path, authorization, body, body ? strlen (body) : 0, NULL);
}

static JsonObject *
response_object (const Response *response)
{
  g_assert_nonnull (response->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (response->json));
  return json_node_get_object (response->json);
}

static void
assert_error (const Response *response,
              guint           status,
              const char     *code)
{
  JsonObject *object = response_object (response);

  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (object, "message"));
}

static gint64
create_consultation (Fixture *fixture)
{
  g_auto (Response) response = send_json (
    fixture, "POST", "/api/v1/consultations", fixture->booking.doctor_key,
    "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"T-0002\", \"age\": 47,"
    " \"sex\": \"female\", \"summary\": \"心悸一周\"}, \"question\": \"是否需要动态心电图？\"}");

  g_assert_cmpuint (response.status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (response_object (&response), "status"),
                   ==, "requested");
  return json_object_get_int_member (response_object (&response), "id");
}

/* "YYYY-MM-DD" of the Shanghai date three days from now, so that bookings
 * on it never collide with the fixture's booking two days ahead. */
static char *
future_date (void)
{
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier (HZ_DEFAULT_TIMEZONE);
  g_autoptr (GDateTime) now = g_date_time_new_now (shanghai);
  g_autoptr (GDateTime) later = g_date_time_add_days (now, 3);

  return g_date_time_format (later, "%Y-%m-%d");
}

/* Schedules CONSULTATION_ID with the fixture's expert from START to END
 * ("HH:MM:SS+08:00" on DATE, or a full RFC 3339 time). */
static Response
schedule (Fixture    *fixture,
          gint64      consultation_id,
          const char *date,
          const char *start,
          const char *end)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                                           consultation_id);
  g_autofree char *start_text = strchr (start, 'T') ? g_strdup (start)
                                                    : g_strconcat (date, "T", start, NULL);
  g_autofree char *end_text = strchr (end, 'T') ? g_strdup (end)
                                                : g_strconcat (date, "T", end, NULL);
  g_autofree char *body = g_strdup_printf (
    "{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\", \"end\": \"%s\"}",
    fixture->booking.expert_id, start_text, end_text);

  return send_json (fixture, "POST", path, fixture->booking.coordinator_key, body);
}

static void
test_booking_readable (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT,
                                           fixture->booking.consultation_id);
  const char *const keys[] = {
    fixture->booking.doctor_key, fixture->booking.expert_key,
    fixture->booking.coordinator_key, fixture->daemons->admin_key,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_auto (Response) response = send_json (fixture, "GET", path, keys[i], NULL);
      JsonObject *object;

      g_assert_cmpuint (response.status, ==, 200);
      object = response_object (&response);
      g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "scheduled");
      g_assert_cmpint (json_object_get_int_member (object, "session_id"), ==,
                       fixture->booking.session_id);
      g_assert_cmpint (json_object_get_int_member (object, "expert_id"), ==,
                       fixture->booking.expert_id);
      g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "start"),
                                       "+08:00"));
      g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "end"),
                                       "+08:00"));
    }
}

static void
test_back_to_back_booking (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *date = future_date ();
  g_autofree char *same_instant_utc = NULL;
  gint64 first = create_consultation (fixture);
  gint64 second = create_consultation (fixture);
  gint64 third = create_consultation (fixture);
  g_auto (Response) morning = schedule (fixture, first, date, "09:00:00+08:00", "09:30:00+08:00");
  g_auto (Response) next = schedule (fixture, second, date, "09:30:00+08:00", "10:00:00+08:00");
  g_auto (Response) straddling = schedule (fixture, third, date, "09:15:00+08:00",
                                           "09:45:00+08:00");
  g_auto (Response) one_second = schedule (fixture, third, date, "08:59:59+08:00",
                                           "09:00:01+08:00");
  g_auto (Response) before = schedule (fixture, third, date, "08:30:00+08:00", "09:00:00+08:00");
  g_auto (Response) utc_overlap = { 0 };
  gint64 morning_start;

  g_assert_cmpuint (morning.status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (response_object (&morning), "status"),
                   ==, "scheduled");
  g_assert_cmpuint (next.status, ==, 201);

  assert_error (&straddling, 409, "slot_taken");
  g_assert_cmpstr (json_object_get_string_member (response_object (&straddling), "message"),
                   ==, "该专家在此时间段已有会诊安排，请选择其他时间。");
  assert_error (&one_second, 409, "slot_taken");

  g_assert_cmpuint (before.status, ==, 201);

  /* The same instant written in UTC collides as well. */
  g_assert_true (hz_time_parse_rfc3339 (
    json_object_get_string_member (response_object (&morning), "start"), &morning_start));
  {
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (morning_start + 600);
    g_autofree char *start = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
    gint64 fourth = create_consultation (fixture);

    same_instant_utc = g_strdup (start);
    utc_overlap = schedule (fixture, fourth, date, same_instant_utc, "10:30:00+08:00");
  }
  assert_error (&utc_overlap, 409, "slot_taken");
}

static Response
cancel (Fixture    *fixture,
        gint64      consultation_id,
        const char *key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/cancel",
                                           consultation_id);

  return send_json (fixture, "POST", path, key, "{\"reason\": \"患者病情好转，暂不需要会诊\"}");
}

static void
test_cancel_frees_slot (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *date = future_date ();
  gint64 first = create_consultation (fixture);
  gint64 second = create_consultation (fixture);
  g_auto (Response) booked = schedule (fixture, first, date, "14:00:00+08:00", "15:00:00+08:00");
  g_auto (Response) taken = schedule (fixture, second, date, "14:00:00+08:00", "15:00:00+08:00");
  g_auto (Response) cancelled = cancel (fixture, first, fixture->booking.doctor_key);
  g_auto (Response) cancelled_again = cancel (fixture, first, fixture->booking.doctor_key);
  g_auto (Response) rebooked = schedule (fixture, second, date, "14:00:00+08:00",
                                         "15:00:00+08:00");
  g_auto (Response) reschedule_cancelled = schedule (fixture, first, date, "16:00:00+08:00",
                                                     "17:00:00+08:00");

  g_assert_cmpuint (booked.status, ==, 201);
  assert_error (&taken, 409, "slot_taken");

  g_assert_cmpuint (cancelled.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (response_object (&cancelled), "status"),
                   ==, "cancelled");
  g_assert_cmpstr (json_object_get_string_member (response_object (&cancelled), "cancel_reason"),
                   ==, "患者病情好转，暂不需要会诊");
  assert_error (&cancelled_again, 409, "invalid_transition");

  g_assert_cmpuint (rebooked.status, ==, 201);
  assert_error (&reschedule_cancelled, 409, "invalid_transition");
}

static Response
request_token (Fixture    *fixture,
               gint64      session_id,
               const char *key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/join-token",
                                           session_id);

  return send_json (fixture, "POST", path, key, NULL);
}

static void
test_join_token_participants_only (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  gint64 session_id = fixture->booking.session_id;
  g_auto (Response) doctor = request_token (fixture, session_id, fixture->booking.doctor_key);
  g_auto (Response) expert = request_token (fixture, session_id, fixture->booking.expert_key);
  g_auto (Response) coordinator = request_token (fixture, session_id,
                                                 fixture->booking.coordinator_key);
  g_auto (Response) admin = request_token (fixture, session_id, fixture->daemons->admin_key);
  g_auto (Response) anonymous = request_token (fixture, session_id, NULL);
  g_auto (Response) missing = request_token (fixture, session_id + 100,
                                             fixture->booking.doctor_key);

  g_assert_cmpuint (doctor.status, ==, 200);
  g_assert_cmpuint (expert.status, ==, 200);
  assert_error (&coordinator, 403, "not_participant");
  assert_error (&admin, 403, "not_participant");
  assert_error (&anonymous, 401, "unauthorized");
  assert_error (&missing, 404, "not_found");
}

static gint64
member_time (JsonObject *object,
             const char *member)
{
  gint64 value = 0;

  g_assert_true (hz_time_parse_rfc3339 (json_object_get_string_member (object, member), &value));
  return value;
}

static void
test_join_token_verifies (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT,
                                           fixture->booking.consultation_id);
  g_auto (Response) consultation = send_json (fixture, "GET", path,
                                              fixture->booking.doctor_key, NULL);
  g_auto (Response) response = request_token (fixture, fixture->booking.session_id,
                                              fixture->booking.doctor_key);
  JsonObject *object = response_object (&response);
  const char *text = json_object_get_string_member (object, "token");
  gint64 start = member_time (response_object (&consultation), "start");
  gint64 end = member_time (response_object (&consultation), "end");
  g_autofree char *url_prefix = NULL;
  HzSecret secret;
  g_autoptr (GError) error = NULL;
  g_auto (HzJoinToken) token = { 0 };
  g_auto (HzJoinToken) unused = { 0 };

  g_assert_cmpuint (response.status, ==, 200);
  g_assert_cmpint (end - start, ==, BOOKING_DURATION);

  /* The secret file that both daemons read. */
  g_assert_true (hz_secret_load_or_create (fixture->daemons->secret_path, &secret, &error));
  g_assert_no_error (error);

  g_assert_true (hz_token_verify (&secret, text, fixture->booking.session_id, start,
                                  &token, &error));
  g_assert_no_error (error);
  g_assert_cmpint (token.session_id, ==, fixture->booking.session_id);
  g_assert_cmpint (token.user_id, ==, fixture->booking.doctor_id);
  g_assert_cmpint (token.role, ==, HZ_TOKEN_ROLE_PUBLISH);
  /* The window runs from 15 minutes before the start to 30 minutes after
   * the end. Written out here, so a change of the constants fails too. */
  g_assert_cmpint (token.not_before, ==, start - 15 * 60);
  g_assert_cmpint (token.expires, ==, end + 30 * 60);
  g_assert_cmpint (member_time (object, "not_before"), ==, token.not_before);
  g_assert_cmpint (member_time (object, "expires_at"), ==, token.expires);

  g_assert_false (hz_token_verify (&secret, text, fixture->booking.session_id,
                                   token.not_before - 1, &unused, &error));
  g_assert_error (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_NOT_YET_VALID);
  g_clear_error (&error);
  hz_join_token_clear (&unused);

  g_assert_false (hz_token_verify (&secret, text, fixture->booking.session_id,
                                   token.expires, &unused, &error));
  g_assert_error (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_EXPIRED);
  g_clear_error (&error);
  hz_join_token_clear (&unused);

  g_assert_false (hz_token_verify (&secret, text, fixture->booking.session_id + 1, start,
                                   &unused, &error));
  g_assert_error (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_WRONG_SESSION);
  g_clear_error (&error);

  url_prefix = g_strdup_printf ("%s/join.html#session=%" G_GINT64_FORMAT "&token=%s&relay=",
                                fixture->daemons->scheduler_url, fixture->booking.session_id,
                                text);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "join_url"),
                                   url_prefix));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "relay_url"),
                                   "ws://"));
}

typedef struct {
  const char *accept_language;
  HzLanguage expected;
} LanguageCase;

static void
test_error_language (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const LanguageCase cases[] = {
    { NULL, HZ_LANGUAGE_ZH_CN },
    { "en", HZ_LANGUAGE_EN },
    { "en-US,en;q=0.9,zh-CN;q=0.8", HZ_LANGUAGE_EN },
    { "zh-CN,zh;q=0.9,en;q=0.8", HZ_LANGUAGE_ZH_CN },
    { "zh;q=0.3, en-GB;q=0.7", HZ_LANGUAGE_EN },
    { "fr", HZ_LANGUAGE_ZH_CN },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (Response) response = send_raw (fixture, "GET", "/api/v1/consultations/1", NULL,
                                             NULL, 0, cases[i].accept_language);

      g_test_message ("Accept-Language: %s", cases[i].accept_language);
      assert_error (&response, 401, "unauthorized");
      g_assert_cmpstr (json_object_get_string_member (response_object (&response), "message"),
                       ==, hz_sched_error_message (HZ_SCHED_ERROR_UNAUTHORIZED,
                                                   cases[i].expected));
    }
}

static void
test_bad_requests (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *doctor = fixture->booking.doctor_key;
  g_autofree char *date = future_date ();
  gint64 consultation = create_consultation (fixture);
  g_autofree char *huge = g_malloc (BODY_LIMIT_KIB * 1024 + 2);
  g_autofree char *consultation_path = g_strdup_printf (
    "/api/v1/consultations/%" G_GINT64_FORMAT, consultation);
  g_auto (Response) not_json = send_json (fixture, "POST", "/api/v1/consultations", doctor,
                                          "{\"specialty\": ");
  g_auto (Response) array = send_json (fixture, "POST", "/api/v1/consultations", doctor, "[]");
  g_auto (Response) missing = send_json (fixture, "POST", "/api/v1/consultations", doctor,
                                         "{\"specialty\": \"内科\", \"patient\": {\"ref\": \"a\","
                                         " \"age\": 1, \"sex\": \"male\", \"summary\": \"s\"}}");
  g_auto (Response) no_offset = schedule (fixture, consultation, date, "09:00:00",
                                          "10:00:00+08:00");
  g_auto (Response) leap = schedule (fixture, consultation, date, "08:59:60+08:00",
                                     "10:00:00+08:00");
  g_auto (Response) reversed = schedule (fixture, consultation, date, "10:00:00+08:00",
                                         "09:00:00+08:00");
  g_auto (Response) empty = schedule (fixture, consultation, date, "10:00:00+08:00",
                                      "10:00:00+08:00");
  g_auto (Response) no_key = send_json (fixture, "GET", consultation_path, NULL, NULL);
  g_auto (Response) unknown_key = send_json (fixture, "GET", consultation_path,
                                             "hz_not-a-real-key", NULL);
  g_auto (Response) unknown_route = send_json (fixture, "GET", "/api/v1/nothing", doctor, NULL);
  g_auto (Response) bad_id = send_json (fixture, "GET", "/api/v1/consultations/01", doctor, NULL);
  g_auto (Response) wrong_method = send_json (fixture, "DELETE", consultation_path, doctor, NULL);
  g_auto (Response) forbidden = send_json (fixture, "POST", "/api/v1/organizations", doctor,
                                           "{\"name\": \"某医院\", \"name_en\": \"A Hospital\","
                                           " \"level\": \"county\"}");
  g_auto (Response) too_large = { 0 };
  g_auto (Response) after = send_json (fixture, "GET", consultation_path, doctor, NULL);

  memset (huge, ' ', BODY_LIMIT_KIB * 1024 + 1);
  huge[BODY_LIMIT_KIB * 1024 + 1] = '\0';
  too_large = send_json (fixture, "POST", "/api/v1/consultations", doctor, huge);

  assert_error (&not_json, 400, "invalid_json");
  assert_error (&array, 400, "invalid_json");
  assert_error (&missing, 400, "invalid_field");
  g_assert_nonnull (strstr (json_object_get_string_member (response_object (&missing), "message"),
                            "question"));
  assert_error (&no_offset, 400, "invalid_time");
  g_assert_nonnull (strstr (json_object_get_string_member (response_object (&no_offset),
                                                           "message"), "start"));
  assert_error (&leap, 400, "invalid_time");
  g_assert_cmpstr (json_object_get_string_member (response_object (&leap), "message"), ==,
                   "字段“start”是闰秒（秒数为 60），系统不接受闰秒，请改用 59 秒。");
  assert_error (&reversed, 400, "invalid_time");
  assert_error (&empty, 400, "invalid_time");
  assert_error (&no_key, 401, "unauthorized");
  assert_error (&unknown_key, 401, "unauthorized");
  assert_error (&unknown_route, 404, "not_found");
  assert_error (&bad_id, 404, "not_found");
  assert_error (&wrong_method, 405, "method_not_allowed");
  g_assert_nonnull (soup_message_headers_get_one (wrong_method.headers, "Allow"));
  assert_error (&forbidden, 403, "forbidden");
  assert_error (&too_large, 413, "body_too_large");
  g_assert_cmpstr (json_object_get_string_member (response_object (&too_large), "message"), ==,
                   "请求内容超过 " G_STRINGIFY (BODY_LIMIT_KIB) " KiB 的上限。");

  /* The daemon still serves after all of that, and nothing was booked. */
  g_assert_cmpuint (after.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (response_object (&after), "status"),
                   ==, "requested");
}

/* Consultation requests with JSON that JSON-GLib alone would take in the
 * wrong way, and text fields with blanks or control characters. */
static void
test_json_input (Fixture       *fixture,
                 gconstpointer  user_data)
{
  const char *doctor = fixture->booking.doctor_key;
  const struct {
    const char *specialty;
    const char *summary;
    const char *question;
    const char *extra;
    guint status;
    const char *code;
    const char *field;
  } cases[] = {
    /* Two members named "question", also when one is escaped. */
    { "内科", "胸痛", "?", ", \"question\": \"!\"", 400, "invalid_json", NULL },
    { "内科", "胸痛", "?", ", \"\\u0071uestion\": \"!\"", 400, "invalid_json", NULL },
    { "内科", "胸痛", "请会诊\\u0000忽略", "", 400, "invalid_field", "question" },
    { "内科", "胸痛\\u0000", "?", "", 400, "invalid_field", "patient.summary" },
    { "   ", "胸痛", "?", "", 400, "invalid_field", "specialty" },
    { "\\u3000", "胸痛", "?", "", 400, "invalid_field", "specialty" },
    { "内科\\u001b[2J", "胸痛", "?", "", 400, "invalid_field", "specialty" },
    { "内科", "胸痛", "?", ", \"target_org_id\": \"1\"", 400, "invalid_field", "target_org_id" },
    { "内科", "胸痛三天，\\n活动后加重。\\t", "请会诊：\\r\\n是否需要造影？", "", 201, NULL, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = g_strdup_printf (
        "{\"specialty\": \"%s\", \"patient\": {\"ref\": \"J-1\", \"age\": 60,"
        " \"sex\": \"male\", \"summary\": \"%s\"}, \"question\": \"%s\"%s}",
        cases[i].specialty, cases[i].summary, cases[i].question, cases[i].extra);
      g_auto (Response) response = send_json (fixture, "POST", "/api/v1/consultations", doctor,
                                              body);

      g_test_message ("body: %s", body);
      if (cases[i].code == NULL)
        {
          g_assert_cmpuint (response.status, ==, cases[i].status);
          continue;
        }
      assert_error (&response, cases[i].status, cases[i].code);
      if (cases[i].field != NULL)
        g_assert_nonnull (strstr (json_object_get_string_member (response_object (&response),
                                                                 "message"), cases[i].field));
    }
}

/* An organization's timezone must name a zone file of the system's
 * database. Paths, offsets and a FIFO are rejected without the daemon
 * opening them: a FIFO used to block it, and a file that is not a zone
 * made GLib log criticals, which G_DEBUG=fatal-criticals turns into a
 * crash. */
static void
test_organization_timezones (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hz-fifo-XXXXXX", &error);
  g_autofree char *fifo = NULL;
  g_autofree char *relative_fifo = NULL;
  const char *known[] = { "Asia/Shanghai", "UTC", "Asia/Urumqi" };

  g_assert_no_error (error);
  fifo = g_build_filename (dir, "zone", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  relative_fifo = g_strconcat ("../../../../../../../..", fifo, NULL);

  {
    const char *rejected[] = {
      "/etc/localtime", "+05:00", "../../etc/passwd", "../../../etc/passwd", "localtime",
      "Asia/Nowhere", fifo, relative_fifo, "posix/Asia/Shanghai", "right/UTC",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
      {
        g_autofree char *body = g_strdup_printf (
          "{\"name\": \"某医院\", \"name_en\": \"A Hospital\", \"level\": \"county\","
          " \"timezone\": \"%s\"}", rejected[i]);
        g_auto (Response) response = send_json (fixture, "POST", "/api/v1/organizations",
                                                fixture->daemons->admin_key, body);

        g_test_message ("timezone %s", rejected[i]);
        assert_error (&response, 400, "invalid_field");
        g_assert_nonnull (strstr (json_object_get_string_member (response_object (&response),
                                                                 "message"), "timezone"));
      }
  }

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    {
      g_autofree char *body = g_strdup_printf (
        "{\"name\": \"某医院\", \"name_en\": \"A Hospital\", \"level\": \"county\","
        " \"timezone\": \"%s\"}", known[i]);
      g_auto (Response) response = send_json (fixture, "POST", "/api/v1/organizations",
                                              fixture->daemons->admin_key, body);

      g_assert_cmpuint (response.status, ==, 201);
      g_assert_cmpstr (json_object_get_string_member (response_object (&response), "timezone"),
                       ==, known[i]);
    }

  g_assert_cmpint (g_unlink (fifo), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* An organization level or a user role outside the API's lists gets 400
 * invalid_field with the allowed values, in Chinese and in English. */
static void
test_directory_values (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char *admin = fixture->daemons->admin_key;
  g_autofree char *authorization = g_strconcat ("Bearer ", admin, NULL);
  const char *bad_level = "{\"name\": \"某医院\", \"name_en\": \"A Hospital\","
                          " \"level\": \"hospital\"}";
  g_auto (Response) level = send_json (fixture, "POST", "/api/v1/organizations", admin, bad_level);
  g_auto (Response) level_en = send_raw (fixture, "POST", "/api/v1/organizations", authorization,
                                         bad_level, strlen (bad_level), "en");
  g_auto (Response) county = send_json (fixture, "POST", "/api/v1/organizations", admin,
                                        "{\"name\": \"某医院\", \"name_en\": \"A Hospital\","
                                        " \"level\": \"county\"}");
  g_autofree char *user_body = NULL;
  g_auto (Response) role = { 0 };

  assert_error (&level, 400, "invalid_field");
  g_assert_cmpstr (json_object_get_string_member (response_object (&level), "message"), ==,
                   "字段“level”的取值无效，可选值为：district、county、township、city、provincial。");
  assert_error (&level_en, 400, "invalid_field");
  g_assert_cmpstr (json_object_get_string_member (response_object (&level_en), "message"), ==,
                   "Field 'level' must be one of: district, county, township, city, provincial.");

  g_assert_cmpuint (county.status, ==, 201);
  user_body = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"张护士\","
                               " \"role\": \"nurse\"}",
                               json_object_get_int_member (response_object (&county), "id"));
  role = send_json (fixture, "POST", "/api/v1/users", admin, user_body);
  assert_error (&role, 400, "invalid_field");
  g_assert_nonnull (strstr (json_object_get_string_member (response_object (&role), "message"),
                            "字段“role”的取值无效"));
}

/* Formats Unix seconds as RFC 3339 in Asia/Shanghai. */
static char *
format_shanghai (gint64 unix_seconds)
{
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier (HZ_DEFAULT_TIMEZONE);

  return hz_time_format_rfc3339 (unix_seconds, shanghai);
}

/* A session may start at most a day before the request and at most five
 * years after it, for scheduling and for rescheduling. */
static void
test_booking_time_limits (Fixture       *fixture,
                          gconstpointer  user_data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 hour_ago = now - 3600;
  g_autofree char *hour_ago_start = format_shanghai (hour_ago);
  g_autofree char *hour_ago_end = format_shanghai (hour_ago + 1800);
  g_autofree char *day_ago_start = format_shanghai (now - 25 * 3600);
  g_autofree char *day_ago_end = format_shanghai (now - 25 * 3600 + 1800);
  g_autofree char *years_start = format_shanghai (now + 1830 * 86400);
  g_autofree char *years_end = format_shanghai (now + 1830 * 86400 + 1800);
  g_autofree char *reschedule_path = g_strdup_printf (
    "/api/v1/consultations/%" G_GINT64_FORMAT "/reschedule", fixture->booking.consultation_id);
  g_autofree char *reschedule_body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\"}",
                                                      years_start, years_end);
  const char *rejected[][2] = {
    { "2020-01-01T09:00:00+08:00", "2020-01-01T09:30:00+08:00" },
    { "0001-01-01T00:00:00Z", "0001-01-01T00:30:00Z" },
    { "9999-12-31T23:00:00+08:00", "9999-12-31T23:30:00+08:00" },
    { day_ago_start, day_ago_end },
    { years_start, years_end },
  };
  gint64 consultation = create_consultation (fixture);

  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_auto (Response) response = schedule (fixture, consultation, NULL, rejected[i][0],
                                             rejected[i][1]);

      g_test_message ("start %s", rejected[i][0]);
      assert_error (&response, 400, "invalid_time");
      g_assert_nonnull (strstr (json_object_get_string_member (response_object (&response),
                                                               "message"), "start"));
    }

  {
    g_auto (Response) moved = send_json (fixture, "POST", reschedule_path,
                                         fixture->booking.coordinator_key, reschedule_body);
    g_auto (Response) recent = schedule (fixture, consultation, NULL, hour_ago_start,
                                         hour_ago_end);

    assert_error (&moved, 400, "invalid_time");
    /* An hour ago is within the day that may be entered late. */
    g_assert_cmpuint (recent.status, ==, 201);
  }
}

static void
test_other_county_not_found (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT,
                                           fixture->booking.consultation_id);
  g_autofree char *recordings_path = g_strdup_printf (
    "/api/v1/sessions/%" G_GINT64_FORMAT "/recordings", fixture->booking.session_id);
  g_auto (Response) org = send_json (fixture, "POST", "/api/v1/organizations",
                                     fixture->daemons->admin_key,
                                     "{\"name\": \"湄潭县人民医院\", \"name_en\": \"Meitan County "
                                     "People's Hospital\", \"level\": \"county\"}");
  g_autofree char *user_body = g_strdup_printf (
    "{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"杨医生\", \"role\": \"doctor\"}",
    json_object_get_int_member (response_object (&org), "id"));
  g_auto (Response) user = send_json (fixture, "POST", "/api/v1/users",
                                      fixture->daemons->admin_key, user_body);
  const char *stranger = json_object_get_string_member (response_object (&user), "api_key");
  g_auto (Response) get = send_json (fixture, "GET", path, stranger, NULL);
  g_auto (Response) cancelled = cancel (fixture, fixture->booking.consultation_id, stranger);
  g_auto (Response) recordings = send_json (fixture, "GET", recordings_path, stranger, NULL);
  g_auto (Response) own = send_json (fixture, "GET", path, fixture->booking.doctor_key, NULL);

  g_assert_cmpuint (org.status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (response_object (&org), "timezone"),
                   ==, "Asia/Shanghai");
  g_assert_cmpuint (user.status, ==, 201);
  assert_error (&get, 404, "not_found");
  assert_error (&cancelled, 404, "not_found");
  assert_error (&recordings, 404, "not_found");
  g_assert_cmpstr (json_object_get_string_member (response_object (&own), "status"),
                   ==, "scheduled");
}

#define REPORT_PATH "/api/v1/internal/recordings"

/* Posts BODY to the relay's endpoint, signed with SECRET at time NOW. */
static Response
report (Fixture        *fixture,
        const HzSecret *secret,
        gint64          now,
        const char     *body)
{
  g_autofree char *authorization = NULL;

  if (secret != NULL)
    authorization = hz_request_auth_sign (secret, "POST", REPORT_PATH, now, body, strlen (body));
  return send_raw (fixture, "POST", REPORT_PATH, authorization, body, strlen (body), NULL);
}

static char *
report_body (Fixture    *fixture,
             gint64      participant_id,
             const char *path,
             const char *status,
             const char *extra)
{
  return g_strdup_printf ("{\"session_id\": %" G_GINT64_FORMAT ", \"participant_id\": \"%"
                          G_GINT64_FORMAT "\", \"kind\": \"video\", \"path\": \"%s\","
                          " \"status\": \"%s\", \"started_at\": \"2025-03-01T09:00:00+08:00\"%s}",
                          fixture->booking.session_id, participant_id, path, status, extra);
}

static JsonArray *
list_recordings (Fixture  *fixture,
                 Response *response)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT "/recordings",
                                           fixture->booking.session_id);

  *response = send_json (fixture, "GET", path, fixture->booking.doctor_key, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  return json_object_get_array_member (response_object (response), "recordings");
}

static void
test_recording_reports (Fixture       *fixture,
                        gconstpointer  user_data)
{
  const HzSecret *secret = &fixture->daemons->secret;
  HzSecret other_secret = { { 9, 9, 9 } };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *file = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "-video.webm",
                                           fixture->booking.session_id,
                                           fixture->booking.doctor_id);
  g_autofree char *body = report_body (fixture, fixture->booking.doctor_id, file,
                                       "recording", "");
  g_autofree char *complete = report_body (fixture, fixture->booking.doctor_id, file, "complete",
                                           ", \"ended_at\": 1740792600, \"bytes\": 123456");
  g_autofree char *outsider = report_body (fixture, fixture->booking.coordinator_id,
                                           "1/x-video.webm", "recording", "");
  g_autofree char *escaping = report_body (fixture, fixture->booking.doctor_id,
                                           "../secret.webm", "recording", "");
  g_autofree char *tampered_header = hz_request_auth_sign (secret, "POST", REPORT_PATH, now,
                                                           "{}", 2);
  g_auto (Response) unsigned_report = report (fixture, NULL, now, body);
  g_auto (Response) wrong_secret = report (fixture, &other_secret, now, body);
  g_auto (Response) stale = report (fixture, secret, now - HZ_REQUEST_AUTH_MAX_SKEW - 60, body);
  g_auto (Response) tampered = send_raw (fixture, "POST", REPORT_PATH, tampered_header, body,
                                         strlen (body), NULL);
  g_auto (Response) listed_empty = { 0 };
  g_auto (Response) stored = { 0 };
  g_auto (Response) updated = { 0 };
  g_auto (Response) listed = { 0 };
  g_auto (Response) not_participant = report (fixture, secret, now, outsider);
  g_auto (Response) bad_path = report (fixture, secret, now, escaping);
  JsonArray *recordings;
  JsonObject *recording;

  assert_error (&unsigned_report, 401, "invalid_signature");
  assert_error (&wrong_secret, 401, "invalid_signature");
  assert_error (&stale, 401, "invalid_signature");
  assert_error (&tampered, 401, "invalid_signature");
  g_assert_cmpuint (json_array_get_length (list_recordings (fixture, &listed_empty)), ==, 0);

  stored = report (fixture, secret, now, body);
  g_assert_cmpuint (stored.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (response_object (&stored), "status"),
                   ==, "recording");

  updated = report (fixture, secret, now, complete);
  g_assert_cmpuint (updated.status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (response_object (&updated), "id"), ==,
                   json_object_get_int_member (response_object (&stored), "id"));

  recordings = list_recordings (fixture, &listed);
  g_assert_cmpuint (json_array_get_length (recordings), ==, 1);
  recording = json_array_get_object_element (recordings, 0);
  g_assert_cmpstr (json_object_get_string_member (recording, "path"), ==, file);
  g_assert_cmpstr (json_object_get_string_member (recording, "status"), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (recording, "kind"), ==, "video");
  g_assert_cmpint (json_object_get_int_member (recording, "bytes"), ==, 123456);
  g_assert_cmpint (json_object_get_int_member (recording, "session_id"), ==,
                   fixture->booking.session_id);
  g_assert_cmpint (g_ascii_strtoll (json_object_get_string_member (recording, "participant_id"),
                                    NULL, 10), ==, fixture->booking.doctor_id);
  g_assert_cmpint (member_time (recording, "started_at"), ==, 1740790800);
  g_assert_cmpint (member_time (recording, "ended_at"), ==, 1740792600);

  assert_error (&not_participant, 400, "invalid_field");
  assert_error (&bad_path, 400, "invalid_field");
}

/* Sends a signed recording report of the doctor's video at PATH with
 * STATUS, started at STARTED_AT (Unix seconds); EXTRA is appended to the
 * body's members. */
static Response
report_recording (Fixture    *fixture,
                  gint64      session_id,
                  gint64      participant_id,
                  const char *path,
                  const char *status,
                  gint64      started_at,
                  const char *extra)
{
  g_autofree char *body = g_strdup_printf (
    "{\"session_id\": %" G_GINT64_FORMAT ", \"participant_id\": %" G_GINT64_FORMAT ","
    " \"kind\": \"video\", \"path\": \"%s\", \"status\": \"%s\", \"started_at\": %"
    G_GINT64_FORMAT "%s}", session_id, participant_id, path, status, started_at, extra);

  return report (fixture, &fixture->daemons->secret, g_get_real_time () / G_USEC_PER_SEC, body);
}

/* The catalogue keeps what it stored: a status moves only forward, the
 * response is the stored row, the path names a file of the reported
 * session, and a path of another recording is a conflict. */
static void
test_recording_report_rules (Fixture       *fixture,
                             gconstpointer  user_data)
{
  gint64 session = fixture->booking.session_id;
  gint64 doctor = fixture->booking.doctor_id;
  g_autofree char *video = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "-video.webm",
                                            session, doctor);
  g_autofree char *second = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                             "-2-video.mkv", session, doctor);
  g_autofree char *other_session = g_strdup_printf ("%" G_GINT64_FORMAT "/9-video.webm",
                                                    session + 1);
  g_autofree char *dots = g_strdup_printf ("%" G_GINT64_FORMAT "/..-video.webm", session);
  g_autofree char *nested = g_strdup_printf ("%" G_GINT64_FORMAT "/x/9-video.webm", session);
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "/9-video.txt", session);
  g_autofree char *bare = g_strdup_printf ("%" G_GINT64_FORMAT "/.webm", session);
  g_autofree char *padded = g_strdup_printf ("0%" G_GINT64_FORMAT "/9-video.webm", session);
  const char *bad_paths[] = { other_session, dots, nested, text, bare, padded, "C:/x.webm",
                              "/1/9-video.webm", "" };
  g_auto (Response) started = report_recording (fixture, session, doctor, video, "recording",
                                                1740790800, "");
  /* A late report with another start and no size returns what is stored. */
  g_auto (Response) complete = report_recording (fixture, session, doctor, video, "complete",
                                                 1740790000, ", \"ended_at\": 1740792600,"
                                                 " \"bytes\": 5000");
  g_auto (Response) again = report_recording (fixture, session, doctor, video, "complete",
                                              1740790000, "");
  g_auto (Response) failed = report_recording (fixture, session, doctor, video, "failed",
                                               1740790800, "");
  g_auto (Response) restarted = report_recording (fixture, session, doctor, video, "recording",
                                                  1740790800, "");
  g_auto (Response) taken = report_recording (fixture, session, fixture->booking.expert_id, video,
                                              "recording", 1740790800, "");
  g_auto (Response) interrupted = report_recording (fixture, session, doctor, second,
                                                    "interrupted", 1740790800, "");
  g_auto (Response) revived = report_recording (fixture, session, doctor, second, "complete",
                                                1740790800, "");
  JsonObject *row;

  g_assert_cmpuint (started.status, ==, 200);
  g_assert_cmpuint (complete.status, ==, 200);
  row = response_object (&complete);
  g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "complete");
  g_assert_cmpint (member_time (row, "started_at"), ==, 1740790800);
  g_assert_cmpint (member_time (row, "ended_at"), ==, 1740792600);
  g_assert_cmpint (json_object_get_int_member (row, "bytes"), ==, 5000);

  g_assert_cmpuint (again.status, ==, 200);
  row = response_object (&again);
  g_assert_cmpint (member_time (row, "started_at"), ==, 1740790800);
  g_assert_cmpint (member_time (row, "ended_at"), ==, 1740792600);
  g_assert_cmpint (json_object_get_int_member (row, "bytes"), ==, 5000);

  assert_error (&failed, 409, "recording_finished");
  assert_error (&restarted, 409, "recording_finished");
  assert_error (&taken, 409, "recording_path_taken");
  g_assert_cmpuint (interrupted.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (response_object (&interrupted), "status"), ==,
                   "interrupted");
  assert_error (&revived, 409, "recording_finished");

  for (gsize i = 0; i < G_N_ELEMENTS (bad_paths); i++)
    {
      g_auto (Response) response = report_recording (fixture, session, doctor, bad_paths[i],
                                                     "recording", 1740790800, "");

      g_test_message ("path %s", bad_paths[i]);
      assert_error (&response, 400, "invalid_field");
      g_assert_nonnull (strstr (json_object_get_string_member (response_object (&response),
                                                               "message"), "path"));
    }
}

/* The web pages may connect only to the scheduler and to the relay that
 * GET /client-config names: the relay of [relay] listen here, whose port
 * is 0 in the fixture's config. */
static void
test_relay_policy (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *policy_part = "connect-src 'self' ws://127.0.0.1:0;";
  g_auto (Response) config = send_raw (fixture, "GET", "/api/v1/client-config", NULL, NULL, 0,
                                       NULL);
  g_auto (Response) join = send_raw (fixture, "GET", "/join.html", NULL, NULL, 0, NULL);
  g_auto (Response) index = send_raw (fixture, "GET", "/", NULL, NULL, 0, NULL);
  g_auto (Response) script = send_raw (fixture, "GET", "/js/join.js", NULL, NULL, 0, NULL);
  const char *join_policy;

  g_assert_cmpuint (config.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (response_object (&config), "relay_url"), ==,
                   "ws://127.0.0.1:0/ws");

  g_assert_cmpuint (join.status, ==, 200);
  join_policy = soup_message_headers_get_one (join.headers, "Content-Security-Policy");
  g_assert_nonnull (join_policy);
  g_test_message ("join.html: %s", join_policy);
  g_assert_nonnull (strstr (join_policy, policy_part));
  g_assert_nonnull (strstr (join_policy, "default-src 'self';"));
  g_assert_null (strstr (join_policy, " ws: "));
  g_assert_null (strstr (join_policy, " wss:"));
  g_assert_cmpstr (soup_message_headers_get_one (index.headers, "Content-Security-Policy"), ==,
                   join_policy);
  g_assert_null (soup_message_headers_get_one (script.headers, "Content-Security-Policy"));
}

static void
test_static_files (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_auto (Response) index = send_raw (fixture, "GET", "/", NULL, NULL, 0, NULL);
  g_auto (Response) join = send_raw (fixture, "HEAD", "/join.html", NULL, NULL, 0, NULL);
  g_auto (Response) svg = send_raw (fixture, "GET", "/favicon.svg", NULL, NULL, 0, NULL);
  g_auto (Response) missing = send_raw (fixture, "GET", "/missing.html", NULL, NULL, 0, NULL);
  g_auto (Response) encoded = send_raw (fixture, "GET", "/js/%2e%2e/%2e%2e/meson.build", NULL,
                                        NULL, 0, NULL);
  g_auto (Response) post = send_raw (fixture, "POST", "/join.html", NULL, "{}", 2, NULL);

  g_assert_cmpuint (index.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (index.headers, NULL), ==, "text/html");
  g_assert_cmpstr (soup_message_headers_get_one (index.headers, "Cache-Control"), ==, "no-cache");
  g_assert_cmpstr (soup_message_headers_get_one (index.headers, "X-Content-Type-Options"),
                   ==, "nosniff");
  g_assert_cmpuint (join.status, ==, 200);
  g_assert_cmpuint (svg.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (svg.headers, NULL), ==, "image/svg+xml");
  g_assert_cmpuint (missing.status, ==, 404);
  g_assert_cmpuint (encoded.status, >=, 400);
  g_assert_cmpuint (encoded.status, <, 500);
  g_assert_cmpuint (post.status, ==, 405);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, function) \
  g_test_add ("/scheduler/" name, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD ("booking/readable", test_booking_readable);
  ADD ("booking/back-to-back", test_back_to_back_booking);
  ADD ("booking/cancel-frees-slot", test_cancel_frees_slot);
  ADD ("booking/time-limits", test_booking_time_limits);
  ADD ("join-token/participants-only", test_join_token_participants_only);
  ADD ("join-token/verifies", test_join_token_verifies);
  ADD ("errors/language", test_error_language);
  ADD ("errors/bad-requests", test_bad_requests);
  ADD ("errors/json-input", test_json_input);
  ADD ("organizations/timezones", test_organization_timezones);
  ADD ("organizations/invalid-level-role", test_directory_values);
  ADD ("visibility/other-county", test_other_county_not_found);
  ADD ("recordings/reports", test_recording_reports);
  ADD ("recordings/report-rules", test_recording_report_rules);
  ADD ("static/files", test_static_files);
  ADD ("static/relay-policy", test_relay_policy);

#undef ADD

  return g_test_run ();
}
