/* Checks time zone identifiers before GLib opens them, and maps civil
 * times to instants; see hz-timezone.h. */

#include "hz-timezone.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory that GLib 2.74 reads zones from: $TZDIR, else
 * /usr/share/zoneinfo. The timezone/files test of test-sched-core relies on
 * it. */
static const char *
zoneinfo_dir (void)
{
  const char *tzdir = g_getenv ("TZDIR");

  return tzdir != NULL && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
}

static gboolean
is_name_character (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '+' || c == '-';
}

/* Checks the syntax: non-empty names separated by single slashes. */
static gboolean
has_zone_syntax (const char *identifier)
{
  gsize length = strlen (identifier);
  gboolean segment_start = TRUE;

  if (length == 0 || length > HZ_TIMEZONE_MAX_LENGTH)
    return FALSE;

  for (const char *p = identifier; *p != '\0'; p++)
    {
      if (*p == '/')
        {
          if (segment_start)
            return FALSE;
          segment_start = TRUE;
          continue;
        }
      if (!is_name_character (*p))
        return FALSE;
      segment_start = FALSE;
    }
  return !segment_start;
}

/* Whether PATH is a regular file that starts with the TZif magic. The file
 * is opened without blocking and checked with fstat(), so a FIFO that
 * replaced it after the path was resolved cannot block the caller. */
static gboolean
is_tzif_file (const char *path)
{
  struct stat st;
  char magic[4];
  gboolean tzif = FALSE;
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);

  if (fd < 0)
    return FALSE;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) &&
      read (fd, magic, sizeof magic) == (ssize_t) sizeof magic)
    tzif = memcmp (magic, "TZif", sizeof magic) == 0;
  close (fd);
  return tzif;
}

gboolean
hz_timezone_is_known (const char *identifier)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *prefix = NULL;

  if (identifier == NULL || !has_zone_syntax (identifier))
    return FALSE;
  /* Debian links "localtime" to /etc/localtime, the machine's own zone,
   * and "posixrules" is a leftover of the POSIX TZ rules: neither is an
   * IANA zone name. Nor are the names of the copies of every zone that
   * Debian's tzdata installs below "posix/" and, counting leap seconds,
   * below "right/". */
  if (g_str_equal (identifier, "localtime") || g_str_equal (identifier, "posixrules") ||
      g_str_has_prefix (identifier, "posix/") || g_str_has_prefix (identifier, "right/"))
    return FALSE;

  /* realpath() allocates with malloc(), which g_free() may release (GLib
   * 2.46 and later). */
  dir = realpath (zoneinfo_dir (), NULL);
  if (dir == NULL)
    return FALSE;
  path = g_build_filename (dir, identifier, NULL);
  resolved = realpath (path, NULL);
  if (resolved == NULL)
    return FALSE;

  prefix = g_strconcat (dir, G_DIR_SEPARATOR_S, NULL);
  if (!g_str_has_prefix (resolved, prefix))
    return FALSE;

  return is_tzif_file (resolved);
}

GTimeZone *
hz_timezone_new (const char *identifier)
{
  if (!hz_timezone_is_known (identifier))
    return NULL;
  return g_time_zone_new_identifier (identifier);
}

/* Returns the UTC offset of ZONE at UNIX_SECONDS, in seconds. */
static gint64
offset_at (GTimeZone *zone,
           gint64     unix_seconds)
{
  gint interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, unix_seconds);

  return g_time_zone_get_offset (zone, interval);
}

guint
hz_timezone_find_local (GTimeZone *zone,
                        gint64     wall,
                        gint64    *earlier,
                        gint64    *later)
{
  const gint64 day = 24 * 3600;
  gint64 offset_before = offset_at (zone, wall - day);
  gint64 offset_after = offset_at (zone, wall + day);
  gint64 with_before = wall - offset_before;
  gint64 with_after = wall - offset_after;
  gboolean before_valid = offset_at (zone, with_before) == offset_before;
  gboolean after_valid = offset_at (zone, with_after) == offset_after;

  *earlier = MIN (with_before, with_after);
  *later = MAX (with_before, with_after);

  if (offset_before == offset_after || (before_valid && !after_valid))
    {
      *earlier = *later = with_before;
      return 1;
    }
  if (after_valid && !before_valid)
    {
      *earlier = *later = with_after;
      return 1;
    }
  /* In a fold both readings are valid. In a gap neither is, and because
   * the offset grew, WALL read with the offset from before the gap is the
   * later instant. */
  return before_valid && after_valid ? 2 : 0;
}
