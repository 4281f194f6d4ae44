/* Guarded status changes of consultations and their history.
 *
 * Each change runs in one BEGIN IMMEDIATE transaction: it reads the status,
 * checks the action against hz-sched-workflow.h, and updates with
 * "WHERE id = ? AND status = FROM", failing when no row changed. Each
 * writes an audit_log row (object_type "consultation") with the actor, the
 * time, both states and the reason, which is the history.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-sched-store.h"
#include "hz-sched-workflow.h"

G_BEGIN_DECLS

/* Reads the status of consultation ID into *STATUS. Fails with not_found. */
gboolean hz_store_read_status (sqlite3               *db,
                               gint64                 id,
                               HzConsultationStatus  *status,
                               GError               **error);

/* Reads the status of consultation ID inside the caller's transaction into
 * *FROM and checks that ACTION may start there. Fails with not_found, or
 * with invalid_transition. */
gboolean hz_store_workflow_check (sqlite3               *db,
                                  gint64                 id,
                                  HzWorkflowAction       action,
                                  HzConsultationStatus  *from,
                                  GError               **error);

/* Inside the caller's transaction: sets the status from FROM to ACTION's
 * target and writes the audit row with REASON and DETAIL (JSON text or
 * NULL). Fails with invalid_transition when the status is no longer FROM. */
gboolean hz_store_workflow_write (sqlite3               *db,
                                  const HzActor         *actor,
                                  gint64                 id,
                                  HzConsultationStatus   from,
                                  HzWorkflowAction       action,
                                  const char            *reason,
                                  const char            *detail,
                                  GError               **error);

/* Accepts, returns (REASON required) or marks a no-show (REASON optional).
 * A no-show needs the session's start to have passed (else
 * session_not_started) and ends the session, which then takes no more
 * join tokens. */
gboolean hz_store_consultation_review (sqlite3           *db,
                                       const HzActor     *actor,
                                       gint64             id,
                                       HzWorkflowAction   action,
                                       const char        *reason,
                                       GError           **error);

/* One history row, read from audit_log. */
typedef struct {
  gint64 at;
  char *action;
  char *from_status;     /* NULL for the request itself */
  char *to_status;
  char *reason;
  char *detail;          /* JSON object text, or NULL */
  char *actor_kind;      /* "user", "relay" or "cli" */
  gint64 actor_id;       /* 0 unless actor_kind is "user" */
  char *actor_name;
  char *actor_role;
} HzHistoryEntry;

void hz_history_entry_free (HzHistoryEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzHistoryEntry, hz_history_entry_free)

/* Returns the history of consultation ID, oldest first, as HzHistoryEntry. */
GPtrArray *hz_store_consultation_history (sqlite3 *db,
                                          gint64   id,
                                          GError **error);

G_END_DECLS
