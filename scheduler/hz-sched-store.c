/* The records' value lists, destructors and the audit log. */
#include "hz-sched-store.h"

#include "hz-sched-db.h"

const char *const hz_role_names[] = {
  "admin", "coordinator", "expert", "doctor", "trainee", NULL,
};

const char *const hz_org_level_names[] = {
  "district", "county", "township", "city", "provincial", NULL,
};

const char *const hz_patient_sex_names[] = {
  "male", "female", "other", "unknown", NULL,
};

const char *const hz_recording_kind_names[] = {
  "audio", "video", NULL,
};

const char *const hz_recording_status_names[] = {
  "recording", "complete", "failed", "interrupted", NULL,
};

const char *const hz_recording_failure_reason_names[] = {
  "disk_full", NULL,
};

const char *
hz_role_to_string (HzRole role)
{
  g_return_val_if_fail ((guint) role <= HZ_ROLE_TRAINEE, "trainee");
  return hz_role_names[role];
}

gboolean
hz_role_from_string (const char *text,
                     HzRole     *role)
{
  for (guint i = 0; hz_role_names[i] != NULL; i++)
    {
      if (g_strcmp0 (text, hz_role_names[i]) == 0)
        {
          *role = (HzRole) i;
          return TRUE;
        }
    }
  return FALSE;
}

void
hz_organization_free (HzOrganization *org)
{
  if (org == NULL)
    return;
  g_free (org->name);
  g_free (org->name_en);
  g_free (org->level);
  g_free (org->timezone);
  g_clear_pointer (&org->partner_org_ids, g_array_unref);
  g_free (org);
}

void
hz_user_free (HzUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user->specialty);
  g_free (user->title);
  g_free (user->org_level);
  g_free (user->org_timezone);
  g_free (user->login);
  g_free (user);
}

void
hz_consultation_free (HzConsultation *consultation)
{
  if (consultation == NULL)
    return;
  g_free (consultation->specialty);
  g_free (consultation->patient.ref);
  g_free (consultation->patient.sex);
  g_free (consultation->patient.summary);
  g_free (consultation->question);
  g_free (consultation->status);
  g_free (consultation->cancel_reason);
  g_free (consultation->return_reason);
  g_free (consultation->urgency);
  g_clear_pointer (&consultation->preferred_times, g_array_unref);
  g_free (consultation);
}

void
hz_session_free (HzSession *session)
{
  if (session == NULL)
    return;
  g_free (session->kind);
  g_free (session->status);
  g_free (session);
}

void
hz_recording_free (HzRecording *recording)
{
  if (recording == NULL)
    return;
  g_free (recording->kind);
  g_free (recording->path);
  g_free (recording->status);
  g_free (recording->failure_reason);
  g_free (recording->title);
  g_strfreev (recording->tags);
  g_free (recording->sha256);
  g_free (recording->session_kind);
  g_free (recording->specialty);
  g_free (recording->participant_name);
  g_free (recording->presenter_name);
  g_free (recording->shared_org_ids);
  g_free (recording);
}

static const char *
actor_kind_to_string (HzActorKind kind)
{
  switch (kind)
    {
    case HZ_ACTOR_USER:
      return "user";
    case HZ_ACTOR_RELAY:
      return "relay";
    case HZ_ACTOR_CLI:
    default:
      return "cli";
    }
}

gboolean
hz_audit_write (sqlite3             *db,
                const HzAuditEntry  *entry,
                GError             **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO audit_log (at, actor_kind, actor_id, action, object_type,"
    "                       object_id, from_status, to_status, reason, detail)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_text (stmt, 2, actor_kind_to_string (entry->actor.kind), -1, SQLITE_STATIC);
  if (entry->actor.kind == HZ_ACTOR_USER)
    sqlite3_bind_int64 (stmt, 3, entry->actor.user_id);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_text (stmt, 4, entry->action, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, entry->object_type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, entry->object_id);
  sqlite3_bind_text (stmt, 7, entry->from_status, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, entry->to_status, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, entry->reason, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, entry->detail, -1, SQLITE_STATIC);

  return hz_db_step (stmt, NULL, error);
}
