/* WebSocket connections of the signalling protocol (docs/signalling.md):
 * one HzConnection per client socket, message dispatch to its room. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _HzConnection HzConnection;
typedef struct _HzRelay HzRelay;

/* WebSocket close codes of the protocol. */
#define HZ_CLOSE_TOKEN_REJECTED 4001  /* after a token error */
#define HZ_CLOSE_REPLACED 4002        /* the same user joined on another socket */
#define HZ_CLOSE_ROOM_FULL 4003       /* after room_full */
#define HZ_CLOSE_JOIN_TIMEOUT 4004    /* no join within 10 s of connecting */

/* Takes a new WebSocket connection (see ws-accept.h); the arguments are
 * those of a soup_server_add_websocket_handler() callback, with USER_DATA
 * the HzRelay. */
void hz_signalling_accept (SoupServer              *server,
                           SoupServerMessage       *message,
                           const char              *path,
                           SoupWebsocketConnection *websocket,
                           gpointer                 user_data);

HzConnection *hz_connection_ref (HzConnection *connection);
void hz_connection_unref (HzConnection *connection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzConnection, hz_connection_unref)

/* Sends MESSAGE (a JSON object) if the socket is still open. */
void hz_connection_send (HzConnection *connection,
                         JsonNode     *message);

/* Sends an "error" message; PC may be NULL. */
void hz_connection_send_error (HzConnection *connection,
                               const char   *code,
                               const char   *pc,
                               const char   *message);

/* Unbinds CONNECTION from its participant, which has left the room, and
 * closes the socket with CODE unless it is closed already. */
void hz_connection_close (HzConnection *connection,
                          gushort       code,
                          const char   *reason);

/* Closes every open connection of RELAY; used at shutdown. */
void hz_signalling_close_all (HzRelay *relay);

G_END_DECLS
