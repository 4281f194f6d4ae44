/* Client → relay signalling messages: parsing and validation.
 *
 * One WebSocket text frame contains one JSON object (docs/signalling.md). The
 * parser turns it into an HzSignalMessage or fails with an HZ_SIGNAL_ERROR
 * whose code maps to the protocol's error code string. It has no GStreamer
 * dependency so that unit tests and fuzzers can drive it alone.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Messages larger than this get a message_too_large error from the parser:
 * the largest [relay] max-message-kib that the config accepts
 * (HZ_CONFIG_MAX_MESSAGE_KIB), in bytes. The configured limit, 64 KiB by
 * default, is enforced before, while the message arrives (ws-accept.h). */
#define HZ_SIGNAL_MAX_MESSAGE_SIZE (1024 * 1024)

/* Objects and arrays nested deeper than this are rejected before json-glib
 * parses them, because its parser recurses once per level. */
#define HZ_SIGNAL_MAX_NESTING 32

#define HZ_SIGNAL_ERROR (hz_signal_error_quark ())
GQuark hz_signal_error_quark (void);

typedef enum {
  HZ_SIGNAL_ERROR_BAD_MESSAGE,        /* "bad_message" */
  HZ_SIGNAL_ERROR_MESSAGE_TOO_LARGE,  /* "message_too_large" */
} HzSignalError;

typedef enum {
  HZ_SIGNAL_JOIN,
  HZ_SIGNAL_OFFER,
  HZ_SIGNAL_ANSWER,
  HZ_SIGNAL_CANDIDATE,
  HZ_SIGNAL_KEYFRAME,
  HZ_SIGNAL_LEAVE,
  HZ_SIGNAL_RAISE_HAND,
  HZ_SIGNAL_LOWER_HAND,
  HZ_SIGNAL_GRANT,
  HZ_SIGNAL_REVOKE,
} HzSignalType;

/* A peer connection named by a message's "pc" member. */
typedef enum {
  HZ_SIGNAL_PC_NONE,       /* the message type has no pc */
  HZ_SIGNAL_PC_PUBLISH,    /* "publish" */
  HZ_SIGNAL_PC_SUBSCRIBE,  /* "sub:ID"; the publisher id is in pc_publisher */
} HzSignalPcKind;

/* A validated client message. Members that the type does not carry are
 * NULL, 0 or HZ_SIGNAL_PC_NONE. */
typedef struct {
  HzSignalType type;
  gint64 session_id;          /* join */
  char *token;                /* join */
  HzSignalPcKind pc_kind;     /* offer, answer, candidate, keyframe */
  char *pc_publisher;         /* the ID of "sub:ID" */
  char *sdp;                  /* offer, answer */
  char *candidate;            /* candidate; "" marks the end of candidates */
  guint sdp_mline_index;      /* candidate */
  char *participant_id;       /* grant, revoke: the viewer concerned */
  gboolean video;             /* grant: the viewer may also publish video; FALSE when absent */
} HzSignalMessage;

void hz_signal_message_free (HzSignalMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzSignalMessage, hz_signal_message_free)

/* Parses one frame of LENGTH bytes, which need not be NUL-terminated.
 * Unknown members are ignored, so clients may send e.g. sdpMid. Fails with
 * HZ_SIGNAL_ERROR_MESSAGE_TOO_LARGE over HZ_SIGNAL_MAX_MESSAGE_SIZE. Fails
 * with HZ_SIGNAL_ERROR_BAD_MESSAGE for invalid JSON, a non-object, an
 * unknown type, or a missing or wrongly typed member, and then the error
 * message names the member. */
HzSignalMessage *hz_signal_message_parse (const char *data,
                                          gsize       length,
                                          GError    **error);

/* The protocol's code for an HZ_SIGNAL_ERROR code, e.g. "bad_message". */
const char *hz_signal_error_code (int code);

/* The "type" string of TYPE, e.g. "candidate". */
const char *hz_signal_type_to_string (HzSignalType type);

G_END_DECLS
