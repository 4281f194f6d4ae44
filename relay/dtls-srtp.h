/* DTLS-SRTP (RFC 5764) for one of the relay's own subscriber connections,
 * on OpenSSL (DTLS 1.2) and libsrtp2.
 *
 * The relay has one identity: an ECDSA P-256 key and a self-signed
 * certificate made at startup, whose SHA-256 fingerprint every offer
 * carries. Each connection runs its handshake over memory: records that
 * arrive from ICE go to hz_dtls_srtp_receive(), records to send leave
 * through the HzDtlsSendFunc. The peer's certificate must match the
 * fingerprint of its SDP, else the handshake fails. Once connected, the
 * SRTP keys exported from the handshake protect what the relay sends and
 * unprotect the client's SRTCP.
 *
 * Threads: the handshake functions and the unprotect functions run on one
 * thread (the connection's ICE thread). The protect functions may run on
 * any thread, concurrently: they share one lock per connection.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_DTLS_SRTP_ERROR (hz_dtls_srtp_error_quark ())
GQuark hz_dtls_srtp_error_quark (void);

typedef enum {
  HZ_DTLS_SRTP_ERROR_FINGERPRINT,  /* unsupported hash or malformed fingerprint */
  HZ_DTLS_SRTP_ERROR_HANDSHAKE,    /* the handshake failed, or the peer's certificate
                                    * does not match its fingerprint */
  HZ_DTLS_SRTP_ERROR_SRTP,         /* libsrtp2 refused the exported keys */
  HZ_DTLS_SRTP_ERROR_IDENTITY,     /* the key or certificate could not be made */
} HzDtlsSrtpError;

/* The maximum number of bytes that protecting adds to a packet (SRTCP:
 * index and tag). */
#define HZ_SRTP_MAX_TRAILER 16

typedef struct _HzDtlsIdentity HzDtlsIdentity;

/* Makes the relay's key and certificate. The certificate's validity
 * starts a day before it is made and lasts ten years: WebRTC peers trust
 * it by the SDP fingerprint alone (RFC 5763), and a relay
 * runs for months between restarts.
 * NOTE: whether every browser ignores the dates is untested; Chromium
 * and GStreamer's dtls elements were tested within them. */
HzDtlsIdentity *hz_dtls_identity_new (GError **error);
void hz_dtls_identity_free (HzDtlsIdentity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzDtlsIdentity, hz_dtls_identity_free)

/* The certificate's fingerprint for "a=fingerprint:sha-256 ...": SHA-256
 * in upper-case hex pairs separated by colons; owned by IDENTITY. */
const char *hz_dtls_identity_get_fingerprint (HzDtlsIdentity *identity);

typedef enum {
  HZ_DTLS_SRTP_HANDSHAKING,
  HZ_DTLS_SRTP_CONNECTED,   /* the SRTP keys are set */
  HZ_DTLS_SRTP_FAILED,
} HzDtlsSrtpState;

/* Called with each DTLS datagram to send to the peer, of at most 1200
 * bytes, from within hz_dtls_srtp_start(), hz_dtls_srtp_receive() and
 * hz_dtls_srtp_handle_timeout(). */
typedef void (*HzDtlsSendFunc) (const guint8 *data,
                                gsize         length,
                                gpointer      user_data);

typedef struct _HzDtlsSrtp HzDtlsSrtp;

/* Starts a connection with IDENTITY (which must outlive it) as DTLS
 * client when IS_CLIENT, else as server. REMOTE_FINGERPRINT is the value
 * of the peer's "a=fingerprint" attribute, such as "sha-256 AB:CD:...";
 * sha-1, sha-224, sha-256, sha-384 and sha-512 are accepted, in either
 * case. Fails with HZ_DTLS_SRTP_ERROR_FINGERPRINT. */
HzDtlsSrtp *hz_dtls_srtp_new (HzDtlsIdentity *identity,
                              gboolean        is_client,
                              const char     *remote_fingerprint,
                              HzDtlsSendFunc  send,
                              gpointer        user_data,
                              GError        **error);
void hz_dtls_srtp_free (HzDtlsSrtp *dtls);

/* Accepts a certificate that matches FINGERPRINT too, for an SDP with
 * several a=fingerprint lines (RFC 8122, section 5): the peer's
 * certificate must match one of them. Call it before the handshake; fails
 * as hz_dtls_srtp_new() does, or when there are more than 8. */
gboolean hz_dtls_srtp_add_fingerprint (HzDtlsSrtp *dtls,
                                       const char *fingerprint,
                                       GError    **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzDtlsSrtp, hz_dtls_srtp_free)

/* A client sends its first flight here and drops any datagram received
 * before. A server waits for the peer, whether started or not. */
HzDtlsSrtpState hz_dtls_srtp_start (HzDtlsSrtp *dtls,
                                    GError    **error);

/* Takes one DTLS datagram from the peer (its first byte is 20 to 63) and
 * sends any reply through the send function. Other bytes, and records that
 * OpenSSL's record layer discards, are dropped. A handshake message that
 * OpenSSL rejects fails the handshake, and the call that fails it sets
 * ERROR; later calls return FAILED without an error. Once CONNECTED,
 * application data is dropped, and a close_notify or fatal alert leaves
 * the state and the SRTP keys as they are: ICE consent decides whether
 * the peer is still there. */
HzDtlsSrtpState hz_dtls_srtp_receive (HzDtlsSrtp   *dtls,
                                      const guint8 *data,
                                      gsize         length,
                                      GError      **error);

/* Milliseconds until hz_dtls_srtp_handle_timeout() is due to resend a
 * flight, or -1 when no timer runs. */
gint64 hz_dtls_srtp_get_timeout (HzDtlsSrtp *dtls);
HzDtlsSrtpState hz_dtls_srtp_handle_timeout (HzDtlsSrtp *dtls,
                                             GError    **error);

HzDtlsSrtpState hz_dtls_srtp_get_state (HzDtlsSrtp *dtls);

/* Protects the RTP or RTCP packet in BUFFER, of *LENGTH bytes, in place.
 * BUFFER must have room for *LENGTH + HZ_SRTP_MAX_TRAILER bytes. FALSE
 * before CONNECTED or when libsrtp2 refuses the packet. Any thread.
 * The same RTP packet may be protected again to resend it. */
gboolean hz_dtls_srtp_protect_rtp (HzDtlsSrtp *dtls,
                                   guint8     *buffer,
                                   gsize      *length);
gboolean hz_dtls_srtp_protect_rtcp (HzDtlsSrtp *dtls,
                                    guint8     *buffer,
                                    gsize      *length);

/* Unprotects the peer's SRTP or SRTCP packet in BUFFER in place; FALSE
 * when it does not authenticate, is replayed or comes before CONNECTED.
 * The relay's subscribers send only SRTCP; the unit test and the fuzz
 * target also check SRTP. */
gboolean hz_dtls_srtp_unprotect_rtp (HzDtlsSrtp *dtls,
                                     guint8     *buffer,
                                     gsize      *length);
gboolean hz_dtls_srtp_unprotect_rtcp (HzDtlsSrtp *dtls,
                                      guint8     *buffer,
                                      gsize      *length);

G_END_DECLS
