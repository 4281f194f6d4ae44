/* ICE and transport settings shared by every webrtcbin of the relay. */
#pragma once

#include <gst/gst.h>
#include "hz-config.h"

G_BEGIN_DECLS

/* Configures WEBRTCBIN before it leaves the NULL state: max-bundle, the
 * local addresses for host candidates, the ICE port range, UDP only (TURN
 * relays may use TCP or TLS towards the TURN server), no UPnP, and the
 * STUN and TURN servers when the config names them. */
void hz_ice_configure (GstElement           *webrtcbin,
                       const HzRelayConfig  *config);

G_END_DECLS
