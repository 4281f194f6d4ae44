/* The expert's consultation report: a draft opinion, its signature and
 * the amendments appended after it.
 *
 * Signing moves the consultation from in_progress to completed in the same
 * transaction. A signed report never changes: the store rejects it with
 * report_signed, and triggers of the schema (version 2) abort any UPDATE
 * or DELETE of a signed row and of amendments.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-sched-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  gint64 author_id;
  char *author_name;
  char *text;
  gint64 created_at;
} HzAmendment;

typedef struct {
  gint64 consultation_id;
  gint64 author_id;
  char *author_name;
  char *opinion;
  gint64 created_at;
  gint64 updated_at;
  gint64 signed_at;       /* HZ_TIME_NONE while a draft */
  gint64 signed_by;       /* 0 while a draft */
  GPtrArray *amendments;  /* HzAmendment, oldest first */
} HzReport;

void hz_report_free (HzReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzReport, hz_report_free)

/* Returns the report of CONSULTATION_ID with its amendments, or fails with
 * not_found when no draft was saved. */
HzReport *hz_store_get_report (sqlite3 *db,
                               gint64   consultation_id,
                               GError **error);

/* Creates or replaces the draft by AUTHOR_ID (the caller checks that it is
 * the assigned expert). The consultation must be scheduled or in_progress
 * (else invalid_state), and the report unsigned (else report_signed). */
gboolean hz_store_save_report_draft (sqlite3        *db,
                                     const HzActor  *actor,
                                     gint64          consultation_id,
                                     gint64          author_id,
                                     const char     *opinion,
                                     GError        **error);

/* Signs the draft and completes the consultation. Fails with
 * report_missing without a draft, report_signed when already signed and
 * invalid_transition unless the consultation is in_progress. */
gboolean hz_store_sign_report (sqlite3        *db,
                               const HzActor  *actor,
                               gint64          consultation_id,
                               gint64          signer_id,
                               GError        **error);

/* Appends an amendment to a signed report (else report_not_signed). */
gboolean hz_store_add_amendment (sqlite3        *db,
                                 const HzActor  *actor,
                                 gint64          consultation_id,
                                 gint64          author_id,
                                 const char     *text,
                                 GError        **error);

G_END_DECLS
