/* Join tokens: what the scheduler hands a participant and the relay checks.
 *
 * Text form: "v1." BASE64URL(payload) "." BASE64URL(HMAC-SHA256(key, "v1." BASE64URL(payload)))
 * where payload is "sid=..&uid=..&role=publish|view&nbf=..&exp=..&name=.."
 * (application/x-www-form-urlencoded, times in Unix seconds) and key is the
 * shared secret derived for "join-token". The relay needs no database.
 */
#pragma once

#include <glib.h>
#include "hz-secret.h"

G_BEGIN_DECLS

#define HZ_TOKEN_ERROR (hz_token_error_quark ())
GQuark hz_token_error_quark (void);

typedef enum {
  HZ_TOKEN_ERROR_MALFORMED,         /* "token_malformed" */
  HZ_TOKEN_ERROR_BAD_SIGNATURE,     /* "token_bad_signature": tampered or another secret */
  HZ_TOKEN_ERROR_EXPIRED,           /* "token_expired" */
  HZ_TOKEN_ERROR_NOT_YET_VALID,     /* "token_not_yet_valid" */
  HZ_TOKEN_ERROR_WRONG_SESSION,     /* "token_wrong_session" */
} HzTokenError;

typedef enum {
  HZ_TOKEN_ROLE_PUBLISH,
  HZ_TOKEN_ROLE_VIEW,
} HzTokenRole;

/* Tokens are longer than any real one past this size are rejected unread. */
#define HZ_TOKEN_MAX_LENGTH 2048

typedef struct {
  gint64 session_id;
  gint64 user_id;
  HzTokenRole role;
  gint64 not_before;   /* Unix seconds */
  gint64 expires;      /* Unix seconds, exclusive */
  char *name;          /* display name shown to the other participants */
} HzJoinToken;

void hz_join_token_clear (HzJoinToken *token);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HzJoinToken, hz_join_token_clear)

/* The validity window that the scheduler grants: from 15 minutes before the
 * session starts to 30 minutes after it ends. */
#define HZ_TOKEN_EARLY_SECONDS (15 * 60)
#define HZ_TOKEN_LATE_SECONDS (30 * 60)

const char *hz_token_role_to_string (HzTokenRole role);
gboolean hz_token_role_from_string (const char *text, HzTokenRole *role);

char *hz_token_sign (const HzSecret    *secret,
                     const HzJoinToken *token);

/* Verifies TEXT for SESSION_ID at time NOW (Unix seconds) and fills OUT.
 * Checks run in this order: shape, signature, session, window; the first
 * failure sets its HzTokenError code. */
gboolean hz_token_verify (const HzSecret *secret,
                          const char     *text,
                          gint64          session_id,
                          gint64          now,
                          HzJoinToken    *out,
                          GError        **error);

/* The stable code string for an HZ_TOKEN_ERROR code, e.g. "token_expired". */
const char *hz_token_error_code (int code);

G_END_DECLS
