/* DTLS-SRTP over memory BIOs; see dtls-srtp.h.
 *
 *   hz_dtls_srtp_receive()  --> incoming BIO --> SSL --> outgoing BIO
 *                                                 |           |
 *             keys exported after the handshake   v           v
 *            outbound and inbound libsrtp2 sessions      HzDtlsSendFunc
 *
 * A memory BIO keeps no datagram boundaries. Each received datagram is
 * written to the empty incoming BIO and read before the next one, and the
 * records that OpenSSL writes are split again by the length in their
 * headers before they are sent (send_pending).
 */
#include "dtls-srtp.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <srtp2/srtp.h>
#include <string.h>
#include <sys/time.h>

G_DEFINE_QUARK (hz-dtls-srtp-error-quark, hz_dtls_srtp_error)

/* The largest datagram sent. OpenSSL fragments handshake messages so that
 * each record fits (SSL_set_mtu). With IPv6, UDP and TURN ChannelData
 * headers (40 + 8 + 4 bytes), a datagram fits the IPv6 minimum MTU of
 * 1280 bytes. */
#define DATAGRAM_MTU 1200

/* RFC 6347, section 4.1: type, version, epoch, sequence number, length. */
#define DTLS_RECORD_HEADER_SIZE 13
#define DTLS_RECORD_LENGTH_OFFSET 11

/* The largest UDP payload; longer input cannot be one datagram. */
#define MAX_DATAGRAM_SIZE 65535

#define SRTP_PROFILE_NAME "SRTP_AES128_CM_SHA1_80"
#define SRTP_EXPORTER_LABEL "EXTRACTOR-dtls_srtp"
#define SRTP_KEY_SIZE 16
#define SRTP_SALT_SIZE 14
/* libsrtp2 checks replays within this many packets. The relay resends a
 * packet with the same sequence number when a receiver requests it (RTCP
 * NACK), which allow_repeat_tx permits on the outbound session. */
#define SRTP_REPLAY_WINDOW 1024

#define RTP_HEADER_SIZE 12
#define RTCP_HEADER_SIZE 8

#define CERTIFICATE_NAME "huizhen-relay"
#define CERTIFICATE_DAYS 3650
#define SECONDS_PER_DAY (24 * 60 * 60)

/* With SRTP_AES128_CM_SHA1_80, protecting adds a 10-byte tag to RTP and a
 * 4-byte index and the tag to RTCP, and no MKI. */
G_STATIC_ASSERT (HZ_SRTP_MAX_TRAILER >= 4 + 10);

struct _HzDtlsIdentity {
  EVP_PKEY *key;
  X509 *certificate;
  SSL_CTX *context;
  char *fingerprint;
};

/* An answer names one fingerprint per certificate it may use, and rarely
 * more than two. */
#define MAX_REMOTE_FINGERPRINTS 8

typedef struct {
  const EVP_MD *digest;
  const char *hash_name;
  guint8 value[EVP_MAX_MD_SIZE];
  guint length;
} RemoteFingerprint;

struct _HzDtlsSrtp {
  SSL *ssl;
  BIO *incoming;                /* owned by ssl */
  BIO *outgoing;                /* owned by ssl */
  gboolean is_client;
  gboolean started;             /* hz_dtls_srtp_start() was called */
  HzDtlsSendFunc send;
  gpointer user_data;

  /* The peer's SDP fingerprints; its certificate must match one. */
  RemoteFingerprint remote[MAX_REMOTE_FINGERPRINTS];
  guint n_remote;

  gint state;                   /* HzDtlsSrtpState; g_atomic_int_get() */
  gboolean logged_close;
  gboolean logged_read_error;

  GMutex protect_lock;
  srtp_t outbound;              /* under protect_lock; NULL until CONNECTED */
  srtp_t inbound;               /* ICE thread only; NULL until CONNECTED */
};

/* Initializes OpenSSL and libsrtp2 once per process. Returns NULL, or a
 * message when one of them failed. */
static gpointer
init_libraries (gpointer data)
{
  /* GStreamer's DTLS elements in the same process use OpenSSL from
   * threads that may outlive main(), so OpenSSL must not free its state
   * in an exit handler. */
  if (!OPENSSL_init_ssl (OPENSSL_INIT_NO_ATEXIT, NULL))
    return "OpenSSL initialization failed";
  if (srtp_init () != srtp_err_status_ok)
    return "libsrtp2 initialization failed";
  return NULL;
}

static gboolean
ensure_libraries (GError **error)
{
  static GOnce once = G_ONCE_INIT;
  const char *failure = g_once (&once, init_libraries, NULL);

  if (failure != NULL) {
    g_set_error_literal (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_IDENTITY, failure);
    return FALSE;
  }
  return TRUE;
}

/* Sets ERROR to MESSAGE and the oldest error in OpenSSL's queue of this
 * thread, and empties the queue. */
static void
set_openssl_error (GError **error, HzDtlsSrtpError code, const char *message)
{
  unsigned long reason = ERR_get_error ();
  char text[256];

  if (reason == 0) {
    g_set_error_literal (error, HZ_DTLS_SRTP_ERROR, code, message);
  } else {
    ERR_error_string_n (reason, text, sizeof text);
    g_set_error (error, HZ_DTLS_SRTP_ERROR, code, "%s: %s", message, text);
  }
  ERR_clear_error ();
}

/* Identity */

static X509 *
make_certificate (EVP_PKEY *key)
{
  X509 *certificate = X509_new ();
  BIGNUM *serial = BN_new ();
  X509_NAME *name = NULL;
  gboolean succeeded;

  /* A random 64-bit serial number whose top bit is set, so never zero. */
  succeeded = certificate != NULL && serial != NULL
         && X509_set_version (certificate, X509_VERSION_3)
         && BN_rand (serial, 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY)
         && BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (certificate)) != NULL
         && X509_gmtime_adj (X509_getm_notBefore (certificate), -SECONDS_PER_DAY) != NULL
         && X509_gmtime_adj (X509_getm_notAfter (certificate),
                             (long) (CERTIFICATE_DAYS - 1) * SECONDS_PER_DAY) != NULL;
  if (succeeded) {
    name = X509_get_subject_name (certificate);
    succeeded = X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC,
                                       (const unsigned char *) CERTIFICATE_NAME, -1, -1, 0)
           && X509_set_issuer_name (certificate, name)
           && X509_set_pubkey (certificate, key)
           && X509_sign (certificate, key, EVP_sha256 ()) > 0;
  }

  BN_free (serial);
  if (!succeeded) {
    X509_free (certificate);
    return NULL;
  }
  return certificate;
}

static char *
format_fingerprint (const guint8 *digest, guint length)
{
  GString *text = g_string_sized_new (length * 3);

  for (guint i = 0; i < length; i++)
    g_string_append_printf (text, i == 0 ? "%02X" : ":%02X", digest[i]);
  return g_string_free (text, FALSE);
}

/* Self-signed certificates are the rule in WebRTC, so no chain is checked
 * here. The peer's certificate is compared with its SDP fingerprint once
 * the handshake ends (check_peer_certificate()). */
static int
accept_any_certificate (int preverified, X509_STORE_CTX *store)
{
  return 1;
}

static SSL_CTX *
make_context (HzDtlsIdentity *identity)
{
  SSL_CTX *context = SSL_CTX_new (DTLS_method ());

  /* SSL_CTX_set_tlsext_use_srtp() returns 0 on success. */
  if (context == NULL
      || !SSL_CTX_set_min_proto_version (context, DTLS1_2_VERSION)
      || !SSL_CTX_use_certificate (context, identity->certificate)
      || !SSL_CTX_use_PrivateKey (context, identity->key)
      || !SSL_CTX_check_private_key (context)
      || SSL_CTX_set_tlsext_use_srtp (context, SRTP_PROFILE_NAME) != 0) {
    SSL_CTX_free (context);
    return NULL;
  }

  SSL_CTX_set_verify (context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                      accept_any_certificate);
  /* Each connection sets its own MTU, and has one full handshake: no
   * session to resume and no renegotiation. */
  SSL_CTX_set_options (context, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode (context, SSL_SESS_CACHE_OFF);
  return context;
}

HzDtlsIdentity *
hz_dtls_identity_new (GError **error)
{
  g_autoptr (HzDtlsIdentity) identity = NULL;
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ensure_libraries (error))
    return NULL;

  ERR_clear_error ();
  identity = g_new0 (HzDtlsIdentity, 1);
  identity->key = EVP_EC_gen ("P-256");
  if (identity->key == NULL) {
    set_openssl_error (error, HZ_DTLS_SRTP_ERROR_IDENTITY,
                       "generating the DTLS key (ECDSA P-256) failed");
    return NULL;
  }
  identity->certificate = make_certificate (identity->key);
  if (identity->certificate == NULL) {
    set_openssl_error (error, HZ_DTLS_SRTP_ERROR_IDENTITY,
                       "making the self-signed DTLS certificate failed");
    return NULL;
  }
  if (!X509_digest (identity->certificate, EVP_sha256 (), digest, &length)) {
    set_openssl_error (error, HZ_DTLS_SRTP_ERROR_IDENTITY,
                       "computing the DTLS certificate fingerprint failed");
    return NULL;
  }
  identity->fingerprint = format_fingerprint (digest, length);
  identity->context = make_context (identity);
  if (identity->context == NULL) {
    set_openssl_error (error, HZ_DTLS_SRTP_ERROR_IDENTITY,
                       "setting up the DTLS context failed");
    return NULL;
  }
  return g_steal_pointer (&identity);
}

void
hz_dtls_identity_free (HzDtlsIdentity *identity)
{
  if (identity == NULL)
    return;
  SSL_CTX_free (identity->context);
  X509_free (identity->certificate);
  EVP_PKEY_free (identity->key);
  g_free (identity->fingerprint);
  g_free (identity);
}

const char *
hz_dtls_identity_get_fingerprint (HzDtlsIdentity *identity)
{
  g_return_val_if_fail (identity != NULL, NULL);
  return identity->fingerprint;
}

/* Remote fingerprint */

static const struct {
  const char *name;             /* RFC 8122 hash function name */
  const EVP_MD *(*digest) (void);
} hash_functions[] = {
  { "sha-1", EVP_sha1 },
  { "sha-224", EVP_sha224 },
  { "sha-256", EVP_sha256 },
  { "sha-384", EVP_sha384 },
  { "sha-512", EVP_sha512 },
};

static gboolean
fail_fingerprint (GError **error, const char *fingerprint, const char *reason)
{
  g_set_error (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_FINGERPRINT,
               "invalid remote fingerprint '%.200s': %s", fingerprint, reason);
  return FALSE;
}

/* Reads hex pairs separated by colons, such as "AB:0c:..", into DIGEST,
 * which must receive exactly EXPECTED bytes. */
static gboolean
parse_hex_pairs (const char *hex, guint8 *digest, gsize expected)
{
  gsize count = 0;

  for (;;) {
    if (count == expected || !g_ascii_isxdigit (hex[0]) || !g_ascii_isxdigit (hex[1]))
      return FALSE;
    digest[count++] = (guint8) (g_ascii_xdigit_value (hex[0]) << 4 | g_ascii_xdigit_value (hex[1]));
    hex += 2;
    if (*hex == '\0')
      break;
    if (*hex != ':')
      return FALSE;
    hex++;
  }
  return count == expected;
}

/* Parses "HASH-FUNCTION HEX-PAIRS" (RFC 8122, section 5), with
 * surrounding white space, into REMOTE. */
static gboolean
parse_fingerprint (RemoteFingerprint *remote, const char *fingerprint, GError **error)
{
  g_autofree char *text = g_strstrip (g_strdup (fingerprint));
  char *space = strchr (text, ' ');
  const EVP_MD *digest = NULL;
  int size;

  if (space == NULL)
    return fail_fingerprint (error, text, "expected a hash function, a space and hex pairs");
  *space = '\0';

  for (gsize i = 0; i < G_N_ELEMENTS (hash_functions) && digest == NULL; i++) {
    if (g_ascii_strcasecmp (text, hash_functions[i].name) == 0) {
      digest = hash_functions[i].digest ();
      remote->hash_name = hash_functions[i].name;
    }
  }
  if (digest == NULL) {
    *space = ' ';
    return fail_fingerprint (error, text,
                             "unsupported hash function (expected sha-1, sha-224, sha-256, "
                             "sha-384 or sha-512)");
  }

  size = EVP_MD_get_size (digest);
  if (size <= 0 || size > EVP_MAX_MD_SIZE || !parse_hex_pairs (space + 1, remote->value, size)) {
    *space = ' ';
    return fail_fingerprint (error, text,
                             "expected as many hex pairs, separated by colons, as the hash "
                             "function has bytes");
  }
  remote->digest = digest;
  remote->length = (guint) size;
  return TRUE;
}

gboolean
hz_dtls_srtp_add_fingerprint (HzDtlsSrtp *dtls, const char *fingerprint, GError **error)
{
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  if (dtls->n_remote == MAX_REMOTE_FINGERPRINTS)
    return fail_fingerprint (error, fingerprint, "too many fingerprints");
  if (!parse_fingerprint (&dtls->remote[dtls->n_remote], fingerprint, error))
    return FALSE;
  dtls->n_remote++;
  return TRUE;
}

/* Connection */

HzDtlsSrtp *
hz_dtls_srtp_new (HzDtlsIdentity *identity,
                  gboolean        is_client,
                  const char     *remote_fingerprint,
                  HzDtlsSendFunc  send,
                  gpointer        user_data,
                  GError        **error)
{
  g_autoptr (HzDtlsSrtp) dtls = NULL;

  g_return_val_if_fail (identity != NULL, NULL);
  g_return_val_if_fail (remote_fingerprint != NULL, NULL);
  g_return_val_if_fail (send != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dtls = g_new0 (HzDtlsSrtp, 1);
  g_mutex_init (&dtls->protect_lock);
  dtls->is_client = is_client;
  dtls->send = send;
  dtls->user_data = user_data;
  dtls->state = HZ_DTLS_SRTP_HANDSHAKING;
  if (!hz_dtls_srtp_add_fingerprint (dtls, remote_fingerprint, error))
    return NULL;

  ERR_clear_error ();
  dtls->ssl = SSL_new (identity->context);
  dtls->incoming = BIO_new (BIO_s_mem ());
  dtls->outgoing = BIO_new (BIO_s_mem ());
  if (dtls->ssl == NULL || dtls->incoming == NULL || dtls->outgoing == NULL) {
    BIO_free (dtls->incoming);
    BIO_free (dtls->outgoing);
    dtls->incoming = dtls->outgoing = NULL;
    set_openssl_error (error, HZ_DTLS_SRTP_ERROR_HANDSHAKE, "creating the DTLS connection failed");
    return NULL;
  }
  /* An empty incoming BIO means "wait for the next datagram", not EOF. */
  BIO_set_mem_eof_return (dtls->incoming, -1);
  SSL_set_bio (dtls->ssl, dtls->incoming, dtls->outgoing);
  if (!SSL_set_mtu (dtls->ssl, DATAGRAM_MTU)) {
    set_openssl_error (error, HZ_DTLS_SRTP_ERROR_HANDSHAKE, "setting the DTLS MTU failed");
    return NULL;
  }
  if (is_client)
    SSL_set_connect_state (dtls->ssl);
  else
    SSL_set_accept_state (dtls->ssl);
  return g_steal_pointer (&dtls);
}

void
hz_dtls_srtp_free (HzDtlsSrtp *dtls)
{
  if (dtls == NULL)
    return;
  /* SSL_free() frees both BIOs. */
  SSL_free (dtls->ssl);
  if (dtls->outbound != NULL)
    srtp_dealloc (dtls->outbound);
  if (dtls->inbound != NULL)
    srtp_dealloc (dtls->inbound);
  g_mutex_clear (&dtls->protect_lock);
  g_free (dtls);
}

HzDtlsSrtpState
hz_dtls_srtp_get_state (HzDtlsSrtp *dtls)
{
  g_return_val_if_fail (dtls != NULL, HZ_DTLS_SRTP_FAILED);
  return g_atomic_int_get (&dtls->state);
}

static HzDtlsSrtpState
set_state (HzDtlsSrtp *dtls, HzDtlsSrtpState state)
{
  g_atomic_int_set (&dtls->state, state);
  return state;
}

/* The size of the record at DATA, at most AVAILABLE bytes. */
static gsize
record_size (const guint8 *data, gsize available)
{
  gsize size;

  if (available < DTLS_RECORD_HEADER_SIZE)
    return available;
  size = DTLS_RECORD_HEADER_SIZE
         + ((gsize) data[DTLS_RECORD_LENGTH_OFFSET] << 8 | data[DTLS_RECORD_LENGTH_OFFSET + 1]);
  return MIN (size, available);
}

/* Hands the records that OpenSSL wrote to the send function, as many as
 * fit in each datagram of DATAGRAM_MTU bytes (RFC 6347, section 4.1.1,
 * allows several records in one datagram). The records are copied out
 * first, so the send function may call back into OpenSSL. */
static void
send_pending (HzDtlsSrtp *dtls)
{
  char *data = NULL;
  long pending = BIO_get_mem_data (dtls->outgoing, &data);
  g_autofree guint8 *records = NULL;
  gsize size, start = 0, end = 0;

  if (pending <= 0)
    return;
  size = (gsize) pending;
  records = g_memdup2 (data, size);
  (void) BIO_reset (dtls->outgoing);

  while (end < size) {
    gsize next = record_size (records + end, size - end);

    if (end > start && end - start + next > DATAGRAM_MTU) {
      dtls->send (records + start, end - start, dtls->user_data);
      start = end;
    }
    end += next;
  }
  dtls->send (records + start, end - start, dtls->user_data);
}

/* SRTP keys */

static srtp_t
create_srtp_session (const guint8 *key, const guint8 *salt, gboolean outbound, GError **error)
{
  guint8 master[SRTP_KEY_SIZE + SRTP_SALT_SIZE];
  srtp_policy_t policy;
  srtp_t session = NULL;
  srtp_err_status_t status;

  memset (&policy, 0, sizeof policy);
  srtp_crypto_policy_set_rtp_default (&policy.rtp);
  srtp_crypto_policy_set_rtcp_default (&policy.rtcp);
  policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
  /* libsrtp2 reads the master key and then the master salt from one
   * buffer, and derives its session keys in srtp_create(). */
  memcpy (master, key, SRTP_KEY_SIZE);
  memcpy (master + SRTP_KEY_SIZE, salt, SRTP_SALT_SIZE);
  policy.key = master;
  policy.window_size = SRTP_REPLAY_WINDOW;
  policy.allow_repeat_tx = outbound;

  status = srtp_create (&session, &policy);
  OPENSSL_cleanse (master, sizeof master);
  if (status != srtp_err_status_ok) {
    g_set_error (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_SRTP,
                 "libsrtp2 rejected the %s SRTP keys (srtp_err_status_t %d)",
                 outbound ? "outbound" : "inbound", (int) status);
    return NULL;
  }
  return session;
}

/* Exports the keys (RFC 5764, section 4.2) and creates both SRTP
 * sessions: the local keys protect what is sent, the peer's unprotect
 * what it sends. */
static gboolean
start_srtp (HzDtlsSrtp *dtls, GError **error)
{
  guint8 material[2 * (SRTP_KEY_SIZE + SRTP_SALT_SIZE)];
  const guint8 *client_key = material;
  const guint8 *server_key = material + SRTP_KEY_SIZE;
  const guint8 *client_salt = material + 2 * SRTP_KEY_SIZE;
  const guint8 *server_salt = client_salt + SRTP_SALT_SIZE;
  srtp_t outbound = NULL, inbound = NULL;

  if (SSL_export_keying_material (dtls->ssl, material, sizeof material, SRTP_EXPORTER_LABEL,
                                  strlen (SRTP_EXPORTER_LABEL), NULL, 0, 0) != 1) {
    set_openssl_error (error, HZ_DTLS_SRTP_ERROR_HANDSHAKE,
                       "exporting the SRTP keys from the DTLS handshake failed");
    return FALSE;
  }

  if (dtls->is_client) {
    outbound = create_srtp_session (client_key, client_salt, TRUE, error);
    if (outbound != NULL)
      inbound = create_srtp_session (server_key, server_salt, FALSE, error);
  } else {
    outbound = create_srtp_session (server_key, server_salt, TRUE, error);
    if (outbound != NULL)
      inbound = create_srtp_session (client_key, client_salt, FALSE, error);
  }
  OPENSSL_cleanse (material, sizeof material);
  if (inbound == NULL) {
    if (outbound != NULL)
      srtp_dealloc (outbound);
    return FALSE;
  }

  dtls->inbound = inbound;
  g_mutex_lock (&dtls->protect_lock);
  dtls->outbound = outbound;
  g_mutex_unlock (&dtls->protect_lock);
  return TRUE;
}

/* Handshake */

static gboolean
check_peer_certificate (HzDtlsSrtp *dtls, GError **error)
{
  X509 *certificate = SSL_get0_peer_certificate (dtls->ssl);

  if (certificate == NULL) {
    g_set_error_literal (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_HANDSHAKE,
                         "DTLS handshake failed: the peer sent no certificate");
    return FALSE;
  }
  for (guint i = 0; i < dtls->n_remote; i++) {
    const RemoteFingerprint *remote = &dtls->remote[i];
    guint8 digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;

    if (!X509_digest (certificate, remote->digest, digest, &length)) {
      set_openssl_error (error, HZ_DTLS_SRTP_ERROR_HANDSHAKE,
                         "DTLS handshake failed: computing the peer's certificate fingerprint "
                         "failed");
      return FALSE;
    }
    if (length == remote->length && CRYPTO_memcmp (digest, remote->value, length) == 0)
      return TRUE;
  }
  g_set_error (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_HANDSHAKE,
               "DTLS handshake failed: the peer's certificate matches none of the %u "
               "fingerprint(s) of its SDP (first: %s)", dtls->n_remote, dtls->remote[0].hash_name);
  return FALSE;
}

static gboolean
check_srtp_profile (HzDtlsSrtp *dtls, GError **error)
{
  const SRTP_PROTECTION_PROFILE *profile = SSL_get_selected_srtp_profile (dtls->ssl);

  if (profile == NULL || profile->id != SRTP_AES128_CM_SHA1_80) {
    g_set_error_literal (error, HZ_DTLS_SRTP_ERROR, HZ_DTLS_SRTP_ERROR_HANDSHAKE,
                         "DTLS handshake failed: the peer did not negotiate the SRTP profile "
                         SRTP_PROFILE_NAME " (use_srtp extension)");
    return FALSE;
  }
  return TRUE;
}

/* Reads what the peer sends after the handshake. Application data has no
 * use here and is dropped. A close_notify or a fatal alert changes nothing
 * either: the SRTP keys stay valid, and ICE consent freshness decides
 * whether the peer is still there. OpenSSL also answers a resent final
 * flight of the peer here, by resending its own last flight. */
static void
read_after_handshake (HzDtlsSrtp *dtls)
{
  guint8 data[2048];
  int result, reason;

  do {
    ERR_clear_error ();
    result = SSL_read (dtls->ssl, data, sizeof data);
  } while (result > 0);
  reason = SSL_get_error (dtls->ssl, result);

  if (reason == SSL_ERROR_ZERO_RETURN && !dtls->logged_close) {
    dtls->logged_close = TRUE;
    g_debug ("DTLS peer sent close_notify; the SRTP keys stay in use");
  } else if (reason == SSL_ERROR_SSL && !dtls->logged_read_error) {
    char text[256];

    dtls->logged_read_error = TRUE;
    ERR_error_string_n (ERR_peek_error (), text, sizeof text);
    g_debug ("DTLS error after the handshake, ignored; the SRTP keys stay in use: %s", text);
  }
  ERR_clear_error ();
  send_pending (dtls);
}

/* Checks the peer and starts SRTP once OpenSSL has ended the handshake.
 * On failure, this side sends a close_notify, because the peer may
 * consider itself connected. */
static HzDtlsSrtpState
finish_handshake (HzDtlsSrtp *dtls, GError **error)
{
  if (!check_peer_certificate (dtls, error)
      || !check_srtp_profile (dtls, error)
      || !start_srtp (dtls, error)) {
    ERR_clear_error ();
    (void) SSL_shutdown (dtls->ssl);
    ERR_clear_error ();
    send_pending (dtls);
    return set_state (dtls, HZ_DTLS_SRTP_FAILED);
  }

  set_state (dtls, HZ_DTLS_SRTP_CONNECTED);
  /* The datagram that ended the handshake may hold further records. */
  read_after_handshake (dtls);
  return HZ_DTLS_SRTP_CONNECTED;
}

/* Runs the handshake as far as the records received so far allow. */
static HzDtlsSrtpState
continue_handshake (HzDtlsSrtp *dtls, GError **error)
{
  int result, reason;

  ERR_clear_error ();
  result = SSL_do_handshake (dtls->ssl);
  reason = SSL_get_error (dtls->ssl, result);
  send_pending (dtls);

  if (result == 1)
    return finish_handshake (dtls, error);
  if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error ();
    return HZ_DTLS_SRTP_HANDSHAKING;
  }
  set_openssl_error (error, HZ_DTLS_SRTP_ERROR_HANDSHAKE, "DTLS handshake failed");
  return set_state (dtls, HZ_DTLS_SRTP_FAILED);
}

HzDtlsSrtpState
hz_dtls_srtp_start (HzDtlsSrtp *dtls, GError **error)
{
  HzDtlsSrtpState state;

  g_return_val_if_fail (dtls != NULL, HZ_DTLS_SRTP_FAILED);
  g_return_val_if_fail (error == NULL || *error == NULL, HZ_DTLS_SRTP_FAILED);

  state = g_atomic_int_get (&dtls->state);
  if (state != HZ_DTLS_SRTP_HANDSHAKING || !dtls->is_client || dtls->started)
    return state;
  dtls->started = TRUE;
  return continue_handshake (dtls, error);
}

/* RFC 7983, section 7: the first byte of a DTLS record is 20 to 63. A
 * datagram shorter than a record header is not DTLS either. */
static gboolean
is_dtls_datagram (const guint8 *data, gsize length)
{
  return length >= DTLS_RECORD_HEADER_SIZE && length <= MAX_DATAGRAM_SIZE
         && data[0] >= 20 && data[0] <= 63;
}

HzDtlsSrtpState
hz_dtls_srtp_receive (HzDtlsSrtp   *dtls,
                      const guint8 *data,
                      gsize         length,
                      GError      **error)
{
  HzDtlsSrtpState state;

  g_return_val_if_fail (dtls != NULL, HZ_DTLS_SRTP_FAILED);
  g_return_val_if_fail (data != NULL || length == 0, HZ_DTLS_SRTP_FAILED);
  g_return_val_if_fail (error == NULL || *error == NULL, HZ_DTLS_SRTP_FAILED);

  /* A client that has not started would send its ClientHello in reply. */
  state = g_atomic_int_get (&dtls->state);
  if (state == HZ_DTLS_SRTP_FAILED || (dtls->is_client && !dtls->started)
      || !is_dtls_datagram (data, length))
    return state;

  /* The incoming BIO is empty here (see below), so OpenSSL reads exactly
   * this datagram. */
  if (BIO_write (dtls->incoming, data, (int) length) != (int) length) {
    ERR_clear_error ();
    (void) BIO_reset (dtls->incoming);
    return state;
  }
  if (state == HZ_DTLS_SRTP_HANDSHAKING)
    state = continue_handshake (dtls, error);
  else
    read_after_handshake (dtls);
  (void) BIO_reset (dtls->incoming);
  return state;
}

gint64
hz_dtls_srtp_get_timeout (HzDtlsSrtp *dtls)
{
  struct timeval left;

  g_return_val_if_fail (dtls != NULL, -1);

  if (g_atomic_int_get (&dtls->state) != HZ_DTLS_SRTP_HANDSHAKING
      || DTLSv1_get_timeout (dtls->ssl, &left) != 1)
    return -1;
  return (gint64) left.tv_sec * 1000 + (left.tv_usec + 999) / 1000;
}

HzDtlsSrtpState
hz_dtls_srtp_handle_timeout (HzDtlsSrtp *dtls, GError **error)
{
  int result;

  g_return_val_if_fail (dtls != NULL, HZ_DTLS_SRTP_FAILED);
  g_return_val_if_fail (error == NULL || *error == NULL, HZ_DTLS_SRTP_FAILED);

  if (g_atomic_int_get (&dtls->state) != HZ_DTLS_SRTP_HANDSHAKING)
    return g_atomic_int_get (&dtls->state);

  /* OpenSSL resends the last flight when its timer has expired, and does
   * nothing before. After 12 timeouts (DTLS1_TMO_ALERT_COUNT in OpenSSL
   * 3.0) it fails the handshake. */
  ERR_clear_error ();
  result = DTLSv1_handle_timeout (dtls->ssl);
  send_pending (dtls);
  if (result < 0) {
    set_openssl_error (error, HZ_DTLS_SRTP_ERROR_HANDSHAKE,
                       "DTLS handshake timed out: the peer did not answer the resent flights");
    return set_state (dtls, HZ_DTLS_SRTP_FAILED);
  }
  return HZ_DTLS_SRTP_HANDSHAKING;
}

/* SRTP */

typedef srtp_err_status_t (*SrtpFunc) (srtp_t session, void *packet, int *length);

/* Runs FUNC on the *LENGTH bytes of BUFFER, which has room for CAPACITY
 * bytes. libsrtp2 reads a packet in 32-bit words, so a packet that is not
 * 4-byte aligned is processed in an aligned copy, which has the room for
 * SRTP_MAX_TRAILER_LEN bytes that libsrtp2's documentation requires. */
static gboolean
run_srtp (SrtpFunc func, srtp_t session, guint8 *buffer, gsize *length, gsize capacity)
{
  int size = (int) *length;
  srtp_err_status_t status;

  if ((guintptr) buffer % sizeof (guint32) == 0) {
    status = func (session, buffer, &size);
  } else {
    g_autofree guint8 *aligned = g_malloc (*length + SRTP_MAX_TRAILER_LEN);

    memcpy (aligned, buffer, *length);
    status = func (session, aligned, &size);
    if (status == srtp_err_status_ok && (gsize) size <= capacity)
      memcpy (buffer, aligned, size);
  }
  if (status != srtp_err_status_ok || size < 0 || (gsize) size > capacity)
    return FALSE;
  *length = (gsize) size;
  return TRUE;
}

static gboolean
protect (HzDtlsSrtp *dtls, SrtpFunc func, gsize header_size, guint8 *buffer, gsize *length)
{
  gboolean protected = FALSE;

  g_return_val_if_fail (dtls != NULL, FALSE);
  g_return_val_if_fail (buffer != NULL, FALSE);
  g_return_val_if_fail (length != NULL, FALSE);

  if (*length < header_size || *length > MAX_DATAGRAM_SIZE - HZ_SRTP_MAX_TRAILER)
    return FALSE;
  g_mutex_lock (&dtls->protect_lock);
  if (dtls->outbound != NULL)
    protected = run_srtp (func, dtls->outbound, buffer, length, *length + HZ_SRTP_MAX_TRAILER);
  g_mutex_unlock (&dtls->protect_lock);
  return protected;
}

static gboolean
unprotect (HzDtlsSrtp *dtls, SrtpFunc func, gsize header_size, guint8 *buffer, gsize *length)
{
  g_return_val_if_fail (dtls != NULL, FALSE);
  g_return_val_if_fail (buffer != NULL, FALSE);
  g_return_val_if_fail (length != NULL, FALSE);

  if (dtls->inbound == NULL || *length < header_size || *length > MAX_DATAGRAM_SIZE)
    return FALSE;
  return run_srtp (func, dtls->inbound, buffer, length, *length);
}

gboolean
hz_dtls_srtp_protect_rtp (HzDtlsSrtp *dtls, guint8 *buffer, gsize *length)
{
  return protect (dtls, srtp_protect, RTP_HEADER_SIZE, buffer, length);
}

gboolean
hz_dtls_srtp_protect_rtcp (HzDtlsSrtp *dtls, guint8 *buffer, gsize *length)
{
  return protect (dtls, srtp_protect_rtcp, RTCP_HEADER_SIZE, buffer, length);
}

gboolean
hz_dtls_srtp_unprotect_rtp (HzDtlsSrtp *dtls, guint8 *buffer, gsize *length)
{
  return unprotect (dtls, srtp_unprotect, RTP_HEADER_SIZE, buffer, length);
}

gboolean
hz_dtls_srtp_unprotect_rtcp (HzDtlsSrtp *dtls, guint8 *buffer, gsize *length)
{
  return unprotect (dtls, srtp_unprotect_rtcp, RTCP_HEADER_SIZE, buffer, length);
}
