/* A publisher's ingest: the webrtcbin that receives one participant's
 * tracks, a tee per track and the track's recording.
 *
 *   client ══▶ webrtcbin ─▶ tee(audio) ─┬▶ recorder
 *                                       └▶ subscriber branches ...
 *                       ─▶ tee(video) ─┬▶ recorder
 *                                       └▶ subscriber branches ...
 *                       ─▶ tee(video2) ...   a second video m-line, if offered
 *
 * The client offers and the relay answers. NACK is on for video, so the
 * webrtcbin's jitter buffer has lost packets resent (RTX) before they reach
 * the tees. Tees and recorders are created
 * on webrtcbin's pad-added, when a track's first packets arrive. Callbacks
 * run on the main thread, never after hz_ingest_close().
 */
#pragma once

#include <gst/gst.h>
#include "hz-config.h"
#include "recorder.h"

G_BEGIN_DECLS

typedef struct _HzIngest HzIngest;

typedef struct {
  /* The answer to send to the client. */
  void (*answer) (HzIngest *ingest, const char *sdp, gpointer user_data);
  /* A local ICE candidate to send to the client. */
  void (*candidate) (HzIngest *ingest, guint mline_index, const char *candidate,
                     gpointer user_data);
  /* webrtcbin could not apply or create a description. */
  void (*failed) (HzIngest *ingest, const char *code, const char *message, gpointer user_data);
  /* The recording of track TRACK_NAME ("audio", "video", "video2") has
   * started. */
  void (*recording_started) (HzIngest *ingest, const char *track_name, HzRecorder *recorder,
                             gpointer user_data);
  /* Every offered track has its tee: the feed can be forwarded. */
  void (*ready) (HzIngest *ingest, gpointer user_data);
} HzIngestCallbacks;

/* A track of a ready ingest, for building subscriber branches. */
typedef struct {
  const char *kind;        /* "audio" or "video" */
  const char *name;        /* "audio", "video" or "video2" (the second video m-line) */
  GstCaps *caps;           /* the RTP caps of the forwarded packets */
  GstElement *tee;
} HzIngestTrack;

/* RECORDING_BASE is the recording path without "-KIND.webm", e.g.
 * "/var/recordings/12/5" or "/var/recordings/12/5-2" for a second publish,
 * or NULL to record nothing. */
HzIngest *hz_ingest_new (GstElement              *pipeline,
                         const HzRelayConfig     *config,
                         const char              *log_prefix,
                         const char              *recording_base,
                         const HzIngestCallbacks *callbacks,
                         gpointer                 user_data);

/* Starts the webrtcbin with the client's offer. Fails with
 * G_IO_ERROR_INVALID_DATA when the SDP does not parse or offers nothing the
 * relay forwards (see offer-filter.h); later failures come through
 * callbacks->failed. Call once. */
gboolean hz_ingest_set_offer (HzIngest   *ingest,
                              const char *sdp,
                              GError    **error);

void hz_ingest_add_candidate (HzIngest   *ingest,
                              guint       mline_index,
                              const char *candidate);

/* Asks the publisher for a video keyframe, at most once per
 * HZ_KEYFRAME_INTERVAL_US; see keyframe.h. */
void hz_ingest_request_keyframe (HzIngest *ingest);

gboolean hz_ingest_is_ready (HzIngest *ingest);

/* The ingest's webrtcbin, for statistics; owned by INGEST. */
GstElement *hz_ingest_get_webrtcbin (HzIngest *ingest);

/* The tracks of a ready ingest; the array and its contents belong to
 * INGEST and stay valid until hz_ingest_close(). */
const GArray *hz_ingest_get_tracks (HzIngest *ingest);

/* Returns the running recorder whose branch posted MESSAGE and removes it
 * from INGEST, so the caller owns and stops it. Returns NULL when no
 * recorder of INGEST posted MESSAGE. */
HzRecorder *hz_ingest_take_recorder (HzIngest   *ingest,
                                     GstMessage *message);

/* Stops and removes the webrtcbin and the tees and drops INGEST. The
 * subscriber branches fed by it must have been detached already. Returns
 * the running recorders (owned by the caller, to be finished). */
GPtrArray *hz_ingest_close (HzIngest *ingest);

G_END_DECLS
