/* WebSocket upgrades of the signalling endpoint.
 *
 * The relay makes the handshake itself instead of using
 * soup_server_add_websocket_handler(), so that it can:
 * - reject an upgrade when the client's address already has
 *   [relay] max-connections-per-address sockets open (429), or when the
 *   relay is stopping (503);
 * - put an HzWsGuardStream under the connection, which closes a socket
 *   whose message (one frame or the sum of its fragments) exceeds
 *   [relay] max-message-kib with the error message_too_large and close
 *   code 1009;
 * - accept no extension: with permessage-deflate, which SoupServer offers
 *   by default, the size of a compressed frame would not bound the size of
 *   the message it inflates to.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _HzRelay HzRelay;
typedef struct _HzWsAcceptor HzWsAcceptor;

/* Serves upgrades on PATH of RELAY's server and hands each new connection
 * to hz_signalling_accept(). */
HzWsAcceptor *hz_ws_acceptor_new (HzRelay    *relay,
                                  const char *path);

/* Forgets the open sockets, which stay open. */
void hz_ws_acceptor_free (HzWsAcceptor *acceptor);

G_END_DECLS
