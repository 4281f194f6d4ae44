/* The consultation workflow as a table of states and actions.
 *
 *   requested --accept--> accepted --schedule--> scheduled --start--> in_progress
 *       |                    |                   |  ^  |                  |
 *       +------return--------+--> returned       |  +--+ reschedule    complete
 *       |                                        |                        v
 *       +--schedule (implies accept)-------------+                    completed
 *
 *   cancel: requested, accepted, scheduled --> cancelled
 *   no_show: scheduled --> no_show
 *
 * returned, completed, cancelled and no_show are final. The store checks
 * every change against this table inside the transaction that makes it.
 */
#pragma once

#include <glib.h>

#include "hz-sched-errors.h"

G_BEGIN_DECLS

typedef enum {
  HZ_CONSULTATION_REQUESTED,
  HZ_CONSULTATION_ACCEPTED,
  HZ_CONSULTATION_RETURNED,
  HZ_CONSULTATION_SCHEDULED,
  HZ_CONSULTATION_IN_PROGRESS,
  HZ_CONSULTATION_COMPLETED,
  HZ_CONSULTATION_CANCELLED,
  HZ_CONSULTATION_NO_SHOW,
  HZ_CONSULTATION_STATUS_COUNT,
} HzConsultationStatus;

typedef enum {
  HZ_WORKFLOW_ACCEPT,
  HZ_WORKFLOW_RETURN,
  HZ_WORKFLOW_SCHEDULE,
  HZ_WORKFLOW_RESCHEDULE,
  HZ_WORKFLOW_START,         /* the relay reports the first join */
  HZ_WORKFLOW_COMPLETE,      /* the expert signs the report */
  HZ_WORKFLOW_CANCEL,
  HZ_WORKFLOW_NO_SHOW,
  HZ_WORKFLOW_ACTION_COUNT,
} HzWorkflowAction;

/* NULL-terminated names as stored and sent: "requested", "in_progress", ... */
extern const char *const hz_consultation_status_names[];

const char *hz_consultation_status_to_string (HzConsultationStatus status);
gboolean hz_consultation_status_from_string (const char           *text,
                                             HzConsultationStatus *status);

/* The status as clinicians read it: "已退回" or "returned". */
const char *hz_consultation_status_label (HzConsultationStatus status,
                                          HzLanguage           language);

/* The audit action of ACTION, e.g. "consultation.accept". */
const char *hz_workflow_action_name (HzWorkflowAction action);

/* The status that ACTION leads to. */
HzConsultationStatus hz_workflow_target (HzWorkflowAction action);

/* Whether ACTION may start from FROM. */
gboolean hz_workflow_allows (HzConsultationStatus from,
                             HzWorkflowAction     action);

/* The client message of an invalid transition, naming both states, e.g.
 * "会诊当前状态为“已退回”，不能变为“已受理”。". */
char *hz_workflow_transition_message (HzConsultationStatus from,
                                      HzConsultationStatus to,
                                      HzLanguage           language);

G_END_DECLS
