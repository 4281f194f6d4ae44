/* Loading and creating the secret shared by the scheduler and the relay. */
#define G_LOG_DOMAIN "huizhen-common"

#include "hz-secret.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
read_secret (const char *path, HzSecret *secret, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot read token secret %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  if ((st.st_mode & 077) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "Token secret %s is readable by group or others (mode %03o); "
                   "run chmod 600 on it", path, (unsigned) (st.st_mode & 0777));
      return FALSE;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  if (length != HZ_SECRET_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Token secret %s has %" G_GSIZE_FORMAT " bytes, expected %d",
                   path, length, HZ_SECRET_LENGTH);
      return FALSE;
    }
  memcpy (secret->bytes, contents, HZ_SECRET_LENGTH);
  explicit_bzero (contents, length);
  return TRUE;
}

static gboolean
fill_random (guint8 *bytes, gsize length, GError **error)
{
  int fd = g_open ("/dev/urandom", O_RDONLY | O_CLOEXEC, 0);
  gsize done = 0;

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot open /dev/urandom: %s", g_strerror (errno));
      return FALSE;
    }
  while (done < length)
    {
      ssize_t n = read (fd, bytes + done, length - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Cannot read /dev/urandom: %s", g_strerror (errno));
          close (fd);
          return FALSE;
        }
      done += (gsize) n;
    }
  close (fd);
  return TRUE;
}

/* Writes a new secret to a temporary file and links it into place, so a
 * reader never sees a partial file and the first of two daemons wins. */
static gboolean
create_secret (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp_path = NULL;
  guint8 bytes[HZ_SECRET_LENGTH];
  gboolean ok = FALSE;
  int fd = -1;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot create directory %s for the token secret: %s",
                   dir, g_strerror (errno));
      return FALSE;
    }
  if (!fill_random (bytes, sizeof bytes, error))
    return FALSE;

  tmp_path = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot create %s: %s", tmp_path, g_strerror (errno));
      goto out;
    }
  if (write (fd, bytes, sizeof bytes) != (ssize_t) sizeof bytes || fsync (fd) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot write %s: %s", tmp_path, g_strerror (errno));
      goto out;
    }
  if (link (tmp_path, path) != 0 && errno != EEXIST)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot create token secret %s: %s", path, g_strerror (errno));
      goto out;
    }
  ok = TRUE;
  g_message ("Created token secret %s", path);

out:
  explicit_bzero (bytes, sizeof bytes);
  if (fd >= 0)
    {
      close (fd);
      g_unlink (tmp_path);
    }
  return ok;
}

gboolean
hz_secret_load_or_create (const char *path, HzSecret *secret, GError **error)
{
  g_return_val_if_fail (path != NULL && secret != NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_EXISTS) && !create_secret (path, error))
    return FALSE;
  return read_secret (path, secret, error);
}

void
hz_secret_derive (const HzSecret *secret,
                  const char     *purpose,
                  guint8          key[HZ_SECRET_LENGTH])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, secret->bytes, HZ_SECRET_LENGTH);
  gsize length = HZ_SECRET_LENGTH;

  g_hmac_update (hmac, (const guchar *) purpose, -1);
  g_hmac_get_digest (hmac, key, &length);
}
