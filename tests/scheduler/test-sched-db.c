/* The scheduler's database file: WAL mode, the schema version in PRAGMA
 * user_version, and the upgrade of a database of the first schema version
 * with its rows, through the steps that rebuild tables. Version 12 also
 * derives rows from the audit log. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hz-sched-db.h"
#include "hz-sched-errors.h"

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hz-sched-db-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "huizhen.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static int
latest_version (void)
{
  gsize count = 0;
  const HzMigration *migrations = hz_migrations_get (&count);

  g_assert_cmpuint (count, >, 0);
  return migrations[count - 1].version;
}

/* Opens PATH with plain SQLite, without the scheduler's migrations. */
static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  return db;
}

static void
exec_raw (sqlite3 *db, const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* Returns the first column of the one row of SQL as text. */
static char *
query_text (sqlite3 *db, const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static gint64
query_int (sqlite3 *db, const char *sql)
{
  g_autofree char *text = query_text (db, sql);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static void
test_new_database (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = hz_db_open (fixture->path, &error);
  sqlite3 *raw = NULL;
  g_autofree char *journal_mode = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (db);
  sqlite3_close (db);

  /* WAL mode is stored in the file, so a second connection reads it too. */
  raw = open_raw (fixture->path);
  journal_mode = query_text (raw, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (query_int (raw, "PRAGMA user_version"), ==, latest_version ());
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                                   " AND name IN ('organizations', 'users', 'consultations',"
                                   " 'sessions', 'session_participants', 'recordings')"),
                   ==, 6);
  sqlite3_close (raw);
}

/* Rows of a booked and recorded consultation as version 1 stored them. */
static const char version_1_rows[] =
  "INSERT INTO organizations (id, name, name_en, level, created_at) VALUES"
  "  (1, '杨浦区中心医院', 'Yangpu District Central Hospital', 'district', 1700000000),"
  "  (2, '双柏县人民医院', 'Shuangbai County People''s Hospital', 'county', 1700000000);"
  "INSERT INTO users (id, org_id, name, role, specialty, title, api_key_hash, created_at) VALUES"
  "  (1, NULL, '管理员', 'admin', NULL, NULL, 'hash-1', 1700000000),"
  "  (2, 1, '陈国栋', 'expert', '心血管内科', '主任医师', 'hash-2', 1700000000),"
  "  (3, 2, '李春明', 'doctor', '全科', '主治医师', 'hash-3', 1700000000);"
  "INSERT INTO sessions (id, kind, consultation_id, start_at, end_at, status, recording,"
  "                      created_at) VALUES"
  "  (1, 'consultation', 1, 1700003600, 1700005400, 'scheduled', 1, 1700000100);"
  "INSERT INTO consultations (id, org_id, requester_id, specialty, patient_ref, patient_age,"
  "                           patient_sex, patient_summary, question, status, expert_id,"
  "                           session_id, created_at, updated_at) VALUES"
  "  (1, 2, 3, '心血管内科', 'A-1', 60, 'female', '胸痛', '请会诊', 'scheduled', 2, 1,"
  "   1700000000, 1700000100);"
  "INSERT INTO session_participants (session_id, user_id, role) VALUES"
  "  (1, 2, 'publish'), (1, 3, 'publish');"
  "INSERT INTO recordings (id, session_id, participant_id, kind, path, status, started_at,"
  "                        ended_at, bytes, updated_at) VALUES"
  "  (1, 1, 3, 'video', '1/3-video.webm', 'complete', 1700003600, 1700005400, 123456,"
  "   1700005400);"
  "INSERT INTO audit_log (at, actor_kind, actor_id, action, object_type, object_id,"
  "                       from_status, to_status) VALUES"
  "  (1700000100, 'user', 2, 'schedule', 'consultation', 1, 'requested', 'scheduled');";

static void
test_upgrade_keeps_rows (Fixture       *fixture,
                         gconstpointer  user_data)
{
  gsize count = 0;
  const HzMigration *migrations = hz_migrations_get (&count);
  g_autoptr (GError) error = NULL;
  sqlite3 *raw = open_raw (fixture->path);
  sqlite3 *db = NULL;
  g_autofree char *path = NULL;
  g_autofree char *status = NULL;
  g_autofree char *journal_mode = NULL;

  g_assert_cmpint (migrations[0].version, ==, 1);
  exec_raw (raw, migrations[0].sql);
  exec_raw (raw, "PRAGMA user_version = 1");
  exec_raw (raw, version_1_rows);
  sqlite3_close (raw);

  db = hz_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  sqlite3_close (db);

  raw = open_raw (fixture->path);
  journal_mode = query_text (raw, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (query_int (raw, "PRAGMA user_version"), ==, latest_version ());

  /* The steps to the latest version rebuild consultations, sessions and
   * recordings. Their rows and the rows that refer to them must stay. */
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM organizations"), ==, 2);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM users"), ==, 3);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM consultations"), ==, 1);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM sessions"), ==, 1);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM session_participants"), ==, 2);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM recordings"), ==, 1);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM audit_log"), ==, 1);

  status = query_text (raw, "SELECT status FROM consultations WHERE id = 1");
  g_assert_cmpstr (status, ==, "scheduled");
  g_assert_cmpint (query_int (raw, "SELECT expert_id FROM consultations WHERE id = 1"), ==, 2);
  g_assert_cmpint (query_int (raw, "SELECT session_id FROM consultations WHERE id = 1"), ==, 1);
  /* Version 2 addresses a scheduled request to its expert's hospital. */
  g_assert_cmpint (query_int (raw, "SELECT target_org_id FROM consultations WHERE id = 1"), ==, 1);
  g_assert_cmpint (query_int (raw, "SELECT start_at FROM sessions WHERE id = 1"), ==, 1700003600);
  g_assert_cmpint (query_int (raw, "SELECT recording FROM sessions WHERE id = 1"), ==, 1);
  path = query_text (raw, "SELECT path FROM recordings WHERE id = 1");
  g_assert_cmpstr (path, ==, "1/3-video.webm");
  g_assert_cmpint (query_int (raw, "SELECT bytes FROM recordings WHERE id = 1"), ==, 123456);

  /* Every foreign key still resolves. */
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  sqlite3_close (raw);

  /* A second start has nothing left to migrate. */
  db = hz_db_open (fixture->path, &error);
  g_assert_no_error (error);
  sqlite3_close (db);
}

static void
test_newer_version_rejected (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *newer = g_strdup_printf ("PRAGMA user_version = %d", latest_version () + 1);
  sqlite3 *raw = open_raw (fixture->path);
  sqlite3 *db = NULL;

  exec_raw (raw, newer);
  sqlite3_close (raw);

  db = hz_db_open (fixture->path, &error);
  g_assert_null (db);
  g_assert_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_nonnull (strstr (error->message, "newer huizhen-scheduler"));

  /* The file is left as it was. */
  raw = open_raw (fixture->path);
  g_assert_cmpint (query_int (raw, "PRAGMA user_version"), ==, latest_version () + 1);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM sqlite_schema"), ==, 0);
  sqlite3_close (raw);
}

/* Rows of version 11 that version 12 turns into cancelled calendar
 * copies: consultation 1 rescheduled from expert 2 to expert 4 (and an
 * earlier reschedule that kept expert 2), trainee 5 who cancelled a
 * registration of series 1 while registered, and trainee 6 who cancelled
 * while waitlisted. Occurrence 1 (session 2) ended before the
 * cancellations, occurrence 2 (session 3) ends after them. */
static const char version_11_rows[] =
  "INSERT INTO organizations (id, name, name_en, level, created_at) VALUES"
  "  (1, '杨浦区中心医院', 'Yangpu District Central Hospital', 'district', 1700000000),"
  "  (2, '双柏县人民医院', 'Shuangbai County People''s Hospital', 'county', 1700000000);"
  "INSERT INTO users (id, org_id, name, role, api_key_hash, created_at) VALUES"
  "  (1, NULL, '管理员', 'admin', 'hash-1', 1700000000),"
  "  (2, 1, '陈国栋', 'expert', 'hash-2', 1700000000),"
  "  (3, 2, '李春明', 'doctor', 'hash-3', 1700000000),"
  "  (4, 1, '王建华', 'expert', 'hash-4', 1700000000),"
  "  (5, 2, '周学员', 'trainee', 'hash-5', 1700000000),"
  "  (6, 2, '吴学员', 'trainee', 'hash-6', 1700000000);"
  "INSERT INTO consultations (id, org_id, requester_id, specialty, patient_ref, patient_age,"
  "                           patient_sex, patient_summary, question, status, expert_id,"
  "                           session_id, created_at, updated_at) VALUES"
  "  (1, 2, 3, '心血管内科', 'A-1', 60, 'female', '胸痛', '请会诊', 'scheduled', 4, 1,"
  "   1700000000, 1700000300);"
  "INSERT INTO teaching_series (id, org_id, presenter_id, kind, title, description, capacity,"
  "                             recording, created_at) VALUES"
  "  (1, 1, 2, 'ward_round', '冠心病介入治疗', '', 1, 0, 1700000000);"
  "INSERT INTO sessions (id, kind, consultation_id, teaching_series_id, occurrence_index,"
  "                      start_at, end_at, status, created_at, sequence) VALUES"
  "  (1, 'consultation', 1, NULL, NULL, 1700090000, 1700091800, 'scheduled', 1700000100, 2),"
  "  (2, 'teaching', NULL, 1, 1, 1700003600, 1700007200, 'completed', 1700000000, 0),"
  "  (3, 'teaching', NULL, 1, 2, 1700608400, 1700612000, 'scheduled', 1700000000, 1);"
  "INSERT INTO teaching_registrations (series_id, user_id, status, queue_position,"
  "                                    created_at, updated_at) VALUES"
  "  (1, 5, 'cancelled', 1, 1700000000, 1700100000),"
  "  (1, 6, 'cancelled', 2, 1700000000, 1700100000);"
  "INSERT INTO audit_log (at, actor_kind, actor_id, action, object_type, object_id,"
  "                       from_status, to_status, detail) VALUES"
  "  (1700000200, 'user', 1, 'session.reschedule', 'session', 1, 'scheduled', 'scheduled',"
  "   '{\"session_id\": 1, \"previous_expert_id\": 2, \"expert_id\": 2,"
  "     \"previous_start_at\": 1700080000, \"previous_end_at\": 1700081800,"
  "     \"start_at\": 1700085000, \"end_at\": 1700086800}'),"
  "  (1700000300, 'user', 1, 'session.reschedule', 'session', 1, 'scheduled', 'scheduled',"
  "   '{\"session_id\": 1, \"previous_expert_id\": 2, \"expert_id\": 4,"
  "     \"previous_start_at\": 1700085000, \"previous_end_at\": 1700086800,"
  "     \"start_at\": 1700090000, \"end_at\": 1700091800}'),"
  "  (1700100000, 'user', 5, 'teaching.unregister', 'teaching_series', 1, 'registered',"
  "   'cancelled', NULL),"
  "  (1700100000, 'user', 6, 'teaching.unregister', 'teaching_series', 1, 'waitlisted',"
  "   'cancelled', NULL);";

/* Version 12 fills calendar_removals from the audit log: the replaced
 * expert gets the times they last saw, the registered trainee the
 * occurrence still to come, and both a SEQUENCE above the session's. */
static void
test_upgrade_fills_calendar_removals (Fixture       *fixture,
                                      gconstpointer  user_data)
{
  gsize count = 0;
  const HzMigration *migrations = hz_migrations_get (&count);
  g_autoptr (GError) error = NULL;
  sqlite3 *raw = open_raw (fixture->path);
  sqlite3 *db = NULL;

  g_assert_cmpint (migrations[count - 1].version, ==, 12);
  for (gsize i = 0; i < count - 1; i++)
    exec_raw (raw, migrations[i].sql);
  exec_raw (raw, "PRAGMA user_version = 11");
  exec_raw (raw, version_11_rows);
  sqlite3_close (raw);

  db = hz_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  sqlite3_close (db);

  raw = open_raw (fixture->path);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM calendar_removals"), ==, 2);
  g_assert_cmpint (query_int (raw, "SELECT start_at FROM calendar_removals"
                                   " WHERE user_id = 2 AND session_id = 1"), ==, 1700085000);
  g_assert_cmpint (query_int (raw, "SELECT sequence FROM calendar_removals"
                                   " WHERE user_id = 2 AND session_id = 1"), ==, 3);
  g_assert_cmpint (query_int (raw, "SELECT removals FROM calendar_removals"
                                   " WHERE user_id = 2 AND session_id = 1"), ==, 1);
  g_assert_cmpint (query_int (raw, "SELECT sequence FROM calendar_removals"
                                   " WHERE user_id = 5 AND session_id = 3"), ==, 2);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM calendar_removals"
                                   " WHERE user_id = 6 OR user_id = 4 OR session_id = 2"), ==, 0);
  g_assert_cmpint (query_int (raw, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  sqlite3_close (raw);
}

#define ADD(name, function) \
  g_test_add ("/sched-db/" name, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Files that plain SQLite creates here must be owner-only, as the
   * scheduler's are. Otherwise hz_db_open() warns, and the warning is fatal. */
  umask (077);

  ADD ("new-database", test_new_database);
  ADD ("upgrade-keeps-rows", test_upgrade_keeps_rows);
  ADD ("newer-version-rejected", test_newer_version_rejected);
  ADD ("upgrade-fills-calendar-removals", test_upgrade_fills_calendar_removals);

#undef ADD

  return g_test_run ();
}
