/* The HTTP client that the relay uses for the scheduler: join-time session
 * checks (session-check.h) and reports (report.h).
 *
 * With an https scheduler-url, libsoup verifies the scheduler's
 * certificate against [relay] scheduler-ca-file, or against the system's
 * CAs when that key is empty. Verification is never turned off: a
 * certificate that fails it fails the request.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Returns a session with TIMEOUT_S for connecting and each read. CA_DATABASE
 * (or NULL for the system's CAs) verifies the scheduler's certificate. */
SoupSession *hz_scheduler_client_new (GTlsDatabase *ca_database,
                                      guint         timeout_s);

/* Returns a description of ERROR, the failure of MESSAGE (or NULL) to the
 * scheduler, for the log. A rejected certificate gets the reasons from
 * MESSAGE and a hint at scheduler-ca-file. */
char *hz_scheduler_client_describe_error (const GError *error,
                                          SoupMessage  *message);

G_END_DECLS
