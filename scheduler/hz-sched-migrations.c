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

/* Version 2: the review workflow, consultation reports, password login and
 * the relay's join and leave reports.
 *
 * SQLite cannot change a CHECK constraint in place, so consultations is
 * rebuilt: create, copy, drop, rename. hz_db_migrate() turns foreign keys
 * off around the step and runs PRAGMA foreign_key_check before COMMIT, as
 * SQLite's ALTER TABLE documentation prescribes for such rebuilds.
 * target_org_id is the consulting hospital that a request is addressed to
 * (NULL for any); old scheduled rows get their expert's organization. */
static const char schema_v2[] =
  "CREATE TABLE consultations_v2 ("
  "  id INTEGER PRIMARY KEY,"
  "  org_id INTEGER NOT NULL REFERENCES organizations (id),"
  "  requester_id INTEGER NOT NULL REFERENCES users (id),"
  "  target_org_id INTEGER REFERENCES organizations (id),"
  "  requested_expert_id INTEGER REFERENCES users (id),"
  "  specialty TEXT NOT NULL,"
  "  patient_ref TEXT NOT NULL,"
  "  patient_age INTEGER NOT NULL,"
  "  patient_sex TEXT NOT NULL,"
  "  patient_summary TEXT NOT NULL,"
  "  question TEXT NOT NULL,"
  "  status TEXT NOT NULL"
  "    CHECK (status IN ('requested', 'accepted', 'returned', 'scheduled', 'in_progress',"
  "                      'completed', 'cancelled', 'no_show')),"
  "  expert_id INTEGER REFERENCES users (id),"
  "  session_id INTEGER REFERENCES sessions (id),"
  "  return_reason TEXT,"
  "  cancel_reason TEXT,"
  "  cancelled_by INTEGER REFERENCES users (id),"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "INSERT INTO consultations_v2 (id, org_id, requester_id, target_org_id, specialty,"
  "                              patient_ref, patient_age, patient_sex, patient_summary,"
  "                              question, status, expert_id, session_id, cancel_reason,"
  "                              cancelled_by, created_at, updated_at)"
  "  SELECT c.id, c.org_id, c.requester_id, e.org_id, c.specialty, c.patient_ref,"
  "         c.patient_age, c.patient_sex, c.patient_summary, c.question, c.status,"
  "         c.expert_id, c.session_id, c.cancel_reason, c.cancelled_by, c.created_at,"
  "         c.updated_at"
  "  FROM consultations c LEFT JOIN users e ON e.id = c.expert_id;"
  "DROP TABLE consultations;"
  "ALTER TABLE consultations_v2 RENAME TO consultations;"
  "CREATE INDEX consultations_org ON consultations (org_id);"
  "CREATE INDEX consultations_target ON consultations (target_org_id);"
  "CREATE INDEX consultations_expert ON consultations (expert_id);"

  /* sequence counts the changes of a session's time or status that a
   * calendar client must see (iCalendar SEQUENCE). */
  "ALTER TABLE sessions ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;"

  /* detail is an optional JSON object, e.g. the old and new times of a
   * rescheduled session. */
  "ALTER TABLE audit_log ADD COLUMN detail TEXT;"

  /* login is lowercase and unique; password_hash is a libsodium
   * crypto_pwhash_str() string (argon2id), NULL while no password is set. */
  "ALTER TABLE users ADD COLUMN login TEXT;"
  "ALTER TABLE users ADD COLUMN password_hash TEXT;"
  "CREATE UNIQUE INDEX users_login ON users (login);"

  /* A browser's login. id_hash is the lowercase hex SHA-256 of the cookie
   * value, so a copy of the database does not let anyone sign in. */
  "CREATE TABLE web_sessions ("
  "  id_hash TEXT PRIMARY KEY,"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX web_sessions_user ON web_sessions (user_id);"

  /* Failed logins per login name (existing or not) and per client address. */
  "CREATE TABLE login_throttle ("
  "  scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),"
  "  subject TEXT NOT NULL,"
  "  failures INTEGER NOT NULL,"
  "  last_failure_at INTEGER NOT NULL,"
  "  blocked_until INTEGER NOT NULL,"
  "  PRIMARY KEY (scope, subject)"
  ") WITHOUT ROWID;"

  /* The expert's opinion. Once signed_at is set the row cannot change or
   * go away, whatever code runs; corrections are amendments. */
  "CREATE TABLE consultation_reports ("
  "  consultation_id INTEGER PRIMARY KEY REFERENCES consultations (id),"
  "  author_id INTEGER NOT NULL REFERENCES users (id),"
  "  opinion TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  signed_at INTEGER,"
  "  signed_by INTEGER REFERENCES users (id)"
  ");"
  "CREATE TRIGGER consultation_reports_signed_no_update"
  "  BEFORE UPDATE ON consultation_reports WHEN OLD.signed_at IS NOT NULL"
  "  BEGIN SELECT RAISE (ABORT, 'a signed consultation report cannot change'); END;"
  "CREATE TRIGGER consultation_reports_signed_no_delete"
  "  BEFORE DELETE ON consultation_reports WHEN OLD.signed_at IS NOT NULL"
  "  BEGIN SELECT RAISE (ABORT, 'a signed consultation report cannot be deleted'); END;"

  "CREATE TABLE consultation_report_amendments ("
  "  id INTEGER PRIMARY KEY,"
  "  consultation_id INTEGER NOT NULL REFERENCES consultation_reports (consultation_id),"
  "  author_id INTEGER NOT NULL REFERENCES users (id),"
  "  text TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX consultation_report_amendments_report"
  "  ON consultation_report_amendments (consultation_id);"
  "CREATE TRIGGER consultation_report_amendments_no_update"
  "  BEFORE UPDATE ON consultation_report_amendments"
  "  BEGIN SELECT RAISE (ABORT, 'amendments are append-only'); END;"
  "CREATE TRIGGER consultation_report_amendments_no_delete"
  "  BEFORE DELETE ON consultation_report_amendments"
  "  BEGIN SELECT RAISE (ABORT, 'amendments are append-only'); END;"

  /* The relay's join and leave reports, one row each, for every session
   * kind. at is the relay's time of the event, received_at the
   * scheduler's. */
  "CREATE TABLE session_participation ("
  "  id INTEGER PRIMARY KEY,"
  "  session_id INTEGER NOT NULL REFERENCES sessions (id),"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  event TEXT NOT NULL CHECK (event IN ('join', 'leave')),"
  "  at INTEGER NOT NULL,"
  "  received_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX session_participation_session"
  "  ON session_participation (session_id, user_id, at);";

/* Version 3: availability, holiday calendars and teaching rounds.
 *
 * holiday_calendars and holiday_days mirror the files of [scheduler]
 * holidays-dir; the daemon replaces a calendar's rows each time it starts.
 * Days are civil dates (YYYY-MM-DD) in the organization's time zone.
 * Working hours are minutes after local midnight in the zone of the
 * expert's organization, weekday 1 being Monday (ISO 8601).
 * availability_exceptions are leave and other absences, or extra_hours
 * that add time outside the weekly hours.
 *
 * sessions is rebuilt because its kind CHECK gains 'teaching'; a teaching
 * occurrence is a session row of its series, so join tokens, recordings
 * and participation reports work unchanged. */
static const char schema_v3[] =
  "ALTER TABLE organizations ADD COLUMN holiday_calendar TEXT NOT NULL DEFAULT 'cn';"

  "CREATE TABLE holiday_calendars ("
  "  name TEXT PRIMARY KEY,"
  "  title TEXT NOT NULL,"
  "  title_en TEXT NOT NULL,"
  "  loaded_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE holiday_days ("
  "  calendar TEXT NOT NULL REFERENCES holiday_calendars (name),"
  "  day TEXT NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),"
  "  name TEXT NOT NULL,"
  "  name_en TEXT NOT NULL,"
  "  provisional INTEGER NOT NULL CHECK (provisional IN (0, 1)),"
  "  PRIMARY KEY (calendar, day)"
  ") WITHOUT ROWID;"

  "CREATE TABLE working_hours ("
  "  expert_id INTEGER NOT NULL REFERENCES users (id),"
  "  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),"
  "  start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),"
  "  end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),"
  "  CHECK (start_minute < end_minute),"
  "  PRIMARY KEY (expert_id, weekday, start_minute)"
  ") WITHOUT ROWID;"

  "CREATE TABLE booking_rules ("
  "  expert_id INTEGER PRIMARY KEY REFERENCES users (id),"
  "  min_notice_minutes INTEGER NOT NULL CHECK (min_notice_minutes >= 0),"
  "  buffer_minutes INTEGER NOT NULL CHECK (buffer_minutes >= 0),"
  "  updated_at INTEGER NOT NULL"
  ");"

  "CREATE TABLE availability_exceptions ("
  "  id INTEGER PRIMARY KEY,"
  "  expert_id INTEGER NOT NULL REFERENCES users (id),"
  "  kind TEXT NOT NULL"
  "    CHECK (kind IN ('leave', 'training', 'conference', 'other', 'extra_hours')),"
  "  start_at INTEGER NOT NULL,"
  "  end_at INTEGER NOT NULL,"
  "  reason TEXT,"
  "  created_by INTEGER REFERENCES users (id),"
  "  created_at INTEGER NOT NULL,"
  "  CHECK (start_at < end_at)"
  ");"
  "CREATE INDEX availability_exceptions_expert"
  "  ON availability_exceptions (expert_id, start_at);"

  /* A teaching round and, for a weekly series, all its occurrences.
   * recurrence is the request's series object as JSON, for display. */
  "CREATE TABLE teaching_series ("
  "  id INTEGER PRIMARY KEY,"
  "  org_id INTEGER NOT NULL REFERENCES organizations (id),"
  "  presenter_id INTEGER NOT NULL REFERENCES users (id),"
  "  created_by INTEGER REFERENCES users (id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('ward_round', 'surgical_demo', 'lecture')),"
  "  title TEXT NOT NULL,"
  "  description TEXT NOT NULL,"
  "  capacity INTEGER NOT NULL CHECK (capacity > 0),"
  "  recording INTEGER NOT NULL CHECK (recording IN (0, 1)),"
  "  recurrence TEXT,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX teaching_series_presenter ON teaching_series (presenter_id);"

  "CREATE TABLE teaching_audience ("
  "  series_id INTEGER NOT NULL REFERENCES teaching_series (id),"
  "  org_id INTEGER NOT NULL REFERENCES organizations (id),"
  "  PRIMARY KEY (series_id, org_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX teaching_audience_org ON teaching_audience (org_id);"

  /* queue_position orders the waitlist; it grows with every registration
   * of a series, also when a user registers again after cancelling. */
  "CREATE TABLE teaching_registrations ("
  "  id INTEGER PRIMARY KEY,"
  "  series_id INTEGER NOT NULL REFERENCES teaching_series (id),"
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  status TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted', 'cancelled')),"
  "  queue_position INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  UNIQUE (series_id, user_id)"
  ");"

  "CREATE TABLE sessions_v3 ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL CHECK (kind IN ('consultation', 'teaching')),"
  "  consultation_id INTEGER REFERENCES consultations (id),"
  "  teaching_series_id INTEGER REFERENCES teaching_series (id),"
  "  occurrence_index INTEGER,"
  "  start_at INTEGER NOT NULL,"
  "  end_at INTEGER NOT NULL,"
  "  status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'completed')),"
  "  recording INTEGER NOT NULL DEFAULT 1 CHECK (recording IN (0, 1)),"
  "  created_at INTEGER NOT NULL,"
  "  sequence INTEGER NOT NULL DEFAULT 0,"
  "  cancel_reason TEXT,"
  "  CHECK (start_at < end_at),"
  "  CHECK ((kind = 'teaching') = (teaching_series_id IS NOT NULL))"
  ");"
  "INSERT INTO sessions_v3 (id, kind, consultation_id, start_at, end_at, status, recording,"
  "                         created_at, sequence)"
  "  SELECT id, kind, consultation_id, start_at, end_at, status, recording, created_at,"
  "         sequence"
  "  FROM sessions;"
  "DROP TABLE sessions;"
  "ALTER TABLE sessions_v3 RENAME TO sessions;"
  "CREATE INDEX sessions_consultation ON sessions (consultation_id);"
  "CREATE INDEX sessions_teaching ON sessions (teaching_series_id, occurrence_index);";

/* Version 4: calendar feed tokens, and an index for the FHIR Appointment
 * search by participant. token_hash is the lowercase hex SHA-256 of the
 * token in the feed URL; a user has at most one, and a new one replaces
 * it. */
static const char schema_v4[] =
  "CREATE TABLE ical_tokens ("
  "  user_id INTEGER PRIMARY KEY REFERENCES users (id),"
  "  token_hash TEXT NOT NULL UNIQUE,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX consultations_requester ON consultations (requester_id);";

/* Version 5: a recording's status may also be 'interrupted', for a file
 * that the relay stopped writing without finishing it (the relay was
 * killed, for example). The table is rebuilt because the CHECK changes. */
static const char schema_v5[] =
  "CREATE TABLE recordings_v5 ("
  "  id INTEGER PRIMARY KEY,"
  "  session_id INTEGER NOT NULL REFERENCES sessions (id),"
  "  participant_id INTEGER NOT NULL REFERENCES users (id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('audio', 'video')),"
  "  path TEXT NOT NULL UNIQUE,"
  "  status TEXT NOT NULL"
  "    CHECK (status IN ('recording', 'complete', 'failed', 'interrupted')),"
  "  started_at INTEGER NOT NULL,"
  "  ended_at INTEGER,"
  "  bytes INTEGER,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "INSERT INTO recordings_v5 (id, session_id, participant_id, kind, path, status,"
  "                           started_at, ended_at, bytes, updated_at)"
  "  SELECT id, session_id, participant_id, kind, path, status,"
  "         started_at, ended_at, bytes, updated_at FROM recordings;"
  "DROP TABLE recordings;"
  "ALTER TABLE recordings_v5 RENAME TO recordings;"
  "CREATE INDEX recordings_session ON recordings (session_id);";

/* Version 6: the triggers of version 2 stop UPDATE and DELETE of a signed
 * report or an amendment, but INSERT OR REPLACE (and UPDATE OR REPLACE onto
 * another row's key) removes the old row without firing DELETE triggers
 * unless a connection turns on PRAGMA recursive_triggers, which the sqlite3
 * shell does not. These triggers abort an insert whose key is taken by a
 * signed report or an amendment, and a change of a report's key. The
 * draft upsert of PUT /report still passes while the report is unsigned. */
static const char schema_v6[] =
  "CREATE TRIGGER consultation_reports_signed_no_replace"
  "  BEFORE INSERT ON consultation_reports"
  "  WHEN EXISTS (SELECT 1 FROM consultation_reports"
  "               WHERE consultation_id = NEW.consultation_id AND signed_at IS NOT NULL)"
  "  BEGIN SELECT RAISE (ABORT, 'a signed consultation report cannot change'); END;"
  "CREATE TRIGGER consultation_reports_no_key_change"
  "  BEFORE UPDATE OF consultation_id ON consultation_reports"
  "  WHEN NEW.consultation_id IS NOT OLD.consultation_id"
  "  BEGIN SELECT RAISE (ABORT, 'a consultation report cannot move to another consultation');"
  "  END;"
  "CREATE TRIGGER consultation_report_amendments_no_replace"
  "  BEFORE INSERT ON consultation_report_amendments"
  "  WHEN EXISTS (SELECT 1 FROM consultation_report_amendments WHERE id = NEW.id)"
  "  BEGIN SELECT RAISE (ABORT, 'amendments are append-only'); END;";

/* Version 7: the recordings library and recording consent.
 *
 * The session's owner sets title and the tags. sha256 is the lowercase
 * hex SHA-256 of the file, computed when the relay reports it complete.
 * keep_for_training exempts a recording from [scheduler]
 * recordings-retention-days. failure_reason records why a failed recording
 * stopped ('disk_full': the relay's recordings disk ran out).
 * recording_shares lists the organizations whose trainees may watch a
 * recording. */
static const char schema_v7[] =
  "ALTER TABLE recordings ADD COLUMN title TEXT;"
  "ALTER TABLE recordings ADD COLUMN sha256 TEXT;"
  "ALTER TABLE recordings ADD COLUMN keep_for_training INTEGER NOT NULL DEFAULT 0"
  "  CHECK (keep_for_training IN (0, 1));"
  "ALTER TABLE recordings ADD COLUMN failure_reason TEXT"
  "  CHECK (failure_reason IN ('disk_full'));"
  "CREATE INDEX recordings_started ON recordings (started_at);"

  "CREATE TABLE recording_tags ("
  "  recording_id INTEGER NOT NULL REFERENCES recordings (id),"
  "  tag TEXT NOT NULL,"
  "  PRIMARY KEY (recording_id, tag)"
  ") WITHOUT ROWID;"
  "CREATE INDEX recording_tags_tag ON recording_tags (tag);"

  "CREATE TABLE recording_shares ("
  "  recording_id INTEGER NOT NULL REFERENCES recordings (id),"
  "  org_id INTEGER NOT NULL REFERENCES organizations (id),"
  "  shared_by INTEGER REFERENCES users (id),"
  "  shared_at INTEGER NOT NULL,"
  "  PRIMARY KEY (recording_id, org_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX recording_shares_org ON recording_shares (org_id);";

/* Version 8: composition jobs, one per session (hz-sched-compositions.h).
 * The output paths are relative to the relay's recordings-dir. */
static const char schema_v8[] =
  "CREATE TABLE compositions ("
  "  session_id INTEGER PRIMARY KEY REFERENCES sessions (id),"
  "  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'complete', 'failed')),"
  "  progress REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  webm_path TEXT,"
  "  mp4_path TEXT,"
  "  duration_ms INTEGER,"
  "  error TEXT,"
  "  requested_at INTEGER NOT NULL,"
  "  started_at INTEGER,"
  "  finished_at INTEGER,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX compositions_status ON compositions (status, requested_at);";

/* Version 9: HLS output of teaching rounds. A series booked with hls = 1
 * passes the flag to each of its occurrences, and the relay publishes
 * those sessions' presenter feed as HLS. */
static const char schema_v9[] =
  "ALTER TABLE teaching_series ADD COLUMN hls INTEGER NOT NULL DEFAULT 0 CHECK (hls IN (0, 1));"
  "ALTER TABLE sessions ADD COLUMN hls INTEGER NOT NULL DEFAULT 0 CHECK (hls IN (0, 1));";

/* Version 10: a request's urgency and the times the requesting doctor
 * prefers, as a JSON array of [start, end] pairs of Unix seconds. */
static const char schema_v10[] =
  "ALTER TABLE consultations ADD COLUMN urgency TEXT NOT NULL DEFAULT 'routine'"
  " CHECK (urgency IN ('routine', 'urgent', 'emergency'));"
  "ALTER TABLE consultations ADD COLUMN preferred_times TEXT;";

/* Version 11: partner links between a consulting hospital and the county
 * and township hospitals it supports. */
static const char schema_v11[] =
  "CREATE TABLE org_partners ("
  "  consulting_org_id INTEGER NOT NULL REFERENCES organizations (id),"
  "  partner_org_id INTEGER NOT NULL REFERENCES organizations (id),"
  "  created_at INTEGER NOT NULL,"
  "  PRIMARY KEY (consulting_org_id, partner_org_id));"
  "CREATE INDEX org_partners_partner ON org_partners (partner_org_id);";

/* Version 12: the calendar feed's copies of sessions that a user was
 * removed from, such as an expert replaced by a reschedule or a trainee
 * who cancelled a registration. The feed lists them as cancelled for that
 * user (hz-sched-store-calendar.h). removals counts how often the user
 * left the session, sequence is the SEQUENCE of the cancelled copy, and
 * start_at and end_at are the times that the user last saw.
 *
 * The step fills the table from the audit log: reschedules that replaced
 * the expert (the detail has both experts and the previous times), and
 * registrations that their user cancelled while registered, for the
 * occurrences that had not ended then. A user who is on the session again
 * gets the event from the live queries, which take precedence. */
static const char schema_v12[] =
  "CREATE TABLE calendar_removals ("
  "  user_id INTEGER NOT NULL REFERENCES users (id),"
  "  session_id INTEGER NOT NULL REFERENCES sessions (id),"
  "  removals INTEGER NOT NULL CHECK (removals > 0),"
  "  sequence INTEGER NOT NULL,"
  "  start_at INTEGER NOT NULL,"
  "  end_at INTEGER NOT NULL,"
  "  removed_at INTEGER NOT NULL,"
  "  PRIMARY KEY (user_id, session_id)"
  ") WITHOUT ROWID;"

  "INSERT OR IGNORE INTO calendar_removals (user_id, session_id, removals, sequence,"
  "                                         start_at, end_at, removed_at)"
  "  SELECT json_extract (a.detail, '$.previous_expert_id'), s.id, 1, s.sequence + 1,"
  "         json_extract (a.detail, '$.previous_start_at'),"
  "         json_extract (a.detail, '$.previous_end_at'), a.at"
  "  FROM audit_log a JOIN sessions s ON s.id = a.object_id"
  "  WHERE a.action = 'session.reschedule' AND a.object_type = 'session'"
  "    AND json_valid (a.detail)"
  "    AND json_extract (a.detail, '$.previous_expert_id') IN (SELECT id FROM users)"
  "    AND json_extract (a.detail, '$.previous_expert_id')"
  "        IS NOT json_extract (a.detail, '$.expert_id')"
  "    AND json_type (a.detail, '$.previous_start_at') = 'integer'"
  "    AND json_type (a.detail, '$.previous_end_at') = 'integer'"
  "  ORDER BY a.id DESC;"

  "INSERT OR IGNORE INTO calendar_removals (user_id, session_id, removals, sequence,"
  "                                         start_at, end_at, removed_at)"
  "  SELECT r.user_id, s.id, 1, s.sequence + 1, s.start_at, s.end_at, r.updated_at"
  "  FROM teaching_registrations r"
  "  JOIN sessions s ON s.teaching_series_id = r.series_id AND s.end_at > r.updated_at"
  "  WHERE r.status = 'cancelled'"
  "    AND (SELECT a.from_status FROM audit_log a"
  "         WHERE a.action = 'teaching.unregister' AND a.object_type = 'teaching_series'"
  "           AND a.object_id = r.series_id AND a.actor_id = r.user_id"
  "         ORDER BY a.id DESC LIMIT 1) = 'registered';";

static const HzMigration migrations[] = {
  { 1, "organizations, users, consultations, sessions, recordings, audit log", schema_v1 },
  { 2, "review workflow, reports, password login, participation", schema_v2 },
  { 3, "availability, holiday calendars, teaching rounds", schema_v3 },
  { 4, "calendar feed tokens", schema_v4 },
  { 5, "interrupted recordings", schema_v5 },
  { 6, "signed reports and amendments safe from INSERT OR REPLACE", schema_v6 },
  { 7, "recordings library: titles, tags, SHA-256, shares, retention", schema_v7 },
  { 8, "composition jobs", schema_v8 },
  { 9, "HLS output of teaching rounds", schema_v9 },
  { 10, "urgency and preferred times of consultation requests", schema_v10 },
  { 11, "partner links between organizations", schema_v11 },
  { 12, "cancelled calendar copies for users removed from a session", schema_v12 },
};

const HzMigration *
hz_migrations_get (gsize *count)
{
  *count = G_N_ELEMENTS (migrations);
  return migrations;
}
