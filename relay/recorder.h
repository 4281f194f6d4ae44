/* Recording of one published track to a WebM file (VP8, Opus) or a
 * Matroska file (H.264, which WebM does not allow).
 *
 *   tee ──▶ [recorder bin: queue ─▶ rtpvp8depay|rtpopusdepay ─▶ webmmux ─▶ filesink]
 *   tee ──▶ [recorder bin: queue ─▶ rtph264depay ─▶ h264parse ─▶ matroskamux ─▶ filesink]
 *
 * The filesink writes unbuffered, so a file stays playable up to the last
 * cluster written when the relay is killed. hz_recorder_finish() sends EOS
 * through the branch so that webmmux writes its index and duration.
 */
#pragma once

#include <gst/gst.h>

#include "capture-timing.h"

G_BEGIN_DECLS

typedef struct _HzRecorder HzRecorder;

/* The running time that the recordings of one publish count from: the
 * running time of the first buffer of any of its tracks. Sharing it makes
 * the audio and video files of a participant line up when played from 0.
 * Thread-safe. */
typedef struct _HzRecordingOrigin HzRecordingOrigin;

HzRecordingOrigin *hz_recording_origin_new (void);
HzRecordingOrigin *hz_recording_origin_ref (HzRecordingOrigin *origin);
void hz_recording_origin_unref (HzRecordingOrigin *origin);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzRecordingOrigin, hz_recording_origin_unref)

/* Called on the main thread once the branch is gone. COMPLETE is TRUE when
 * EOS reached the file; BYTES is the file's size. */
typedef void (*HzRecorderDoneFunc) (HzRecorder *recorder,
                                    gboolean    complete,
                                    guint64     bytes,
                                    gpointer    user_data);

/* The file name extension of a recording of CAPS: "webm" or "mkv". */
const char *hz_recorder_file_extension (const GstCaps *caps);

/* Builds a recording branch for the RTP stream of CAPS (VP8, H.264 or Opus) behind
 * TEE in PIPELINE and starts it. May be called on a streaming thread. The
 * file at LOCATION is created or truncated, and its timestamps count from
 * ORIGIN. They follow the RTP clock (relay/rtp-restamp.h), and each new
 * reference packet goes to TIMING. LOG_PREFIX names the session and
 * participant in log lines. */
HzRecorder *hz_recorder_start (GstElement        *pipeline,
                               GstElement        *tee,
                               const GstCaps     *caps,
                               const char        *location,
                               HzRecordingOrigin *origin,
                               HzCaptureTiming   *timing,
                               const char        *log_prefix,
                               GError           **error);

/* Unlinks the branch from its tee, sends EOS and waits up to
 * HZ_RECORDER_FINISH_TIMEOUT_MS for it to reach the file. Then it removes
 * the branch, calls DONE and frees RECORDER. Main thread only. */
void hz_recorder_finish (HzRecorder         *recorder,
                         HzRecorderDoneFunc  done,
                         gpointer            user_data);

#define HZ_RECORDER_FINISH_TIMEOUT_MS 5000

/* Whether MESSAGE comes from an element of RECORDER's branch. */
gboolean hz_recorder_owns_message (const HzRecorder *recorder,
                                   GstMessage       *message);

/* Stops RECORDER after the error ERROR of its branch, such as a full disk:
 * unlinks the branch from its tee without EOS, because the branch cannot
 * write any more, then removes it, calls DONE with COMPLETE FALSE and frees
 * RECORDER. The file keeps what was written, up to the last whole cluster
 * for a player. The tee's other branches go on. Main thread only. */
void hz_recorder_stop_on_error (HzRecorder         *recorder,
                                const GError       *error,
                                HzRecorderDoneFunc  done,
                                gpointer            user_data);

/* "disk_full" when hz_recorder_stop_on_error() stopped RECORDER because
 * the disk was full, NULL otherwise. */
const char *hz_recorder_get_failure_reason (const HzRecorder *recorder);

/* "audio" or "video", from the caps' media field. */
const char *hz_recorder_get_kind (const HzRecorder *recorder);

const char *hz_recorder_get_location (const HzRecorder *recorder);

/* Wall-clock start time in microseconds since the Unix epoch. */
gint64 hz_recorder_get_started_at (const HzRecorder *recorder);

G_END_DECLS
