/* Partner links between a consulting hospital (district, city or
 * provincial) and the county or township hospitals it supports, as in a
 * 医联体 or a 对口支援 pairing. A requesting organization with partners
 * may address only them. One without partners may address any consulting
 * hospital. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-sched-store.h"

G_BEGIN_DECLS

/* The ids of ORG_ID's partners, either way round, in ascending order;
 * empty when it has none. */
GArray *hz_store_org_partner_ids (sqlite3 *db,
                                  gint64   org_id,
                                  GError **error);

/* Replaces the partners of the consulting organization CONSULTING_ORG_ID
 * with the N_IDS organizations PARTNER_IDS and writes the audit log.
 * Fails with HZ_SCHED_ERROR_NOT_FOUND for an unknown CONSULTING_ORG_ID and
 * with HZ_SCHED_ERROR_INVALID_FIELD when it does not give consultations or
 * a partner is not an existing county or township hospital. */
gboolean hz_store_set_org_partners (sqlite3        *db,
                                    const HzActor  *actor,
                                    gint64          consulting_org_id,
                                    const gint64   *partner_ids,
                                    gsize           n_ids,
                                    GError        **error);

G_END_DECLS
