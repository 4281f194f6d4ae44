/* The schema of the scheduler database, as an ordered list of migrations.
 *
 * Append a step for every change and never edit a step that has shipped:
 * databases in the field have run it already. hz_db_migrate() runs each
 * step in its own transaction and records it in PRAGMA user_version.
 */
#include "hz-sched-db.h"

/* Version 1: the walking skeleton. Times are UTC Unix seconds. Status and
 * role columns carry CHECK constraints with the same values as the API. */
static const char schema_v1[] =
  "CREATE TABLE organizations ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  name_en TEXT NOT NULL,"
  "  level TEXT NOT NULL"
  "    CHECK (level IN ('district', 'county', 'township', 'city', 'provincial')),"
  "  timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',"
  "  created_at INTEGER NOT NULL"
  ");"

  /* api_key_hash is the lowercase hex SHA-256 of the key; the key itself
   * is shown once, when the user is created. */
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  org_id INTEGER REFERENCES organizations (id),"
  "  name TEXT NOT NULL,"
  "  role TEXT NOT NULL"
  "    CHECK (role IN ('admin', 'coordinator', 'expert', 'doctor', 'trainee')),"
  "  specialty TEXT,"
  "  title TEXT,"
  "  api_key_hash TEXT NOT NULL UNIQUE,"
  "  created_at INTEGER NOT NULL,"
  "  CHECK (org_id IS NOT NULL OR role = 'admin')"
  ");"
  "CREATE INDEX users_org ON users (org_id);"

  "CREATE TABLE consultations ("
  "  id INTEGER PRIMARY KEY,"
  "  org_id INTEGER NOT NULL REFERENCES organizations (id),"
  "  requester_id INTEGER NOT NULL REFERENCES users (id),"
  "  specialty TEXT NOT NULL,"
  "  patient_ref TEXT NOT NULL,"
  "  patient_age INTEGER NOT NULL,"
  "  patient_sex TEXT NOT NULL,"
  "  patient_summary TEXT NOT NULL,"
  "  question TEXT NOT NULL,"
  "  status TEXT NOT NULL"
  "    CHECK (status IN ('requested', 'scheduled', 'cancelled', 'completed')),"
  "  expert_id INTEGER REFERENCES users (id),"
  "  session_id INTEGER REFERENCES sessions (id),"
  "  cancel_reason TEXT,"
  "  cancelled_by INTEGER REFERENCES users (id),"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX consultations_org ON consultations (org_id);"

  "CREATE TABLE sessions ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL CHECK (kind IN ('consultation')),"
  "  consultation_id INTEGER REFERENCES consultations (id),"
  "  start_at INTEGER NOT NULL,"
  "  end_at INTEGER NOT NULL,"
  "  status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'completed')),"
  "  recording INTEGER NOT NULL DEFAULT 1 CHECK (recording IN (0, 1)),"
  "  created_at INTEGER NOT NULL,"
  "  CHECK (start_at < end_at)"
  ");"
  "CREATE INDEX sessions_consultation ON sessions (consultation_id);"

  "CREATE TABLE session_participants ("
  "  session_id INTEGER NOT NULL REFERENCES sessions (id),"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  role TEXT NOT NULL CHECK (role IN ('publish', 'view')),"
  "  PRIMARY KEY (session_id, user_id)"
  ");"
  "CREATE INDEX session_participants_user ON session_participants (user_id);"

  /* path is relative to the relay's recordings-dir and unique, because the
   * relay reports a file several times as it grows. */
  "CREATE TABLE recordings ("
  "  id INTEGER PRIMARY KEY,"
  "  session_id INTEGER NOT NULL REFERENCES sessions (id),"
  "  participant_id INTEGER NOT NULL REFERENCES users (id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('audio', 'video')),"
  "  path TEXT NOT NULL UNIQUE,"
  "  status TEXT NOT NULL CHECK (status IN ('recording', 'complete', 'failed')),"
  "  started_at INTEGER NOT NULL,"
  "  ended_at INTEGER,"
  "  bytes INTEGER,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX recordings_session ON recordings (session_id);"

  /* actor_id is NULL for actions of the relay and of the command line. */
  "CREATE TABLE audit_log ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'relay', 'cli')),"
  "  actor_id INTEGER REFERENCES users (id),"
  "  action TEXT NOT NULL,"
  "  object_type TEXT NOT NULL,"
  "  object_id INTEGER NOT NULL,"
  "  from_status TEXT,"
  "  to_status TEXT,"
  "  reason TEXT"
  ");"
  "CREATE INDEX audit_log_object ON audit_log (object_type, object_id);";

static const HzMigration migrations[] = {
  { 1, "organizations, users, consultations, sessions, recordings, audit log", schema_v1 },
};

const HzMigration *
hz_migrations_get (gsize *count)
{
  *count = G_N_ELEMENTS (migrations);
  return migrations;
}
