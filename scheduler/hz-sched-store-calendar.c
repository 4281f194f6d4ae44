/* Calendar feed tokens and the sessions of a user's feed. */
#include "hz-sched-store-calendar.h"

#include <sodium.h>
#include <string.h>

#include "hz-sched-apikey.h"
#include "hz-sched-db.h"
#include "hz-sched-ical.h"

gboolean
hz_ical_token_is_well_formed (const char *text)
{
  if (text == NULL || strlen (text) != HZ_ICAL_TOKEN_LENGTH)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return FALSE;
    }

  return TRUE;
}

static char *
hash_token (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

static char *
generate_token (GError **error)
{
  guint8 random_bytes[HZ_ICAL_TOKEN_RANDOM_BYTES];
  char *token;

  if (sodium_init () < 0)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INTERNAL,
                   "libsodium failed to initialize its random generator");
      return NULL;
    }

  randombytes_buf (random_bytes, sizeof random_bytes);
  token = hz_base64url_encode (random_bytes, sizeof random_bytes);
  sodium_memzero (random_bytes, sizeof random_bytes);
  return token;
}

static gboolean
upsert_token (sqlite3     *db,
              gint64       user_id,
              const char  *token_hash,
              gboolean    *replaced,
              GError     **error)
{
  g_autoptr (sqlite3_stmt) select = hz_db_prepare (db,
    "SELECT 1 FROM ical_tokens WHERE user_id = ?", error);
  g_autoptr (sqlite3_stmt) upsert = NULL;

  if (select == NULL)
    return FALSE;
  sqlite3_bind_int64 (select, 1, user_id);
  if (!hz_db_step (select, replaced, error))
    return FALSE;

  upsert = hz_db_prepare (db,
    "INSERT INTO ical_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)"
    " ON CONFLICT (user_id) DO UPDATE"
    "   SET token_hash = excluded.token_hash, created_at = excluded.created_at", error);
  if (upsert == NULL)
    return FALSE;

  sqlite3_bind_int64 (upsert, 1, user_id);
  sqlite3_bind_text (upsert, 2, token_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (upsert, 3, g_get_real_time () / G_USEC_PER_SEC);
  return hz_db_step (upsert, NULL, error);
}

char *
hz_store_replace_ical_token (sqlite3        *db,
                             const HzActor  *actor,
                             gint64          user_id,
                             GError        **error)
{
  g_autofree char *token = generate_token (error);
  g_autofree char *token_hash = NULL;
  gboolean replaced = FALSE;
  HzAuditEntry audit = { *actor, "ical_token.issue", "user", user_id, NULL, NULL, NULL };

  if (token == NULL)
    return NULL;
  token_hash = hash_token (token);

  if (!hz_db_begin (db, error))
    return NULL;

  if (!upsert_token (db, user_id, token_hash, &replaced, error))
    goto failed;

  if (replaced)
    audit.action = "ical_token.replace";
  if (!hz_audit_write (db, &audit, error))
    goto failed;

  if (!hz_db_commit (db, error))
    return NULL;
  return g_steal_pointer (&token);

failed:
  hz_db_rollback (db);
  return NULL;
}

gboolean
hz_store_revoke_ical_token (sqlite3        *db,
                            const HzActor  *actor,
                            gint64          user_id,
                            gboolean       *revoked,
                            GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  HzAuditEntry audit = { *actor, "ical_token.revoke", "user", user_id, NULL, NULL, NULL };

  if (!hz_db_begin (db, error))
    return FALSE;

  stmt = hz_db_prepare (db, "DELETE FROM ical_tokens WHERE user_id = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, user_id);
  if (!hz_db_step (stmt, NULL, error))
    goto failed;

  *revoked = sqlite3_changes (db) > 0;
  if (*revoked && !hz_audit_write (db, &audit, error))
    goto failed;

  return hz_db_commit (db, error);

failed:
  hz_db_rollback (db);
  return FALSE;
}

HzUser *
hz_store_find_user_by_ical_token (sqlite3    *db,
                                  const char *token,
                                  GError    **error)
{
  g_autofree char *token_hash = hash_token (token);
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT user_id FROM ical_tokens WHERE token_hash = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, token_hash, -1, SQLITE_TRANSIENT);
  if (!hz_db_step (stmt, &has_row, error) || !has_row)
    return NULL;

  return hz_store_get_user (db, sqlite3_column_int64 (stmt, 0), error);
}

/* Both queries return the columns that read_event() takes: session id,
 * consultation or series id, kind, subject, host name, organization name
 * in Chinese and in English, start, end, session status and sequence.
 *
 * Consultation sessions of consultations that ?1 requested, is the expert
 * of, or takes part in. A rescheduled consultation keeps its session, and a
 * consultation booked again after a cancellation has one session per
 * booking, so each booking keeps its own event. */
static const char consultation_events_sql[] =
  "SELECT s.id, c.id, 'consultation', c.specialty, e.name, o.name, o.name_en,"
  "       s.start_at, s.end_at, s.status, s.sequence"
  " FROM sessions s"
  " JOIN consultations c ON c.id = s.consultation_id"
  " JOIN organizations o ON o.id = c.org_id"
  " LEFT JOIN users e ON e.id = c.expert_id"
  " WHERE s.kind = 'consultation' AND s.end_at >= ?2"
  "   AND (c.requester_id = ?1 OR c.expert_id = ?1"
  "        OR EXISTS (SELECT 1 FROM session_participants p"
  "                   WHERE p.session_id = s.id AND p.user_id = ?1))";

/* Occurrences of teaching series that ?1 presents or is registered for
 * (not waitlisted). Registered attendees are also participants of the
 * occurrences that have not ended, but the registration covers the past
 * ones and cancelled ones too. */
static const char teaching_events_sql[] =
  "SELECT s.id, t.id, t.kind, t.title, pr.name, o.name, o.name_en,"
  "       s.start_at, s.end_at, s.status, s.sequence"
  " FROM sessions s"
  " JOIN teaching_series t ON t.id = s.teaching_series_id"
  " JOIN users pr ON pr.id = t.presenter_id"
  " JOIN organizations o ON o.id = t.org_id"
  " WHERE s.kind = 'teaching' AND s.end_at >= ?2"
  "   AND (t.presenter_id = ?1"
  "        OR EXISTS (SELECT 1 FROM session_participants p"
  "                   WHERE p.session_id = s.id AND p.user_id = ?1)"
  "        OR EXISTS (SELECT 1 FROM teaching_registrations r"
  "                   WHERE r.series_id = t.id AND r.user_id = ?1"
  "                     AND r.status = 'registered'))";

static HzCalendarEvent *
read_event (sqlite3_stmt *stmt,
            HzLanguage    language)
{
  HzCalendarEvent *event = g_new0 (HzCalendarEvent, 1);
  int org_column = language == HZ_LANGUAGE_EN ? 6 : 5;

  event->session_id = sqlite3_column_int64 (stmt, 0);
  event->object_id = sqlite3_column_int64 (stmt, 1);
  event->kind = hz_db_column_text (stmt, 2);
  event->subject = hz_db_column_text (stmt, 3);
  event->host_name = hz_db_column_text (stmt, 4);
  event->org_name = hz_db_column_text (stmt, org_column);
  event->start_at = sqlite3_column_int64 (stmt, 7);
  event->end_at = sqlite3_column_int64 (stmt, 8);
  event->cancelled = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 9), "cancelled") == 0;
  event->sequence = sqlite3_column_int64 (stmt, 10);
  return event;
}

static gboolean
append_events (sqlite3     *db,
               const char  *sql,
               gint64       user_id,
               gint64       from,
               HzLanguage   language,
               GPtrArray   *events,
               GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, sql, error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, from);
  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        return TRUE;
      g_ptr_array_add (events, read_event (stmt, language));
    }

  return FALSE;
}

static gint
compare_events (gconstpointer a,
                gconstpointer b)
{
  const HzCalendarEvent *left = *(HzCalendarEvent *const *) a;
  const HzCalendarEvent *right = *(HzCalendarEvent *const *) b;

  if (left->start_at != right->start_at)
    return left->start_at < right->start_at ? -1 : 1;
  if (left->session_id != right->session_id)
    return left->session_id < right->session_id ? -1 : 1;
  return 0;
}

GPtrArray *
hz_store_list_calendar_events (sqlite3     *db,
                               gint64       user_id,
                               gint64       from,
                               HzLanguage   language,
                               GError     **error)
{
  g_autoptr (GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) hz_calendar_event_free);

  if (!append_events (db, consultation_events_sql, user_id, from, language, events, error) ||
      !append_events (db, teaching_events_sql, user_id, from, language, events, error))
    return NULL;

  g_ptr_array_sort (events, compare_events);
  return g_steal_pointer (&events);
}
