/* hz-test-hostile-sub: a receiver of one relay feed that answers the
 * relay's "sub:ID" offer itself and then misbehaves on purpose.
 *
 * It joins with a token over the WebSocket (docs/signalling.md), takes the
 * first subscriber offer, answers it with its own ICE credentials and the
 * fingerprint of its own certificate, runs a libnice agent on 127.0.0.1
 * (UPnP off) and DTLS-SRTP through relay/dtls-srtp.c. Once connected it
 * counts the SRTP that it receives and sends the attack of --attack, as
 * SRTCP under its own keys unless the attack is about DTLS or bad SRTCP.
 * Options also shape the answer: the DTLS role, the fingerprint, rejected
 * or missing m-lines, extra candidates, a second answer.
 *
 * Prints JSON events on stdout, one per line:
 *   {"event":"offer","pc":"sub:7","video_ssrc":N,"rtx_ssrc":N,"rtx_pt":N}
 *   {"event":"ice-state","state":"connected"}
 *   {"event":"dtls","state":"connected"|"failed","message":"..."}
 *   {"event":"error","code":"...","message":"...","pc":"..."}   from the relay
 *   {"event":"stats","rtp":N,"rtx":N,"rtcp":N,"srtp_failed":N,"attack_sent":N}
 *   {"event":"closed","code":N}
 *   {"event":"summary", ...the last counts...}
 *
 * Exit status: 0 after --duration, 1 on a local failure, 2 when the relay
 * sent an error, 3 when the relay closed the WebSocket first.
 */
#define G_LOG_DOMAIN "hz-test-hostile-sub"

#include <agent.h>
#include <gst/sdp/sdp.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dtls-srtp.h"

enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_RELAY_ERROR = 2,
  EXIT_DISCONNECTED = 3,
};

/* The attack timer's period; each tick sends rate / (1000 / TICK_MS)
 * packets, carried over in fractions. */
#define TICK_MS 5
#define MAX_RTCP 1400

typedef enum {
  ATTACK_NONE,
  ATTACK_NACK_FLOOD,      /* NACKs of packets that the relay still has */
  ATTACK_PLI_FLOOD,
  ATTACK_FIR_FLOOD,
  ATTACK_MALFORMED,       /* authenticated SRTCP whose RTCP is malformed */
  ATTACK_WRONG_SSRC,      /* NACKs and PLIs for SSRCs that the relay does not send */
  ATTACK_REPLAY,          /* one authenticated NACK sent again and again */
  ATTACK_SRTCP_GARBAGE,   /* RTCP-looking datagrams that do not authenticate */
  ATTACK_DTLS_GARBAGE,    /* random records with a DTLS content type */
  ATTACK_SECOND_HELLO,    /* a new ClientHello after the handshake */
  ATTACK_FATAL_ALERT,     /* a fatal alert after the handshake */
} Attack;

static const char *const attack_names[] = {
  "none", "nack-flood", "pli-flood", "fir-flood", "malformed", "wrong-ssrc", "replay",
  "srtcp-garbage", "dtls-garbage", "second-hello", "fatal-alert",
};

typedef struct {
  /* Options. */
  char *relay_url;
  gint64 session_id;
  char *token;
  double duration_s;
  char *setup;               /* the answer's a=setup value, or "none" to leave it out */
  char *fingerprint_mode;    /* own, wrong, none, wrong-then-own */
  char *credentials_at;      /* media or session */
  int reject_mline;          /* -1, or the m-line answered with port 0 */
  int n_mlines;              /* -1, or answer with only this many m-lines */
  int extra_candidates;      /* bogus host candidates added to the answer */
  gboolean answer_twice;
  gboolean dtls_garbage_first;  /* send DTLS-looking garbage before the handshake */
  gboolean stray_dtls;       /* send DTLS-looking datagrams to the relay's candidates from
                              * another socket until ICE connects */
  char *exit_at;             /* NULL, "ice" or "dtls": _exit() there without a goodbye */
  Attack attack;
  double rate;               /* attack packets per second */
  int nack_entries;          /* FCI entries per NACK packet */

  /* State, main thread only. */
  GMainLoop *loop;
  int exit_code;
  SoupSession *session;
  SoupWebsocketConnection *websocket;
  char *pc;
  GstSDPMessage *offer;
  guint n_offer_mlines;
  guint32 video_ssrc;
  guint32 audio_ssrc;
  guint32 rtx_ssrc;
  int rtx_pt;
  NiceAgent *agent;
  guint stream_id;
  GPtrArray *relay_candidates;  /* received before the agent had remote credentials */
  gboolean remote_set;
  HzDtlsIdentity *identity;
  HzDtlsSrtp *dtls;
  GSource *dtls_timer;
  gboolean dtls_started;
  gboolean connected;
  gboolean ice_connected;
  guint attack_source;
  double attack_budget;
  guint stats_source;
  guint stop_source;
  GByteArray *replay_packet;
  guint32 fir_seq;
  GSocket *stray_socket;
  GPtrArray *stray_targets;  /* GInetSocketAddress of the relay's candidates */
  guint stray_source;
  GPtrArray *held_candidates;  /* --stray-dtls: this side's candidates, not sent yet */
  gboolean ice_released;

  /* Counts. */
  guint64 rtp_packets;
  guint64 rtp_bytes;
  guint64 rtx_packets;
  guint64 rtcp_packets;
  guint64 srtp_failed;
  guint64 attack_sent;
  guint16 last_video_seq;
  gboolean have_video_seq;
} Hostile;

static void
print_event (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  g_print ("%s\n", text);
}

static JsonBuilder *
begin_event (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
  return builder;
}

static void
add_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
end_event (JsonBuilder *builder)
{
  json_builder_end_object (builder);
  print_event (builder);
  g_object_unref (builder);
}

static void
print_simple (const char *name, const char *member, const char *value)
{
  JsonBuilder *builder = begin_event (name);

  if (member != NULL)
    add_string (builder, member, value);
  end_event (builder);
}

static void
add_counts (Hostile *h, JsonBuilder *builder)
{
  add_int (builder, "rtp", (gint64) h->rtp_packets);
  add_int (builder, "rtp_bytes", (gint64) h->rtp_bytes);
  add_int (builder, "rtx", (gint64) h->rtx_packets);
  add_int (builder, "rtcp", (gint64) h->rtcp_packets);
  add_int (builder, "srtp_failed", (gint64) h->srtp_failed);
  add_int (builder, "attack_sent", (gint64) h->attack_sent);
}

static void
stop (Hostile *h, int exit_code)
{
  if (h->exit_code < 0)
    h->exit_code = exit_code;
  g_main_loop_quit (h->loop);
}

/* ---- signalling ---- */

static void
send_json (Hostile *h, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  if (h->websocket != NULL
      && soup_websocket_connection_get_state (h->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (h->websocket, text);
}

static void
send_answer (Hostile *h, const char *sdp)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "answer");
  json_builder_set_member_name (builder, "pc");
  json_builder_add_string_value (builder, h->pc);
  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp);
  json_builder_end_object (builder);
  send_json (h, builder);
}

/* ---- DTLS ---- */

static void
send_datagram (Hostile *h, const guint8 *data, gsize length)
{
  if (h->agent != NULL)
    nice_agent_send (h->agent, h->stream_id, 1, (guint) length, (const char *) data);
}

static void
on_dtls_send (const guint8 *data, gsize length, gpointer user_data)
{
  send_datagram (user_data, data, length);
}

static void start_attack (Hostile *h);
static void arm_dtls_timer (Hostile *h);

static void
dtls_progress (Hostile *h, HzDtlsSrtpState state, const GError *error)
{
  if (h->connected)
    return;
  if (state == HZ_DTLS_SRTP_CONNECTED) {
    h->connected = TRUE;
    print_simple ("dtls", "state", "connected");
    if (g_strcmp0 (h->exit_at, "dtls") == 0)
      _exit (EXIT_OK);
    start_attack (h);
  } else if (state == HZ_DTLS_SRTP_FAILED) {
    JsonBuilder *builder = begin_event ("dtls");

    add_string (builder, "state", "failed");
    add_string (builder, "message", error != NULL ? error->message : "");
    end_event (builder);
    g_clear_pointer (&h->dtls_timer, g_source_destroy);
  } else {
    arm_dtls_timer (h);
  }
}

static gboolean
on_dtls_timer (gpointer data)
{
  Hostile *h = data;
  g_autoptr (GError) error = NULL;
  HzDtlsSrtpState state;

  h->dtls_timer = NULL;
  state = hz_dtls_srtp_handle_timeout (h->dtls, &error);
  dtls_progress (h, state, error);
  return G_SOURCE_REMOVE;
}

static void
arm_dtls_timer (Hostile *h)
{
  gint64 timeout = hz_dtls_srtp_get_timeout (h->dtls);

  if (h->dtls_timer != NULL)
    g_source_destroy (h->dtls_timer);
  h->dtls_timer = NULL;
  if (timeout < 0)
    return;
  h->dtls_timer = g_timeout_source_new ((guint) timeout);
  g_source_set_callback (h->dtls_timer, on_dtls_timer, h, NULL);
  g_source_attach (h->dtls_timer, NULL);
  g_source_unref (h->dtls_timer);
}

/* Sends three datagrams whose first byte is a DTLS content type and whose
 * rest is random. */
static void
send_dtls_garbage (Hostile *h)
{
  for (guint i = 0; i < 3; i++) {
    guint8 data[200];

    for (guint j = 0; j < sizeof data; j++)
      data[j] = (guint8) g_random_int ();
    data[0] = (guint8) g_random_int_range (20, 26);
    data[1] = 0xfe;
    data[2] = 0xfd;
    send_datagram (h, data, sizeof data);
    h->attack_sent++;
  }
}

static void
start_dtls (Hostile *h)
{
  g_autoptr (GError) error = NULL;
  HzDtlsSrtpState state;

  if (h->dtls_started || h->dtls == NULL)
    return;
  h->dtls_started = TRUE;
  if (h->dtls_garbage_first)
    send_dtls_garbage (h);
  state = hz_dtls_srtp_start (h->dtls, &error);
  dtls_progress (h, state, error);
}

/* ---- receiving ---- */

static void
on_receive (NiceAgent *agent, guint stream_id, guint component_id, guint length, gchar *buffer,
            gpointer data)
{
  Hostile *h = data;
  guint8 packet[2048];
  gsize size = length;

  if (length < 2 || length > sizeof packet)
    return;
  memcpy (packet, buffer, length);
  if (packet[0] >= 20 && packet[0] <= 63) {
    g_autoptr (GError) error = NULL;
    HzDtlsSrtpState state;

    if (h->dtls == NULL)
      return;
    state = hz_dtls_srtp_receive (h->dtls, packet, length, &error);
    dtls_progress (h, state, error);
    return;
  }
  if (packet[0] < 128 || packet[0] > 191 || h->dtls == NULL)
    return;
  if (packet[1] >= 192 && packet[1] <= 223) {
    if (hz_dtls_srtp_unprotect_rtcp (h->dtls, packet, &size))
      h->rtcp_packets++;
    else
      h->srtp_failed++;
    return;
  }
  if (!hz_dtls_srtp_unprotect_rtp (h->dtls, packet, &size)) {
    h->srtp_failed++;
    return;
  }
  if (GST_READ_UINT32_BE (packet + 8) == h->rtx_ssrc) {
    h->rtx_packets++;
  } else {
    h->rtp_packets++;
    h->rtp_bytes += size;
    if (GST_READ_UINT32_BE (packet + 8) == h->video_ssrc) {
      h->last_video_seq = (guint16) GST_READ_UINT16_BE (packet + 2);
      h->have_video_seq = TRUE;
    }
  }
}

/* ---- attacks ---- */

/* Writes a generic NACK of ENTRIES FCI entries, each naming 17 packets
 * (PID and a full BLP), starting at FIRST. Returns its length. */
static gsize
write_nack (guint8 *out, guint32 media_ssrc, guint16 first, guint entries)
{
  out[0] = 0x80 | 1;
  out[1] = 205;
  GST_WRITE_UINT16_BE (out + 2, 2 + entries);
  GST_WRITE_UINT32_BE (out + 4, 1);
  GST_WRITE_UINT32_BE (out + 8, media_ssrc);
  for (guint i = 0; i < entries; i++) {
    GST_WRITE_UINT16_BE (out + 12 + 4 * i, (guint16) (first + 17 * i));
    GST_WRITE_UINT16_BE (out + 14 + 4 * i, 0xffff);
  }
  return 12 + 4 * (gsize) entries;
}

static gsize
write_pli (guint8 *out, guint32 media_ssrc)
{
  out[0] = 0x80 | 1;
  out[1] = 206;
  GST_WRITE_UINT16_BE (out + 2, 2);
  GST_WRITE_UINT32_BE (out + 4, 1);
  GST_WRITE_UINT32_BE (out + 8, media_ssrc);
  return 12;
}

static gsize
write_fir (guint8 *out, guint32 media_ssrc, guint8 seq)
{
  out[0] = 0x80 | 4;
  out[1] = 206;
  GST_WRITE_UINT16_BE (out + 2, 4);
  GST_WRITE_UINT32_BE (out + 4, 1);
  GST_WRITE_UINT32_BE (out + 8, 0);
  GST_WRITE_UINT32_BE (out + 12, media_ssrc);
  out[16] = seq;
  out[17] = out[18] = out[19] = 0;
  return 20;
}

/* Writes one of several malformed RTCP packets, picked by KIND. */
static gsize
write_malformed (Hostile *h, guint8 *out, guint kind)
{
  gsize length;

  switch (kind % 10) {
    case 0:   /* a NACK whose length claims more than the packet */
      length = write_nack (out, h->video_ssrc, h->last_video_seq, 2);
      GST_WRITE_UINT16_BE (out + 2, 200);
      return length;
    case 1:   /* a NACK without a media SSRC */
      out[0] = 0x81;
      out[1] = 205;
      GST_WRITE_UINT16_BE (out + 2, 1);
      GST_WRITE_UINT32_BE (out + 4, 1);
      return 8;
    case 2:   /* a PLI with the padding bit and a padding count of 0 */
      length = write_pli (out, h->video_ssrc);
      out[0] |= 0x20;
      out[11] = 0;
      return length;
    case 3:   /* a PLI whose padding count is larger than the packet */
      length = write_pli (out, h->video_ssrc);
      out[0] |= 0x20;
      out[11] = 255;
      return length;
    case 4:   /* an RR that claims 31 report blocks and has none */
      out[0] = 0x80 | 31;
      out[1] = 201;
      GST_WRITE_UINT16_BE (out + 2, 1);
      GST_WRITE_UINT32_BE (out + 4, 1);
      return 8;
    case 5:   /* an SR that claims 31 report blocks and has one */
      memset (out, 0, 52);
      out[0] = 0x80 | 31;
      out[1] = 200;
      GST_WRITE_UINT16_BE (out + 2, 12);
      return 52;
    case 6:   /* a FIR whose FCI is not a whole entry */
      length = write_fir (out, h->video_ssrc, 1);
      GST_WRITE_UINT16_BE (out + 2, 3);
      return 16;
    case 7:   /* a valid RR, then a packet cut after its header */
      out[0] = 0x80;
      out[1] = 201;
      GST_WRITE_UINT16_BE (out + 2, 1);
      GST_WRITE_UINT32_BE (out + 4, 1);
      out[8] = 0x81;
      out[9] = 205;
      GST_WRITE_UINT16_BE (out + 10, 5);
      return 12;
    case 8:   /* a NACK of the maximum length the datagram allows */
      return write_nack (out, h->video_ssrc, (guint16) (h->last_video_seq - 250), 300);
    default:  /* a valid NACK with random bytes changed */
      length = write_nack (out, h->video_ssrc, (guint16) (h->last_video_seq - 100), 8);
      for (guint i = 0; i < 4; i++)
        out[g_random_int_range (0, (gint32) length)] = (guint8) g_random_int ();
      return length;
  }
}

/* Protects the RTCP in PACKET (room for LENGTH + HZ_SRTP_MAX_TRAILER) and
 * sends it. */
static void
send_srtcp (Hostile *h, guint8 *packet, gsize length)
{
  if (!hz_dtls_srtp_protect_rtcp (h->dtls, packet, &length))
    return;
  if (h->attack == ATTACK_REPLAY && h->replay_packet == NULL) {
    h->replay_packet = g_byte_array_new ();
    g_byte_array_append (h->replay_packet, packet, (guint) length);
  }
  send_datagram (h, packet, length);
  h->attack_sent++;
}

static void
send_attack_packet (Hostile *h, guint index)
{
  guint8 packet[MAX_RTCP + HZ_SRTP_MAX_TRAILER];
  guint16 first = (guint16) (h->last_video_seq - 200);
  gsize length = 0;

  switch (h->attack) {
    case ATTACK_NONE:
      return;
    case ATTACK_NACK_FLOOD:
      length = write_nack (packet, h->video_ssrc, first, (guint) h->nack_entries);
      break;
    case ATTACK_PLI_FLOOD:
      length = write_pli (packet, h->video_ssrc);
      break;
    case ATTACK_FIR_FLOOD:
      length = write_fir (packet, h->video_ssrc, (guint8) h->fir_seq++);
      break;
    case ATTACK_MALFORMED:
      length = write_malformed (h, packet, index);
      break;
    case ATTACK_WRONG_SSRC:
      if (index % 3 == 0)
        length = write_nack (packet, h->rtx_ssrc, first, (guint) h->nack_entries);
      else if (index % 3 == 1)
        length = write_nack (packet, g_random_int (), first, (guint) h->nack_entries);
      else
        length = write_nack (packet, h->audio_ssrc, first, (guint) h->nack_entries);
      break;
    case ATTACK_REPLAY:
      if (h->replay_packet != NULL) {
        send_datagram (h, h->replay_packet->data, h->replay_packet->len);
        h->attack_sent++;
        return;
      }
      length = write_nack (packet, h->video_ssrc, first, 1);
      break;
    case ATTACK_SRTCP_GARBAGE:
      for (guint i = 0; i < 100; i++)
        packet[i] = (guint8) g_random_int ();
      packet[0] = 0x81;
      packet[1] = 205;
      send_datagram (h, packet, 100);
      h->attack_sent++;
      return;
    case ATTACK_DTLS_GARBAGE:
      send_dtls_garbage (h);
      return;
    case ATTACK_SECOND_HELLO:
    case ATTACK_FATAL_ALERT:
      /* Sent once, by start_attack(). */
      return;
  }
  send_srtcp (h, packet, length);
}

static gboolean
on_attack_tick (gpointer data)
{
  Hostile *h = data;

  if (!h->have_video_seq && h->attack != ATTACK_SRTCP_GARBAGE
      && h->attack != ATTACK_DTLS_GARBAGE)
    return G_SOURCE_CONTINUE;
  h->attack_budget += h->rate * TICK_MS / 1000.0;
  while (h->attack_budget >= 1) {
    send_attack_packet (h, (guint) h->attack_sent);
    h->attack_budget -= 1;
  }
  return G_SOURCE_CONTINUE;
}

static void
on_second_hello_send (const guint8 *data, gsize length, gpointer user_data)
{
  Hostile *h = user_data;

  send_datagram (h, data, length);
  h->attack_sent++;
}

/* Sends a ClientHello of a new DTLS client, as if the handshake started
 * over. */
static void
send_second_hello (Hostile *h)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *fingerprint = g_strdup_printf ("sha-256 %s",
                                                  hz_dtls_identity_get_fingerprint (h->identity));
  g_autoptr (HzDtlsSrtp) client = hz_dtls_srtp_new (h->identity, TRUE, fingerprint,
                                                    on_second_hello_send, h, &error);

  if (client != NULL)
    hz_dtls_srtp_start (client, NULL);
}

/* A DTLS 1.2 alert record in epoch 0: level fatal (2), handshake_failure
 * (40). */
static void
send_fatal_alert (Hostile *h)
{
  static const guint8 alert[] = {
    21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 2, 2, 40,
  };

  send_datagram (h, alert, sizeof alert);
  h->attack_sent++;
}

static gboolean
on_stats_tick (gpointer data)
{
  Hostile *h = data;
  JsonBuilder *builder = begin_event ("stats");

  add_counts (h, builder);
  end_event (builder);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_duration_over (gpointer data)
{
  Hostile *h = data;

  h->stop_source = 0;
  stop (h, EXIT_OK);
  return G_SOURCE_REMOVE;
}

static void
start_attack (Hostile *h)
{
  if (h->attack == ATTACK_SECOND_HELLO)
    send_second_hello (h);
  else if (h->attack == ATTACK_FATAL_ALERT)
    send_fatal_alert (h);
  else if (h->attack != ATTACK_NONE)
    h->attack_source = g_timeout_add (TICK_MS, on_attack_tick, h);
}

/* ---- ICE ---- */

/* Sends a DTLS-looking datagram to each relay candidate from a socket
 * that is not part of ICE, until ICE connects. */
static gboolean
on_stray_tick (gpointer data)
{
  Hostile *h = data;
  guint8 record[40] = { 22, 0xfe, 0xfd };

  if (h->ice_connected) {
    h->stray_source = 0;
    return G_SOURCE_REMOVE;
  }
  for (guint i = 0; i < h->stray_targets->len; i++) {
    if (g_socket_send_to (h->stray_socket, g_ptr_array_index (h->stray_targets, i),
                          (const char *) record, sizeof record, NULL, NULL) > 0)
      h->attack_sent++;
  }
  return G_SOURCE_CONTINUE;
}

static void
add_stray_target (Hostile *h, NiceCandidate *candidate)
{
  char ip[NICE_ADDRESS_STRING_LEN];

  if (h->stray_socket == NULL) {
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);

    h->stray_socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                    G_SOCKET_PROTOCOL_UDP, NULL);
    g_socket_bind (h->stray_socket, any, FALSE, NULL);
    h->stray_targets = g_ptr_array_new_with_free_func (g_object_unref);
    h->stray_source = g_timeout_add (10, on_stray_tick, h);
  }
  nice_address_to_string (&candidate->addr, ip);
  g_ptr_array_add (h->stray_targets,
                   g_inet_socket_address_new_from_string (ip,
                                                          nice_address_get_port (&candidate->addr)));
}

static void
add_relay_candidate (Hostile *h, const char *candidate)
{
  g_autofree char *line = g_strconcat ("a=", candidate, NULL);
  NiceCandidate *parsed;
  GSList *list;

  if (candidate[0] == '\0') {
    nice_agent_peer_candidate_gathering_done (h->agent, h->stream_id);
    return;
  }
  parsed = nice_agent_parse_remote_candidate_sdp (h->agent, h->stream_id, line);
  if (parsed == NULL)
    return;
  list = g_slist_append (NULL, parsed);
  nice_agent_set_remote_candidates (h->agent, h->stream_id, 1, list);
  g_slist_free (list);
  nice_candidate_free (parsed);
}

static void
on_component_state (NiceAgent *agent, guint stream_id, guint component_id, guint state,
                    gpointer data)
{
  Hostile *h = data;

  print_simple ("ice-state", "state", nice_component_state_to_string (state));
  if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY)
      && !h->ice_connected) {
    h->ice_connected = TRUE;
    if (g_strcmp0 (h->exit_at, "ice") == 0)
      _exit (EXIT_OK);
    if (g_strcmp0 (h->setup, "passive") != 0)
      start_dtls (h);
    else if (h->dtls_garbage_first)
      send_dtls_garbage (h);
  }
}

/* Returns the value of KEY in the first m-line of the offer. */
static const char *
offer_attribute (Hostile *h, const char *key)
{
  const GstSDPMedia *media = gst_sdp_message_get_media (h->offer, 0);
  const char *value = gst_sdp_media_get_attribute_val (media, key);

  return value != NULL ? value : gst_sdp_message_get_attribute_val (h->offer, key);
}

static char *
own_fingerprint (Hostile *h, gboolean wrong)
{
  char *value = g_strdup_printf ("sha-256 %s", hz_dtls_identity_get_fingerprint (h->identity));

  /* Change the first hex digit of the digest. */
  if (wrong)
    value[8] = value[8] == 'A' ? 'B' : 'A';
  return value;
}

/* Appends the answer's transport attributes to GString ANSWER. */
static void
append_transport (Hostile *h, GString *answer, GPtrArray *candidates)
{
  g_autofree char *ufrag = NULL;
  g_autofree char *pwd = NULL;

  nice_agent_get_local_credentials (h->agent, h->stream_id, &ufrag, &pwd);
  g_string_append_printf (answer, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", ufrag, pwd);
  if (g_strcmp0 (h->fingerprint_mode, "own") == 0) {
    g_autofree char *fingerprint = own_fingerprint (h, FALSE);

    g_string_append_printf (answer, "a=fingerprint:%s\r\n", fingerprint);
  } else if (g_strcmp0 (h->fingerprint_mode, "wrong") == 0) {
    g_autofree char *fingerprint = own_fingerprint (h, TRUE);

    g_string_append_printf (answer, "a=fingerprint:%s\r\n", fingerprint);
  } else if (g_strcmp0 (h->fingerprint_mode, "wrong-then-own") == 0) {
    g_autofree char *wrong = own_fingerprint (h, TRUE);
    g_autofree char *right = own_fingerprint (h, FALSE);

    g_string_append_printf (answer, "a=fingerprint:%s\r\na=fingerprint:%s\r\n", wrong, right);
  }
  if (g_strcmp0 (h->setup, "none") != 0)
    g_string_append_printf (answer, "a=setup:%s\r\n", h->setup);
  if (candidates != NULL) {
    for (guint i = 0; i < candidates->len; i++)
      g_string_append_printf (answer, "a=%s\r\n", (char *) g_ptr_array_index (candidates, i));
  }
}

/* Writes the answer: every offered format, NACK/PLI/FIR as offered,
 * recvonly, bundled, with the transport on the first m-line or at session
 * level. */
static char *
write_answer (Hostile *h, GPtrArray *candidates)
{
  GString *answer = g_string_new ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
  const char *group = gst_sdp_message_get_attribute_val (h->offer, "group");
  guint n = h->n_mlines >= 0 ? MIN ((guint) h->n_mlines, h->n_offer_mlines) : h->n_offer_mlines;

  if (group != NULL)
    g_string_append_printf (answer, "a=group:%s\r\n", group);
  if (g_strcmp0 (h->credentials_at, "session") == 0)
    append_transport (h, answer, NULL);

  for (guint m = 0; m < n; m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (h->offer, m);
    gboolean rejected = (int) m == h->reject_mline;

    g_string_append_printf (answer, "m=%s %d UDP/TLS/RTP/SAVPF", gst_sdp_media_get_media (media),
                            rejected ? 0 : 9);
    for (guint i = 0; i < gst_sdp_media_formats_len (media); i++)
      g_string_append_printf (answer, " %s", gst_sdp_media_get_format (media, i));
    g_string_append (answer, "\r\nc=IN IP4 0.0.0.0\r\n");
    for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);

      if (g_str_equal (attribute->key, "rtpmap") || g_str_equal (attribute->key, "fmtp")
          || g_str_equal (attribute->key, "rtcp-fb") || g_str_equal (attribute->key, "mid")
          || g_str_equal (attribute->key, "extmap"))
        g_string_append_printf (answer, "a=%s:%s\r\n", attribute->key, attribute->value);
    }
    g_string_append (answer, "a=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n");
    /* The transport goes on the first m-line that is not rejected, as
     * bundle (RFC 8843) has it. */
    if (m == (h->reject_mline == 0 ? 1u : 0u) && g_strcmp0 (h->credentials_at, "session") != 0)
      append_transport (h, answer, candidates);
  }
  if (g_strcmp0 (h->credentials_at, "session") == 0 && candidates != NULL) {
    /* Candidates belong to an m-line; put them on the first. */
    const char *first_mline_end = strstr (answer->str, "a=rtcp-rsize\r\n");

    if (first_mline_end != NULL) {
      g_autoptr (GString) lines = g_string_new (NULL);

      for (guint i = 0; i < candidates->len; i++)
        g_string_append_printf (lines, "a=%s\r\n", (char *) g_ptr_array_index (candidates, i));
      g_string_insert (answer, first_mline_end - answer->str + strlen ("a=rtcp-rsize\r\n"),
                       lines->str);
    }
  }
  return g_string_free (answer, FALSE);
}

static void
send_candidate (Hostile *h, const char *candidate)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "candidate");
  json_builder_set_member_name (builder, "pc");
  json_builder_add_string_value (builder, h->pc);
  json_builder_set_member_name (builder, "candidate");
  json_builder_add_string_value (builder, candidate);
  json_builder_set_member_name (builder, "sdpMLineIndex");
  json_builder_add_int_value (builder, 0);
  json_builder_end_object (builder);
  send_json (h, builder);
}

static void add_relay_candidate (Hostile *h, const char *candidate);

/* --stray-dtls: trickles this side's candidates and adds the relay's. */
static gboolean
on_release_ice (gpointer data)
{
  Hostile *h = data;

  h->ice_released = TRUE;
  for (guint i = 0; i < h->held_candidates->len; i++)
    send_candidate (h, g_ptr_array_index (h->held_candidates, i));
  for (guint i = 0; i < h->relay_candidates->len; i++)
    add_relay_candidate (h, g_ptr_array_index (h->relay_candidates, i));
  g_ptr_array_set_size (h->relay_candidates, 0);
  return G_SOURCE_REMOVE;
}

static void
on_gathering_done (NiceAgent *agent, guint stream_id, gpointer data)
{
  Hostile *h = data;
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *answer = NULL;
  g_autoptr (GError) error = NULL;
  GSList *local = nice_agent_get_local_candidates (agent, stream_id, 1);
  gboolean dtls_client;

  for (GSList *item = local; item != NULL; item = item->next) {
    char *line = nice_agent_generate_local_candidate_sdp (agent, item->data);

    g_ptr_array_add (candidates, g_strdup (g_str_has_prefix (line, "a=") ? line + 2 : line));
    g_free (line);
  }
  g_slist_free_full (local, (GDestroyNotify) nice_candidate_free);
  /* Host candidates on ports that nothing listens on. */
  for (int i = 0; i < h->extra_candidates; i++)
    g_ptr_array_add (candidates,
                     g_strdup_printf ("candidate:%d 1 UDP %u 127.0.0.1 %d typ host", 100 + i,
                                      2000000000u - (guint) i, 1024 + i));

  /* The relay connects as DTLS client when the answer is passive. */
  dtls_client = g_strcmp0 (h->setup, "passive") != 0;
  {
    g_autofree char *relay_fingerprint = g_strdup (offer_attribute (h, "fingerprint"));

    h->dtls = hz_dtls_srtp_new (h->identity, dtls_client, relay_fingerprint, on_dtls_send, h,
                                &error);
  }
  if (h->dtls == NULL) {
    g_printerr ("hz-test-hostile-sub: DTLS setup failed: %s\n", error->message);
    stop (h, EXIT_FAILED);
    return;
  }

  if (h->stray_dtls) {
    /* Hold ICE back for 500 ms, so that the stray datagrams arrive after
     * the answer and before ICE connects. */
    answer = write_answer (h, NULL);
    h->held_candidates = g_steal_pointer (&candidates);
    g_timeout_add (500, on_release_ice, h);
  } else {
    answer = write_answer (h, candidates);
  }
  send_answer (h, answer);
  print_simple ("answer-sent", NULL, NULL);
  if (h->answer_twice)
    send_answer (h, answer);
}

static void
start_ice (Hostile *h)
{
  NiceAddress address;

  h->agent = nice_agent_new_full (g_main_context_default (), NICE_COMPATIBILITY_RFC5245,
                                  NICE_AGENT_OPTION_ICE_TRICKLE);
  g_object_set (h->agent, "upnp", FALSE, "ice-tcp", FALSE, "controlling-mode", FALSE, NULL);
  nice_address_init (&address);
  nice_address_set_from_string (&address, "127.0.0.1");
  nice_agent_add_local_address (h->agent, &address);
  g_signal_connect (h->agent, "candidate-gathering-done", G_CALLBACK (on_gathering_done), h);
  g_signal_connect (h->agent, "component-state-changed", G_CALLBACK (on_component_state), h);
  h->stream_id = nice_agent_add_stream (h->agent, 1);
  nice_agent_attach_recv (h->agent, h->stream_id, 1, g_main_context_default (), on_receive, h);
  nice_agent_set_remote_credentials (h->agent, h->stream_id, offer_attribute (h, "ice-ufrag"),
                                     offer_attribute (h, "ice-pwd"));
  h->remote_set = TRUE;
  for (guint i = 0; i < h->relay_candidates->len; i++)
    add_relay_candidate (h, g_ptr_array_index (h->relay_candidates, i));
  g_ptr_array_set_size (h->relay_candidates, 0);
  nice_agent_gather_candidates (h->agent, h->stream_id);
}

/* Reads the SSRCs and the RTX payload type of the offer. */
static void
read_offer_ssrcs (Hostile *h)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (h->offer); m++) {
    const GstSDPMedia *media = gst_sdp_message_get_media (h->offer, m);
    gboolean video = g_strcmp0 (gst_sdp_media_get_media (media), "video") == 0;

    for (guint i = 0; i < gst_sdp_media_attributes_len (media); i++) {
      const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, i);

      if (video && h->video_ssrc == 0 && g_str_equal (attribute->key, "ssrc-group"))
        sscanf (attribute->value, "FID %u %u", &h->video_ssrc, &h->rtx_ssrc);
      else if (!video && h->audio_ssrc == 0 && g_str_equal (attribute->key, "ssrc"))
        sscanf (attribute->value, "%u", &h->audio_ssrc);
      else if (video && h->rtx_pt < 0 && g_str_equal (attribute->key, "rtpmap")
               && strstr (attribute->value, " rtx/") != NULL)
        sscanf (attribute->value, "%d", &h->rtx_pt);
    }
  }
}

/* ---- relay messages ---- */

static void
on_offer (Hostile *h, JsonObject *message)
{
  const char *pc = json_object_get_string_member_with_default (message, "pc", "");
  JsonBuilder *builder;

  if (h->pc != NULL || !g_str_has_prefix (pc, "sub:"))
    return;
  h->pc = g_strdup (pc);
  if (gst_sdp_message_new_from_text (json_object_get_string_member (message, "sdp"), &h->offer)
      != GST_SDP_OK) {
    g_printerr ("hz-test-hostile-sub: the relay's offer is not SDP\n");
    stop (h, EXIT_FAILED);
    return;
  }
  h->n_offer_mlines = gst_sdp_message_medias_len (h->offer);
  read_offer_ssrcs (h);
  builder = begin_event ("offer");
  add_string (builder, "pc", pc);
  add_int (builder, "video_ssrc", h->video_ssrc);
  add_int (builder, "rtx_ssrc", h->rtx_ssrc);
  add_int (builder, "rtx_pt", h->rtx_pt);
  add_int (builder, "mlines", h->n_offer_mlines);
  end_event (builder);
  start_ice (h);
}

static void
on_message (SoupWebsocketConnection *websocket, SoupWebsocketDataType type, GBytes *data,
            gpointer user_data)
{
  Hostile *h = user_data;
  gsize length = 0;
  const char *text = g_bytes_get_data (data, &length);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *message;
  const char *kind;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || !json_parser_load_from_data (parser, text, length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  message = json_node_get_object (json_parser_get_root (parser));
  kind = json_object_get_string_member_with_default (message, "type", "");
  if (g_str_equal (kind, "offer")) {
    on_offer (h, message);
  } else if (g_str_equal (kind, "candidate")
             && g_strcmp0 (json_object_get_string_member_with_default (message, "pc", ""),
                           h->pc) == 0) {
    const char *candidate = json_object_get_string_member_with_default (message, "candidate",
                                                                        "");

    if (h->stray_dtls && !h->ice_released) {
      g_autofree char *line = g_strconcat ("a=", candidate, NULL);
      NiceCandidate *parsed = candidate[0] != '\0' && h->agent != NULL
                              ? nice_agent_parse_remote_candidate_sdp (h->agent, h->stream_id, line)
                              : NULL;

      if (parsed != NULL && nice_address_ip_version (&parsed->addr) == 4)
        add_stray_target (h, parsed);
      if (parsed != NULL)
        nice_candidate_free (parsed);
      g_ptr_array_add (h->relay_candidates, g_strdup (candidate));
    } else if (h->remote_set) {
      add_relay_candidate (h, candidate);
    }
    else
      g_ptr_array_add (h->relay_candidates, g_strdup (candidate));
  } else if (g_str_equal (kind, "error") || g_str_equal (kind, "feed-closed")
             || g_str_equal (kind, "joined")) {
    JsonBuilder *builder = begin_event (kind);
    g_autoptr (GList) members = json_object_get_members (message);

    for (GList *item = members; item != NULL; item = item->next) {
      JsonNode *node = json_object_get_member (message, item->data);

      if (g_str_equal (item->data, "type") || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
        continue;
      json_builder_set_member_name (builder, item->data);
      json_builder_add_value (builder, json_node_copy (node));
    }
    end_event (builder);
    if (g_str_equal (kind, "error"))
      stop (h, EXIT_RELAY_ERROR);
  }
}

static void
on_closed (SoupWebsocketConnection *websocket, gpointer user_data)
{
  Hostile *h = user_data;
  JsonBuilder *builder = begin_event ("closed");

  add_int (builder, "code", soup_websocket_connection_get_close_code (websocket));
  end_event (builder);
  stop (h, EXIT_DISCONNECTED);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Hostile *h = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  h->websocket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (h->websocket == NULL) {
    g_printerr ("hz-test-hostile-sub: cannot connect to %s: %s\n", h->relay_url, error->message);
    stop (h, EXIT_FAILED);
    return;
  }
  soup_websocket_connection_set_max_incoming_payload_size (h->websocket, 0);
  g_signal_connect (h->websocket, "message", G_CALLBACK (on_message), h);
  g_signal_connect (h->websocket, "closed", G_CALLBACK (on_closed), h);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "join");
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, h->session_id);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, h->token);
  json_builder_end_object (builder);
  send_json (h, builder);
}

static gboolean
parse_attack (const char *name, Attack *attack)
{
  for (guint i = 0; i < G_N_ELEMENTS (attack_names); i++) {
    if (g_strcmp0 (name, attack_names[i]) == 0) {
      *attack = (Attack) i;
      return TRUE;
    }
  }
  return FALSE;
}

/* Frees what H holds, so that LeakSanitizer reports only real leaks. */
static void
hostile_clear (Hostile *h)
{
  g_clear_handle_id (&h->attack_source, g_source_remove);
  g_clear_handle_id (&h->stats_source, g_source_remove);
  g_clear_handle_id (&h->stop_source, g_source_remove);
  g_clear_handle_id (&h->stray_source, g_source_remove);
  /* The timer belongs to the main context (see arm_dtls_timer()). */
  if (h->dtls_timer != NULL)
    g_source_destroy (h->dtls_timer);
  h->dtls_timer = NULL;
  g_clear_pointer (&h->dtls, hz_dtls_srtp_free);
  g_clear_pointer (&h->identity, hz_dtls_identity_free);
  g_clear_object (&h->agent);
  g_clear_object (&h->websocket);
  g_clear_object (&h->session);
  g_clear_object (&h->stray_socket);
  g_clear_pointer (&h->offer, gst_sdp_message_free);
  g_clear_pointer (&h->relay_candidates, g_ptr_array_unref);
  g_clear_pointer (&h->stray_targets, g_ptr_array_unref);
  g_clear_pointer (&h->held_candidates, g_ptr_array_unref);
  g_clear_pointer (&h->replay_packet, g_byte_array_unref);
  g_clear_pointer (&h->loop, g_main_loop_unref);
  g_clear_pointer (&h->pc, g_free);
  g_clear_pointer (&h->relay_url, g_free);
  g_clear_pointer (&h->token, g_free);
  g_clear_pointer (&h->setup, g_free);
  g_clear_pointer (&h->fingerprint_mode, g_free);
  g_clear_pointer (&h->credentials_at, g_free);
  g_clear_pointer (&h->exit_at, g_free);
}

int
main (int argc, char **argv)
{
  Hostile h = { .exit_code = -1, .rtx_pt = -1, .reject_mline = -1, .n_mlines = -1,
                .rate = 1000, .nack_entries = 16 };
  g_autofree char *token_file = NULL;
  g_autofree char *attack = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) request = NULL;
  GOptionEntry entries[] = {
    { "relay", 0, 0, G_OPTION_ARG_STRING, &h.relay_url, "Relay WebSocket URL", "URL" },
    { "session", 0, 0, G_OPTION_ARG_INT64, &h.session_id, "Session id", "ID" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file, "Read the join token from FILE",
      "FILE" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &h.duration_s,
      "Exit this many seconds after joining (default 10)", "SECONDS" },
    { "setup", 0, 0, G_OPTION_ARG_STRING, &h.setup,
      "The answer's a=setup: active (default), passive, actpass, holdconn or none", "ROLE" },
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &h.fingerprint_mode,
      "The answer's fingerprint: own (default), wrong, none or wrong-then-own", "MODE" },
    { "credentials-at", 0, 0, G_OPTION_ARG_STRING, &h.credentials_at,
      "Put ICE credentials, fingerprint and setup in the first m-line (media, default) or at "
      "session level (session)", "LEVEL" },
    { "reject-mline", 0, 0, G_OPTION_ARG_INT, &h.reject_mline,
      "Answer this m-line (0-based) with port 0", "N" },
    { "mlines", 0, 0, G_OPTION_ARG_INT, &h.n_mlines, "Answer with only the first N m-lines",
      "N" },
    { "extra-candidates", 0, 0, G_OPTION_ARG_INT, &h.extra_candidates,
      "Add N host candidates on closed loopback ports to the answer", "N" },
    { "answer-twice", 0, 0, G_OPTION_ARG_NONE, &h.answer_twice, "Send the answer twice", NULL },
    { "dtls-garbage-first", 0, 0, G_OPTION_ARG_NONE, &h.dtls_garbage_first,
      "Send random DTLS-looking datagrams once ICE connects, before the handshake", NULL },
    { "stray-dtls", 0, 0, G_OPTION_ARG_NONE, &h.stray_dtls,
      "Until ICE connects, send DTLS-looking datagrams to the relay's candidates every 10 ms "
      "from a socket outside ICE, as an off-path sender could", NULL },
    { "exit-at", 0, 0, G_OPTION_ARG_STRING, &h.exit_at,
      "Exit at once, without closing the WebSocket, when ICE connects (ice) or DTLS connects "
      "(dtls)", "POINT" },
    { "attack", 0, 0, G_OPTION_ARG_STRING, &attack,
      "After the handshake send: none, nack-flood, pli-flood, fir-flood, malformed, wrong-ssrc, "
      "replay, srtcp-garbage, dtls-garbage, second-hello or fatal-alert", "NAME" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &h.rate,
      "Attack packets per second (default 1000)", "N" },
    { "nack-entries", 0, 0, G_OPTION_ARG_INT, &h.nack_entries,
      "FCI entries per NACK packet, each naming 17 packets (default 16, at most 340)", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- a hostile receiver of one relay feed");
  int exit_code;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("hz-test-hostile-sub: %s\n", error->message);
    return EXIT_FAILED;
  }
  if (h.relay_url == NULL || token_file == NULL || h.session_id == 0) {
    g_printerr ("hz-test-hostile-sub: --relay, --session and --token-file are required\n");
    return EXIT_FAILED;
  }
  if (!g_file_get_contents (token_file, &h.token, NULL, &error)) {
    g_printerr ("hz-test-hostile-sub: %s\n", error->message);
    return EXIT_FAILED;
  }
  g_strstrip (h.token);
  if (attack != NULL && !parse_attack (attack, &h.attack)) {
    g_printerr ("hz-test-hostile-sub: unknown --attack %s\n", attack);
    return EXIT_FAILED;
  }
  if (h.nack_entries < 1 || h.nack_entries > 340) {
    g_printerr ("hz-test-hostile-sub: --nack-entries must be 1 to 340\n");
    return EXIT_FAILED;
  }
  if (h.setup == NULL)
    h.setup = g_strdup ("active");
  if (h.fingerprint_mode == NULL)
    h.fingerprint_mode = g_strdup ("own");
  if (h.credentials_at == NULL)
    h.credentials_at = g_strdup ("media");
  if (h.duration_s <= 0)
    h.duration_s = 10;

  h.identity = hz_dtls_identity_new (&error);
  if (h.identity == NULL) {
    g_printerr ("hz-test-hostile-sub: %s\n", error->message);
    return EXIT_FAILED;
  }
  h.relay_candidates = g_ptr_array_new_with_free_func (g_free);
  h.loop = g_main_loop_new (NULL, FALSE);
  h.session = soup_session_new ();
  request = soup_message_new ("GET", h.relay_url);
  if (request == NULL) {
    g_printerr ("hz-test-hostile-sub: invalid --relay URL %s\n", h.relay_url);
    return EXIT_FAILED;
  }
  soup_session_websocket_connect_async (h.session, request, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, &h);
  h.stats_source = g_timeout_add (1000, on_stats_tick, &h);
  h.stop_source = g_timeout_add ((guint) (h.duration_s * 1000), on_duration_over, &h);
  g_main_loop_run (h.loop);

  {
    JsonBuilder *builder = begin_event ("summary");

    add_counts (&h, builder);
    add_string (builder, "dtls", h.connected ? "connected" : "not-connected");
    end_event (builder);
  }
  if (h.websocket != NULL
      && soup_websocket_connection_get_state (h.websocket) == SOUP_WEBSOCKET_STATE_OPEN) {
    soup_websocket_connection_close (h.websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    /* Let the close frame go out. */
    for (guint i = 0; i < 20 && g_main_context_iteration (NULL, FALSE); i++)
      ;
  }
  exit_code = h.exit_code;
  hostile_clear (&h);
  return exit_code;
}
