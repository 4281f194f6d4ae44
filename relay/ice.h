/* ICE and transport settings shared by every webrtcbin of the relay. */
#pragma once

#include <gst/gst.h>
#include <nice/agent.h>
#include "hz-config.h"

G_BEGIN_DECLS

/* Configures WEBRTCBIN before it leaves the NULL state: max-bundle, the
 * local addresses for host candidates, the ICE port range, UDP only (TURN
 * relays may use TCP or TLS towards the TURN server), no UPnP, and the
 * STUN and TURN servers when the config names them. */
void hz_ice_configure (GstElement           *webrtcbin,
                       const HzRelayConfig  *config);

/* Configures one of the relay's own agents (send-pool.h) as above: the
 * local addresses, UDP only, no UPnP and the STUN server. */
void hz_ice_configure_agent (NiceAgent           *agent,
                             const HzRelayConfig *config);

/* A TURN server of the config, its host resolved. */
typedef struct {
  char *ip;
  guint port;
  char *username;
  char *password;
  NiceRelayType type;
} HzIceRelay;

void hz_ice_relay_free (HzIceRelay *relay);

/* Reads [relay] turn-server into an array of HzIceRelay; URLs that cannot
 * be read or resolved are skipped with a warning. */
GPtrArray *hz_ice_read_turn_servers (const HzRelayConfig *config);

G_END_DECLS
