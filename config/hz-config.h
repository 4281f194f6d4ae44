/* The configuration of both daemons, read from one GKeyFile.
 *
 * Every key has a built-in default, so a daemon also starts without a file.
 * config/huizhen.conf lists each key with its default and meaning.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_CONFIG_ERROR (hz_config_error_quark ())
GQuark hz_config_error_quark (void);

typedef enum {
  HZ_CONFIG_ERROR_FILE,           /* the file cannot be read or parsed */
  HZ_CONFIG_ERROR_UNKNOWN_KEY,    /* a group or key that no daemon reads */
  HZ_CONFIG_ERROR_INVALID_VALUE,  /* a value that fails its check */
} HzConfigError;

/* The largest [relay] max-message-kib that the config accepts. */
#define HZ_CONFIG_MAX_MESSAGE_KIB 1024

typedef struct {
  char *host;     /* an IP literal, or "localhost" */
  guint16 port;   /* 0 asks the kernel for a free port */
} HzListenAddress;

typedef struct {
  HzListenAddress listen;
  char *database;
  char *web_root;
  char *token_secret_file;
  char *public_url;          /* base of join_url; derived from listen when empty */
  char *holidays_dir;        /* holiday calendar files, NAME.conf */
  char *recordings_dir;      /* the relay's recordings-dir, read for downloads and retention */
  char *hls_dir;             /* the relay's hls-dir, served read-only to participants */
  guint recordings_retention_days;  /* recordings older than this are deleted; 0 keeps them */
  guint api_rate_limit;      /* requests per second of one API key or browser user */
  guint api_rate_burst;      /* requests of one API key or browser user at once */
  guint max_body_kib;        /* largest request body, in KiB */
  guint max_connections_per_address;  /* open HTTP connections of one remote address */
  char *tls_certificate;     /* PEM certificate chain for HTTPS, or NULL for plain HTTP */
  char *tls_key;             /* PEM private key of tls_certificate; both set or both NULL */
} HzSchedulerConfig;

typedef struct {
  HzListenAddress listen;
  char *scheduler_url;       /* where the relay sends its reports */
  char *public_url;          /* WebSocket URL handed to clients; derived when empty */
  char *public_address;      /* 1:1 NAT address announced in candidates, or NULL */
  guint16 ice_port_min;      /* 0 with ice_port_max 0: any port */
  guint16 ice_port_max;
  char *stun_server;         /* "stun://HOST:PORT" or NULL */
  char *turn_server;         /* "turn(s)://USER:PASSWORD@HOST:PORT[?transport=tcp]" URLs
                              * separated by spaces, or NULL */
  char *interfaces;          /* host candidate interfaces or addresses, comma-separated, or NULL */
  guint send_threads;        /* threads that send to subscribers; 0: a webrtcbin each */
  guint reconnect_grace_s;   /* how long a dropped participant may rejoin unseen */
  guint max_room_participants;  /* participants of one room; one more gets room_full */
  guint max_participants;       /* participants in all rooms of the relay */
  guint max_rooms;              /* rooms (sessions) open at a time */
  guint max_connections_per_address;  /* open WebSockets of one remote address */
  guint max_candidates_per_connection;  /* remote ICE candidates of one peer connection */
  guint max_message_kib;     /* largest signalling message, in KiB; at most HZ_CONFIG_MAX_MESSAGE_KIB */
  char *recordings_dir;
  char *hls_dir;             /* HLS output of teaching rounds: SESSION/playlist.m3u8 */
  guint hls_segment_s;       /* target length of an HLS segment, in seconds */
  guint hls_playlist_length; /* segments listed in a playlist */
  guint hls_video_height;    /* HLS video height in pixels; the width is 16:9 of it */
  guint hls_video_kbps;      /* H.264 bitrate of the HLS video, in kbit/s */
  char *token_secret_file;   /* [scheduler] token-secret-file: the same file */
  char *tls_certificate;     /* PEM certificate chain for WSS, or NULL for plain WS */
  char *tls_key;             /* PEM private key of tls_certificate; both set or both NULL */
  char *scheduler_ca_file;   /* PEM CA bundle that verifies an https scheduler-url, or NULL
                              * for the system's CAs */
} HzRelayConfig;

typedef struct {
  char *path;                /* the file read, or NULL for built-in defaults */
  HzSchedulerConfig scheduler;
  HzRelayConfig relay;
} HzConfig;

/* Loads PATH (or only the defaults when PATH is NULL) into a new HzConfig.
 * Errors name the file, the group and key, the value and the reason. */
HzConfig *hz_config_load (const char *path, GError **error);

/* Parses KEY_DATA as if read from a file called PATH; for tests and fuzzing. */
HzConfig *hz_config_load_from_data (const char *data,
                                    gsize       length,
                                    const char *path,
                                    GError    **error);

/* Builds a GKeyFile with every key that the loader accepts, each set
 * to its built-in default. */
GKeyFile *hz_config_defaults_to_key_file (void);

void hz_config_free (HzConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzConfig, hz_config_free)

/* Parses "HOST:PORT" or "[IPV6]:PORT". */
gboolean hz_listen_address_parse (const char      *text,
                                  HzListenAddress *address,
                                  GError         **error);

/* "http://HOST:PORT" for an address; IPv6 hosts are bracketed. */
char *hz_listen_address_to_url (const HzListenAddress *address,
                                const char            *scheme);

G_END_DECLS
