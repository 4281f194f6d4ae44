/* Consultations: request, booking, rescheduling, cancellation and the
 * role-filtered list. */
#include "hz-sched-store.h"

#include <json-glib/json-glib.h>

#include "hz-sched-access.h"
#include "hz-sched-availability.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"
#include "hz-sched-store-calendar.h"
#include "hz-sched-store-workflow.h"

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

/* PREFERRED_TIMES as stored: a JSON array of [start, end] pairs, or NULL
 * for none. */
static char *
preferred_times_to_json (const GArray *preferred_times)
{
  GString *text;

  if (preferred_times == NULL || preferred_times->len == 0)
    return NULL;
  text = g_string_new ("[");
  for (guint i = 0; i < preferred_times->len; i++) {
    const HzInterval *interval = &g_array_index (preferred_times, HzInterval, i);

    g_string_append_printf (text, "%s[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "]", i ? "," : "",
                            interval->start, interval->end);
  }
  g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

/* Parses the stored TEXT of preferred_times_to_json(); NULL for none. A
 * value that is not such an array (never written by the scheduler) also
 * gives NULL. */
static GArray *
preferred_times_from_json (const char *text)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GArray) intervals = NULL;
  JsonArray *pairs;

  if (text == NULL)
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return NULL;
  pairs = json_node_get_array (json_parser_get_root (parser));
  intervals = g_array_new (FALSE, FALSE, sizeof (HzInterval));
  for (guint i = 0; i < json_array_get_length (pairs); i++) {
    JsonNode *node = json_array_get_element (pairs, i);
    JsonArray *pair = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
    HzInterval interval;

    if (pair == NULL || json_array_get_length (pair) != 2)
      return NULL;
    interval.start = json_array_get_int_element (pair, 0);
    interval.end = json_array_get_int_element (pair, 1);
    g_array_append_val (intervals, interval);
  }
  return g_steal_pointer (&intervals);
}

static gboolean
insert_consultation (sqlite3         *db,
                     HzConsultation  *consultation,
                     GError         **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO consultations (org_id, requester_id, specialty, patient_ref,"
    "                           patient_age, patient_sex, patient_summary, question,"
    "                           status, created_at, updated_at, target_org_id,"
    "                           requested_expert_id, urgency, preferred_times)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'requested', ?, ?, ?, ?, ?, ?)", error);
  g_autofree char *preferred_times = preferred_times_to_json (consultation->preferred_times);

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
  bind_optional_id (stmt, 11, consultation->target_org_id);
  bind_optional_id (stmt, 12, consultation->requested_expert_id);
  sqlite3_bind_text (stmt, 13, consultation->urgency != NULL ? consultation->urgency : "routine", -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 14, preferred_times, -1, SQLITE_TRANSIENT);
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

#define CONSULTATION_COLUMNS \
  "SELECT c.id, c.org_id, c.requester_id, c.specialty, c.patient_ref, c.patient_age," \
  "       c.patient_sex, c.patient_summary, c.question, c.status, c.expert_id," \
  "       c.session_id, s.start_at, s.end_at, c.cancel_reason, c.cancelled_by," \
  "       c.created_at, c.updated_at, c.target_org_id, c.requested_expert_id," \
  "       c.return_reason, c.urgency, c.preferred_times" \
  " FROM consultations c LEFT JOIN sessions s ON s.id = c.session_id"

static gint64
column_time (sqlite3_stmt *stmt,
             int           column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL
         ? HZ_TIME_NONE : sqlite3_column_int64 (stmt, column);
}

/* Reads a row of CONSULTATION_COLUMNS. */
static HzConsultation *
read_consultation_row (sqlite3_stmt *stmt)
{
  HzConsultation *consultation = g_new0 (HzConsultation, 1);

  consultation->id = sqlite3_column_int64 (stmt, 0);
  consultation->org_id = hz_db_column_id (stmt, 1);
  consultation->requester_id = hz_db_column_id (stmt, 2);
  consultation->specialty = hz_db_column_text (stmt, 3);
  consultation->patient.ref = hz_db_column_text (stmt, 4);
  consultation->patient.age = sqlite3_column_int64 (stmt, 5);
  consultation->patient.sex = hz_db_column_text (stmt, 6);
  consultation->patient.summary = hz_db_column_text (stmt, 7);
  consultation->question = hz_db_column_text (stmt, 8);
  consultation->status = hz_db_column_text (stmt, 9);
  consultation->expert_id = hz_db_column_id (stmt, 10);
  consultation->session_id = hz_db_column_id (stmt, 11);
  consultation->start_at = column_time (stmt, 12);
  consultation->end_at = column_time (stmt, 13);
  consultation->cancel_reason = hz_db_column_text (stmt, 14);
  consultation->cancelled_by = hz_db_column_id (stmt, 15);
  consultation->created_at = sqlite3_column_int64 (stmt, 16);
  consultation->updated_at = sqlite3_column_int64 (stmt, 17);
  consultation->target_org_id = hz_db_column_id (stmt, 18);
  consultation->requested_expert_id = hz_db_column_id (stmt, 19);
  consultation->return_reason = hz_db_column_text (stmt, 20);
  consultation->urgency = hz_db_column_text (stmt, 21);
  consultation->preferred_times =
    preferred_times_from_json ((const char *) sqlite3_column_text (stmt, 22));
  return consultation;
}

HzConsultation *
hz_store_get_consultation (sqlite3 *db,
                           gint64   id,
                           GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, CONSULTATION_COLUMNS " WHERE c.id = ?",
                                                 error);
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

  return read_consultation_row (stmt);
}

/* Reads the requester, session and expert of consultation ID inside the
 * current transaction, after hz_store_workflow_check() has found it. */
static gboolean
read_links (sqlite3  *db,
            gint64    id,
            gint64   *requester_id,
            gint64   *session_id,
            gint64   *expert_id,
            GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT requester_id, session_id, expert_id FROM consultations WHERE id = ?", error);
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

  *requester_id = hz_db_column_id (stmt, 0);
  *session_id = hz_db_column_id (stmt, 1);
  *expert_id = hz_db_column_id (stmt, 2);
  return TRUE;
}

/* Fails unless EXPERT_ID can be booked for [START, END): notice, leave,
 * working hours, holidays, and no other session of the expert within the
 * buffer (hz_store_check_expert_bookable()). EXCLUDE_SESSION_ID is the
 * session being moved, or 0. */
static gboolean
check_expert_free (sqlite3  *db,
                   gint64    expert_id,
                   gint64    start,
                   gint64    end,
                   gint64    exclude_session_id,
                   GError  **error)
{
  return hz_store_check_expert_bookable (db, expert_id, start, end, exclude_session_id,
                                         now_seconds (), error);
}

static gint64
insert_session (sqlite3   *db,
                gint64     consultation_id,
                gint64     start,
                gint64     end,
                gboolean   recording,
                GError   **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO sessions (kind, consultation_id, start_at, end_at, status, recording, created_at)"
    " VALUES ('consultation', ?, ?, ?, 'scheduled', ?, ?)", error);

  if (stmt == NULL)
    return 0;

  sqlite3_bind_int64 (stmt, 1, consultation_id);
  sqlite3_bind_int64 (stmt, 2, start);
  sqlite3_bind_int64 (stmt, 3, end);
  sqlite3_bind_int (stmt, 4, recording ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, now_seconds ());
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

/* Sets the expert and the session of a consultation, and addresses it to
 * the expert's organization. The status is hz_store_workflow_write()'s. */
static gboolean
set_expert_and_session (sqlite3  *db,
                        gint64    consultation_id,
                        gint64    expert_id,
                        gint64    session_id,
                        GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE consultations SET expert_id = ?1, session_id = ?2,"
    "       target_org_id = (SELECT org_id FROM users WHERE id = ?1)"
    " WHERE id = ?3", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  sqlite3_bind_int64 (stmt, 2, session_id);
  sqlite3_bind_int64 (stmt, 3, consultation_id);
  return hz_db_step (stmt, NULL, error);
}

/* The audit detail of a booking: {"session_id", "expert_id", "start_at",
 * "end_at"}, times in Unix seconds. */
static char *
booking_detail (gint64 session_id,
                gint64 expert_id,
                gint64 start,
                gint64 end)
{
  return g_strdup_printf ("{\"session_id\": %" G_GINT64_FORMAT ", \"expert_id\": %"
                          G_GINT64_FORMAT ", \"start_at\": %" G_GINT64_FORMAT
                          ", \"end_at\": %" G_GINT64_FORMAT "}",
                          session_id, expert_id, start, end);
}

/* Scheduling straight from "requested" records the review it implies, so
 * the history shows requested -> accepted -> scheduled. */
static gboolean
accept_implicitly (sqlite3               *db,
                   const HzActor         *actor,
                   gint64                 consultation_id,
                   HzConsultationStatus  *from,
                   GError               **error)
{
  if (*from != HZ_CONSULTATION_REQUESTED)
    return TRUE;

  if (!hz_store_workflow_write (db, actor, consultation_id, *from, HZ_WORKFLOW_ACCEPT, NULL,
                                "{\"implied_by\": \"consultation.schedule\"}", error))
    return FALSE;

  *from = HZ_CONSULTATION_ACCEPTED;
  return TRUE;
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
              gboolean        recording,
              GError        **error)
{
  HzConsultationStatus from;
  gint64 requester_id, old_session_id, old_expert_id, session_id;
  g_autofree char *detail = NULL;
  HzAuditEntry session_audit = { *actor, "session.create", "session", 0,
                                 NULL, "scheduled", NULL };

  if (!hz_store_workflow_check (db, consultation_id, HZ_WORKFLOW_SCHEDULE, &from, error) ||
      !read_links (db, consultation_id, &requester_id, &old_session_id, &old_expert_id, error))
    return 0;

  if (!check_expert_free (db, expert_id, start, end, 0, error))
    return 0;

  session_id = insert_session (db, consultation_id, start, end, recording, error);
  if (session_id == 0 ||
      !insert_participant (db, session_id, requester_id, "publish", error) ||
      !insert_participant (db, session_id, expert_id, "publish", error) ||
      !set_expert_and_session (db, consultation_id, expert_id, session_id, error))
    return 0;

  detail = booking_detail (session_id, expert_id, start, end);
  session_audit.object_id = session_id;
  if (!hz_audit_write (db, &session_audit, error) ||
      !accept_implicitly (db, actor, consultation_id, &from, error) ||
      !hz_store_workflow_write (db, actor, consultation_id, from, HZ_WORKFLOW_SCHEDULE,
                                NULL, detail, error))
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
                                gboolean        recording,
                                GError        **error)
{
  gint64 session_id;

  if (!hz_db_begin (db, error))
    return 0;

  session_id = book_session (db, actor, consultation_id, expert_id, start, end, recording,
                             error);
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
read_session_times (sqlite3  *db,
                    gint64    session_id,
                    gint64   *start,
                    gint64   *end,
                    GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT start_at, end_at FROM sessions WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, session_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                   "Session %" G_GINT64_FORMAT " of a scheduled consultation is missing",
                   session_id);
      return FALSE;
    }

  *start = sqlite3_column_int64 (stmt, 0);
  *end = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/* Moves SESSION_ID to [START, END) and replaces OLD_EXPERT_ID with
 * EXPERT_ID among its participants. The sequence grows so that calendar
 * clients replace the event. */
static gboolean
move_session (sqlite3  *db,
              gint64    session_id,
              gint64    old_expert_id,
              gint64    expert_id,
              gint64    start,
              gint64    end,
              GError  **error)
{
  g_autoptr (sqlite3_stmt) times = hz_db_prepare (db,
    "UPDATE sessions SET start_at = ?, end_at = ?, sequence = sequence + 1 WHERE id = ?",
    error);
  g_autoptr (sqlite3_stmt) participant = NULL;

  if (times == NULL)
    return FALSE;

  sqlite3_bind_int64 (times, 1, start);
  sqlite3_bind_int64 (times, 2, end);
  sqlite3_bind_int64 (times, 3, session_id);
  if (!hz_db_step (times, NULL, error))
    return FALSE;

  if (old_expert_id == expert_id)
    return TRUE;

  participant = hz_db_prepare (db,
    "UPDATE session_participants SET user_id = ? WHERE session_id = ? AND user_id = ?", error);
  if (participant == NULL)
    return FALSE;

  sqlite3_bind_int64 (participant, 1, expert_id);
  sqlite3_bind_int64 (participant, 2, session_id);
  sqlite3_bind_int64 (participant, 3, old_expert_id);
  return hz_db_step (participant, NULL, error);
}

static gboolean
reschedule_in_transaction (sqlite3        *db,
                           const HzActor  *actor,
                           gint64          consultation_id,
                           gint64          expert_id,
                           gint64          start,
                           gint64          end,
                           const char     *reason,
                           GError        **error)
{
  HzConsultationStatus from;
  gint64 requester_id, session_id, old_expert_id, old_start, old_end;
  gint64 now = now_seconds ();
  g_autofree char *detail = NULL;
  g_autoptr (GPtrArray) old_expert_events = NULL;
  HzAuditEntry session_audit = { *actor, "session.reschedule", "session", 0,
                                 "scheduled", "scheduled", reason };

  if (!hz_store_workflow_check (db, consultation_id, HZ_WORKFLOW_RESCHEDULE, &from, error) ||
      !read_links (db, consultation_id, &requester_id, &session_id, &old_expert_id, error) ||
      !read_session_times (db, session_id, &old_start, &old_end, error))
    return FALSE;

  /* A replaced expert keeps the event in their calendar feed as
   * cancelled. */
  if (old_expert_id > 0 && old_expert_id != expert_id)
    {
      old_expert_events = hz_store_calendar_snapshot (db, old_expert_id, now, error);
      if (old_expert_events == NULL)
        return FALSE;
    }

  if (!check_expert_free (db, expert_id, start, end, session_id, error) ||
      !move_session (db, session_id, old_expert_id, expert_id, start, end, error) ||
      !set_expert_and_session (db, consultation_id, expert_id, session_id, error))
    return FALSE;

  if (old_expert_events != NULL &&
      !hz_store_calendar_record_removals (db, old_expert_id, old_expert_events, now, error))
    return FALSE;

  detail = g_strdup_printf ("{\"session_id\": %" G_GINT64_FORMAT
                            ", \"previous_expert_id\": %" G_GINT64_FORMAT
                            ", \"expert_id\": %" G_GINT64_FORMAT
                            ", \"previous_start_at\": %" G_GINT64_FORMAT
                            ", \"previous_end_at\": %" G_GINT64_FORMAT
                            ", \"start_at\": %" G_GINT64_FORMAT
                            ", \"end_at\": %" G_GINT64_FORMAT "}",
                            session_id, old_expert_id, expert_id, old_start, old_end,
                            start, end);
  session_audit.object_id = session_id;
  session_audit.detail = detail;
  return hz_audit_write (db, &session_audit, error) &&
         hz_store_workflow_write (db, actor, consultation_id, from, HZ_WORKFLOW_RESCHEDULE,
                                  reason, detail, error);
}

gboolean
hz_store_reschedule_consultation (sqlite3        *db,
                                  const HzActor  *actor,
                                  gint64          consultation_id,
                                  gint64          expert_id,
                                  gint64          start,
                                  gint64          end,
                                  const char     *reason,
                                  GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!reschedule_in_transaction (db, actor, consultation_id, expert_id, start, end, reason,
                                  error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

/* Records the reason and the user who cancelled. The status is
 * hz_store_workflow_write()'s. */
static gboolean
set_cancel_reason (sqlite3        *db,
                   const HzActor  *actor,
                   gint64          consultation_id,
                   const char     *reason,
                   GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE consultations SET cancel_reason = ?, cancelled_by = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, reason, -1, SQLITE_TRANSIENT);
  bind_optional_id (stmt, 2, actor->kind == HZ_ACTOR_USER ? actor->user_id : 0);
  sqlite3_bind_int64 (stmt, 3, consultation_id);
  return hz_db_step (stmt, NULL, error);
}

/* Cancels the session, which frees the expert's time, and raises its
 * sequence so that calendar clients show the event as cancelled. */
static gboolean
cancel_session (sqlite3        *db,
                const HzActor  *actor,
                gint64          session_id,
                const char     *reason,
                GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE sessions SET status = 'cancelled', sequence = sequence + 1"
    " WHERE id = ? AND status = 'scheduled'", error);
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
  HzConsultationStatus from;
  gint64 requester_id, session_id, expert_id;

  if (!hz_store_workflow_check (db, consultation_id, HZ_WORKFLOW_CANCEL, &from, error) ||
      !read_links (db, consultation_id, &requester_id, &session_id, &expert_id, error))
    return FALSE;

  if (!set_cancel_reason (db, actor, consultation_id, reason, error))
    return FALSE;
  if (session_id > 0 && !cancel_session (db, actor, session_id, reason, error))
    return FALSE;

  return hz_store_workflow_write (db, actor, consultation_id, from, HZ_WORKFLOW_CANCEL,
                                  reason, NULL, error);
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

/* A superset of the consultations that VIEWER may see, so that the index
 * narrows the scan; hz_access_can_view_consultation() decides. Parameters:
 * ?1 viewer's organization, ?2 viewer's id, ?3 status or NULL, ?4 upper
 * id bound. */
#define LIST_CANDIDATES \
  CONSULTATION_COLUMNS \
  " WHERE (?3 IS NULL OR c.status = ?3) AND c.id < ?4" \
  "   AND (?1 = 0 OR c.org_id = ?1 OR c.target_org_id = ?1 OR c.target_org_id IS NULL" \
  "        OR c.expert_id = ?2 OR c.requested_expert_id = ?2)" \
  " ORDER BY c.id DESC"

GPtrArray *
hz_store_list_consultations (sqlite3                   *db,
                             const HzConsultationQuery *query,
                             gboolean                  *more,
                             GError                   **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, LIST_CANDIDATES, error);
  g_autoptr (GPtrArray) consultations = NULL;
  const HzUser *viewer = query->viewer;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  /* Admins pass 0 and see every row; they have no organization. */
  sqlite3_bind_int64 (stmt, 1, viewer->role == HZ_ROLE_ADMIN ? 0 : MAX (viewer->org_id, 1));
  sqlite3_bind_int64 (stmt, 2, viewer->id);
  sqlite3_bind_text (stmt, 3, query->status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, query->before_id > 0 ? query->before_id : G_MAXINT64);

  consultations = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_consultation_free);
  *more = FALSE;

  while (hz_db_step (stmt, &has_row, error))
    {
      g_autoptr (HzConsultation) consultation = NULL;

      if (!has_row)
        return g_steal_pointer (&consultations);

      consultation = read_consultation_row (stmt);
      if (!hz_access_can_view_consultation (viewer, consultation))
        continue;

      if (consultations->len == query->limit)
        {
          *more = TRUE;
          return g_steal_pointer (&consultations);
        }
      g_ptr_array_add (consultations, g_steal_pointer (&consultation));
    }

  return NULL;
}
