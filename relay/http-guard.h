/* The relay's HTTP endpoints take no request body. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Rejects every request of SERVER that declares a body (a Content-Length
 * over 0, or chunked encoding) with 413 body_too_large once its headers
 * are read, before libsoup reads any of the body: the connection is taken
 * from libsoup, the response is written directly and the connection is
 * closed. A rejection is logged with the remote address, method and path. */
void hz_http_guard_attach (SoupServer *server);

G_END_DECLS
