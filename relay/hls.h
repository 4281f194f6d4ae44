/* HLS output of a teaching round: the presenter's tracks transcoded to
 * H.264 and AAC and written as MPEG-TS segments and a playlist that any
 * static HTTP server can serve.
 *
 *   tee(video) ─▶ [input: queue(leaky) ─▶ depay ─▶ vp8dec|openh264dec] ─┐
 *   tee(audio) ─▶ [input: queue(leaky) ─▶ rtpopusdepay ─▶ opusdec] ─────┤
 *                                                                       ▼
 *   [encoder: queue(leaky) ─▶ videoconvert ─▶ videoscale ─▶ videorate ─▶ x264enc ─▶ h264parse ─┐
 *             queue(leaky) ─▶ audioconvert ─▶ audioresample ─▶ voaacenc ─▶ aacparse ───────────┴▶ hlssink2]
 *
 * The encoder bin lives as long as the HLS output. Input bins come and go
 * with the presenter's feed, so a presenter who leaves and publishes again
 * continues the same playlist. The leaky queues drop the oldest data when
 * the encoder falls behind, so a slow encoder does not block the tees that
 * forward to WebRTC viewers. Main thread only.
 */
#pragma once

#include <gst/gst.h>
#include "hz-config.h"

G_BEGIN_DECLS

typedef struct _HzHls HzHls;

/* Called on the main thread once the output is finished. ENDED is TRUE
 * when hlssink2 wrote the final playlist with EXT-X-ENDLIST. */
typedef void (*HzHlsDoneFunc) (HzHls    *hls,
                               gboolean  ended,
                               gpointer  user_data);

/* Creates the output for DIR (created if missing; DIR/playlist.m3u8 and
 * DIR/segmentNNNNN.ts) in PIPELINE. Nothing is built until the first
 * hz_hls_attach(). LOG_PREFIX names the session in log lines. */
HzHls *hz_hls_new (GstElement          *pipeline,
                   const HzRelayConfig *config,
                   const char          *dir,
                   const char          *log_prefix,
                   GError             **error);

/* Feeds the output from the RTP tracks behind VIDEO_TEE (caps VIDEO_CAPS,
 * VP8 or H.264) and AUDIO_TEE (AUDIO_CAPS, Opus). Either may be NULL when
 * the feed lacks that track. The first attach decides which tracks the
 * playlist carries; a later feed without one of them leaves that track
 * silent. Fails when an input is already attached or a codec is not
 * supported. */
gboolean hz_hls_attach (HzHls         *hls,
                        GstElement    *video_tee,
                        const GstCaps *video_caps,
                        GstElement    *audio_tee,
                        const GstCaps *audio_caps,
                        GError       **error);

/* Whether an input is attached. */
gboolean hz_hls_is_attached (HzHls *hls);

/* Unlinks the inputs from their tees before the tees go away. The
 * encoder and the playlist stay for the next hz_hls_attach(). */
void hz_hls_detach (HzHls *hls);

/* Detaches the inputs, sends EOS through the encoder so that hlssink2
 * writes the last segment and EXT-X-ENDLIST, waits for that for up to
 * HZ_HLS_FINISH_TIMEOUT_MS, removes the branch, calls DONE and frees HLS. */
void hz_hls_finish (HzHls         *hls,
                    HzHlsDoneFunc  done,
                    gpointer       user_data);

#define HZ_HLS_FINISH_TIMEOUT_MS 5000

/* Frees HLS at once, without ending its playlist: for a pipeline that is
 * shutting down. */
void hz_hls_free (HzHls *hls);

/* Takes MESSAGE from the pipeline's bus when it belongs to HLS's finish.
 * Returns TRUE when HLS consumed it. */
gboolean hz_hls_handle_message (HzHls      *hls,
                                GstMessage *message);

/* The file name of the playlist inside the output directory. */
#define HZ_HLS_PLAYLIST_NAME "playlist.m3u8"

G_END_DECLS
