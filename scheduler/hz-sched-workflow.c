#include "hz-sched-workflow.h"

const char *const hz_consultation_status_names[] = {
  "requested", "accepted", "returned", "scheduled", "in_progress",
  "completed", "cancelled", "no_show", NULL,
};

typedef struct {
  const char *zh;
  const char *en;
} StatusLabel;

static const StatusLabel status_labels[HZ_CONSULTATION_STATUS_COUNT] = {
  [HZ_CONSULTATION_REQUESTED] = { "待审核", "requested" },
  [HZ_CONSULTATION_ACCEPTED] = { "已受理", "accepted" },
  [HZ_CONSULTATION_RETURNED] = { "已退回", "returned" },
  [HZ_CONSULTATION_SCHEDULED] = { "已排班", "scheduled" },
  [HZ_CONSULTATION_IN_PROGRESS] = { "进行中", "in progress" },
  [HZ_CONSULTATION_COMPLETED] = { "已完成", "completed" },
  [HZ_CONSULTATION_CANCELLED] = { "已取消", "cancelled" },
  [HZ_CONSULTATION_NO_SHOW] = { "未到诊", "no-show" },
};

/* One action: its audit name, its target and the states it may start
 * from, as a bit set of (1 << HzConsultationStatus). */
typedef struct {
  const char *name;
  HzConsultationStatus target;
  guint sources;
} ActionRule;

#define FROM(status) (1u << (status))

static const ActionRule action_rules[HZ_WORKFLOW_ACTION_COUNT] = {
  [HZ_WORKFLOW_ACCEPT] = {
    "consultation.accept", HZ_CONSULTATION_ACCEPTED,
    FROM (HZ_CONSULTATION_REQUESTED),
  },
  [HZ_WORKFLOW_RETURN] = {
    "consultation.return", HZ_CONSULTATION_RETURNED,
    FROM (HZ_CONSULTATION_REQUESTED) | FROM (HZ_CONSULTATION_ACCEPTED),
  },
  /* From requested, scheduling implies the review: the store writes an
   * accept row before the schedule row. */
  [HZ_WORKFLOW_SCHEDULE] = {
    "consultation.schedule", HZ_CONSULTATION_SCHEDULED,
    FROM (HZ_CONSULTATION_REQUESTED) | FROM (HZ_CONSULTATION_ACCEPTED),
  },
  [HZ_WORKFLOW_RESCHEDULE] = {
    "consultation.reschedule", HZ_CONSULTATION_SCHEDULED,
    FROM (HZ_CONSULTATION_SCHEDULED),
  },
  [HZ_WORKFLOW_START] = {
    "consultation.start", HZ_CONSULTATION_IN_PROGRESS,
    FROM (HZ_CONSULTATION_SCHEDULED),
  },
  [HZ_WORKFLOW_COMPLETE] = {
    "consultation.complete", HZ_CONSULTATION_COMPLETED,
    FROM (HZ_CONSULTATION_IN_PROGRESS),
  },
  [HZ_WORKFLOW_CANCEL] = {
    "consultation.cancel", HZ_CONSULTATION_CANCELLED,
    FROM (HZ_CONSULTATION_REQUESTED) | FROM (HZ_CONSULTATION_ACCEPTED) |
    FROM (HZ_CONSULTATION_SCHEDULED),
  },
  [HZ_WORKFLOW_NO_SHOW] = {
    "consultation.no_show", HZ_CONSULTATION_NO_SHOW,
    FROM (HZ_CONSULTATION_SCHEDULED),
  },
};

const char *
hz_consultation_status_to_string (HzConsultationStatus status)
{
  g_return_val_if_fail ((guint) status < HZ_CONSULTATION_STATUS_COUNT, "requested");
  return hz_consultation_status_names[status];
}

gboolean
hz_consultation_status_from_string (const char           *text,
                                    HzConsultationStatus *status)
{
  for (guint i = 0; i < HZ_CONSULTATION_STATUS_COUNT; i++)
    {
      if (g_strcmp0 (text, hz_consultation_status_names[i]) == 0)
        {
          *status = (HzConsultationStatus) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
hz_consultation_status_label (HzConsultationStatus status,
                              HzLanguage           language)
{
  g_return_val_if_fail ((guint) status < HZ_CONSULTATION_STATUS_COUNT, "?");
  return language == HZ_LANGUAGE_EN ? status_labels[status].en : status_labels[status].zh;
}

const char *
hz_workflow_action_name (HzWorkflowAction action)
{
  g_return_val_if_fail ((guint) action < HZ_WORKFLOW_ACTION_COUNT, "consultation.unknown");
  return action_rules[action].name;
}

HzConsultationStatus
hz_workflow_target (HzWorkflowAction action)
{
  g_return_val_if_fail ((guint) action < HZ_WORKFLOW_ACTION_COUNT, HZ_CONSULTATION_REQUESTED);
  return action_rules[action].target;
}

gboolean
hz_workflow_allows (HzConsultationStatus from,
                    HzWorkflowAction     action)
{
  if ((guint) from >= HZ_CONSULTATION_STATUS_COUNT || (guint) action >= HZ_WORKFLOW_ACTION_COUNT)
    return FALSE;
  return (action_rules[action].sources & FROM (from)) != 0;
}

char *
hz_workflow_transition_message (HzConsultationStatus from,
                                HzConsultationStatus to,
                                HzLanguage           language)
{
  if (language == HZ_LANGUAGE_EN)
    return g_strdup_printf ("The consultation is %s and cannot become %s.",
                            hz_consultation_status_label (from, language),
                            hz_consultation_status_label (to, language));

  return g_strdup_printf ("会诊当前状态为“%s”，不能变为“%s”。",
                          hz_consultation_status_label (from, language),
                          hz_consultation_status_label (to, language));
}
