/* A room's HLS output: which feed it carries and when it ends; see
 * hls.h for the media side.
 *
 * The output starts with the first ready feed of a presenter (role
 * publish) once a confirmed session check asked for HLS. It follows that
 * presenter's feed: when the feed closes, the output waits for the next
 * presenter feed and continues the same playlist. It ends, with
 * EXT-X-ENDLIST, when the last participant leaves the room. Main thread
 * only.
 */
#include "room-private.h"

static void
start_output (HzRoom *room)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, room->session_id);
  g_autofree char *dir = g_build_filename (room->relay->config->relay.hls_dir, name, NULL);
  g_autofree char *log_prefix = g_strdup_printf ("session %" G_GINT64_FORMAT, room->session_id);

  room->hls = hz_hls_new (room->pipeline, &room->relay->config->relay, dir, log_prefix, &error);
  if (room->hls == NULL)
    g_warning ("session %" G_GINT64_FORMAT ": no HLS output: %s", room->session_id,
               error->message);
}

/* Attaches the output to the first ready presenter feed in ROOM. */
static void
attach_any_presenter (HzRoom *room)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, room->participants);
  while (room->hls_publisher_id == NULL && g_hash_table_iter_next (&iter, NULL, &value)) {
    HzParticipant *participant = value;

    if (participant->ingest != NULL && hz_ingest_is_ready (participant->ingest))
      hz_room_hls_attach (participant);
  }
}

static void
on_output_done (HzHls *hls, gboolean ended, gpointer data)
{
  HzRoom *room = data;

  g_assert (room->hls_finishing == hls);
  room->hls_finishing = NULL;
  if (!ended)
    g_warning ("session %" G_GINT64_FORMAT ": the HLS playlist was not ended", room->session_id);
  room->n_finishing_recorders--;
  hz_room_destroy_if_unused (room);
}

static void
end_output (HzRoom *room)
{
  /* NOTE: an output still finishing from an earlier end is dropped
   * unfinished. Only a booking that turns HLS off and on again within
   * HZ_HLS_FINISH_TIMEOUT_MS reaches this point with one. */
  if (room->hls_finishing != NULL)
    hz_hls_free (g_steal_pointer (&room->hls_finishing));
  g_clear_pointer (&room->hls_publisher_id, g_free);
  room->n_finishing_recorders++;
  room->hls_finishing = g_steal_pointer (&room->hls);
  hz_hls_finish (room->hls_finishing, on_output_done, room);
}

void
hz_room_set_hls (HzRoom *room, gboolean hls)
{
  if ((room->hls != NULL) == hls)
    return;
  g_message ("session %" G_GINT64_FORMAT ": HLS output %s", room->session_id,
             hls ? "requested by the booking" : "off");
  if (!hls) {
    end_output (room);
    return;
  }
  start_output (room);
  if (room->hls != NULL)
    attach_any_presenter (room);
}

void
hz_room_hls_attach (HzParticipant *publisher)
{
  HzRoom *room = publisher->room;
  const GArray *tracks;
  const HzIngestTrack *video = NULL;
  const HzIngestTrack *audio = NULL;
  g_autoptr (GError) error = NULL;

  if (room->hls == NULL || room->hls_publisher_id != NULL
      || publisher->role != HZ_TOKEN_ROLE_PUBLISH)
    return;

  tracks = hz_ingest_get_tracks (publisher->ingest);
  for (guint i = 0; i < tracks->len; i++) {
    const HzIngestTrack *track = &g_array_index (tracks, HzIngestTrack, i);

    if (g_str_equal (track->name, "video"))
      video = track;
    else if (g_str_equal (track->name, "audio"))
      audio = track;
  }
  if (!hz_hls_attach (room->hls, video != NULL ? video->tee : NULL,
                      video != NULL ? video->caps : NULL, audio != NULL ? audio->tee : NULL,
                      audio != NULL ? audio->caps : NULL, &error)) {
    g_warning ("%s: the HLS output cannot use this feed: %s", publisher->log_prefix,
               error->message);
    return;
  }
  room->hls_publisher_id = g_strdup (publisher->id);
  g_message ("%s: HLS output carries this feed", publisher->log_prefix);

  /* A video decoder that joins a running stream waits for a keyframe. */
  if (video != NULL)
    hz_ingest_request_keyframe (publisher->ingest);
}

void
hz_room_hls_detach (HzParticipant *publisher)
{
  HzRoom *room = publisher->room;

  if (room->hls == NULL || g_strcmp0 (room->hls_publisher_id, publisher->id) != 0)
    return;
  hz_hls_detach (room->hls);
  g_clear_pointer (&room->hls_publisher_id, g_free);
}

gboolean
hz_room_hls_finish (HzRoom *room)
{
  if (room->hls == NULL)
    return FALSE;
  end_output (room);
  return TRUE;
}

gboolean
hz_room_hls_handle_message (HzRoom *room, GstMessage *message)
{
  if (room->hls_finishing != NULL && hz_hls_handle_message (room->hls_finishing, message))
    return TRUE;
  return room->hls != NULL && hz_hls_handle_message (room->hls, message);
}
