/* Static files of [scheduler] web-root: the pages that clinicians open,
 * such as join.html. */

#include "hz-sched-request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  const char *extension;
  const char *content_type;
} HzContentType;

static const HzContentType content_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".mjs", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".json", "application/json" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".ico", "image/x-icon" },
  { ".webm", "video/webm" },
  { ".wav", "audio/wav" },
  { ".txt", "text/plain; charset=utf-8" },
};

static const char *
content_type_for (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (content_types); i++)
    if (g_str_has_suffix (path, content_types[i].extension))
      return content_types[i].content_type;
  return "application/octet-stream";
}

/* Rejects paths with a "." or ".." segment, a backslash or a NUL, before
 * anything touches the file system. */
static gboolean
request_path_is_safe (const char *path)
{
  g_auto (GStrv) segments = NULL;

  if (path[0] != '/' || strchr (path, '\\') != NULL)
    return FALSE;

  segments = g_strsplit (path + 1, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      if (g_str_equal (segments[i], ".") || g_str_equal (segments[i], ".."))
        return FALSE;
    }

  return TRUE;
}

/* Maps PATH to a regular file below WEB_ROOT, following symbolic links
 * and checking that the resolved file is still below WEB_ROOT. A path
 * ending in "/" names the directory's index.html. Returns NULL when there
 * is no such file. */
static char *
resolve_file (const char *web_root,
              const char *path)
{
  g_autofree char *relative = NULL;
  g_autofree char *candidate = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *prefix = g_strconcat (web_root, "/", NULL);
  struct stat status;

  relative = g_str_has_suffix (path, "/") ? g_strconcat (path + 1, "index.html", NULL)
                                          : g_strdup (path + 1);
  candidate = g_build_filename (web_root, relative, NULL);

  resolved = realpath (candidate, NULL);
  if (resolved == NULL || !g_str_has_prefix (resolved, prefix))
    return NULL;

  if (stat (resolved, &status) != 0 || !S_ISREG (status.st_mode))
    return NULL;

  return g_steal_pointer (&resolved);
}

static void
respond_not_found (SoupServerMessage *msg)
{
  hz_respond_error (msg, hz_request_language (msg), HZ_SCHED_ERROR_NOT_FOUND);
}

void
hz_static_serve (HzSched           *sched,
                 SoupServerMessage *msg,
                 const char        *path)
{
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *file = NULL;
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
    {
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      hz_respond_error (msg, hz_request_language (msg), HZ_SCHED_ERROR_METHOD_NOT_ALLOWED);
      return;
    }

  if (sched->web_root == NULL || !request_path_is_safe (path))
    {
      respond_not_found (msg);
      return;
    }

  file = resolve_file (sched->web_root, path);
  if (file == NULL)
    {
      respond_not_found (msg);
      return;
    }

  mapped = g_mapped_file_new (file, FALSE, &error);
  if (mapped == NULL)
    {
      g_warning ("Cannot read %s: %s", file, error->message);
      hz_respond_error (msg, hz_request_language (msg), HZ_SCHED_ERROR_INTERNAL);
      return;
    }

  bytes = g_mapped_file_get_bytes (mapped);
  soup_message_headers_replace (headers, "Content-Type", content_type_for (file));
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  if (g_str_has_prefix (content_type_for (file), "text/html") &&
      sched->content_security_policy != NULL)
    soup_message_headers_replace (headers, "Content-Security-Policy",
                                  sched->content_security_policy);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}
