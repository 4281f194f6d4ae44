/* Integration tests of the relay's limits on hostile clients: request
 * bodies, WebSocket message sizes, connections per address, the join
 * deadline, empty SDP, and joins of cancelled sessions.
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

/* Main -------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/relay-limits/http-chunked-body", test_http_chunked_body);
  g_test_add_func ("/relay-limits/http-content-length", test_http_content_length);
  return g_test_run ();
}
