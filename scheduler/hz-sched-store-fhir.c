/* The queries behind the FHIR R4 search views. */
#include "hz-sched-store-fhir.h"

#include "hz-sched-db.h"

GArray *
hz_store_list_consultation_ids (sqlite3      *db,
                                const gint64 *participant_ids,
                                guint         n_participants,
                                GError      **error)
{
  g_autoptr (GString) sql = g_string_new ("SELECT id FROM consultations");
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean has_row;

  /* One "?" per participant, bound below; ids never enter the SQL text. */
  for (guint i = 0; i < n_participants; i++)
    g_string_append (sql, i == 0 ? " WHERE ? IN (requester_id, expert_id, requested_expert_id)"
                                 : " OR ? IN (requester_id, expert_id, requested_expert_id)");
  g_string_append (sql, " ORDER BY id");

  stmt = hz_db_prepare (db, sql->str, error);
  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < n_participants; i++)
    sqlite3_bind_int64 (stmt, (int) i + 1, participant_ids[i]);

  while (hz_db_step (stmt, &has_row, error))
    {
      gint64 id;

      if (!has_row)
        return g_steal_pointer (&ids);
      id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }

  return NULL;
}

GPtrArray *
hz_store_list_experts (sqlite3 *db,
                       GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id FROM users WHERE role = 'expert' ORDER BY id", error);
  g_autoptr (GPtrArray) experts = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  experts = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_user_free);
  while (hz_db_step (stmt, &has_row, error))
    {
      HzUser *expert;

      if (!has_row)
        return g_steal_pointer (&experts);

      expert = hz_store_get_user (db, sqlite3_column_int64 (stmt, 0), error);
      if (expert == NULL)
        return NULL;
      g_ptr_array_add (experts, expert);
    }

  return NULL;
}

GArray *
hz_store_list_busy_times (sqlite3 *db,
                          gint64   expert_id,
                          gint64   from,
                          gint64   to,
                          GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT s.start_at, s.end_at FROM sessions s"
    " JOIN session_participants p ON p.session_id = s.id"
    " WHERE p.user_id = ? AND s.status != 'cancelled'"
    "   AND hz_interval_overlaps (?, ?, s.start_at, s.end_at)"
    " ORDER BY s.start_at, s.id", error);
  g_autoptr (GArray) busy = hz_interval_set_new ();
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        return g_steal_pointer (&busy);
      hz_interval_set_add (busy, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1));
    }

  return NULL;
}
