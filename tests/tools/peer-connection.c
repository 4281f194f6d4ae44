/* hz-test-peer: one webrtcbin peer connection, publish or subscribe.
 *
 * Negotiation runs as a chain of webrtcbin promises. Each promise reply is
 * handed to the main loop, so nothing here waits on a promise:
 *
 *   publish:    negotiation-needed -> create-offer -> set-local -> send offer
 *               relay answer -> set-remote
 *   subscribe:  relay offer -> set-remote -> create-answer -> set-local -> send answer
 *
 * ICE stays on loopback: the agent gathers only 127.0.0.1, UPnP is off and
 * no STUN or TURN server is set.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#include <gst/sdp/sdp.h>

typedef void (*HzConnectionFunc) (HzConnection *conn, gpointer data);
typedef void (*HzPromiseDone) (HzConnection *conn, const GstStructure *reply);

typedef struct {
  HzConnection *conn;
  HzConnectionFunc func;
  gpointer data;
  GDestroyNotify destroy;
} Invocation;

typedef struct {
  HzConnection *conn;
  HzPromiseDone done;
  GstPromise *promise;        /* set when the reply is handed to the main loop */
} PromiseStep;

typedef struct {
  guint mline;
  char *candidate;
} CandidateData;

static void
connection_clear (HzConnection *conn)
{
  if (conn->bus_watch != 0)
    g_source_remove (conn->bus_watch);
  if (conn->pipeline != NULL)
    gst_element_set_state (conn->pipeline, GST_STATE_NULL);
  gst_clear_object (&conn->webrtcbin);
  gst_clear_object (&conn->pipeline);
  g_clear_pointer (&conn->feed, hz_feed_stats_unref);
  g_mutex_clear (&conn->sent_lock);
  g_free (conn->pc);
}

HzConnection *
hz_connection_ref (HzConnection *conn)
{
  return g_atomic_rc_box_acquire (conn);
}

void
hz_connection_unref (HzConnection *conn)
{
  g_atomic_rc_box_release_full (conn, (GDestroyNotify) connection_clear);
}

static gboolean
invocation_run (gpointer user_data)
{
  Invocation *invocation = user_data;

  if (!invocation->conn->closed)
    invocation->func (invocation->conn, invocation->data);
  return G_SOURCE_REMOVE;
}

static void
invocation_free (gpointer user_data)
{
  Invocation *invocation = user_data;

  if (invocation->destroy != NULL && invocation->data != NULL)
    invocation->destroy (invocation->data);
  hz_connection_unref (invocation->conn);
  g_free (invocation);
}

/* Queues FUNC on the main loop from any thread. It never runs inline, even
 * on the main thread, so callers may hold webrtcbin's locks. */
static void
connection_invoke (HzConnection    *conn,
                   HzConnectionFunc func,
                   gpointer         data,
                   GDestroyNotify   destroy)
{
  Invocation *invocation = g_new0 (Invocation, 1);
  g_autoptr (GSource) source = g_idle_source_new ();

  invocation->conn = hz_connection_ref (conn);
  invocation->func = func;
  invocation->data = data;
  invocation->destroy = destroy;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, invocation_run, invocation, invocation_free);
  g_source_attach (source, NULL);
}

static void
fail_connection (HzConnection *conn, const char *what, const GError *error)
{
  g_printerr ("hz-test-peer: %s: %s failed: %s\n", conn->pc, what,
              error != NULL ? error->message : "no reason given");
  hz_peer_stop (conn->peer, HZ_PEER_EXIT_FAILED);
}

/* Promise chain ---------------------------------------------------------- */

static void
promise_step_free (gpointer data)
{
  PromiseStep *step = data;

  hz_connection_unref (step->conn);
  if (step->promise != NULL)
    gst_promise_unref (step->promise);
  g_free (step);
}

static void
promise_step_run (HzConnection *conn, gpointer data)
{
  PromiseStep *step = data;
  const GstStructure *reply = NULL;
  g_autoptr (GError) error = NULL;

  if (gst_promise_wait (step->promise) != GST_PROMISE_RESULT_REPLIED) {
    /* Already settled: gst_promise_wait() returns at once here. */
    fail_connection (conn, "webrtcbin promise", NULL);
    return;
  }

  reply = gst_promise_get_reply (step->promise);
  if (reply != NULL && gst_structure_has_field (reply, "error")) {
    gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
    fail_connection (conn, "negotiation", error);
    return;
  }

  step->done (conn, reply);
}

/* Runs on a webrtcbin thread when the promise settles. */
static void
on_promise_changed (GstPromise *promise, gpointer user_data)
{
  PromiseStep *pending = user_data;
  PromiseStep *step = g_new0 (PromiseStep, 1);

  step->conn = hz_connection_ref (pending->conn);
  step->done = pending->done;
  step->promise = gst_promise_ref (promise);
  connection_invoke (pending->conn, promise_step_run, step, promise_step_free);
}

static GstPromise *
promise_new (HzConnection *conn, HzPromiseDone done)
{
  PromiseStep *pending = g_new0 (PromiseStep, 1);

  pending->conn = hz_connection_ref (conn);
  pending->done = done;
  return gst_promise_new_with_change_func (on_promise_changed, pending,
                                           promise_step_free);
}

/* Emits a webrtcbin action signal whose last argument is a promise; DONE
 * runs on the main loop with the reply. ARGUMENT is the signal's first
 * argument: options (NULL) or a session description. */
static void
emit_with_promise (HzConnection *conn,
                   const char   *signal_name,
                   gpointer      argument,
                   HzPromiseDone done)
{
  GstPromise *promise = promise_new (conn, done);

  g_signal_emit_by_name (conn->webrtcbin, signal_name, argument, promise);
  gst_promise_unref (promise);
}

static void
on_nothing_more (HzConnection *conn, const GstStructure *reply)
{
}

static void
on_description_created (HzConnection *conn, const GstStructure *reply)
{
  GstWebRTCSessionDescription *description = NULL;
  gboolean offer = (conn->kind == HZ_CONNECTION_PUBLISH);
  const char *field = offer ? "offer" : "answer";
  g_autofree char *sdp = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  if (reply == NULL ||
      !gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                          &description, NULL)) {
    fail_connection (conn, offer ? "create-offer" : "create-answer", NULL);
    return;
  }

  /* Options that make the answer differ from webrtcbin's (peer-sdp.c). */
  if (!offer) {
    GstWebRTCSessionDescription *remote = NULL;

    g_object_get (conn->webrtcbin, "remote-description", &remote, NULL);
    if (hz_answer_rewrite (&conn->peer->options, remote != NULL ? remote->sdp : NULL,
                           description->sdp))
      g_message ("%s: answering with the changes of --accept-extensions, --payload-offset, "
                 "--no-h264 or --dtls-passive", conn->pc);
    g_clear_pointer (&remote, gst_webrtc_session_description_free);
  }
  emit_with_promise (conn, "set-local-description", description, on_nothing_more);
  sdp = gst_sdp_message_as_text (description->sdp);
  gst_webrtc_session_description_free (description);
  if (!offer && conn->peer->options.answer_garbage != NULL) {
    g_autofree char *garbage = hz_answer_garbage (&conn->peer->options, sdp);

    g_message ("%s: sending an unusable answer (--answer-garbage=%s)", conn->pc,
               conn->peer->options.answer_garbage);
    g_free (sdp);
    sdp = g_steal_pointer (&garbage);
  }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, field);
  json_builder_set_member_name (builder, "pc");
  json_builder_add_string_value (builder, conn->pc);
  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp);
  json_builder_end_object (builder);
  hz_peer_send (conn->peer, builder);
}

void
hz_connection_create_offer (HzConnection *conn)
{
  emit_with_promise (conn, "create-offer", NULL, on_description_created);
}

static void
on_remote_set (HzConnection *conn, const GstStructure *reply)
{
  if (conn->kind != HZ_CONNECTION_SUBSCRIBE)
    return;
  emit_with_promise (conn, "create-answer", NULL, on_description_created);
}

gboolean
hz_connection_set_remote (HzConnection    *conn,
                          GstWebRTCSDPType type,
                          const char      *sdp,
                          GError         **error)
{
  GstSDPMessage *message = NULL;
  GstWebRTCSessionDescription *description = NULL;

  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "%s: the relay's SDP does not parse", conn->pc);
    return FALSE;
  }

  /* The description takes MESSAGE. */
  description = gst_webrtc_session_description_new (type, message);
  emit_with_promise (conn, "set-remote-description", description, on_remote_set);
  gst_webrtc_session_description_free (description);
  return TRUE;
}

void
hz_connection_add_candidate (HzConnection *conn,
                             guint         mline,
                             const char   *candidate)
{
  /* webrtcbin 1.22 has no end-of-candidates call; an empty candidate only
   * marks the end, so there is nothing to add. */
  if (candidate[0] == '\0')
    return;
  g_signal_emit_by_name (conn->webrtcbin, "add-ice-candidate", mline, candidate);
}

/* webrtcbin signals ------------------------------------------------------- */

static void
candidate_data_free (gpointer data)
{
  CandidateData *candidate = data;

  g_free (candidate->candidate);
  g_free (candidate);
}

static void
send_candidate (HzConnection *conn, gpointer data)
{
  CandidateData *candidate = data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "candidate");
  json_builder_set_member_name (builder, "pc");
  json_builder_add_string_value (builder, conn->pc);
  json_builder_set_member_name (builder, "candidate");
  json_builder_add_string_value (builder, candidate->candidate);
  json_builder_set_member_name (builder, "sdpMLineIndex");
  json_builder_add_int_value (builder, candidate->mline);
  json_builder_end_object (builder);
  hz_peer_send (conn->peer, builder);
}

/* Returns TEXT with the address of a host candidate replaced by an mDNS
 * name derived from it, as browsers send them: "candidate:F C T P ADDRESS
 * PORT typ host". Other candidates come back unchanged. */
static char *
hide_host_address (const char *text)
{
  g_auto (GStrv) fields = g_strsplit (text, " ", 0);
  g_autofree char *digest = NULL;

  if (g_strv_length (fields) < 8 || !g_str_equal (fields[7], "host"))
    return g_strdup (text);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, fields[4], -1);
  g_free (fields[4]);
  fields[4] = g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s.local", digest, digest + 8,
                               digest + 12, digest + 16, digest + 20);
  return g_strjoinv (" ", fields);
}

static void
on_ice_candidate (GstElement *webrtcbin,
                  guint       mline,
                  const char *text,
                  gpointer    user_data)
{
  HzConnection *conn = user_data;
  CandidateData *candidate = g_new0 (CandidateData, 1);

  candidate->mline = mline;
  candidate->candidate = conn->peer->options.mdns_candidates ? hide_host_address (text)
                                                             : g_strdup (text);
  connection_invoke (user_data, send_candidate, candidate, candidate_data_free);
}

static void
on_gathering_state (GObject *webrtcbin, GParamSpec *pspec, gpointer user_data)
{
  GstWebRTCICEGatheringState state = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
  CandidateData *end = NULL;

  g_object_get (webrtcbin, "ice-gathering-state", &state, NULL);
  if (state != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
    return;

  /* With max-bundle every candidate belongs to m-line 0. */
  end = g_new0 (CandidateData, 1);
  end->candidate = g_strdup ("");
  connection_invoke (user_data, send_candidate, end, candidate_data_free);
}

/* --keyframe-requests: asks the relay for the feed's keyframe N times at
 * once, as a misbehaving client might. */
static void
send_keyframe_requests (HzConnection *conn)
{
  for (int i = 0; i < conn->peer->options.keyframe_requests; i++) {
    g_autoptr (JsonBuilder) builder = json_builder_new ();

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "type");
    json_builder_add_string_value (builder, "keyframe");
    json_builder_set_member_name (builder, "pc");
    json_builder_add_string_value (builder, conn->pc);
    json_builder_end_object (builder);
    hz_peer_send (conn->peer, builder);
  }
}

static void
report_connection_state (HzConnection *conn, gpointer data)
{
  GstWebRTCPeerConnectionState state = GPOINTER_TO_INT (data);
  g_autoptr (GEnumClass) states = g_type_class_ref (GST_TYPE_WEBRTC_PEER_CONNECTION_STATE);
  GEnumValue *value = g_enum_get_value (states, state);
  gint64 now = g_get_monotonic_time ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED && conn->connected_us == 0) {
    conn->connected_us = now;
    if (!conn->peer->stopping)
      g_atomic_int_set (&conn->sending_flag, 1);
    if (conn->kind == HZ_CONNECTION_SUBSCRIBE)
      send_keyframe_requests (conn);
    else
      hz_peer_start_duration (conn->peer);
  }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "connection-state");
  json_builder_set_member_name (builder, "pc");
  json_builder_add_string_value (builder, conn->pc);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, value != NULL ? value->value_nick : "unknown");
  json_builder_set_member_name (builder, "ms");
  json_builder_add_int_value (builder, hz_peer_ms_since_joined (conn->peer, now));
  /* Wall-clock time, for comparing with times that the relay reports. */
  json_builder_set_member_name (builder, "unix_ms");
  json_builder_add_int_value (builder, g_get_real_time () / 1000);
  json_builder_end_object (builder);
  hz_peer_print_event (builder);
}

static void
on_connection_state (GObject *webrtcbin, GParamSpec *pspec, gpointer user_data)
{
  GstWebRTCPeerConnectionState state = GST_WEBRTC_PEER_CONNECTION_STATE_NEW;

  g_object_get (webrtcbin, "connection-state", &state, NULL);
  connection_invoke (user_data, report_connection_state, GINT_TO_POINTER (state), NULL);
}

static void
start_negotiation (HzConnection *conn, gpointer data)
{
  if (conn->offer_sent)
    return;
  conn->offer_sent = TRUE;
  hz_connection_create_offer (conn);
}

static void
on_negotiation_needed (GstElement *webrtcbin, gpointer user_data)
{
  HzConnection *conn = user_data;

  if (conn->kind == HZ_CONNECTION_PUBLISH)
    connection_invoke (conn, start_negotiation, NULL, NULL);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  HzConnection *conn = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;

  switch (GST_MESSAGE_TYPE (message)) {
  case GST_MESSAGE_ERROR:
    gst_message_parse_error (message, &error, &debug);
    g_printerr ("hz-test-peer: %s: %s: %s (%s)\n", conn->pc,
                GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message,
                debug != NULL ? debug : "no details");
    hz_peer_stop (conn->peer, HZ_PEER_EXIT_FAILED);
    break;
  case GST_MESSAGE_WARNING:
    gst_message_parse_warning (message, &error, &debug);
    g_message ("%s: warning from %s: %s", conn->pc,
               GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), error->message);
    break;
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

/* Setup -------------------------------------------------------------------- */

/* Keeps ICE on one address: only --local-address (127.0.0.1 by default)
 * is gathered and libnice's UPnP port mapping, which it turns on by
 * default, is switched off. */
static gboolean
configure_ice (GstElement *webrtcbin, const char *address, GError **error)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) agent = NULL;
  gboolean added = FALSE;

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  if (ice == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "webrtcbin's ICE agent is not libnice; cannot switch UPnP off");
    return FALSE;
  }

  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL);
  g_signal_emit_by_name (ice, "add-local-ip-address", address, &added);
  if (!added) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "the ICE agent rejected the local address %s", address);
    return FALSE;
  }
  return TRUE;
}

/* Creates a connection around a new webrtcbin named "webrtcbin". With a
 * DESCRIPTION (gst_parse_launch() syntax), the pipeline is parsed from it and
 * must contain that element; without one, the pipeline holds only webrtcbin. */
HzConnection *
hz_connection_new (HzPeer          *peer,
                   HzConnectionKind kind,
                   const char      *pc,
                   const char      *description,
                   GError         **error)
{
  g_autoptr (HzConnection) conn = g_atomic_rc_box_new0 (HzConnection);
  g_autoptr (GstBus) bus = NULL;

  conn->peer = peer;
  conn->kind = kind;
  conn->pc = g_strdup (pc);
  g_mutex_init (&conn->sent_lock);
  conn->sent_first_pts = GST_CLOCK_TIME_NONE;
  conn->sent_end_pts = GST_CLOCK_TIME_NONE;
  if (description != NULL) {
    conn->pipeline = gst_parse_launch_full (description, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
    if (conn->pipeline == NULL)
      return NULL;
    gst_object_ref_sink (conn->pipeline);
    conn->webrtcbin = gst_bin_get_by_name (GST_BIN (conn->pipeline), "webrtcbin");
  } else {
    conn->pipeline = gst_object_ref_sink (gst_pipeline_new (pc));
    conn->webrtcbin = gst_element_factory_make ("webrtcbin", "webrtcbin");
    if (conn->webrtcbin != NULL) {
      gst_object_ref (conn->webrtcbin);
      gst_bin_add (GST_BIN (conn->pipeline), conn->webrtcbin);
    }
  }
  if (conn->webrtcbin == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "%s: no webrtcbin (is gst-plugins-bad installed?)", pc);
    return NULL;
  }

  gst_util_set_object_arg (G_OBJECT (conn->webrtcbin), "bundle-policy", "max-bundle");
  if (!configure_ice (conn->webrtcbin, peer->options.local_address, error))
    return NULL;

  /* Signal handlers get a plain pointer: the connection outlives webrtcbin,
   * because connection_clear() stops the pipeline before it goes. */
  g_signal_connect (conn->webrtcbin, "on-ice-candidate", G_CALLBACK (on_ice_candidate), conn);
  g_signal_connect (conn->webrtcbin, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed), conn);
  g_signal_connect (conn->webrtcbin, "notify::ice-gathering-state", G_CALLBACK (on_gathering_state), conn);
  g_signal_connect (conn->webrtcbin, "notify::connection-state", G_CALLBACK (on_connection_state), conn);

  bus = gst_pipeline_get_bus (GST_PIPELINE (conn->pipeline));
  conn->bus_watch = gst_bus_add_watch (bus, on_bus_message, conn);
  return g_steal_pointer (&conn);
}

gboolean
hz_connection_start (HzConnection *conn, GError **error)
{
  if (gst_element_set_state (conn->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "%s: the pipeline failed to start", conn->pc);
    return FALSE;
  }
  return TRUE;
}

/* Stops the pipeline and drops the caller's reference. Callbacks still
 * queued see `closed` and do nothing. */
void
hz_connection_close (HzConnection *conn)
{
  conn->closed = TRUE;
  if (conn->bus_watch != 0) {
    g_source_remove (conn->bus_watch);
    conn->bus_watch = 0;
  }
  gst_element_set_state (conn->pipeline, GST_STATE_NULL);
  hz_connection_unref (conn);
}
