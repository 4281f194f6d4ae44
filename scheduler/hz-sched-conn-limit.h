/* Open connections per client address, [scheduler]
 * max-connections-per-address.
 *
 * SoupServer emits request-started when it accepts a connection, before
 * the client sends anything, and every response closes its connection, so
 * a connection carries one request. A connection is counted from
 * request-started until its message is finished (the response was sent),
 * disconnected (the client closed first) or freed, whichever comes first. A
 * request on a connection over the limit gets 429 too_many_connections. The
 * scheduler runs one thread, so the counts have no lock.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _HzConnectionLimit HzConnectionLimit;

/* Creates a limit of MAX_PER_ADDRESS open connections per address. */
HzConnectionLimit *hz_connection_limit_new (guint max_per_address);

/* Drops the caller's reference. Messages still counted keep the limit
 * alive until they are freed. */
void hz_connection_limit_unref (HzConnectionLimit *limit);

/* Counts the connection of MSG, a message that has just started, for its
 * remote address. Returns FALSE, without counting it, when the address
 * already has the maximum open; the request must then be rejected. */
gboolean hz_connection_limit_add (HzConnectionLimit *limit,
                                  SoupServerMessage *msg);

/* Returns the connections counted for ADDRESS. */
guint hz_connection_limit_count (HzConnectionLimit *limit,
                                 const char        *address);

G_END_DECLS
