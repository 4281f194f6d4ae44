/* GET /sessions/{id}/hls/{file}: the relay writes a teaching round's HLS
 * output to its hls-dir/SESSION (relay/hls.h); the scheduler serves that
 * directory read-only, so the round can be watched in a browser without a
 * separate web server.
 *
 * Only the session's participants (the presenter and the registered
 * audience, the users who may also get a join token) and admins get the
 * files, because a teaching round may show patients. For a large audience
 * the same directory is served by nginx or a CDN with its own access
 * rule; see docs/hls.md. */

#include "hz-sched-api-hls.h"

#include <string.h>

#define PLAYLIST_TYPE "application/vnd.apple.mpegurl"
#define SEGMENT_TYPE "video/mp2t"

gboolean
hz_hls_file_name_is_valid (const char *name)
{
  gsize length = strlen (name);
  const char *digits;

  if (g_str_equal (name, "playlist.m3u8"))
    return TRUE;
  if (!g_str_has_prefix (name, "segment") || !g_str_has_suffix (name, ".ts")
      || length <= strlen ("segment.ts"))
    return FALSE;
  for (digits = name + strlen ("segment"); digits < name + length - strlen (".ts"); digits++)
    if (!g_ascii_isdigit (*digits))
      return FALSE;
  return TRUE;
}

/* Responds 403 not_participant unless the caller is an admin or a
 * participant of SESSION_ID. */
static gboolean
check_may_watch (HzRequest *request, gint64 session_id)
{
  g_autoptr (GError) error = NULL;
  const char *role = NULL;

  if (request->caller->role == HZ_ROLE_ADMIN)
    return TRUE;
  if (!hz_store_get_participant_role (request->sched->db, session_id, request->caller->id,
                                      &role, &error))
    {
      hz_request_respond_gerror (request, error);
      return FALSE;
    }
  if (role == NULL)
    {
      g_message ("HLS of session %" G_GINT64_FORMAT " rejected for user %" G_GINT64_FORMAT
                 ": not a participant", session_id, request->caller->id);
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_PARTICIPANT);
      return FALSE;
    }
  return TRUE;
}

void
hz_api_get_hls_file (HzRequest *request)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (request->msg));
  const char *name = strrchr (path, '/') + 1;
  g_autoptr (GError) error = NULL;
  g_autoptr (HzSession) session = NULL;
  g_autofree char *session_name = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  gboolean playlist = g_str_equal (name, "playlist.m3u8");
  SoupMessageHeaders *headers;
  gsize length = 0;

  session = hz_store_get_session (request->sched->db, request->path_id, &error);
  if (session == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (!check_may_watch (request, session->id))
    return;
  if (!session->hls)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  session_name = g_strdup_printf ("%" G_GINT64_FORMAT, session->id);
  file = g_build_filename (request->sched->config->scheduler.hls_dir, session_name, name, NULL);
  if (!g_file_get_contents (file, &contents, &length, &error))
    {
      /* Before the presenter publishes there is no playlist yet, and old
       * segments are deleted as the playlist moves on. */
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Cannot read the HLS file %s: %s", file, error->message);
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  headers = soup_server_message_get_response_headers (request->msg);
  /* A live playlist changes every segment; a segment never changes. The
   * files need a login, so shared caches must not keep them. */
  soup_message_headers_replace (headers, "Cache-Control",
                                playlist ? "private, no-cache" : "private, max-age=86400");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (request->msg, playlist ? PLAYLIST_TYPE : SEGMENT_TYPE,
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&contents), length);
}
