/* Integration tests of huizhen-relay on real networks and for operations:
 * /metrics and /healthz, the ICE port range, mDNS candidates, a participant
 * whose network drops and comes back, TURN servers from the config, and
 * join/leave churn.
 *
 * Each case runs the scheduler of the test fixture and a relay started
 * with the case's own [relay] keys (relay-test-net.h), with hz-test-peer
 * participants. Network namespaces are created and removed by the case
 * itself; without root the cases that need them are skipped.
 *
 * Command line, besides GLib's test options:
 *   --hz-test-peer=PATH --hz-media-check=PATH
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-net.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#define JOIN_TIMEOUT_MS 20000
#define MEDIA_TIMEOUT_MS 20000
#define EXIT_TIMEOUT_MS 30000

/* A feed decodes "throughout" when each one-second stats event of the
 * receiving peer shows at least this many more frames than the one before:
 * a sixth of the 30 fps that hz-test-peer sends. A frozen picture gains
 * none. On the shared 2-core machine, with other work on it, the churn
 * soak saw single ticks of 8 and 9 frames, so a third of 30 was too
 * tight. */
#define MIN_FRAMES_PER_STATS_TICK 5

/* Checks ------------------------------------------------------------------ */

static char *
id_string (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static void
wait_first_video (RelayTestPeer *peer, gint64 from_id)
{
  g_autofree char *from = id_string (from_id);
  JsonObject *event = NULL;

  for (;;) {
    event = relay_test_peer_wait_event (peer, "first-frame", "from", from, MEDIA_TIMEOUT_MS);
    g_assert_nonnull (event);
    if (g_strcmp0 (json_object_get_string_member (event, "kind"), "video") == 0)
      return;
  }
}

/* Returns the video_frames of each "stats" event of PEER for FROM_ID, in
 * order; PEER must have exited. */
static GArray *
video_frames_per_tick (RelayTestPeer *peer, gint64 from_id)
{
  g_autofree char *from = id_string (from_id);
  GArray *frames = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < peer->events->len; i++) {
    JsonObject *event = json_node_get_object (peer->events->pdata[i]);

    if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", ""), "stats") == 0
        && g_strcmp0 (json_object_get_string_member_with_default (event, "from", ""), from) == 0) {
      gint64 value = json_object_get_int_member (event, "video_frames");

      g_array_append_val (frames, value);
    }
  }
  return frames;
}

/* Checks that PEER's video from FROM_ID never stalled once it started. */
static void
assert_decoding_throughout (RelayTestPeer *peer, gint64 from_id)
{
  g_autoptr (GArray) frames = video_frames_per_tick (peer, from_id);
  guint start = 0;

  g_test_message ("checking that %s decoded participant %" G_GINT64_FORMAT " throughout",
                  peer->label, from_id);
  while (start < frames->len && g_array_index (frames, gint64, start) == 0)
    start++;
  /* Ticks until the first and after the last full second are partial. */
  g_assert_cmpuint (frames->len, >, start + 3);
  for (guint i = start + 2; i + 1 < frames->len; i++) {
    gint64 gained = g_array_index (frames, gint64, i) - g_array_index (frames, gint64, i - 1);

    if (gained < MIN_FRAMES_PER_STATS_TICK)
      g_test_message ("%s: only %" G_GINT64_FORMAT " frames from %" G_GINT64_FORMAT
                      " in stats tick %u of %u", peer->label, gained, from_id, i, frames->len);
    g_assert_cmpint (gained, >=, MIN_FRAMES_PER_STATS_TICK);
  }
}

/* Checks that PEER's video from FROM_ID stalled for at least one tick and
 * then gained at least MIN_FRAMES_AFTER frames. */
static void
assert_decoding_resumed (RelayTestPeer *peer, gint64 from_id, gint64 min_frames_after)
{
  g_autoptr (GArray) frames = video_frames_per_tick (peer, from_id);
  gint64 stalled_at = -1;

  for (guint i = 1; i < frames->len; i++) {
    if (g_array_index (frames, gint64, i) > 0
        && g_array_index (frames, gint64, i) == g_array_index (frames, gint64, i - 1))
      stalled_at = g_array_index (frames, gint64, i);
  }
  g_test_message ("%s: video from %" G_GINT64_FORMAT " stalled at %" G_GINT64_FORMAT
                  " frames, ended at %" G_GINT64_FORMAT, peer->label, from_id, stalled_at,
                  frames->len > 0 ? g_array_index (frames, gint64, frames->len - 1) : -1);
  g_assert_cmpint (stalled_at, >, 0);
  g_assert_cmpint (g_array_index (frames, gint64, frames->len - 1), >=,
                   stalled_at + min_frames_after);
}

static guint
count_events (RelayTestPeer *peer, const char *name, gint64 participant_id)
{
  g_autofree char *id = id_string (participant_id);
  guint count = 0;

  for (guint i = 0; i < peer->events->len; i++) {
    JsonObject *event = json_node_get_object (peer->events->pdata[i]);

    if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", ""), name) == 0
        && g_strcmp0 (json_object_get_string_member_with_default (event, "participant_id", ""),
                      id) == 0)
      count++;
  }
  return count;
}

static GHashTable *
fetch_metrics (NetTestSession *net)
{
  guint status = 0;
  g_autofree char *text = net_test_http_get (net->relay, "/metrics", &status);

  g_assert_cmpuint (status, ==, 200);
  return net_test_parse_metrics (text);
}

/* Cases ---------------------------------------------------------------------- */

static void
check_ports_in_range (NetTestSession *net, guint min, guint max)
{
  g_autoptr (GArray) ports = net_test_udp_ports (net_test_relay_pid (net->relay));

  g_test_message ("the relay has %u UDP sockets", ports->len);
  g_assert_cmpuint (ports->len, >, 0);
  for (guint i = 0; i < ports->len; i++) {
    g_assert_cmpuint (g_array_index (ports, guint, i), >=, min);
    g_assert_cmpuint (g_array_index (ports, guint, i), <=, max);
  }
}

static void
check_metrics_during_call (NetTestSession *net)
{
  g_autoptr (GHashTable) metrics = fetch_metrics (net);

  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_rooms"), ==, 1);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_participants"), ==, 2);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_publishers"), ==, 2);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_subscriptions"), ==, 2);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_packets_received_total{kind=\"video\"}"), >, 0);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_packets_sent_total{kind=\"audio\"}"), >, 0);
}

/* After the call: every counter that a two-person call moves, moved, and
 * the gauges are back to 0. */
static void
check_metrics_after_call (NetTestSession *net)
{
  g_autoptr (GHashTable) metrics = NULL;
  const char *kinds[] = { "audio", "video" };

  /* The room closes once both recordings of both publishers are final. */
  for (int tries = 0; tries < 100; tries++) {
    g_clear_pointer (&metrics, g_hash_table_unref);
    metrics = fetch_metrics (net);
    if (net_test_metric (metrics, "huizhen_relay_rooms") == 0)
      break;
    g_usleep (100 * 1000);
  }
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_rooms"), ==, 0);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_participants"), ==, 0);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_joins_total"), ==, 2);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_leaves_total"), ==, 2);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_resumes_total"), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++) {
    g_autofree char *in = g_strdup_printf ("huizhen_relay_packets_received_total{kind=\"%s\"}", kinds[i]);
    g_autofree char *out = g_strdup_printf ("huizhen_relay_packets_sent_total{kind=\"%s\"}", kinds[i]);
    g_autofree char *bytes_in = g_strdup_printf ("huizhen_relay_bytes_received_total{kind=\"%s\"}", kinds[i]);
    g_autofree char *bytes_out = g_strdup_printf ("huizhen_relay_bytes_sent_total{kind=\"%s\"}", kinds[i]);
    double received = net_test_metric (metrics, in);
    double sent = net_test_metric (metrics, out);

    g_test_message ("%s: %.0f packets received, %.0f sent", kinds[i], received, sent);
    /* Each feed has one subscriber, which joins within the first second. */
    g_assert_cmpfloat (received, >, 100);
    g_assert_cmpfloat (sent, >=, received * 0.5);
    g_assert_cmpfloat (sent, <=, received * 1.01);
    g_assert_cmpfloat (net_test_metric (metrics, bytes_in), >, received * 20);
    g_assert_cmpfloat (net_test_metric (metrics, bytes_out), >, sent * 20);
  }

  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_keyframe_requests_received_total"), >=, 2);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_keyframe_requests_sent_total"), >=, 1);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_recording_bytes_total"), >, 10000);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_ice_failures_total"), ==, 0);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_packets_lost_total"), >=, 0);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_nacks_received_total"), >=, 0);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_nacks_sent_total"), >=, 0);
}

/* Threads that may outlive a closed room: GLib's worker, dconf's worker,
 * GstSystemClock's, and the idle threads that GLib's thread pools keep
 * (at most 2 by default, g_thread_pool_set_max_unused_threads()). */
#define ROOM_THREADS_SLACK 5

/* Checks that the closed room freed its elements: every ICE agent's UDP
 * socket is closed, and the threads are back to THREADS_BEFORE the call,
 * give or take ROOM_THREADS_SLACK. It waits up to 5 s for idle pool threads
 * to end, which took under 1 s in runs on a shared 2-core machine. */
static void
check_room_freed (NetTestSession *net, guint threads_before)
{
  GPid pid = net_test_relay_pid (net->relay);
  guint udp_sockets = 0;
  guint threads = 0;

  for (int tries = 0; tries < 50; tries++) {
    g_autoptr (GArray) ports = net_test_udp_ports (pid);

    udp_sockets = ports->len;
    threads = net_test_count_threads (pid);
    if (udp_sockets == 0 && threads <= threads_before + ROOM_THREADS_SLACK)
      break;
    g_usleep (100 * 1000);
  }
  g_test_message ("after the room closed: %u UDP sockets, %u threads (%u before the call)",
                  udp_sockets, threads, threads_before);
  g_assert_cmpuint (udp_sockets, ==, 0);
  g_assert_cmpuint (threads, <=, threads_before + ROOM_THREADS_SLACK);
}

static void
test_metrics_after_call (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start ("ice-port-min = 42000\n"
                                                           "ice-port-max = 42199\n");
  RelayTestSession *session = &net->session;
  const char *args[] = { "--duration=8", NULL };
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  guint status = 0;
  g_autofree char *health = net_test_http_get (net->relay, "/healthz", &status);
  guint threads_before = 0;

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (health, ==, "ok");
  threads_before = net_test_count_threads (net_test_relay_pid (net->relay));

  doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->doctor_token, "doctor", args);
  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", args);
  wait_first_video (doctor, session->booking.expert_id);
  wait_first_video (expert, session->booking.doctor_id);
  check_metrics_during_call (net);
  check_ports_in_range (net, 42000, 42199);

  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, 0);
  check_metrics_after_call (net);
  check_room_freed (net, threads_before);
}

/* Two peers that join together see each other's video 1.7 to 2.8 s after
 * joining on a loaded 2-core machine, with or without mDNS candidates; 5 s
 * was exceeded once under a load average of 15. A stall on the mDNS names
 * would leave no video at all within the 8 s call. */
#define MDNS_FIRST_VIDEO_MS 6000

/* Both clients announce their host candidates only under mDNS names, as
 * browsers do; the relay skips them and connects through the addresses
 * the clients' checks come from. */
static void
test_mdns_candidates (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  const char *args[] = { "--duration=8", "--mdns-candidates", NULL };
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  JsonObject *feed = NULL;

  doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->doctor_token, "doctor", args);
  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", args);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, 0);

  /* No stall: video within MDNS_FIRST_VIDEO_MS of joining. */
  feed = relay_test_peer_feed (doctor, session->booking.expert_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), <, MDNS_FIRST_VIDEO_MS);
  feed = relay_test_peer_feed (expert, session->booking.doctor_id);
  g_assert_nonnull (feed);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (feed, "first_video_ms"), <, MDNS_FIRST_VIDEO_MS);
  g_assert_true (net_test_relay_log_contains (net->relay, "ignoring an mDNS (.local) candidate"));
}

/* A participant in its own network namespace loses every packet for 5 s.
 * It notices the stall, rejoins with the same token once the network is
 * back, and is resumed: the other two never see it leave or join again,
 * keep decoding each other throughout, and get its video again. */
static void
test_reconnect_after_drop (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestNamespace) ns = net_test_namespace_new ();
  g_autoptr (NetTestSession) net = NULL;
  g_autofree char *token = NULL;
  g_autofree char *local_address = NULL;
  RelayTestTools *ns_tools = NULL;
  RelayTestSession *session = NULL;
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  g_autoptr (RelayTestPeer) roamer = NULL;
  g_autoptr (GHashTable) metrics = NULL;
  JsonObject *joined = NULL;
  gint64 roamer_id;

  if (ns == NULL)
    return;
  net = net_test_session_start_for_namespace (ns);
  session = &net->session;
  roamer_id = session->booking.coordinator_id;
  token = net_test_sign_token (net, roamer_id, TRUE, "王医生");
  local_address = g_strdup_printf ("--local-address=%s", ns->ns_address);
  ns_tools = net_test_tools_in_namespace (tools, ns, session->daemons->dir);

  doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->doctor_token, "doctor", NULL);
  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", NULL);
  /* The roamer joins last, so the other two each see it join once. */
  g_assert_nonnull (relay_test_peer_wait_event (doctor, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  g_assert_nonnull (relay_test_peer_wait_event (expert, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  {
    const char *args[] = { local_address, "--reconnect", "--stall-timeout=2", NULL };

    roamer = relay_test_peer_start (ns_tools, session->daemons, session->booking.session_id,
                                    token, "roamer", args);
  }
  net_test_tools_free (ns_tools);

  g_assert_nonnull (relay_test_peer_wait_event (roamer, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  wait_first_video (doctor, session->booking.expert_id);
  wait_first_video (expert, session->booking.doctor_id);
  wait_first_video (roamer, session->booking.doctor_id);
  wait_first_video (doctor, roamer_id);
  g_usleep (2 * G_USEC_PER_SEC);

  net_test_namespace_set_blackhole (ns, TRUE);
  g_usleep (5 * G_USEC_PER_SEC);
  net_test_namespace_set_blackhole (ns, FALSE);

  g_assert_nonnull (relay_test_peer_wait_event (roamer, "reconnecting", NULL, NULL, 1000));
  joined = relay_test_peer_wait_event (roamer, "joined", NULL, NULL, JOIN_TIMEOUT_MS);
  g_assert_nonnull (joined);
  g_assert_true (json_object_get_boolean_member_with_default (joined, "resumed", FALSE));
  /* Media flows again within a few seconds of the rejoin; 8 s of it. */
  g_usleep (8 * G_USEC_PER_SEC);

  metrics = fetch_metrics (net);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_resumes_total"), ==, 1);
  g_assert_cmpfloat (net_test_metric (metrics, "huizhen_relay_participants"), ==, 3);

  relay_test_peer_terminate (doctor);
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, 0);
  relay_test_peer_terminate (roamer);
  g_assert_cmpint (relay_test_peer_wait_exit (roamer, EXIT_TIMEOUT_MS), ==, 0);

  g_assert_cmpuint (count_events (doctor, "participant-left", roamer_id), ==, 0);
  g_assert_cmpuint (count_events (expert, "participant-left", roamer_id), ==, 0);
  g_assert_cmpuint (count_events (doctor, "participant-joined", roamer_id), ==, 1);
  g_assert_cmpuint (count_events (expert, "participant-joined", roamer_id), ==, 1);
  assert_decoding_throughout (doctor, session->booking.expert_id);
  assert_decoding_throughout (expert, session->booking.doctor_id);
  /* At least 2 s of the 8 s after the rejoin arrive at 30 fps. */
  assert_decoding_resumed (doctor, roamer_id, 60);
  assert_decoding_resumed (expert, roamer_id, 60);
  assert_decoding_resumed (roamer, session->booking.doctor_id, 60);
  g_assert_true (net_test_relay_log_contains (net->relay, "resuming it"));
}

/* TURN ----------------------------------------------------------------------- */

#define TURN_USER "hz-test"
#define TURN_PASSWORD "turn-test-password"

/* A coturn server on 127.0.0.1 with a plain and a TLS listener. */
typedef struct {
  GSubprocess *process;
  guint port;
  guint tls_port;
  char *log_path;
} TurnServer;

static guint
free_tcp_udp_port (void)
{
  for (;;) {
    g_autoptr (GSocket) tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr (GSocketAddress) bound = NULL;
    g_autoptr (GSocket) udp = NULL;
    g_autoptr (GSocketAddress) same = NULL;
    guint port;

    g_assert_true (g_socket_bind (tcp, any, FALSE, NULL));
    bound = g_socket_get_local_address (tcp, NULL);
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    same = g_inet_socket_address_new (loopback, port);
    if (g_socket_bind (udp, same, FALSE, NULL))
      return port;
  }
}

static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static TurnServer *
turn_server_start (const char *dir)
{
  TurnServer *turn = g_new0 (TurnServer, 1);
  g_autofree char *cert = g_build_filename (dir, "turn-cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "turn-key.pem", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "turnserver.pid", NULL);
  g_autofree char *port = NULL;
  g_autofree char *tls_port = NULL;
  g_autofree char *log_option = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) openssl = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;

  if (!net_test_have_program ("turnserver") || !net_test_have_program ("openssl")) {
    g_test_skip ("needs coturn's turnserver and openssl (Debian packages coturn, openssl)");
    g_free (turn);
    return NULL;
  }
  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, "openssl", "req",
                              "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                              "/CN=127.0.0.1", "-keyout", key, "-out", cert, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));

  turn->port = free_tcp_udp_port ();
  turn->tls_port = free_tcp_udp_port ();
  port = g_strdup_printf ("%u", turn->port);
  tls_port = g_strdup_printf ("%u", turn->tls_port);
  turn->log_path = g_build_filename (dir, "turnserver.log", NULL);
  log_option = g_strdup_printf ("--log-file=%s", turn->log_path);
  /* The TURN server dies with the test, also when an assertion aborts it. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  turn->process = g_subprocess_launcher_spawn (launcher, &error, "turnserver", "-n", "-v",
                                    "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
                                    "--listening-port", port, "--tls-listening-port", tls_port,
                                    "--cert", cert, "--pkey", key, "--lt-cred-mech",
                                    "--user=" TURN_USER ":" TURN_PASSWORD, "--realm=huizhen.test",
                                    "--fingerprint", "--no-cli", "--no-dtls", "--no-multicast-peers",
                                    "--allow-loopback-peers", "--min-port=44000",
                                    "--max-port=44999", "--pidfile", pid_file, "--simple-log",
                                    log_option, NULL);
  g_assert_no_error (error);
  /* coturn has no ready line; its listeners are up well within a second. */
  g_usleep (G_USEC_PER_SEC);
  g_test_message ("turnserver pid %s on 127.0.0.1:%u (TLS %u), log %s",
                  g_subprocess_get_identifier (turn->process), turn->port, turn->tls_port,
                  turn->log_path);
  return turn;
}

static void
turn_server_free (TurnServer *turn)
{
  g_subprocess_force_exit (turn->process);
  g_subprocess_wait (turn->process, NULL, NULL);
  g_object_unref (turn->process);
  g_free (turn->log_path);
  g_free (turn);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TurnServer, turn_server_free)

static guint
count_occurrences (const char *text, const char *needle)
{
  guint count = 0;

  for (const char *at = strstr (text, needle); at != NULL; at = strstr (at + 1, needle))
    count++;
  return count;
}

/* Returns how many of PEER's "candidate" events from the relay on PC are
 * relayed candidates. */
static guint
count_relay_candidates (RelayTestPeer *peer, const char *pc)
{
  guint count = 0;

  for (guint i = 0; i < peer->events->len; i++) {
    JsonObject *event = json_node_get_object (peer->events->pdata[i]);

    if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", ""), "candidate") == 0
        && g_strcmp0 (json_object_get_string_member_with_default (event, "pc", ""), pc) == 0
        && strstr (json_object_get_string_member_with_default (event, "candidate", ""),
                   " typ relay") != NULL)
      count++;
  }
  return count;
}

/* The relay gets TURN servers over UDP, TCP and TLS from its config: the
 * TURN server sees an allocation over each, and the relay's connections
 * offer a relayed candidate, publish and subscriber connections alike.
 *
 * NOTE: with several TURN servers, webrtcbin 1.22 and libnice 0.1.21
 * signal one relayed candidate per connection, though every allocation
 * succeeds; the test checks the allocations on the server's side. */
static void
test_turn_servers (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autofree char *dir = g_dir_make_tmp ("huizhen-turn-XXXXXX", NULL);
  g_autoptr (TurnServer) turn = turn_server_start (dir);
  g_autoptr (NetTestSession) net = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *turn_log = NULL;
  g_autofree char *tls_listener = NULL;
  RelayTestSession *session = NULL;
  const char *args[] = { "--duration=6", NULL };
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  guint relayed = 0;

  if (turn == NULL)
    return;
  keys = g_strdup_printf ("turn-server = turn://" TURN_USER ":" TURN_PASSWORD "@127.0.0.1:%u "
                          "turn://" TURN_USER ":" TURN_PASSWORD "@127.0.0.1:%u?transport=tcp "
                          "turns://" TURN_USER ":" TURN_PASSWORD "@127.0.0.1:%u\n",
                          turn->port, turn->port, turn->tls_port);
  net = net_test_session_start (keys);
  session = &net->session;
  doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->doctor_token, "doctor", args);
  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", args);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_nonnull (relay_test_peer_feed (doctor, session->booking.expert_id));

  relayed = count_relay_candidates (doctor, "publish");
  g_test_message ("the relay sent %u relayed candidates for the doctor's publish connection",
                  relayed);
  g_assert_cmpuint (relayed, >=, 1);
  {
    g_autofree char *sub_pc = g_strdup_printf ("sub:%" G_GINT64_FORMAT, session->booking.expert_id);

    /* The subscriber connection's agent is the relay's own (send-pool.c). */
    relayed = count_relay_candidates (doctor, sub_pc);
    g_test_message ("the relay sent %u relayed candidates for the doctor's %s", relayed, sub_pc);
    g_assert_cmpuint (relayed, >=, 1);
  }

  /* coturn (4.6) logs "tcp or tls connected to" for each TCP or TLS client
   * and names the listener in a session's closing line, which comes once
   * the relay has released the allocation. */
  tls_listener = g_strdup_printf ("local 127.0.0.1:%u,", turn->tls_port);
  for (int tries = 0; tries < 50; tries++) {
    g_clear_pointer (&turn_log, g_free);
    g_assert_true (g_file_get_contents (turn->log_path, &turn_log, NULL, NULL));
    if (count_occurrences (turn_log, "tcp or tls connected to") >= 2
        && strstr (turn_log, tls_listener) != NULL)
      break;
    g_usleep (100 * 1000);
  }
  g_assert_nonnull (strstr (turn_log, "ALLOCATE processed, success"));
  /* One client over TCP and one over TLS. */
  g_assert_cmpuint (count_occurrences (turn_log, "tcp or tls connected to"), >=, 2);
  g_assert_nonnull (strstr (turn_log, tls_listener));
  if (g_getenv ("HUIZHEN_KEEP_TEST_DIR") == NULL) {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
}

/* Join and leave churn -------------------------------------------------------- */

/* Two participants publish and leave again in each round, while two others
 * stay. CHURN_ROUNDS rounds make 200 join and leave cycles. */
#define CHURN_ROUNDS 100
#define CHURN_WARMUP_ROUNDS 10
#define CHURN_PEER_SECONDS "--duration=3"

/* After the warm-up, the relay's descriptors must come back to their level
 * exactly, but for a few that close a moment late (sockets of a pipeline
 * being torn down): CHURN_FD_SLACK. Memory is allowed CHURN_RSS_SLACK_KIB
 * of growth over 180 cycles for malloc fragmentation; a leaked subscriber
 * or ingest webrtcbin costs far more than 100 KiB (its threads' stacks,
 * sockets and buffers), so a leak of one per cycle exceeds it. */
#define CHURN_FD_SLACK 3
#define CHURN_RSS_SLACK_KIB (16 * 1024)

/* Waits until no room holds a leaving participant any more. */
static void
settle_relay (NetTestSession *net, double participants)
{
  for (int tries = 0; tries < 50; tries++) {
    g_autoptr (GHashTable) metrics = fetch_metrics (net);

    if (net_test_metric (metrics, "huizhen_relay_participants") == participants
        && net_test_metric (metrics, "huizhen_relay_subscriptions") == participants * (participants - 1))
      break;
    g_usleep (100 * 1000);
  }
  /* Branches and webrtcbins are released on the main loop after their
   * pads go idle. */
  g_usleep (2 * G_USEC_PER_SEC);
}

/* Runs one round: two participants join, publish, receive and leave. */
static guint
run_churn_round (const RelayTestTools *tools, NetTestSession *net, char **tokens)
{
  const char *args[] = { CHURN_PEER_SECONDS, NULL };
  RelayTestSession *session = &net->session;
  RelayTestPeer *peers[2] = { NULL, NULL };
  guint decoded = 0;

  for (guint i = 0; i < 2; i++)
    peers[i] = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                      tokens[i], i == 0 ? "churn-a" : "churn-b", args);
  for (guint i = 0; i < 2; i++) {
    JsonObject *feed = NULL;

    g_assert_cmpint (relay_test_peer_wait_exit (peers[i], EXIT_TIMEOUT_MS), ==, 0);
    feed = relay_test_peer_feed (peers[i], session->booking.doctor_id);
    if (feed != NULL && json_object_get_int_member (feed, "video_frames") > 0)
      decoded++;
    relay_test_peer_free (peers[i]);
  }
  return decoded;
}

static void
test_join_leave_churn (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  g_autoptr (RelayTestPeer) doctor = NULL;
  g_autoptr (RelayTestPeer) expert = NULL;
  char *tokens[2] = { net_test_sign_token (net, 9001, TRUE, "轮换甲"),
                      net_test_sign_token (net, 9002, TRUE, "轮换乙") };
  GPid pid = net_test_relay_pid (net->relay);
  guint fds_warm = 0, fds_end = 0;
  guint64 rss_warm = 0, rss_end = 0;
  guint decoded = 0;
  const char *stay_args[] = { "--survive-feed-errors", NULL };

  /* On a loaded machine a connection to a churn peer can fail while that
   * peer leaves. The relay then drops that feed alone, so the two stay. */
  doctor = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->doctor_token, "doctor", stay_args);
  expert = relay_test_peer_start (tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", stay_args);
  wait_first_video (doctor, session->booking.expert_id);
  wait_first_video (expert, session->booking.doctor_id);

  for (guint round = 1; round <= CHURN_ROUNDS; round++) {
    decoded += run_churn_round (tools, net, tokens);
    if (round == CHURN_WARMUP_ROUNDS) {
      settle_relay (net, 2);
      fds_warm = net_test_count_fds (pid);
      rss_warm = net_test_rss_kib (pid);
      g_test_message ("after %u cycles: %u descriptors, %" G_GUINT64_FORMAT " KiB resident",
                      round * 2, fds_warm, rss_warm);
    }
  }
  settle_relay (net, 2);
  fds_end = net_test_count_fds (pid);
  rss_end = net_test_rss_kib (pid);
  g_test_message ("after %u cycles: %u descriptors, %" G_GUINT64_FORMAT " KiB resident; "
                  "%u of them decoded the doctor's video", CHURN_ROUNDS * 2, fds_end, rss_end,
                  decoded);

  relay_test_peer_terminate (doctor);
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (doctor, EXIT_TIMEOUT_MS), ==, 0);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, 0);

  g_assert_cmpuint (fds_end, <=, fds_warm + CHURN_FD_SLACK);
  g_assert_cmpuint (rss_end, <=, rss_warm + CHURN_RSS_SLACK_KIB);
  /* Each cycle subscribes to the doctor's feed. On a loaded 2-core machine
   * a cycle of 3 s may end before the keyframe that its subscription asked
   * for arrives, so a quarter of them may decode nothing. */
  g_assert_cmpuint (decoded, >=, CHURN_ROUNDS * 2 * 3 / 4);
  assert_decoding_throughout (doctor, session->booking.expert_id);
  assert_decoding_throughout (expert, session->booking.doctor_id);
  g_free (tokens[0]);
  g_free (tokens[1]);
}

/* Main ------------------------------------------------------------------------ */

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

  g_test_add_data_func ("/relay-net/metrics-after-call", &tools, test_metrics_after_call);
  g_test_add_data_func ("/relay-net/mdns-candidates", &tools, test_mdns_candidates);
  g_test_add_data_func ("/relay-net/reconnect-after-drop", &tools, test_reconnect_after_drop);
  g_test_add_data_func ("/relay-net/join-leave-churn", &tools, test_join_leave_churn);
  g_test_add_data_func ("/relay-net/turn-servers", &tools, test_turn_servers);
  status = g_test_run ();

  g_free (tools.peer);
  g_free (tools.media_check);
  return status;
}
