/* The queries behind the FHIR R4 search views (hz-sched-api-fhir.c). */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-interval-set.h"
#include "hz-sched-store.h"

G_BEGIN_DECLS

/* Returns the ids (gint64) of the consultations that one of
 * PARTICIPANT_IDS requested, is the expert of or was named for, in order of
 * id; every consultation when N_PARTICIPANTS is 0. */
GArray *hz_store_list_consultation_ids (sqlite3      *db,
                                        const gint64 *participant_ids,
                                        guint         n_participants,
                                        GError      **error);

/* Returns every expert (HzUser) in order of id. */
GPtrArray *hz_store_list_experts (sqlite3 *db,
                                  GError **error);

/* Returns the HzInterval of each session that is not cancelled, that
 * EXPERT_ID takes part in and that overlaps [FROM, TO), in order of
 * start. */
GArray *hz_store_list_busy_times (sqlite3 *db,
                                  gint64   expert_id,
                                  gint64   from,
                                  gint64   to,
                                  GError **error);

/* A teaching occurrence with what its Appointment and its visibility
 * need. */
typedef struct {
  gint64 session_id;
  gint64 series_id;
  gint64 org_id;             /* the presenter's organization */
  char *kind;
  char *title;
  gint64 presenter_id;
  char *presenter_name;
  gint64 start_at;
  gint64 end_at;
  char *status;
  char *cancel_reason;
  gint64 created_at;         /* of the series */
  GArray *audience;          /* gint64 organization ids */
} HzFhirTeachingRow;

void hz_fhir_teaching_row_free (HzFhirTeachingRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzFhirTeachingRow, hz_fhir_teaching_row_free)

/* Returns the HzFhirTeachingRow of every teaching occurrence in order of
 * session id, or only of SESSION_ID when it is not 0. */
GPtrArray *hz_store_list_fhir_teaching (sqlite3 *db,
                                        gint64   session_id,
                                        GError **error);

G_END_DECLS
