/* Helpers for the relay's network and operations tests; see
 * relay-test-net.h. */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-net.h"
#include "hz-token.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define STARTUP_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS 10000
#define BOOKING_START_OFFSET_S (-60)
#define BOOKING_DURATION_S 3600

/* Relay ------------------------------------------------------------------- */

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Writes the fixture's config with [relay] scheduler-url and EXTRA_KEYS. */
static char *
write_relay_config (HzTestDaemons *daemons, const char *extra_keys)
{
  g_autofree char *base = NULL;
  g_autofree char *text = NULL;
  char *path = g_build_filename (daemons->dir, "relay.conf", NULL);
  g_autoptr (GError) error = NULL;

  g_file_get_contents (daemons->config_path, &base, NULL, &error);
  g_assert_no_error (error);
  /* [relay] is the last group of the fixture's config, so appending keys
   * puts them in it. */
  g_assert_nonnull (strstr (base, "[relay]"));
  text = g_strdup_printf ("%s\nscheduler-url = %s\n%s\n", base, daemons->scheduler_url,
                          extra_keys != NULL ? extra_keys : "");
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

NetTestRelay *
net_test_relay_start (HzTestDaemons *daemons, const char *extra_keys)
{
  NetTestRelay *relay = g_new0 (NetTestRelay, 1);
  g_autofree char *binary = g_build_filename (g_getenv ("HUIZHEN_BUILD_ROOT"),
                                              "relay", "huizhen-relay", NULL);
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GError) error = NULL;
  const char *prefix = "huizhen-relay: listening on ";

  relay->config_path = write_relay_config (daemons, extra_keys);
  relay->log_path = g_build_filename (daemons->dir, "relay.log", NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, relay->log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  relay->process = g_subprocess_launcher_spawn (launcher, &error, binary, "--config",
                                                relay->config_path, NULL);
  g_assert_no_error (error);

  for (;;) {
    g_autofree char *line = hz_test_read_line (relay->process, STARTUP_TIMEOUT_MS);

    if (line == NULL)
      g_error ("the relay printed no \"listening on\" line within %d ms; see %s",
               STARTUP_TIMEOUT_MS, relay->log_path);
    if (g_str_has_prefix (line, prefix)) {
      relay->url = g_strdup (line + strlen (prefix));
      break;
    }
  }
  g_assert_true (g_str_has_prefix (relay->url, "ws://") && g_str_has_suffix (relay->url, "/ws"));
  relay->http_url = g_strdup_printf ("http://%.*s", (int) (strlen (relay->url) - 8),
                                     relay->url + 5);
  g_test_message ("relay %s (pid %s), log %s", relay->url,
                  g_subprocess_get_identifier (relay->process), relay->log_path);
  return relay;
}

void
net_test_relay_stop (NetTestRelay *relay)
{
  if (relay == NULL)
    return;
  if (g_subprocess_get_identifier (relay->process) != NULL) {
    g_subprocess_send_signal (relay->process, SIGTERM);
    for (int waited = 0; waited < STOP_TIMEOUT_MS && g_subprocess_get_identifier (relay->process);
         waited += 50) {
      g_usleep (50 * 1000);
      /* g_subprocess notices the exit through the main context. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
    if (g_subprocess_get_identifier (relay->process) != NULL)
      g_subprocess_force_exit (relay->process);
    g_subprocess_wait (relay->process, NULL, NULL);
  }
  g_object_unref (relay->process);
  g_free (relay->url);
  g_free (relay->http_url);
  g_free (relay->config_path);
  g_free (relay->log_path);
  g_free (relay);
}

GPid
net_test_relay_pid (NetTestRelay *relay)
{
  const char *id = g_subprocess_get_identifier (relay->process);

  g_assert_nonnull (id);
  return (GPid) g_ascii_strtoll (id, NULL, 10);
}

gboolean
net_test_relay_log_contains (NetTestRelay *relay, const char *text)
{
  g_autofree char *log = NULL;

  if (!g_file_get_contents (relay->log_path, &log, NULL, NULL))
    return FALSE;
  return strstr (log, text) != NULL;
}

/* Session ----------------------------------------------------------------- */

NetTestSession *
net_test_session_start (const char *extra_keys)
{
  NetTestSession *net = g_new0 (NetTestSession, 1);
  RelayTestSession *session = &net->session;
  g_autoptr (GError) error = NULL;

  session->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);
  hz_test_book_consultation (session->daemons, BOOKING_START_OFFSET_S, BOOKING_DURATION_S,
                             &session->booking, &error);
  g_assert_no_error (error);
  session->doctor_token = hz_test_join_token (session->daemons, session->booking.session_id,
                                              session->booking.doctor_key, &error);
  g_assert_no_error (error);
  session->expert_token = hz_test_join_token (session->daemons, session->booking.session_id,
                                              session->booking.expert_key, &error);
  g_assert_no_error (error);

  net->relay = net_test_relay_start (session->daemons, extra_keys);
  session->daemons->relay_url = g_strdup (net->relay->url);
  return net;
}

void
net_test_session_free (NetTestSession *net)
{
  net_test_relay_stop (net->relay);
  hz_test_booking_clear (&net->session.booking);
  g_clear_pointer (&net->session.daemons, hz_test_daemons_stop);
  g_free (net->session.doctor_token);
  g_free (net->session.expert_token);
  g_free (net);
}

char *
net_test_sign_token (NetTestSession *net, gint64 user_id, gboolean publish, const char *name)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  HzJoinToken token = {
    .session_id = net->session.booking.session_id,
    .user_id = user_id,
    .role = publish ? HZ_TOKEN_ROLE_PUBLISH : HZ_TOKEN_ROLE_VIEW,
    .not_before = now - 60,
    .expires = now + 3600,
    .name = (char *) name,
  };

  return hz_token_sign (&net->session.daemons->secret, &token);
}

/* HTTP and metrics ---------------------------------------------------------- */

char *
net_test_http_get (NetTestRelay *relay, const char *path, guint *status)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (relay->http_url, path, NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (message);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
check_type_declared (GHashTable *types, const char *series)
{
  g_autofree char *name = g_strndup (series, strcspn (series, "{"));

  if (!g_hash_table_contains (types, name))
    g_error ("/metrics: sample %s has no # TYPE line before it", series);
}

GHashTable *
net_test_parse_metrics (const char *text)
{
  GHashTable *metrics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = lines[i];
    const char *space = strrchr (line, ' ');
    char *end = NULL;
    double value;

    if (line[0] == '\0' || g_str_has_prefix (line, "# HELP "))
      continue;
    if (g_str_has_prefix (line, "# TYPE ")) {
      g_auto (GStrv) fields = g_strsplit (line + 7, " ", 2);

      g_assert_cmpuint (g_strv_length (fields), ==, 2);
      g_assert_true (g_str_equal (fields[1], "counter") || g_str_equal (fields[1], "gauge"));
      g_hash_table_add (types, g_strdup (fields[0]));
      continue;
    }
    if (space == NULL)
      g_error ("/metrics: line %u has no value: %s", i + 1, line);
    value = g_ascii_strtod (space + 1, &end);
    if (*end != '\0')
      g_error ("/metrics: line %u has no number: %s", i + 1, line);
    {
      g_autofree char *series = g_strndup (line, space - line);

      check_type_declared (types, series);
      g_hash_table_insert (metrics, g_steal_pointer (&series), g_memdup2 (&value, sizeof value));
    }
  }
  return metrics;
}

double
net_test_metric (GHashTable *metrics, const char *series)
{
  double *value = g_hash_table_lookup (metrics, series);

  if (value == NULL)
    g_error ("/metrics has no series %s", series);
  return *value;
}

/* /proc ------------------------------------------------------------------- */

/* Counts the entries of /proc/PID/FOLDER. */
static guint
count_proc_entries (GPid pid, const char *folder)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, folder);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

guint
net_test_count_fds (GPid pid)
{
  return count_proc_entries (pid, "fd");
}

guint
net_test_count_threads (GPid pid)
{
  return count_proc_entries (pid, "task");
}

gboolean
net_test_have_program (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  return path != NULL;
}

guint64
net_test_rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line = NULL;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* Adds the socket inodes of PID's descriptors to INODES. */
static void
collect_socket_inodes (GPid pid, GHashTable *inodes)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", (int) pid);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *link_path = g_build_filename (path, name, NULL);
    g_autofree char *target = g_file_read_link (link_path, NULL);

    if (target != NULL && g_str_has_prefix (target, "socket:["))
      g_hash_table_add (inodes, g_strndup (target + 8, strlen (target) - 9));
  }
}

/* Reads /proc/PID/net/FILE: "sl local_address rem_address st ... inode". */
static void
add_udp_ports (GPid pid, const char *file, GHashTable *inodes, GArray *ports)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/net/%s", (int) pid, file);
  g_autofree char *table = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &table, NULL, NULL))
    return;
  lines = g_strsplit (table, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++) {
    g_auto (GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
    g_autoptr (GPtrArray) columns = g_ptr_array_new ();

    for (guint f = 0; fields[f] != NULL; f++)
      if (fields[f][0] != '\0')
        g_ptr_array_add (columns, fields[f]);
    if (columns->len < 10 || !g_hash_table_contains (inodes, columns->pdata[9]))
      continue;
    {
      const char *colon = strrchr (columns->pdata[1], ':');
      guint port = (guint) g_ascii_strtoull (colon + 1, NULL, 16);

      g_array_append_val (ports, port);
    }
  }
}

GArray *
net_test_udp_ports (GPid pid)
{
  g_autoptr (GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GArray *ports = g_array_new (FALSE, FALSE, sizeof (guint));

  collect_socket_inodes (pid, inodes);
  add_udp_ports (pid, "udp", inodes, ports);
  add_udp_ports (pid, "udp6", inodes, ports);
  return ports;
}

/* Network namespaces ---------------------------------------------------------- */

static gboolean
run_ip (GError **error, const char *first, ...) G_GNUC_NULL_TERMINATED;

/* Runs a command given as a NULL-terminated list; returns whether it
 * exited 0, with its stderr in ERROR otherwise. */
static gboolean
run_ip (GError **error, const char *first, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status = 0;
  va_list args;

  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                     &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_autofree char *command = g_strjoinv (" ", (char **) argv->pdata);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", command,
                 err != NULL ? g_strstrip (err) : "");
    return FALSE;
  }
  return TRUE;
}

#define CHECK_IP(...) \
  do { g_autoptr (GError) ip_error = NULL; \
       if (!run_ip (&ip_error, __VA_ARGS__, NULL)) g_error ("%s", ip_error->message); } while (0)

NetTestNamespace *
net_test_namespace_new (void)
{
  NetTestNamespace *ns = NULL;
  g_autoptr (GError) error = NULL;
  guint id = (guint) getpid () % 100000;
  guint subnet = g_random_int_range (0, 64) * 4;
  g_autofree char *host_cidr = NULL;
  g_autofree char *ns_cidr = NULL;
  g_autofree char *guard_script = NULL;

  if (geteuid () != 0 || !net_test_have_program ("ip") || !net_test_have_program ("tc")) {
    g_test_skip ("needs root and the ip and tc tools (iproute2) for network namespaces");
    return NULL;
  }

  ns = g_new0 (NetTestNamespace, 1);
  ns->name = g_strdup_printf ("hz-test-%u", id);
  ns->host_device = g_strdup_printf ("hzt%ua", id);
  ns->ns_device = g_strdup_printf ("hzt%ub", id);
  /* 10.213.0.0/16 stays between this test's two namespaces. */
  ns->host_address = g_strdup_printf ("10.213.%u.%u", id % 250, subnet + 1);
  ns->ns_address = g_strdup_printf ("10.213.%u.%u", id % 250, subnet + 2);
  host_cidr = g_strdup_printf ("%s/30", ns->host_address);
  ns_cidr = g_strdup_printf ("%s/30", ns->ns_address);

  if (!run_ip (&error, "ip", "netns", "add", ns->name, NULL)) {
    g_test_skip_printf ("cannot create a network namespace: %s", error->message);
    g_clear_pointer (&ns, net_test_namespace_free);
    return NULL;
  }

  /* The guard deletes the namespace once its stdin closes, which happens
   * also when an assertion aborts the test. */
  guard_script = g_strdup_printf ("cat >/dev/null; ip netns del %s 2>/dev/null", ns->name);
  ns->guard = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error, "sh", "-c",
                                guard_script, NULL);
  g_assert_no_error (error);

  CHECK_IP ("ip", "link", "add", ns->host_device, "type", "veth", "peer", "name", ns->ns_device);
  CHECK_IP ("ip", "link", "set", ns->ns_device, "netns", ns->name);
  CHECK_IP ("ip", "addr", "add", host_cidr, "dev", ns->host_device);
  CHECK_IP ("ip", "link", "set", ns->host_device, "up");
  CHECK_IP ("ip", "-n", ns->name, "addr", "add", ns_cidr, "dev", ns->ns_device);
  CHECK_IP ("ip", "-n", ns->name, "link", "set", ns->ns_device, "up");
  CHECK_IP ("ip", "-n", ns->name, "link", "set", "lo", "up");
  g_test_message ("network namespace %s: %s (%s) <-> %s (%s)", ns->name, ns->host_address,
                  ns->host_device, ns->ns_address, ns->ns_device);
  return ns;
}

void
net_test_namespace_free (NetTestNamespace *ns)
{
  g_autoptr (GError) error = NULL;

  if (ns->guard != NULL) {
    /* Deleting the namespace also removes the veth pair. */
    if (!run_ip (&error, "ip", "netns", "del", ns->name, NULL))
      g_test_message ("%s", error->message);
    g_output_stream_close (g_subprocess_get_stdin_pipe (ns->guard), NULL, NULL);
    g_subprocess_wait (ns->guard, NULL, NULL);
    g_object_unref (ns->guard);
  }
  g_free (ns->name);
  g_free (ns->host_device);
  g_free (ns->ns_device);
  g_free (ns->host_address);
  g_free (ns->ns_address);
  g_free (ns);
}

/* A pfifo queue of length 0 drops every packet. It stands in for netem,
 * which kernels built without sch_netem (e.g. some VM kernels) lack. */
void
net_test_namespace_set_blackhole (NetTestNamespace *ns, gboolean on)
{
  if (on) {
    CHECK_IP ("tc", "qdisc", "add", "dev", ns->host_device, "root", "pfifo", "limit", "0");
    CHECK_IP ("ip", "netns", "exec", ns->name, "tc", "qdisc", "add", "dev", ns->ns_device,
              "root", "pfifo", "limit", "0");
  } else {
    CHECK_IP ("tc", "qdisc", "del", "dev", ns->host_device, "root");
    CHECK_IP ("ip", "netns", "exec", ns->name, "tc", "qdisc", "del", "dev", ns->ns_device, "root");
  }
  g_test_message ("%s: packet loss %s", ns->name, on ? "100%" : "off");
}

RelayTestTools *
net_test_tools_in_namespace (const RelayTestTools *tools, NetTestNamespace *ns, const char *dir)
{
  RelayTestTools *copy = g_new0 (RelayTestTools, 1);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\nexec ip netns exec %s %s \"$@\"\n",
                                             ns->name, tools->peer);
  g_autoptr (GError) error = NULL;

  copy->peer = g_build_filename (dir, "peer-in-namespace.sh", NULL);
  copy->media_check = g_strdup (tools->media_check);
  g_file_set_contents (copy->peer, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (copy->peer, 0700), ==, 0);
  return copy;
}

void
net_test_tools_free (RelayTestTools *tools)
{
  g_free (tools->peer);
  g_free (tools->media_check);
  g_free (tools);
}

NetTestSession *
net_test_session_start_for_namespace (NetTestNamespace *ns)
{
  g_autofree char *keys = g_strdup_printf ("listen = %s:0\ninterfaces = 127.0.0.1, %s\n",
                                           ns->host_address, ns->host_address);

  return net_test_session_start (keys);
}
