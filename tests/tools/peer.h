/* hz-test-peer: the parts of the test participant and the state they share.
 *
 * Threads: HzPeer and HzConnection fields are touched only on the main
 * thread. webrtcbin signals and promise replies arrive on GStreamer threads
 * and are handed to the main loop by connection_invoke() in
 * peer-connection.c. The one exception is pad-added, which links the
 * decoder on the streaming thread because data flows as soon as the pad
 * exists. Decoded media is counted in HzFeedStats, which has its own lock.
 */
#pragma once

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Process exit codes, also listed in the --help text. */
enum {
  HZ_PEER_EXIT_OK = 0,
  HZ_PEER_EXIT_FAILED = 1,        /* bad arguments, no connection, local pipeline or negotiation failure */
  HZ_PEER_EXIT_RELAY_ERROR = 2,   /* the relay sent an `error` message */
  HZ_PEER_EXIT_DISCONNECTED = 3,  /* the relay closed the WebSocket before we left */
};

/* The RMS level reported for silence or before any audio arrived. */
#define HZ_PEER_SILENCE_DB (-120.0)

/* Size of each published video. */
#define HZ_PEER_VIDEO_WIDTH 640
#define HZ_PEER_VIDEO_HEIGHT 480

/* --marker-interval: the beep's tone and how long the flash and the beep
 * last. Other peers send 440 Hz, so a receiver finds the beep by its
 * frequency in a mix. */
#define HZ_PEER_MARKER_FREQUENCY 1000
#define HZ_PEER_MARKER_LENGTH (100 * GST_MSECOND)
#define HZ_PEER_MARKER_QUEUE_TIME (40 * GST_MSECOND)

typedef struct _HzPeer HzPeer;
typedef struct _HzConnection HzConnection;

typedef struct {
  char *relay_url;
  char *ca_file;             /* PEM CAs that verify a wss:// relay, or NULL for the system's */
  gint64 session_id;
  char *token;
  gboolean no_publish;
  double duration_s;         /* 0: run until SIGTERM or SIGINT */
  char *video_pattern;       /* a videotestsrc "pattern" nick, e.g. "ball" */
  gboolean check_sockets;
  char *local_address;       /* the only address ICE gathers on; default 127.0.0.1 */
  gboolean mdns_candidates;  /* announce host candidates under mDNS names, as browsers do */
  gboolean reconnect;        /* rejoin with the same token after a drop */
  double stall_timeout_s;    /* with reconnect: no decoded video this long means a drop */
  gboolean nack;             /* negotiate NACK and RTX on video, as browsers do */
  gboolean h264;             /* publish H.264 constrained baseline instead of VP8 */
  int video_bitrate_kbps;    /* target bitrate of each published video; 0: the encoder's default */
  gboolean header_extensions;  /* publish audio with audio level (id 1) and transport-cc (id 3) */
  gboolean accept_extensions;  /* answer with every offered header extension, as browsers do */
  int keyframe_requests;     /* "keyframe" messages sent for each feed once it connects */
  gboolean second_video;     /* publish a second video track (a screen share) */
  gboolean publish_anyway;   /* send a publish offer even with role view */
  int payload_offset;        /* answer with payload types shifted by this much */
  gboolean no_h264;          /* reject m-lines whose codec is H.264, as a client without it */
  gboolean dtls_passive;     /* answer feeds with a=setup:passive: the relay connects as DTLS client */
  char *answer_garbage;      /* "text" or "fingerprint": send unusable answers */
  gboolean survive_feed_errors;  /* an error for one sub:ID closes that feed only */
  gboolean raise_hand;       /* as a viewer, raise the hand and publish once granted */
  gboolean grant_hands;      /* as a presenter, grant every raised hand */
  gboolean grant_video;      /* with grant_hands: grant video too */
  double revoke_after_s;     /* with grant_hands: revoke this long after a grant; 0: never */
  double marker_interval_s;  /* a flash and a beep every this many seconds; 0: none */
  double mute_at_s;          /* with mute_for_s: seconds after the publish starts */
  double mute_for_s;         /* send no audio or video for this long; 0: never mute */
} HzPeerOptions;

/* Counters for one received feed. Refcounted (g_atomic_rc_box) because the
 * streaming threads of a subscribe connection hold it while they run. */
typedef struct {
  HzPeer *peer;               /* outlives every feed that the main loop sees */
  char *participant_id;
  GMutex lock;
  guint64 video_frames;       /* decoded frames */
  guint64 audio_buffers;      /* decoded buffers */
  double audio_rms_db_max;    /* dBFS, HZ_PEER_SILENCE_DB when none */
  gint64 first_video_us;      /* monotonic clock, 0 before the first frame */
  gint64 last_video_us;       /* monotonic clock of the latest frame */
  GHashTable *video_pads;     /* the decoder pads that produced frames: one per video track */
  guint32 extension_ids[8];   /* bit set of the RTP header extension ids received */
  guint64 video_packets_received;  /* video RTP out of webrtcbin's jitter buffer, and */
  gint64 video_packets_lost;       /* sequence numbers skipped there (not repaired) */
  gint64 first_audio_us;
} HzFeedStats;

typedef enum {
  HZ_CONNECTION_PUBLISH,
  HZ_CONNECTION_SUBSCRIBE,
} HzConnectionKind;

/* One webrtcbin and the pipeline around it. Refcounted with atomic
 * counts (g_atomic_rc_box) because webrtcbin's threads queue callbacks on
 * the main loop that hold a reference. Those callbacks check `closed`,
 * which is set when the connection is torn down. */
struct _HzConnection {
  HzPeer *peer;
  HzConnectionKind kind;
  char *pc;                   /* "publish" or "sub:ID" */
  GstElement *pipeline;
  GstElement *webrtcbin;
  guint bus_watch;
  gboolean closed;
  gboolean offer_sent;        /* publish: the offer went out; later negotiation-needed is ignored */
  gint64 connected_us;        /* monotonic time of connection-state "connected", 0 before */
  HzFeedStats *feed;          /* subscribe only */
  gint sending_flag;          /* atomic: 1 from "connected" to hz_peer_stop(), when sent frames count */
  GMutex sent_lock;           /* publish only: guards the sent_* fields, which the streaming thread writes */
  guint64 sent_video_frames;  /* encoded frames that entered the payloader after "connected" */
  GstClockTime sent_first_pts;  /* PTS of the first of them, GST_CLOCK_TIME_NONE before it */
  GstClockTime sent_end_pts;    /* PTS + duration of the last of them */
};

struct _HzPeer {
  HzPeerOptions options;
  GMainLoop *loop;
  SoupSession *session;
  SoupWebsocketConnection *websocket;
  char *participant_id;       /* NULL before `joined` */
  gint64 joined_us;           /* monotonic, 0 before `joined` */
  HzConnection *publish;
  GHashTable *subscribers;    /* pc "sub:ID" -> HzConnection */
  GHashTable *feeds;          /* participant id -> HzFeedStats, kept after the feed ends */
  int exit_code;
  gboolean stopping;          /* hz_peer_stop() ran; waiting for the socket to close */
  gint64 stopped_us;
  guint stats_source;
  guint duration_source;
  gboolean duration_started;
  guint publish_connect_source;  /* lets --duration start if publish never connects */
  guint join_timeout_source;
  guint leave_timeout_source;
  /* --reconnect (peer-reconnect.c) */
  guint stall_source;
  guint reconnect_source;
  GCancellable *connect_cancellable;
  guint connect_timeout_source;
  gint64 reconnect_deadline_us;  /* monotonic; 0 while connected */
  guint64 last_video_frames;     /* over all feeds, at the last progress */
  gint64 last_progress_us;       /* 0 until video arrives after a (re)join */
  guint reconnects;
  /* --grant-hands (peer-teaching.c) */
  GHashTable *revoke_timers;     /* participant id → source id */
};

/* hz-test-peer.c */
void hz_peer_print_event (JsonBuilder *builder);
gint64 hz_peer_ms_since_joined (HzPeer *peer, gint64 monotonic_us);
void hz_peer_stop (HzPeer *peer, int exit_code);
void hz_peer_on_joined (HzPeer *peer);
void hz_peer_start_duration (HzPeer *peer);
void hz_peer_wait_publish_connected (HzPeer *peer);

/* peer-signalling.c */
void hz_peer_connect (HzPeer *peer);
void hz_peer_disconnect (HzPeer *peer);
void hz_peer_send (HzPeer *peer, JsonBuilder *builder);
void hz_peer_send_leave (HzPeer *peer);

/* peer-marker.c */
void hz_marker_add (HzConnection *publish, double interval_s);
void hz_mute_schedule (HzConnection *publish, double at_s, double for_s);

/* peer-connection.c */
HzConnection *hz_connection_new (HzPeer *peer, HzConnectionKind kind,
                                 const char *pc, const char *description,
                                 GError **error);
HzConnection *hz_connection_ref (HzConnection *conn);
void hz_connection_unref (HzConnection *conn);
void hz_connection_close (HzConnection *conn);
gboolean hz_connection_start (HzConnection *conn, GError **error);
gboolean hz_connection_set_remote (HzConnection *conn, GstWebRTCSDPType type,
                                   const char *sdp, GError **error);
void hz_connection_add_candidate (HzConnection *conn, guint mline,
                                  const char *candidate);
void hz_connection_create_offer (HzConnection *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzConnection, hz_connection_unref)

/* peer-publish.c */
HzConnection *hz_publish_new (HzPeer *peer, GError **error);
void hz_publish_print_summary (HzConnection *publish, JsonBuilder *builder);

/* peer-subscribe.c */
HzFeedStats *hz_feed_stats_new (HzPeer *peer, const char *participant_id);
HzFeedStats *hz_feed_stats_ref (HzFeedStats *feed);
void hz_feed_stats_unref (HzFeedStats *feed);
HzConnection *hz_subscribe_new (HzPeer *peer, const char *participant_id,
                                GError **error);
void hz_feed_stats_print (HzFeedStats *feed, JsonBuilder *builder);

/* peer-reconnect.c; a WebSocket connect attempt while reconnecting is
 * cancelled after this many seconds. */
#define HZ_PEER_CONNECT_ATTEMPT_S 3
void hz_reconnect_start_watch (HzPeer *peer);
void hz_reconnect_begin (HzPeer *peer, const char *reason);
void hz_reconnect_on_connect_failed (HzPeer *peer);
void hz_reconnect_on_joined (HzPeer *peer);
void hz_reconnect_stop (HzPeer *peer);

/* peer-publish.c: the publish pipeline for the options (VP8 or H.264,
 * one or two videos, or audio only) */
char *hz_publish_describe (const HzPeerOptions *options, gboolean audio_only);

/* peer-sdp.c */
gboolean hz_answer_rewrite (const HzPeerOptions *options, const GstSDPMessage *offer,
                            GstSDPMessage *answer);
char *hz_answer_garbage (const HzPeerOptions *options, const char *answer);

/* peer-teaching.c */
void hz_teaching_on_joined (HzPeer *peer, const char *role);
void hz_teaching_on_message (HzPeer *peer, const char *type, JsonObject *message);
void hz_teaching_stop (HzPeer *peer);
HzConnection *hz_publish_new_audio_only (HzPeer *peer, GError **error);

/* peer-sockets.c */
gboolean hz_count_sockets (guint *non_loopback, guint *total, GError **error);

G_END_DECLS
