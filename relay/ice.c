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

static gboolean
host_is_wildcard (const char *host)
{
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (host);

  return address != NULL && g_inet_address_get_is_any (address);
}

/* Adds the addresses of INTERFACES, a comma-separated list of interface
 * names and IP addresses (config key [relay] interfaces), to ADDRESSES. */
static void
add_configured_interfaces (GPtrArray *addresses, const char *interfaces)
{
  g_auto (GStrv) items = g_strsplit (interfaces, ",", -1);

  for (gsize i = 0; items[i] != NULL; i++) {
    const char *item = g_strstrip (items[i]);
    char *address = NULL;

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
    g_ptr_array_add (addresses, address);
  }
}

/* The addresses for host candidates: those of the configured interfaces,
 * else 127.0.0.1 and the listen host. A wildcard listen host (0.0.0.0 or
 * ::) means every local address, loopback included. A 1:1 NAT's public
 * address is not a local address: candidate.h describes how it is
 * announced. */
static GPtrArray *
local_addresses (const HzRelayConfig *config)
{
  const char *host = config->listen.host;
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_free);

  if (config->interfaces != NULL) {
    add_configured_interfaces (addresses, config->interfaces);
  } else if (host != NULL && host_is_wildcard (host)) {
    GList *found = nice_interfaces_get_local_ips (TRUE);

    for (GList *l = found; l != NULL; l = l->next)
      g_ptr_array_add (addresses, g_steal_pointer (&l->data));
    g_list_free (found);
  } else {
    g_ptr_array_add (addresses, g_strdup ("127.0.0.1"));
    if (host != NULL && !g_str_equal (host, "127.0.0.1") && !g_str_equal (host, "localhost"))
      g_ptr_array_add (addresses, g_strdup (host));
  }
  return addresses;
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
  g_autoptr (GPtrArray) addresses = NULL;

  ensure_debug_category ();

  g_object_set (webrtcbin, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  if (config->stun_server != NULL && config->stun_server[0] != '\0')
    g_object_set (webrtcbin, "stun-server", config->stun_server, NULL);
  if (config->turn_server != NULL && config->turn_server[0] != '\0')
    add_turn_servers (webrtcbin, config->turn_server);

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  addresses = local_addresses (config);
  for (guint i = 0; i < addresses->len; i++) {
    const char *address = g_ptr_array_index (addresses, i);
    gboolean added = FALSE;

    g_signal_emit_by_name (ice, "add-local-ip-address", address, &added);
    if (!added)
      g_warning ("ICE: could not add local address %s for host candidates", address);
  }
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

/* ---- the relay's own agents (send-pool.h) ---- */

/* Resolves HOST, an IP address or a name, to an IP address. Names are
 * looked up once, when the relay starts. */
static char *
resolve_host (const char *host)
{
  g_autoptr (GResolver) resolver = NULL;
  g_autoptr (GError) error = NULL;
  GList *found;
  char *address;

  if (g_hostname_is_ip_address (host))
    return g_strdup (host);
  resolver = g_resolver_get_default ();
  found = g_resolver_lookup_by_name (resolver, host, NULL, &error);
  if (found == NULL) {
    g_warning ("ICE: cannot resolve %s: %s", host, error->message);
    return NULL;
  }
  address = g_inet_address_to_string (found->data);
  g_resolver_free_addresses (found);
  return address;
}

void
hz_ice_configure_agent (NiceAgent *agent, const HzRelayConfig *config)
{
  g_autoptr (GPtrArray) addresses = local_addresses (config);

  ensure_debug_category ();

  /* libnice enables UPnP by default, which sends discovery traffic to the LAN. */
  g_object_set (agent, "upnp", FALSE, "ice-tcp", FALSE, "ice-udp", TRUE, NULL);
  for (guint i = 0; i < addresses->len; i++) {
    const char *text = g_ptr_array_index (addresses, i);
    NiceAddress address;

    nice_address_init (&address);
    if (!nice_address_set_from_string (&address, text) ||
        !nice_agent_add_local_address (agent, &address))
      g_warning ("ICE: could not add local address %s for host candidates", text);
  }

  if (config->stun_server != NULL && config->stun_server[0] != '\0') {
    g_autoptr (GUri) uri = g_uri_parse (config->stun_server, G_URI_FLAGS_NONE, NULL);
    g_autofree char *ip = uri != NULL ? resolve_host (g_uri_get_host (uri)) : NULL;

    if (ip != NULL)
      g_object_set (agent, "stun-server", ip,
                    "stun-server-port", (guint) (g_uri_get_port (uri) > 0
                                                 ? g_uri_get_port (uri) : 3478),
                    NULL);
    else
      g_warning ("ICE: no STUN server: cannot read or resolve %s", config->stun_server);
  }
}

void
hz_ice_relay_free (HzIceRelay *relay)
{
  g_free (relay->ip);
  g_free (relay->username);
  g_free (relay->password);
  g_free (relay);
}

GPtrArray *
hz_ice_read_turn_servers (const HzRelayConfig *config)
{
  GPtrArray *relays = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_ice_relay_free);
  g_auto (GStrv) urls = NULL;

  if (config->turn_server == NULL)
    return relays;
  urls = g_strsplit_set (config->turn_server, " \t", -1);
  for (gsize i = 0; urls[i] != NULL; i++) {
    g_autoptr (GUri) uri = NULL;
    g_autoptr (GHashTable) params = NULL;
    HzIceRelay *relay;
    gboolean tls;
    const char *transport;

    if (urls[i][0] == '\0')
      continue;
    uri = g_uri_parse (urls[i], G_URI_FLAGS_HAS_PASSWORD, NULL);
    if (uri == NULL || g_uri_get_host (uri) == NULL) {
      g_warning ("ICE: skipping a TURN server URL that cannot be read");
      continue;
    }
    tls = g_str_equal (g_uri_get_scheme (uri), "turns");
    params = g_uri_get_query (uri) != NULL
             ? g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL)
             : NULL;
    transport = params != NULL ? g_hash_table_lookup (params, "transport") : NULL;
    relay = g_new0 (HzIceRelay, 1);
    relay->ip = resolve_host (g_uri_get_host (uri));
    relay->port = g_uri_get_port (uri) > 0 ? (guint) g_uri_get_port (uri) : (tls ? 5349 : 3478);
    relay->username = g_strdup (g_uri_get_user (uri) != NULL ? g_uri_get_user (uri) : "");
    relay->password = g_strdup (g_uri_get_password (uri) != NULL ? g_uri_get_password (uri) : "");
    relay->type = tls ? NICE_RELAY_TYPE_TURN_TLS
                  : g_strcmp0 (transport, "tcp") == 0 ? NICE_RELAY_TYPE_TURN_TCP
                  : NICE_RELAY_TYPE_TURN_UDP;
    if (relay->ip == NULL) {
      hz_ice_relay_free (relay);
      continue;
    }
    /* The URL carries the TURN password, so only its host is logged. */
    GST_DEBUG ("TURN server at %s:%u", relay->ip, relay->port);
    g_ptr_array_add (relays, relay);
  }
  return relays;
}
