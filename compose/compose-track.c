/* Manifest and sidecar reading and the timeline; see compose-track.h. */
#include "compose-track.h"

#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_QUARK (hz-compose-error-quark, hz_compose_error)

void
hz_compose_track_free (HzComposeTrack *track)
{
  g_free (track->path);
  g_free (track->kind);
  g_free (track->track);
  g_free (track->publish);
  g_free (track);
}

void
hz_compose_session_free (HzComposeSession *session)
{
  if (session == NULL)
    return;
  g_clear_pointer (&session->tracks, g_ptr_array_unref);
  g_free (session);
}

/* Splits ".../5-2-video2.webm" into the track name "video2" and the
 * publish ".../5-2". Returns FALSE for a name without "-TRACK.EXT". */
static gboolean
split_track_path (const char *path, char **track, char **publish)
{
  g_autofree char *base = g_path_get_basename (path);
  const char *dash = strrchr (base, '-');
  const char *dot = strrchr (base, '.');
  gsize dir_length = strlen (path) - strlen (base);

  if (dash == NULL || dot == NULL || dot < dash + 2)
    return FALSE;
  *track = g_strndup (dash + 1, (gsize) (dot - dash - 1));
  *publish = g_strndup (path, dir_length + (gsize) (dash - base));
  return TRUE;
}

/* Reads MEMBER of OBJECT as an integer; JSON numbers arrive as int or
 * double depending on their text. */
static gboolean
get_int (JsonObject *object, const char *member, gint64 *value)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64) {
    *value = json_node_get_int (node);
    return TRUE;
  }
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE) {
    *value = (gint64) json_node_get_double (node);
    return TRUE;
  }
  return FALSE;
}

gboolean
hz_compose_track_read_timing (HzComposeTrack *track, const char *json_text, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (!json_parser_load_from_data (parser, json_text, -1, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error_literal (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_MANIFEST,
                         "the timing sidecar is not a JSON object");
    return FALSE;
  }
  object = json_node_get_object (json_parser_get_root (parser));
  if (!get_int (object, "first_running_time_ns", &track->first_running_time_ns)
      || !get_int (object, "running_time_epoch_us", &track->running_time_epoch_us)) {
    g_set_error_literal (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_MANIFEST,
                         "the timing sidecar lacks first_running_time_ns or running_time_epoch_us");
    return FALSE;
  }
  /* Sidecars of relays before the reference have only the first packet,
   * whose timestamp was its arrival. */
  if (get_int (object, "reference_running_time_ns", &track->reference_running_time_ns)
      && get_int (object, "reference_arrival_ns", &track->reference_arrival_ns)) {
    track->has_capture = get_int (object, "reference_capture_us", &track->reference_capture_us);
  } else {
    track->reference_running_time_ns = track->first_running_time_ns;
    track->reference_arrival_ns = track->first_running_time_ns;
    track->has_capture = get_int (object, "first_capture_us", &track->reference_capture_us);
  }
  track->has_timing = TRUE;
  return TRUE;
}

static void
load_sidecar (HzComposeTrack *track)
{
  g_autofree char *sidecar = g_strconcat (track->path, ".timing.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  if (!g_file_get_contents (sidecar, &text, NULL, &error)) {
    g_warning ("%s: no capture timing (%s); placing the track by its start time",
               track->path, error->message);
    return;
  }
  if (!hz_compose_track_read_timing (track, text, &error))
    g_warning ("%s: invalid capture timing (%s); placing the track by its start time",
               sidecar, error->message);
}

static HzComposeTrack *
parse_track (JsonObject *object, GError **error)
{
  g_autoptr (GPtrArray) owner =
    g_ptr_array_new_with_free_func ((GDestroyNotify) hz_compose_track_free);
  HzComposeTrack *track = g_new0 (HzComposeTrack, 1);
  const char *path = json_object_get_string_member_with_default (object, "path", NULL);
  const char *kind = json_object_get_string_member_with_default (object, "kind", NULL);

  g_ptr_array_add (owner, track);
  if (path == NULL || kind == NULL || !get_int (object, "participant_id", &track->participant_id)
      || !get_int (object, "started_at_us", &track->started_at_us)) {
    g_set_error_literal (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_MANIFEST,
                         "a track lacks path, kind, participant_id or started_at_us");
    return NULL;
  }
  if (!g_str_equal (kind, "audio") && !g_str_equal (kind, "video")) {
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_MANIFEST,
                 "track %s: kind \"%s\" is neither audio nor video", path, kind);
    return NULL;
  }
  track->path = g_strdup (path);
  track->kind = g_strdup (kind);
  if (!split_track_path (path, &track->track, &track->publish)) {
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_MANIFEST,
                 "track path %s is not named PUBLISH-TRACK.EXT", path);
    return NULL;
  }
  get_int (object, "ended_at_us", &track->ended_at_us);
  track->presenter = json_object_get_boolean_member_with_default (object, "presenter", FALSE);
  load_sidecar (track);
  return g_ptr_array_steal_index (owner, 0);
}

HzComposeSession *
hz_compose_session_load (const char *path, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (HzComposeSession) session = g_new0 (HzComposeSession, 1);
  JsonObject *root;
  JsonArray *tracks;

  if (!json_parser_load_from_file (parser, path, error)) {
    g_prefix_error (error, "manifest %s: ", path);
    return NULL;
  }
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
         ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  tracks = root != NULL && json_object_has_member (root, "tracks")
           && JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "tracks"))
           ? json_object_get_array_member (root, "tracks") : NULL;
  if (tracks == NULL || !get_int (root, "session_id", &session->session_id)) {
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_MANIFEST,
                 "manifest %s: expected an object with session_id and a tracks array", path);
    return NULL;
  }

  session->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_compose_track_free);
  for (guint i = 0; i < json_array_get_length (tracks); i++) {
    JsonNode *node = json_array_get_element (tracks, i);
    HzComposeTrack *track;

    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_MANIFEST,
                   "manifest %s: track %u is not an object", path, i);
      return NULL;
    }
    track = parse_track (json_node_get_object (node), error);
    if (track == NULL)
      return NULL;
    if (!g_file_test (track->path, G_FILE_TEST_IS_REGULAR)) {
      g_warning ("session %" G_GINT64_FORMAT ": %s is missing; leaving it out",
                 session->session_id, track->path);
      hz_compose_track_free (track);
      continue;
    }
    g_ptr_array_add (session->tracks, track);
  }
  if (session->tracks->len == 0) {
    g_set_error (error, HZ_COMPOSE_ERROR, HZ_COMPOSE_ERROR_NO_TRACKS,
                 "session %" G_GINT64_FORMAT ": none of its track files exists",
                 session->session_id);
    return NULL;
  }
  return g_steal_pointer (&session);
}

/* The relay's running time origin of PUBLISH: the earliest first packet of
 * its tracks. The relay counts every file of a publish from that origin,
 * so file time 0 is this running time. Returns -1 when no track of the
 * publish has timing. */
static gint64
publish_origin_ns (HzComposeSession *session, const char *publish)
{
  gint64 origin = -1;

  for (guint i = 0; i < session->tracks->len; i++) {
    HzComposeTrack *track = session->tracks->pdata[i];

    if (track->has_timing && g_str_equal (track->publish, publish)
        && (origin < 0 || track->first_running_time_ns < origin))
      origin = track->first_running_time_ns;
  }
  return origin;
}

/* The relay's wall clock at the arrival of TRACK's reference packet. */
static gint64
arrival_us (const HzComposeTrack *track)
{
  return track->running_time_epoch_us + track->reference_arrival_ns / 1000;
}

/* The shortest time from capture to the relay's arrival among the tracks
 * of PUBLISH with a capture time, or G_MAXINT64 when none has one. It
 * mixes the sender's clock and the relay's, but the same for every track
 * of the publish, so the difference cancels between them. */
static gint64
publish_delay_us (HzComposeSession *session, const char *publish)
{
  gint64 delay = G_MAXINT64;

  for (guint i = 0; i < session->tracks->len; i++) {
    HzComposeTrack *track = session->tracks->pdata[i];

    if (track->has_timing && track->has_capture && g_str_equal (track->publish, publish))
      delay = MIN (delay, arrival_us (track) - track->reference_capture_us);
  }
  return delay;
}

/* Sets TRACK's file_zero_us, the wall clock at which its file time 0
 * plays, and first_arrival_us. A track with a capture time has its
 * reference packet at that time plus the publish's shortest delay. A track
 * without one has it at its arrival at the relay.
 *
 * NOTE: the relay's rtpbin (rtcp-sync=always) does not lip-sync the
 * tracks of a sender inside webrtcbin (GStreamer 1.22), and each track's
 * arrival carries its own encoder and network delay: a sender's audio and
 * video arrived up to 70 ms apart, and up to 715 ms with every process
 * under ASan on a loaded machine. */
static void
place_track (HzComposeSession *session, HzComposeTrack *track)
{
  gint64 origin_ns, reference_us, delay_us;

  if (!track->has_timing) {
    /* NOTE: without a sidecar, the recorder's start time replaces the
     * first packet's arrival, and the scheduler stores it in whole seconds. */
    track->file_zero_us = track->started_at_us;
    track->first_arrival_us = track->started_at_us;
    return;
  }
  origin_ns = publish_origin_ns (session, track->publish);
  track->first_arrival_us = track->running_time_epoch_us + track->first_running_time_ns / 1000;
  delay_us = track->has_capture ? publish_delay_us (session, track->publish) : G_MAXINT64;
  reference_us = delay_us != G_MAXINT64 ? track->reference_capture_us + delay_us
                                        : arrival_us (track);
  track->file_zero_us = reference_us - (track->reference_running_time_ns - origin_ns) / 1000;
}

void
hz_compose_session_place (HzComposeSession *session)
{
  gint64 start_us = G_MAXINT64, end_us = 0;

  for (guint i = 0; i < session->tracks->len; i++)
    place_track (session, session->tracks->pdata[i]);

  for (guint i = 0; i < session->tracks->len; i++) {
    HzComposeTrack *track = session->tracks->pdata[i];

    start_us = MIN (start_us, track->first_arrival_us);
    end_us = MAX (end_us, track->ended_at_us);
  }
  session->start_us = start_us;
  session->duration_ns = end_us > start_us ? (end_us - start_us) * 1000 : 0;

  for (guint i = 0; i < session->tracks->len; i++) {
    HzComposeTrack *track = session->tracks->pdata[i];

    track->offset_ns = (track->file_zero_us - start_us) * 1000;
  }
}
