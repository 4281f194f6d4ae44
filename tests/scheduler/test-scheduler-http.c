/* HTTP connection handling of the daemons, over raw sockets on loopback:
 * closed connections give back their file descriptors. */
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
 * said Connection: close. */
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/http/scheduler-connections-released", test_scheduler_connections_released);
  g_test_add_func ("/http/relay-connections-released", test_relay_connections_released);
  return g_test_run ();
}
