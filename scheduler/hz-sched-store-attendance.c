/* Attendance of a session from the relay's join and leave reports
 * (session_participation). */
#include "hz-sched-teaching.h"

#include "hz-interval-set.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"

/* One user's reports while they are read in order of time. */
typedef struct {
  gint64 user_id;            /* the key in the table of trackers */
  HzAttendance *attendance;
  GArray *present;           /* HzInterval */
  gint64 open_since;         /* start of the current presence, or HZ_TIME_NONE */
} Tracker;

static void
tracker_free (gpointer data)
{
  Tracker *tracker = data;

  hz_attendance_free (tracker->attendance);
  g_array_unref (tracker->present);
  g_free (tracker);
}

static Tracker *
tracker_get (GHashTable *trackers,
             gint64      user_id)
{
  Tracker *tracker = g_hash_table_lookup (trackers, &user_id);

  if (tracker != NULL)
    return tracker;

  tracker = g_new0 (Tracker, 1);
  tracker->user_id = user_id;
  tracker->attendance = g_new0 (HzAttendance, 1);
  tracker->attendance->user_id = user_id;
  tracker->attendance->first_join = HZ_TIME_NONE;
  tracker->attendance->last_leave = HZ_TIME_NONE;
  tracker->present = hz_interval_set_new ();
  tracker->open_since = HZ_TIME_NONE;
  g_hash_table_insert (trackers, &tracker->user_id, tracker);
  return tracker;
}

static gboolean
read_session_times (sqlite3  *db,
                    gint64    id,
                    gint64   *start,
                    gint64   *end,
                    GError  **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT start_at, end_at FROM sessions WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Session %" G_GINT64_FORMAT " does not exist", id);
      return FALSE;
    }

  *start = sqlite3_column_int64 (stmt, 0);
  *end = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/* Adds a tracker for every participant, marked as registered viewer or
 * presenter. */
static gboolean
read_participants (sqlite3     *db,
                   gint64       id,
                   GHashTable  *trackers,
                   GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT user_id, role FROM session_participants WHERE session_id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  while (hz_db_step (stmt, &has_row, error))
    {
      Tracker *tracker;
      gboolean viewer;

      if (!has_row)
        return TRUE;

      tracker = tracker_get (trackers, sqlite3_column_int64 (stmt, 0));
      viewer = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "view") == 0;
      tracker->attendance->registered = viewer;
      tracker->attendance->presenter = !viewer;
    }

  return FALSE;
}

/* Applies one report. A second join while present changes nothing, so a
 * reconnect is not counted twice; a leave without a join is ignored. */
static void
apply_event (Tracker    *tracker,
             const char *event,
             gint64      at)
{
  HzAttendance *attendance = tracker->attendance;

  if (g_strcmp0 (event, "join") == 0)
    {
      attendance->joins++;
      if (attendance->first_join == HZ_TIME_NONE)
        attendance->first_join = at;
      if (tracker->open_since == HZ_TIME_NONE)
        {
          tracker->open_since = at;
          attendance->last_leave = HZ_TIME_NONE;
        }
      return;
    }

  if (tracker->open_since == HZ_TIME_NONE)
    return;
  hz_interval_set_add (tracker->present, tracker->open_since, at);
  tracker->open_since = HZ_TIME_NONE;
  attendance->last_leave = at;
}

static gboolean
read_events (sqlite3     *db,
             gint64       id,
             GHashTable  *trackers,
             GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT user_id, event, at FROM session_participation WHERE session_id = ?"
    " ORDER BY at, id", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        return TRUE;
      apply_event (tracker_get (trackers, sqlite3_column_int64 (stmt, 0)),
                   (const char *) sqlite3_column_text (stmt, 1), sqlite3_column_int64 (stmt, 2));
    }

  return FALSE;
}

static gboolean
read_names (sqlite3     *db,
            GPtrArray   *list,
            GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db, "SELECT name FROM users WHERE id = ?",
                                                 error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < list->len; i++)
    {
      HzAttendance *attendance = g_ptr_array_index (list, i);

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, attendance->user_id);
      if (!hz_db_step (stmt, &has_row, error))
        return FALSE;
      attendance->user_name = has_row ? hz_db_column_text (stmt, 0) : NULL;
    }

  return TRUE;
}

static gint
compare_users (gconstpointer a,
               gconstpointer b)
{
  const HzAttendance *left = *(HzAttendance *const *) a;
  const HzAttendance *right = *(HzAttendance *const *) b;

  return left->user_id < right->user_id ? -1 : left->user_id > right->user_id;
}

/* Closes open presences at CLOSE_AT and moves each result into LIST. */
static void
collect (GHashTable *trackers,
         gint64      close_at,
         GPtrArray  *list)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, trackers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Tracker *tracker = value;

      if (tracker->open_since != HZ_TIME_NONE)
        hz_interval_set_add (tracker->present, tracker->open_since,
                             MAX (tracker->open_since, close_at));

      hz_interval_set_normalize (tracker->present);
      for (guint i = 0; i < tracker->present->len; i++)
        {
          const HzInterval *interval = &g_array_index (tracker->present, HzInterval, i);

          tracker->attendance->seconds += interval->end - interval->start;
        }

      g_ptr_array_add (list, g_steal_pointer (&tracker->attendance));
    }
}

GPtrArray *
hz_store_get_attendance (sqlite3 *db,
                         gint64   id,
                         gint64   now,
                         GError **error)
{
  g_autoptr (GHashTable) trackers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                           tracker_free);
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (
    (GDestroyNotify) hz_attendance_free);
  gint64 start, end;

  if (!read_session_times (db, id, &start, &end, error) ||
      !read_participants (db, id, trackers, error) ||
      !read_events (db, id, trackers, error))
    return NULL;

  collect (trackers, MIN (end, now), list);
  g_ptr_array_sort (list, compare_users);

  if (!read_names (db, list, error))
    return NULL;
  return g_steal_pointer (&list);
}
