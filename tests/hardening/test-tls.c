/* Integration tests of TLS: the scheduler over HTTPS and the relay over WSS,
 * both serving a self-signed certificate that the test generates with the
 * openssl CLI, and the relay verifying the scheduler with scheduler-ca-file.
 *
 * The fixture writes its own config, because the TLS keys go into both
 * groups, and fills an HzTestDaemons so that the shared helpers (booking,
 * join tokens, stopping) work on it.
 */
#define G_LOG_DOMAIN "hz-test-tls"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "hz-test-daemons.h"
#include "hz-test-logs.h"
#include "hz-test-tls.h"
#include "relay-test-peer.h"

#define STARTUP_TIMEOUT_MS 15000
#define JOIN_TIMEOUT_MS 20000
#define EXIT_TIMEOUT_MS 15000
#define LOG_WAIT_MS 10000
#define LOG_ABSENCE_WAIT_MS 1000
#define PLAIN_HTTP_TIMEOUT_S 5
#define BOOKING_START_OFFSET_S (-60)
#define BOOKING_DURATION_S 3600
#define PASSWORD "Tls-Test-Password-7"
#define HSTS_VALUE "max-age=31536000"

/* The certificates of one test: the daemons serve SERVER, and OTHER is a
 * second self-signed pair that signed nothing the daemons serve. */
typedef struct {
  char *dir;
  char *server_certificate;
  char *server_key;
  char *other_certificate;
  char *other_key;
} TestCertificates;

static void
certificates_generate (TestCertificates *certificates)
{
  g_autoptr (GError) error = NULL;

  certificates->dir = g_dir_make_tmp ("huizhen-tls-XXXXXX", &error);
  g_assert_no_error (error);
  hz_test_tls_generate (certificates->dir, "server", &certificates->server_certificate,
                        &certificates->server_key, &error);
  g_assert_no_error (error);
  hz_test_tls_generate (certificates->dir, "other", &certificates->other_certificate,
                        &certificates->other_key, &error);
  g_assert_no_error (error);
}

static void
certificates_clear (TestCertificates *certificates)
{
  const char *files[] = { certificates->server_certificate, certificates->server_key,
                          certificates->other_certificate, certificates->other_key };

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i] != NULL)
      g_unlink (files[i]);
  if (certificates->dir != NULL)
    g_rmdir (certificates->dir);
  g_free (certificates->dir);
  g_free (certificates->server_certificate);
  g_free (certificates->server_key);
  g_free (certificates->other_certificate);
  g_free (certificates->other_key);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TestCertificates, certificates_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HzTestBooking, hz_test_booking_clear)

/* Writes the config of DAEMONS: both daemons on 127.0.0.1 port 0 with the
 * server certificate, and the relay trusting RELAY_CA_FILE for the
 * scheduler at daemons->scheduler_url once that is known. */
static void
write_config (HzTestDaemons *daemons, const TestCertificates *certificates,
              const char *relay_ca_file)
{
  g_autofree char *web_root = g_build_filename (g_getenv ("HUIZHEN_SOURCE_ROOT"), "web", NULL);
  g_autofree char *scheduler_url_line = daemons->scheduler_url != NULL
      ? g_strdup_printf ("scheduler-url = %s\n", daemons->scheduler_url)
      : g_strdup ("");
  g_autofree char *text = g_strdup_printf (
      "[scheduler]\nlisten = 127.0.0.1:0\ndatabase = %s\nweb-root = %s\n"
      "token-secret-file = %s\ntls-certificate = %s\ntls-key = %s\n"
      "[relay]\nlisten = 127.0.0.1:0\nrecordings-dir = %s\n"
      "tls-certificate = %s\ntls-key = %s\nscheduler-ca-file = %s\n%s",
      daemons->database_path, web_root, daemons->secret_path, certificates->server_certificate,
      certificates->server_key, daemons->recordings_dir, certificates->server_certificate,
      certificates->server_key, relay_ca_file, scheduler_url_line);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (daemons->config_path, text, -1, &error);
  g_assert_no_error (error);
}

/* Runs PROGRAM --config with ARGUMENT (NULL for none) and returns the
 * process; *LINE gets the first stdout line that starts with PREFIX, or
 * the first line when PREFIX is NULL. */
static GSubprocess *
spawn_daemon (HzTestDaemons *daemons, const char *program, const char *argument,
              const char *argument_value, const char *prefix, char **line)
{
  g_autofree char *path = g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"), program, NULL);
  const char *argv[] = { path, "--config", daemons->config_path, argument, argument_value,
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = hz_test_spawn (argv, &error);

  g_assert_no_error (error);
  for (;;) {
    g_autofree char *next = hz_test_read_line (process, STARTUP_TIMEOUT_MS);

    if (next == NULL)
      g_error ("%s printed no %s line within %d ms", program, prefix ? prefix : "first",
               STARTUP_TIMEOUT_MS);
    if (prefix == NULL || g_str_has_prefix (next, prefix)) {
      *line = g_strdup (next + (prefix != NULL ? strlen (prefix) : 0));
      return g_steal_pointer (&process);
    }
  }
}

/* Starts the scheduler and, with WITH_RELAY, the relay, both over TLS. The
 * fixture's HTTP client trusts the server certificate. */
static HzTestDaemons *
start_tls_daemons (const TestCertificates *certificates, const char *relay_ca_file,
                   gboolean with_relay)
{
  g_autoptr (HzTestDaemons) daemons = g_new0 (HzTestDaemons, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) admin = NULL;

  daemons->dir = g_dir_make_tmp ("huizhen-test-XXXXXX", &error);
  g_assert_no_error (error);
  daemons->config_path = g_build_filename (daemons->dir, "huizhen.conf", NULL);
  daemons->secret_path = g_build_filename (daemons->dir, "token.secret", NULL);
  daemons->database_path = g_build_filename (daemons->dir, "huizhen.db", NULL);
  daemons->recordings_dir = g_build_filename (daemons->dir, "recordings", NULL);
  daemons->tls_database = g_tls_file_database_new (certificates->server_certificate, &error);
  g_assert_no_error (error);

  write_config (daemons, certificates, relay_ca_file);
  hz_secret_load_or_create (daemons->secret_path, &daemons->secret, &error);
  g_assert_no_error (error);
  hz_test_logs_save_secret (&daemons->secret, &error);
  g_assert_no_error (error);

  admin = spawn_daemon (daemons, "scheduler/huizhen-scheduler", "--create-admin", "TLS Admin",
                        NULL, &daemons->admin_key);
  g_assert_true (g_subprocess_wait_check (admin, NULL, NULL));
  g_strstrip (daemons->admin_key);

  daemons->scheduler = spawn_daemon (daemons, "scheduler/huizhen-scheduler", NULL, NULL,
                                     "huizhen-scheduler: listening on ", &daemons->scheduler_url);
  g_test_message ("scheduler %s", daemons->scheduler_url);
  if (!with_relay)
    return g_steal_pointer (&daemons);

  /* The relay checks sessions with the scheduler's real port. */
  write_config (daemons, certificates, relay_ca_file);
  daemons->relay = spawn_daemon (daemons, "relay/huizhen-relay", NULL, NULL,
                                 "huizhen-relay: listening on ", &daemons->relay_url);
  g_test_message ("relay %s", daemons->relay_url);
  return g_steal_pointer (&daemons);
}

/* Sends METHOD PATH to the scheduler with a client that trusts CA_FILE
 * (NULL: the system's CAs) and returns the message; *BODY gets the body,
 * or NULL with *ERROR set when the request failed. */
static SoupMessage *
send_request (HzTestDaemons *daemons, const char *ca_file, const char *method,
              const char *path, const char *json_body, GBytes **body, GError **error)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (daemons->scheduler_url, path, NULL);
  SoupMessage *message = soup_message_new (method, url);

  if (ca_file != NULL) {
    g_autoptr (GTlsDatabase) database = g_tls_file_database_new (ca_file, NULL);

    g_assert_nonnull (database);
    soup_session_set_tls_database (session, database);
  }
  if (json_body != NULL) {
    g_autoptr (GBytes) bytes = g_bytes_new (json_body, strlen (json_body));

    soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  }
  *body = soup_session_send_and_read (session, message, NULL, error);
  return message;
}

static void
assert_hsts (SoupMessage *message)
{
  const char *hsts = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                   "Strict-Transport-Security");

  g_assert_cmpstr (hsts, ==, HSTS_VALUE);
}

/* The API, the static pages and a 404 over HTTPS all carry HSTS, and
 * /client-config hands out the relay's wss:// URL. */
static void
test_scheduler_https (void)
{
  g_auto (TestCertificates) certificates = { 0 };
  g_autoptr (HzTestDaemons) daemons = NULL;
  const char *paths[] = { "/api/v1/client-config", "/", "/no-such-page" };
  const guint expected_status[] = { 200, 200, 404 };

  certificates_generate (&certificates);
  daemons = start_tls_daemons (&certificates, certificates.server_certificate, TRUE);
  g_assert_true (g_str_has_prefix (daemons->scheduler_url, "https://127.0.0.1:"));
  g_assert_true (g_str_has_prefix (daemons->relay_url, "wss://127.0.0.1:"));

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = NULL;
    g_autoptr (SoupMessage) message = send_request (daemons, certificates.server_certificate,
                                                    "GET", paths[i], NULL, &body, &error);

    g_test_message ("GET %s", paths[i]);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (message), ==, expected_status[i]);
    assert_hsts (message);
  }

  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = NULL;
    g_autoptr (SoupMessage) message = send_request (daemons, certificates.server_certificate,
                                                    "GET", "/api/v1/client-config", NULL, &body,
                                                    &error);
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonObject *config;

    g_assert_no_error (error);
    g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                               (gssize) g_bytes_get_size (body), NULL));
    config = json_node_get_object (json_parser_get_root (parser));
    /* The relay URL comes from [relay] listen, port 0 here, with wss://
     * because the relay has a certificate. */
    g_assert_cmpstr (json_object_get_string_member (config, "relay_url"), ==,
                     "wss://127.0.0.1:0/ws");
  }
}

/* A login over HTTPS sets the session cookie with Secure, HttpOnly and
 * SameSite=Strict. */
static void
test_scheduler_secure_cookie (void)
{
  g_auto (TestCertificates) certificates = { 0 };
  g_autoptr (HzTestDaemons) daemons = NULL;
  g_autoptr (JsonNode) organization = NULL;
  g_autoptr (JsonNode) user = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) login = NULL;
  g_autofree char *user_body = NULL;
  const char *cookie;
  guint status = 0;

  certificates_generate (&certificates);
  daemons = start_tls_daemons (&certificates, certificates.server_certificate, FALSE);

  organization = hz_test_http (daemons, "POST", "/api/v1/organizations", daemons->admin_key,
                               "{\"name\": \"湄潭县人民医院\", \"name_en\": \"Meitan County People's Hospital\","
                               " \"level\": \"county\"}", "en",
                               &status);
  g_assert_cmpuint (status, ==, 201);
  user_body = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"陈医生\", "
                               "\"role\": \"doctor\", \"login\": \"chen.doctor\", "
                               "\"password\": \"" PASSWORD "\"}",
                               json_object_get_int_member (json_node_get_object (organization),
                                                           "id"));
  user = hz_test_http (daemons, "POST", "/api/v1/users", daemons->admin_key, user_body, "en",
                       &status);
  g_assert_cmpuint (status, ==, 201);

  login = send_request (daemons, certificates.server_certificate, "POST", "/api/v1/login",
                        "{\"login\": \"chen.doctor\", \"password\": \"" PASSWORD "\"}", &body,
                        &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (login), ==, 200);
  assert_hsts (login);
  cookie = soup_message_headers_get_one (soup_message_get_response_headers (login), "Set-Cookie");
  g_assert_nonnull (cookie);
  g_assert_true (g_str_has_prefix (cookie, "hz_session="));
  g_assert_nonnull (strstr (cookie, "; Secure"));
  g_assert_nonnull (strstr (cookie, "; HttpOnly"));
  g_assert_nonnull (strstr (cookie, "; SameSite=Strict"));
}

/* A client that trusts another CA, or only the system's CAs, gets a TLS
 * error and no response. */
static void
test_scheduler_untrusted_client (void)
{
  g_auto (TestCertificates) certificates = { 0 };
  g_autoptr (HzTestDaemons) daemons = NULL;
  const char *ca_files[2];

  certificates_generate (&certificates);
  daemons = start_tls_daemons (&certificates, certificates.server_certificate, FALSE);
  ca_files[0] = certificates.other_certificate;
  ca_files[1] = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (ca_files); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = NULL;
    g_autoptr (SoupMessage) message = send_request (daemons, ca_files[i], "GET",
                                                    "/api/v1/client-config", NULL, &body,
                                                    &error);

    g_test_message ("client trusting %s: %s", ca_files[i] ? ca_files[i] : "the system's CAs",
                    error != NULL ? error->message : "no error");
    g_assert_null (body);
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
    g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_NONE);
  }
}

/* Plain HTTP sent to the HTTPS port gets the connection closed, without an
 * HTTP response and within PLAIN_HTTP_TIMEOUT_S, and the scheduler goes on
 * serving HTTPS. */
static void
test_scheduler_plain_http_closed (void)
{
  g_auto (TestCertificates) certificates = { 0 };
  g_autoptr (HzTestDaemons) daemons = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) after = NULL;
  const char *request = "GET /api/v1/client-config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  GSocket *socket;
  char buffer[512];
  gssize received;
  gint64 started_us;

  certificates_generate (&certificates);
  daemons = start_tls_daemons (&certificates, certificates.server_certificate, FALSE);
  uri = g_uri_parse (daemons->scheduler_url, G_URI_FLAGS_NONE, NULL);

  connection = g_socket_client_connect_to_host (client, "127.0.0.1",
                                                (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  g_socket_set_timeout (socket, PLAIN_HTTP_TIMEOUT_S);
  g_assert_cmpint (g_socket_send (socket, request, strlen (request), NULL, &error), ==,
                   (gssize) strlen (request));
  g_assert_no_error (error);

  started_us = g_get_monotonic_time ();
  received = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
  g_test_message ("plain HTTP: %" G_GSSIZE_FORMAT " bytes after %" G_GINT64_FORMAT " ms (%s)",
                  received, (g_get_monotonic_time () - started_us) / 1000,
                  error != NULL ? error->message : "end of stream");
  /* A reset or an end of stream both close the connection, but a timeout
   * would mean that the server keeps it open. */
  if (error != NULL)
    g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  else
    g_assert_cmpint (received, ==, 0);

  g_clear_error (&error);
  after = send_request (daemons, certificates.server_certificate, "GET",
                        "/api/v1/client-config", NULL, &body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (after), ==, 200);
}

/* Waits at most WAIT_MS for the log that hz-test-logs copies the stderr
 * of PROCESS, a run of PROGRAM, to contain TEXT. */
static gboolean
log_contains (GSubprocess *process, const char *program, const char *text, guint wait_ms)
{
  const char *log_dir = g_getenv (HZ_TEST_LOG_DIR_VARIABLE);
  g_autofree char *name = g_strdup_printf ("%s-%s.log", program,
                                           g_subprocess_get_identifier (process));
  g_autofree char *path = NULL;
  gint64 deadline_us = g_get_monotonic_time () + (gint64) wait_ms * 1000;

  g_assert_nonnull (log_dir);
  path = g_build_filename (log_dir, "processes", name, NULL);
  do {
    g_autofree char *contents = NULL;

    if (g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, text) != NULL)
      return TRUE;
    g_usleep (100 * 1000);
  } while (g_get_monotonic_time () < deadline_us);
  return FALSE;
}

static gboolean
relay_log_contains (HzTestDaemons *daemons, const char *text)
{
  return log_contains (daemons->relay, "huizhen-relay", text, LOG_WAIT_MS);
}

static void
cancel_consultation (HzTestDaemons *daemons, const HzTestBooking *booking)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/cancel",
                                           booking->consultation_id);
  g_autoptr (JsonNode) cancelled = NULL;
  guint status = 0;

  cancelled = hz_test_http (daemons, "POST", path, booking->doctor_key,
                            "{\"reason\": \"患者已转院\"}", "en", &status);
  g_assert_cmpuint (status, ==, 200);
}

/* Starts hz-test-peer with TOKEN, trusting CA_FILE for the relay. */
static RelayTestPeer *
start_peer (const RelayTestTools *tools, HzTestDaemons *daemons, const HzTestBooking *booking,
            const char *token, const char *label, const char *ca_file)
{
  g_autofree char *ca_argument = g_strdup_printf ("--ca-file=%s", ca_file);
  const char *extra_args[] = { "--no-publish", ca_file != NULL ? ca_argument : NULL, NULL };

  return relay_test_peer_start (tools, daemons, booking->session_id, token, label, extra_args);
}

/* A peer joins over wss:// when it trusts the relay's certificate and
 * fails to connect with the system's CAs only. The relay's session check
 * reaches the scheduler over verified HTTPS. */
static void
test_relay_wss_join (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_auto (TestCertificates) certificates = { 0 };
  g_autoptr (HzTestDaemons) daemons = NULL;
  g_auto (HzTestBooking) booking = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *doctor_token = NULL;
  g_autofree char *expert_token = NULL;
  g_autofree char *session_check = NULL;
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) untrusting = NULL;

  certificates_generate (&certificates);
  daemons = start_tls_daemons (&certificates, certificates.server_certificate, TRUE);
  hz_test_book_consultation (daemons, BOOKING_START_OFFSET_S, BOOKING_DURATION_S, &booking,
                             &error);
  g_assert_no_error (error);
  doctor_token = hz_test_join_token (daemons, booking.session_id, booking.doctor_key, &error);
  g_assert_no_error (error);
  expert_token = hz_test_join_token (daemons, booking.session_id, booking.expert_key, &error);
  g_assert_no_error (error);

  doctor = start_peer (tools, daemons, &booking, doctor_token, "doctor",
                       certificates.server_certificate);
  g_assert_nonnull (relay_test_peer_wait_event (doctor, "joined", NULL, NULL, JOIN_TIMEOUT_MS));

  /* The scheduler logs the relay's request, which arrived over TLS. */
  session_check = g_strdup_printf ("GET /api/v1/internal/sessions/%" G_GINT64_FORMAT " 200",
                                   booking.session_id);
  g_assert_true (log_contains (daemons->scheduler, "huizhen-scheduler", session_check,
                              LOG_WAIT_MS));
  /* The relay logs a failed check before the join completes, so a short
   * wait covers the copy of its stderr. */
  g_assert_false (log_contains (daemons->relay, "huizhen-relay",
                                "could not be checked with the scheduler", LOG_ABSENCE_WAIT_MS));

  untrusting = start_peer (tools, daemons, &booking, expert_token, "expert-untrusting", NULL);
  /* Exit status 1: no connection (HZ_PEER_EXIT_FAILED in peer.h). */
  g_assert_cmpint (relay_test_peer_wait_exit (untrusting, EXIT_TIMEOUT_MS), ==, 1);
  g_assert_null (relay_test_peer_wait_event (untrusting, "joined", NULL, NULL, 0));
}

/* With a scheduler-ca-file that did not sign the scheduler's certificate,
 * the relay logs the TLS failure and uses no response of the scheduler.
 * So the cancellation stays unknown to it, and the join goes ahead on the
 * token alone, as when the scheduler cannot be reached. */
static void
test_relay_wrong_scheduler_ca (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_auto (TestCertificates) certificates = { 0 };
  g_autoptr (HzTestDaemons) daemons = NULL;
  g_auto (HzTestBooking) booking = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *doctor_token = NULL;
  g_autoptr (RelayTestPeer) doctor = NULL;

  certificates_generate (&certificates);
  daemons = start_tls_daemons (&certificates, certificates.other_certificate, TRUE);
  hz_test_book_consultation (daemons, BOOKING_START_OFFSET_S, BOOKING_DURATION_S, &booking,
                             &error);
  g_assert_no_error (error);
  doctor_token = hz_test_join_token (daemons, booking.session_id, booking.doctor_key, &error);
  g_assert_no_error (error);
  cancel_consultation (daemons, &booking);

  doctor = start_peer (tools, daemons, &booking, doctor_token, "doctor",
                       certificates.server_certificate);
  g_assert_nonnull (relay_test_peer_wait_event (doctor, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  g_assert_true (relay_log_contains (daemons, "the scheduler's TLS certificate failed verification"));
  g_assert_true (relay_log_contains (daemons, "signed by an unknown CA"));
  g_assert_true (relay_log_contains (daemons, "scheduler-ca-file must name the CA"));
  g_assert_true (relay_log_contains (daemons, "the join goes ahead on the token alone"));
}

/* A daemon whose key does not match its certificate exits at startup with
 * the config file, the key and the reason. */
static void
test_daemons_reject_mismatched_key (void)
{
  g_auto (TestCertificates) certificates = { 0 };
  g_autoptr (HzTestDaemons) daemons = g_new0 (HzTestDaemons, 1);
  const char *programs[] = { "scheduler/huizhen-scheduler", "relay/huizhen-relay" };
  const char *groups[] = { "scheduler", "relay" };

  certificates_generate (&certificates);
  daemons->dir = g_dir_make_tmp ("huizhen-test-XXXXXX", NULL);
  daemons->config_path = g_build_filename (daemons->dir, "huizhen.conf", NULL);
  daemons->secret_path = g_build_filename (daemons->dir, "token.secret", NULL);
  daemons->database_path = g_build_filename (daemons->dir, "huizhen.db", NULL);
  daemons->recordings_dir = g_build_filename (daemons->dir, "recordings", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (programs); i++) {
    g_autofree char *path = g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"), programs[i], NULL);
    g_autofree char *text = g_strdup_printf (
        "[scheduler]\nlisten = 127.0.0.1:0\ndatabase = %s\ntoken-secret-file = %s\n"
        "%stls-certificate = %s\ntls-key = %s\n",
        daemons->database_path, daemons->secret_path,
        i == 0 ? "" : "[relay]\nlisten = 127.0.0.1:0\n",
        certificates.server_certificate, certificates.other_key);
    g_autofree char *expected = NULL;
    g_autofree char *stderr_text = NULL;
    g_autoptr (GSubprocess) process = NULL;
    g_autoptr (GError) error = NULL;

    g_file_set_contents (daemons->config_path, text, -1, &error);
    g_assert_no_error (error);
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                &error, path, "--config", daemons->config_path, NULL);
    g_assert_no_error (error);
    g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &stderr_text, &error);
    g_assert_no_error (error);
    g_test_message ("%s: %s", programs[i], stderr_text);

    g_assert_true (g_subprocess_get_if_exited (process));
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
    expected = g_strdup_printf ("%s: [%s] tls-key = '%s': the key does not match the "
                                "certificate in '%s'", daemons->config_path, groups[i],
                                certificates.other_key, certificates.server_certificate);
    g_assert_nonnull (strstr (stderr_text, expected));
  }
}

int
main (int argc, char **argv)
{
  RelayTestTools tools = { 0 };
  const char *prefix = "--hz-test-peer=";
  int status;

  g_test_init (&argc, &argv, NULL);
  for (int i = 1; i < argc; i++) {
    if (g_str_has_prefix (argv[i], prefix))
      tools.peer = g_strdup (argv[i] + strlen (prefix));
  }
  if (tools.peer == NULL) {
    g_printerr ("pass --hz-test-peer=PATH\n");
    return 1;
  }

  g_test_add_func ("/tls/scheduler-https", test_scheduler_https);
  g_test_add_func ("/tls/scheduler-secure-cookie", test_scheduler_secure_cookie);
  g_test_add_func ("/tls/scheduler-untrusted-client", test_scheduler_untrusted_client);
  g_test_add_func ("/tls/scheduler-plain-http-closed", test_scheduler_plain_http_closed);
  g_test_add_func ("/tls/mismatched-key-stops-daemons", test_daemons_reject_mismatched_key);
  g_test_add_data_func ("/tls/relay-wss-join", &tools, test_relay_wss_join);
  g_test_add_data_func ("/tls/relay-wrong-scheduler-ca", &tools, test_relay_wrong_scheduler_ca);
  status = g_test_run ();
  g_free (tools.peer);
  return status;
}
