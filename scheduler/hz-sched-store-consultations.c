/* Consultations: request, booking and cancellation. */
#include "hz-sched-store.h"

#include "hz-sched-db.h"
#include "hz-sched-errors.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
bind_optional_id (sqlite3_stmt *stmt,
                  int           index,
                  gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, index, id);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
insert_consultation (sqlite3         *db,
                     HzConsultation  *consultation,
                     GError         **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO consultations (org_id, requester_id, specialty, patient_ref,"
    "                           patient_age, patient_sex, patient_summary, question,"
    "                           status, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  consultation->created_at = consultation->updated_at = now_seconds ();
  sqlite3_bind_int64 (stmt, 1, consultation->org_id);
  sqlite3_bind_int64 (stmt, 2, consultation->requester_id);
  sqlite3_bind_text (stmt, 3, consultation->specialty, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, consultation->patient.ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, consultation->patient.age);
  sqlite3_bind_text (stmt, 6, consultation->patient.sex, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, consultation->patient.summary, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, consultation->question, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 9, consultation->created_at);
  sqlite3_bind_int64 (stmt, 10, consultation->updated_at);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  consultation->id = sqlite3_last_insert_rowid (db);
  g_free (consultation->status);
  consultation->status = g_strdup ("requested");
  return TRUE;
}

gboolean
hz_store_create_consultation (sqlite3         *db,
                              const HzActor   *actor,
                              HzConsultation  *consultation,
                              GError         **error)
{
  HzAuditEntry audit = { *actor, "consultation.request", "consultation", 0,
                         NULL, "requested", NULL };

  if (!hz_db_begin (db, error))
    return FALSE;

  if (!insert_consultation (db, consultation, error))
    goto failed;

  audit.object_id = consultation->id;
  if (!hz_audit_write (db, &audit, error))
    goto failed;

  return hz_db_commit (db, error);

failed:
  hz_db_rollback (db);
  return FALSE;
}

HzConsultation *
hz_store_get_consultation (sqlite3 *db,
                           gint64   id,
                           GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT c.org_id, c.requester_id, c.specialty, c.patient_ref, c.patient_age,"
    "       c.patient_sex, c.patient_summary, c.question, c.status, c.expert_id,"
    "       c.session_id, s.start_at, s.end_at, c.cancel_reason, c.cancelled_by,"
    "       c.created_at, c.updated_at"
    " FROM consultations c LEFT JOIN sessions s ON s.id = c.session_id"
    " WHERE c.id = ?", error);
  HzConsultation *consultation;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Consultation %" G_GINT64_FORMAT " does not exist", id);
      return NULL;
    }

  consultation = g_new0 (HzConsultation, 1);
  consultation->id = id;
  consultation->org_id = hz_db_column_id (stmt, 0);
  consultation->requester_id = hz_db_column_id (stmt, 1);
  consultation->specialty = hz_db_column_text (stmt, 2);
  consultation->patient.ref = hz_db_column_text (stmt, 3);
  consultation->patient.age = sqlite3_column_int64 (stmt, 4);
  consultation->patient.sex = hz_db_column_text (stmt, 5);
  consultation->patient.summary = hz_db_column_text (stmt, 6);
  consultation->question = hz_db_column_text (stmt, 7);
  consultation->status = hz_db_column_text (stmt, 8);
  consultation->expert_id = hz_db_column_id (stmt, 9);
  consultation->session_id = hz_db_column_id (stmt, 10);
  consultation->start_at = sqlite3_column_type (stmt, 11) == SQLITE_NULL
                           ? HZ_TIME_NONE : sqlite3_column_int64 (stmt, 11);
  consultation->end_at = sqlite3_column_type (stmt, 12) == SQLITE_NULL
                         ? HZ_TIME_NONE : sqlite3_column_int64 (stmt, 12);
  consultation->cancel_reason = hz_db_column_text (stmt, 13);
  consultation->cancelled_by = hz_db_column_id (stmt, 14);
  consultation->created_at = sqlite3_column_int64 (stmt, 15);
  consultation->updated_at = sqlite3_column_int64 (stmt, 16);
  return consultation;
}

/* Reads the status, requester and session of a consultation inside the
 * current transaction. The strings are copied into *STATUS. */
static gboolean
lock_consultation (sqlite3  *db,
                   gint64    id,
                   char    **status,
                   gint64   *requester_id,
                   gint64   *session_id,
                   GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT status, requester_id, session_id FROM consultations WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Consultation %" G_GINT64_FORMAT " does not exist", id);
      return FALSE;
    }

  *status = hz_db_column_text (stmt, 0);
  *requester_id = hz_db_column_id (stmt, 1);
  *session_id = hz_db_column_id (stmt, 2);
  return TRUE;
}

/* Fails with slot_taken when EXPERT_ID takes part in a non-cancelled
 * session that overlaps [START, END). The predicate is the SQL binding of
 * hz_interval_overlaps(), registered by hz_db_open(). */
static gboolean
check_expert_free (sqlite3  *db,
                   gint64    expert_id,
                   gint64    start,
                   gint64    end,
                   GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT s.id FROM sessions s"
    " JOIN session_participants p ON p.session_id = s.id"
    " WHERE p.user_id = ? AND s.status != 'cancelled'"
    "   AND hz_interval_overlaps (?, ?, s.start_at, s.end_at)"
    " LIMIT 1", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  sqlite3_bind_int64 (stmt, 2, start);
  sqlite3_bind_int64 (stmt, 3, end);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;

  if (has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_SLOT_TAKEN,
                   "Expert %" G_GINT64_FORMAT " already has session %" G_GINT64_FORMAT
                   " in the requested interval",
                   expert_id, (gint64) sqlite3_column_int64 (stmt, 0));
      return FALSE;
    }

  return TRUE;
}

static gint64
insert_session (sqlite3  *db,
                gint64    consultation_id,
                gint64    start,
                gint64    end,
                GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO sessions (kind, consultation_id, start_at, end_at, status, recording, created_at)"
    " VALUES ('consultation', ?, ?, ?, 'scheduled', 1, ?)", error);

  if (stmt == NULL)
    return 0;

  sqlite3_bind_int64 (stmt, 1, consultation_id);
  sqlite3_bind_int64 (stmt, 2, start);
  sqlite3_bind_int64 (stmt, 3, end);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  if (!hz_db_step (stmt, NULL, error))
    return 0;

  return sqlite3_last_insert_rowid (db);
}

static gboolean
insert_participant (sqlite3     *db,
                    gint64       session_id,
                    gint64       user_id,
                    const char  *role,
                    GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO session_participants (session_id, user_id, role) VALUES (?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_bind_text (stmt, 3, role, -1, SQLITE_STATIC);
  return hz_db_step (stmt, NULL, error);
}

static gboolean
mark_scheduled (sqlite3  *db,
                gint64    consultation_id,
                gint64    expert_id,
                gint64    session_id,
                GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE consultations SET status = 'scheduled', expert_id = ?, session_id = ?,"
    "       updated_at = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  sqlite3_bind_int64 (stmt, 2, session_id);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  sqlite3_bind_int64 (stmt, 4, consultation_id);
  return hz_db_step (stmt, NULL, error);
}

/* The body of hz_store_schedule_consultation(), run inside its
 * transaction. */
static gint64
book_session (sqlite3        *db,
              const HzActor  *actor,
              gint64          consultation_id,
              gint64          expert_id,
              gint64          start,
              gint64          end,
              GError        **error)
{
  g_autofree char *status = NULL;
  gint64 requester_id, old_session_id, session_id;
  HzAuditEntry session_audit = { *actor, "session.create", "session", 0,
                                 NULL, "scheduled", NULL };
  HzAuditEntry consultation_audit = { *actor, "consultation.schedule", "consultation",
                                      consultation_id, "requested", "scheduled", NULL };

  if (!lock_consultation (db, consultation_id, &status, &requester_id, &old_session_id, error))
    return 0;

  if (!g_str_equal (status, "requested"))
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_STATE,
                   "Consultation %" G_GINT64_FORMAT " is %s, not requested",
                   consultation_id, status);
      return 0;
    }

  if (!check_expert_free (db, expert_id, start, end, error))
    return 0;

  session_id = insert_session (db, consultation_id, start, end, error);
  if (session_id == 0 ||
      !insert_participant (db, session_id, requester_id, "publish", error) ||
      !insert_participant (db, session_id, expert_id, "publish", error) ||
      !mark_scheduled (db, consultation_id, expert_id, session_id, error))
    return 0;

  session_audit.object_id = session_id;
  if (!hz_audit_write (db, &session_audit, error) ||
      !hz_audit_write (db, &consultation_audit, error))
    return 0;

  return session_id;
}

gint64
hz_store_schedule_consultation (sqlite3        *db,
                                const HzActor  *actor,
                                gint64          consultation_id,
                                gint64          expert_id,
                                gint64          start,
                                gint64          end,
                                GError        **error)
{
  gint64 session_id;

  if (!hz_db_begin (db, error))
    return 0;

  session_id = book_session (db, actor, consultation_id, expert_id, start, end, error);
  if (session_id == 0)
    {
      hz_db_rollback (db);
      return 0;
    }

  if (!hz_db_commit (db, error))
    return 0;
  return session_id;
}

static gboolean
mark_cancelled (sqlite3        *db,
                const HzActor  *actor,
                gint64          consultation_id,
                const char     *reason,
                GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE consultations SET status = 'cancelled', cancel_reason = ?, cancelled_by = ?,"
    "       updated_at = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, reason, -1, SQLITE_TRANSIENT);
  bind_optional_id (stmt, 2, actor->kind == HZ_ACTOR_USER ? actor->user_id : 0);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  sqlite3_bind_int64 (stmt, 4, consultation_id);
  return hz_db_step (stmt, NULL, error);
}

static gboolean
cancel_session (sqlite3        *db,
                const HzActor  *actor,
                gint64          session_id,
                const char     *reason,
                GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE sessions SET status = 'cancelled' WHERE id = ? AND status = 'scheduled'", error);
  HzAuditEntry audit = { *actor, "session.cancel", "session", session_id,
                         "scheduled", "cancelled", reason };

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, session_id);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  if (sqlite3_changes (db) == 0)
    return TRUE;
  return hz_audit_write (db, &audit, error);
}

static gboolean
cancel_in_transaction (sqlite3        *db,
                       const HzActor  *actor,
                       gint64          consultation_id,
                       const char     *reason,
                       GError        **error)
{
  g_autofree char *status = NULL;
  gint64 requester_id, session_id;
  HzAuditEntry audit = { *actor, "consultation.cancel", "consultation", consultation_id,
                         NULL, "cancelled", reason };

  if (!lock_consultation (db, consultation_id, &status, &requester_id, &session_id, error))
    return FALSE;

  if (!g_str_equal (status, "requested") && !g_str_equal (status, "scheduled"))
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_STATE,
                   "Consultation %" G_GINT64_FORMAT " is %s and cannot be cancelled",
                   consultation_id, status);
      return FALSE;
    }

  if (!mark_cancelled (db, actor, consultation_id, reason, error))
    return FALSE;
  if (session_id > 0 && !cancel_session (db, actor, session_id, reason, error))
    return FALSE;

  audit.from_status = status;
  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_cancel_consultation (sqlite3        *db,
                              const HzActor  *actor,
                              gint64          consultation_id,
                              const char     *reason,
                              GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!cancel_in_transaction (db, actor, consultation_id, reason, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}
