/* Log collection for the test fixtures; see hz-test-logs.h. */
#include "hz-test-logs.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define CAPTURE_KEY "hz-test-logs-capture"

/* One program's stderr on its way to the test's stderr and the log file.
 * The thread owns the struct until it returns; the GSubprocess owns the
 * thread and joins it. */
typedef struct {
  GInputStream *input;
  int log_fd;
} Capture;

static const char *
log_dir (void)
{
  const char *dir = g_getenv (HZ_TEST_LOG_DIR_VARIABLE);

  return dir != NULL && dir[0] != '\0' ? dir : NULL;
}

GSubprocessFlags
hz_test_logs_spawn_flags (void)
{
  return log_dir () != NULL ? G_SUBPROCESS_FLAGS_STDERR_PIPE : 0;
}

/* Returns FALSE, with errno set, when a write fails. */
static gboolean
write_all (int fd, const char *data, gssize length)
{
  while (length > 0)
    {
      ssize_t written = write (fd, data, (size_t) length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        return FALSE;
      data += written;
      length -= written;
    }
  return TRUE;
}

static gpointer
copy_stderr (gpointer data)
{
  Capture *capture = data;
  char buffer[4096];
  gssize length;

  while ((length = g_input_stream_read (capture->input, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      write_all (STDERR_FILENO, buffer, length);
      if (capture->log_fd >= 0 && !write_all (capture->log_fd, buffer, length))
        {
          g_printerr ("hz-test-logs: cannot write a log file: %s\n", g_strerror (errno));
          close (capture->log_fd);
          capture->log_fd = -1;
        }
    }

  if (capture->log_fd >= 0)
    close (capture->log_fd);
  g_object_unref (capture->input);
  g_free (capture);
  return NULL;
}

static void
join_copy (gpointer thread)
{
  g_thread_join (thread);
}

static int
open_log (const char *program, const char *pid)
{
  g_autofree char *dir = g_build_filename (log_dir (), "processes", NULL);
  g_autofree char *base = g_path_get_basename (program);
  g_autofree char *name = g_strdup_printf ("%s-%s.log", base, pid != NULL ? pid : "exited");
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_printerr ("hz-test-logs: cannot create %s: %s\n", dir, g_strerror (errno));
      return -1;
    }
  fd = g_open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    g_printerr ("hz-test-logs: cannot open %s: %s\n", path, g_strerror (errno));
  return fd;
}

void
hz_test_logs_capture (GSubprocess *process, const char *program)
{
  GInputStream *input = g_subprocess_get_stderr_pipe (process);
  Capture *capture;
  GThread *thread;

  if (input == NULL)
    return;

  capture = g_new0 (Capture, 1);
  capture->input = g_object_ref (input);
  capture->log_fd = open_log (program, g_subprocess_get_identifier (process));
  thread = g_thread_new ("hz-test-logs", copy_stderr, capture);
  g_object_set_data_full (G_OBJECT (process), CAPTURE_KEY, thread, join_copy);
}

gboolean
hz_test_logs_save_secret (const HzSecret *secret, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  int fd;

  if (log_dir () == NULL)
    return TRUE;

  dir = g_build_filename (log_dir (), "secrets", NULL);
  path = g_build_filename (dir, "XXXXXX.secret", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0
      || (fd = g_mkstemp_full (path, O_WRONLY | O_CLOEXEC, 0600)) < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create a file in %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  if (!write_all (fd, (const char *) secret->bytes, HZ_SECRET_LENGTH))
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot write %s: %s", path, g_strerror (saved_errno));
      close (fd);
      return FALSE;
    }
  return g_close (fd, error);
}
