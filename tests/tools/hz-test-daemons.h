/* Test fixture: the real scheduler and relay, started on loopback port 0 in
 * a temporary directory with their own config and secret.
 *
 * Children get PR_SET_PDEATHSIG, so they die with a test that aborts, and
 * hz_test_daemons_stop() removes the directory. Binaries are found under
 * $HUIZHEN_BUILD_ROOT and the web root under $HUIZHEN_SOURCE_ROOT.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hz-secret.h"

G_BEGIN_DECLS

/* ASan keeps freed blocks in quarantine (256 MiB by default on 64-bit
 * Linux), so a daemon's resident memory there does not show what it
 * buffers. Tests skip such bounds under ASan, and the plain build checks them. */
#if defined(__SANITIZE_ADDRESS__)
#define HZ_TEST_RESIDENT_MEMORY_MEANINGFUL 0
#else
#define HZ_TEST_RESIDENT_MEMORY_MEANINGFUL 1
#endif

typedef enum {
  HZ_TEST_DAEMONS_SCHEDULER = 1 << 0,
  HZ_TEST_DAEMONS_RELAY = 1 << 1,
} HzTestDaemonsFlags;

typedef struct {
  char *dir;              /* temporary directory holding everything below */
  char *config_path;
  char *secret_path;
  char *database_path;
  char *recordings_dir;
  char *hls_dir;          /* [relay] and [scheduler] hls-dir */
  char *scheduler_url;    /* http://127.0.0.1:PORT */
  char *relay_url;        /* ws://127.0.0.1:PORT/ws */
  char *admin_key;        /* from huizhen-scheduler --create-admin */
  char *scheduler_keys;   /* extra lines of the [scheduler] group, or NULL */
  GSubprocess *scheduler;
  GSubprocess *relay;
  HzSecret secret;
  GTlsDatabase *tls_database;  /* CAs that hz_test_http() trusts, or NULL for the system's */
} HzTestDaemons;

/* A consultation booked through the HTTP API: a county doctor's request,
 * scheduled with a district expert, and a coordinator who scheduled it. */
typedef struct {
  gint64 district_org_id;
  gint64 county_org_id;
  gint64 doctor_id;
  gint64 expert_id;
  gint64 coordinator_id;
  char *doctor_key;
  char *expert_key;
  char *coordinator_key;
  gint64 consultation_id;
  gint64 session_id;
} HzTestBooking;

HzTestDaemons *hz_test_daemons_start (HzTestDaemonsFlags flags, GError **error);

/* Starts the daemons like hz_test_daemons_start() with SCHEDULER_KEYS,
 * lines such as "api-rate-limit = 2\n", added to the [scheduler] group. */
HzTestDaemons *hz_test_daemons_start_with_keys (HzTestDaemonsFlags  flags,
                                                const char         *scheduler_keys,
                                                GError            **error);

/* Sends SIGNUM to the relay and waits for it to exit. */
void hz_test_daemons_signal_relay (HzTestDaemons *daemons, int signum);

/* Stops both daemons (SIGTERM, then SIGKILL after 5 s) and removes the
 * directory. Safe on a half-started fixture. */
void hz_test_daemons_stop (HzTestDaemons *daemons);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzTestDaemons, hz_test_daemons_stop)

/* Sends one HTTP request to the scheduler and returns the parsed JSON body
 * (NULL when the body is empty or not JSON). KEY and ACCEPT_LANGUAGE may be
 * NULL; BODY is JSON text or NULL. */
JsonNode *hz_test_http (HzTestDaemons *daemons,
                        const char    *method,
                        const char    *path,
                        const char    *key,
                        const char    *body,
                        const char    *accept_language,
                        guint         *status);

/* Creates two organizations, a doctor, an expert and a coordinator, files a
 * consultation and schedules it from START_OFFSET seconds from now, lasting
 * DURATION seconds, booked with recording. */
gboolean hz_test_book_consultation (HzTestDaemons *daemons,
                                    gint64         start_offset,
                                    gint64         duration,
                                    HzTestBooking *booking,
                                    GError       **error);

/* Books like hz_test_book_consultation(), with "recording": RECORDING in
 * the schedule request. */
gboolean hz_test_book_consultation_recorded (HzTestDaemons *daemons,
                                             gint64         start_offset,
                                             gint64         duration,
                                             gboolean       recording,
                                             HzTestBooking *booking,
                                             GError       **error);

void hz_test_booking_clear (HzTestBooking *booking);

/* Requests a join token for SESSION_ID with KEY; returns the token text. */
char *hz_test_join_token (HzTestDaemons *daemons,
                          gint64         session_id,
                          const char    *key,
                          GError       **error);

/* Spawns ARGV with PR_SET_PDEATHSIG and stdout piped, for tools that the
 * tests drive (hz-test-peer). */
GSubprocess *hz_test_spawn (const char *const *argv, GError **error);

/* Reads one line from SUBPROCESS's stdout, waiting at most TIMEOUT_MS.
 * Returns NULL on timeout or end of stream. */
char *hz_test_read_line (GSubprocess *subprocess, guint timeout_ms);

G_END_DECLS
