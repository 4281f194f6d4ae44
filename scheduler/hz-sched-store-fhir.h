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

G_END_DECLS
