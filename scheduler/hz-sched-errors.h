/* The errors that the scheduler API returns, and the language of their
 * messages.
 *
 * Every error response is {"code": CODE, "message": MESSAGE} with the HTTP
 * status from the table. Messages are Simplified Chinese unless the client's
 * Accept-Language prefers English.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HZ_LANGUAGE_ZH_CN,
  HZ_LANGUAGE_EN,
} HzLanguage;

/* The order matches the table in hz-sched-errors.c. */
typedef enum {
  HZ_SCHED_ERROR_UNAUTHORIZED,
  HZ_SCHED_ERROR_FORBIDDEN,
  HZ_SCHED_ERROR_NOT_PARTICIPANT,
  HZ_SCHED_ERROR_NOT_FOUND,
  HZ_SCHED_ERROR_METHOD_NOT_ALLOWED,
  HZ_SCHED_ERROR_SLOT_TAKEN,
  HZ_SCHED_ERROR_INVALID_STATE,
  HZ_SCHED_ERROR_SESSION_ENDED,
  HZ_SCHED_ERROR_BODY_TOO_LARGE,
  HZ_SCHED_ERROR_INVALID_JSON,
  HZ_SCHED_ERROR_INVALID_FIELD,
  HZ_SCHED_ERROR_INVALID_TIME,
  HZ_SCHED_ERROR_DATABASE_BUSY,
  HZ_SCHED_ERROR_INTERNAL,
  HZ_SCHED_ERROR_INVALID_TRANSITION,
  HZ_SCHED_ERROR_SESSION_NOT_STARTED,
  HZ_SCHED_ERROR_REPORT_MISSING,
  HZ_SCHED_ERROR_REPORT_SIGNED,
  HZ_SCHED_ERROR_REPORT_NOT_SIGNED,
  HZ_SCHED_ERROR_INVALID_CREDENTIALS,
  HZ_SCHED_ERROR_TOO_MANY_ATTEMPTS,
  HZ_SCHED_ERROR_RATE_LIMITED,
  HZ_SCHED_ERROR_TOO_MANY_CONNECTIONS,
  HZ_SCHED_ERROR_LOGIN_TAKEN,
  HZ_SCHED_ERROR_TOO_SHORT_NOTICE,
  HZ_SCHED_ERROR_OUTSIDE_WORKING_HOURS,
  HZ_SCHED_ERROR_PUBLIC_HOLIDAY,
  HZ_SCHED_ERROR_EXPERT_ON_LEAVE,
  HZ_SCHED_ERROR_TEACHING_CONFLICT,
  HZ_SCHED_ERROR_REGISTRATION_CLOSED,
  HZ_SCHED_ERROR_NOT_REGISTERED,
  HZ_SCHED_ERROR_INVALID_SIGNATURE,
  HZ_SCHED_ERROR_RECORDING_FINISHED,
  HZ_SCHED_ERROR_RECORDING_PATH_TAKEN,
  HZ_SCHED_ERROR_RECORDING_NOT_ALLOWED,
  HZ_SCHED_ERROR_RECORDING_FORBIDDEN,
  HZ_SCHED_ERROR_RECORDING_FILE_MISSING,
  HZ_SCHED_ERROR_RANGE_NOT_SATISFIABLE,
  HZ_SCHED_ERROR_CROSS_ORIGIN,
  HZ_SCHED_ERROR_COUNT,
} HzSchedErrorCode;

/* GError domain whose codes are HzSchedErrorCode. The GError message is
 * English text for the log; the client gets the table's message. */
#define HZ_SCHED_ERROR (hz_sched_error_quark ())
GQuark hz_sched_error_quark (void);

typedef struct {
  const char *code;        /* stable machine code, e.g. "slot_taken" */
  guint http_status;
  const char *message_zh;  /* Simplified Chinese */
  const char *message_en;
} HzSchedErrorInfo;

const HzSchedErrorInfo *hz_sched_error_info (HzSchedErrorCode code);

const char *hz_sched_error_message (HzSchedErrorCode code,
                                    HzLanguage       language);

/* Chooses the response language from an Accept-Language header value
 * (RFC 9110, section 12.5.4). English wins when the highest q-value of an
 * "en" or "en-*" range is above that of any "zh" range, or equal to it and
 * listed first. Everything else, including a missing or unparsable header,
 * gives Simplified Chinese. */
HzLanguage hz_language_from_accept_language (const char *header);

G_END_DECLS
