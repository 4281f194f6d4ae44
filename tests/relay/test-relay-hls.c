/* HLS output of teaching rounds, end to end: the real scheduler and relay
 * on loopback and an hz-test-peer presenter who publishes a VP8 test
 * pattern and an Opus tone.
 *
 * A round booked with "hls": true makes the relay transcode the
 * presenter's feed to H.264 and AAC in MPEG-TS segments under
 * hls-dir/SESSION; the scheduler serves them at
 * /api/v1/sessions/SESSION/hls/FILE to the round's participants. The test
 * fetches the playlist and every segment over HTTP like a player, decodes
 * them with GStreamer and checks the playlist's end, for a VP8 and an
 * H.264 presenter and for a presenter who leaves and publishes again. A
 * round without HLS writes nothing.
 *
 * The test tools come from --hz-test-peer=PATH, or from
 * $HUIZHEN_BUILD_ROOT/tests/tools.
 */
#define G_LOG_DOMAIN "hz-test-relay"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <libsoup/soup.h>
#include <string.h>

#include "relay-test-peer.h"

/* The round runs from a minute ago for an hour, so every token is valid
 * during the test. The consultation of the booking helper is a day later,
 * so that it does not conflict with the presenter's round. */
#define ROUND_START_OFFSET_S (-60)
#define ROUND_DURATION_S 3600
#define CONSULTATION_OFFSET_S (24 * 3600)
#define CONSULTATION_DURATION_S 1800

#define PUBLISH_SECONDS 12
/* Each of the two publishes of the returning presenter, and the pause
 * after each. */
#define RETURN_PUBLISH_SECONDS 6
#define RETURN_GAP_MS 3000
#define EXIT_TIMEOUT_MS 40000
#define EVENT_TIMEOUT_MS 15000
#define PEER_EXIT_OK 0

/* How long the test waits for EXT-X-ENDLIST after the presenter left: the
 * relay gives the encoder HZ_HLS_FINISH_TIMEOUT_MS (5 s) to finish. */
#define ENDLIST_WAIT_MS 15000
/* How long a round without HLS gets to write something wrongly. */
#define NO_OUTPUT_WAIT_MS 3000
#define DECODE_TIMEOUT_S 60

typedef struct {
  HzTestDaemons *daemons;
  HzTestBooking booking;
  gint64 series_id;
  gint64 session_id;
  char *presenter_token;
} HlsRound;

static void
hls_round_free (HlsRound *round)
{
  g_free (round->presenter_token);
  hz_test_booking_clear (&round->booking);
  g_clear_pointer (&round->daemons, hz_test_daemons_stop);
  g_free (round);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HlsRound, hls_round_free)

static char *
utc_time (gint64 offset_s)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) time = g_date_time_add_seconds (now, (gdouble) offset_s);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Books a teaching round presented by the booking's expert for the
 * county's staff, registers the county doctor and requests the
 * presenter's join token. */
static HlsRound *
start_round (gboolean hls)
{
  g_autoptr (HlsRound) round = g_new0 (HlsRound, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) created = NULL;
  g_autoptr (JsonNode) registered = NULL;
  g_autofree char *start = utc_time (ROUND_START_OFFSET_S);
  g_autofree char *end = utc_time (ROUND_START_OFFSET_S + ROUND_DURATION_S);
  g_autofree char *body = NULL;
  g_autofree char *registration_path = NULL;
  JsonObject *series;
  JsonArray *occurrences;
  guint status = 0;

  round->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER | HZ_TEST_DAEMONS_RELAY,
                                          &error);
  g_assert_no_error (error);
  hz_test_book_consultation (round->daemons, CONSULTATION_OFFSET_S, CONSULTATION_DURATION_S,
                             &round->booking, &error);
  g_assert_no_error (error);

  body = g_strdup_printf ("{\"presenter_id\": %" G_GINT64_FORMAT ", \"title\": \"心内科教学查房\","
                          " \"start\": \"%s\", \"end\": \"%s\", \"capacity\": 100,"
                          " \"audience_org_ids\": [%" G_GINT64_FORMAT "], \"hls\": %s}",
                          round->booking.expert_id, start, end, round->booking.county_org_id,
                          hls ? "true" : "false");
  created = hz_test_http (round->daemons, "POST", "/api/v1/teaching-sessions",
                          round->booking.expert_key, body, "en", &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_nonnull (created);
  series = json_node_get_object (created);
  g_assert_cmpint (json_object_get_boolean_member (series, "hls"), ==, hls);
  round->series_id = json_object_get_int_member (series, "id");
  occurrences = json_object_get_array_member (series, "occurrences");
  g_assert_cmpuint (json_array_get_length (occurrences), ==, 1);
  round->session_id = json_object_get_int_member (json_array_get_object_element (occurrences, 0),
                                                  "session_id");

  registration_path = g_strdup_printf ("/api/v1/teaching-sessions/%" G_GINT64_FORMAT
                                       "/registrations", round->series_id);
  registered = hz_test_http (round->daemons, "POST", registration_path,
                             round->booking.doctor_key, NULL, "en", &status);
  g_assert_cmpuint (status, <, 300);

  round->presenter_token = hz_test_join_token (round->daemons, round->session_id,
                                               round->booking.expert_key, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&round);
}

/* Publishes as the presenter for PUBLISH_SECONDS, in H.264 with H264, and
 * waits until the peer has left. */
static void
run_presenter (const RelayTestTools *tools, HlsRound *round, gboolean h264)
{
  g_autofree char *duration = g_strdup_printf ("--duration=%d", PUBLISH_SECONDS);
  const char *args[] = { duration, h264 ? "--h264" : NULL, NULL };
  g_autoptr (RelayTestPeer) presenter = relay_test_peer_start (tools, round->daemons,
                                                               round->session_id,
                                                               round->presenter_token,
                                                               "presenter", args);

  g_assert_nonnull (relay_test_peer_wait_event (presenter, "joined", NULL, NULL,
                                                EVENT_TIMEOUT_MS));
  g_assert_cmpint (relay_test_peer_wait_exit (presenter, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
}

static char *
session_hls_dir (HlsRound *round)
{
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT, round->session_id);

  return g_build_filename (round->daemons->hls_dir, name, NULL);
}

/* Waits until the playlist on disk ends with EXT-X-ENDLIST, or until
 * ENDLIST_WAIT_MS has passed, and returns whether it did. */
static gboolean
wait_playlist_ended (HlsRound *round)
{
  g_autofree char *dir = session_hls_dir (round);
  g_autofree char *path = g_build_filename (dir, "playlist.m3u8", NULL);
  gint64 deadline = g_get_monotonic_time () + ENDLIST_WAIT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, "#EXT-X-ENDLIST"))
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (200 * G_TIME_SPAN_MILLISECOND);
    }
}

typedef struct {
  guint status;
  char *content_type;
  GBytes *body;
} HttpFile;

static void
http_file_clear (HttpFile *file)
{
  g_clear_pointer (&file->content_type, g_free);
  g_clear_pointer (&file->body, g_bytes_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HttpFile, http_file_clear)

/* GETs NAME of the round's HLS output from the scheduler with KEY. */
static HttpFile
fetch_hls_file (HlsRound *round, const char *key, const char *name)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/api/v1/sessions/%" G_GINT64_FORMAT "/hls/%s",
                                          round->daemons->scheduler_url, round->session_id,
                                          name);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  g_autofree char *authorization = g_strdup_printf ("Bearer %s", key);
  g_autoptr (GError) error = NULL;
  HttpFile file = { 0 };
  const char *type;

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  file.body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  file.status = soup_message_get_status (message);
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (message),
                                                NULL);
  file.content_type = g_strdup (type);
  g_test_message ("GET %s: %u %s", name, file.status, type != NULL ? type : "");
  return file;
}

/* The duration and segment names of a media playlist. */
typedef struct {
  double seconds;
  GPtrArray *segments;
} Playlist;

static Playlist
parse_playlist (GBytes *body)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  Playlist playlist = { 0, g_ptr_array_new_with_free_func (g_free) };

  g_assert_true (g_str_has_prefix (text, "#EXTM3U"));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "#EXTINF:"))
        playlist.seconds += g_ascii_strtod (line + strlen ("#EXTINF:"), NULL);
      else if (line[0] != '\0' && line[0] != '#')
        g_ptr_array_add (playlist.segments, g_strdup (line));
    }
  return playlist;
}

/* What the decoder produced from the segments. */
typedef struct {
  GMutex lock;
  guint64 video_frames;
  guint64 audio_samples;
  gint audio_rate;
  gboolean failed;
  GMainLoop *loop;
} Decoded;

static GstPadProbeReturn
count_buffer (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Decoded *decoded = data;
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstStructure *structure = caps != NULL ? gst_caps_get_structure (caps, 0) : NULL;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  if (structure == NULL)
    return GST_PAD_PROBE_OK;
  g_mutex_lock (&decoded->lock);
  if (gst_structure_has_name (structure, "video/x-raw"))
    {
      decoded->video_frames++;
    }
  else if (gst_structure_has_name (structure, "audio/x-raw"))
    {
      gint channels = 1;

      gst_structure_get_int (structure, "rate", &decoded->audio_rate);
      gst_structure_get_int (structure, "channels", &channels);
      decoded->audio_samples += gst_buffer_get_size (buffer) / (4 * (guint) channels);
    }
  g_mutex_unlock (&decoded->lock);
  return GST_PAD_PROBE_OK;
}

static void
on_decoded_pad (GstElement *decodebin, GstPad *pad, gpointer data)
{
  GstElement *pipeline = GST_ELEMENT (gst_element_get_parent (decodebin));
  GstElement *convert = gst_element_factory_make ("audioconvert", NULL);
  GstElement *filter = gst_element_factory_make ("capsfilter", NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr (GstPad) sink_pad = NULL;
  gboolean audio = g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps, 0)),
                                     "audio/");

  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  if (audio)
    {
      /* F32 samples, so that 4 bytes make one sample of one channel. */
      g_autoptr (GstCaps) f32 = gst_caps_from_string ("audio/x-raw,format=F32LE");

      g_object_set (filter, "caps", f32, NULL);
      gst_bin_add_many (GST_BIN (pipeline), convert, filter, NULL);
      gst_element_link_many (convert, filter, sink, NULL);
      sink_pad = gst_element_get_static_pad (convert, "sink");
      gst_element_sync_state_with_parent (filter);
      gst_element_sync_state_with_parent (convert);
    }
  else
    {
      gst_object_unref (gst_object_ref_sink (convert));
      gst_object_unref (gst_object_ref_sink (filter));
      sink_pad = gst_element_get_static_pad (sink, "sink");
    }
  gst_element_sync_state_with_parent (sink);
  gst_pad_link (pad, sink_pad);
  {
    g_autoptr (GstPad) probe_pad = gst_element_get_static_pad (sink, "sink");

    gst_pad_add_probe (probe_pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, data, NULL);
  }
  gst_object_unref (pipeline);
}

static gboolean
on_decode_bus (GstBus *bus, GstMessage *message, gpointer data)
{
  Decoded *decoded = data;
  g_autoptr (GError) error = NULL;

  (void) bus;
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gst_message_parse_error (message, &error, NULL);
      g_test_message ("decoding failed: %s", error->message);
      decoded->failed = TRUE;
      g_main_loop_quit (decoded->loop);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
    {
      g_main_loop_quit (decoded->loop);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_decode_timeout (gpointer data)
{
  Decoded *decoded = data;

  g_test_message ("decoding timed out after %d s", DECODE_TIMEOUT_S);
  decoded->failed = TRUE;
  g_main_loop_quit (decoded->loop);
  return G_SOURCE_REMOVE;
}

/* Decodes the MPEG-TS file PATH with decodebin into DECODED. */
static void
decode_transport_stream (const char *path, Decoded *decoded)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) source = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GMainContext) context = g_main_context_new ();
  GstElement *decodebin;
  GSource *timeout;

  pipeline = gst_parse_launch ("filesrc name=source ! decodebin name=decoder", &error);
  g_assert_no_error (error);
  source = gst_bin_get_by_name (GST_BIN (pipeline), "source");
  g_object_set (source, "location", path, NULL);
  decodebin = gst_bin_get_by_name (GST_BIN (pipeline), "decoder");
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_decoded_pad), decoded);
  gst_object_unref (decodebin);

  g_main_context_push_thread_default (context);
  decoded->loop = g_main_loop_new (context, FALSE);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_decode_bus, decoded);
  timeout = g_timeout_source_new_seconds (DECODE_TIMEOUT_S);
  g_source_set_callback (timeout, on_decode_timeout, decoded, NULL);
  g_source_attach (timeout, context);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_main_loop_run (decoded->loop);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  g_source_destroy (timeout);
  g_source_unref (timeout);
  gst_bus_remove_watch (bus);
  g_main_loop_unref (decoded->loop);
  g_main_context_pop_thread_default (context);
}

/* Checks that DECODED has about PUBLISHED_S seconds of video and audio.
 * The presenter's connection and first keyframe may take up to a quarter
 * of it on a loaded machine, and hlssink2 rounds each EXTINF to whole
 * seconds, so the bounds come from the publish, not from the playlist. */
static void
assert_published_media (const Decoded *decoded, double published_s)
{
  /* The output runs at 25 frames per second. */
  double video_seconds = decoded->video_frames / 25.0;
  double audio_seconds = decoded->audio_rate > 0
                         ? (double) decoded->audio_samples / decoded->audio_rate : 0;

  g_assert_false (decoded->failed);
  g_assert_cmpfloat (video_seconds, >=, published_s * 0.75);
  g_assert_cmpfloat (video_seconds, <=, published_s + 2.0);
  g_assert_cmpfloat (audio_seconds, >=, published_s * 0.75);
  g_assert_cmpfloat (audio_seconds, <=, published_s + 2.0);
}

/* Checks that the relay wrote the round's directory and files owner-only,
 * like recordings, because they show patients. */
static void
assert_owner_only (HlsRound *round)
{
  g_autofree char *dir_path = session_hls_dir (round);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  GStatBuf status;
  guint n_files = 0;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_stat (dir_path, &status), ==, 0);
  g_assert_cmpint (status.st_mode & 0777, ==, 0700);
  for (const char *name = g_dir_read_name (dir); name != NULL; name = g_dir_read_name (dir))
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);

      g_test_message ("checking the mode of %s", name);
      g_assert_cmpint (g_stat (path, &status), ==, 0);
      g_assert_cmpint (status.st_mode & 0777, ==, 0600);
      n_files++;
    }
  g_assert_cmpuint (n_files, >, 1);
}

/* Returns whether the playlist on disk ends the stream already. */
static gboolean
playlist_has_ended (HlsRound *round)
{
  g_autofree char *dir = session_hls_dir (round);
  g_autofree char *path = g_build_filename (dir, "playlist.m3u8", NULL);
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, "#EXT-X-ENDLIST");
}

/* Fetches the playlist and its segments as the registered viewer, checks
 * their types and returns the decoded media of all segments in order. */
static Playlist
fetch_and_decode (HlsRound *round, Decoded *decoded)
{
  g_auto (HttpFile) playlist_file = { 0 };
  g_autoptr (GFileIOStream) ts_stream = NULL;
  g_autoptr (GFile) ts_file = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *ts_path = NULL;
  GOutputStream *output;
  Playlist playlist;

  playlist_file = fetch_hls_file (round, round->booking.doctor_key, "playlist.m3u8");
  g_assert_cmpuint (playlist_file.status, ==, 200);
  g_assert_cmpstr (playlist_file.content_type, ==, "application/vnd.apple.mpegurl");
  playlist = parse_playlist (playlist_file.body);
  g_test_message ("playlist: %u segments, %.1f s", playlist.segments->len, playlist.seconds);

  ts_file = g_file_new_tmp ("hz-hls-XXXXXX.ts", &ts_stream, &error);
  g_assert_no_error (error);
  output = g_io_stream_get_output_stream (G_IO_STREAM (ts_stream));
  for (guint i = 0; i < playlist.segments->len; i++)
    {
      g_auto (HttpFile) segment = fetch_hls_file (round, round->booking.doctor_key,
                                                  g_ptr_array_index (playlist.segments, i));

      g_assert_cmpuint (segment.status, ==, 200);
      g_assert_cmpstr (segment.content_type, ==, "video/mp2t");
      g_assert_true (g_output_stream_write_all (output, g_bytes_get_data (segment.body, NULL),
                                                g_bytes_get_size (segment.body), NULL, NULL,
                                                &error));
      g_assert_no_error (error);
    }
  g_io_stream_close (G_IO_STREAM (ts_stream), NULL, &error);
  g_assert_no_error (error);

  ts_path = g_file_get_path (ts_file);
  decode_transport_stream (ts_path, decoded);
  g_file_delete (ts_file, NULL, NULL);
  g_test_message ("decoded %" G_GUINT64_FORMAT " video frames and %.1f s of audio",
                  decoded->video_frames, decoded->audio_rate > 0
                  ? (double) decoded->audio_samples / decoded->audio_rate : 0.0);
  return playlist;
}

static void
test_playlist_decodes (gconstpointer data)
{
  g_autoptr (HlsRound) round = start_round (TRUE);
  g_auto (HttpFile) forbidden = { 0 };
  g_auto (HttpFile) missing = { 0 };
  const char *other_names[] = { "playlist.m3u8.tmp", "segment.ts", "segment1x.ts",
                                "index.html" };
  Playlist playlist;
  Decoded decoded = { 0 };

  run_presenter (data, round, FALSE);
  g_assert_true (wait_playlist_ended (round));

  assert_owner_only (round);

  /* The registered viewer fetches like a player. */
  playlist = fetch_and_decode (round, &decoded);
  g_assert_cmpuint (playlist.segments->len, >=, 2);
  g_assert_cmpfloat (playlist.seconds, >=, PUBLISH_SECONDS / 2.0);
  g_assert_cmpfloat (playlist.seconds, <=, PUBLISH_SECONDS + 5.0);
  assert_published_media (&decoded, PUBLISH_SECONDS);
  g_ptr_array_unref (playlist.segments);

  /* The coordinator is no participant of the round. */
  forbidden = fetch_hls_file (round, round->booking.coordinator_key, "playlist.m3u8");
  g_assert_cmpuint (forbidden.status, ==, 403);
  missing = fetch_hls_file (round, round->booking.doctor_key, "segment99999.ts");
  g_assert_cmpuint (missing.status, ==, 404);

  /* Only names that the relay writes are served from hls-dir. */
  for (guint i = 0; i < G_N_ELEMENTS (other_names); i++)
    {
      g_auto (HttpFile) other = fetch_hls_file (round, round->booking.doctor_key,
                                                other_names[i]);

      g_assert_cmpuint (other.status, ==, 404);
    }
}

/* A presenter who sends H.264 in place of VP8 is decoded with openh264dec. */
static void
test_h264_presenter (gconstpointer data)
{
  g_autoptr (HlsRound) round = start_round (TRUE);
  Decoded decoded = { 0 };
  Playlist playlist;

  run_presenter (data, round, TRUE);
  g_assert_true (wait_playlist_ended (round));

  playlist = fetch_and_decode (round, &decoded);
  g_assert_cmpfloat (playlist.seconds, >=, PUBLISH_SECONDS / 2.0);
  assert_published_media (&decoded, PUBLISH_SECONDS);
  g_ptr_array_unref (playlist.segments);
}

/* A presenter who leaves while a viewer stays, and publishes again, goes
 * on in the same playlist; it ends only when the room empties. */
static void
test_presenter_returns (gconstpointer data)
{
  const RelayTestTools *tools = data;
  g_autoptr (HlsRound) round = start_round (TRUE);
  g_autoptr (GError) error = NULL;
  g_autofree char *viewer_token = hz_test_join_token (round->daemons, round->session_id,
                                                      round->booking.doctor_key, &error);
  g_autofree char *duration = g_strdup_printf ("--duration=%d", RETURN_PUBLISH_SECONDS);
  const char *viewer_args[] = { "--no-publish", "--duration=120", NULL };
  const char *presenter_args[] = { duration, NULL };
  g_autoptr (RelayTestPeer) viewer = NULL;
  Decoded decoded = { 0 };
  Playlist playlist;

  g_assert_no_error (error);
  viewer = relay_test_peer_start (tools, round->daemons, round->session_id, viewer_token,
                                  "viewer", viewer_args);
  g_assert_nonnull (relay_test_peer_wait_event (viewer, "joined", NULL, NULL, EVENT_TIMEOUT_MS));

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (RelayTestPeer) presenter = relay_test_peer_start (tools, round->daemons,
                                                                   round->session_id,
                                                                   round->presenter_token,
                                                                   "presenter",
                                                                   presenter_args);

      g_assert_nonnull (relay_test_peer_wait_event (presenter, "joined", NULL, NULL,
                                                    EVENT_TIMEOUT_MS));
      g_assert_cmpint (relay_test_peer_wait_exit (presenter, EXIT_TIMEOUT_MS), ==,
                       PEER_EXIT_OK);
      /* The viewer is still in the room, so the round goes on. */
      g_usleep (RETURN_GAP_MS * G_TIME_SPAN_MILLISECOND);
      g_assert_false (playlist_has_ended (round));
    }

  relay_test_peer_terminate (viewer);
  g_assert_cmpint (relay_test_peer_wait_exit (viewer, EXIT_TIMEOUT_MS), ==, PEER_EXIT_OK);
  g_assert_true (wait_playlist_ended (round));

  playlist = fetch_and_decode (round, &decoded);
  g_assert_false (decoded.failed);
  /* Both publishes are in the playlist: more than one publish's worth of
   * video at 25 frames per second, and of audio. */
  g_assert_cmpuint (decoded.video_frames, >=, (guint64) (RETURN_PUBLISH_SECONDS * 25 * 1.5));
  g_assert_cmpuint (decoded.audio_samples, >=,
                    (guint64) (RETURN_PUBLISH_SECONDS * 1.5 * MAX (decoded.audio_rate, 1)));
  g_ptr_array_unref (playlist.segments);
}

static void
test_round_without_hls (gconstpointer data)
{
  g_autoptr (HlsRound) round = start_round (FALSE);
  g_autofree char *dir = NULL;
  g_auto (HttpFile) playlist_file = { 0 };

  run_presenter (data, round, FALSE);
  g_usleep (NO_OUTPUT_WAIT_MS * G_TIME_SPAN_MILLISECOND);

  dir = session_hls_dir (round);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  playlist_file = fetch_hls_file (round, round->booking.doctor_key, "playlist.m3u8");
  g_assert_cmpuint (playlist_file.status, ==, 404);
}

int
main (int argc, char **argv)
{
  RelayTestTools tools = { 0 };
  int status;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  tools.peer = relay_test_tool_path (argc, argv, "hz-test-peer", "hz-test-peer");
  if (tools.peer == NULL)
    {
      g_printerr ("pass --hz-test-peer=PATH or set HUIZHEN_BUILD_ROOT\n");
      return 77;
    }
  g_test_add_data_func ("/relay-hls/playlist-decodes", &tools, test_playlist_decodes);
  g_test_add_data_func ("/relay-hls/h264-presenter", &tools, test_h264_presenter);
  g_test_add_data_func ("/relay-hls/presenter-returns", &tools, test_presenter_returns);
  g_test_add_data_func ("/relay-hls/round-without-hls", &tools, test_round_without_hls);
  status = g_test_run ();
  g_free (tools.peer);
  return status;
}
