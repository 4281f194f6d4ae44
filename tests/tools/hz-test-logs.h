/* Collection of the logs of every process that a test starts, for the test
 * that searches them for secrets and patient data (tests/hardening).
 *
 * When $HUIZHEN_LOG_DIR is set, each spawned program's stderr is copied, as
 * it arrives, to the test's own stderr and to
 *   $HUIZHEN_LOG_DIR/processes/PROGRAM-PID.log
 * and every token secret that a fixture creates is copied to
 *   $HUIZHEN_LOG_DIR/secrets/PID-N.secret
 * so that the search has the bytes that must not appear. Without the
 * variable nothing is collected and stderr is inherited as before.
 */
#pragma once

#include <gio/gio.h>

#include "hz-secret.h"

G_BEGIN_DECLS

#define HZ_TEST_LOG_DIR_VARIABLE "HUIZHEN_LOG_DIR"

/* Returns the flags to add to a spawn of a program whose stderr is
 * collected: G_SUBPROCESS_FLAGS_STDERR_PIPE, or 0 when nothing is. */
GSubprocessFlags hz_test_logs_spawn_flags (void);

/* Starts copying the stderr pipe of PROCESS, spawned with the flags above,
 * to the log file of PROGRAM (the path of its executable). The copy ends
 * when the program and its children close stderr; finalizing PROCESS waits
 * for it, so the log is complete once the test drops its last reference. */
void hz_test_logs_capture (GSubprocess *process,
                           const char  *program);

/* Copies SECRET to the secrets folder of $HUIZHEN_LOG_DIR, if it is set. */
gboolean hz_test_logs_save_secret (const HzSecret *secret,
                                   GError        **error);

G_END_DECLS
