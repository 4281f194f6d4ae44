/* The request body limit, enforced while libsoup reads the request. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#include "hz-sched-errors.h"

/* Watches the request of MSG, a message that has just started, and rejects
 * it with 413 body_too_large as soon as its Content-Length or the bytes
 * received so far exceed MAX_KIB KiB ([scheduler] max-body-kib). The
 * rejection takes the connection away from libsoup, writes the response
 * itself and closes the connection, so no more of the body is kept in
 * memory. */
void hz_body_limit_watch (SoupServerMessage *msg,
                          guint              max_kib);

/* Returns the message of body_too_large in LANGUAGE, naming MAX_KIB. */
char *hz_body_limit_message (HzLanguage language,
                             guint      max_kib);

G_END_DECLS
