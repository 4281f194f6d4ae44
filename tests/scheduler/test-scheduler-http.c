/* HTTP connection handling of the daemons, over raw sockets on loopback:
 * closed connections give back their file descriptors, and request bodies
 * over [scheduler] max-body-kib get 413 body_too_large before they are read
 * to the end. */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "hz-test-daemons.h"

#define SOCKET_TIMEOUT_SECONDS 5
#define SEQUENTIAL_REQUESTS 60
/* Descriptors that a daemon may open meanwhile for its own reasons, such
 * as a database journal or a log file. */
#define FD_GROWTH_ALLOWED 5
/* [scheduler] max-body-kib of the body tests, half the default. */
#define BODY_LIMIT_KIB 512
#define BODY_LIMIT (BODY_LIMIT_KIB * 1024)
#define BODY_LIMIT_KEYS "max-body-kib = " G_STRINGIFY (BODY_LIMIT_KIB) "\n"
/* Longer than the scheduler's lingering close of a rejected body. */
#define SETTLE_TIMEOUT_MS 5000

typedef struct {
  guint status;
  SoupMessageHeaders *headers;
  GString *body;
} RawResponse;

static void
raw_response_clear (RawResponse *response)
{
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  if (response->body != NULL)
    g_string_free (response->body, TRUE);
  response->body = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RawResponse, raw_response_clear)

/* Connects to the HOST:PORT of URL (http:// or ws://) with blocking I/O
 * that times out after SOCKET_TIMEOUT_SECONDS. */
static GSocketConnection *
raw_connect (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;

  g_assert_nonnull (uri);
  g_socket_client_set_timeout (client, SOCKET_TIMEOUT_SECONDS);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), SOCKET_TIMEOUT_SECONDS);
  return connection;
}

/* Writes all of DATA; returns FALSE when the peer has closed or reset the
 * connection. */
static gboolean
raw_write (GSocketConnection *connection,
           const void        *data,
           gsize              length)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  return g_output_stream_write_all (output, data, length, NULL, NULL, NULL);
}

/* Reads one response: the header block, then Content-Length bytes of body.
 * Asserts that it arrives within SOCKET_TIMEOUT_SECONDS. */
static RawResponse
raw_read_response (GSocketConnection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  RawResponse response = { 0, soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE),
                           g_string_new (NULL) };
  g_autoptr (GString) head = g_string_new (NULL);
  const char *end;
  goffset length;

  while ((end = strstr (head->str, "\r\n\r\n")) == NULL)
    {
      char byte;
      g_autoptr (GError) error = NULL;
      gssize count = g_input_stream_read (input, &byte, 1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (count, ==, 1);
      g_string_append_c (head, byte);
    }

  g_assert_true (soup_headers_parse_response (head->str, (int) head->len, response.headers,
                                              NULL, &response.status, NULL));
  length = soup_message_headers_get_content_length (response.headers);
  g_string_set_size (response.body, (gsize) length);
  if (length > 0)
    {
      g_autoptr (GError) error = NULL;

      g_input_stream_read_all (input, response.body->str, (gsize) length, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  return response;
}

/* Asserts that the server closes CONNECTION within SOCKET_TIMEOUT_SECONDS.
 * Input that arrives before the end is skipped. */
static void
assert_server_closes (GSocketConnection *connection)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  char buffer[4096];
  gssize count;

  do
    {
      g_autoptr (GError) error = NULL;

      count = g_input_stream_read (input, buffer, sizeof buffer, NULL, &error);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        return;
      g_assert_no_error (error);
    }
  while (count > 0);
}

static void
assert_error_code (const RawResponse *response,
                   guint              status,
                   const char        *code)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (response->status, ==, status);
  json_parser_load_from_data (parser, response->body->str, (gssize) response->body->len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (
                     json_parser_get_root (parser)), "code"), ==, code);
}

static guint
count_fds (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (process));
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) error = NULL;
  guint count = 0;

  dir = g_dir_open (path, 0, &error);
  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

static guint64
resident_kib (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  const char *line;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  line = strstr (text, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

/* Waits until PROCESS has at most LIMIT descriptors open, and asserts that
 * it gets there within SETTLE_TIMEOUT_MS. */
static void
assert_fds_settle (GSubprocess *process,
                   guint        limit)
{
  gint64 deadline = g_get_monotonic_time () + SETTLE_TIMEOUT_MS * 1000;
  guint count;

  while ((count = count_fds (process)) > limit && g_get_monotonic_time () < deadline)
    g_usleep (100 * 1000);
  g_test_message ("%u descriptors open, at most %u allowed", count, limit);
  g_assert_cmpuint (count, <=, limit);
}

/* Sends REQUESTS one at a time on new connections to URL, each closed by
 * the client after the response, as curl does. Returns how many responses
 * carried Connection: close. */
static guint
send_sequential_requests (const char *url,
                          const char *request,
                          guint       expected_status)
{
  guint closing = 0;

  for (guint i = 0; i < SEQUENTIAL_REQUESTS; i++)
    {
      g_autoptr (GSocketConnection) connection = raw_connect (url);
      g_auto (RawResponse) response = { 0 };

      g_assert_true (raw_write (connection, request, strlen (request)));
      response = raw_read_response (connection);
      g_assert_cmpuint (response.status, ==, expected_status);
      if (soup_message_headers_header_contains (response.headers, "Connection", "close"))
        closing++;
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
  return closing;
}

static void
test_scheduler_connections_released (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  const char *requests[] = {
    "GET /join.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    "Content-Length: 2\r\n\r\n{}",
  };
  const guint statuses[] = { 200, 401, 400 };
  guint before, closing = 0;

  g_assert_no_error (error);
  before = count_fds (daemons->scheduler);

  for (gsize i = 0; i < G_N_ELEMENTS (requests); i++)
    closing += send_sequential_requests (daemons->scheduler_url, requests[i], statuses[i]);

  assert_fds_settle (daemons->scheduler, before + FD_GROWTH_ALLOWED);
  g_assert_cmpuint (closing, ==, G_N_ELEMENTS (requests) * SEQUENTIAL_REQUESTS);
}

static void
test_relay_connections_released (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER |
                                                             HZ_TEST_DAEMONS_RELAY, &error);
  const char *healthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  const char *unknown = "GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  guint before, closing;

  g_assert_no_error (error);
  before = count_fds (daemons->relay);

  closing = send_sequential_requests (daemons->relay_url, healthz, 200);
  closing += send_sequential_requests (daemons->relay_url, unknown, 404);

  assert_fds_settle (daemons->relay, before + FD_GROWTH_ALLOWED);
  g_assert_cmpuint (closing, ==, 2 * SEQUENTIAL_REQUESTS);
}

/* A declared body over the limit gets 413 before any of it is sent, and the
 * server closes the connection. */
static void
test_content_length_over_limit (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start_with_keys (HZ_TEST_DAEMONS_SCHEDULER,
                                                                       BODY_LIMIT_KEYS, &error);
  g_autofree char *over_limit = g_strdup_printf ("%d", BODY_LIMIT + 1);
  const char *lengths[] = { over_limit, "-1", "99999999999999999999999" };
  guint before;

  g_assert_no_error (error);
  before = count_fds (daemons->scheduler);

  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autoptr (GSocketConnection) connection = raw_connect (daemons->scheduler_url);
      g_autofree char *request = g_strdup_printf (
        "POST /api/v1/consultations HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n"
        "Content-Type: application/json\r\nContent-Length: %s\r\n\r\n", lengths[i]);
      g_auto (RawResponse) response = { 0 };

      g_test_message ("Content-Length: %s", lengths[i]);
      g_assert_true (raw_write (connection, request, strlen (request)));
      response = raw_read_response (connection);
      assert_error_code (&response, 413, "body_too_large");
      g_assert_cmpstr (response.body->str, ==,
                       "{\"code\":\"body_too_large\",\"message\":"
                       "\"The request body is larger than the limit of "
                       G_STRINGIFY (BODY_LIMIT_KIB) " KiB.\"}");
      assert_server_closes (connection);
    }

  assert_fds_settle (daemons->scheduler, before + FD_GROWTH_ALLOWED);
}

/* Sends a chunked body of BYTES bytes of spaces, without the last chunk
 * when FINISH is FALSE. Returns FALSE when the server closed the connection
 * before all was sent. */
static gboolean
send_chunked_spaces (GSocketConnection *connection,
                     gsize              bytes,
                     gboolean           finish)
{
  enum { CHUNK = 64 * 1024 };
  g_autofree char *chunk = g_malloc (CHUNK);
  g_autofree char *size_line = g_strdup_printf ("%x\r\n", CHUNK);

  memset (chunk, ' ', CHUNK);
  for (gsize sent = 0; sent < bytes; sent += CHUNK)
    {
      if (!raw_write (connection, size_line, strlen (size_line)) ||
          !raw_write (connection, chunk, CHUNK) ||
          !raw_write (connection, "\r\n", 2))
        return FALSE;
    }
  return !finish || raw_write (connection, "0\r\n\r\n", 5);
}

static const char chunked_headers[] =
  "POST /api/v1/consultations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
  "Transfer-Encoding: chunked\r\n\r\n";

/* A chunked body gets 413 once it passes the limit, while the client is
 * still sending, and the rejected bodies are not kept in memory. */
static void
test_chunked_over_limit (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start_with_keys (HZ_TEST_DAEMONS_SCHEDULER,
                                                                       BODY_LIMIT_KEYS, &error);
  g_autoptr (GSocketConnection) connection = NULL;
  g_auto (RawResponse) response = { 0 };
  guint64 resident_before, resident_after;
  guint fds_before;

  g_assert_no_error (error);
  fds_before = count_fds (daemons->scheduler);
  resident_before = resident_kib (daemons->scheduler);

  /* The body has no end yet, so only an early rejection sends a response. */
  connection = raw_connect (daemons->scheduler_url);
  g_assert_true (raw_write (connection, chunked_headers, strlen (chunked_headers)));
  g_assert_true (send_chunked_spaces (connection, BODY_LIMIT + 128 * 1024, FALSE));
  response = raw_read_response (connection);
  assert_error_code (&response, 413, "body_too_large");
  assert_server_closes (connection);

  /* 8 bodies of 16 MiB each: the server stops reading each one early. */
  for (int i = 0; i < 8; i++)
    {
      g_autoptr (GSocketConnection) big = raw_connect (daemons->scheduler_url);

      g_assert_true (raw_write (big, chunked_headers, strlen (chunked_headers)));
      g_assert_false (send_chunked_spaces (big, 16 * 1024 * 1024, TRUE));
    }

  resident_after = resident_kib (daemons->scheduler);
  g_test_message ("resident memory %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT
                  " KiB after", resident_before, resident_after);
  if (HZ_TEST_RESIDENT_MEMORY_MEANINGFUL)
    g_assert_cmpuint (resident_after, <, resident_before + 16 * 1024);
  assert_fds_settle (daemons->scheduler, fds_before + FD_GROWTH_ALLOWED);
}

/* A chunked body just under the limit reaches the handler. */
static void
test_chunked_under_limit (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HzTestDaemons) daemons = hz_test_daemons_start_with_keys (HZ_TEST_DAEMONS_SCHEDULER,
                                                                       BODY_LIMIT_KEYS, &error);
  g_autoptr (GSocketConnection) connection = NULL;
  g_auto (RawResponse) response = { 0 };
  const char *json = "{\"login\": \"nobody\", \"password\": \"wrong password\"}";
  g_autofree char *tail = g_strdup_printf ("%zx\r\n%s\r\n0\r\n\r\n", strlen (json), json);
  const char *request =
    "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n"
    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

  g_assert_no_error (error);
  connection = raw_connect (daemons->scheduler_url);
  g_assert_true (raw_write (connection, request, strlen (request)));
  /* Leading white space is valid JSON. */
  g_assert_true (send_chunked_spaces (connection, BODY_LIMIT - 64 * 1024, FALSE));
  g_assert_true (raw_write (connection, tail, strlen (tail)));

  response = raw_read_response (connection);
  assert_error_code (&response, 401, "invalid_credentials");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/scheduler-connections-released", test_scheduler_connections_released);
  g_test_add_func ("/http/relay-connections-released", test_relay_connections_released);
  g_test_add_func ("/http/content-length-over-limit", test_content_length_over_limit);
  g_test_add_func ("/http/chunked-over-limit", test_chunked_over_limit);
  g_test_add_func ("/http/chunked-under-limit", test_chunked_under_limit);
  return g_test_run ();
}
