/* The GStreamer pipeline that composes a session's tracks into one WebM
 * (VP8 + Opus) and one MP4 (H.264 + AAC) file.
 *
 *   filesrc ! decodebin ! videoconvert ! videoscale ! caps ! queue ──▶ compositor
 *   ...one chain per video track, its pad offset placing it in time...      │
 *                                                        caps I420 ! tee ◀──┘
 *                                     ┌──────────────────────────────┘ │
 *        queue ! vp8enc ─▶ webmmux ─▶ filesink    queue ! x264enc ─▶ mp4mux ─▶ filesink
 *                           ▲                                          ▲
 *   audio tracks ─▶ audiomixer ! caps ! tee ─▶ queue ! opusenc ──┘     │
 *                                          └─▶ queue ! voaacenc ───────┘
 *
 * The pipeline is not live, so it runs as fast as the machine decodes and
 * encodes. The mixers place each input by its timestamps. A track that
 * starts late or pauses (a muted camera, Opus DTX) therefore leaves black
 * or silence for that time instead of moving later media earlier. Each output
 * is written to NAME.partial and renamed to NAME only after EOS reached
 * both files and they were synced to disk.
 */
#pragma once

#include "compose-track.h"

G_BEGIN_DECLS

typedef struct {
  const char *webm_path;
  const char *mp4_path;
  int width;
  int height;
  int framerate;
} HzComposeOptions;

/* Called about twice a second with the composed time written so far. */
typedef void (*HzComposeProgressFunc) (gint64   position_ns,
                                       gint64   duration_ns,
                                       gpointer user_data);

/* Composes SESSION (placed by hz_compose_session_place()) into the
 * outputs of OPTIONS. Blocks, running its own main loop. Returns the
 * composed duration in *DURATION_NS. */
gboolean hz_compose_run (HzComposeSession       *session,
                         const HzComposeOptions *options,
                         HzComposeProgressFunc   progress,
                         gpointer                user_data,
                         gint64                 *duration_ns,
                         GError                **error);

G_END_DECLS
