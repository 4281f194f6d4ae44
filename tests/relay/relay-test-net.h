/* Helpers for the relay's network and operations tests: a relay started
 * with extra config keys, network namespaces with a veth pair, HTTP GETs
 * of /metrics and the relay's file descriptors and memory from /proc.
 */
#pragma once

#include "relay-test-peer.h"

G_BEGIN_DECLS

/* A relay started by the test, with its stderr in LOG_PATH. */
typedef struct {
  GSubprocess *process;
  char *url;                 /* ws://HOST:PORT/ws */
  char *http_url;            /* http://HOST:PORT */
  char *config_path;
  char *log_path;
} NetTestRelay;

/* Starts a relay for the scheduler of DAEMONS, with EXTRA_KEYS ("key =
 * value" lines) in its [relay] group. */
NetTestRelay *net_test_relay_start (HzTestDaemons *daemons,
                                    const char    *extra_keys);

/* Stops RELAY (SIGTERM, then SIGKILL after 10 s) and frees it. Accepts
 * NULL. */
void net_test_relay_stop (NetTestRelay *relay);

/* The scheduler of the fixture, a booking with tokens, and a relay of the
 * test's own whose [relay] group gets EXTRA_KEYS ("key = value" lines). */
typedef struct {
  RelayTestSession session;  /* session.daemons->relay_url names RELAY */
  NetTestRelay *relay;
} NetTestSession;

NetTestSession *net_test_session_start (const char *extra_keys);
void net_test_session_free (NetTestSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetTestSession, net_test_session_free)

/* Signs a token of ROLE for USER_ID in SESSION's session, as the scheduler
 * would; for participants that the booking has no token for. */
char *net_test_sign_token (NetTestSession *session,
                           gint64          user_id,
                           gboolean        publish,
                           const char     *name);

/* GETs PATH from the relay; returns the body and sets STATUS. */
char *net_test_http_get (NetTestRelay *relay,
                         const char   *path,
                         guint        *status);

/* Parses a Prometheus text exposition into "name{labels}" → double
 * (boxed as gdouble *). Fails the test on a malformed line or a sample
 * without # TYPE. */
GHashTable *net_test_parse_metrics (const char *text);

/* Returns the value of SERIES ("name" or "name{labels}"); fails the test
 * when it is missing. */
double net_test_metric (GHashTable *metrics,
                        const char *series);

/* Whether the relay's log contains TEXT. */
gboolean net_test_relay_log_contains (NetTestRelay *relay,
                                      const char   *text);

/* TRUE when PROGRAM is on $PATH. */
gboolean net_test_have_program (const char *program);

/* Open file descriptors, threads and resident memory (KiB) of PID. */
guint net_test_count_fds (GPid pid);
guint net_test_count_threads (GPid pid);
guint64 net_test_rss_kib (GPid pid);

/* Local UDP ports of PID's sockets, from /proc/PID/fd and
 * /proc/PID/net/udp{,6}. */
GArray *net_test_udp_ports (GPid pid);

GPid net_test_relay_pid (NetTestRelay *relay);

/* A network namespace with a veth pair to the test's namespace:
 * HOST_ADDRESS on this side, NS_ADDRESS inside (a /30). A guard process
 * deletes the namespace when the test process dies, also on abort. */
typedef struct {
  char *name;
  char *host_device;
  char *ns_device;
  char *host_address;
  char *ns_address;
  GSubprocess *guard;
} NetTestNamespace;

/* Returns NULL (and skips the test with a message) without root or
 * without the ip tool. */
NetTestNamespace *net_test_namespace_new (void);
void net_test_namespace_free (NetTestNamespace *ns);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetTestNamespace, net_test_namespace_free)

/* Starts a session whose relay listens on NS's host address and gathers
 * candidates there and on 127.0.0.1, so that peers inside NS reach it. */
NetTestSession *net_test_session_start_for_namespace (NetTestNamespace *ns);

/* Drops every packet on both ends of the veth pair, or lets them pass
 * again. */
void net_test_namespace_set_blackhole (NetTestNamespace *ns,
                                       gboolean          on);

/* A copy of TOOLS whose peer runs inside NS; free with
 * net_test_tools_free(). */
RelayTestTools *net_test_tools_in_namespace (const RelayTestTools *tools,
                                             NetTestNamespace     *ns,
                                             const char           *dir);
void net_test_tools_free (RelayTestTools *tools);

G_END_DECLS
