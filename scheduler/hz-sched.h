/* The scheduler daemon's state: configuration, database, shared secret and
 * HTTP server. One HzSched exists per process and is passed to every
 * handler; nothing lives in file-scope variables. */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "hz-config.h"
#include "hz-sched-conn-limit.h"
#include "hz-sched-rate-limit.h"
#include "hz-secret.h"

G_BEGIN_DECLS

typedef struct _HzComposer HzComposer;
typedef struct _HzRecordingFiles HzRecordingFiles;

typedef struct {
  HzConfig *config;
  sqlite3 *db;
  HzSecret secret;
  SoupServer *server;
  GTlsCertificate *tls_certificate;  /* [scheduler] tls-certificate, or NULL for plain HTTP */
  char *web_root;      /* canonical path of [scheduler] web-root, or NULL when it is missing */
  char *listen_url;    /* "http(s)://HOST:PORT" with the port actually bound */
  char *public_url;    /* base of join_url, without a trailing slash */
  char *relay_url;     /* the relay's WebSocket URL handed to clients */
  char *content_security_policy;  /* of HTML responses; connect-src names the relay */
  HzRateLimiter *rate_limiter;    /* [scheduler] api-rate-limit and api-rate-burst */
  HzConnectionLimit *connection_limit;  /* [scheduler] max-connections-per-address */
  HzComposer *composer;           /* composition jobs; NULL until serving */
  HzRecordingFiles *recording_files;  /* downloads, checksums, retention; NULL until serving */
} HzSched;

/* Loads the TLS certificate when one is configured, opens the database and
 * reads (or creates) the shared secret. Takes ownership of CONFIG. */
HzSched *hz_sched_new (HzConfig *config,
                       GError  **error);
void hz_sched_free (HzSched *sched);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzSched, hz_sched_free)

/* Starts the HTTP server (HTTPS when tls_certificate is set) on [scheduler]
 * listen and sets listen_url, public_url, relay_url and
 * content_security_policy. */
gboolean hz_sched_listen (HzSched *sched,
                          GError **error);

/* Returns PUBLIC_URL/join.html#session=ID&token=TOKEN&relay=RELAY_URL with
 * the relay URL percent-encoded. The token is base64url text and dots, which
 * need no encoding. The fragment never reaches a server log. */
char *hz_sched_join_url (const HzSched *sched,
                         gint64         session_id,
                         const char    *token);

/* Stops accepting connections and closes the open ones. */
void hz_sched_stop (HzSched *sched);

/* Returns the zone of an organization's timezone identifier, or of
 * HZ_DEFAULT_TIMEZONE when IDENTIFIER is NULL or unknown to the system. */
GTimeZone *hz_sched_lookup_zone (const char *identifier);

G_END_DECLS
