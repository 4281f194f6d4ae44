/* Integration tests of the recordings library: the real scheduler on
 * loopback with a temporary database and real files in its
 * recordings-dir, reported through the relay's signed endpoint.
 *
 * The cases cover byte ranges (206 with exactly the bytes, open-ended and
 * suffix ranges, 416), the SHA-256 and ETag, and access per role and
 * organization with sharing to trainees. They also cover search filters
 * and paging, the retention policy, and the rejection of reports for a
 * session booked without recording.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "hz-request-auth.h"
#include "hz-test-daemons.h"

#define HTTP_TIMEOUT_SECONDS 10
#define BOOKING_START_OFFSET_S (-60)
#define BOOKING_DURATION_S 3600
#define RETENTION_DAYS 30
#define FILE_BYTES 100000
#define CHECKSUM_WAIT_MS 10000
#define REPORT_PATH "/api/v1/internal/recordings"

typedef struct {
  HzTestDaemons *daemons;
  HzTestBooking booking;
  SoupSession *session;
} Fixture;

typedef struct {
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
} Response;

static void
response_clear (Response *response)
{
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *keys = g_strdup_printf ("recordings-retention-days = %d\n", RETENTION_DAYS);

  fixture->daemons = hz_test_daemons_start_with_keys (HZ_TEST_DAEMONS_SCHEDULER, keys, &error);
  g_assert_no_error (error);
  hz_test_book_consultation (fixture->daemons, BOOKING_START_OFFSET_S, BOOKING_DURATION_S,
                             &fixture->booking, &error);
  g_assert_no_error (error);
  fixture->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_SECONDS, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->session);
  hz_test_booking_clear (&fixture->booking);
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
}

/* Sends METHOD PATH with KEY (or none), the header NAME: VALUE (when NAME
 * is not NULL) and BODY as JSON (when not NULL). */
static Response
send_request (Fixture    *fixture,
              const char *method,
              const char *path,
              const char *key,
              const char *name,
              const char *value,
              const char *body)
{
  g_autofree char *url = g_strconcat (fixture->daemons->scheduler_url, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  g_autoptr (GError) error = NULL;
  Response response = { 0 };

  if (key != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (name != NULL)
    soup_message_headers_replace (headers, name, value);
  soup_message_headers_replace (headers, "Accept-Language", "en");
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  response.body = soup_session_send_and_read (fixture->session, message, NULL, &error);
  g_assert_no_error (error);
  response.status = soup_message_get_status (message);
  response.headers = soup_message_headers_ref (soup_message_get_response_headers (message));
  return response;
}

/* Returns the response's JSON object, asserting that there is one. */
static JsonObject *
parse_object (const Response *response,
              JsonParser     *parser)
{
  gsize length;
  const char *data = g_bytes_get_data (response->body, &length);

  g_assert_true (json_parser_load_from_data (parser, data, (gssize) length, NULL));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_error_code (const Response *response,
                   guint           status,
                   const char     *code)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (parse_object (response, parser), "code"), ==,
                   code);
}

/* Posts a recording report signed with the relay's secret and returns the
 * HTTP status. */
static guint
report (Fixture    *fixture,
        gint64      session_id,
        gint64      participant_id,
        const char *path,
        const char *status,
        const char *started_at,
        gint64      bytes)
{
  g_autofree char *body = g_strdup_printf (
    "{\"session_id\": %" G_GINT64_FORMAT ", \"participant_id\": \"%" G_GINT64_FORMAT "\","
    " \"kind\": \"video\", \"path\": \"%s\", \"status\": \"%s\", \"started_at\": \"%s\"%s}",
    session_id, participant_id, path, status, started_at,
    bytes >= 0 ? ", \"ended_at\": \"2026-01-01T00:00:00Z\", \"bytes\": 100000" : "");
  g_autofree char *url = g_strconcat (fixture->daemons->scheduler_url, REPORT_PATH, NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr (GBytes) request_body = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *authorization = hz_request_auth_sign (&fixture->daemons->secret, "POST",
                                                         REPORT_PATH,
                                                         g_get_real_time () / G_USEC_PER_SEC,
                                                         body, strlen (body));

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", request_body);
  received = soup_session_send_and_read (fixture->session, message, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (message);
}

/* Writes FILE_BYTES of a fixed pseudo-random pattern to recordings-dir/PATH
 * and returns them. */
static GBytes *
write_recording_file (Fixture    *fixture,
                      const char *path,
                      guint32     seed)
{
  g_autofree char *file = g_build_filename (fixture->daemons->recordings_dir, path, NULL);
  g_autofree char *dir = g_path_get_dirname (file);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (FILE_BYTES);
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < FILE_BYTES; i++)
    data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (file, (const char *) data, FILE_BYTES, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, FILE_BYTES);
}

/* Creates a recording of the booking's doctor at PATH below the session,
 * reports it complete and returns its id. */
static gint64
add_recording (Fixture    *fixture,
               const char *name,
               const char *started_at,
               guint32     seed,
               GBytes    **contents)
{
  g_autofree char *path = g_strdup_printf ("%" G_GINT64_FORMAT "/%s",
                                           fixture->booking.session_id, name);
  g_autofree char *list_path = g_strdup_printf ("/api/v1/sessions/%" G_GINT64_FORMAT
                                                "/recordings", fixture->booking.session_id);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Response) listed = { 0 };
  JsonArray *recordings;
  GBytes *written = write_recording_file (fixture, path, seed);

  g_assert_cmpuint (report (fixture, fixture->booking.session_id, fixture->booking.doctor_id,
                            path, "recording", started_at, -1), ==, 200);
  g_assert_cmpuint (report (fixture, fixture->booking.session_id, fixture->booking.doctor_id,
                            path, "complete", started_at, FILE_BYTES), ==, 200);

  listed = send_request (fixture, "GET", list_path, fixture->daemons->admin_key, NULL, NULL,
                         NULL);
  g_assert_cmpuint (listed.status, ==, 200);
  recordings = json_object_get_array_member (parse_object (&listed, parser), "recordings");
  if (contents != NULL)
    *contents = written;
  else
    g_bytes_unref (written);
  for (guint i = 0; i < json_array_get_length (recordings); i++)
    {
      JsonObject *recording = json_array_get_object_element (recordings, i);

      if (g_str_equal (json_object_get_string_member (recording, "path"), path))
        return json_object_get_int_member (recording, "id");
    }
  g_assert_not_reached ();
}

static char *
file_path (gint64 id)
{
  return g_strdup_printf ("/api/v1/recordings/%" G_GINT64_FORMAT "/file", id);
}

static char *
recording_path (gint64 id)
{
  return g_strdup_printf ("/api/v1/recordings/%" G_GINT64_FORMAT, id);
}

/* Waits until recording ID has a SHA-256 and returns it. */
static char *
wait_sha256 (Fixture *fixture,
             gint64   id)
{
  g_autofree char *path = recording_path (id);
  gint64 deadline = g_get_monotonic_time () + CHECKSUM_WAIT_MS * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_auto (Response) got = send_request (fixture, "GET", path, fixture->daemons->admin_key,
                                            NULL, NULL, NULL);
      JsonObject *object;

      g_assert_cmpuint (got.status, ==, 200);
      object = parse_object (&got, parser);
      if (!json_object_get_null_member (object, "sha256"))
        return g_strdup (json_object_get_string_member (object, "sha256"));
      g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    }
  g_assert_not_reached ();
}

/* Creates a user of ROLE in ORG_ID and returns its API key. */
static char *
create_user (Fixture    *fixture,
             gint64      org_id,
             const char *role)
{
  g_autofree char *body = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"%s\","
                                           " \"role\": \"%s\"}", org_id, role, role);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Response) created = send_request (fixture, "POST", "/api/v1/users",
                                            fixture->daemons->admin_key, NULL, NULL, body);

  g_assert_cmpuint (created.status, ==, 201);
  return g_strdup (json_object_get_string_member (parse_object (&created, parser), "api_key"));
}

static gint64
create_county (Fixture    *fixture,
               const char *name)
{
  g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\", \"name_en\": \"%s\","
                                           " \"level\": \"county\"}", name, name);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Response) created = send_request (fixture, "POST", "/api/v1/organizations",
                                            fixture->daemons->admin_key, NULL, NULL, body);

  g_assert_cmpuint (created.status, ==, 201);
  return json_object_get_int_member (parse_object (&created, parser), "id");
}

/* Checks that BODY is LENGTH bytes of CONTENTS from OFFSET on. */
static void
assert_bytes (GBytes *body,
              GBytes *contents,
              gsize   offset,
              gsize   length)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (body, &size);

  g_assert_cmpuint (size, ==, length);
  g_assert_cmpmem (data, size, (const guint8 *) g_bytes_get_data (contents, NULL) + offset,
                   length);
}

/* Cases ----------------------------------------------------------------------- */

static void
test_range_middle (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr (GBytes) contents = NULL;
  gint64 id = add_recording (fixture, "2-video.webm", "2026-12-01T09:00:00+08:00", 1, &contents);
  g_autofree char *path = file_path (id);
  g_autofree char *sha256 = wait_sha256 (fixture, id);
  g_autofree char *etag = g_strdup_printf ("\"%s\"", sha256);
  g_auto (Response) middle = send_request (fixture, "GET", path, fixture->booking.doctor_key,
                                           "Range", "bytes=40000-59999", NULL);

  g_assert_cmpuint (middle.status, ==, 206);
  assert_bytes (middle.body, contents, 40000, 20000);
  g_assert_cmpstr (soup_message_headers_get_one (middle.headers, "Content-Range"), ==,
                   "bytes 40000-59999/100000");
  g_assert_cmpstr (soup_message_headers_get_one (middle.headers, "Content-Length"), ==, "20000");
  g_assert_cmpstr (soup_message_headers_get_one (middle.headers, "Accept-Ranges"), ==, "bytes");
  g_assert_cmpstr (soup_message_headers_get_content_type (middle.headers, NULL), ==,
                   "video/webm");
  g_assert_cmpstr (soup_message_headers_get_one (middle.headers, "ETag"), ==, etag);
}

static void
test_range_forms (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr (GBytes) contents = NULL;
  gint64 id = add_recording (fixture, "2-video.mkv", "2026-12-01T09:00:00+08:00", 2, &contents);
  g_autofree char *path = file_path (id);
  const char *key = fixture->booking.expert_key;
  g_auto (Response) whole = send_request (fixture, "GET", path, key, NULL, NULL, NULL);
  g_auto (Response) open_ended = send_request (fixture, "GET", path, key, "Range",
                                               "bytes=99000-", NULL);
  g_auto (Response) suffix = send_request (fixture, "GET", path, key, "Range", "bytes=-500",
                                           NULL);
  g_auto (Response) past_end = send_request (fixture, "GET", path, key, "Range",
                                             "bytes=99990-200000", NULL);
  g_auto (Response) unsatisfiable = send_request (fixture, "GET", path, key, "Range",
                                                  "bytes=100000-", NULL);
  g_auto (Response) head = send_request (fixture, "HEAD", path, key, NULL, NULL, NULL);

  g_test_message ("whole file");
  g_assert_cmpuint (whole.status, ==, 200);
  assert_bytes (whole.body, contents, 0, FILE_BYTES);
  g_assert_cmpstr (soup_message_headers_get_content_type (whole.headers, NULL), ==,
                   "video/x-matroska");
  g_assert_cmpstr (soup_message_headers_get_one (whole.headers, "Accept-Ranges"), ==, "bytes");

  g_test_message ("open-ended range");
  g_assert_cmpuint (open_ended.status, ==, 206);
  assert_bytes (open_ended.body, contents, 99000, 1000);
  g_assert_cmpstr (soup_message_headers_get_one (open_ended.headers, "Content-Range"), ==,
                   "bytes 99000-99999/100000");

  g_test_message ("suffix range");
  g_assert_cmpuint (suffix.status, ==, 206);
  assert_bytes (suffix.body, contents, FILE_BYTES - 500, 500);
  g_assert_cmpstr (soup_message_headers_get_one (suffix.headers, "Content-Range"), ==,
                   "bytes 99500-99999/100000");

  g_test_message ("range past the end");
  g_assert_cmpuint (past_end.status, ==, 206);
  assert_bytes (past_end.body, contents, 99990, 10);

  g_test_message ("unsatisfiable range");
  assert_error_code (&unsatisfiable, 416, "range_not_satisfiable");
  g_assert_cmpstr (soup_message_headers_get_one (unsatisfiable.headers, "Content-Range"), ==,
                   "bytes */100000");

  g_test_message ("HEAD");
  g_assert_cmpuint (head.status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (head.headers, "Content-Length"), ==, "100000");
  g_assert_cmpuint (g_bytes_get_size (head.body), ==, 0);
}

static void
test_checksum_matches_file (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr (GBytes) contents = NULL;
  gint64 id = add_recording (fixture, "2-audio.webm", "2026-12-01T09:00:00+08:00", 3, &contents);
  g_autofree char *sha256 = wait_sha256 (fixture, id);
  g_autofree char *expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, contents);
  g_autofree char *path = file_path (id);
  g_autofree char *etag = g_strdup_printf ("\"%s\"", sha256);
  g_auto (Response) not_modified = send_request (fixture, "GET", path,
                                                 fixture->booking.doctor_key, "If-None-Match",
                                                 etag, NULL);

  g_assert_cmpstr (sha256, ==, expected);
  g_assert_cmpuint (not_modified.status, ==, 304);
}

static void
test_access_by_role (Fixture       *fixture,
                     gconstpointer  data)
{
  gint64 id = add_recording (fixture, "2-video.webm", "2026-12-01T09:00:00+08:00", 4, NULL);
  g_autofree char *path = file_path (id);
  g_autofree char *share_path = g_strdup_printf ("/api/v1/recordings/%" G_GINT64_FORMAT "/share",
                                                 id);
  g_autofree char *share_body = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT "}",
                                                 fixture->booking.county_org_id);
  gint64 other_county = create_county (fixture, "Other County Hospital");
  g_autofree char *trainee_key = create_user (fixture, fixture->booking.county_org_id, "trainee");
  g_autofree char *outsider_key = create_user (fixture, other_county, "doctor");
  g_auto (Response) trainee_before = send_request (fixture, "GET", path, trainee_key, NULL, NULL,
                                                   NULL);
  g_auto (Response) trainee_unknown = send_request (fixture, "GET", "/api/v1/recordings/999999/file",
                                                    trainee_key, NULL, NULL, NULL);
  g_auto (Response) outsider = send_request (fixture, "GET", path, outsider_key, NULL, NULL,
                                             NULL);
  g_auto (Response) participant_org = send_request (fixture, "GET", path,
                                                    fixture->booking.doctor_key, NULL, NULL,
                                                    NULL);
  g_auto (Response) share_by_doctor = send_request (fixture, "POST", share_path,
                                                    fixture->booking.doctor_key, NULL, NULL,
                                                    share_body);
  g_auto (Response) share_by_trainee = send_request (fixture, "POST", share_path, trainee_key,
                                                     NULL, NULL, share_body);
  g_auto (Response) share_by_expert = { 0 };
  g_auto (Response) trainee_after = { 0 };
  g_auto (Response) outsider_after = { 0 };

  g_test_message ("trainee of an organization without a share");
  assert_error_code (&trainee_before, 403, "recording_forbidden");
  g_test_message ("an id that does not exist looks the same to an outsider");
  assert_error_code (&trainee_unknown, 403, "recording_forbidden");
  g_test_message ("doctor of a county that did not take part");
  assert_error_code (&outsider, 403, "recording_forbidden");
  g_test_message ("doctor of the requesting county");
  g_assert_cmpuint (participant_org.status, ==, 200);
  g_test_message ("only the session's owner shares");
  assert_error_code (&share_by_doctor, 403, "forbidden");
  assert_error_code (&share_by_trainee, 403, "recording_forbidden");

  share_by_expert = send_request (fixture, "POST", share_path, fixture->booking.expert_key, NULL,
                                  NULL, share_body);
  g_assert_cmpuint (share_by_expert.status, ==, 200);
  trainee_after = send_request (fixture, "GET", path, trainee_key, NULL, NULL, NULL);
  outsider_after = send_request (fixture, "GET", path, outsider_key, NULL, NULL, NULL);
  g_test_message ("trainee after the share");
  g_assert_cmpuint (trainee_after.status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (trainee_after.body), ==, FILE_BYTES);
  g_test_message ("the share is for that organization only");
  assert_error_code (&outsider_after, 403, "recording_forbidden");
}

/* Returns the ids that GET /recordings?QUERY lists for KEY. */
static GArray *
search_ids (Fixture    *fixture,
            const char *key,
            const char *query)
{
  g_autofree char *path = g_strconcat ("/api/v1/recordings?", query, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Response) found = send_request (fixture, "GET", path, key, NULL, NULL, NULL);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *recordings;

  g_test_message ("GET %s", path);
  g_assert_cmpuint (found.status, ==, 200);
  recordings = json_object_get_array_member (parse_object (&found, parser), "recordings");
  for (guint i = 0; i < json_array_get_length (recordings); i++)
    {
      gint64 id = json_object_get_int_member (json_array_get_object_element (recordings, i),
                                              "id");

      g_array_append_val (ids, id);
    }
  return ids;
}

static void
assert_search (Fixture    *fixture,
               const char *query,
               guint       count,
               gint64      first_id)
{
  g_autoptr (GArray) ids = search_ids (fixture, fixture->booking.expert_key, query);

  g_assert_cmpuint (ids->len, ==, count);
  if (count > 0)
    g_assert_cmpint (g_array_index (ids, gint64, 0), ==, first_id);
}

static void
test_search_filters (Fixture       *fixture,
                     gconstpointer  data)
{
  gint64 first = add_recording (fixture, "2-video.webm", "2026-11-02T09:00:00+08:00", 5, NULL);
  gint64 second = add_recording (fixture, "2-audio.webm", "2026-11-20T09:00:00+08:00", 6, NULL);
  g_autofree char *first_path = recording_path (first);
  g_autofree char *by_presenter = g_strdup_printf ("presenter_id=%" G_GINT64_FORMAT,
                                                   fixture->booking.expert_id);
  g_autofree char *by_org = g_strdup_printf ("org_id=%" G_GINT64_FORMAT,
                                             fixture->booking.county_org_id);
  gint64 other_county = create_county (fixture, "Third County Hospital");
  g_autofree char *by_other_org = g_strdup_printf ("org_id=%" G_GINT64_FORMAT, other_county);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (Response) edited = send_request (fixture, "PATCH", first_path,
                                           fixture->booking.expert_key, NULL, NULL,
                                           "{\"title\": \"胸痛病例讨论\", \"tags\": [\"心内科\", \"教学\"]}");
  g_auto (Response) edited_by_doctor = send_request (fixture, "PATCH", first_path,
                                                     fixture->booking.doctor_key, NULL, NULL,
                                                     "{\"title\": \"x\"}");
  g_auto (Response) bad_tag = send_request (fixture, "PATCH", first_path,
                                            fixture->booking.expert_key, NULL, NULL,
                                            "{\"tags\": [\"a,b\"]}");
  g_autoptr (GArray) page = NULL;
  JsonObject *object;

  g_assert_cmpuint (edited.status, ==, 200);
  object = parse_object (&edited, parser);
  g_assert_cmpstr (json_object_get_string_member (object, "title"), ==, "胸痛病例讨论");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "tags")), ==, 2);
  assert_error_code (&edited_by_doctor, 403, "forbidden");
  assert_error_code (&bad_tag, 400, "invalid_field");

  assert_search (fixture, "", 2, second);
  assert_search (fixture, "tags=心内科", 1, first);
  assert_search (fixture, "tags=心内科,教学", 1, first);
  assert_search (fixture, "tags=心内科,外科", 0, 0);
  assert_search (fixture, "specialty=心血管内科", 2, second);
  assert_search (fixture, "specialty=神经内科", 0, 0);
  assert_search (fixture, by_presenter, 2, second);
  assert_search (fixture, "presenter_id=999999", 0, 0);
  assert_search (fixture, by_org, 2, second);
  assert_search (fixture, by_other_org, 0, 0);
  assert_search (fixture, "from=2026-11-10T00:00:00%2B08:00", 1, second);
  assert_search (fixture, "to=2026-11-10T00:00:00%2B08:00", 1, first);
  assert_search (fixture, "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", 2, second);

  page = search_ids (fixture, fixture->booking.expert_key, "limit=1");
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_cmpint (g_array_index (page, gint64, 0), ==, second);
  g_clear_pointer (&page, g_array_unref);
  {
    g_autofree char *next = g_strdup_printf ("limit=1&before_id=%" G_GINT64_FORMAT, second);

    assert_search (fixture, next, 1, first);
  }
}

/* Counts the audit rows of ACTION on recording ID in the database file. */
static int
count_audit (Fixture    *fixture,
             const char *action,
             gint64      id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int count = -1;

  g_assert_cmpint (sqlite3_open_v2 (fixture->daemons->database_path, &db, SQLITE_OPEN_READONLY,
                                    NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (*) FROM audit_log WHERE action = ?"
                                       " AND object_type = 'recording' AND object_id = ?", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, action, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

static char *
days_ago (int days)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) then = g_date_time_add_days (now, -days);

  return g_date_time_format_iso8601 (then);
}

static void
test_retention (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *old = days_ago (RETENTION_DAYS + 10);
  g_autofree char *recent = days_ago (RETENTION_DAYS - 10);
  gint64 expired = add_recording (fixture, "2-video.webm", old, 7, NULL);
  gint64 kept = add_recording (fixture, "2-audio.webm", old, 8, NULL);
  gint64 young = add_recording (fixture, "2-2-video.webm", recent, 9, NULL);
  g_autofree char *kept_path = recording_path (kept);
  g_autofree char *expired_path = recording_path (expired);
  g_autofree char *young_path = recording_path (young);
  g_autofree char *expired_file = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/2-video.webm",
                                                   fixture->daemons->recordings_dir,
                                                   fixture->booking.session_id);
  g_autofree char *kept_file = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/2-audio.webm",
                                                fixture->daemons->recordings_dir,
                                                fixture->booking.session_id);
  g_autofree char *scheduler = g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"), "scheduler",
                                                 "huizhen-scheduler", NULL);
  g_autofree char *output = NULL;
  g_autoptr (GSubprocess) run = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Response) keep = send_request (fixture, "PATCH", kept_path,
                                         fixture->booking.expert_key, NULL, NULL,
                                         "{\"keep_for_training\": true}");
  g_auto (Response) expired_after = { 0 };
  g_auto (Response) kept_after = { 0 };
  g_auto (Response) young_after = { 0 };

  g_assert_cmpuint (keep.status, ==, 200);

  run = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, scheduler, "--config",
                          fixture->daemons->config_path, "--apply-retention", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (run, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (run));
  g_assert_cmpint (g_subprocess_get_exit_status (run), ==, 0);
  g_assert_cmpstr (output, ==, "1\n");

  expired_after = send_request (fixture, "GET", expired_path, fixture->daemons->admin_key, NULL,
                                NULL, NULL);
  kept_after = send_request (fixture, "GET", kept_path, fixture->daemons->admin_key, NULL, NULL,
                             NULL);
  young_after = send_request (fixture, "GET", young_path, fixture->daemons->admin_key, NULL,
                              NULL, NULL);
  assert_error_code (&expired_after, 404, "not_found");
  g_assert_false (g_file_test (expired_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_audit (fixture, "recording.delete", expired), ==, 1);
  g_assert_cmpuint (kept_after.status, ==, 200);
  g_assert_true (g_file_test (kept_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count_audit (fixture, "recording.delete", kept), ==, 0);
  g_assert_cmpuint (young_after.status, ==, 200);
}

/* A recording whose file is a symbolic link to a file outside
 * recordings-dir is not served, and looks like a missing file. */
static void
test_path_outside_dir (Fixture       *fixture,
                       gconstpointer  data)
{
  gint64 id = add_recording (fixture, "2-video.webm", "2026-12-01T09:00:00+08:00", 10, NULL);
  g_autofree char *path = file_path (id);
  g_autofree char *outside = g_build_filename (fixture->daemons->dir, "outside.webm", NULL);
  g_autofree char *link = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/2-video.webm",
                                           fixture->daemons->recordings_dir,
                                           fixture->booking.session_id);
  g_autoptr (GError) error = NULL;
  g_auto (Response) escaped = { 0 };

  g_file_set_contents (outside, "not a recording", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (symlink (outside, link), ==, 0);

  escaped = send_request (fixture, "GET", path, fixture->booking.expert_key, NULL, NULL, NULL);
  assert_error_code (&escaped, 404, "recording_file_missing");
}

static void
test_report_without_consent (Fixture       *fixture,
                             gconstpointer  data)
{
  HzTestBooking unrecorded = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  hz_test_book_consultation_recorded (fixture->daemons, BOOKING_START_OFFSET_S,
                                      BOOKING_DURATION_S, FALSE, &unrecorded, &error);
  g_assert_no_error (error);
  path = g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "-video.webm",
                          unrecorded.session_id, unrecorded.doctor_id);

  g_assert_cmpuint (report (fixture, unrecorded.session_id, unrecorded.doctor_id, path,
                            "recording", "2026-12-01T09:00:00+08:00", -1), ==, 409);
  hz_test_booking_clear (&unrecorded);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/recordings/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("range-middle", test_range_middle);
  ADD ("range-forms", test_range_forms);
  ADD ("checksum-matches-file", test_checksum_matches_file);
  ADD ("access-by-role", test_access_by_role);
  ADD ("search-filters", test_search_filters);
  ADD ("retention", test_retention);
  ADD ("path-outside-dir", test_path_outside_dir);
  ADD ("report-without-consent", test_report_without_consent);
#undef ADD

  return g_test_run ();
}
