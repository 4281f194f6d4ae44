/* The request body limit, enforced while libsoup reads the request. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Watches the request of MSG, a message that has just started, and rejects
 * it with 413 body_too_large as soon as its Content-Length or the bytes
 * received so far exceed HZ_BODY_MAX_BYTES. The rejection takes the
 * connection away from libsoup, writes the response itself and closes the
 * connection, so no more of the body is kept in memory. */
void hz_body_limit_watch (SoupServerMessage *msg);

G_END_DECLS
