/* Signatures on the relay's HTTP calls to the scheduler.
 *
 * Header:  Authorization: HZ-HMAC ts=UNIX_SECONDS, sig=HEX
 * where sig = HMAC-SHA256(key, METHOD "\n" PATH "\n" ts "\n" BODY) and key is
 * the shared secret derived for "relay-report". The scheduler accepts a
 * timestamp within HZ_REQUEST_AUTH_MAX_SKEW seconds of its clock.
 */
#pragma once

#include <glib.h>
#include "hz-secret.h"

G_BEGIN_DECLS

#define HZ_REQUEST_AUTH_MAX_SKEW 300

char *hz_request_auth_sign (const HzSecret *secret,
                            const char     *method,
                            const char     *path,
                            gint64          now,
                            const char     *body,
                            gsize           body_length);

/* Checks an Authorization header value; returns FALSE with a message in
 * ERROR (G_IO_ERROR_PERMISSION_DENIED) when it is missing, malformed, stale
 * or does not match. */
gboolean hz_request_auth_verify (const HzSecret *secret,
                                 const char     *header,
                                 const char     *method,
                                 const char     *path,
                                 gint64          now,
                                 const char     *body,
                                 gsize           body_length,
                                 GError        **error);

G_END_DECLS
