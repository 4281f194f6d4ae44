/* Helpers for the relay's integration tests: hz-test-peer and hz-media-check
 * processes driven from a g_test, and the session they join.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hz-test-daemons.h"

G_BEGIN_DECLS

/* Paths of the test tools, from the test's command line (see main()). */
typedef struct {
  char *peer;
  char *media_check;
} RelayTestTools;

/* One running hz-test-peer and the JSON events it printed so far. */
typedef struct {
  char *label;                /* "doctor", "expert" ...: names the peer in failure messages */
  GSubprocess *process;
  GPtrArray *events;          /* JsonNode *, one per stdout line, in order */
  GHashTable *returned;       /* the events that a wait already returned */
} RelayTestPeer;

/* The daemons and a consultation booked through the scheduler's API, with
 * a join token for each participant. */
typedef struct {
  HzTestDaemons *daemons;
  HzTestBooking booking;
  char *doctor_token;
  char *expert_token;
} RelayTestSession;

RelayTestSession *relay_test_session_start (void);
void relay_test_session_free (RelayTestSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayTestSession, relay_test_session_free)

/* Starts hz-test-peer for SESSION_ID with TOKEN; EXTRA_ARGS is NULL or a
 * NULL-terminated list of further options. */
RelayTestPeer *relay_test_peer_start (const RelayTestTools *tools,
                                      HzTestDaemons        *daemons,
                                      gint64                session_id,
                                      const char           *token,
                                      const char           *label,
                                      const char *const    *extra_args);

/* Kills the peer (SIGKILL) unless it has exited, and frees it. */
void relay_test_peer_free (RelayTestPeer *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelayTestPeer, relay_test_peer_free)

/* Returns the next event named EVENT that no earlier wait returned, reading
 * stdout for at most TIMEOUT_MS; NULL on timeout or when stdout ends.
 * MATCH_MEMBER and MATCH_VALUE, when not NULL, also require a string
 * member with that value. The object belongs to PEER. */
JsonObject *relay_test_peer_wait_event (RelayTestPeer *peer,
                                        const char    *event,
                                        const char    *match_member,
                                        const char    *match_value,
                                        guint          timeout_ms);

/* Reads stdout to its end and waits for the exit, at most TIMEOUT_MS in
 * all. Returns the exit status, or -1 when the peer did not exit in time
 * or died of a signal. */
int relay_test_peer_wait_exit (RelayTestPeer *peer, guint timeout_ms);

/* Sends SIGTERM, which makes the peer leave and exit 0. */
void relay_test_peer_terminate (RelayTestPeer *peer);

/* Returns the last "summary" event; the peer must have exited. */
JsonObject *relay_test_peer_summary (RelayTestPeer *peer);

/* Returns summary.feeds[PARTICIPANT_ID], or NULL when that feed never came. */
JsonObject *relay_test_peer_feed (RelayTestPeer *peer, gint64 participant_id);

/* A receiver that keeps decoding gets at least half of the publisher's 30
 * frames per second in each one-second stats interval. */
#define RELAY_TEST_MIN_FRAMES_PER_SECOND 15

/* Checks that PEER decoded FROM_ID's video at RELAY_TEST_MIN_FRAMES_PER_SECOND
 * or more in every one-second stats interval from its first frame to its
 * last stats line, over at least three intervals: the feed never stalled. */
void relay_test_peer_assert_video_never_stalled (RelayTestPeer *peer, gint64 from_id);

/* Runs hz-media-check on PATH and returns its JSON output, or NULL when it
 * failed (its stderr is shown in the test log). */
JsonObject *relay_test_media_check (const RelayTestTools *tools, const char *path);

/* Returns the path given as --OPTION=PATH in ARGV, or NAME under
 * $HUIZHEN_BUILD_ROOT/tests/tools, or NULL without either. */
char *relay_test_tool_path (int          argc,
                            char       **argv,
                            const char  *option,
                            const char  *name);

G_END_DECLS
