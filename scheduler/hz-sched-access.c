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
  if (user->role == HZ_ROLE_ADMIN)
    return TRUE;
  if (user->org_id != 0 && user->org_id == consultation->org_id)
    return TRUE;
  if (consultation->expert_id != 0 && user->id == consultation->expert_id)
    return TRUE;

  return user->role == HZ_ROLE_COORDINATOR &&
         hz_access_org_gives_consultations (user->org_level);
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
