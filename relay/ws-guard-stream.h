/* A GIOStream that bounds the size of incoming WebSocket messages.
 *
 * libsoup 3.2's "max-incoming-payload-size" limits one frame, but a
 * message may be sent as any number of fragments, which libsoup appends to
 * one buffer until the final one arrives (later libsoup versions add
 * "max-total-message-size"). This stream sits between the socket and the
 * SoupWebsocketConnection of the server side and reads the frame headers
 * that pass through. As soon as a frame header would make the current
 * message exceed the limit, it calls a function once. From then on it
 * reads and discards the input and hands libsoup no more bytes, so libsoup
 * never buffers more than the limit for a message. End of stream and read
 * errors still pass. Control frames (close, ping, pong) do not count.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HZ_TYPE_WS_GUARD_STREAM (hz_ws_guard_stream_get_type ())
G_DECLARE_FINAL_TYPE (HzWsGuardStream, hz_ws_guard_stream, HZ, WS_GUARD_STREAM, GIOStream)

/* Called once, from within a read of the stream, with the size that the
 * current message would have reached. It must not read from or close the
 * stream synchronously. */
typedef void (*HzWsGuardFunc) (guint64  message_size,
                               gpointer user_data);

/* Wraps BASE, whose input and output streams must be pollable. Messages of more than
 * MAX_MESSAGE_SIZE payload bytes call FUNC. Closing the new stream closes
 * BASE. */
GIOStream *hz_ws_guard_stream_new (GIOStream     *base,
                                   guint64        max_message_size,
                                   HzWsGuardFunc  func,
                                   gpointer       user_data);

/* Returns the number of bytes that the base output stream has accepted,
 * which the relay compares with what it queued on the WebSocket to see how
 * much a client leaves unread. */
guint64 hz_ws_guard_stream_get_bytes_written (HzWsGuardStream *stream);

G_END_DECLS
