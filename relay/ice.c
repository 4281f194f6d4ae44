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

/* Adds the addresses of INTERFACES, a comma-separated list of interface
 * names and IP addresses (config key [relay] interfaces). */
static void
add_configured_interfaces (GObject *ice, const char *interfaces)
{
  g_auto (GStrv) items = g_strsplit (interfaces, ",", -1);

  for (gsize i = 0; items[i] != NULL; i++) {
    const char *item = g_strstrip (items[i]);
    g_autofree char *address = NULL;

    if (item[0] == '\0')
      continue;
    if (g_hostname_is_ip_address (item))
      address = g_strdup (item);
    else
      address = nice_interfaces_get_ip_for_interface ((char *) item);
    if (address == NULL) {
      g_warning ("ICE: interface %s has no IPv4 address; no host candidates on it", item);
      continue;
    }
    add_local_address (ice, address);
  }
}

/* Host candidates go on the configured interfaces, else on 127.0.0.1 and
 * the listen host. A wildcard listen host (0.0.0.0 or ::) means every
 * local address, loopback included. A 1:1 NAT's public address is not a
 * local address: candidate.h describes how it is announced. */
static void
add_local_addresses (GObject *ice, const HzRelayConfig *config)
{
  const char *host = config->listen.host;

  if (config->interfaces != NULL) {
    add_configured_interfaces (ice, config->interfaces);
  } else if (host != NULL && host_is_wildcard (host)) {
    GList *addresses = nice_interfaces_get_local_ips (TRUE);

    for (GList *l = addresses; l != NULL; l = l->next)
      add_local_address (ice, l->data);
    g_list_free_full (addresses, g_free);
  } else {
    add_local_address (ice, "127.0.0.1");
    if (host != NULL && !g_str_equal (host, "127.0.0.1") && !g_str_equal (host, "localhost"))
      add_local_address (ice, host);
  }
}

/* Adds each URL of TURN_SERVERS (separated by spaces). webrtcbin reads the
 * scheme and "?transport=tcp" and gives libnice a UDP, TCP or TLS relay. */
static void
add_turn_servers (GstElement *webrtcbin, const char *turn_servers)
{
  g_auto (GStrv) urls = g_strsplit_set (turn_servers, " \t", -1);

  for (gsize i = 0; urls[i] != NULL; i++) {
    g_autoptr (GUri) uri = NULL;
    gboolean added = FALSE;

    if (urls[i][0] == '\0')
      continue;
    g_signal_emit_by_name (webrtcbin, "add-turn-server", urls[i], &added);
    /* The URL carries the TURN password, so only its host is logged. */
    uri = g_uri_parse (urls[i], G_URI_FLAGS_HAS_PASSWORD, NULL);
    if (!added)
      g_warning ("ICE: webrtcbin rejected the TURN server at %s",
                 uri != NULL ? g_uri_get_host (uri) : "(unparsable URL)");
    else
      GST_DEBUG_OBJECT (webrtcbin, "TURN server at %s:%d", g_uri_get_host (uri),
                        g_uri_get_port (uri));
  }
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
    add_turn_servers (webrtcbin, config->turn_server);

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
