/* hz-test-peer --check-sockets: are all of this process's sockets on loopback?
 *
 * The kernel lists every inet socket of the network namespace in
 * /proc/self/net/{tcp,tcp6,udp,udp6}; the ones that belong to this process
 * are those whose inode appears as a "socket:[INODE]" link in /proc/self/fd.
 * A socket counts as non-loopback when its local address is not 127.0.0.0/8,
 * ::1 or ::ffff:127.0.0.0/104, which includes the wildcard 0.0.0.0 and ::,
 * or when it is connected to such an address.
 *
 * NOTE: this sees the sockets open at the moment of the check. A socket
 * opened and closed earlier in the run leaves no trace here.
 */
#define G_LOG_DOMAIN "hz-test-peer"

#include "peer.h"

#include <stdlib.h>
#include <string.h>

/* Collects the inodes of this process's sockets as a set of guint64. */
static GHashTable *
read_own_socket_inodes (GError **error)
{
  g_autoptr (GHashTable) inodes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, error);
  const char *name = NULL;

  if (dir == NULL)
    return NULL;

  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
    g_autofree char *target = g_file_read_link (path, NULL);
    guint64 inode = 0;

    /* The fd of the directory itself may be gone by now. */
    if (target == NULL || !g_str_has_prefix (target, "socket:["))
      continue;
    inode = g_ascii_strtoull (target + strlen ("socket:["), NULL, 10);
    g_hash_table_add (inodes, g_memdup2 (&inode, sizeof inode));
  }
  return g_steal_pointer (&inodes);
}

/* Decodes the "HEX:PORT" address of a /proc/net line into network-order
 * BYTES (4 or 16). The kernel prints each 32-bit word in host order. */
static gboolean
parse_proc_address (const char *text, guint8 *bytes, gsize length)
{
  for (gsize word = 0; word < length / 4; word++) {
    char hex[9] = { 0 };
    guint32 value = 0;
    char *end = NULL;

    memcpy (hex, text + word * 8, 8);
    if (strlen (hex) != 8)
      return FALSE;
    value = (guint32) strtoul (hex, &end, 16);
    if (*end != '\0')
      return FALSE;
    memcpy (bytes + word * 4, &value, 4);
  }
  return text[length * 2] == ':';
}

static gboolean
address_is_unspecified (const guint8 *bytes, gsize length)
{
  for (gsize i = 0; i < length; i++)
    if (bytes[i] != 0)
      return FALSE;
  return TRUE;
}

static gboolean
address_is_loopback (const guint8 *bytes, gsize length)
{
  static const guint8 v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  static const guint8 v6_loopback[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

  if (length == 4)
    return bytes[0] == 127;
  if (memcmp (bytes, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0)
    return bytes[12] == 127;
  return memcmp (bytes, v6_loopback, sizeof v6_loopback) == 0;
}

/* Checks one /proc/net line against INODES and updates the counters. The
 * line of a non-loopback socket is printed on stderr. */
static void
check_line (const char *table, const char *line, gsize length, GHashTable *inodes,
            guint *non_loopback, guint *total)
{
  g_autofree char *copy = g_strstrip (g_strdup (line));
  g_auto (GStrv) fields = g_strsplit_set (copy, " \t", -1);
  g_autoptr (GPtrArray) words = g_ptr_array_new ();
  guint8 local[16], remote[16];
  guint64 inode = 0;

  for (char **f = fields; *f != NULL; f++)
    if (**f != '\0')
      g_ptr_array_add (words, *f);
  /* sl local_address rem_address st queues timer retrnsmt uid timeout inode ... */
  if (words->len < 10)
    return;
  inode = g_ascii_strtoull (words->pdata[9], NULL, 10);
  if (inode == 0 || !g_hash_table_contains (inodes, &inode))
    return;
  if (!parse_proc_address (words->pdata[1], local, length) ||
      !parse_proc_address (words->pdata[2], remote, length))
    return;

  (*total)++;
  if (address_is_loopback (local, length) &&
      (address_is_unspecified (remote, length) || address_is_loopback (remote, length)))
    return;
  (*non_loopback)++;
  g_printerr ("hz-test-peer: non-loopback socket in %s: %s\n", table, line);
}

gboolean
hz_count_sockets (guint *non_loopback, guint *total, GError **error)
{
  static const struct {
    const char *path;
    gsize address_length;
  } tables[] = {
    { "/proc/self/net/tcp", 4 },
    { "/proc/self/net/udp", 4 },
    { "/proc/self/net/tcp6", 16 },
    { "/proc/self/net/udp6", 16 },
  };
  g_autoptr (GHashTable) inodes = read_own_socket_inodes (error);

  if (inodes == NULL)
    return FALSE;
  *non_loopback = 0;
  *total = 0;

  for (gsize t = 0; t < G_N_ELEMENTS (tables); t++) {
    g_autofree char *contents = NULL;
    g_auto (GStrv) lines = NULL;
    g_autoptr (GError) read_error = NULL;

    if (!g_file_get_contents (tables[t].path, &contents, NULL, &read_error)) {
      /* A kernel without IPv6 has no tcp6 or udp6 table. */
      if (tables[t].address_length == 16 && g_error_matches (read_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        continue;
      g_propagate_error (error, g_steal_pointer (&read_error));
      return FALSE;
    }
    lines = g_strsplit (contents, "\n", -1);
    /* lines[0] is the column header. */
    for (guint i = 1; lines[i] != NULL; i++)
      check_line (tables[t].path, lines[i], tables[t].address_length, inodes, non_loopback, total);
  }
  return TRUE;
}
