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

/* The queries below return the columns that read_event() takes: session
 * id, consultation or series id, kind, subject, host name, organization
 * name in Chinese and in English, start, end, session status, SEQUENCE,
 * organizer id and organizer name. ?1 is the user and ?2 the earliest end.
 *
 * A user's SEQUENCE of an event they are on is the session's sequence
 * plus two for every time they were removed from it: one for the
 * cancelled copy and one for coming back. So it grows with every change
 * of their copy, also across a removal and a return (see
 * record_removal()). */
#define USER_SEQUENCE \
  "s.sequence + 2 * coalesce ((SELECT cr.removals FROM calendar_removals cr" \
  "                            WHERE cr.user_id = ?1 AND cr.session_id = s.id), 0)"

#define CONSULTATION_JOINS \
  " JOIN consultations c ON c.id = s.consultation_id" \
  " JOIN organizations o ON o.id = c.org_id" \
  " JOIN users rq ON rq.id = c.requester_id" \
  " LEFT JOIN users e ON e.id = c.expert_id"

#define TEACHING_JOINS \
  " JOIN teaching_series t ON t.id = s.teaching_series_id" \
  " JOIN users pr ON pr.id = t.presenter_id" \
  " JOIN organizations o ON o.id = t.org_id"

/* Consultation sessions of consultations that ?1 requested, is the expert
 * of, or takes part in. A rescheduled consultation keeps its session, and a
 * consultation booked again after a cancellation has one session per
 * booking, so each booking keeps its own event. The organizer is the
 * expert, or the requesting doctor while no expert is assigned. */
static const char consultation_events_sql[] =
  "SELECT s.id, c.id, 'consultation', c.specialty, e.name, o.name, o.name_en,"
  "       s.start_at, s.end_at, s.status, " USER_SEQUENCE ","
  "       coalesce (e.id, rq.id), coalesce (e.name, rq.name)"
  " FROM sessions s" CONSULTATION_JOINS
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
  "       s.start_at, s.end_at, s.status, " USER_SEQUENCE ","
  "       pr.id, pr.name"
  " FROM sessions s" TEACHING_JOINS
  " WHERE s.kind = 'teaching' AND s.end_at >= ?2"
  "   AND (t.presenter_id = ?1"
  "        OR EXISTS (SELECT 1 FROM session_participants p"
  "                   WHERE p.session_id = s.id AND p.user_id = ?1)"
  "        OR EXISTS (SELECT 1 FROM teaching_registrations r"
  "                   WHERE r.series_id = t.id AND r.user_id = ?1"
  "                     AND r.status = 'registered'))";

/* The cancelled copies of the sessions that ?1 was removed from, with the
 * times that the user last saw. */
static const char removed_consultation_events_sql[] =
  "SELECT s.id, c.id, 'consultation', c.specialty, e.name, o.name, o.name_en,"
  "       cr.start_at, cr.end_at, 'cancelled', cr.sequence,"
  "       coalesce (e.id, rq.id), coalesce (e.name, rq.name)"
  " FROM calendar_removals cr JOIN sessions s ON s.id = cr.session_id" CONSULTATION_JOINS
  " WHERE cr.user_id = ?1 AND cr.end_at >= ?2 AND s.kind = 'consultation'";

static const char removed_teaching_events_sql[] =
  "SELECT s.id, t.id, t.kind, t.title, pr.name, o.name, o.name_en,"
  "       cr.start_at, cr.end_at, 'cancelled', cr.sequence, pr.id, pr.name"
  " FROM calendar_removals cr JOIN sessions s ON s.id = cr.session_id" TEACHING_JOINS
  " WHERE cr.user_id = ?1 AND cr.end_at >= ?2 AND s.kind = 'teaching'";

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
  event->organizer_id = sqlite3_column_int64 (stmt, 11);
  event->organizer_name = hz_db_column_text (stmt, 12);
  return event;
}

/* Appends the events of SQL to EVENTS, skipping sessions that are in SEEN
 * (when not NULL) and adding the others to it. */
static gboolean
append_events (sqlite3     *db,
               const char  *sql,
               gint64       user_id,
               gint64       from,
               HzLanguage   language,
               GPtrArray   *events,
               GHashTable  *seen,
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
      gint64 session_id;

      if (!has_row)
        return TRUE;

      session_id = sqlite3_column_int64 (stmt, 0);
      if (seen != NULL && g_hash_table_contains (seen, &session_id))
        continue;
      if (seen != NULL)
        g_hash_table_add (seen, g_memdup2 (&session_id, sizeof session_id));
      g_ptr_array_add (events, read_event (stmt, language));
    }

  return FALSE;
}

static GHashTable *
session_id_set_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/* Appends the events of the sessions that USER_ID is on and that end at
 * or after FROM, and adds their ids to SEEN. */
static gboolean
append_current_events (sqlite3     *db,
                       gint64       user_id,
                       gint64       from,
                       HzLanguage   language,
                       GPtrArray   *events,
                       GHashTable  *seen,
                       GError     **error)
{
  return append_events (db, consultation_events_sql, user_id, from, language, events, seen,
                        error) &&
         append_events (db, teaching_events_sql, user_id, from, language, events, seen, error);
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
  g_autoptr (GHashTable) seen = session_id_set_new ();

  /* A user who is on a session again gets its current event, not the
   * cancelled copy of an earlier removal. */
  if (!append_current_events (db, user_id, from, language, events, seen, error) ||
      !append_events (db, removed_consultation_events_sql, user_id, from, language, events,
                      seen, error) ||
      !append_events (db, removed_teaching_events_sql, user_id, from, language, events, seen,
                      error))
    return NULL;

  g_ptr_array_sort (events, compare_events);
  return g_steal_pointer (&events);
}

GPtrArray *
hz_store_calendar_snapshot (sqlite3  *db,
                            gint64    user_id,
                            gint64    now,
                            GError  **error)
{
  g_autoptr (GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) hz_calendar_event_free);

  if (!append_current_events (db, user_id, now - HZ_ICAL_PAST_DAYS * 24 * 3600,
                              HZ_LANGUAGE_ZH_CN, events, NULL, error))
    return NULL;
  return g_steal_pointer (&events);
}

/* Stores the cancelled copy of EVENT for USER_ID. Before the removal the
 * user's SEQUENCE was the session's sequence plus twice the earlier
 * removals (USER_SEQUENCE), so the copy takes that plus one. Later changes
 * of the session do not reach the copy. */
static gboolean
record_removal (sqlite3                *db,
                gint64                  user_id,
                const HzCalendarEvent  *event,
                gint64                  now,
                GError                **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "INSERT INTO calendar_removals (user_id, session_id, removals, sequence, start_at, end_at,"
    "                               removed_at)"
    " SELECT ?1, s.id, 1, s.sequence + 1, ?3, ?4, ?5 FROM sessions s WHERE s.id = ?2"
    " ON CONFLICT (user_id, session_id) DO UPDATE SET"
    "   removals = removals + 1,"
    "   sequence = (SELECT s.sequence FROM sessions s WHERE s.id = ?2)"
    "              + 2 * removals + 1,"
    "   start_at = excluded.start_at, end_at = excluded.end_at,"
    "   removed_at = excluded.removed_at", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, event->session_id);
  sqlite3_bind_int64 (stmt, 3, event->start_at);
  sqlite3_bind_int64 (stmt, 4, event->end_at);
  sqlite3_bind_int64 (stmt, 5, now);
  return hz_db_step (stmt, NULL, error);
}

gboolean
hz_store_calendar_record_removals (sqlite3     *db,
                                   gint64       user_id,
                                   GPtrArray   *before,
                                   gint64       now,
                                   GError     **error)
{
  g_autoptr (GPtrArray) after = hz_store_calendar_snapshot (db, user_id, now, error);
  g_autoptr (GHashTable) remaining = session_id_set_new ();

  if (after == NULL)
    return FALSE;

  for (guint i = 0; i < after->len; i++)
    {
      const HzCalendarEvent *event = after->pdata[i];

      g_hash_table_add (remaining, g_memdup2 (&event->session_id, sizeof event->session_id));
    }

  for (guint i = 0; i < before->len; i++)
    {
      const HzCalendarEvent *event = before->pdata[i];

      if (g_hash_table_contains (remaining, &event->session_id))
        continue;
      if (!record_removal (db, user_id, event, now, error))
        return FALSE;
      g_debug ("Calendar feed of user %" G_GINT64_FORMAT ": session %" G_GINT64_FORMAT
               " kept as cancelled after the user's removal", user_id, event->session_id);
    }

  return TRUE;
}
