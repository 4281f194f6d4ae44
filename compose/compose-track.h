/* The tracks of one session and where each sits on the composed timeline.
 *
 * The scheduler hands huizhen-compose a manifest (JSON):
 *
 *   { "session_id": 12,
 *     "tracks": [ { "path": "/srv/recordings/12/5-video.webm",
 *                   "participant_id": 5, "kind": "video", "presenter": true,
 *                   "started_at_us": 1764900000000000, "ended_at_us": 1764900030000000 },
 *                 ... ] }
 *
 * Each track may have a capture timing sidecar, PATH.timing.json, that the
 * relay writes (relay/capture-timing.h describes its members). With it, a
 * track is placed by the relay's wall clock at its first packet, which
 * aligns participants and late joiners to within the network delay.
 * Without it, the track starts at started_at_us.
 *
 * The tracks of one publish (one sender) are aligned more closely than
 * that, by the sender's own clock. The relay stamps recorded packets from
 * their RTP timestamps (relay/rtp-restamp.h), and the sidecar has the
 * capture time of the packet with the shortest delay, the reference, from
 * the first RTCP sender report. With it, the reference sits at its capture
 * time plus the publish's shortest capture-to-relay delay.
 *
 * The composed file starts at the earliest first packet's arrival. Media
 * that a sender queued before it connected, and sent in a burst, falls
 * before that and is left out.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_COMPOSE_ERROR (hz_compose_error_quark ())
GQuark hz_compose_error_quark (void);

typedef enum {
  HZ_COMPOSE_ERROR_MANIFEST,   /* the manifest is missing, not JSON or lacks a member */
  HZ_COMPOSE_ERROR_NO_TRACKS,  /* no track file exists */
  HZ_COMPOSE_ERROR_PIPELINE,   /* GStreamer failed */
  HZ_COMPOSE_ERROR_OUTPUT,     /* an output file cannot be written or renamed */
} HzComposeError;

typedef struct {
  char *path;
  gint64 participant_id;
  char *kind;              /* "audio" or "video" */
  char *track;             /* "audio", "video" or "video2" (a screen share) */
  char *publish;           /* the path up to "-TRACK.EXT": the tracks of one publish */
  gboolean presenter;
  gint64 started_at_us;    /* wall clock, microseconds since the Unix epoch */
  gint64 ended_at_us;      /* 0 when unknown */

  /* From the sidecar; has_timing is FALSE without one. */
  gboolean has_timing;
  gint64 first_running_time_ns;   /* relay running time of the first packet */
  gint64 running_time_epoch_us;   /* relay wall clock at running time 0 */
  /* The recorder's reference packet (relay/rtp-restamp.h), or the first
   * packet in a sidecar without one. */
  gint64 reference_running_time_ns;  /* its timestamp in the file, as running time */
  gint64 reference_arrival_ns;       /* the running time at which it arrived */
  gboolean has_capture;           /* FALSE when the sidecar has no capture time */
  gint64 reference_capture_us;    /* sender's wall clock at the reference's capture */

  /* Computed by hz_compose_session_place(). */
  gint64 file_zero_us;     /* wall clock of file time 0 */
  gint64 first_arrival_us;    /* wall clock of the first packet's arrival */
  gint64 offset_ns;        /* composed time of file time 0 */
} HzComposeTrack;

typedef struct {
  gint64 session_id;
  GPtrArray *tracks;       /* HzComposeTrack */
  gint64 start_us;         /* wall clock of composed time 0 */
  gint64 duration_ns;      /* estimate from ended_at_us, for progress; 0 when unknown */
} HzComposeSession;

/* Reads the manifest at PATH and the sidecar of each track. Tracks whose
 * file is missing are left out with a warning; none left is an error. */
HzComposeSession *hz_compose_session_load (const char *path,
                                           GError    **error);

void hz_compose_track_free (HzComposeTrack *track);
void hz_compose_session_free (HzComposeSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzComposeSession, hz_compose_session_free)

/* Sets each track's offset_ns and the session's start and duration. */
void hz_compose_session_place (HzComposeSession *session);

/* Parses a sidecar's text into TRACK's timing members. */
gboolean hz_compose_track_read_timing (HzComposeTrack *track,
                                       const char     *json_text,
                                       GError        **error);

G_END_DECLS
