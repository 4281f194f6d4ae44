/* ICE candidate lines; see candidate.h. */
#include "candidate.h"

#include <gio/gio.h>
#include <string.h>

G_DEFINE_QUARK (hz-candidate-error-quark, hz_candidate_error)

/* RFC 8445, section 5.1.2.2: the recommended type preference of a
 * server-reflexive candidate. */
#define SRFLX_TYPE_PREFERENCE 100

/* RFC 8839: a candidate line is far shorter; longer input is rejected
 * before it is split. */
#define MAX_LINE_LENGTH 1024

void
hz_candidate_clear (HzCandidate *candidate)
{
  g_clear_pointer (&candidate->foundation, g_free);
  g_clear_pointer (&candidate->transport, g_free);
  g_clear_pointer (&candidate->address, g_free);
  g_clear_pointer (&candidate->type, g_free);
}

static gboolean
fail (GError **error, const char *field, const char *value)
{
  g_set_error (error, HZ_CANDIDATE_ERROR, HZ_CANDIDATE_ERROR_INVALID,
               "invalid ICE candidate: bad %s '%.64s'", field, value != NULL ? value : "");
  return FALSE;
}

/* ice-char (RFC 8839): ALPHA / DIGIT / "+" / "/". */
static gboolean
is_ice_chars (const char *text, gsize max_length)
{
  gsize length = strlen (text);

  if (length == 0 || length > max_length)
    return FALSE;
  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/')
      return FALSE;
  return TRUE;
}

static gboolean
parse_unsigned (const char *text, guint64 max, guint64 *value)
{
  return g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL);
}

/* An mDNS host name as browsers generate it: labels of letters, digits and
 * '-', the last one "local". */
static gboolean
is_mdns_name (const char *address)
{
  if (!g_str_has_suffix (address, ".local") || strlen (address) > 253)
    return FALSE;
  for (const char *c = address; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '.')
      return FALSE;
  return address[0] != '.';
}

static gboolean
parse_fields (char **fields, HzCandidate *candidate, GError **error)
{
  static const char *const types[] = { "host", "srflx", "prflx", "relay", NULL };
  guint64 number = 0;

  if (g_strv_length (fields) < 8)
    return fail (error, "field count of", fields[0]);
  if (!is_ice_chars (fields[0], 32))
    return fail (error, "foundation", fields[0]);
  if (!parse_unsigned (fields[1], 256, &number) || number == 0)
    return fail (error, "component", fields[1]);
  candidate->component = (guint) number;
  if (g_ascii_strcasecmp (fields[2], "udp") != 0 && g_ascii_strcasecmp (fields[2], "tcp") != 0)
    return fail (error, "transport", fields[2]);
  if (!parse_unsigned (fields[3], G_MAXUINT32, &number))
    return fail (error, "priority", fields[3]);
  candidate->priority = (guint32) number;
  if (!g_hostname_is_ip_address (fields[4]) && !is_mdns_name (fields[4]))
    return fail (error, "address", fields[4]);
  if (!parse_unsigned (fields[5], 65535, &number))
    return fail (error, "port", fields[5]);
  candidate->port = (guint16) number;
  if (g_strcmp0 (fields[6], "typ") != 0)
    return fail (error, "keyword (expected typ)", fields[6]);
  if (!g_strv_contains (types, fields[7]))
    return fail (error, "type", fields[7]);

  candidate->foundation = g_strdup (fields[0]);
  candidate->transport = g_strdup (fields[2]);
  candidate->address = g_strdup (fields[4]);
  candidate->type = g_strdup (fields[7]);
  return TRUE;
}

gboolean
hz_candidate_parse (const char *line, HzCandidate *candidate, GError **error)
{
  g_auto (GStrv) fields = NULL;
  const char *value = line;

  if (strnlen (line, MAX_LINE_LENGTH + 1) > MAX_LINE_LENGTH)
    return fail (error, "length of", "the line");
  if (g_str_has_prefix (value, "a="))
    value += 2;
  if (!g_str_has_prefix (value, "candidate:"))
    return fail (error, "prefix (expected candidate:)", value);
  value += strlen ("candidate:");

  fields = g_strsplit (value, " ", 0);
  if (!parse_fields (fields, candidate, error)) {
    hz_candidate_clear (candidate);
    return FALSE;
  }
  return TRUE;
}

HzCandidateCheck
hz_candidate_check_remote (const char *line, GError **error)
{
  g_auto (HzCandidate) candidate = { 0, };

  g_autoptr (GInetAddress) address = NULL;

  if (!hz_candidate_parse (line, &candidate, error))
    return HZ_CANDIDATE_INVALID;
  if (is_mdns_name (candidate.address))
    return HZ_CANDIDATE_MDNS;

  /* libnice would send its connectivity checks to such an address, and to
   * a multicast group they reach every member, e.g. the mDNS or SSDP
   * listeners of the relay's network. */
  address = g_inet_address_new_from_string (candidate.address);
  if (address == NULL) {
    g_set_error (error, HZ_CANDIDATE_ERROR, HZ_CANDIDATE_ERROR_INVALID,
                 "invalid ICE candidate: address '%s' is neither an IP address nor an mDNS name",
                 candidate.address);
    return HZ_CANDIDATE_INVALID;
  }
  if (g_inet_address_get_is_multicast (address) || g_inet_address_get_is_any (address)
      || g_str_equal (candidate.address, "255.255.255.255")) {
    g_set_error (error, HZ_CANDIDATE_ERROR, HZ_CANDIDATE_ERROR_INVALID,
                 "invalid ICE candidate: address '%s' is multicast, broadcast or unspecified",
                 candidate.address);
    return HZ_CANDIDATE_INVALID;
  }
  return HZ_CANDIDATE_OK;
}

static gboolean
same_family_not_loopback (const char *address, const char *public_address)
{
  g_autoptr (GInetAddress) local = g_inet_address_new_from_string (address);
  g_autoptr (GInetAddress) public = g_inet_address_new_from_string (public_address);

  return local != NULL && public != NULL && !g_inet_address_get_is_loopback (local)
         && g_inet_address_get_family (local) == g_inet_address_get_family (public)
         && !g_inet_address_equal (local, public);
}

char *
hz_candidate_map_public (const char *line, const char *public_address)
{
  g_auto (HzCandidate) host = { 0, };
  guint32 local_preference;
  guint32 priority;

  if (public_address == NULL || !hz_candidate_parse (line, &host, NULL))
    return NULL;
  if (!g_str_equal (host.type, "host") || g_ascii_strcasecmp (host.transport, "udp") != 0
      || !same_family_not_loopback (host.address, public_address))
    return NULL;

  /* RFC 8445, 5.1.2.1: priority = 2^24 type + 2^8 local + (256 - component).
   * The copy keeps the host candidate's local preference. */
  local_preference = (host.priority >> 8) & 0xffff;
  priority = ((guint32) SRFLX_TYPE_PREFERENCE << 24) | (local_preference << 8)
             | (256 - host.component);

  /* The foundation must differ from the host candidate's: "nat" plus it,
   * cut to the 32 characters that RFC 8839 allows. */
  return g_strdup_printf ("candidate:nat%.29s %u %s %u %s %u typ srflx raddr %s rport %u",
                          host.foundation, host.component, host.transport, priority,
                          public_address, host.port, host.address, host.port);
}
