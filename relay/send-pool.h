/* The threads and ICE agents that the relay's own subscriber connections
 * (sub-link.h) share.
 *
 * Each worker is one thread running its own GMainContext with one libnice
 * agent. A subscriber connection is one stream of a worker's agent: its
 * connectivity checks, DTLS handshake, RTCP and retransmissions run on
 * that worker's thread, and no thread is made per connection. The relay
 * offers to subscribers, so every agent is controlling.
 */
#pragma once

#include <nice/agent.h>
#include "dtls-srtp.h"
#include "hz-config.h"

G_BEGIN_DECLS

typedef struct _HzSendPool HzSendPool;
typedef struct _HzSendWorker HzSendWorker;

/* What a worker calls for the agent signals of one stream, on any
 * thread. The worker holds a reference (REF, UNREF) on DATA meanwhile. */
typedef struct {
  void (*candidate) (gpointer data, NiceCandidate *candidate);
  void (*state) (gpointer data, NiceComponentState state);
  gpointer (*ref) (gpointer data);
  void (*unref) (gpointer data);
} HzSendStreamHandlers;

/* Starts N_WORKERS workers for CONFIG's ICE settings (which must outlive
 * the pool) and makes the relay's DTLS identity. */
HzSendPool *hz_send_pool_new (const HzRelayConfig *config,
                              guint                n_workers,
                              GError             **error);
void hz_send_pool_free (HzSendPool *pool);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzSendPool, hz_send_pool_free)

HzDtlsIdentity *hz_send_pool_get_identity (HzSendPool *pool);

/* The TURN servers (HzIceRelay, ice.h) to set on each stream. */
const GPtrArray *hz_send_pool_get_turn_servers (HzSendPool *pool);

const HzRelayConfig *hz_send_pool_get_config (HzSendPool *pool);

/* The worker with the fewest streams. */
HzSendWorker *hz_send_pool_pick (HzSendPool *pool);

NiceAgent *hz_send_worker_get_agent (HzSendWorker *worker);
GMainContext *hz_send_worker_get_context (HzSendWorker *worker);

/* Routes the agent's signals for STREAM_ID to HANDLERS (static) with DATA
 * until hz_send_worker_remove_stream(). */
void hz_send_worker_add_stream (HzSendWorker               *worker,
                                guint                       stream_id,
                                const HzSendStreamHandlers *handlers,
                                gpointer                    data);
void hz_send_worker_remove_stream (HzSendWorker *worker,
                                   guint         stream_id);

G_END_DECLS
