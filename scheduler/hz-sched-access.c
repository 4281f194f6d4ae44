#include "hz-sched-access.h"

gboolean
hz_access_org_gives_consultations (const char *level)
{
  return g_strcmp0 (level, "district") == 0 ||
         g_strcmp0 (level, "city") == 0 ||
         g_strcmp0 (level, "provincial") == 0;
}

gboolean
hz_access_can_create_organization (const HzUser *user)
{
  return user->role == HZ_ROLE_ADMIN;
}

gboolean
hz_access_can_create_user (const HzUser *user,
                           gint64        org_id,
                           HzRole        role)
{
  if (user->role == HZ_ROLE_ADMIN)
    return TRUE;

  return user->role == HZ_ROLE_COORDINATOR &&
         user->org_id == org_id &&
         (role == HZ_ROLE_EXPERT || role == HZ_ROLE_DOCTOR || role == HZ_ROLE_TRAINEE);
}

gboolean
hz_access_can_request_consultation (const HzUser *user)
{
  return user->role == HZ_ROLE_DOCTOR &&
         (g_strcmp0 (user->org_level, "county") == 0 ||
          g_strcmp0 (user->org_level, "township") == 0);
}

gboolean
hz_access_can_view_consultation (const HzUser         *user,
                                 const HzConsultation *consultation)
{
  switch (user->role)
    {
    case HZ_ROLE_ADMIN:
      return TRUE;
    case HZ_ROLE_TRAINEE:
      return FALSE;
    case HZ_ROLE_COORDINATOR:
    case HZ_ROLE_EXPERT:
    case HZ_ROLE_DOCTOR:
    default:
      break;
    }

  if (user->org_id != 0 && user->org_id == consultation->org_id)
    return TRUE;

  if (user->role == HZ_ROLE_EXPERT)
    return user->id == consultation->expert_id ||
           user->id == consultation->requested_expert_id;

  return user->role == HZ_ROLE_COORDINATOR &&
         hz_access_org_gives_consultations (user->org_level) &&
         (consultation->target_org_id == 0 || consultation->target_org_id == user->org_id);
}

gboolean
hz_access_can_review (const HzUser         *user,
                      const HzConsultation *consultation)
{
  if (user->role == HZ_ROLE_ADMIN)
    return TRUE;

  return user->role == HZ_ROLE_COORDINATOR &&
         hz_access_org_gives_consultations (user->org_level) &&
         hz_access_can_view_consultation (user, consultation);
}

gboolean
hz_access_can_schedule (const HzUser *user,
                        const HzUser *expert)
{
  if (user->role == HZ_ROLE_ADMIN)
    return TRUE;

  return user->role == HZ_ROLE_COORDINATOR && user->org_id == expert->org_id;
}

gboolean
hz_access_can_cancel (const HzUser         *user,
                      const HzConsultation *consultation)
{
  if (!hz_access_can_view_consultation (user, consultation))
    return FALSE;

  switch (user->role)
    {
    case HZ_ROLE_ADMIN:
    case HZ_ROLE_COORDINATOR:
      return TRUE;
    case HZ_ROLE_DOCTOR:
      return user->id == consultation->requester_id;
    case HZ_ROLE_EXPERT:
      return user->id == consultation->expert_id;
    case HZ_ROLE_TRAINEE:
    default:
      return FALSE;
    }
}

gboolean
hz_access_can_read_report (const HzUser         *user,
                           const HzConsultation *consultation)
{
  if (user->role == HZ_ROLE_ADMIN)
    return TRUE;
  if (consultation->expert_id != 0 && user->id == consultation->expert_id)
    return TRUE;

  return (user->role == HZ_ROLE_DOCTOR || user->role == HZ_ROLE_COORDINATOR) &&
         user->org_id != 0 && user->org_id == consultation->org_id;
}

gboolean
hz_access_can_read_draft_report (const HzUser         *user,
                                 const HzConsultation *consultation)
{
  if (user->role == HZ_ROLE_ADMIN)
    return TRUE;
  return consultation->expert_id != 0 && user->id == consultation->expert_id;
}

gboolean
hz_access_can_write_report (const HzUser         *user,
                            const HzConsultation *consultation)
{
  return user->role == HZ_ROLE_EXPERT && consultation->expert_id != 0 &&
         user->id == consultation->expert_id;
}

gboolean
hz_access_can_set_password (const HzUser *user,
                            const HzUser *target)
{
  if (user->id == target->id)
    return TRUE;
  return hz_access_can_create_user (user, target->org_id, target->role);
}

gboolean
hz_access_can_view_teaching (const HzUser *user,
                             gint64        presenter_org_id,
                             const gint64 *audience_org_ids,
                             gsize         n_audience)
{
  if (user->role == HZ_ROLE_ADMIN)
    return TRUE;
  if (user->org_id == 0)
    return FALSE;
  if (user->org_id == presenter_org_id)
    return TRUE;

  for (gsize i = 0; i < n_audience; i++)
    if (audience_org_ids[i] == user->org_id)
      return TRUE;

  return FALSE;
}
