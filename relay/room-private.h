/* Members of HzRoom and HzParticipant, shared by room.c (membership) and
 * feed.c (media and negotiation). */
#pragma once

#include <gst/gst.h>
#include "hls.h"
#include "ingest.h"
#include "room.h"

G_BEGIN_DECLS

struct _HzRoom {
  HzRelay *relay;
  gint64 session_id;
  char *recordings_dir;          /* RECORDINGS_DIR/SESSION */
  GstElement *pipeline;
  guint bus_watch_id;
  GHashTable *participants;      /* participant id → HzParticipant, owned */
  GHashTable *publish_counts;    /* participant id → publishes so far (GUINT_TO_POINTER) */
  guint n_finishing_recorders;
  gboolean recording;            /* publishes are recorded; see hz_room_set_recording() */
  HzHls *hls;                    /* the HLS output while the booking requests it, or NULL */
  char *hls_publisher_id;        /* the participant whose feed HLS carries, or NULL */
  HzHls *hls_finishing;          /* an ended HLS output writing its last segment, or NULL */
};

struct _HzParticipant {
  HzRoom *room;
  char *id;                      /* the user id as a string */
  char *name;
  HzTokenRole role;
  char *log_prefix;              /* "session S participant P" */
  HzConnection *connection;      /* a reference */
  HzIngest *ingest;              /* the publish connection, or NULL */
  guint n_publish_candidates;    /* remote candidates received for ingest */
  GPtrArray *recorded_kinds;     /* tracks whose recording started ("audio", "video",
                                  * "video2"), for "recording" */
  GHashTable *subscriptions;     /* publisher id → Subscription, owned */
  guint grace_id;                /* set while the connection is dropped; see hz_room_drop() */
  gint64 dropped_at;             /* time of the drop (g_get_real_time ()) during the grace, or 0 */
  gboolean hand_raised;          /* a view participant asks for the floor (teaching.c) */
  gboolean floor_granted;        /* a view participant may publish audio ... */
  gboolean floor_video;          /* ... and video */
};

/* Sends a JSON object built by BUILDER (consumed) to PARTICIPANT. */
void hz_participant_send (HzParticipant *participant,
                          JsonBuilder   *builder);

/* Opens "sub:PUBLISHER" for VIEWER; PUBLISHER's ingest must be ready. */
void hz_room_subscribe (HzRoom        *room,
                        HzParticipant *viewer,
                        HzParticipant *publisher);

/* Closes VIEWER's subscription to PUBLISHER_ID, if any. */
void hz_participant_unsubscribe (HzParticipant *viewer,
                                 const char    *publisher_id);

/* Closes every subscriber branch fed by PUBLISHER, then its ingest, and
 * finishes its recordings. */
void hz_participant_remove_feed (HzParticipant *publisher);

/* Adds PARTICIPANT's publish and subscribe connections and their RTP
 * session counters to SNAPSHOT. */
void hz_participant_add_to_snapshot (HzParticipant     *participant,
                                     HzMetricsSnapshot *snapshot);

/* Closes PUBLISHER's feed while PUBLISHER stays in the room: each
 * participant who received it gets "feed-closed". */
void hz_participant_close_feed (HzParticipant *publisher);

/* Handles raise-hand, lower-hand, grant and revoke (teaching.c). */
void hz_teaching_handle_message (HzParticipant         *participant,
                                 const HzSignalMessage *message);

/* Whether PARTICIPANT may publish: role publish, or a view participant
 * granted the floor. *VIDEO_ALLOWED tells whether video may be sent too. */
gboolean hz_teaching_may_publish (HzParticipant *participant,
                                  gboolean      *video_allowed);

/* Stops the recording whose branch posted the error MESSAGE (ERROR parsed
 * from it), reports it failed and sends "recording-stopped" to the room's
 * participants. Returns FALSE when MESSAGE is from no running recording. */
gboolean hz_room_handle_recording_error (HzRoom       *room,
                                         GstMessage   *message,
                                         const GError *error);

/* Starts the HLS output from PUBLISHER's ready feed when the room has an
 * HLS output without input and PUBLISHER is a presenter (room-hls.c). */
void hz_room_hls_attach (HzParticipant *publisher);

/* Unlinks the HLS output from PUBLISHER's feed, if it carries it. */
void hz_room_hls_detach (HzParticipant *publisher);

/* Ends ROOM's HLS output, if any, and returns TRUE while it finishes; the
 * room counts it as a finishing recorder and is destroyed after it. */
gboolean hz_room_hls_finish (HzRoom *room);

/* Takes a bus MESSAGE of ROOM's HLS output; TRUE when it was one. */
gboolean hz_room_hls_handle_message (HzRoom     *room,
                                     GstMessage *message);

/* Destroys ROOM when no participant and no finishing recording is left. */
void hz_room_destroy_if_unused (HzRoom *room);

G_END_DECLS
