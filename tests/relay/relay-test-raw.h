/* A raw HTTP and WebSocket client for the relay's limit tests: it writes
 * exactly the bytes that a test passes (chunked bodies, fragmented or
 * oversized frames) over a blocking TCP socket on loopback, and reads with
 * timeouts. A failure to connect fails the test.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  GSocketConnection *connection;
  GSocket *socket;
  char *host_port;           /* HOST:PORT, for the Host header */
  GByteArray *input;         /* bytes read but not consumed yet */
  int close_code;            /* of the relay's close frame once read, else -1 */
} RawClient;

/* Connects to the host and port of URL (http:// or ws://). */
RawClient *raw_client_connect (const char *url);
void raw_client_free (RawClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawClient, raw_client_free)

/* Writes all LENGTH bytes; returns FALSE when the peer has closed or reset
 * the connection. */
gboolean raw_client_write (RawClient  *client,
                           const void *data,
                           gsize       length);

/* Reads the status line and headers of an HTTP response, waiting at most
 * TIMEOUT_MS in all. Returns them without the blank line, or NULL on
 * timeout or end of stream. */
char *raw_client_read_head (RawClient *client,
                            guint      timeout_ms);

/* Returns the status code of the status line HEAD, or 0. */
guint raw_client_head_status (const char *head);

/* Sends a WebSocket upgrade request for PATH without extensions and reads
 * the response head; returns its status code (101 on success), or 0. */
guint raw_client_ws_upgrade (RawClient  *client,
                             const char *path,
                             guint       timeout_ms);

#define RAW_WS_CONTINUATION 0x0
#define RAW_WS_TEXT 0x1
#define RAW_WS_CLOSE 0x8

/* Sends one masked frame. A DECLARED_LENGTH above LENGTH writes a header
 * that announces more payload than follows, for the oversized frames that
 * the relay must close on before reading them. */
gboolean raw_client_ws_send (RawClient  *client,
                             guint       opcode,
                             gboolean    fin,
                             const void *payload,
                             gsize       length,
                             guint64     declared_length);

/* Sends TEXT as one final text frame. */
gboolean raw_client_ws_send_text (RawClient  *client,
                                  const char *text);

typedef struct {
  guint opcode;
  GBytes *payload;
} RawFrame;

/* Reads one frame, waiting at most TIMEOUT_MS. Returns FALSE on timeout or
 * end of stream. The caller frees FRAME->payload. */
gboolean raw_client_ws_read (RawClient *client,
                             guint      timeout_ms,
                             RawFrame  *frame);

/* Reads frames until a text frame whose JSON "type" is TYPE (and whose
 * "code", when CODE is not NULL, is CODE), a close frame or the end, at
 * most TIMEOUT_MS. Returns the JSON text of the match, or NULL. */
char *raw_client_ws_wait_message (RawClient  *client,
                                  const char *type,
                                  const char *code,
                                  guint       timeout_ms);

/* Reads frames until a close frame, at most TIMEOUT_MS. Returns its close
 * code; 0 for a close frame without a code; -1 when the connection ended
 * without a close frame or the time ran out. */
int raw_client_ws_wait_close (RawClient *client,
                              guint      timeout_ms);

G_END_DECLS
