/* Consultation reports and their amendments. */
#include "hz-sched-store-reports.h"

#include "hz-sched-db.h"
#include "hz-sched-errors.h"
#include "hz-sched-store-workflow.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
hz_amendment_free (HzAmendment *amendment)
{
  if (amendment == NULL)
    return;
  g_free (amendment->author_name);
  g_free (amendment->text);
  g_free (amendment);
}

void
hz_report_free (HzReport *report)
{
  if (report == NULL)
    return;
  g_free (report->author_name);
  g_free (report->opinion);
  g_clear_pointer (&report->amendments, g_ptr_array_unref);
  g_free (report);
}

static gboolean
read_amendments (sqlite3   *db,
                 HzReport  *report,
                 GError   **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT a.id, a.author_id, u.name, a.text, a.created_at"
    " FROM consultation_report_amendments a JOIN users u ON u.id = a.author_id"
    " WHERE a.consultation_id = ? ORDER BY a.id", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, report->consultation_id);
  report->amendments = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_amendment_free);

  while (hz_db_step (stmt, &has_row, error))
    {
      HzAmendment *amendment;

      if (!has_row)
        return TRUE;

      amendment = g_new0 (HzAmendment, 1);
      amendment->id = sqlite3_column_int64 (stmt, 0);
      amendment->author_id = sqlite3_column_int64 (stmt, 1);
      amendment->author_name = hz_db_column_text (stmt, 2);
      amendment->text = hz_db_column_text (stmt, 3);
      amendment->created_at = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (report->amendments, amendment);
    }

  return FALSE;
}

HzReport *
hz_store_get_report (sqlite3 *db,
                     gint64   consultation_id,
                     GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT r.author_id, u.name, r.opinion, r.created_at, r.updated_at, r.signed_at,"
    "       r.signed_by"
    " FROM consultation_reports r JOIN users u ON u.id = r.author_id"
    " WHERE r.consultation_id = ?", error);
  g_autoptr (HzReport) report = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, consultation_id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Consultation %" G_GINT64_FORMAT " has no report", consultation_id);
      return NULL;
    }

  report = g_new0 (HzReport, 1);
  report->consultation_id = consultation_id;
  report->author_id = sqlite3_column_int64 (stmt, 0);
  report->author_name = hz_db_column_text (stmt, 1);
  report->opinion = hz_db_column_text (stmt, 2);
  report->created_at = sqlite3_column_int64 (stmt, 3);
  report->updated_at = sqlite3_column_int64 (stmt, 4);
  report->signed_at = sqlite3_column_type (stmt, 5) == SQLITE_NULL
                      ? HZ_TIME_NONE : sqlite3_column_int64 (stmt, 5);
  report->signed_by = hz_db_column_id (stmt, 6);

  if (!read_amendments (db, report, error))
    return NULL;
  return g_steal_pointer (&report);
}

/* Sets *EXISTS and *SIGNED for the report of CONSULTATION_ID inside the
 * current transaction. */
static gboolean
read_report_state (sqlite3   *db,
                   gint64     consultation_id,
                   gboolean  *exists,
                   gboolean  *is_signed,
                   GError   **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT signed_at IS NOT NULL FROM consultation_reports WHERE consultation_id = ?",
    error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, consultation_id);
  if (!hz_db_step (stmt, exists, error))
    return FALSE;

  *is_signed = *exists && sqlite3_column_int (stmt, 0) != 0;
  return TRUE;
}

static gboolean
fail_signed (gint64   consultation_id,
             GError **error)
{
  g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_REPORT_SIGNED,
               "The report of consultation %" G_GINT64_FORMAT " is signed", consultation_id);
  return FALSE;
}

/* A draft is written before, during or after the session, until it is
 * signed. */
static gboolean
check_draft_allowed (sqlite3  *db,
                     gint64    consultation_id,
                     GError  **error)
{
  HzConsultationStatus status;

  if (!hz_store_read_status (db, consultation_id, &status, error))
    return FALSE;

  switch (status)
    {
    case HZ_CONSULTATION_SCHEDULED:
    case HZ_CONSULTATION_IN_PROGRESS:
      return TRUE;
    case HZ_CONSULTATION_COMPLETED:
      return fail_signed (consultation_id, error);
    default:
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_STATE,
                   "Consultation %" G_GINT64_FORMAT " is %s; no report can be written",
                   consultation_id, hz_consultation_status_to_string (status));
      return FALSE;
    }
}

static gboolean
upsert_draft (sqlite3     *db,
              gint64       consultation_id,
              gint64       author_id,
              const char  *opinion,
              GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO consultation_reports (consultation_id, author_id, opinion, created_at,"
    "                                  updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?4)"
    " ON CONFLICT (consultation_id) DO UPDATE SET author_id = ?2, opinion = ?3,"
    "                                            updated_at = ?4", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, consultation_id);
  sqlite3_bind_int64 (stmt, 2, author_id);
  sqlite3_bind_text (stmt, 3, opinion, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  return hz_db_step (stmt, NULL, error);
}

static gboolean
save_draft_in_transaction (sqlite3        *db,
                           const HzActor  *actor,
                           gint64          consultation_id,
                           gint64          author_id,
                           const char     *opinion,
                           GError        **error)
{
  gboolean exists, is_signed;
  HzAuditEntry audit = { *actor, "report.draft", "report", consultation_id,
                         NULL, "draft", NULL };

  if (!check_draft_allowed (db, consultation_id, error) ||
      !read_report_state (db, consultation_id, &exists, &is_signed, error))
    return FALSE;
  if (is_signed)
    return fail_signed (consultation_id, error);

  return upsert_draft (db, consultation_id, author_id, opinion, error) &&
         hz_audit_write (db, &audit, error);
}

/* Runs BODY inside one BEGIN IMMEDIATE transaction. */
#define RUN_IN_TRANSACTION(db, error, body) \
  G_STMT_START {                            \
    if (!hz_db_begin ((db), (error)))       \
      return FALSE;                         \
    if (!(body))                            \
      {                                     \
        hz_db_rollback (db);                \
        return FALSE;                       \
      }                                     \
    return hz_db_commit ((db), (error));    \
  } G_STMT_END

gboolean
hz_store_save_report_draft (sqlite3        *db,
                            const HzActor  *actor,
                            gint64          consultation_id,
                            gint64          author_id,
                            const char     *opinion,
                            GError        **error)
{
  RUN_IN_TRANSACTION (db, error,
    save_draft_in_transaction (db, actor, consultation_id, author_id, opinion, error));
}

static gboolean
mark_signed (sqlite3  *db,
             gint64    consultation_id,
             gint64    signer_id,
             GError  **error)
{
  g_autoptr (sqlite3_stmt) report = hz_db_prepare (db,
    "UPDATE consultation_reports SET signed_at = ?, signed_by = ?"
    " WHERE consultation_id = ? AND signed_at IS NULL", error);
  g_autoptr (sqlite3_stmt) session = NULL;

  if (report == NULL)
    return FALSE;

  sqlite3_bind_int64 (report, 1, now_seconds ());
  sqlite3_bind_int64 (report, 2, signer_id);
  sqlite3_bind_int64 (report, 3, consultation_id);
  if (!hz_db_step (report, NULL, error))
    return FALSE;

  /* The consultation is over, so its session no longer takes joins. */
  session = hz_db_prepare (db,
    "UPDATE sessions SET status = 'completed'"
    " WHERE id = (SELECT session_id FROM consultations WHERE id = ?) AND status = 'scheduled'",
    error);
  if (session == NULL)
    return FALSE;

  sqlite3_bind_int64 (session, 1, consultation_id);
  return hz_db_step (session, NULL, error);
}

static gboolean
sign_in_transaction (sqlite3        *db,
                     const HzActor  *actor,
                     gint64          consultation_id,
                     gint64          signer_id,
                     GError        **error)
{
  gboolean exists, is_signed;
  HzConsultationStatus from;
  HzAuditEntry audit = { *actor, "report.sign", "report", consultation_id,
                         "draft", "signed", NULL };

  if (!read_report_state (db, consultation_id, &exists, &is_signed, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_REPORT_MISSING,
                   "Consultation %" G_GINT64_FORMAT " has no draft to sign", consultation_id);
      return FALSE;
    }
  if (is_signed)
    return fail_signed (consultation_id, error);

  return hz_store_workflow_check (db, consultation_id, HZ_WORKFLOW_COMPLETE, &from, error) &&
         mark_signed (db, consultation_id, signer_id, error) &&
         hz_audit_write (db, &audit, error) &&
         hz_store_workflow_write (db, actor, consultation_id, from, HZ_WORKFLOW_COMPLETE,
                                  NULL, NULL, error);
}

gboolean
hz_store_sign_report (sqlite3        *db,
                      const HzActor  *actor,
                      gint64          consultation_id,
                      gint64          signer_id,
                      GError        **error)
{
  RUN_IN_TRANSACTION (db, error,
    sign_in_transaction (db, actor, consultation_id, signer_id, error));
}

static gboolean
insert_amendment (sqlite3     *db,
                  gint64       consultation_id,
                  gint64       author_id,
                  const char  *text,
                  GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO consultation_report_amendments (consultation_id, author_id, text, created_at)"
    " VALUES (?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, consultation_id);
  sqlite3_bind_int64 (stmt, 2, author_id);
  sqlite3_bind_text (stmt, 3, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now_seconds ());
  return hz_db_step (stmt, NULL, error);
}

static gboolean
amend_in_transaction (sqlite3        *db,
                      const HzActor  *actor,
                      gint64          consultation_id,
                      gint64          author_id,
                      const char     *text,
                      GError        **error)
{
  gboolean exists, is_signed;
  HzAuditEntry audit = { *actor, "report.amend", "report", consultation_id,
                         "signed", "signed", NULL };

  if (!read_report_state (db, consultation_id, &exists, &is_signed, error))
    return FALSE;
  if (!is_signed)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_REPORT_NOT_SIGNED,
                   "The report of consultation %" G_GINT64_FORMAT " is not signed",
                   consultation_id);
      return FALSE;
    }

  return insert_amendment (db, consultation_id, author_id, text, error) &&
         hz_audit_write (db, &audit, error);
}

gboolean
hz_store_add_amendment (sqlite3        *db,
                        const HzActor  *actor,
                        gint64          consultation_id,
                        gint64          author_id,
                        const char     *text,
                        GError        **error)
{
  RUN_IN_TRANSACTION (db, error,
    amend_in_transaction (db, actor, consultation_id, author_id, text, error));
}
