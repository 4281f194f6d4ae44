/* The HLS output of teaching rounds, served read-only from [scheduler]
 * hls-dir (hz-sched-api-hls.c). */
#pragma once

#include "hz-sched-request.h"

G_BEGIN_DECLS

/* GET /sessions/{id}/hls/{file}: the playlist (playlist.m3u8) or a segment
 * (segmentNNNNN.ts) of session {id}, for the session's participants and
 * admins. */
void hz_api_get_hls_file (HzRequest *request);

/* Whether NAME is a file name that the relay's HLS output writes. */
gboolean hz_hls_file_name_is_valid (const char *name);

G_END_DECLS
