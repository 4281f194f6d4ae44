#include "hz-sched-db.h"

#include <errno.h>
#include <gio/gio.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hz-interval.h"
#include "hz-sched-errors.h"

void
hz_db_set_error (GError     **error,
                 sqlite3     *db,
                 int          rc,
                 const char  *what)
{
  int primary = rc & 0xff;
  HzSchedErrorCode code = HZ_SCHED_ERROR_INTERNAL;

  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    code = HZ_SCHED_ERROR_DATABASE_BUSY;

  g_set_error (error, HZ_SCHED_ERROR, code, "%s failed: %s (SQLite code %d)",
               what, db ? sqlite3_errmsg (db) : sqlite3_errstr (rc), rc);
}

gboolean
hz_db_exec (sqlite3    *db,
            const char *sql,
            GError    **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      hz_db_set_error (error, db, rc, "SQL statement");
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
hz_db_prepare (sqlite3    *db,
               const char *sql,
               GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      hz_db_set_error (error, db, rc, "Preparing a statement");
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
hz_db_step (sqlite3_stmt *stmt,
            gboolean     *has_row,
            GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    {
      if (has_row != NULL)
        *has_row = rc == SQLITE_ROW;
      return TRUE;
    }

  hz_db_set_error (error, sqlite3_db_handle (stmt), rc, "Running a statement");
  return FALSE;
}

GArray *
hz_db_collect_ids (sqlite3_stmt *stmt,
                   GError      **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean has_row;

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

gboolean
hz_db_begin (sqlite3 *db,
             GError **error)
{
  return hz_db_exec (db, "BEGIN IMMEDIATE", error);
}

gboolean
hz_db_commit (sqlite3 *db,
              GError **error)
{
  if (hz_db_exec (db, "COMMIT", error))
    return TRUE;

  /* A failed COMMIT can leave the transaction open (SQLITE_BUSY); end it
   * so that the connection is usable for the next request. */
  hz_db_rollback (db);
  return FALSE;
}

void
hz_db_rollback (sqlite3 *db)
{
  if (sqlite3_get_autocommit (db))
    return;

  if (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("Rolling back a transaction failed: %s", sqlite3_errmsg (db));
}

char *
hz_db_column_text (sqlite3_stmt *stmt,
                   int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

gint64
hz_db_column_id (sqlite3_stmt *stmt,
                 int           column)
{
  return sqlite3_column_int64 (stmt, column);
}

/* The SQL form of hz_interval_overlaps(), so that the booking query and the
 * C code share one definition of "overlap". */
static void
sql_interval_overlaps (sqlite3_context *context,
                       int              argc,
                       sqlite3_value  **argv)
{
  for (int i = 0; i < 4; i++)
    {
      if (sqlite3_value_type (argv[i]) != SQLITE_INTEGER)
        {
          sqlite3_result_error (context, "hz_interval_overlaps() takes four integers", -1);
          return;
        }
    }

  sqlite3_result_int (context,
                      hz_interval_overlaps (sqlite3_value_int64 (argv[0]),
                                            sqlite3_value_int64 (argv[1]),
                                            sqlite3_value_int64 (argv[2]),
                                            sqlite3_value_int64 (argv[3])));
}

/* Creates PATH with mode 0600 unless it exists, so that SQLite (which
 * gives the -wal and -shm files the database file's mode) never creates
 * the patient database readable by others. */
static gboolean
create_database_file (const char *path,
                      GError    **error)
{
  g_autofree char *directory = g_path_get_dirname (path);
  struct stat status;
  int fd;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create the database directory %s: %s",
                   directory, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot open the database file %s: %s",
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  if (fstat (fd, &status) == 0 && (status.st_mode & 077) != 0)
    g_warning ("The database file %s is accessible by group or others (mode %03o); "
               "it holds patient data, so restrict it with chmod 600",
               path, (unsigned) (status.st_mode & 0777));

  close (fd);
  return TRUE;
}

/* Sets the pragmas that every connection needs. journal_mode=WAL is stored
 * in the file; the others apply to this connection only. */
static gboolean
configure_connection (sqlite3 *db,
                      GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean has_row;
  int rc;

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, HZ_DB_BUSY_TIMEOUT_MS);

  stmt = hz_db_prepare (db, "PRAGMA journal_mode=WAL", error);
  if (stmt == NULL || !hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row || g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") != 0)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                   "The database refused WAL journal mode");
      return FALSE;
    }

  if (!hz_db_exec (db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", error))
    return FALSE;

  rc = sqlite3_create_function (db, "hz_interval_overlaps", 4,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                sql_interval_overlaps, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      hz_db_set_error (error, db, rc, "Registering hz_interval_overlaps()");
      return FALSE;
    }

  return TRUE;
}

sqlite3 *
hz_db_open (const char *path,
            GError    **error)
{
  sqlite3 *db = NULL;
  int rc;

  if (!create_database_file (path, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                   "Cannot open the database %s: %s", path,
                   db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }

  if (!configure_connection (db, error) || !hz_db_migrate (db, error))
    {
      g_prefix_error (error, "Database %s: ", path);
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

static gboolean
read_user_version (sqlite3 *db,
                   int     *version,
                   GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, "PRAGMA user_version", error);
  gboolean has_row;

  if (stmt == NULL || !hz_db_step (stmt, &has_row, error))
    return FALSE;

  *version = has_row ? sqlite3_column_int (stmt, 0) : 0;
  return TRUE;
}

/* Fails when PRAGMA foreign_key_check finds a row whose reference does
 * not resolve, naming the first one. */
static gboolean
check_foreign_keys (sqlite3 *db,
                    GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, "PRAGMA foreign_key_check", error);
  gboolean has_row;

  if (stmt == NULL || !hz_db_step (stmt, &has_row, error))
    return FALSE;

  if (has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                   "Row %" G_GINT64_FORMAT " of table %s has a foreign key into %s "
                   "that does not resolve",
                   (gint64) sqlite3_column_int64 (stmt, 1),
                   (const char *) sqlite3_column_text (stmt, 0),
                   (const char *) sqlite3_column_text (stmt, 2));
      return FALSE;
    }

  return TRUE;
}

/* Runs one step in its own transaction. The version is read again after
 * BEGIN IMMEDIATE, so a second process that migrated first is noticed.
 * Foreign keys are off (see hz_db_migrate()), so the step checks them
 * itself before COMMIT. */
static gboolean
apply_migration (sqlite3            *db,
                 const HzMigration  *migration,
                 GError            **error)
{
  g_autofree char *set_version = NULL;
  int version;

  if (!hz_db_begin (db, error))
    return FALSE;

  if (!read_user_version (db, &version, error))
    goto failed;
  if (version >= migration->version)
    return hz_db_commit (db, error);

  set_version = g_strdup_printf ("PRAGMA user_version = %d", migration->version);
  if (!hz_db_exec (db, migration->sql, error) || !hz_db_exec (db, set_version, error) ||
      !check_foreign_keys (db, error))
    goto failed;

  if (!hz_db_commit (db, error))
    return FALSE;

  g_message ("Database migrated to schema version %d (%s)",
             migration->version, migration->description);
  return TRUE;

failed:
  hz_db_rollback (db);
  g_prefix_error (error, "Migration to schema version %d: ", migration->version);
  return FALSE;
}

gboolean
hz_db_migrate (sqlite3 *db,
               GError **error)
{
  gsize count;
  const HzMigration *migrations = hz_migrations_get (&count);
  int latest = count > 0 ? migrations[count - 1].version : 0;
  int version;

  if (!read_user_version (db, &version, error))
    return FALSE;

  if (version > latest)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                   "The schema version is %d but this build knows only up to %d; "
                   "run a newer huizhen-scheduler", version, latest);
      return FALSE;
    }

  /* A step that rebuilds a table (create, copy, drop, rename) must run
   * with foreign keys off, because dropping the old table would otherwise
   * delete or reject the rows that refer to it. The pragma is a no-op
   * inside a transaction, so it is set here, around the steps. */
  if (version < latest && !hz_db_exec (db, "PRAGMA foreign_keys=OFF", error))
    return FALSE;

  for (gsize i = 0; i < count; i++)
    {
      if (migrations[i].version <= version)
        continue;
      if (!apply_migration (db, &migrations[i], error))
        {
          hz_db_exec (db, "PRAGMA foreign_keys=ON", NULL);
          return FALSE;
        }
    }

  return hz_db_exec (db, "PRAGMA foreign_keys=ON", error);
}
