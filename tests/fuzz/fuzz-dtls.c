/* Fuzz target: datagrams that reach a relay's DTLS-SRTP connection from
 * a subscriber's ICE connection (relay/dtls-srtp.h).
 *
 * Input: chunks, each a 2-byte big-endian length and that many bytes. The
 * last chunk may be shorter than its length prefix. Each chunk is a datagram
 * for two server-side connections: a new one per input, still in its
 * handshake, and one connected once at start to an in-process client. A
 * copy of each chunk also goes to the unprotect functions of both.
 *
 * The connected server keeps its state from one input to the next. Input
 * without the client's keys reaches only its record layer, whose replay
 * and epoch checks drop it, and the target asserts that the server stays
 * connected. */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "dtls-srtp.h"

#define MAX_DATAGRAM 1200

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  HzDtlsIdentity *identity;
  HzDtlsSrtp *connected;        /* server side */
  HzDtlsSrtp *client;
} Fixture;

static void
discard_datagram (const guint8 *data, gsize length, gpointer user_data)
{
  g_assert_cmpuint (length, >, 0);
  g_assert_cmpuint (length, <=, MAX_DATAGRAM);
}

static void
queue_datagram (const guint8 *data, gsize length, gpointer user_data)
{
  discard_datagram (data, length, NULL);
  g_queue_push_tail (user_data, g_bytes_new (data, length));
}

/* Hands every datagram in QUEUE to TO. FALSE when QUEUE was empty. */
static gboolean
deliver (GQueue *queue, HzDtlsSrtp *to)
{
  gboolean delivered = FALSE;
  GBytes *datagram;

  while ((datagram = g_queue_pop_head (queue)) != NULL) {
    gsize length = 0;
    const guint8 *bytes = g_bytes_get_data (datagram, &length);

    g_assert_cmpint (hz_dtls_srtp_receive (to, bytes, length, NULL), !=, HZ_DTLS_SRTP_FAILED);
    g_bytes_unref (datagram);
    delivered = TRUE;
  }
  return delivered;
}

/* Connects a client and a server of one identity, in memory. */
static gpointer
make_fixture (gpointer data)
{
  Fixture *fixture = g_new0 (Fixture, 1);
  g_autofree char *fingerprint = NULL;
  GQueue to_server = G_QUEUE_INIT, to_client = G_QUEUE_INIT;

  fixture->identity = hz_dtls_identity_new (NULL);
  g_assert_nonnull (fixture->identity);
  fingerprint = g_strconcat ("sha-256 ", hz_dtls_identity_get_fingerprint (fixture->identity), NULL);
  fixture->client = hz_dtls_srtp_new (fixture->identity, TRUE, fingerprint, queue_datagram,
                                      &to_server, NULL);
  fixture->connected = hz_dtls_srtp_new (fixture->identity, FALSE, fingerprint, queue_datagram,
                                         &to_client, NULL);
  g_assert_nonnull (fixture->client);
  g_assert_nonnull (fixture->connected);

  hz_dtls_srtp_start (fixture->client, NULL);
  for (guint i = 0; i < 20; i++) {
    gboolean delivered = deliver (&to_server, fixture->connected);

    if (!deliver (&to_client, fixture->client) && !delivered)
      break;
  }
  g_assert_cmpint (hz_dtls_srtp_get_state (fixture->client), ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_cmpint (hz_dtls_srtp_get_state (fixture->connected), ==, HZ_DTLS_SRTP_CONNECTED);
  return fixture;
}

/* Without the peer's keys, no packet authenticates, and a rejected packet
 * keeps its length. */
static void
check_unprotect (HzDtlsSrtp *dtls, const guint8 *chunk, gsize length)
{
  /* At least one byte: the functions take no NULL buffer. */
  g_autofree guint8 *copy = g_malloc (MAX (length, 1));
  gsize copy_length = length;

  memcpy (copy, chunk, length);
  g_assert_false (hz_dtls_srtp_unprotect_rtcp (dtls, copy, &copy_length));
  g_assert_cmpuint (copy_length, ==, length);
  memcpy (copy, chunk, length);
  g_assert_false (hz_dtls_srtp_unprotect_rtp (dtls, copy, &copy_length));
  g_assert_cmpuint (copy_length, ==, length);
}

static void
receive_chunk (HzDtlsSrtp *handshaking, Fixture *fixture, const guint8 *chunk, gsize length,
               gboolean *failed)
{
  /* A copy of exactly LENGTH bytes, so ASan reports any read past it. */
  g_autofree guint8 *datagram = g_memdup2 (chunk, length);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) connected_error = NULL;
  HzDtlsSrtpState state;

  /* The handshake cannot end without the client's keys. Only the call
   * that fails it sets an error. */
  state = hz_dtls_srtp_receive (handshaking, datagram, length, &error);
  g_assert_cmpint (state, !=, HZ_DTLS_SRTP_CONNECTED);
  if (state == HZ_DTLS_SRTP_FAILED && !*failed) {
    g_assert_error (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_HANDSHAKE);
    *failed = TRUE;
  } else {
    g_assert_no_error (error);
  }
  g_assert_cmpint (state, ==, hz_dtls_srtp_get_state (handshaking));

  g_assert_cmpint (hz_dtls_srtp_receive (fixture->connected, datagram, length, &connected_error),
                   ==, HZ_DTLS_SRTP_CONNECTED);
  g_assert_no_error (connected_error);

  check_unprotect (handshaking, chunk, length);
  check_unprotect (fixture->connected, chunk, length);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static GOnce once = G_ONCE_INIT;
  Fixture *fixture = g_once (&once, make_fixture, NULL);
  g_autofree char *fingerprint = g_strconcat ("sha-256 ",
                                              hz_dtls_identity_get_fingerprint (fixture->identity),
                                              NULL);
  g_autoptr (HzDtlsSrtp) handshaking = NULL;
  gboolean failed = FALSE;
  gsize offset = 0;

  handshaking = hz_dtls_srtp_new (fixture->identity, FALSE, fingerprint, discard_datagram, NULL,
                                  NULL);
  g_assert_nonnull (handshaking);

  while (offset + 2 <= size) {
    gsize length = (gsize) data[offset] << 8 | data[offset + 1];

    offset += 2;
    length = MIN (length, size - offset);
    receive_chunk (handshaking, fixture, data + offset, length, &failed);
    offset += length;
  }
  return 0;
}
