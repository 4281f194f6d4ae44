/* ICE candidate lines (RFC 8839, section 5.1) as they cross the relay.
 *
 * Remote candidates from clients are checked before they reach webrtcbin.
 * Browsers replace their host addresses with random mDNS names, e.g.
 * "1f4c...-9a.local". The relay does not resolve them: a lookup could stall
 * or leave the host, and the client's peer-reflexive address, learned from
 * its connectivity checks, reaches the same socket. Such candidates are reported as
 * HZ_CANDIDATE_MDNS for the caller to skip with a log line.
 *
 * The relay's own candidates get a server-reflexive copy on the configured
 * public address of a 1:1 NAT (hz_candidate_map_public()).
 *
 * No GStreamer dependency, so that unit tests and fuzzers link it alone.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_CANDIDATE_ERROR (hz_candidate_error_quark ())
GQuark hz_candidate_error_quark (void);

typedef enum {
  HZ_CANDIDATE_ERROR_INVALID,  /* not a candidate line */
} HzCandidateError;

typedef enum {
  HZ_CANDIDATE_OK,        /* an IP candidate for webrtcbin */
  HZ_CANDIDATE_MDNS,      /* its address is an mDNS name (*.local) */
  HZ_CANDIDATE_INVALID,   /* see the error */
} HzCandidateCheck;

/* The fields of a candidate line that the relay reads. */
typedef struct {
  char *foundation;
  guint component;         /* 1 to 256 */
  char *transport;         /* "UDP" or "TCP", as written */
  guint32 priority;
  char *address;           /* an IP address or an mDNS name */
  guint16 port;
  char *type;              /* "host", "srflx", "prflx" or "relay" */
} HzCandidate;

void hz_candidate_clear (HzCandidate *candidate);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HzCandidate, hz_candidate_clear)

/* Parses LINE: "candidate:FOUNDATION COMPONENT TRANSPORT PRIORITY ADDRESS
 * PORT typ TYPE", optionally preceded by "a=" and followed by extension
 * attributes, which are ignored. Fails with HZ_CANDIDATE_ERROR_INVALID,
 * naming the field. */
gboolean hz_candidate_parse (const char  *line,
                             HzCandidate *candidate,
                             GError     **error);

/* Checks a remote candidate LINE before it is given to webrtcbin. A
 * multicast, broadcast (255.255.255.255) or unspecified address is
 * HZ_CANDIDATE_INVALID. */
HzCandidateCheck hz_candidate_check_remote (const char *line,
                                            GError    **error);

/* For a local UDP host candidate LINE on a non-loopback address of
 * PUBLIC_ADDRESS's family, returns a server-reflexive candidate on
 * PUBLIC_ADDRESS with the same port and transport, which a 1:1 NAT maps
 * back to the host candidate. Returns NULL for any other line. */
char *hz_candidate_map_public (const char *line,
                               const char *public_address);

G_END_DECLS
