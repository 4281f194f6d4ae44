/* Organizations and users. */
#include "hz-sched-store.h"

#include "hz-sched-apikey.h"
#include "hz-sched-store-accounts.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"
#include "hz-sched-time.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
insert_organization (sqlite3         *db,
                     HzOrganization  *org,
                     GError         **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO organizations (name, name_en, level, timezone, created_at)"
    " VALUES (?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, org->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, org->name_en, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, org->level, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, org->timezone, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, now_seconds ());
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  org->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

gboolean
hz_store_create_organization (sqlite3         *db,
                              const HzActor   *actor,
                              HzOrganization  *org,
                              GError         **error)
{
  HzAuditEntry audit = { *actor, "organization.create", "organization", 0, NULL, NULL, NULL };

  if (org->timezone == NULL)
    org->timezone = g_strdup (HZ_DEFAULT_TIMEZONE);

  if (!hz_db_begin (db, error))
    return FALSE;

  if (!insert_organization (db, org, error))
    goto failed;

  audit.object_id = org->id;
  if (!hz_audit_write (db, &audit, error))
    goto failed;

  return hz_db_commit (db, error);

failed:
  hz_db_rollback (db);
  return FALSE;
}

HzOrganization *
hz_store_get_organization (sqlite3 *db,
                           gint64   id,
                           GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT name, name_en, level, timezone FROM organizations WHERE id = ?", error);
  HzOrganization *org;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Organization %" G_GINT64_FORMAT " does not exist", id);
      return NULL;
    }

  org = g_new0 (HzOrganization, 1);
  org->id = id;
  org->name = hz_db_column_text (stmt, 0);
  org->name_en = hz_db_column_text (stmt, 1);
  org->level = hz_db_column_text (stmt, 2);
  org->timezone = hz_db_column_text (stmt, 3);
  return org;
}

static gboolean
insert_user (sqlite3     *db,
             HzUser      *user,
             const char  *key_hash,
             const char  *password_hash,
             GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO users (org_id, name, role, specialty, title, api_key_hash, created_at,"
    "                   login, password_hash)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

  if (stmt == NULL)
    return FALSE;

  if (user->org_id > 0)
    sqlite3_bind_int64 (stmt, 1, user->org_id);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_text (stmt, 2, user->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, hz_role_to_string (user->role), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, user->specialty, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, user->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, key_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, now_seconds ());
  sqlite3_bind_text (stmt, 8, user->login, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 9, password_hash, -1, SQLITE_TRANSIENT);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;

  user->id = sqlite3_last_insert_rowid (db);
  return TRUE;
}

char *
hz_store_create_user (sqlite3        *db,
                      const HzActor  *actor,
                      HzUser         *user,
                      GError        **error)
{
  return hz_store_create_user_with_credentials (db, actor, user, NULL, error);
}

char *
hz_store_create_user_with_credentials (sqlite3        *db,
                                       const HzActor  *actor,
                                       HzUser         *user,
                                       const char     *password_hash,
                                       GError        **error)
{
  g_autofree char *key = hz_api_key_generate (error);
  g_autofree char *key_hash = NULL;
  HzAuditEntry audit = { *actor, "user.create", "user", 0, NULL, NULL, NULL };

  if (key == NULL)
    return NULL;
  key_hash = hz_api_key_hash (key);

  if (!hz_db_begin (db, error))
    return NULL;

  if (user->login != NULL && !hz_store_check_login_free (db, 0, user->login, error))
    goto failed;
  if (!insert_user (db, user, key_hash, password_hash, error))
    goto failed;

  audit.object_id = user->id;
  audit.to_status = hz_role_to_string (user->role);
  if (!hz_audit_write (db, &audit, error))
    goto failed;

  if (!hz_db_commit (db, error))
    return NULL;
  return g_steal_pointer (&key);

failed:
  hz_db_rollback (db);
  return NULL;
}

#define USER_COLUMNS \
  "SELECT u.id, u.org_id, u.name, u.role, u.specialty, u.title, o.level, o.timezone," \
  "       u.login" \
  " FROM users u LEFT JOIN organizations o ON o.id = u.org_id"

static HzUser *
read_user_row (sqlite3_stmt *stmt)
{
  HzUser *user = g_new0 (HzUser, 1);
  const char *role = (const char *) sqlite3_column_text (stmt, 3);

  user->id = hz_db_column_id (stmt, 0);
  user->org_id = hz_db_column_id (stmt, 1);
  user->name = hz_db_column_text (stmt, 2);
  if (!hz_role_from_string (role, &user->role))
    user->role = HZ_ROLE_TRAINEE;   /* the CHECK constraint makes this unreachable */
  user->specialty = hz_db_column_text (stmt, 4);
  user->title = hz_db_column_text (stmt, 5);
  user->org_level = hz_db_column_text (stmt, 6);
  user->org_timezone = hz_db_column_text (stmt, 7);
  user->login = hz_db_column_text (stmt, 8);
  return user;
}

HzUser *
hz_store_get_user (sqlite3 *db,
                   gint64   id,
                   GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, USER_COLUMNS " WHERE u.id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "User %" G_GINT64_FORMAT " does not exist", id);
      return NULL;
    }

  return read_user_row (stmt);
}

HzUser *
hz_store_find_user_by_key (sqlite3    *db,
                           const char *api_key,
                           GError    **error)
{
  g_autofree char *key_hash = hz_api_key_hash (api_key);
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, USER_COLUMNS " WHERE u.api_key_hash = ?",
                                                 error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key_hash, -1, SQLITE_TRANSIENT);
  if (!hz_db_step (stmt, &has_row, error) || !has_row)
    return NULL;

  return read_user_row (stmt);
}

gboolean
hz_store_is_empty (sqlite3  *db,
                   gboolean *empty,
                   GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM users)", error);
  gboolean has_row;

  if (stmt == NULL || !hz_db_step (stmt, &has_row, error))
    return FALSE;

  *empty = has_row && sqlite3_column_int64 (stmt, 0) == 0;
  return TRUE;
}
