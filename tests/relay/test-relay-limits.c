/* Integration tests of the relay's limits on hostile clients: request
 * bodies, WebSocket message sizes, connections per address, the join
 * deadline, clients that never read, empty SDP, and joins of cancelled
 * sessions.
 *
 * Each case runs the scheduler of the test fixture and a relay started
 * with the case's own [relay] keys (relay-test-net.h). The relay inherits
 * G_DEBUG=fatal-criticals from the test environment, so a GLib or
 * GStreamer critical warning kills it and fails the case.
 *
 * Command line, besides GLib's test options:
 *   --hz-test-peer=PATH --hz-media-check=PATH
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-net.h"
#include "relay-test-raw.h"

#include <signal.h>
#include <string.h>

#define RESPONSE_TIMEOUT_MS 2000
#define MiB (1024 * 1024)

/* HTTP ---------------------------------------------------------------------- */

static void
assert_healthz_ok (NetTestRelay *relay)
{
  guint status = 0;
  g_autofree char *body = net_test_http_get (relay, "/healthz", &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (body, ==, "ok");
}

/* Sends a chunked POST of 20 MiB in 1 MiB chunks. The 413 must come after
 * the first chunk, while the client still sends, and the relay must not
 * keep what it received. */
static void
test_http_chunked_body (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  GPid pid = net_test_relay_pid (net->relay);
  g_autoptr (RawClient) client = raw_client_connect (net->relay->http_url);
  g_autofree char *request = g_strdup_printf ("POST /nothing HTTP/1.1\r\nHost: %s\r\n"
                                              "Transfer-Encoding: chunked\r\n\r\n",
                                              client->host_port);
  g_autofree char *chunk = g_malloc (MiB + 16);
  gsize chunk_length = (gsize) g_snprintf (chunk, 16, "%x\r\n", MiB);
  g_autofree char *head = NULL;
  guint64 rss_before_kib = net_test_rss_kib (pid);
  guint64 rss_after_kib = 0;
  gint64 started_us = g_get_monotonic_time ();
  guint sent = 1;

  memset (chunk + chunk_length, 'x', MiB);
  memcpy (chunk + chunk_length + MiB, "\r\n", 2);
  chunk_length += MiB + 2;

  g_assert_true (raw_client_write (client, request, strlen (request)));
  g_assert_true (raw_client_write (client, chunk, chunk_length));
  head = raw_client_read_head (client, RESPONSE_TIMEOUT_MS);
  g_test_message ("response after %" G_GINT64_FORMAT " ms: %s",
                  (g_get_monotonic_time () - started_us) / 1000, head);
  g_assert_cmpuint (raw_client_head_status (head), ==, 413);
  g_assert_nonnull (strstr (head, "Connection: close"));

  /* The relay discards a little more and then closes the connection. */
  while (sent < 20 && raw_client_write (client, chunk, chunk_length))
    sent++;
  rss_after_kib = net_test_rss_kib (pid);
  g_test_message ("sent %u MiB; relay RSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT
                  " KiB after", sent, rss_before_kib, rss_after_kib);
  g_assert_cmpuint (rss_after_kib, <, rss_before_kib + 8 * 1024);
  g_assert_true (net_test_relay_log_contains (net->relay, "rejected with 413"));
  assert_healthz_ok (net->relay);
}

/* A body announced by Content-Length gets 413 on the relay's real
 * endpoints too, before the body is sent. */
static void
test_http_content_length (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  const char *paths[] = { "/healthz", "/metrics", "/ws" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autoptr (RawClient) client = raw_client_connect (net->relay->http_url);
    g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s\r\n"
                                                "Content-Length: 100\r\n\r\n",
                                                paths[i], client->host_port);
    g_autofree char *head = NULL;

    g_test_message ("GET %s with a Content-Length", paths[i]);
    g_assert_true (raw_client_write (client, request, strlen (request)));
    head = raw_client_read_head (client, RESPONSE_TIMEOUT_MS);
    g_assert_cmpuint (raw_client_head_status (head), ==, 413);
  }
  assert_healthz_ok (net->relay);
}

/* WebSocket messages ---------------------------------------------------------- */

/* [relay] max-message-kib of the message tests, half the default, and the
 * limit in bytes. */
#define MESSAGE_LIMIT_KIB 32
#define MESSAGE_LIMIT (MESSAGE_LIMIT_KIB * 1024)
#define MESSAGE_LIMIT_KEYS "max-message-kib = " G_STRINGIFY (MESSAGE_LIMIT_KIB) "\n"

static RawClient *
connect_websocket (NetTestRelay *relay)
{
  RawClient *client = raw_client_connect (relay->url);

  g_assert_cmpuint (raw_client_ws_upgrade (client, "/ws", RESPONSE_TIMEOUT_MS), ==, 101);
  return client;
}

static void
assert_closed_too_large (RawClient *client)
{
  g_autofree char *error = raw_client_ws_wait_message (client, "error", "message_too_large",
                                                       RESPONSE_TIMEOUT_MS);
  g_autofree char *limit_text = g_strdup_printf ("the limit of %d bytes", MESSAGE_LIMIT);

  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, limit_text));
  g_assert_cmpint (raw_client_ws_wait_close (client, RESPONSE_TIMEOUT_MS), ==, 1009);
}

/* A message in fragments is read up to the limit, and the relay closes the
 * socket once the fragments pass it, without buffering what follows. */
static void
test_ws_fragments (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (MESSAGE_LIMIT_KEYS);
  g_autofree char *limit_text = g_strdup_printf ("exceeds the limit of %d bytes", MESSAGE_LIMIT);
  GPid pid = net_test_relay_pid (net->relay);
  g_autoptr (RawClient) small = connect_websocket (net->relay);
  g_autoptr (RawClient) large = connect_websocket (net->relay);
  const char *join = "{\"type\": \"join\", \"session_id\": 1, \"token\": \"not-a-token\"}";
  g_autofree char *filler = g_malloc (MiB);
  g_autofree char *reply = NULL;
  guint64 rss_before_kib = 0;
  guint64 rss_after_kib = 0;
  guint sent = 0;

  memset (filler, ' ', MiB);

  /* A join in three fragments is read as one message. */
  g_assert_true (raw_client_ws_send (small, RAW_WS_TEXT, FALSE, join, 10, 0));
  g_assert_true (raw_client_ws_send (small, RAW_WS_CONTINUATION, FALSE, join + 10, 20, 0));
  g_assert_true (raw_client_ws_send (small, RAW_WS_CONTINUATION, TRUE, join + 30,
                                     strlen (join) - 30, 0));
  reply = raw_client_ws_wait_message (small, "error", "token_malformed", RESPONSE_TIMEOUT_MS);
  g_assert_nonnull (reply);

  /* A message of exactly the limit in two fragments reaches the parser,
   * which finds no JSON in it; the socket stays open. */
  g_assert_true (raw_client_ws_send (large, RAW_WS_TEXT, FALSE, filler, MESSAGE_LIMIT / 2, 0));
  g_assert_true (raw_client_ws_send (large, RAW_WS_CONTINUATION, TRUE, filler,
                                     MESSAGE_LIMIT / 2, 0));
  g_clear_pointer (&reply, g_free);
  reply = raw_client_ws_wait_message (large, "error", "bad_message", RESPONSE_TIMEOUT_MS);
  g_assert_nonnull (reply);

  /* One byte more, over many fragments, closes it. */
  rss_before_kib = net_test_rss_kib (pid);
  g_assert_true (raw_client_ws_send (large, RAW_WS_TEXT, FALSE, filler, MESSAGE_LIMIT / 2, 0));
  g_assert_true (raw_client_ws_send (large, RAW_WS_CONTINUATION, FALSE, filler,
                                     MESSAGE_LIMIT / 2, 0));
  g_assert_true (raw_client_ws_send (large, RAW_WS_CONTINUATION, FALSE, filler, 1, 0));
  assert_closed_too_large (large);

  /* What follows is discarded until the relay closes the connection. */
  while (sent < 150 && raw_client_ws_send (large, RAW_WS_CONTINUATION, FALSE, filler, MiB, 0))
    sent++;
  rss_after_kib = net_test_rss_kib (pid);
  g_test_message ("sent %u MiB of fragments more; relay RSS %" G_GUINT64_FORMAT " KiB before, %"
                  G_GUINT64_FORMAT " KiB after", sent, rss_before_kib, rss_after_kib);
  if (HZ_TEST_RESIDENT_MEMORY_MEANINGFUL)
    g_assert_cmpuint (rss_after_kib, <, rss_before_kib + 8 * 1024);
  g_assert_true (net_test_relay_log_contains (net->relay, limit_text));
  assert_healthz_ok (net->relay);
}

/* A single frame over the limit is rejected on its header alone, before
 * its payload arrives. */
static void
test_ws_oversized_frame (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (MESSAGE_LIMIT_KEYS);
  g_autoptr (RawClient) client = connect_websocket (net->relay);
  char payload[1000];

  memset (payload, ' ', sizeof payload);
  g_assert_true (raw_client_ws_send (client, RAW_WS_TEXT, TRUE, payload, sizeof payload,
                                     MESSAGE_LIMIT + 1));
  assert_closed_too_large (client);
  assert_healthz_ok (net->relay);
}

/* A text frame that is not UTF-8 closes that socket with 1007 (RFC 6455,
 * section 8.1), and the relay serves others. */
static void
test_ws_invalid_utf8 (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  g_autoptr (RawClient) client = connect_websocket (net->relay);

  g_assert_true (raw_client_ws_send_text (client, "{\"type\": \"\xff\xfe\"}"));
  g_assert_cmpint (raw_client_ws_wait_close (client, RESPONSE_TIMEOUT_MS), ==, 1007);
  assert_healthz_ok (net->relay);
}

/* Slow and many clients ---------------------------------------------------- */

/* A socket that sends no join is closed after 10 s with join_timeout. */
static void
test_ws_join_timeout (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  g_autoptr (RawClient) client = connect_websocket (net->relay);
  gint64 connected_us = g_get_monotonic_time ();
  g_autofree char *error = raw_client_ws_wait_message (client, "error", "join_timeout", 15000);
  gint64 waited_ms = (g_get_monotonic_time () - connected_us) / 1000;

  g_test_message ("join_timeout after %" G_GINT64_FORMAT " ms", waited_ms);
  g_assert_nonnull (error);
  g_assert_cmpint (waited_ms, >=, 9000);
  g_assert_cmpint (raw_client_ws_wait_close (client, RESPONSE_TIMEOUT_MS), ==, 4004);
}

/* With [relay] max-connections-per-address = 3, a fourth upgrade from
 * 127.0.0.1 gets 429 until one of the three closes. */
static void
test_ws_connections_per_address (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start ("max-connections-per-address = 3\n");
  g_autoptr (GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_client_free);
  guint status = 0;

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (clients, connect_websocket (net->relay));
  {
    g_autoptr (RawClient) extra = raw_client_connect (net->relay->url);

    g_assert_cmpuint (raw_client_ws_upgrade (extra, "/ws", RESPONSE_TIMEOUT_MS), ==, 429);
  }
  g_assert_true (net_test_relay_log_contains (net->relay, "upgrade rejected with 429"));

  /* The relay notices the close of one socket and takes a new one. */
  g_ptr_array_remove_index (clients, 0);
  for (guint attempt = 0; attempt < 50 && status != 101; attempt++) {
    g_autoptr (RawClient) extra = raw_client_connect (net->relay->url);

    status = raw_client_ws_upgrade (extra, "/ws", RESPONSE_TIMEOUT_MS);
    if (status == 101)
      g_ptr_array_add (clients, g_steal_pointer (&extra));
    else
      g_usleep (100 * 1000);
  }
  g_assert_cmpuint (status, ==, 101);
}

/* Attempts, 100 ms apart, to see the relay close a never-reading client. */
#if defined(__SANITIZE_ADDRESS__)
#define NEVER_READS_WAIT_ATTEMPTS 1500
#else
#define NEVER_READS_WAIT_ATTEMPTS 300
#endif

/* A client that sends invalid messages and never reads the error replies
 * is disconnected once 4 MiB of replies wait unsent, and the relay does not
 * keep them. 200,000 messages of one byte get about 25 MiB of replies. */
static void
test_ws_client_never_reads (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  GPid pid = net_test_relay_pid (net->relay);
  g_autoptr (RawClient) client = connect_websocket (net->relay);
  g_autoptr (GByteArray) frames = g_byte_array_new ();
  guint64 rss_before_kib = net_test_rss_kib (pid);
  guint64 rss_after_kib = 0;
  gboolean dropped = FALSE;
  guint sent = 0;
  gint64 sent_us;

  /* One masked text frame "x" (not JSON), repeated. */
  for (guint i = 0; i < 10000; i++) {
    static const guint8 frame[] = { 0x81, 0x81, 0x12, 0x34, 0x56, 0x78, 'x' ^ 0x12 };

    g_byte_array_append (frames, frame, sizeof frame);
  }
  /* The relay stops reading once it closes the socket, so a blocked send
   * times out instead of hanging the test. */
  g_socket_set_timeout (client->socket, 5);
  while (sent < 20 && raw_client_write (client, frames->data, frames->len))
    sent++;
  sent_us = g_get_monotonic_time ();

  /* The relay replies to the 200,000 messages one by one before its queue
   * passes the limit. Here that took about 1 s in the plain build and 40 s
   * under the asan test setup, which unwinds the whole stack on every malloc. */
  for (guint attempt = 0; attempt < NEVER_READS_WAIT_ATTEMPTS && !dropped; attempt++) {
    dropped = net_test_relay_log_contains (net->relay, "because the client does not read them");
    if (!dropped)
      g_usleep (100 * 1000);
  }
  g_test_message ("waited %" G_GINT64_FORMAT " ms for the close",
                  (g_get_monotonic_time () - sent_us) / 1000);
  rss_after_kib = net_test_rss_kib (pid);
  g_test_message ("sent %u0,000 messages; relay RSS %" G_GUINT64_FORMAT " KiB before, %"
                  G_GUINT64_FORMAT " KiB after", sent, rss_before_kib, rss_after_kib);
  g_assert_true (dropped);
  if (HZ_TEST_RESIDENT_MEMORY_MEANINGFUL)
    g_assert_cmpuint (rss_after_kib, <, rss_before_kib + 16 * 1024);
  assert_healthz_ok (net->relay);
}

/* SDP ------------------------------------------------------------------------ */

#define JOIN_TIMEOUT_MS 20000
#define FEED_TIMEOUT_MS 20000

/* Joins SESSION's room on a raw WebSocket with TOKEN. */
static RawClient *
join_raw (NetTestSession *net, const char *token)
{
  RawClient *client = connect_websocket (net->relay);
  g_autofree char *join = g_strdup_printf ("{\"type\": \"join\", \"session_id\": %" G_GINT64_FORMAT
                                           ", \"token\": \"%s\"}",
                                           net->session.booking.session_id, token);
  g_autofree char *joined = NULL;

  g_assert_true (raw_client_ws_send_text (client, join));
  joined = raw_client_ws_wait_message (client, "joined", NULL, JOIN_TIMEOUT_MS);
  g_assert_nonnull (joined);
  return client;
}

/* Counts the lines of the relay's log that contain TEXT. */
static guint
count_log_lines (NetTestSession *net, const char *text)
{
  g_autofree char *log = NULL;
  g_auto (GStrv) lines = NULL;
  guint count = 0;

  g_assert_true (g_file_get_contents (net->relay->log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], text) != NULL)
      count++;
  return count;
}

/* Every error reply leaves a log line with the session and participant
 * ids (the address before a join), and a client that sends nothing but
 * invalid messages gets 10 lines a minute, not one per message. */
static void
test_error_replies_logged (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  g_autoptr (RawClient) stranger = connect_websocket (net->relay);
  g_autoptr (RawClient) expert = join_raw (net, session->expert_token);
  g_autofree char *prefix = g_strdup_printf ("session %" G_GINT64_FORMAT " participant %"
                                             G_GINT64_FORMAT ": sent error",
                                             session->booking.session_id,
                                             session->booking.expert_id);
  g_autofree char *join = g_strdup_printf ("{\"type\": \"join\", \"session_id\": %"
                                           G_GINT64_FORMAT ", \"token\": \"%s\"}",
                                           session->booking.session_id, session->expert_token);
  g_autofree char *not_joined = NULL;
  g_autofree char *already_joined = NULL;

  g_assert_true (raw_client_ws_send_text (stranger, "{\"type\": \"leave\"}"));
  not_joined = raw_client_ws_wait_message (stranger, "error", "not_joined", RESPONSE_TIMEOUT_MS);
  g_assert_nonnull (not_joined);
  g_assert_true (net_test_relay_log_contains (net->relay, ": sent error not_joined"));

  g_assert_true (raw_client_ws_send_text (expert, join));
  already_joined = raw_client_ws_wait_message (expert, "error", "already_joined",
                                               RESPONSE_TIMEOUT_MS);
  g_assert_nonnull (already_joined);
  g_assert_cmpuint (count_log_lines (net, prefix), ==, 1);

  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *bad = NULL;

      g_assert_true (raw_client_ws_send_text (expert, "x"));
      bad = raw_client_ws_wait_message (expert, "error", "bad_message", RESPONSE_TIMEOUT_MS);
      g_assert_nonnull (bad);
    }
  g_assert_cmpuint (count_log_lines (net, prefix), ==, 10);
  g_assert_false (net_test_relay_log_contains (net->relay, session->expert_token));
}

static void
assert_bad_sdp (RawClient *client, const char *message)
{
  g_autofree char *error = NULL;

  g_test_message ("sending %s", message);
  g_assert_true (raw_client_ws_send_text (client, message));
  error = raw_client_ws_wait_message (client, "error", "bad_sdp", RESPONSE_TIMEOUT_MS);
  g_assert_nonnull (error);
}

/* Offers and answers with empty or blank SDP get bad_sdp before any SDP
 * parser sees them: GStreamer's would log a critical warning, which the
 * relay's G_DEBUG=fatal-criticals turns into an abort. */
static void
test_empty_sdp (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons,
                                                            session->booking.session_id,
                                                            session->doctor_token, "doctor", NULL);
  g_autoptr (RawClient) expert = join_raw (net, session->expert_token);
  g_autofree char *pc = g_strdup_printf ("sub:%" G_GINT64_FORMAT, session->booking.doctor_id);
  g_autofree char *offer = NULL;
  g_autofree char *empty_answer = NULL;

  assert_bad_sdp (expert, "{\"type\": \"offer\", \"pc\": \"publish\", \"sdp\": \"\"}");
  assert_bad_sdp (expert, "{\"type\": \"offer\", \"pc\": \"publish\", \"sdp\": \" \\r\\n\"}");

  /* The doctor's feed comes as an offer for sub:ID, answered with "". */
  offer = raw_client_ws_wait_message (expert, "offer", NULL, FEED_TIMEOUT_MS);
  g_assert_nonnull (offer);
  g_assert_nonnull (strstr (offer, pc));
  empty_answer = g_strdup_printf ("{\"type\": \"answer\", \"pc\": \"%s\", \"sdp\": \"\"}", pc);
  assert_bad_sdp (expert, empty_answer);

  assert_healthz_ok (net->relay);
}

/* ICE candidates ----------------------------------------------------------------- */

#define CANDIDATE_LIMIT 5

static void
send_candidate (RawClient *client, const char *pc, guint port)
{
  g_autofree char *message = g_strdup_printf (
    "{\"type\": \"candidate\", \"pc\": \"%s\", \"sdpMLineIndex\": 0,"
    " \"candidate\": \"candidate:1 1 UDP 2015363327 127.0.0.1 %u typ host\"}", pc, port);

  g_assert_true (raw_client_ws_send_text (client, message));
}

/* Candidates of one peer connection beyond [relay]
 * max-candidates-per-connection each get too_many_candidates and are
 * ignored, while the connection, the subscription and the publisher stay. */
static void
test_candidates_per_connection (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (
    "max-candidates-per-connection = " G_STRINGIFY (CANDIDATE_LIMIT) "\n");
  RelayTestSession *session = &net->session;
  g_autoptr (RelayTestPeer) doctor = relay_test_peer_start (tools, session->daemons,
                                                            session->booking.session_id,
                                                            session->doctor_token, "doctor", NULL);
  g_autoptr (RawClient) expert = join_raw (net, session->expert_token);
  g_autofree char *pc = g_strdup_printf ("sub:%" G_GINT64_FORMAT, session->booking.doctor_id);
  g_autofree char *offer = NULL;
  g_autofree char *end_of_candidates = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *error;

  offer = raw_client_ws_wait_message (expert, "offer", NULL, FEED_TIMEOUT_MS);
  g_assert_nonnull (offer);
  g_assert_nonnull (strstr (offer, pc));

  /* The end-of-candidates mark does not count. */
  end_of_candidates = g_strdup_printf ("{\"type\": \"candidate\", \"pc\": \"%s\","
                                       " \"sdpMLineIndex\": 0, \"candidate\": \"\"}", pc);
  g_assert_true (raw_client_ws_send_text (expert, end_of_candidates));

  for (guint i = 0; i <= CANDIDATE_LIMIT; i++)
    send_candidate (expert, pc, 40000 + i);

  /* The first error is the one for the candidate over the limit. */
  {
    g_autofree char *text = raw_client_ws_wait_message (expert, "error", NULL,
                                                        RESPONSE_TIMEOUT_MS);

    g_assert_nonnull (text);
    g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
    error = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "too_many_candidates");
    g_assert_cmpstr (json_object_get_string_member (error, "pc"), ==, pc);
  }

  /* Every further candidate gets the same error; the socket stays open. */
  send_candidate (expert, pc, 40100);
  {
    g_autofree char *again = raw_client_ws_wait_message (expert, "error", "too_many_candidates",
                                                         RESPONSE_TIMEOUT_MS);

    g_assert_nonnull (again);
  }
  g_assert_cmpint (expert->close_code, ==, -1);
  g_assert_true (net_test_relay_log_contains (net->relay, "max-candidates-per-connection = "
                                                          G_STRINGIFY (CANDIDATE_LIMIT)));

  /* The publisher saw nobody leave, and the relay serves others. */
  g_assert_null (relay_test_peer_wait_event (doctor, "participant-left", NULL, NULL, 500));
  assert_healthz_ok (net->relay);
}

/* Returns an offer message for pc "publish" with Chromium's offer from the
 * fuzz corpus and N_CANDIDATES candidate lines added to its last m-line. */
static char *
format_publish_offer (guint n_candidates)
{
  g_autofree char *path = g_build_filename (g_getenv ("HUIZHEN_SOURCE_ROOT"), "tests", "fuzz",
                                            "corpus", "sdp-offer", "chromium-156-publish.sdp",
                                            NULL);
  g_autofree char *text = NULL;
  g_autoptr (GString) sdp = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  sdp = g_string_new (text);
  for (guint i = 0; i < n_candidates; i++)
    g_string_append_printf (sdp, "a=candidate:1 1 UDP 2015363327 127.0.0.1 %u typ host\r\n",
                            41000 + i);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "offer");
  json_builder_set_member_name (builder, "pc");
  json_builder_add_string_value (builder, "publish");
  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp->str);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Candidates in a publish offer count too: an offer with more than the
 * limit gets too_many_candidates and no answer, a later offer within it is
 * answered, and its trickled candidates share the limit. */
static void
test_candidates_in_offer (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (
    "max-candidates-per-connection = " G_STRINGIFY (CANDIDATE_LIMIT) "\n");
  RelayTestSession *session = &net->session;
  g_autoptr (RawClient) expert = join_raw (net, session->expert_token);
  g_autofree char *crowded_offer = format_publish_offer (CANDIDATE_LIMIT + 1);
  g_autofree char *offer = format_publish_offer (CANDIDATE_LIMIT - 1);
  g_autofree char *rejected = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *over = NULL;

  g_assert_true (raw_client_ws_send_text (expert, crowded_offer));
  rejected = raw_client_ws_wait_message (expert, "error", NULL, RESPONSE_TIMEOUT_MS);
  g_assert_nonnull (rejected);
  g_assert_nonnull (strstr (rejected, "\"code\":\"too_many_candidates\""));
  g_assert_nonnull (strstr (rejected, "\"pc\":\"publish\""));

  /* CANDIDATE_LIMIT - 1 in the offer leave room for one trickled. */
  g_assert_true (raw_client_ws_send_text (expert, offer));
  answer = raw_client_ws_wait_message (expert, "answer", NULL, FEED_TIMEOUT_MS);
  g_assert_nonnull (answer);
  send_candidate (expert, "publish", 42000);
  send_candidate (expert, "publish", 42001);
  over = raw_client_ws_wait_message (expert, "error", NULL, RESPONSE_TIMEOUT_MS);
  g_assert_nonnull (over);
  g_assert_nonnull (strstr (over, "\"code\":\"too_many_candidates\""));
  g_assert_cmpint (expert->close_code, ==, -1);
  assert_healthz_ok (net->relay);
}

/* Rooms -------------------------------------------------------------------------- */

/* With [relay] max-rooms = 1, a join that would open a second room gets
 * room_full and close code 4003, while the open room still takes joins. */
static void
test_max_rooms (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start ("max-rooms = 1\n");
  RelayTestSession *session = &net->session;
  g_autoptr (RawClient) expert = join_raw (net, session->expert_token);
  g_autoptr (RawClient) other_client = connect_websocket (net->relay);
  g_autoptr (RawClient) doctor = NULL;
  g_autoptr (GError) error = NULL;
  HzTestBooking other = { 0 };
  g_autofree char *other_token = NULL;
  g_autofree char *join = NULL;
  g_autofree char *rejected = NULL;

  hz_test_book_consultation (session->daemons, -60, 3600, &other, &error);
  g_assert_no_error (error);
  other_token = hz_test_join_token (session->daemons, other.session_id, other.doctor_key, &error);
  g_assert_no_error (error);

  join = g_strdup_printf ("{\"type\": \"join\", \"session_id\": %" G_GINT64_FORMAT
                          ", \"token\": \"%s\"}", other.session_id, other_token);
  g_assert_true (raw_client_ws_send_text (other_client, join));
  rejected = raw_client_ws_wait_message (other_client, "error", "room_full", JOIN_TIMEOUT_MS);
  g_assert_nonnull (rejected);
  g_assert_cmpint (raw_client_ws_wait_close (other_client, RESPONSE_TIMEOUT_MS), ==, 4003);
  g_assert_true (net_test_relay_log_contains (net->relay, "max-rooms reached"));

  /* The open room is not affected. */
  doctor = join_raw (net, session->doctor_token);
  g_assert_cmpint (expert->close_code, ==, -1);
  assert_healthz_ok (net->relay);
  hz_test_booking_clear (&other);
}

/* Sessions that the scheduler cancelled or moved ------------------------------- */

/* Joins with TOKEN and expects the error CODE and close code 4001. */
static void
assert_join_rejected (NetTestSession *net, const char *token, const char *code)
{
  g_autoptr (RawClient) client = connect_websocket (net->relay);
  g_autofree char *join = g_strdup_printf ("{\"type\": \"join\", \"session_id\": %" G_GINT64_FORMAT
                                           ", \"token\": \"%s\"}",
                                           net->session.booking.session_id, token);
  g_autofree char *error = NULL;

  g_assert_true (raw_client_ws_send_text (client, join));
  error = raw_client_ws_wait_message (client, "error", code, JOIN_TIMEOUT_MS);
  g_assert_nonnull (error);
  g_assert_cmpint (raw_client_ws_wait_close (client, RESPONSE_TIMEOUT_MS), ==, 4001);
}

static char *
format_rfc3339 (gint64 unix_seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* A token issued before its consultation was cancelled no longer joins. */
static void
test_session_cancelled (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/cancel",
                                           session->booking.consultation_id);
  g_autoptr (JsonNode) cancelled = NULL;
  guint status = 0;

  cancelled = hz_test_http (session->daemons, "POST", path, session->booking.doctor_key,
                            "{\"reason\": \"患者已转院\"}", "en", &status);
  g_assert_cmpuint (status, ==, 200);
  assert_join_rejected (net, session->doctor_token, "session_cancelled");
  g_assert_true (net_test_relay_log_contains (net->relay, "rejected: session_cancelled"));
}

/* A token of a session moved two days later no longer joins today. */
static void
test_session_rescheduled (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *start = format_rfc3339 (now + 2 * 86400);
  g_autofree char *end = format_rfc3339 (now + 2 * 86400 + 1800);
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/reschedule",
                                           session->booking.consultation_id);
  g_autofree char *body = g_strdup_printf ("{\"start\": \"%s\", \"end\": \"%s\"}", start, end);
  g_autoptr (JsonNode) moved = NULL;
  guint status = 0;

  moved = hz_test_http (session->daemons, "POST", path, session->booking.coordinator_key, body,
                        "en", &status);
  g_assert_cmpuint (status, ==, 200);
  assert_join_rejected (net, session->doctor_token, "token_not_yet_valid");
}

/* With the scheduler down, a join goes ahead on the token alone, and the
 * relay logs a warning. */
static void
test_session_scheduler_down (void)
{
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  GSubprocess *scheduler = net->session.daemons->scheduler;
  g_autoptr (RawClient) client = NULL;
  gint64 started_us = 0;

  g_subprocess_send_signal (scheduler, SIGTERM);
  g_subprocess_wait (scheduler, NULL, NULL);

  started_us = g_get_monotonic_time ();
  client = join_raw (net, net->session.doctor_token);
  g_test_message ("joined %" G_GINT64_FORMAT " ms after the join was sent",
                  (g_get_monotonic_time () - started_us) / 1000);
  g_assert_true (net_test_relay_log_contains (net->relay, "could not be checked with the scheduler"));
}

/* Main -------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  RelayTestTools tools = { 0 };
  int status = 0;

  g_test_init (&argc, &argv, NULL);
  tools.peer = relay_test_tool_path (argc, argv, "hz-test-peer", "hz-test-peer");
  tools.media_check = relay_test_tool_path (argc, argv, "hz-media-check", "hz-media-check");
  if (tools.peer == NULL || tools.media_check == NULL) {
    g_printerr ("pass --hz-test-peer=PATH and --hz-media-check=PATH or set HUIZHEN_BUILD_ROOT\n");
    return 1;
  }

  g_test_add_func ("/relay-limits/http-chunked-body", test_http_chunked_body);
  g_test_add_func ("/relay-limits/http-content-length", test_http_content_length);
  g_test_add_func ("/relay-limits/ws-fragments", test_ws_fragments);
  g_test_add_func ("/relay-limits/ws-oversized-frame", test_ws_oversized_frame);
  g_test_add_func ("/relay-limits/ws-invalid-utf8", test_ws_invalid_utf8);
  g_test_add_func ("/relay-limits/ws-join-timeout", test_ws_join_timeout);
  g_test_add_func ("/relay-limits/ws-connections-per-address", test_ws_connections_per_address);
  g_test_add_func ("/relay-limits/ws-client-never-reads", test_ws_client_never_reads);
  g_test_add_func ("/relay-limits/error-replies-logged", test_error_replies_logged);
  g_test_add_data_func ("/relay-limits/empty-sdp", &tools, test_empty_sdp);
  g_test_add_data_func ("/relay-limits/candidates-per-connection", &tools,
                        test_candidates_per_connection);
  g_test_add_func ("/relay-limits/candidates-in-offer", test_candidates_in_offer);
  g_test_add_func ("/relay-limits/max-rooms", test_max_rooms);
  g_test_add_func ("/relay-limits/session-cancelled", test_session_cancelled);
  g_test_add_func ("/relay-limits/session-rescheduled", test_session_rescheduled);
  g_test_add_func ("/relay-limits/session-scheduler-down", test_session_scheduler_down);
  status = g_test_run ();

  g_free (tools.peer);
  g_free (tools.media_check);
  return status;
}
