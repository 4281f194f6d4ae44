/* Lists of organizations and users. */
#include "hz-sched-store-directory.h"
#include "hz-sched-store-partners.h"

#include "hz-sched-db.h"

GPtrArray *
hz_store_list_organizations (sqlite3 *db,
                             GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id, name, name_en, level, timezone FROM organizations ORDER BY id", error);
  g_autoptr (GPtrArray) orgs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) hz_organization_free);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  for (;;)
    {
      HzOrganization *org;

      if (!hz_db_step (stmt, &has_row, error))
        return NULL;
      if (!has_row)
        break;

      org = g_new0 (HzOrganization, 1);
      org->id = hz_db_column_id (stmt, 0);
      org->name = hz_db_column_text (stmt, 1);
      org->name_en = hz_db_column_text (stmt, 2);
      org->level = hz_db_column_text (stmt, 3);
      org->timezone = hz_db_column_text (stmt, 4);
      org->partner_org_ids = hz_store_org_partner_ids (db, org->id, error);
      if (org->partner_org_ids == NULL)
        {
          hz_organization_free (org);
          return NULL;
        }
      g_ptr_array_add (orgs, org);
    }

  return g_steal_pointer (&orgs);
}

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

GPtrArray *
hz_store_list_users (sqlite3     *db,
                     gint64       org_id,
                     const char  *role,
                     GError     **error)
{
  /* ?1 is 0 for every organization, ?2 NULL for every role. */
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT u.id, u.org_id, u.name, u.role, u.specialty, u.title, o.level, o.timezone,"
    "       u.login"
    " FROM users u LEFT JOIN organizations o ON o.id = u.org_id"
    " WHERE (?1 = 0 OR u.org_id = ?1) AND (?2 IS NULL OR u.role = ?2)"
    " ORDER BY u.id", error);
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_user_free);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, org_id);
  sqlite3_bind_text (stmt, 2, role, -1, SQLITE_TRANSIENT);
  for (;;)
    {
      if (!hz_db_step (stmt, &has_row, error))
        return NULL;
      if (!has_row)
        break;
      g_ptr_array_add (users, read_user_row (stmt));
    }

  return g_steal_pointer (&users);
}
