/* Hostile receivers of the relay's own subscriber connections
 * (relay/sub-link.c): hz-test-hostile-sub answers a feed's offer itself
 * and then floods RTCP feedback, sends malformed or replayed SRTCP, or
 * bad DTLS records, or answers in unusual ways. Beside it a normal viewer
 * (hz-test-peer) receives the same feed, and must keep decoding.
 *
 * Each case starts the scheduler and a relay of its own (relay-test-net.h)
 * on loopback. Set HUIZHEN_BUILD_ROOT to a sanitizer build to run the
 * cases against that relay.
 *
 * Command line, besides GLib's test options:
 *   --hz-test-peer=PATH --hz-media-check=PATH --hz-test-hostile-sub=PATH
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include <string.h>

#include "hz-token.h"
#include "relay-test-net.h"

#define JOIN_TIMEOUT_MS 20000
#define CONNECT_TIMEOUT_MS 20000
#define EXIT_TIMEOUT_MS 40000

/* Exit statuses of hz-test-peer and hz-test-hostile-sub. */
#define PEER_EXIT_OK 0
#define PEER_EXIT_RELAY_ERROR 2

/* The relay's retransmission limit per connection (relay/sub-link.c):
 * a bucket of 150, refilled at 300 per second. */
#define RTX_PER_SECOND 300
#define RTX_BURST 150

typedef struct {
  RelayTestTools tools;      /* .peer is hz-test-peer */
  char *hostile;             /* hz-test-hostile-sub */
} HostileTools;

/* Helpers -------------------------------------------------------------------- */

static char *
sign_token (NetTestSession *net, gint64 user_id, HzTokenRole role, const char *name)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  HzJoinToken token = {
    .session_id = net->session.booking.session_id,
    .user_id = user_id,
    .role = role,
    .not_before = now - 60,
    .expires = now + 3600,
    .name = (char *) name,
  };

  return hz_token_sign (&net->session.daemons->secret, &token);
}

static void
wait_publish_connected (RelayTestPeer *peer)
{
  g_assert_nonnull (relay_test_peer_wait_event (peer, "joined", NULL, NULL, JOIN_TIMEOUT_MS));
  for (;;) {
    JsonObject *event = relay_test_peer_wait_event (peer, "connection-state", "pc", "publish",
                                                    CONNECT_TIMEOUT_MS);

    g_assert_nonnull (event);
    if (g_str_equal (json_object_get_string_member (event, "state"), "connected"))
      return;
    g_assert_cmpstr (json_object_get_string_member (event, "state"), !=, "failed");
  }
}

/* Starts hz-test-hostile-sub with ARGS, as viewer USER_ID. */
static RelayTestPeer *
start_hostile (const HostileTools *tools, NetTestSession *net, gint64 user_id, const char *label,
               const char *const *args)
{
  RelayTestTools hostile_tools = { .peer = tools->hostile, .media_check = NULL };
  g_autofree char *token = sign_token (net, user_id, HZ_TOKEN_ROLE_VIEW, label);

  return relay_test_peer_start (&hostile_tools, net->session.daemons,
                                net->session.booking.session_id, token, label, args);
}

static RelayTestPeer *
start_viewer (const HostileTools *tools, NetTestSession *net, gint64 user_id, const char *label,
              const char *const *args)
{
  g_autofree char *token = sign_token (net, user_id, HZ_TOKEN_ROLE_VIEW, label);

  return relay_test_peer_start (&tools->tools, net->session.daemons,
                                net->session.booking.session_id, token, label, args);
}

/* Returns the last event named NAME of PEER, or NULL. */
static JsonObject *
last_event (RelayTestPeer *peer, const char *name)
{
  JsonObject *found = NULL;

  for (guint i = 0; i < peer->events->len; i++) {
    JsonObject *event = json_node_get_object (peer->events->pdata[i]);

    if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", NULL), name) == 0)
      found = event;
  }
  return found;
}

/* CPU time (user and system) of PID in clock ticks, from /proc/PID/stat. */
static guint64
cpu_ticks (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *after_name;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  /* The fields after the command name, which may hold spaces: state is
   * field 3, utime 14 and stime 15. */
  after_name = strrchr (text, ')');
  g_assert_nonnull (after_name);
  fields = g_strsplit (after_name + 2, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >, 13);
  return g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
}

/* The relay's share of one CPU between two readings. */
static double
cpu_share (guint64 ticks_before, guint64 ticks_after, gint64 us_before, gint64 us_after)
{
  return (double) (ticks_after - ticks_before) / sysconf (_SC_CLK_TCK)
         / ((double) (us_after - us_before) / G_USEC_PER_SEC);
}

/* A call in which the expert publishes and a control viewer receives. */
typedef struct {
  NetTestSession *net;
  RelayTestPeer *expert;
  RelayTestPeer *control;
  GPid relay_pid;
} Call;

static void
call_start (Call *call, const HostileTools *tools, const char *extra_keys, int control_seconds)
{
  const char *publisher_args[] = { "--video-bitrate=1000", NULL };
  g_autofree char *duration = g_strdup_printf ("--duration=%d", control_seconds);
  const char *control_args[] = { "--no-publish", "--nack", duration, NULL };

  call->net = net_test_session_start (extra_keys);
  call->relay_pid = net_test_relay_pid (call->net->relay);
  call->expert = relay_test_peer_start (&tools->tools, call->net->session.daemons,
                                        call->net->session.booking.session_id,
                                        call->net->session.expert_token, "expert",
                                        publisher_args);
  wait_publish_connected (call->expert);
  if (control_seconds > 0)
    call->control = start_viewer (tools, call->net, call->net->session.booking.coordinator_id,
                                  "control", control_args);
}

/* Shows the relay's warnings and critical messages, and fails on a
 * sanitizer report in its log. */
static void
check_relay_log (NetTestRelay *relay)
{
  g_autofree char *log = NULL;
  g_auto (GStrv) lines = NULL;
  guint shown = 0;

  g_assert_true (g_file_get_contents (relay->log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if ((strstr (lines[i], "WARNING") != NULL || strstr (lines[i], "CRITICAL") != NULL)
        && shown++ < 20)
      g_test_message ("relay log: %s", lines[i]);
  }
  g_assert_null (strstr (log, "runtime error:"));
  g_assert_null (strstr (log, "AddressSanitizer"));
}

/* Ends the call, checks that the control viewer decoded throughout and
 * the relay is still running. */
static void
call_finish (Call *call)
{
  if (call->control != NULL) {
    g_assert_cmpint (relay_test_peer_wait_exit (call->control, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
    relay_test_peer_assert_video_never_stalled (call->control,
                                                call->net->session.booking.expert_id);
  }
  relay_test_peer_terminate (call->expert);
  g_assert_cmpint (relay_test_peer_wait_exit (call->expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_cmpint (kill (call->relay_pid, 0), ==, 0);
  check_relay_log (call->net->relay);
  g_clear_pointer (&call->control, relay_test_peer_free);
  g_clear_pointer (&call->expert, relay_test_peer_free);
  g_clear_pointer (&call->net, net_test_session_free);
}

/* Runs a hostile receiver with ARGS beside the control viewer, and
 * returns its summary. Reports the relay's CPU share while it ran. */
static JsonObject *
run_attack (const HostileTools *tools, Call *call, const char *const *args, RelayTestPeer **out,
            double *relay_cpu)
{
  RelayTestPeer *hostile;
  guint64 ticks_before, ticks_after;
  gint64 us_before, us_after;
  JsonObject *summary;

  ticks_before = cpu_ticks (call->relay_pid);
  us_before = g_get_monotonic_time ();
  hostile = start_hostile (tools, call->net, call->net->session.booking.coordinator_id + 1000,
                           "hostile", args);
  g_assert_cmpint (relay_test_peer_wait_exit (hostile, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  ticks_after = cpu_ticks (call->relay_pid);
  us_after = g_get_monotonic_time ();
  *relay_cpu = cpu_share (ticks_before, ticks_after, us_before, us_after);
  summary = last_event (hostile, "summary");
  g_assert_nonnull (summary);
  g_test_message ("relay CPU %.0f%% of one core; hostile receiver: %" G_GINT64_FORMAT
                  " RTP, %" G_GINT64_FORMAT " RTX, %" G_GINT64_FORMAT " attack packets sent",
                  100 * *relay_cpu, json_object_get_int_member (summary, "rtp"),
                  json_object_get_int_member (summary, "rtx"),
                  json_object_get_int_member (summary, "attack_sent"));
  *out = hostile;
  return summary;
}

/* Cases ---------------------------------------------------------------------- */

/* A connected receiver answers as browsers do and gets media: the
 * baseline of the tool itself. */
static void
test_plain_receiver (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *args[] = { "--duration=8", NULL };
  g_autoptr (RelayTestPeer) hostile = NULL;
  Call call = { 0 };
  JsonObject *summary;
  double cpu;

  call_start (&call, tools, NULL, 12);
  summary = run_attack (tools, &call, args, &hostile, &cpu);
  g_assert_cmpstr (json_object_get_string_member (summary, "dtls"), ==, "connected");
  g_assert_cmpint (json_object_get_int_member (summary, "rtp"), >, 200);
  g_assert_cmpint (json_object_get_int_member (summary, "srtp_failed"), ==, 0);
  call_finish (&call);
}

/* 5000 NACK packets per second, each naming 272 packets that the relay
 * still has: the relay resends at most its limit and the other viewer
 * keeps decoding. */
static void
test_nack_flood (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *args[] = { "--duration=10", "--attack=nack-flood", "--rate=5000", NULL };
  g_autoptr (RelayTestPeer) hostile = NULL;
  Call call = { 0 };
  JsonObject *summary;
  double cpu;

  call_start (&call, tools, NULL, 14);
  summary = run_attack (tools, &call, args, &hostile, &cpu);
  g_assert_cmpstr (json_object_get_string_member (summary, "dtls"), ==, "connected");
  g_assert_cmpint (json_object_get_int_member (summary, "attack_sent"), >, 10000);
  g_assert_cmpint (json_object_get_int_member (summary, "rtx"), >, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "rtx"), <=, RTX_BURST + RTX_PER_SECOND * 11);
  g_assert_cmpfloat (cpu, <, 0.9);
  call_finish (&call);
}

/* PLI and FIR floods of 5000 packets per second: the relay's CPU stays
 * low and the other viewer keeps decoding. The limit of one request per
 * 500 ms to the publisher is checked by relay-keyframe-requests-limited. */
static void
test_keyframe_flood (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *pli_args[] = { "--duration=6", "--attack=pli-flood", "--rate=5000", NULL };
  const char *fir_args[] = { "--duration=6", "--attack=fir-flood", "--rate=5000", NULL };
  g_autoptr (RelayTestPeer) pli = NULL;
  g_autoptr (RelayTestPeer) fir = NULL;
  Call call = { 0 };
  double cpu;

  call_start (&call, tools, NULL, 16);
  run_attack (tools, &call, pli_args, &pli, &cpu);
  g_assert_cmpfloat (cpu, <, 0.9);
  run_attack (tools, &call, fir_args, &fir, &cpu);
  g_assert_cmpfloat (cpu, <, 0.9);
  call_finish (&call);
}

/* Authenticated SRTCP whose RTCP is malformed in ten ways, NACKs for
 * SSRCs that the relay does not send, a replayed NACK and SRTCP that does
 * not authenticate. */
static void
test_bad_rtcp (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *malformed_args[] = { "--duration=5", "--attack=malformed", "--rate=3000", NULL };
  const char *ssrc_args[] = { "--duration=4", "--attack=wrong-ssrc", "--rate=3000", NULL };
  const char *replay_args[] = { "--duration=4", "--attack=replay", "--rate=3000", NULL };
  const char *garbage_args[] = { "--duration=4", "--attack=srtcp-garbage", "--rate=10000", NULL };
  g_autoptr (RelayTestPeer) malformed = NULL;
  g_autoptr (RelayTestPeer) ssrc = NULL;
  g_autoptr (RelayTestPeer) replay = NULL;
  g_autoptr (RelayTestPeer) garbage = NULL;
  Call call = { 0 };
  JsonObject *summary;
  double cpu;

  call_start (&call, tools, NULL, 24);
  run_attack (tools, &call, malformed_args, &malformed, &cpu);
  summary = run_attack (tools, &call, ssrc_args, &ssrc, &cpu);
  g_assert_cmpint (json_object_get_int_member (summary, "rtx"), ==, 0);
  /* The first NACK is authentic and names 17 packets (a PID and a full
   * BLP), which are resent; its copies must get nothing more. */
  summary = run_attack (tools, &call, replay_args, &replay, &cpu);
  g_assert_cmpint (json_object_get_int_member (summary, "rtx"), <=, 17);
  run_attack (tools, &call, garbage_args, &garbage, &cpu);
  g_assert_cmpfloat (cpu, <, 0.9);
  call_finish (&call);
}

/* Random DTLS records before the handshake, a second ClientHello and a
 * fatal alert after it: the handshake still completes (or fails for this
 * receiver alone) and the relay keeps running. */
static void
test_bad_dtls (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *first_args[] = { "--duration=4", "--dtls-garbage-first", NULL };
  const char *hello_args[] = { "--duration=4", "--attack=second-hello", NULL };
  const char *alert_args[] = { "--duration=4", "--attack=fatal-alert", NULL };
  const char *flood_args[] = { "--duration=4", "--attack=dtls-garbage", "--rate=1000", NULL };
  g_autoptr (RelayTestPeer) first = NULL;
  g_autoptr (RelayTestPeer) hello = NULL;
  g_autoptr (RelayTestPeer) alert = NULL;
  g_autoptr (RelayTestPeer) flood = NULL;
  Call call = { 0 };
  JsonObject *summary;
  double cpu;

  call_start (&call, tools, NULL, 24);
  summary = run_attack (tools, &call, first_args, &first, &cpu);
  g_assert_cmpstr (json_object_get_string_member (summary, "dtls"), ==, "connected");
  summary = run_attack (tools, &call, hello_args, &hello, &cpu);
  g_assert_cmpint (json_object_get_int_member (summary, "rtp"), >, 100);
  summary = run_attack (tools, &call, alert_args, &alert, &cpu);
  g_assert_cmpint (json_object_get_int_member (summary, "rtp"), >, 100);
  summary = run_attack (tools, &call, flood_args, &flood, &cpu);
  g_assert_cmpint (json_object_get_int_member (summary, "rtp"), >, 100);
  call_finish (&call);
}

/* Runs a hostile receiver with ARGS that must end with the relay's error
 * CODE for its pc, or connect and get media when CODE is NULL. */
static void
check_answer (const HostileTools *tools, Call *call, const char *const *args, const char *code)
{
  g_autoptr (RelayTestPeer) hostile = NULL;
  JsonObject *summary;
  JsonObject *error;
  double cpu;

  g_test_message ("answer with %s %s: expecting %s", args[0], args[1] != NULL ? args[1] : "",
                  code != NULL ? code : "media");
  hostile = start_hostile (tools, call->net, call->net->session.booking.coordinator_id + 1000,
                           "hostile", args);
  if (code == NULL) {
    g_assert_cmpint (relay_test_peer_wait_exit (hostile, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
    summary = last_event (hostile, "summary");
    g_assert_nonnull (summary);
    g_assert_cmpstr (json_object_get_string_member (summary, "dtls"), ==, "connected");
    g_assert_cmpint (json_object_get_int_member (summary, "rtp"), >, 100);
    return;
  }
  g_assert_cmpint (relay_test_peer_wait_exit (hostile, EXIT_TIMEOUT_MS), ==,
                   PEER_EXIT_RELAY_ERROR);
  error = last_event (hostile, "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  (void) cpu;
}

/* The relay as DTLS client: an answer with a=setup:passive. */
static void
test_answer_passive (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *args[] = { "--setup=passive", "--duration=6", NULL };
  Call call = { 0 };

  call_start (&call, tools, NULL, 10);
  check_answer (tools, &call, args, NULL);
  call_finish (&call);
}

/* An answer with two SHA-256 fingerprints, the first not of the client's
 * certificate. RFC 8122, section 5: the certificate must match one
 * fingerprint of the set of the preferred hash function, not the first. */
static void
test_answer_two_fingerprints (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *args[] = { "--fingerprint=wrong-then-own", "--duration=6", NULL };
  Call call = { 0 };

  call_start (&call, tools, NULL, 10);
  check_answer (tools, &call, args, NULL);
  call_finish (&call);
}

/* Answers that the relay must take, and answers that it must reject for
 * that connection alone, while the control viewer keeps decoding. */
static void
test_answer_variants (gconstpointer data)
{
  const HostileTools *tools = data;
  const struct {
    const char *args[3];
    const char *code;
  } cases[] = {
    { { "--credentials-at=session", "--duration=4" }, NULL },
    { { "--setup=none", "--duration=4" }, NULL },
    { { "--extra-candidates=90", "--duration=4" }, NULL },
    { { "--fingerprint=wrong", "--duration=8" }, "connection_failed" },
    { { "--fingerprint=none", "--duration=8" }, "bad_sdp" },
    { { "--setup=actpass", "--duration=8" }, "bad_sdp" },
    { { "--setup=holdconn", "--duration=8" }, "bad_sdp" },
    { { "--mlines=1", "--duration=8" }, "bad_sdp" },
    { { "--extra-candidates=150", "--duration=8" }, "too_many_candidates" },
    { { "--reject-mline=1", "--duration=8" }, "codec_unsupported" },
    { { "--answer-twice", "--duration=8" }, "bad_sdp" },
  };
  Call call = { 0 };

  call_start (&call, tools, NULL, 40);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_answer (tools, &call, cases[i].args, cases[i].code);
  call_finish (&call);
}

#define CHURN_RECEIVERS 50

/* Resources of the relay that churn must give back. */
typedef struct {
  guint fds;
  guint threads;
  guint64 rss_kib;
} RelayUsage;

static void
read_usage (GPid pid, RelayUsage *usage, const char *when)
{
  usage->fds = net_test_count_fds (pid);
  usage->threads = net_test_count_threads (pid);
  usage->rss_kib = net_test_rss_kib (pid);
  g_test_message ("relay %s: %u fds, %u threads, %" G_GUINT64_FORMAT " KiB resident", when,
                  usage->fds, usage->threads, usage->rss_kib);
}

/* Two rounds of fifty receivers join at once while the expert publishes,
 * and leave. A third close their WebSocket normally, a third exit without
 * a close frame when ICE connects, before the DTLS handshake ends, and a
 * third exit the same way right after DTLS connects. Half answer passive.
 * Once the reconnect grace (1 s) has run out, the relay's descriptors and
 * threads are back where they were and the control viewer never stalled.
 * NOTE: under AddressSanitizer the RSS bound fails, because its
 * quarantine keeps freed memory resident. */
static void
test_churn (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *keys = "reconnect-grace = 1\nmax-connections-per-address = 200\n";
  g_autoptr (GPtrArray) receivers = g_ptr_array_new_with_free_func (
      (GDestroyNotify) relay_test_peer_free);
  RelayUsage before, during, after;
  Call call = { 0 };

  call_start (&call, tools, keys, 45);
  /* Warm up the send threads and the control viewer's connection. */
  g_usleep (3 * G_USEC_PER_SEC);
  read_usage (call.relay_pid, &before, "before the churn");

  for (guint round = 0; round < 2; round++) {
    for (guint i = 0; i < CHURN_RECEIVERS; i++) {
      g_autofree char *label = g_strdup_printf ("churn-%u-%u", round, i);
      const char *setup = i % 2 == 0 ? "--setup=active" : "--setup=passive";
      const char *exit_at = i % 3 == 0 ? "--duration=2" : i % 3 == 1 ? "--exit-at=ice"
                                                                      : "--exit-at=dtls";
      const char *args[] = { setup, exit_at, "--duration=3", NULL };

      g_ptr_array_add (receivers, start_hostile (tools, call.net,
                                                 5000 + round * 100 + i, label, args));
    }
    g_usleep (1 * G_USEC_PER_SEC);
    if (round == 0)
      read_usage (call.relay_pid, &during, "during the churn");
    for (guint i = 0; i < receivers->len; i++) {
      RelayTestPeer *receiver = g_ptr_array_index (receivers, i);

      g_assert_cmpint (relay_test_peer_wait_exit (receiver, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
    }
    g_ptr_array_set_size (receivers, 0);
  }

  /* The grace of the receivers that exited without a close frame. */
  g_usleep (5 * G_USEC_PER_SEC);
  read_usage (call.relay_pid, &after, "after the churn");
  g_assert_cmpuint (after.fds, <=, before.fds + 2);
  g_assert_cmpuint (after.threads, <=, before.threads + 2);
  g_assert_cmpuint (after.rss_kib, <, before.rss_kib + 64 * 1024);
  call_finish (&call);
}

/* Waits until PEER's connection from FROM_ID is connected, then checks
 * that it decodes at least 30 more video frames within the next three
 * stats lines. hz-test-peer prints first-frame once per feed, so a
 * replaced connection is seen in the stats. */
static void
wait_video_from (RelayTestPeer *peer, gint64 from_id)
{
  g_autofree char *from = g_strdup_printf ("%" G_GINT64_FORMAT, from_id);
  g_autofree char *pc = g_strdup_printf ("sub:%s", from);
  gint64 first_frames = -1;
  gint64 last_frames = -1;

  gint64 connected_ms = 0;
  guint counted = 0;

  for (;;) {
    JsonObject *event = relay_test_peer_wait_event (peer, "connection-state", "pc", pc,
                                                    CONNECT_TIMEOUT_MS);

    g_assert_nonnull (event);
    if (g_str_equal (json_object_get_string_member (event, "state"), "connected")) {
      connected_ms = json_object_get_int_member (event, "ms");
      break;
    }
  }
  /* Stats lines printed before the connection connected are skipped. */
  while (counted < 4) {
    JsonObject *stats = relay_test_peer_wait_event (peer, "stats", "from", from,
                                                    CONNECT_TIMEOUT_MS);

    g_assert_nonnull (stats);
    if (json_object_get_int_member (stats, "ms") <= connected_ms)
      continue;
    counted++;
    last_frames = json_object_get_int_member (stats, "video_frames");
    if (first_frames < 0)
      first_frames = last_frames;
  }
  g_assert_cmpint (last_frames - first_frames, >=, 30);
}

/* The publisher drops (SIGKILL) and rejoins within the grace, then leaves
 * and joins again, while a viewer and a hostile receiver that answers only
 * the first offer are connected. The viewer gets a new offer and decodes
 * the new feed each time; the relay goes on. */
static void
test_publisher_rejoin (gconstpointer data)
{
  const HostileTools *tools = data;
  g_autoptr (NetTestSession) net = net_test_session_start (NULL);
  RelayTestSession *session = &net->session;
  g_autofree char *expert_pc = g_strdup_printf ("sub:%" G_GINT64_FORMAT,
                                                session->booking.expert_id);
  const char *control_args[] = { "--no-publish", "--duration=40", NULL };
  const char *hostile_args[] = { "--duration=30", NULL };
  RelayTestPeer *expert = NULL;
  g_autoptr (RelayTestPeer) control = NULL;
  g_autoptr (RelayTestPeer) hostile = NULL;
  GPid relay_pid = net_test_relay_pid (net->relay);

  expert = relay_test_peer_start (&tools->tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert", NULL);
  wait_publish_connected (expert);
  control = start_viewer (tools, net, session->booking.coordinator_id, "control", control_args);
  hostile = start_hostile (tools, net, session->booking.coordinator_id + 1000, "hostile",
                           hostile_args);
  g_assert_nonnull (relay_test_peer_wait_event (control, "offer", "pc", expert_pc,
                                                JOIN_TIMEOUT_MS));
  wait_video_from (control, session->booking.expert_id);
  g_assert_nonnull (relay_test_peer_wait_event (hostile, "dtls", "state", "connected",
                                                CONNECT_TIMEOUT_MS));

  /* A drop: the same user rejoins within the grace. */
  relay_test_peer_free (expert);
  g_usleep (2 * G_USEC_PER_SEC);
  expert = relay_test_peer_start (&tools->tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert-again", NULL);
  wait_publish_connected (expert);
  g_assert_nonnull (relay_test_peer_wait_event (control, "offer", "pc", expert_pc,
                                                JOIN_TIMEOUT_MS));
  wait_video_from (control, session->booking.expert_id);

  /* A leave, then a new join. */
  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_nonnull (relay_test_peer_wait_event (control, "participant-left", NULL, NULL,
                                                JOIN_TIMEOUT_MS));
  relay_test_peer_free (expert);
  expert = relay_test_peer_start (&tools->tools, session->daemons, session->booking.session_id,
                                  session->expert_token, "expert-third", NULL);
  wait_publish_connected (expert);
  g_assert_nonnull (relay_test_peer_wait_event (control, "offer", "pc", expert_pc,
                                                JOIN_TIMEOUT_MS));
  wait_video_from (control, session->booking.expert_id);

  relay_test_peer_terminate (expert);
  g_assert_cmpint (relay_test_peer_wait_exit (expert, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  relay_test_peer_free (expert);
  relay_test_peer_terminate (control);
  g_assert_cmpint (relay_test_peer_wait_exit (control, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  relay_test_peer_wait_exit (hostile, EXIT_TIMEOUT_MS);
  g_assert_cmpint (kill (relay_pid, 0), ==, 0);
  check_relay_log (net->relay);
}

/* DTLS-looking datagrams from an address outside ICE reach the relay's
 * candidates before ICE connects, as any host that learns the port could
 * send them. The receiver's own handshake must still complete, with the
 * relay as DTLS server (active answer) and as DTLS client (passive). */
static void
test_stray_dtls (gconstpointer data)
{
  const HostileTools *tools = data;
  const char *active_args[] = { "--stray-dtls", "--duration=8", NULL };
  const char *passive_args[] = { "--stray-dtls", "--setup=passive", "--duration=8", NULL };
  Call call = { 0 };

  call_start (&call, tools, NULL, 25);
  check_answer (tools, &call, active_args, NULL);
  check_answer (tools, &call, passive_args, NULL);
  call_finish (&call);
}

int
main (int argc, char **argv)
{
  HostileTools tools = { 0 };
  int status = 0;

  g_test_init (&argc, &argv, NULL);
  tools.tools.peer = relay_test_tool_path (argc, argv, "hz-test-peer", "hz-test-peer");
  tools.tools.media_check = relay_test_tool_path (argc, argv, "hz-media-check", "hz-media-check");
  tools.hostile = relay_test_tool_path (argc, argv, "hz-test-hostile-sub", "hz-test-hostile-sub");
  if (tools.tools.peer == NULL || tools.hostile == NULL) {
    g_printerr ("pass --hz-test-peer=PATH and --hz-test-hostile-sub=PATH or set "
                "HUIZHEN_BUILD_ROOT\n");
    return 1;
  }

  g_test_add_data_func ("/relay-hostile/plain-receiver", &tools, test_plain_receiver);
  g_test_add_data_func ("/relay-hostile/nack-flood", &tools, test_nack_flood);
  g_test_add_data_func ("/relay-hostile/keyframe-flood", &tools, test_keyframe_flood);
  g_test_add_data_func ("/relay-hostile/bad-rtcp", &tools, test_bad_rtcp);
  g_test_add_data_func ("/relay-hostile/bad-dtls", &tools, test_bad_dtls);
  g_test_add_data_func ("/relay-hostile/answer-passive", &tools, test_answer_passive);
  g_test_add_data_func ("/relay-hostile/answer-variants", &tools, test_answer_variants);
  g_test_add_data_func ("/relay-hostile/churn", &tools, test_churn);
  g_test_add_data_func ("/relay-hostile/stray-dtls", &tools, test_stray_dtls);
  g_test_add_data_func ("/relay-hostile/publisher-rejoin", &tools, test_publisher_rejoin);
  g_test_add_data_func ("/relay-hostile/answer-two-fingerprints", &tools,
                        test_answer_two_fingerprints);
  status = g_test_run ();

  g_free (tools.tools.peer);
  g_free (tools.tools.media_check);
  g_free (tools.hostile);
  return status;
}
