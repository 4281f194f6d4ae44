/* Unit tests of where the composer places recorded tracks
 * (compose/compose-track.h): a sender's tracks by its capture times,
 * different senders by their arrival at the relay, and sidecars without
 * an anchor or a sender report. */
#include "compose-track.h"

#define EPOCH_US G_GINT64_CONSTANT (1796442200000000)

/* Adds a track of PUBLISH to SESSION with the sidecar TIMING_JSON. */
static HzComposeTrack *
add_track (HzComposeSession *session, const char *publish, const char *kind,
           const char *timing_json)
{
  HzComposeTrack *track = g_new0 (HzComposeTrack, 1);
  g_autoptr (GError) error = NULL;

  track->path = g_strdup_printf ("%s-%s.webm", publish, kind);
  track->kind = g_strdup (kind);
  track->track = g_strdup (kind);
  track->publish = g_strdup (publish);
  track->started_at_us = EPOCH_US;
  g_assert_true (hz_compose_track_read_timing (track, timing_json, &error));
  g_assert_no_error (error);
  g_ptr_array_add (session->tracks, track);
  return track;
}

static HzComposeSession *
new_session (void)
{
  HzComposeSession *session = g_new0 (HzComposeSession, 1);

  session->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_compose_track_free);
  return session;
}

/* A sidecar whose first packet arrived FIRST_MS after EPOCH_US, and whose
 * reference packet has the timestamp REFERENCE_MS, arrived at ARRIVAL_MS
 * and was captured at CAPTURE_MS (all as running times from EPOCH_US). */
static char *
sidecar (int first_ms, int reference_ms, int arrival_ms, int capture_ms)
{
  return g_strdup_printf ("{\"first_running_time_ns\": %d000000, \"running_time_epoch_us\": %"
                          G_GINT64_FORMAT ", \"reference_running_time_ns\": %d000000,"
                          " \"reference_arrival_ns\": %d000000,"
                          " \"reference_capture_us\": %" G_GINT64_FORMAT "}",
                          first_ms, EPOCH_US, reference_ms, arrival_ms,
                          EPOCH_US + (gint64) capture_ms * 1000);
}

/* The composed time, in ms, at which TRACK's file time FILE_MS plays. */
static gint64
composed_ms (const HzComposeTrack *track, gint64 file_ms)
{
  return track->offset_ns / 1000000 + file_ms;
}

static void
test_sender_tracks_by_capture (void)
{
  g_autoptr (HzComposeSession) session = new_session ();
  g_autofree char *audio_json = sidecar (1000, 1000, 1000, 900);
  g_autofree char *video_json = sidecar (1000, 1000, 1000, 840);
  HzComposeTrack *audio, *video;

  /* Both first packets arrived at once, but the video was captured 60 ms
   * before the audio: it took 60 ms longer to reach the relay. */
  audio = add_track (session, "1/5", "audio", audio_json);
  video = add_track (session, "1/5", "video", video_json);
  hz_compose_session_place (session);

  /* File time 0 is each file's first packet; the video's plays 60 ms
   * before the audio's, and before the composed file starts at the first
   * arrival: its first 60 ms are left out. */
  g_assert_cmpint (composed_ms (audio, 0), ==, 0);
  g_assert_cmpint (composed_ms (video, 0), ==, -60);
}

static void
test_reference_after_burst (void)
{
  g_autoptr (HzComposeSession) session = new_session ();
  /* The audio came in a burst: its reference, at file time 900 ms, arrived
   * at 1500 ms and was captured at 1400 ms. The video's first packet, its
   * reference, arrived at 1000 ms and was captured at 950 ms. */
  g_autofree char *audio_json = sidecar (1000, 1900, 1500, 1400);
  g_autofree char *video_json = sidecar (1000, 1000, 1000, 950);
  HzComposeTrack *audio, *video;

  audio = add_track (session, "1/5", "audio", audio_json);
  video = add_track (session, "1/5", "video", video_json);
  hz_compose_session_place (session);

  /* Both references sit at their capture times plus the shortest delay
   * (50 ms): the audio's at 1450 ms, the video's at 1000 ms, where the
   * composed file starts. The audio's first 450 ms, the burst, fall
   * before that. */
  g_assert_cmpint (composed_ms (video, 0), ==, 0);
  g_assert_cmpint (composed_ms (audio, 900), ==, 450);
  g_assert_cmpint (composed_ms (audio, 0), ==, -450);
}

static void
test_senders_by_arrival (void)
{
  g_autoptr (HzComposeSession) session = new_session ();
  /* Two machines whose clocks differ by an hour: only the arrival counts
   * between them. */
  g_autofree char *first_json = sidecar (1000, 1000, 1000, 900);
  g_autofree char *late_json = sidecar (21000, 21000, 21000, 3600000 + 20900);
  HzComposeTrack *first, *late;

  first = add_track (session, "1/5", "audio", first_json);
  late = add_track (session, "1/6", "audio", late_json);
  hz_compose_session_place (session);

  g_assert_cmpint (composed_ms (late, 0) - composed_ms (first, 0), ==, 20000);
}

static void
test_without_sender_report (void)
{
  g_autoptr (HzComposeSession) session = new_session ();
  g_autofree char *audio_json = g_strdup_printf (
    "{\"first_running_time_ns\": 1000000000, \"running_time_epoch_us\": %" G_GINT64_FORMAT "}",
    EPOCH_US);
  g_autofree char *video_json = g_strdup_printf (
    "{\"first_running_time_ns\": 1040000000, \"running_time_epoch_us\": %" G_GINT64_FORMAT "}",
    EPOCH_US);
  HzComposeTrack *audio, *video;

  /* Without a capture time, each track sits at its arrival. */
  audio = add_track (session, "1/5", "audio", audio_json);
  video = add_track (session, "1/5", "video", video_json);
  hz_compose_session_place (session);

  g_assert_cmpint (composed_ms (video, 40) - composed_ms (audio, 0), ==, 40);
  g_assert_cmpint (composed_ms (audio, 0), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/compose-placement/sender-tracks-by-capture", test_sender_tracks_by_capture);
  g_test_add_func ("/compose-placement/reference-after-burst", test_reference_after_burst);
  g_test_add_func ("/compose-placement/senders-by-arrival", test_senders_by_arrival);
  g_test_add_func ("/compose-placement/without-sender-report", test_without_sender_report);
  return g_test_run ();
}
