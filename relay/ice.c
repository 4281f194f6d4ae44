/* ICE settings for webrtcbin; see ice.h.
 *
 * libnice (0.1.21) skips loopback interfaces when it enumerates addresses
 * itself, so a relay on 127.0.0.1 gathered no candidates. Naming the
 * addresses with "add-local-ip-address" makes libnice use exactly those.
 */
#include "ice.h"

#include <gio/gio.h>
#include <nice/agent.h>
#include <nice/interfaces.h>
#include <gst/webrtc/webrtc.h>

GST_DEBUG_CATEGORY_STATIC (hz_ice_debug);
#define GST_CAT_DEFAULT hz_ice_debug

static void
ensure_debug_category (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized)) {
    GST_DEBUG_CATEGORY_INIT (hz_ice_debug, "hz-ice", 0, "Huizhen relay ICE setup");
    g_once_init_leave (&initialized, 1);
  }
}

static void
add_local_address (GObject *ice, const char *address)
{
  gboolean added = FALSE;

  g_signal_emit_by_name (ice, "add-local-ip-address", address, &added);
  if (!added)
    g_warning ("ICE: could not add local address %s for host candidates", address);
  else
    GST_DEBUG_OBJECT (ice, "host candidates on %s", address);
}

static gboolean
host_is_wildcard (const char *host)
{
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (host);

  return address != NULL && g_inet_address_get_is_any (address);
}

/* Host candidates go on 127.0.0.1 and on the listen host. A wildcard listen
 * host (0.0.0.0 or ::) means every local address, loopback included. */
static void
add_local_addresses (GObject *ice, const HzRelayConfig *config)
{
  const char *host = config->listen.host;

  if (host != NULL && host_is_wildcard (host)) {
    GList *addresses = nice_interfaces_get_local_ips (TRUE);

    for (GList *l = addresses; l != NULL; l = l->next)
      add_local_address (ice, l->data);
    g_list_free_full (addresses, g_free);
  } else {
    add_local_address (ice, "127.0.0.1");
    if (host != NULL && !g_str_equal (host, "127.0.0.1") && !g_str_equal (host, "localhost"))
      add_local_address (ice, host);
  }

  /* NOTE: a 1:1 NAT needs a server-reflexive candidate on the public address
   * with the host candidate's port, and libnice has no API for that. For now
   * the public address is added as one more host address, which works only
   * when an interface of this host has it. */
  if (config->public_address != NULL && config->public_address[0] != '\0')
    add_local_address (ice, config->public_address);
}

void
hz_ice_configure (GstElement *webrtcbin, const HzRelayConfig *config)
{
  g_autoptr (GObject) ice = NULL;
  g_autoptr (GObject) agent = NULL;

  ensure_debug_category ();

  g_object_set (webrtcbin, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  if (config->stun_server != NULL && config->stun_server[0] != '\0')
    g_object_set (webrtcbin, "stun-server", config->stun_server, NULL);
  if (config->turn_server != NULL && config->turn_server[0] != '\0')
    g_object_set (webrtcbin, "turn-server", config->turn_server, NULL);

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  add_local_addresses (ice, config);
  if (config->ice_port_min != 0 && config->ice_port_max != 0)
    g_object_set (ice,
                  "min-rtp-port", (guint) config->ice_port_min,
                  "max-rtp-port", (guint) config->ice_port_max,
                  NULL);

  /* NOTE: the config has no ICE-TCP switch yet, so ICE runs over UDP only. */
  g_object_set (ice, "ice-tcp", FALSE, "ice-udp", TRUE, NULL);

  /* libnice enables UPnP by default, which sends discovery traffic to the LAN. */
  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL);
}
