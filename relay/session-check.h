/* The scheduler's word on a session at join time.
 *
 * A join token stays valid after its session is cancelled or moved, so at
 * each join the relay requests the session's status and times from the
 * scheduler (GET SCHEDULER_URL/api/v1/internal/sessions/ID, signed with
 * hz_request_auth_sign()). When the scheduler cannot be reached or gives
 * no usable response, the result is
 * HZ_SESSION_UNCONFIRMED and the caller lets the join go ahead: a call
 * between hospitals must not fail because the scheduler is down. A
 * scheduler whose TLS certificate fails verification counts as not
 * reached: its response is never read. Only a
 * confirmed check can allow recording, because only the booking can.
 */
#pragma once

#include <gio/gio.h>
#include "hz-secret.h"

G_BEGIN_DECLS

typedef enum {
  HZ_SESSION_LIVE,          /* scheduled, and now within its join window */
  HZ_SESSION_ENDED,         /* cancelled or completed, or unknown to the scheduler */
  HZ_SESSION_NOT_YET_OPEN,  /* moved later: now is before start - HZ_TOKEN_EARLY_SECONDS */
  HZ_SESSION_CLOSED,        /* moved earlier: now is at or after end + HZ_TOKEN_LATE_SECONDS */
  HZ_SESSION_UNCONFIRMED,   /* no usable response from the scheduler */
} HzSessionState;

typedef struct _HzSessionChecker HzSessionChecker;

/* Called once with the result; DETAIL gives the reason, for the log (e.g.
 * the session's status, or the error that left it unconfirmed). RECORDING
 * is TRUE only when the scheduler confirmed that the session's booking
 * allows recording; it is FALSE for every state but HZ_SESSION_LIVE. HLS
 * is TRUE, under the same conditions, when the booking requests HLS output
 * of a teaching round. */
typedef void (*HzSessionCheckFunc) (HzSessionState  state,
                                    const char     *detail,
                                    gboolean        recording,
                                    gboolean        hls,
                                    gpointer        user_data);

/* SCHEDULER_URL is the scheduler's base URL; NULL or "" leaves every
 * session unconfirmed. CA_DATABASE verifies an https scheduler's
 * certificate, or NULL for the system's CAs. */
HzSessionChecker *hz_session_checker_new (const char     *scheduler_url,
                                          GTlsDatabase   *ca_database,
                                          const HzSecret *secret,
                                          GError        **error);

void hz_session_checker_free (HzSessionChecker *checker);

/* Asks about SESSION_ID and calls FUNC from the main loop, within about
 * HZ_SESSION_CHECK_TIMEOUT_S. */
void hz_session_checker_check (HzSessionChecker   *checker,
                               gint64              session_id,
                               HzSessionCheckFunc  func,
                               gpointer            user_data);

/* Maximum seconds that a join waits for the scheduler, to connect and for
 * each read of the response. */
#define HZ_SESSION_CHECK_TIMEOUT_S 3

G_END_DECLS
