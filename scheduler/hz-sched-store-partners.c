/* Partner links between organizations; see hz-sched-store-partners.h. */
#include "hz-sched-store-partners.h"

#include "hz-sched-access.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"

GArray *
hz_store_org_partner_ids (sqlite3 *db,
                          gint64   org_id,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT partner_org_id FROM org_partners WHERE consulting_org_id = ?1"
    " UNION SELECT consulting_org_id FROM org_partners WHERE partner_org_id = ?1"
    " ORDER BY 1", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, org_id);
  return hz_db_collect_ids (stmt, error);
}

/* The level of organization ID, or NULL (with *ERROR unset) when there is
 * no such organization. */
static char *
org_level (sqlite3 *db,
           gint64   id,
           GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT level FROM organizations WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error) || !has_row)
    return NULL;
  return hz_db_column_text (stmt, 0);
}

static gboolean
replace_partners (sqlite3        *db,
                  const HzActor  *actor,
                  gint64          consulting_org_id,
                  const gint64   *partner_ids,
                  gsize           n_ids,
                  GError        **error)
{
  g_autofree char *level = org_level (db, consulting_org_id, error);
  g_autoptr (sqlite3_stmt) delete = NULL;
  g_autoptr (sqlite3_stmt) insert = NULL;
  g_autofree char *detail = NULL;
  g_autoptr (GString) ids_text = g_string_new ("[");
  HzAuditEntry audit = { *actor, "organization.partners", "organization", consulting_org_id,
                         NULL, NULL, NULL, NULL };

  if (level == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                     "Organization %" G_GINT64_FORMAT " does not exist", consulting_org_id);
      return FALSE;
    }
  if (!hz_access_org_gives_consultations (level))
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_FIELD,
                   "Organization %" G_GINT64_FORMAT " (%s) gives no consultations",
                   consulting_org_id, level);
      return FALSE;
    }

  for (gsize i = 0; i < n_ids; i++)
    {
      g_autoptr (GError) lookup_error = NULL;
      g_autofree char *partner_level = org_level (db, partner_ids[i], &lookup_error);

      if (lookup_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&lookup_error));
          return FALSE;
        }
      if (partner_level == NULL
          || (!g_str_equal (partner_level, "county") && !g_str_equal (partner_level, "township")))
        {
          g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_FIELD,
                       "Organization %" G_GINT64_FORMAT " is not a county or township hospital",
                       partner_ids[i]);
          return FALSE;
        }
      g_string_append_printf (ids_text, "%s%" G_GINT64_FORMAT, i ? ", " : "", partner_ids[i]);
    }
  g_string_append_c (ids_text, ']');

  delete = hz_db_prepare (db, "DELETE FROM org_partners WHERE consulting_org_id = ?", error);
  insert = delete != NULL
           ? hz_db_prepare (db, "INSERT OR IGNORE INTO org_partners"
                                " (consulting_org_id, partner_org_id, created_at)"
                                " VALUES (?, ?, strftime ('%s', 'now'))", error)
           : NULL;
  if (insert == NULL)
    {
      return FALSE;
    }
  sqlite3_bind_int64 (delete, 1, consulting_org_id);
  if (!hz_db_step (delete, NULL, error))
    {
      return FALSE;
    }
  for (gsize i = 0; i < n_ids; i++)
    {
      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, consulting_org_id);
      sqlite3_bind_int64 (insert, 2, partner_ids[i]);
      if (!hz_db_step (insert, NULL, error))
        {
              return FALSE;
        }
    }

  detail = g_strdup_printf ("{\"partner_org_ids\": %s}", ids_text->str);
  audit.detail = detail;
  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_set_org_partners (sqlite3        *db,
                           const HzActor  *actor,
                           gint64          consulting_org_id,
                           const gint64   *partner_ids,
                           gsize           n_ids,
                           GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;
  if (!replace_partners (db, actor, consulting_org_id, partner_ids, n_ids, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }
  return hz_db_commit (db, error);
}
