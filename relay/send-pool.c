/* Shared send threads and ICE agents; see send-pool.h. */
#include "send-pool.h"
#include "ice.h"

typedef struct {
  const HzSendStreamHandlers *handlers;
  gpointer data;
} StreamRoute;

struct _HzSendWorker {
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  NiceAgent *agent;
  GMutex lock;
  GHashTable *routes;        /* stream id → StreamRoute, under lock */
};

struct _HzSendPool {
  const HzRelayConfig *config;
  HzDtlsIdentity *identity;
  GPtrArray *turn_servers;
  HzSendWorker *workers;
  guint n_workers;
};

/* Returns the route of STREAM_ID with a reference on its data, or FALSE. */
static gboolean
route_take (HzSendWorker *worker, guint stream_id, StreamRoute *route)
{
  StreamRoute *found;

  g_mutex_lock (&worker->lock);
  found = g_hash_table_lookup (worker->routes, GUINT_TO_POINTER (stream_id));
  if (found != NULL) {
    *route = *found;
    route->handlers->ref (route->data);
  }
  g_mutex_unlock (&worker->lock);
  return found != NULL;
}

static void
on_new_candidate (NiceAgent *agent, NiceCandidate *candidate, gpointer data)
{
  StreamRoute route;

  if (!route_take (data, candidate->stream_id, &route))
    return;
  route.handlers->candidate (route.data, candidate);
  route.handlers->unref (route.data);
}

static void
on_component_state (NiceAgent *agent, guint stream_id, guint component_id, guint state,
                    gpointer data)
{
  StreamRoute route;

  if (!route_take (data, stream_id, &route))
    return;
  route.handlers->state (route.data, state);
  route.handlers->unref (route.data);
}

static gpointer
worker_run (gpointer data)
{
  HzSendWorker *worker = data;

  g_main_context_push_thread_default (worker->context);
  g_main_loop_run (worker->loop);
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

static void
worker_start (HzSendWorker *worker, guint index, const HzRelayConfig *config)
{
  g_autofree char *name = g_strdup_printf ("hz-send-%u", index);

  g_mutex_init (&worker->lock);
  worker->routes = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  worker->context = g_main_context_new ();
  worker->loop = g_main_loop_new (worker->context, FALSE);
  /* Trickle ICE: the client's candidates come after its answer, and a
   * check list without candidates must not fail yet. Consent freshness
   * (RFC 7675): a client that stops answering the agent's checks fails its
   * connection (after about 10 s with libnice 0.1.21, measured by
   * relay-consent-lost), so the relay stops sending to it. */
  worker->agent = nice_agent_new_full (worker->context, NICE_COMPATIBILITY_RFC5245,
                                       NICE_AGENT_OPTION_ICE_TRICKLE
                                       | NICE_AGENT_OPTION_CONSENT_FRESHNESS);
  g_object_set (worker->agent, "controlling-mode", TRUE, NULL);
  hz_ice_configure_agent (worker->agent, config);
  g_signal_connect (worker->agent, "new-candidate-full", G_CALLBACK (on_new_candidate), worker);
  g_signal_connect (worker->agent, "component-state-changed", G_CALLBACK (on_component_state),
                    worker);
  worker->thread = g_thread_new (name, worker_run, worker);
}

static void
worker_stop (HzSendWorker *worker)
{
  if (worker->thread == NULL)
    return;
  g_main_loop_quit (worker->loop);
  g_thread_join (worker->thread);
  /* Run what connections closed last left for this thread. */
  while (g_main_context_iteration (worker->context, FALSE))
    ;
  g_signal_handlers_disconnect_by_data (worker->agent, worker);
  g_object_unref (worker->agent);
  g_main_loop_unref (worker->loop);
  g_main_context_unref (worker->context);
  g_hash_table_unref (worker->routes);
  g_mutex_clear (&worker->lock);
}

HzSendPool *
hz_send_pool_new (const HzRelayConfig *config, guint n_workers, GError **error)
{
  HzSendPool *pool = g_new0 (HzSendPool, 1);

  g_return_val_if_fail (n_workers > 0, NULL);

  pool->config = config;
  pool->identity = hz_dtls_identity_new (error);
  if (pool->identity == NULL) {
    g_free (pool);
    return NULL;
  }
  pool->turn_servers = hz_ice_read_turn_servers (config);
  pool->n_workers = n_workers;
  pool->workers = g_new0 (HzSendWorker, n_workers);
  for (guint i = 0; i < n_workers; i++)
    worker_start (&pool->workers[i], i, config);
  return pool;
}

void
hz_send_pool_free (HzSendPool *pool)
{
  for (guint i = 0; i < pool->n_workers; i++)
    worker_stop (&pool->workers[i]);
  g_free (pool->workers);
  g_ptr_array_unref (pool->turn_servers);
  hz_dtls_identity_free (pool->identity);
  g_free (pool);
}

HzDtlsIdentity *
hz_send_pool_get_identity (HzSendPool *pool)
{
  return pool->identity;
}

const GPtrArray *
hz_send_pool_get_turn_servers (HzSendPool *pool)
{
  return pool->turn_servers;
}

const HzRelayConfig *
hz_send_pool_get_config (HzSendPool *pool)
{
  return pool->config;
}

HzSendWorker *
hz_send_pool_pick (HzSendPool *pool)
{
  HzSendWorker *best = NULL;
  guint best_size = G_MAXUINT;

  for (guint i = 0; i < pool->n_workers; i++) {
    HzSendWorker *worker = &pool->workers[i];
    guint size;

    g_mutex_lock (&worker->lock);
    size = g_hash_table_size (worker->routes);
    g_mutex_unlock (&worker->lock);
    if (size < best_size) {
      best = worker;
      best_size = size;
    }
  }
  return best;
}

NiceAgent *
hz_send_worker_get_agent (HzSendWorker *worker)
{
  return worker->agent;
}

GMainContext *
hz_send_worker_get_context (HzSendWorker *worker)
{
  return worker->context;
}

void
hz_send_worker_add_stream (HzSendWorker *worker, guint stream_id,
                           const HzSendStreamHandlers *handlers, gpointer data)
{
  StreamRoute *route = g_new (StreamRoute, 1);

  route->handlers = handlers;
  route->data = data;
  g_mutex_lock (&worker->lock);
  g_hash_table_insert (worker->routes, GUINT_TO_POINTER (stream_id), route);
  g_mutex_unlock (&worker->lock);
}

void
hz_send_worker_remove_stream (HzSendWorker *worker, guint stream_id)
{
  g_mutex_lock (&worker->lock);
  g_hash_table_remove (worker->routes, GUINT_TO_POINTER (stream_id));
  g_mutex_unlock (&worker->lock);
}
