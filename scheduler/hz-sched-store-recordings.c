/* The recordings library; see hz-sched-store-recordings.h. */
#include "hz-sched-store-recordings.h"

#include <json-glib/json-glib.h>

#include "hz-sched-db.h"
#include "hz-sched-errors.h"

/* Whether the organization bound to ORG takes part in session s (the
 * alias of the joined sessions row). ORG is a named SQL parameter. */
#define ORG_PARTICIPATES(org) \
  "(EXISTS (SELECT 1 FROM consultations pc WHERE pc.id = s.consultation_id" \
  "         AND (pc.org_id = " org " OR EXISTS (SELECT 1 FROM users pe" \
  "              WHERE pe.id = pc.expert_id AND pe.org_id = " org ")))" \
  " OR EXISTS (SELECT 1 FROM teaching_series pt WHERE pt.id = s.teaching_series_id" \
  "            AND pt.org_id = " org ")" \
  " OR EXISTS (SELECT 1 FROM teaching_audience pa WHERE pa.series_id = s.teaching_series_id" \
  "            AND pa.org_id = " org ")" \
  " OR EXISTS (SELECT 1 FROM session_participants pp JOIN users pu ON pu.id = pp.user_id" \
  "            WHERE pp.session_id = s.id AND pu.org_id = " org "))"

/* The columns of a library row, in the order that read_library_row()
 * reads them. :caller, :caller_org, :admin and :coordinator describe the
 * caller for the editable column. */
#define LIBRARY_SELECT \
  "SELECT r.id, r.session_id, r.participant_id, r.kind, r.path, r.status, r.started_at," \
  "       r.ended_at, r.bytes, r.failure_reason, r.title, r.sha256, r.keep_for_training," \
  "       s.kind, coalesce (c.specialty, tp.specialty)," \
  "       coalesce (t.presenter_id, c.expert_id)," \
  "       (SELECT group_concat (tag, ',') FROM" \
  "          (SELECT tag FROM recording_tags WHERE recording_id = r.id ORDER BY tag))," \
  "       (:admin OR (s.kind = 'consultation' AND (c.expert_id = :caller OR" \
  "                   (:coordinator AND ce.org_id = :caller_org)))" \
  "              OR (s.kind = 'teaching' AND (t.presenter_id = :caller" \
  "                   OR t.created_by = :caller OR (:coordinator AND t.org_id = :caller_org))))," \
  "       pu.name, pr.name" \
  " FROM recordings r" \
  " JOIN sessions s ON s.id = r.session_id" \
  " LEFT JOIN consultations c ON c.id = s.consultation_id" \
  " LEFT JOIN users ce ON ce.id = c.expert_id" \
  " LEFT JOIN teaching_series t ON t.id = s.teaching_series_id" \
  " LEFT JOIN users tp ON tp.id = t.presenter_id" \
  " LEFT JOIN users pu ON pu.id = r.participant_id" \
  " LEFT JOIN users pr ON pr.id = coalesce (t.presenter_id, c.expert_id)"

/* The caller's visibility, as described in the header. */
#define LIBRARY_VISIBLE \
  " (:admin" \
  "  OR (NOT :trainee AND " ORG_PARTICIPATES (":caller_org") ")" \
  "  OR (:trainee AND EXISTS (SELECT 1 FROM recording_shares sh" \
  "                           WHERE sh.recording_id = r.id AND sh.org_id = :caller_org)))"

static const char search_sql[] =
  LIBRARY_SELECT
  " WHERE" LIBRARY_VISIBLE
  " AND (:id IS NULL OR r.id = :id)"
  " AND (:org IS NULL OR " ORG_PARTICIPATES (":org") ")"
  " AND (:specialty IS NULL OR coalesce (c.specialty, tp.specialty) = :specialty)"
  " AND (:presenter IS NULL OR coalesce (t.presenter_id, c.expert_id) = :presenter)"
  " AND (:session IS NULL OR r.session_id = :session)"
  " AND (:from IS NULL OR r.started_at >= :from)"
  " AND (:to IS NULL OR r.started_at < :to)"
  " AND (:before IS NULL OR r.id < :before)"
  " AND (:tags IS NULL OR (SELECT count (*) FROM recording_tags g WHERE g.recording_id = r.id"
  "                        AND g.tag IN (SELECT value FROM json_each (:tags)))"
  "                       = json_array_length (:tags))"
  " ORDER BY r.id DESC LIMIT :limit";

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

const char *
hz_recording_content_type (const char *path)
{
  return g_str_has_suffix (path, ".mkv") ? "video/x-matroska" : "video/webm";
}

static void
bind_named_int64 (sqlite3_stmt *stmt,
                  const char   *name,
                  gint64        value)
{
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, name), value);
}

/* Binds VALUE to NAME, or NULL when VALUE is NONE. */
static void
bind_named_optional (sqlite3_stmt *stmt,
                     const char   *name,
                     gint64        value,
                     gint64        none)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (value == none)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, value);
}

static void
bind_caller (sqlite3_stmt *stmt,
             const HzUser *caller)
{
  bind_named_int64 (stmt, ":caller", caller->id);
  bind_named_int64 (stmt, ":caller_org", caller->org_id);
  bind_named_int64 (stmt, ":admin", caller->role == HZ_ROLE_ADMIN);
  bind_named_int64 (stmt, ":trainee", caller->role == HZ_ROLE_TRAINEE);
  bind_named_int64 (stmt, ":coordinator", caller->role == HZ_ROLE_COORDINATOR);
}

/* Returns TAGS as a JSON array text, for json_each(). */
static char *
tags_to_json (const char *const *tags)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; tags[i] != NULL; i++)
    json_builder_add_string_value (builder, tags[i]);
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static HzRecording *
read_library_row (sqlite3_stmt *stmt)
{
  HzRecording *recording = g_new0 (HzRecording, 1);
  const char *tags = (const char *) sqlite3_column_text (stmt, 16);

  recording->id = sqlite3_column_int64 (stmt, 0);
  recording->session_id = sqlite3_column_int64 (stmt, 1);
  recording->participant_id = sqlite3_column_int64 (stmt, 2);
  recording->kind = hz_db_column_text (stmt, 3);
  recording->path = hz_db_column_text (stmt, 4);
  recording->status = hz_db_column_text (stmt, 5);
  recording->started_at = sqlite3_column_int64 (stmt, 6);
  recording->ended_at = sqlite3_column_type (stmt, 7) == SQLITE_NULL
                        ? HZ_TIME_NONE : sqlite3_column_int64 (stmt, 7);
  recording->bytes = sqlite3_column_type (stmt, 8) == SQLITE_NULL
                     ? -1 : sqlite3_column_int64 (stmt, 8);
  recording->failure_reason = hz_db_column_text (stmt, 9);
  recording->library = TRUE;
  recording->title = hz_db_column_text (stmt, 10);
  recording->sha256 = hz_db_column_text (stmt, 11);
  recording->keep_for_training = sqlite3_column_int (stmt, 12) != 0;
  recording->session_kind = hz_db_column_text (stmt, 13);
  recording->specialty = hz_db_column_text (stmt, 14);
  recording->presenter_id = hz_db_column_id (stmt, 15);
  /* Tags contain no commas (the API rejects them), so the list splits
   * back exactly. */
  recording->tags = tags != NULL ? g_strsplit (tags, ",", -1) : g_new0 (char *, 1);
  recording->editable = sqlite3_column_int (stmt, 17) != 0;
  recording->participant_name = hz_db_column_text (stmt, 18);
  recording->presenter_name = hz_db_column_text (stmt, 19);
  return recording;
}

/* Fills RECORDING's shared_org_ids. */
static gboolean
read_shares (sqlite3      *db,
             HzRecording  *recording,
             GError      **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT org_id FROM recording_shares WHERE recording_id = ? ORDER BY org_id", error);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, recording->id);
  while (hz_db_step (stmt, &has_row, error))
    {
      gint64 org_id;

      if (!has_row)
        {
          recording->n_shared_org_ids = ids->len;
          recording->shared_org_ids = (gint64 *) (void *) g_array_free (g_steal_pointer (&ids),
                                                                        FALSE);
          return TRUE;
        }
      org_id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, org_id);
    }
  return FALSE;
}

GPtrArray *
hz_store_search_recordings (sqlite3                 *db,
                            const HzRecordingQuery  *query,
                            GError                 **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, search_sql, error);
  g_autoptr (GPtrArray) recordings = NULL;
  g_autofree char *tags = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  bind_caller (stmt, query->caller);
  bind_named_optional (stmt, ":id", query->id, 0);
  bind_named_optional (stmt, ":org", query->org_id, 0);
  bind_named_optional (stmt, ":presenter", query->presenter_id, 0);
  bind_named_optional (stmt, ":session", query->session_id, 0);
  bind_named_optional (stmt, ":from", query->from, HZ_TIME_NONE);
  bind_named_optional (stmt, ":to", query->to, HZ_TIME_NONE);
  bind_named_optional (stmt, ":before", query->before_id, 0);
  bind_named_int64 (stmt, ":limit", query->limit);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":specialty"),
                     query->specialty, -1, SQLITE_TRANSIENT);
  if (query->tags != NULL && query->tags[0] != NULL)
    {
      tags = tags_to_json (query->tags);
      sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":tags"), tags, -1,
                         SQLITE_TRANSIENT);
    }

  recordings = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_recording_free);
  while (hz_db_step (stmt, &has_row, error))
    {
      HzRecording *recording;

      if (!has_row)
        return g_steal_pointer (&recordings);

      recording = read_library_row (stmt);
      g_ptr_array_add (recordings, recording);
      if (recording->editable && !read_shares (db, recording, error))
        return NULL;
    }

  return NULL;
}

HzRecording *
hz_store_get_library_recording (sqlite3       *db,
                                const HzUser  *caller,
                                gint64         id,
                                GError       **error)
{
  HzRecordingQuery query = { caller, id, 0, 0, 0, NULL, NULL, HZ_TIME_NONE, HZ_TIME_NONE, 0, 1 };
  g_autoptr (GPtrArray) found = hz_store_search_recordings (db, &query, error);

  if (found == NULL)
    return NULL;

  if (found->len == 0)
    {
      if (caller->role == HZ_ROLE_ADMIN)
        g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                     "Recording %" G_GINT64_FORMAT " does not exist", id);
      else
        g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_RECORDING_FORBIDDEN,
                     "User %" G_GINT64_FORMAT " may not see recording %" G_GINT64_FORMAT
                     ", or it does not exist", caller->id, id);
      return NULL;
    }

  return g_ptr_array_steal_index (found, 0);
}

static gboolean
replace_tags (sqlite3            *db,
              gint64              id,
              const char *const  *tags,
              GError            **error)
{
  g_autoptr (sqlite3_stmt) remove = hz_db_prepare (db,
    "DELETE FROM recording_tags WHERE recording_id = ?", error);
  g_autoptr (sqlite3_stmt) insert = NULL;

  if (remove == NULL)
    return FALSE;
  sqlite3_bind_int64 (remove, 1, id);
  if (!hz_db_step (remove, NULL, error))
    return FALSE;

  insert = hz_db_prepare (db,
    "INSERT OR IGNORE INTO recording_tags (recording_id, tag) VALUES (?, ?)", error);
  if (insert == NULL)
    return FALSE;
  for (guint i = 0; tags[i] != NULL; i++)
    {
      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, id);
      sqlite3_bind_text (insert, 2, tags[i], -1, SQLITE_TRANSIENT);
      if (!hz_db_step (insert, NULL, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
update_library_in_transaction (sqlite3            *db,
                               const HzActor      *actor,
                               gint64              id,
                               const char         *title,
                               const char *const  *tags,
                               int                 keep_for_training,
                               GError            **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE recordings SET title = coalesce (?, title),"
    "       keep_for_training = coalesce (?, keep_for_training), updated_at = ?"
    " WHERE id = ?", error);
  HzAuditEntry audit = { *actor, "recording.update", "recording", id, NULL, NULL, NULL, NULL };

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, title, -1, SQLITE_TRANSIENT);
  if (keep_for_training >= 0)
    sqlite3_bind_int (stmt, 2, keep_for_training != 0);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());
  sqlite3_bind_int64 (stmt, 4, id);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Recording %" G_GINT64_FORMAT " does not exist", id);
      return FALSE;
    }

  if (tags != NULL && !replace_tags (db, id, tags, error))
    return FALSE;

  if (keep_for_training >= 0)
    audit.reason = keep_for_training ? "keep for training" : "not kept for training";
  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_update_recording_library (sqlite3            *db,
                                   const HzActor      *actor,
                                   gint64              id,
                                   const char         *title,
                                   const char *const  *tags,
                                   int                 keep_for_training,
                                   GError            **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!update_library_in_transaction (db, actor, id, title, tags, keep_for_training, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

static gboolean
organization_exists (sqlite3   *db,
                     gint64     org_id,
                     GError   **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT 1 FROM organizations WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, org_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Organization %" G_GINT64_FORMAT " does not exist", org_id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
share_in_transaction (sqlite3        *db,
                      const HzActor  *actor,
                      gint64          id,
                      gint64          org_id,
                      gboolean        shared,
                      GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *detail = g_strdup_printf ("{\"org_id\": %" G_GINT64_FORMAT "}", org_id);
  HzAuditEntry audit = { *actor, shared ? "recording.share" : "recording.unshare",
                         "recording", id, NULL, NULL, NULL, detail };

  if (!organization_exists (db, org_id, error))
    return FALSE;

  if (shared)
    stmt = hz_db_prepare (db,
      "INSERT OR IGNORE INTO recording_shares (recording_id, org_id, shared_by, shared_at)"
      " VALUES (?1, ?2, ?3, ?4)", error);
  else
    stmt = hz_db_prepare (db,
      "DELETE FROM recording_shares WHERE recording_id = ?1 AND org_id = ?2", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, org_id);
  if (shared)
    {
      if (actor->kind == HZ_ACTOR_USER)
        sqlite3_bind_int64 (stmt, 3, actor->user_id);
      sqlite3_bind_int64 (stmt, 4, now_seconds ());
    }
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  /* Sharing twice, or withdrawing a share that does not exist, changes
   * nothing and leaves no audit row. */
  if (sqlite3_changes (db) == 0)
    return TRUE;
  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_share_recording (sqlite3        *db,
                          const HzActor  *actor,
                          gint64          id,
                          gint64          org_id,
                          gboolean        shared,
                          GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!share_in_transaction (db, actor, id, org_id, shared, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

gboolean
hz_store_set_recording_sha256 (sqlite3     *db,
                               gint64       id,
                               const char  *path,
                               const char  *sha256,
                               GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE recordings SET sha256 = ? WHERE id = ? AND path = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, id);
  sqlite3_bind_text (stmt, 3, path, -1, SQLITE_TRANSIENT);
  return hz_db_step (stmt, NULL, error);
}

GPtrArray *
hz_store_list_expired_recordings (sqlite3  *db,
                                  gint64    before,
                                  GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id, session_id, path, status, started_at FROM recordings"
    " WHERE started_at < ? AND keep_for_training = 0 ORDER BY id", error);
  g_autoptr (GPtrArray) recordings = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, before);
  recordings = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_recording_free);
  while (hz_db_step (stmt, &has_row, error))
    {
      HzRecording *recording;

      if (!has_row)
        return g_steal_pointer (&recordings);

      recording = g_new0 (HzRecording, 1);
      recording->id = sqlite3_column_int64 (stmt, 0);
      recording->session_id = sqlite3_column_int64 (stmt, 1);
      recording->path = hz_db_column_text (stmt, 2);
      recording->status = hz_db_column_text (stmt, 3);
      recording->started_at = sqlite3_column_int64 (stmt, 4);
      recording->ended_at = HZ_TIME_NONE;
      recording->bytes = -1;
      g_ptr_array_add (recordings, recording);
    }

  return NULL;
}

static gboolean
delete_in_transaction (sqlite3        *db,
                       const HzActor  *actor,
                       gint64          id,
                       const char     *reason,
                       GError        **error)
{
  static const char *const statements[] = {
    "DELETE FROM recording_tags WHERE recording_id = ?",
    "DELETE FROM recording_shares WHERE recording_id = ?",
    "DELETE FROM recordings WHERE id = ?",
  };
  HzAuditEntry audit = { *actor, "recording.delete", "recording", id, NULL, "deleted",
                         reason, NULL };

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, statements[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!hz_db_step (stmt, NULL, error))
        return FALSE;
    }

  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_delete_recording (sqlite3        *db,
                           const HzActor  *actor,
                           gint64          id,
                           const char     *reason,
                           GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!delete_in_transaction (db, actor, id, reason, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}
