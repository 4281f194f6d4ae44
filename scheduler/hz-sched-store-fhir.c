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
  return hz_db_collect_ids (stmt, error);
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

void
hz_fhir_teaching_row_free (HzFhirTeachingRow *row)
{
  if (row == NULL)
    return;
  g_free (row->kind);
  g_free (row->title);
  g_free (row->presenter_name);
  g_free (row->status);
  g_free (row->cancel_reason);
  g_clear_pointer (&row->audience, g_array_unref);
  g_free (row);
}

static GArray *
read_audience (sqlite3 *db,
               gint64   series_id,
               GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT org_id FROM teaching_audience WHERE series_id = ? ORDER BY org_id", error);

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, series_id);
  return hz_db_collect_ids (stmt, error);
}

static HzFhirTeachingRow *
read_teaching_row (sqlite3_stmt *stmt)
{
  HzFhirTeachingRow *row = g_new0 (HzFhirTeachingRow, 1);

  row->session_id = sqlite3_column_int64 (stmt, 0);
  row->series_id = sqlite3_column_int64 (stmt, 1);
  row->org_id = sqlite3_column_int64 (stmt, 2);
  row->kind = hz_db_column_text (stmt, 3);
  row->title = hz_db_column_text (stmt, 4);
  row->presenter_id = sqlite3_column_int64 (stmt, 5);
  row->presenter_name = hz_db_column_text (stmt, 6);
  row->start_at = sqlite3_column_int64 (stmt, 7);
  row->end_at = sqlite3_column_int64 (stmt, 8);
  row->status = hz_db_column_text (stmt, 9);
  row->cancel_reason = hz_db_column_text (stmt, 10);
  row->created_at = sqlite3_column_int64 (stmt, 11);
  return row;
}

GPtrArray *
hz_store_list_fhir_teaching (sqlite3 *db,
                             gint64   session_id,
                             GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT s.id, t.id, t.org_id, t.kind, t.title, t.presenter_id, u.name,"
    "       s.start_at, s.end_at, s.status, s.cancel_reason, t.created_at"
    " FROM sessions s"
    " JOIN teaching_series t ON t.id = s.teaching_series_id"
    " JOIN users u ON u.id = t.presenter_id"
    " WHERE s.kind = 'teaching' AND (?1 = 0 OR s.id = ?1)"
    " ORDER BY s.id", error);
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GHashTable) audiences = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, session_id);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_fhir_teaching_row_free);
  while (TRUE)
    {
      if (!hz_db_step (stmt, &has_row, error))
        return NULL;
      if (!has_row)
        break;
      g_ptr_array_add (rows, read_teaching_row (stmt));
    }

  /* The occurrences of one series share its audience. */
  audiences = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                     (GDestroyNotify) g_array_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      HzFhirTeachingRow *row = rows->pdata[i];
      GArray *audience = g_hash_table_lookup (audiences, &row->series_id);

      if (audience == NULL)
        {
          audience = read_audience (db, row->series_id, error);
          if (audience == NULL)
            return NULL;
          g_hash_table_insert (audiences, g_memdup2 (&row->series_id, sizeof row->series_id),
                               audience);
        }
      row->audience = g_array_ref (audience);
    }

  return g_steal_pointer (&rows);
}
