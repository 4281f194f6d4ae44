/* Unit tests of the relay's signalling message parser and of its keyframe
 * request limiter (relay/signalling-message.h, relay/keyframe.h). */
#include "keyframe.h"
#include "signalling-message.h"

#include <string.h>

static HzSignalMessage *
parse (const char *text, GError **error)
{
  return hz_signal_message_parse (text, strlen (text), error);
}

/* Asserts that TEXT fails with CODE and returns nothing. */
static void
assert_rejected (const char *text, HzSignalError code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) message = parse (text, &error);

  if (message != NULL)
    g_test_message ("accepted: %s", text);
  g_assert_null (message);
  g_assert_error (error, HZ_SIGNAL_ERROR, (gint) code);
}

static void
test_join (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) message =
    parse ("{\"type\":\"join\",\"session_id\":12,\"token\":\"v1.a.b\"}", &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpint (message->type, ==, HZ_SIGNAL_JOIN);
  g_assert_cmpint (message->session_id, ==, 12);
  g_assert_cmpstr (message->token, ==, "v1.a.b");
  g_assert_cmpint (message->pc_kind, ==, HZ_SIGNAL_PC_NONE);
}

static void
test_offer_and_answer (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) offer =
    parse ("{\"type\":\"offer\",\"pc\":\"publish\",\"sdp\":\"v=0\\r\\n\"}", &error);
  g_autoptr (HzSignalMessage) answer = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (offer->type, ==, HZ_SIGNAL_OFFER);
  g_assert_cmpint (offer->pc_kind, ==, HZ_SIGNAL_PC_PUBLISH);
  g_assert_null (offer->pc_publisher);
  g_assert_cmpstr (offer->sdp, ==, "v=0\r\n");

  answer = parse ("{\"type\":\"answer\",\"pc\":\"sub:7\",\"sdp\":\"v=0\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (answer->type, ==, HZ_SIGNAL_ANSWER);
  g_assert_cmpint (answer->pc_kind, ==, HZ_SIGNAL_PC_SUBSCRIBE);
  g_assert_cmpstr (answer->pc_publisher, ==, "7");
}

static void
test_candidate (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) message =
    parse ("{\"type\":\"candidate\",\"pc\":\"sub:42\",\"sdpMid\":\"0\","
           "\"candidate\":\"candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host\","
           "\"sdpMLineIndex\":1}", &error);
  g_autoptr (HzSignalMessage) end = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, HZ_SIGNAL_CANDIDATE);
  g_assert_cmpstr (message->pc_publisher, ==, "42");
  g_assert_cmpstr (message->candidate, ==, "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host");
  g_assert_cmpuint (message->sdp_mline_index, ==, 1);

  end = parse ("{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"\",\"sdpMLineIndex\":0}",
               &error);
  g_assert_no_error (error);
  g_assert_cmpstr (end->candidate, ==, "");
}

static void
test_keyframe_and_leave (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) keyframe = parse ("{\"type\":\"keyframe\",\"pc\":\"sub:5\"}", &error);
  g_autoptr (HzSignalMessage) leave = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (keyframe->type, ==, HZ_SIGNAL_KEYFRAME);
  g_assert_cmpstr (keyframe->pc_publisher, ==, "5");

  leave = parse ("{\"type\":\"leave\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (leave->type, ==, HZ_SIGNAL_LEAVE);
}

static void
test_floor_messages (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) raise = parse ("{\"type\":\"raise-hand\"}", &error);
  g_autoptr (HzSignalMessage) lower = NULL;
  g_autoptr (HzSignalMessage) grant = NULL;
  g_autoptr (HzSignalMessage) grant_video = NULL;
  g_autoptr (HzSignalMessage) revoke = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (raise->type, ==, HZ_SIGNAL_RAISE_HAND);

  lower = parse ("{\"type\":\"lower-hand\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (lower->type, ==, HZ_SIGNAL_LOWER_HAND);

  /* "video" is optional and false when absent. */
  grant = parse ("{\"type\":\"grant\",\"participant_id\":\"17\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (grant->type, ==, HZ_SIGNAL_GRANT);
  g_assert_cmpstr (grant->participant_id, ==, "17");
  g_assert_false (grant->video);

  grant_video = parse ("{\"type\":\"grant\",\"participant_id\":\"17\",\"video\":true}", &error);
  g_assert_no_error (error);
  g_assert_true (grant_video->video);

  revoke = parse ("{\"type\":\"revoke\",\"participant_id\":\"17\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (revoke->type, ==, HZ_SIGNAL_REVOKE);
  g_assert_cmpstr (revoke->participant_id, ==, "17");
}

static void
test_floor_members (void)
{
  assert_rejected ("{\"type\":\"grant\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"grant\",\"participant_id\":17}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"grant\",\"participant_id\":\"\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"grant\",\"participant_id\":\"1 7\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"grant\",\"participant_id\":\"17\",\"video\":1}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"grant\",\"participant_id\":\"17\",\"video\":null}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"revoke\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"revoke\",\"participant_id\":[\"17\"]}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
}

static void
test_not_an_object (void)
{
  assert_rejected ("", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("not json", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("[{\"type\":\"leave\"}]", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("\"leave\"", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("42", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("null", HZ_SIGNAL_ERROR_BAD_MESSAGE);
}

static void
test_type_member (void)
{
  assert_rejected ("{}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":5}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":null}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"Join\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"subscribe\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
}

static void
test_missing_members (void)
{
  assert_rejected ("{\"type\":\"join\",\"token\":\"x\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"join\",\"session_id\":1}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"offer\",\"pc\":\"publish\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"answer\",\"sdp\":\"v=0\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"\"}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"keyframe\"}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
}

static void
test_member_types (void)
{
  /* session_id: a positive JSON integer, not a string, float or boolean. */
  assert_rejected ("{\"type\":\"join\",\"session_id\":\"12\",\"token\":\"x\"}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"join\",\"session_id\":12.0,\"token\":\"x\"}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"join\",\"session_id\":true,\"token\":\"x\"}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"join\",\"session_id\":0,\"token\":\"x\"}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"join\",\"session_id\":-3,\"token\":\"x\"}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"join\",\"session_id\":1,\"token\":7}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"join\",\"session_id\":1,\"token\":null}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"offer\",\"pc\":\"publish\",\"sdp\":{}}", HZ_SIGNAL_ERROR_BAD_MESSAGE);

  /* sdpMLineIndex: an integer from 0 to G_MAXINT. */
  assert_rejected ("{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"\",\"sdpMLineIndex\":-1}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"\","
                   "\"sdpMLineIndex\":4294967296}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
  assert_rejected ("{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"\",\"sdpMLineIndex\":\"0\"}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);
}

static void
test_pc_values (void)
{
  const char *invalid[] = { "", "sub:", "sub", "Publish", "sub:a b", "sub:7\\n", "sub:../x",
                            "sub:12345678901234567890123456789012345678901234567890123456789012345" };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    g_autofree char *text = g_strdup_printf ("{\"type\":\"keyframe\",\"pc\":\"%s\"}", invalid[i]);

    assert_rejected (text, HZ_SIGNAL_ERROR_BAD_MESSAGE);
  }
  assert_rejected ("{\"type\":\"keyframe\",\"pc\":7}", HZ_SIGNAL_ERROR_BAD_MESSAGE);
}

static void
test_size_limit (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) message = NULL;
  const char *prefix = "{\"type\":\"offer\",\"pc\":\"publish\",\"sdp\":\"";
  gsize padding = HZ_SIGNAL_MAX_MESSAGE_SIZE - strlen (prefix) - strlen ("\"}");
  g_autofree char *filler = g_strnfill (padding, 'a');
  g_autofree char *largest = g_strconcat (prefix, filler, "\"}", NULL);
  g_autofree char *too_large = g_strconcat (prefix, filler, "a\"}", NULL);

  g_assert_cmpuint (strlen (largest), ==, HZ_SIGNAL_MAX_MESSAGE_SIZE);
  message = parse (largest, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (message->sdp), ==, padding);

  assert_rejected (too_large, HZ_SIGNAL_ERROR_MESSAGE_TOO_LARGE);
}

static void
test_nesting_limit (void)
{
  g_autoptr (GString) allowed = g_string_new ("{\"type\":\"leave\",\"x\":");
  g_autoptr (GString) too_deep = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) message = NULL;

  /* The object itself is level 1, so 31 arrays inside reach the limit. */
  for (int i = 0; i < HZ_SIGNAL_MAX_NESTING - 1; i++)
    g_string_append_c (allowed, '[');
  for (int i = 0; i < HZ_SIGNAL_MAX_NESTING - 1; i++)
    g_string_append_c (allowed, ']');
  g_string_append_c (allowed, '}');
  message = parse (allowed->str, &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, HZ_SIGNAL_LEAVE);

  too_deep = g_string_new ("{\"type\":\"leave\",\"x\":");
  for (int i = 0; i < 10000; i++)
    g_string_append_c (too_deep, '[');
  assert_rejected (too_deep->str, HZ_SIGNAL_ERROR_BAD_MESSAGE);

  /* Brackets inside strings do not count. */
  g_clear_pointer (&message, hz_signal_message_free);
  message = parse ("{\"type\":\"join\",\"session_id\":1,\"token\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[\"}",
                   &error);
  g_assert_no_error (error);
  g_assert_cmpstr (message->token, ==, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[");
}

static void
test_encoding (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSignalMessage) message = NULL;
  const char with_nul[] = "{\"type\":\"leave\"}\0{}";

  message = hz_signal_message_parse (with_nul, sizeof with_nul - 1, &error);
  g_assert_null (message);
  g_assert_error (error, HZ_SIGNAL_ERROR, HZ_SIGNAL_ERROR_BAD_MESSAGE);
  g_clear_error (&error);

  assert_rejected ("{\"type\":\"join\",\"session_id\":1,\"token\":\"\xff\xfe\"}",
                   HZ_SIGNAL_ERROR_BAD_MESSAGE);

  /* Frames are not NUL-terminated: only LENGTH bytes are read. */
  message = hz_signal_message_parse ("{\"type\":\"leave\"}garbage", strlen ("{\"type\":\"leave\"}"),
                                     &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, HZ_SIGNAL_LEAVE);
}

static void
test_error_codes (void)
{
  g_assert_cmpstr (hz_signal_error_code (HZ_SIGNAL_ERROR_BAD_MESSAGE), ==, "bad_message");
  g_assert_cmpstr (hz_signal_error_code (HZ_SIGNAL_ERROR_MESSAGE_TOO_LARGE), ==,
                   "message_too_large");
  g_assert_cmpstr (hz_signal_type_to_string (HZ_SIGNAL_CANDIDATE), ==, "candidate");
}

/* ---- keyframe limiter ---- */

#define TEST_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

typedef struct {
  GArray *sent_at;       /* gint64 monotonic times of the sends */
} LimiterFixture;

static void
record_send (gpointer data)
{
  LimiterFixture *fixture = data;
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (fixture->sent_at, now);
}

static void
run_main_loop_for (guint ms)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add_once (ms, (GSourceOnceFunc) g_main_loop_quit, loop);
  g_main_loop_run (loop);
}

static void
test_limiter_first_request_at_once (void)
{
  LimiterFixture fixture = { g_array_new (FALSE, FALSE, sizeof (gint64)) };
  HzKeyframeLimiter *limiter = hz_keyframe_limiter_new (TEST_INTERVAL_US, record_send, &fixture);

  hz_keyframe_limiter_request (limiter);
  g_assert_cmpuint (fixture.sent_at->len, ==, 1);
  g_assert_cmpuint (hz_keyframe_limiter_get_sent (limiter), ==, 1);

  hz_keyframe_limiter_free (limiter);
  g_array_unref (fixture.sent_at);
}

static void
test_limiter_coalesces (void)
{
  LimiterFixture fixture = { g_array_new (FALSE, FALSE, sizeof (gint64)) };
  HzKeyframeLimiter *limiter = hz_keyframe_limiter_new (TEST_INTERVAL_US, record_send, &fixture);
  gint64 gap;

  /* Five requests inside one interval: one now, one at the interval's end. */
  for (int i = 0; i < 5; i++)
    hz_keyframe_limiter_request (limiter);
  g_assert_cmpuint (fixture.sent_at->len, ==, 1);
  g_assert_cmpuint (hz_keyframe_limiter_get_coalesced (limiter), ==, 3);

  run_main_loop_for (3 * TEST_INTERVAL_US / 1000);
  g_assert_cmpuint (fixture.sent_at->len, ==, 2);
  gap = g_array_index (fixture.sent_at, gint64, 1) - g_array_index (fixture.sent_at, gint64, 0);
  g_assert_cmpint (gap, >=, TEST_INTERVAL_US);
  g_assert_cmpint (gap, <, 2 * TEST_INTERVAL_US);

  hz_keyframe_limiter_free (limiter);
  g_array_unref (fixture.sent_at);
}

static void
test_limiter_after_interval (void)
{
  LimiterFixture fixture = { g_array_new (FALSE, FALSE, sizeof (gint64)) };
  HzKeyframeLimiter *limiter = hz_keyframe_limiter_new (TEST_INTERVAL_US, record_send, &fixture);

  hz_keyframe_limiter_request (limiter);
  g_usleep (TEST_INTERVAL_US + 10 * G_TIME_SPAN_MILLISECOND);
  hz_keyframe_limiter_request (limiter);
  g_assert_cmpuint (fixture.sent_at->len, ==, 2);
  g_assert_cmpuint (hz_keyframe_limiter_get_coalesced (limiter), ==, 0);

  hz_keyframe_limiter_free (limiter);
  g_array_unref (fixture.sent_at);
}

static void
test_limiter_free_cancels (void)
{
  LimiterFixture fixture = { g_array_new (FALSE, FALSE, sizeof (gint64)) };
  HzKeyframeLimiter *limiter = hz_keyframe_limiter_new (TEST_INTERVAL_US, record_send, &fixture);

  hz_keyframe_limiter_request (limiter);
  hz_keyframe_limiter_request (limiter);
  hz_keyframe_limiter_free (limiter);
  run_main_loop_for (2 * TEST_INTERVAL_US / 1000);
  g_assert_cmpuint (fixture.sent_at->len, ==, 1);

  g_array_unref (fixture.sent_at);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signalling/join", test_join);
  g_test_add_func ("/signalling/offer-and-answer", test_offer_and_answer);
  g_test_add_func ("/signalling/candidate", test_candidate);
  g_test_add_func ("/signalling/keyframe-and-leave", test_keyframe_and_leave);
  g_test_add_func ("/signalling/floor-messages", test_floor_messages);
  g_test_add_func ("/signalling/floor-members", test_floor_members);
  g_test_add_func ("/signalling/not-an-object", test_not_an_object);
  g_test_add_func ("/signalling/type-member", test_type_member);
  g_test_add_func ("/signalling/missing-members", test_missing_members);
  g_test_add_func ("/signalling/member-types", test_member_types);
  g_test_add_func ("/signalling/pc-values", test_pc_values);
  g_test_add_func ("/signalling/size-limit", test_size_limit);
  g_test_add_func ("/signalling/nesting-limit", test_nesting_limit);
  g_test_add_func ("/signalling/encoding", test_encoding);
  g_test_add_func ("/signalling/error-codes", test_error_codes);
  g_test_add_func ("/keyframe-limiter/first-request-at-once", test_limiter_first_request_at_once);
  g_test_add_func ("/keyframe-limiter/coalesces", test_limiter_coalesces);
  g_test_add_func ("/keyframe-limiter/after-interval", test_limiter_after_interval);
  g_test_add_func ("/keyframe-limiter/free-cancels", test_limiter_free_cancels);
  return g_test_run ();
}
