/* The relay's context: configuration, secret, rooms, connections and the
 * HTTP/WebSocket server. One per process, used on the main thread. */
#pragma once

#include <libsoup/soup.h>
#include "hz-config.h"
#include "hz-secret.h"
#include "metrics.h"
#include "send-pool.h"
#include "report.h"
#include "session-check.h"

G_BEGIN_DECLS

typedef struct _HzRoom HzRoom;
typedef struct _HzWsAcceptor HzWsAcceptor;

typedef struct _HzRelay {
  HzConfig *config;
  HzSecret secret;
  GMainLoop *loop;
  SoupServer *server;
  GTlsCertificate *tls_certificate;  /* [relay] tls-certificate, or NULL for plain WS */
  HzReporter *reporter;
  HzSessionChecker *session_checker;
  HzMetrics *metrics;
  HzSendPool *send_pool;      /* [relay] send-threads, or NULL for a webrtcbin per subscriber */
  HzWsAcceptor *acceptor;     /* WebSocket upgrades of /ws */
  GHashTable *rooms;          /* gint64 session id → HzRoom, owned */
  GHashTable *connections;    /* HzConnection set, a reference each */
  gboolean stopping;
  guint stop_timeout_id;
  guint stop_poll_id;
} HzRelay;

/* Takes CONFIG; loads the TLS files it names, reads or creates the secret
 * and the recordings directory. */
HzRelay *hz_relay_new (HzConfig *config,
                       GError  **error);

void hz_relay_free (HzRelay *relay);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzRelay, hz_relay_free)

/* Listens on the configured address (with TLS when tls_certificate is set)
 * and prints the startup line. */
gboolean hz_relay_listen (HzRelay *relay,
                          GError **error);

/* Returns the room of SESSION_ID, creating it on first use. */
HzRoom *hz_relay_ensure_room (HzRelay *relay,
                              gint64   session_id,
                              GError **error);

/* Called by a room that has emptied and finished its recordings: frees it. */
void hz_relay_destroy_room (HzRelay *relay,
                            HzRoom  *room);

/* Closes every connection and room, waits for the recordings to finish
 * (at most HZ_RELAY_STOP_TIMEOUT_MS), then quits the main loop. */
void hz_relay_stop (HzRelay *relay);

#define HZ_RELAY_STOP_TIMEOUT_MS 8000

G_END_DECLS
