/* GET /api/v1/internal/sessions/{id}, which the relay calls at each join:
 * signed with the relay's request signature, it returns the session's
 * status and times; it follows a cancellation and rejects unsigned calls.
 */
#define G_LOG_DOMAIN "hz-test-sched"

#include "hz-request-auth.h"
#include "hz-test-daemons.h"

#include <libsoup/soup.h>
#include <string.h>

#define BOOKING_START_OFFSET_S (-60)
#define BOOKING_DURATION_S 3600

/* GETs PATH from the scheduler, signed like the relay's calls when SIGNED,
 * and returns the JSON object of the response (or NULL) and its status. */
static JsonObject *
get_internal (HzTestDaemons *daemons, const char *path, gboolean signed_request, guint *status)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (daemons->scheduler_url, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (signed_request) {
    g_autofree char *authorization = hz_request_auth_sign (&daemons->secret, "GET", path,
                                                           g_get_real_time () / G_USEC_PER_SEC,
                                                           "", 0);

    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  authorization);
  }
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (message);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
parse_time (JsonObject *object, const char *member)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (
      json_object_get_string_member (object, member), NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

static void
test_internal_session (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  HzTestBooking booking = { 0, };
  gint64 booked_at = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *path = NULL;
  g_autofree char *cancel_path = NULL;
  g_autoptr (JsonObject) session = NULL;
  g_autoptr (JsonObject) cancelled = NULL;
  g_autoptr (JsonObject) unsigned_reply = NULL;
  g_autoptr (JsonObject) unknown = NULL;
  g_autoptr (JsonNode) cancel = NULL;
  guint status = 0;

  g_assert_no_error (error);
  hz_test_book_consultation (daemons, BOOKING_START_OFFSET_S, BOOKING_DURATION_S, &booking,
                             &error);
  g_assert_no_error (error);
  path = g_strdup_printf ("/api/v1/internal/sessions/%" G_GINT64_FORMAT, booking.session_id);

  session = get_internal (daemons, path, TRUE, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (session);
  g_assert_cmpint (json_object_get_int_member (session, "session_id"), ==, booking.session_id);
  g_assert_cmpstr (json_object_get_string_member (session, "status"), ==, "scheduled");
  g_assert_true (json_object_get_boolean_member (session, "recording"));
  /* The booking's times are whole seconds taken just before BOOKED_AT. */
  g_assert_cmpint (parse_time (session, "start"), <=, booked_at + BOOKING_START_OFFSET_S);
  g_assert_cmpint (parse_time (session, "start"), >=, booked_at + BOOKING_START_OFFSET_S - 5);
  g_assert_cmpint (parse_time (session, "end") - parse_time (session, "start"), ==,
                   BOOKING_DURATION_S);

  unsigned_reply = get_internal (daemons, path, FALSE, &status);
  g_assert_cmpuint (status, ==, 401);

  cancel_path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/cancel",
                                 booking.consultation_id);
  cancel = hz_test_http (daemons, "POST", cancel_path, booking.doctor_key,
                         "{\"reason\": \"患者已转院\"}", "en", &status);
  g_assert_cmpuint (status, ==, 200);
  cancelled = get_internal (daemons, path, TRUE, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (cancelled, "status"), ==, "cancelled");

  unknown = get_internal (daemons, "/api/v1/internal/sessions/999999", TRUE, &status);
  g_assert_cmpuint (status, ==, 404);

  hz_test_booking_clear (&booking);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scheduler/internal-session", test_internal_session);
  return g_test_run ();
}
