/* Unit tests of the relay's DTLS-SRTP connections (relay/dtls-srtp.h).
 *
 * A client and a server connection, each with its own identity, run in
 * one process: each queues the datagrams it sends, and pump() hands them
 * to the other side, so a test can drop a flight or inject garbage. */
#include "dtls-srtp.h"

#include <string.h>

#define MAX_DATAGRAM 1200
#define SHA1_80_TAG 10
#define SRTCP_INDEX 4

typedef struct {
  HzDtlsSrtp *dtls;
  GQueue outgoing;              /* GBytes datagrams to the other side */
  guint sent;                   /* datagrams passed to the send function */
  guint dropped;
  gboolean dropping;            /* drop what is sent instead of queueing it */
  GError *error;                /* the error that failed the connection */
} Side;

typedef struct {
  HzDtlsIdentity *client_identity;
  HzDtlsIdentity *server_identity;
  Side client;
  Side server;
} Pair;

/* Packets as the relay sends them: an RTCP sender report (RFC 3550,
 * section 6.4.1) and an RTP packet with payload type 96. */
static const guint8 sender_report[] = {
  0x80, 200, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44,
  0xe9, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00,
  0x00, 0x01, 0x5f, 0x90, 0x00, 0x00, 0x00, 0x0a,
  0x00, 0x00, 0x04, 0xb0,
};

static const guint8 rtp_packet[] = {
  0x80, 96, 0x12, 0x34, 0x00, 0x01, 0x5f, 0x90,
  0x11, 0x22, 0x33, 0x44, 'p', 'a', 'y', 'l',
  'o', 'a', 'd', ' ', 'o', 'f', ' ', 't',
  'w', 'e', 'n', 't', 'y', ' ', 'b', 'y',
};

static void
queue_datagram (const guint8 *data, gsize length, gpointer user_data)
{
  Side *side = user_data;

  g_assert_cmpuint (length, >, 0);
  g_assert_cmpuint (length, <=, MAX_DATAGRAM);
  side->sent++;
  if (side->dropping) {
    side->dropped++;
    return;
  }
  g_queue_push_tail (&side->outgoing, g_bytes_new (data, length));
}

static char *
sdp_fingerprint (HzDtlsIdentity *identity)
{
  return g_strconcat ("sha-256 ", hz_dtls_identity_get_fingerprint (identity), NULL);
}

static HzDtlsIdentity *
identity_new (void)
{
  g_autoptr (GError) error = NULL;
  HzDtlsIdentity *identity = hz_dtls_identity_new (&error);

  g_assert_no_error (error);
  g_assert_nonnull (identity);
  return identity;
}

static void
side_init (Side *side, HzDtlsIdentity *identity, gboolean is_client, const char *remote_fingerprint)
{
  g_autoptr (GError) error = NULL;

  g_queue_init (&side->outgoing);
  side->dtls = hz_dtls_srtp_new (identity, is_client, remote_fingerprint, queue_datagram, side,
                                 &error);
  g_assert_no_error (error);
  g_assert_nonnull (side->dtls);
}

static void
side_clear (Side *side)
{
  g_clear_pointer (&side->dtls, hz_dtls_srtp_free);
  g_queue_clear_full (&side->outgoing, (GDestroyNotify) g_bytes_unref);
  g_clear_error (&side->error);
}

/* Makes a client and a server that expect each other's fingerprint,
 * unless CLIENT_EXPECTS or SERVER_EXPECTS gives another one. */
static Pair *
pair_new (const char *client_expects, const char *server_expects)
{
  Pair *pair = g_new0 (Pair, 1);
  g_autofree char *client_fingerprint = NULL;
  g_autofree char *server_fingerprint = NULL;

  pair->client_identity = identity_new ();
  pair->server_identity = identity_new ();
  client_fingerprint = sdp_fingerprint (pair->client_identity);
  server_fingerprint = sdp_fingerprint (pair->server_identity);
  side_init (&pair->client, pair->client_identity, TRUE,
             client_expects != NULL ? client_expects : server_fingerprint);
  side_init (&pair->server, pair->server_identity, FALSE,
             server_expects != NULL ? server_expects : client_fingerprint);
  return pair;
}

static void
pair_free (Pair *pair)
{
  side_clear (&pair->client);
  side_clear (&pair->server);
  hz_dtls_identity_free (pair->client_identity);
  hz_dtls_identity_free (pair->server_identity);
  g_free (pair);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pair, pair_free)

/* Keeps the first error that TO reports; a second one fails the test. */
static void
record_error (Side *to, GError *error)
{
  if (error == NULL)
    return;
  g_assert_null (to->error);
  to->error = error;
}

/* Hands the oldest datagram that FROM sent to TO. FALSE when none is
 * queued. */
static gboolean
deliver_one (Side *from, Side *to)
{
  g_autoptr (GBytes) datagram = g_queue_pop_head (&from->outgoing);
  GError *error = NULL;
  gsize length = 0;
  const guint8 *data;

  if (datagram == NULL)
    return FALSE;
  data = g_bytes_get_data (datagram, &length);
  hz_dtls_srtp_receive (to->dtls, data, length, &error);
  record_error (to, error);
  return TRUE;
}

/* Delivers datagrams both ways until none is left. */
static void
pump (Pair *pair)
{
  for (guint i = 0; i < 100; i++) {
    gboolean moved = deliver_one (&pair->client, &pair->server);

    moved = deliver_one (&pair->server, &pair->client) || moved;
    if (!moved)
      return;
  }
  g_assert_not_reached ();
}

static void
start_client (Pair *pair)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (hz_dtls_srtp_start (pair->client.dtls, &error), ==, HZ_DTLS_SRTP_HANDSHAKING);
  g_assert_no_error (error);
}

static Pair *
connected_pair_new (void)
{
  Pair *pair = pair_new (NULL, NULL);

  start_client (pair);
  pump (pair);
  g_assert_no_error (pair->client.error);
  g_assert_no_error (pair->server.error);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->client.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->server.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
  return pair;
}

/* Waits until SIDE's retransmission timer is due, then runs it. */
static void
wait_and_handle_timeout (Side *side)
{
  g_autoptr (GError) error = NULL;
  gint64 timeout = hz_dtls_srtp_get_timeout (side->dtls);

  g_assert_cmpint (timeout, >=, 0);
  g_assert_cmpint (timeout, <=, 60 * 1000);
  g_usleep ((timeout + 20) * 1000);
  g_assert_cmpint (hz_dtls_srtp_handle_timeout (side->dtls, &error), ==, HZ_DTLS_SRTP_HANDSHAKING);
  g_assert_no_error (error);
}

static void
test_dtls_fingerprint_format (void)
{
  g_autoptr (HzDtlsIdentity) identity = identity_new ();
  g_autoptr (HzDtlsIdentity) other = identity_new ();
  const char *fingerprint = hz_dtls_identity_get_fingerprint (identity);

  g_assert_cmpuint (strlen (fingerprint), ==, 32 * 3 - 1);
  for (gsize i = 0; fingerprint[i] != '\0'; i++) {
    if (i % 3 == 2) {
      g_assert_cmpint (fingerprint[i], ==, ':');
    } else {
      g_assert_true (g_ascii_isxdigit (fingerprint[i]));
      g_assert_false (g_ascii_islower (fingerprint[i]));
    }
  }
  g_assert_cmpstr (fingerprint, !=, hz_dtls_identity_get_fingerprint (other));
}

static void
test_dtls_handshake (void)
{
  g_autoptr (Pair) pair = pair_new (NULL, NULL);
  g_autoptr (GError) error = NULL;

  /* A server waits for the ClientHello. */
  g_assert_cmpint (hz_dtls_srtp_start (pair->server.dtls, &error), ==, HZ_DTLS_SRTP_HANDSHAKING);
  g_assert_no_error (error);
  g_assert_cmpuint (pair->server.sent, ==, 0);
  g_assert_cmpint (hz_dtls_srtp_get_timeout (pair->server.dtls), ==, -1);

  start_client (pair);
  g_assert_cmpuint (pair->client.sent, ==, 1);
  g_assert_cmpint (hz_dtls_srtp_get_timeout (pair->client.dtls), >, 0);

  pump (pair);
  g_assert_no_error (pair->client.error);
  g_assert_no_error (pair->server.error);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->client.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->server.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_cmpint (hz_dtls_srtp_get_timeout (pair->client.dtls), ==, -1);
  g_assert_cmpint (hz_dtls_srtp_get_timeout (pair->server.dtls), ==, -1);
  g_assert_cmpint (hz_dtls_srtp_start (pair->client.dtls, &error), ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_no_error (error);
}

/* Protects a copy of PACKET on FROM and unprotects it on TO, at an offset
 * of OFFSET bytes from 4-byte alignment. */
static void
check_rtcp_round_trip (HzDtlsSrtp *from, HzDtlsSrtp *to, gsize offset)
{
  guint32 storage[32];
  guint8 *buffer = (guint8 *) storage + offset;
  guint8 protected[sizeof sender_report + HZ_SRTP_MAX_TRAILER];
  gsize length = sizeof sender_report;
  gsize protected_length;

  memcpy (buffer, sender_report, length);
  g_assert_true (hz_dtls_srtp_protect_rtcp (from, buffer, &length));
  g_assert_cmpuint (length, ==, sizeof sender_report + SRTCP_INDEX + SHA1_80_TAG);
  /* SRTCP encrypts all but the first 8 bytes. */
  g_assert_cmpmem (buffer, 8, sender_report, 8);
  g_assert_true (memcmp (buffer + 8, sender_report + 8, sizeof sender_report - 8) != 0);
  memcpy (protected, buffer, length);
  protected_length = length;

  g_assert_true (hz_dtls_srtp_unprotect_rtcp (to, buffer, &length));
  g_assert_cmpmem (buffer, length, sender_report, sizeof sender_report);

  /* A replayed packet is rejected. */
  memcpy (buffer, protected, protected_length);
  length = protected_length;
  g_assert_false (hz_dtls_srtp_unprotect_rtcp (to, buffer, &length));
}

static void
test_dtls_srtcp_round_trip (void)
{
  g_autoptr (Pair) pair = connected_pair_new ();

  check_rtcp_round_trip (pair->server.dtls, pair->client.dtls, 0);
  check_rtcp_round_trip (pair->client.dtls, pair->server.dtls, 0);
  check_rtcp_round_trip (pair->server.dtls, pair->client.dtls, 1);
  check_rtcp_round_trip (pair->client.dtls, pair->server.dtls, 3);
}

static void
test_dtls_srtcp_tampered (void)
{
  g_autoptr (Pair) pair = connected_pair_new ();
  guint32 storage[32];
  guint8 *buffer = (guint8 *) storage;
  gsize length = sizeof sender_report;

  memcpy (buffer, sender_report, length);
  g_assert_true (hz_dtls_srtp_protect_rtcp (pair->server.dtls, buffer, &length));
  buffer[10] ^= 0x01;
  g_assert_false (hz_dtls_srtp_unprotect_rtcp (pair->client.dtls, buffer, &length));

  /* Keys of one direction do not unprotect the other. */
  memcpy (buffer, sender_report, sizeof sender_report);
  length = sizeof sender_report;
  g_assert_true (hz_dtls_srtp_protect_rtcp (pair->server.dtls, buffer, &length));
  g_assert_false (hz_dtls_srtp_unprotect_rtcp (pair->server.dtls, buffer, &length));
}

static void
test_dtls_srtp_protect (void)
{
  g_autoptr (Pair) pair = connected_pair_new ();
  guint32 storage[32], resent_storage[32];
  guint8 *buffer = (guint8 *) storage;
  guint8 *resent = (guint8 *) resent_storage;
  gsize length = sizeof rtp_packet;
  gsize resent_length = sizeof rtp_packet;

  memcpy (buffer, rtp_packet, length);
  g_assert_true (hz_dtls_srtp_protect_rtp (pair->server.dtls, buffer, &length));
  g_assert_cmpuint (length, ==, sizeof rtp_packet + SHA1_80_TAG);
  g_assert_cmpmem (buffer, 12, rtp_packet, 12);
  g_assert_true (memcmp (buffer + 12, rtp_packet + 12, sizeof rtp_packet - 12) != 0);

  /* The relay may resend a packet: it is protected again, the same way. */
  memcpy (resent, rtp_packet, resent_length);
  g_assert_true (hz_dtls_srtp_protect_rtp (pair->server.dtls, resent, &resent_length));
  g_assert_cmpmem (resent, resent_length, buffer, length);

  g_assert_true (hz_dtls_srtp_unprotect_rtp (pair->client.dtls, buffer, &length));
  g_assert_cmpmem (buffer, length, rtp_packet, sizeof rtp_packet);
  g_assert_false (hz_dtls_srtp_unprotect_rtp (pair->client.dtls, resent, &resent_length));
}

static void
test_dtls_protect_before_connected (void)
{
  g_autoptr (Pair) pair = pair_new (NULL, NULL);
  guint32 storage[32];
  guint8 *buffer = (guint8 *) storage;
  gsize length;

  for (guint round = 0; round < 2; round++) {
    memcpy (buffer, rtp_packet, sizeof rtp_packet);
    length = sizeof rtp_packet;
    g_assert_false (hz_dtls_srtp_protect_rtp (pair->client.dtls, buffer, &length));
    g_assert_cmpmem (buffer, length, rtp_packet, sizeof rtp_packet);

    memcpy (buffer, sender_report, sizeof sender_report);
    length = sizeof sender_report;
    g_assert_false (hz_dtls_srtp_protect_rtcp (pair->server.dtls, buffer, &length));
    g_assert_cmpmem (buffer, length, sender_report, sizeof sender_report);
    g_assert_false (hz_dtls_srtp_unprotect_rtcp (pair->client.dtls, buffer, &length));
    g_assert_cmpuint (length, ==, sizeof sender_report);

    /* The second round runs while the handshake is under way. */
    if (round == 0) {
      start_client (pair);
      g_assert_true (deliver_one (&pair->client, &pair->server));
    }
  }
}

static void
check_wrong_fingerprint (gboolean client_is_wrong)
{
  g_autoptr (HzDtlsIdentity) stranger = identity_new ();
  g_autofree char *wrong = sdp_fingerprint (stranger);
  g_autoptr (Pair) pair = pair_new (client_is_wrong ? wrong : NULL, client_is_wrong ? NULL : wrong);
  Side *failed = client_is_wrong ? &pair->client : &pair->server;
  g_autoptr (GError) error = NULL;
  guint32 storage[32];
  gsize length = sizeof rtp_packet;
  g_autoptr (GBytes) first = NULL;
  const guint8 *client_hello;
  gsize client_hello_length = 0;
  guint sent;

  start_client (pair);
  first = g_bytes_ref (g_queue_peek_head (&pair->client.outgoing));
  client_hello = g_bytes_get_data (first, &client_hello_length);
  pump (pair);
  g_assert_cmpint (hz_dtls_srtp_get_state (failed->dtls), ==, HZ_DTLS_SRTP_FAILED);
  g_assert_error (failed->error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_HANDSHAKE);
  g_assert_nonnull (strstr (failed->error->message, "matches none"));

  /* The error is set once, and later datagrams are dropped: a client's
   * resent flight (the first datagram it sent, kept) and an SRTCP-like
   * packet. */
  sent = failed->sent;
  g_assert_cmpint (hz_dtls_srtp_receive (failed->dtls, client_hello, client_hello_length, &error),
                   ==, HZ_DTLS_SRTP_FAILED);
  g_assert_no_error (error);
  g_assert_cmpint (hz_dtls_srtp_receive (failed->dtls, sender_report, sizeof sender_report, &error),
                   ==, HZ_DTLS_SRTP_FAILED);
  g_assert_cmpint (hz_dtls_srtp_handle_timeout (failed->dtls, &error), ==, HZ_DTLS_SRTP_FAILED);
  g_assert_no_error (error);
  g_assert_cmpuint (failed->sent, ==, sent);
  memcpy (storage, rtp_packet, length);
  g_assert_false (hz_dtls_srtp_protect_rtp (failed->dtls, (guint8 *) storage, &length));
}

static void
test_dtls_wrong_fingerprint (void)
{
  check_wrong_fingerprint (FALSE);
  check_wrong_fingerprint (TRUE);
}

/* A server that accepts two fingerprints, a stranger's first, connects
 * with the client whose certificate matches the second. */
static void
test_dtls_second_fingerprint (void)
{
  g_autoptr (HzDtlsIdentity) stranger = identity_new ();
  g_autofree char *wrong = sdp_fingerprint (stranger);
  g_autoptr (Pair) pair = pair_new (NULL, wrong);
  g_autofree char *right = sdp_fingerprint (pair->client_identity);
  g_autoptr (GError) error = NULL;

  g_assert_true (hz_dtls_srtp_add_fingerprint (pair->server.dtls, right, &error));
  g_assert_no_error (error);
  g_assert_false (hz_dtls_srtp_add_fingerprint (pair->server.dtls, "sha-256 zz", &error));
  g_assert_error (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_FINGERPRINT);
  start_client (pair);
  pump (pair);
  g_assert_no_error (pair->server.error);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->server.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->client.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
}

/* N hex pairs "AB" separated by colons. */
static char *
hex_pairs (guint count)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append (text, i == 0 ? "AB" : ":AB");
  return g_string_free (text, FALSE);
}

static void
test_dtls_malformed_fingerprint (void)
{
  g_autoptr (HzDtlsIdentity) identity = identity_new ();
  g_autofree char *pairs_16 = hex_pairs (16);
  g_autofree char *pairs_20 = hex_pairs (20);
  g_autofree char *pairs_31 = hex_pairs (31);
  g_autofree char *pairs_32 = hex_pairs (32);
  g_autofree char *pairs_48 = hex_pairs (48);
  g_autofree char *pairs_64 = hex_pairs (64);
  g_autofree char *lower_32 = g_ascii_strdown (pairs_32, -1);
  g_autoptr (GPtrArray) invalid = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) valid = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (invalid, g_strdup ("sha-256 zz"));
  g_ptr_array_add (invalid, g_strconcat ("md5 ", pairs_16, NULL));
  g_ptr_array_add (invalid, g_strdup (""));
  g_ptr_array_add (invalid, g_strdup ("sha-256"));
  g_ptr_array_add (invalid, g_strdup ("sha-256 "));
  g_ptr_array_add (invalid, g_strconcat ("sha-256 ", pairs_31, NULL));
  g_ptr_array_add (invalid, g_strconcat ("sha-256 ", pairs_32, ":AB", NULL));
  g_ptr_array_add (invalid, g_strconcat ("sha-256 ", pairs_32, ":", NULL));
  g_ptr_array_add (invalid, g_strconcat ("sha-256 :", pairs_32, NULL));
  g_ptr_array_add (invalid, g_strconcat ("sha-256  ", pairs_32, NULL));
  g_ptr_array_add (invalid, g_strconcat ("sha-256 ", pairs_64, NULL));
  g_ptr_array_add (invalid, g_strconcat ("sha-512 ", pairs_32, NULL));
  g_ptr_array_add (invalid, g_strconcat ("sha256 ", pairs_32, NULL));
  g_ptr_array_add (invalid, g_strconcat (pairs_32, NULL));
  g_ptr_array_add (invalid, g_strdup ("sha-256 ABCDEF0123456789ABCDEF0123456789"
                                      "ABCDEF0123456789ABCDEF0123456789"));
  g_ptr_array_add (invalid, g_strdup ("sha-256 A:BC"));
  g_ptr_array_add (invalid, g_strdup ("sha-1 GG:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"));

  g_ptr_array_add (valid, g_strconcat ("sha-256 ", pairs_32, NULL));
  g_ptr_array_add (valid, g_strconcat ("SHA-256 ", lower_32, NULL));
  g_ptr_array_add (valid, g_strconcat ("sha-1 ", pairs_20, NULL));
  g_ptr_array_add (valid, g_strdup ("sha-224 00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:"
                                    "ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb"));
  g_ptr_array_add (valid, g_strconcat ("sha-384 ", pairs_48, NULL));
  g_ptr_array_add (valid, g_strconcat ("sha-512 ", pairs_64, "\r\n", NULL));

  for (guint i = 0; i < invalid->len; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (HzDtlsSrtp) dtls = NULL;

    g_test_message ("invalid case %u: '%s'", i, (char *) invalid->pdata[i]);
    dtls = hz_dtls_srtp_new (identity, FALSE, invalid->pdata[i], queue_datagram, NULL, &error);
    g_assert_null (dtls);
    g_assert_error (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_FINGERPRINT);
  }
  for (guint i = 0; i < valid->len; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (HzDtlsSrtp) dtls = NULL;

    g_test_message ("valid case %u: '%s'", i, (char *) valid->pdata[i]);
    dtls = hz_dtls_srtp_new (identity, TRUE, valid->pdata[i], queue_datagram, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (dtls);
  }
}

static void
test_dtls_lost_client_hello (void)
{
  g_autoptr (Pair) pair = pair_new (NULL, NULL);
  g_autoptr (GError) error = NULL;

  pair->client.dropping = TRUE;
  start_client (pair);
  pair->client.dropping = FALSE;
  g_assert_cmpuint (pair->client.dropped, ==, 1);

  /* Before the timer is due, nothing is resent. */
  g_assert_cmpint (hz_dtls_srtp_handle_timeout (pair->client.dtls, &error), ==,
                   HZ_DTLS_SRTP_HANDSHAKING);
  g_assert_no_error (error);
  g_assert_cmpuint (pair->client.sent, ==, 1);
  pump (pair);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->server.dtls), ==, HZ_DTLS_SRTP_HANDSHAKING);

  wait_and_handle_timeout (&pair->client);
  g_assert_cmpuint (pair->client.sent, ==, 2);
  pump (pair);
  g_assert_no_error (pair->client.error);
  g_assert_no_error (pair->server.error);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->client.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->server.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
}

/* The server's last flight is lost after the server is connected: the
 * client resends its own flight, and the connected server resends its
 * last one. */
static void
test_dtls_lost_final_flight (void)
{
  g_autoptr (Pair) pair = pair_new (NULL, NULL);

  start_client (pair);
  /* The server sends its last flight from the call that connects it. */
  while (hz_dtls_srtp_get_state (pair->server.dtls) != HZ_DTLS_SRTP_CONNECTED) {
    if (!deliver_one (&pair->server, &pair->client))
      g_assert_true (deliver_one (&pair->client, &pair->server));
  }
  g_assert_false (g_queue_is_empty (&pair->server.outgoing));
  g_queue_clear_full (&pair->server.outgoing, (GDestroyNotify) g_bytes_unref);
  pump (pair);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->client.dtls), ==, HZ_DTLS_SRTP_HANDSHAKING);

  wait_and_handle_timeout (&pair->client);
  pump (pair);
  g_assert_no_error (pair->client.error);
  g_assert_no_error (pair->server.error);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->client.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->server.dtls), ==, HZ_DTLS_SRTP_CONNECTED);
  check_rtcp_round_trip (pair->client.dtls, pair->server.dtls, 0);
}

/* Datagrams that must be dropped in every state. Each is a GBytes. */
static GPtrArray *
garbage_datagrams (void)
{
  GPtrArray *datagrams = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  /* DTLS 1.2 headers: a handshake record with an unknown version, and an
   * application data record of epoch 1 whose content fails
   * authentication. */
  static const guint8 wrong_version[] = {
    22, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0,
  };
  static const guint8 forged_application_data[] = {
    23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 9, 0, 32,
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
  };
  guint8 *large = g_malloc (100000);

  for (gsize i = 0; i < 100000; i++)
    large[i] = (guint8) (i * 7 + 3);
  large[0] = 22;
  large[1] = 0x01;

  g_ptr_array_add (datagrams, g_bytes_new (NULL, 0));
  g_ptr_array_add (datagrams, g_bytes_new ((guint8[]) { 22 }, 1));
  g_ptr_array_add (datagrams, g_bytes_new (wrong_version, 12));
  g_ptr_array_add (datagrams, g_bytes_new (wrong_version, sizeof wrong_version));
  g_ptr_array_add (datagrams, g_bytes_new (forged_application_data, sizeof forged_application_data));
  g_ptr_array_add (datagrams, g_bytes_new (rtp_packet, sizeof rtp_packet));
  g_ptr_array_add (datagrams, g_bytes_new (sender_report, sizeof sender_report));
  g_ptr_array_add (datagrams, g_bytes_new (large, 60000));
  g_ptr_array_add (datagrams, g_bytes_new_take (large, 100000));
  return datagrams;
}

static void
receive_garbage (Side *side, HzDtlsSrtpState expected)
{
  g_autoptr (GPtrArray) datagrams = garbage_datagrams ();
  guint sent = side->sent;

  for (guint i = 0; i < datagrams->len; i++) {
    g_autoptr (GError) error = NULL;
    gsize length = 0;
    const guint8 *data = g_bytes_get_data (datagrams->pdata[i], &length);

    g_test_message ("garbage datagram %u, %" G_GSIZE_FORMAT " bytes", i, length);
    g_assert_cmpint (hz_dtls_srtp_receive (side->dtls, data, length, &error), ==, expected);
    g_assert_no_error (error);
    g_assert_cmpint (hz_dtls_srtp_get_state (side->dtls), ==, expected);
  }
  g_assert_cmpuint (side->sent, ==, sent);
}

static void
unprotect_garbage (HzDtlsSrtp *dtls)
{
  g_autoptr (GPtrArray) datagrams = garbage_datagrams ();
  g_autofree guint8 *buffer = g_malloc (100000);

  for (guint i = 0; i < datagrams->len; i++) {
    gsize length = 0;
    const guint8 *data = g_bytes_get_data (datagrams->pdata[i], &length);

    /* The empty datagram has no data pointer. */
    if (length == 0)
      continue;
    for (gsize prefix = 0; prefix <= MIN (length, 40); prefix++) {
      gsize unprotected = prefix;

      memcpy (buffer, data, prefix);
      g_assert_false (hz_dtls_srtp_unprotect_rtcp (dtls, buffer, &unprotected));
      g_assert_cmpuint (unprotected, ==, prefix);
    }
    memcpy (buffer, data, length);
    g_assert_false (hz_dtls_srtp_unprotect_rtcp (dtls, buffer, &length));
  }
}

static void
test_dtls_garbage (void)
{
  g_autoptr (Pair) pair = pair_new (NULL, NULL);

  receive_garbage (&pair->server, HZ_DTLS_SRTP_HANDSHAKING);
  receive_garbage (&pair->client, HZ_DTLS_SRTP_HANDSHAKING);
  unprotect_garbage (pair->server.dtls);

  /* A client waiting for the ServerHello drops garbage too. */
  start_client (pair);
  receive_garbage (&pair->client, HZ_DTLS_SRTP_HANDSHAKING);
  pump (pair);
  g_assert_no_error (pair->client.error);
  g_assert_no_error (pair->server.error);
  g_assert_cmpint (hz_dtls_srtp_get_state (pair->server.dtls), ==, HZ_DTLS_SRTP_CONNECTED);

  receive_garbage (&pair->server, HZ_DTLS_SRTP_CONNECTED);
  receive_garbage (&pair->client, HZ_DTLS_SRTP_CONNECTED);
  unprotect_garbage (pair->server.dtls);
  unprotect_garbage (pair->client.dtls);
  check_rtcp_round_trip (pair->client.dtls, pair->server.dtls, 0);
}

typedef struct {
  HzDtlsSrtp *dtls;
  guint32 ssrc;
  guint8 packets[50][sizeof rtp_packet + HZ_SRTP_MAX_TRAILER];
  gsize lengths[50];
} ProtectJob;

static gpointer
protect_packets (gpointer data)
{
  ProtectJob *job = data;

  for (guint i = 0; i < G_N_ELEMENTS (job->packets); i++) {
    guint8 *packet = job->packets[i];

    memcpy (packet, rtp_packet, sizeof rtp_packet);
    packet[2] = (guint8) (i >> 8);
    packet[3] = (guint8) i;
    packet[8] = (guint8) (job->ssrc >> 24);
    packet[9] = (guint8) (job->ssrc >> 16);
    packet[10] = (guint8) (job->ssrc >> 8);
    packet[11] = (guint8) job->ssrc;
    job->lengths[i] = sizeof rtp_packet;
    if (!hz_dtls_srtp_protect_rtp (job->dtls, packet, &job->lengths[i]))
      return GINT_TO_POINTER (FALSE);
  }
  return GINT_TO_POINTER (TRUE);
}

/* Several threads protect packets of their own SSRC at once; the peer
 * unprotects every one. */
static void
test_dtls_protect_threads (void)
{
  g_autoptr (Pair) pair = connected_pair_new ();
  ProtectJob *jobs = g_new0 (ProtectJob, 4);
  GThread *threads[4];

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++) {
    jobs[t].dtls = pair->server.dtls;
    jobs[t].ssrc = 0x1000 + t;
    threads[t] = g_thread_new ("protect", protect_packets, &jobs[t]);
  }
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[t])));

  for (guint t = 0; t < G_N_ELEMENTS (threads); t++) {
    for (guint i = 0; i < G_N_ELEMENTS (jobs[t].packets); i++) {
      g_assert_true (hz_dtls_srtp_unprotect_rtp (pair->client.dtls, jobs[t].packets[i],
                                                 &jobs[t].lengths[i]));
      g_assert_cmpuint (jobs[t].lengths[i], ==, sizeof rtp_packet);
    }
  }
  g_free (jobs);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dtls-srtp/fingerprint-format", test_dtls_fingerprint_format);
  g_test_add_func ("/dtls-srtp/handshake", test_dtls_handshake);
  g_test_add_func ("/dtls-srtp/srtcp-round-trip", test_dtls_srtcp_round_trip);
  g_test_add_func ("/dtls-srtp/srtcp-tampered", test_dtls_srtcp_tampered);
  g_test_add_func ("/dtls-srtp/srtp-protect", test_dtls_srtp_protect);
  g_test_add_func ("/dtls-srtp/protect-before-connected", test_dtls_protect_before_connected);
  g_test_add_func ("/dtls-srtp/wrong-fingerprint", test_dtls_wrong_fingerprint);
  g_test_add_func ("/dtls-srtp/second-fingerprint", test_dtls_second_fingerprint);
  g_test_add_func ("/dtls-srtp/malformed-fingerprint", test_dtls_malformed_fingerprint);
  g_test_add_func ("/dtls-srtp/lost-client-hello", test_dtls_lost_client_hello);
  g_test_add_func ("/dtls-srtp/lost-final-flight", test_dtls_lost_final_flight);
  g_test_add_func ("/dtls-srtp/garbage", test_dtls_garbage);
  g_test_add_func ("/dtls-srtp/protect-threads", test_dtls_protect_threads);
  return g_test_run ();
}
