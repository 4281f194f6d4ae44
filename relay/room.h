/* A room: the participants of one session and their media in one
 * GstPipeline.
 *
 * The room is created on the first join and destroyed when the last
 * participant has left and every recording has been finished. Each
 * publisher has an ingest (ingest.h); each other participant gets one
 * subscriber branch (subscriber.h) per publisher, named "sub:PUBLISHER".
 * Main thread only.
 */
#pragma once

#include "hz-token.h"
#include "relay.h"
#include "signalling.h"
#include "signalling-message.h"

G_BEGIN_DECLS

typedef struct _HzParticipant HzParticipant;

HzRoom *hz_room_new (HzRelay *relay,
                     gint64   session_id,
                     GError **error);

/* Stops the pipeline and frees ROOM; only hz_relay_destroy_room() and
 * hz_relay_free() call it. */
void hz_room_free (HzRoom *room);

gint64 hz_room_get_session_id (HzRoom *room);

/* Sets whether ROOM records the publishes that start from now on: the
 * booking's consent as the latest join's session check confirmed it
 * (session-check.h). A room starts without recording, and a join that the
 * scheduler could not confirm leaves the flag unchanged. */
void hz_room_set_recording (HzRoom   *room,
                            gboolean  recording);

/* Sets whether ROOM publishes its presenter's feed as HLS into
 * [relay] hls-dir/SESSION (hls.h), as the latest confirmed session check
 * reported. Turning it on starts the output with the next presenter feed,
 * and turning it off ends a running output. */
void hz_room_set_hls (HzRoom   *room,
                      gboolean  hls);

/* Adds the holder of TOKEN on CONNECTION and sends "joined", the existing
 * feeds to it and "participant-joined" to the others. A participant with the
 * same id already in the room, connected or dropped, is resumed on
 * CONNECTION instead: its old connection gets the error "replaced" and is
 * closed, its publish and subscribe connections are closed, and it gets
 * "joined" with "resumed": true and the feeds again. The others see no
 * leave and no join, and get a new offer of its feed once it publishes
 * again. */
HzParticipant *hz_room_join (HzRoom             *room,
                             HzConnection       *connection,
                             const HzJoinToken  *token);

/* Removes PARTICIPANT with its feed, its subscriptions and its connection
 * binding, and sends "participant-left" to the others. May destroy ROOM. */
void hz_room_leave (HzRoom        *room,
                    HzParticipant *participant);

/* Keeps PARTICIPANT, whose connection dropped without "leave", in ROOM for
 * [relay] reconnect-grace seconds, then lets it leave. A join of the same
 * user meanwhile resumes it (see hz_room_join()), so the others see
 * neither a leave nor a join. With a grace of 0 it leaves at once. */
void hz_room_drop (HzRoom        *room,
                   HzParticipant *participant);

/* Removes every participant, closing their connections with CLOSE_CODE. */
void hz_room_close (HzRoom  *room,
                    gushort  close_code);

/* Handles one joined participant's message of type offer, answer,
 * candidate or keyframe; errors go back to the client. */
void hz_participant_handle_message (HzParticipant         *participant,
                                    const HzSignalMessage *message);

/* Adds ROOM's participants and the counters of its open connections to
 * SNAPSHOT, for /metrics. */
void hz_room_add_to_snapshot (HzRoom            *room,
                              HzMetricsSnapshot *snapshot);

/* The participants in ROOM, connected or within their reconnect grace. */
guint hz_room_get_n_participants (HzRoom *room);

/* Whether user USER_ID is in ROOM, connected or within its reconnect grace. */
gboolean hz_room_has_participant (HzRoom *room,
                                  gint64  user_id);

const char *hz_participant_get_log_prefix (HzParticipant *participant);

HzRoom *hz_participant_get_room (HzParticipant *participant);

G_END_DECLS
