/* Handlers of the recordings library (hz-sched-api-recordings.c) and the
 * lookup that the download handler shares with them. */
#pragma once

#include "hz-sched-request.h"

G_BEGIN_DECLS

extern const HzFieldSpec hz_recording_update_fields[];
extern const HzFieldSpec hz_recording_share_fields[];

void hz_api_search_recordings (HzRequest *request);
void hz_api_get_recording (HzRequest *request);
void hz_api_update_recording (HzRequest *request);
void hz_api_share_recording (HzRequest *request);
void hz_api_unshare_recording (HzRequest *request);

/* Loads recording {id} with its library members when the caller may see
 * it. Otherwise responds (403 recording_forbidden, or 404 not_found for an
 * admin) and returns NULL. */
HzRecording *hz_api_load_visible_recording (HzRequest *request);

G_END_DECLS
