/* The scheduler's SQLite database: opening, migrations and small helpers.
 *
 * The database runs in WAL mode with synchronous=FULL, so a transaction that
 * COMMIT reported is on disk, with foreign keys enforced and a busy timeout
 * for other processes that hold the write lock. Times are UTC Unix seconds.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* How long a statement waits for another connection's write lock before it
 * fails with database_busy. */
#define HZ_DB_BUSY_TIMEOUT_MS 5000

/* One schema change. Steps run in order of VERSION, each in its own
 * transaction that also sets PRAGMA user_version to VERSION. */
typedef struct {
  int version;
  const char *description;
  const char *sql;
} HzMigration;

/* The migration list, in hz-sched-migrations.c. */
const HzMigration *hz_migrations_get (gsize *count);

/* Opens the database at PATH, creating it (mode 0600) and its parent
 * directory when missing, and migrates it to the latest schema. A database
 * with a newer schema than this build supports is an error. */
sqlite3 *hz_db_open (const char *path,
                     GError    **error);

/* Runs the migrations that DB has not had yet. */
gboolean hz_db_migrate (sqlite3 *db,
                        GError **error);

/* Sets ERROR in HZ_SCHED_ERROR from the result code RC of the last call on
 * DB: database_busy for SQLITE_BUSY and SQLITE_LOCKED, internal_error
 * otherwise. WHAT names the operation for the log. */
void hz_db_set_error (GError     **error,
                      sqlite3     *db,
                      int          rc,
                      const char  *what);

gboolean hz_db_exec (sqlite3    *db,
                     const char *sql,
                     GError    **error);

sqlite3_stmt *hz_db_prepare (sqlite3    *db,
                             const char *sql,
                             GError    **error);

/* Steps STMT once. Returns TRUE and sets *HAS_ROW when it produced a row or
 * finished; FALSE with ERROR set when it failed. HAS_ROW may be NULL for
 * statements that return no rows. */
gboolean hz_db_step (sqlite3_stmt *stmt,
                     gboolean     *has_row,
                     GError      **error);

/* Steps the bound STMT to its end and returns the integers of its first
 * column, in row order; NULL with ERROR set when a step failed. */
GArray *hz_db_collect_ids (sqlite3_stmt *stmt,
                           GError      **error);

/* Transactions take the write lock at BEGIN (BEGIN IMMEDIATE), so a
 * check-then-insert inside one cannot race another writer. */
gboolean hz_db_begin (sqlite3 *db,
                      GError **error);
gboolean hz_db_commit (sqlite3 *db,
                       GError **error);
void hz_db_rollback (sqlite3 *db);

/* Column accessors that copy, and return NULL or 0 for SQL NULL. */
char *hz_db_column_text (sqlite3_stmt *stmt,
                         int           column);
gint64 hz_db_column_id (sqlite3_stmt *stmt,
                        int           column);

G_END_DECLS
