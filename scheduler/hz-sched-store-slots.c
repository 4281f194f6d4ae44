/* The booking check and slot search: both read an expert's availability
 * from the database with hz_store_load_availability() and apply the same
 * rules of hz-availability.h to it. */
#include "hz-sched-availability.h"

#include "hz-sched.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"
#include "hz-sched-fields.h"

#define SECONDS_PER_DAY 86400

/* Reads the zone and holiday calendar of the expert's organization. */
static gboolean
read_expert_organization (sqlite3     *db,
                          gint64       expert_id,
                          GTimeZone  **zone,
                          char       **calendar,
                          GError     **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT o.timezone, o.holiday_calendar FROM users u"
    " JOIN organizations o ON o.id = u.org_id WHERE u.id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  if (!hz_db_step (stmt, &has_row, error))
    return FALSE;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "User %" G_GINT64_FORMAT " does not exist or has no organization",
                   expert_id);
      return FALSE;
    }

  *zone = hz_sched_lookup_zone ((const char *) sqlite3_column_text (stmt, 0));
  *calendar = hz_db_column_text (stmt, 1);
  return TRUE;
}

/* Formats the local date of UNIX_SECONDS in ZONE, moved by DAYS. */
static char *
format_local_date (GTimeZone *zone,
                   gint64     unix_seconds,
                   int        days)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_seconds);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, zone);
  g_autoptr (GDateTime) moved = g_date_time_add_days (local, days);

  return g_date_time_format (moved, "%Y-%m-%d");
}

/* Marks the calendar's holidays and make-up working days between the local
 * dates of FROM and TO, with a day to spare on each side. */
static gboolean
read_holiday_days (sqlite3         *db,
                   const char      *calendar,
                   HzAvailability  *availability,
                   gint64           from,
                   gint64           to,
                   GError         **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT day, kind FROM holiday_days WHERE calendar = ? AND day BETWEEN ? AND ?", error);
  g_autofree char *first = format_local_date (availability->zone, from, -1);
  g_autofree char *last = format_local_date (availability->zone, to, 1);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, calendar, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, first, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, last, -1, SQLITE_TRANSIENT);

  while (hz_db_step (stmt, &has_row, error))
    {
      GDate date;
      const char *kind;

      if (!has_row)
        return TRUE;

      kind = (const char *) sqlite3_column_text (stmt, 1);
      if (!hz_holiday_parse_date ((const char *) sqlite3_column_text (stmt, 0), &date))
        continue;
      hz_availability_set_day (availability, &date,
                               g_strcmp0 (kind, "workday") == 0 ? HZ_HOLIDAY_DAY_WORKDAY
                                                                : HZ_HOLIDAY_DAY_OFF);
    }

  return FALSE;
}

static gboolean
read_exceptions (sqlite3         *db,
                 gint64           expert_id,
                 HzAvailability  *availability,
                 gint64           from,
                 gint64           to,
                 GError         **error)
{
  g_autoptr (GPtrArray) exceptions = hz_store_list_exceptions (db, expert_id, from, to, error);

  if (exceptions == NULL)
    return FALSE;

  for (guint i = 0; i < exceptions->len; i++)
    {
      const HzAvailabilityException *exception = g_ptr_array_index (exceptions, i);
      GArray *target = g_str_equal (exception->kind, "extra_hours") ? availability->extra
                                                                    : availability->leave;

      hz_interval_set_add (target, exception->start_at, exception->end_at);
    }

  return TRUE;
}

/* Reads the expert's sessions that reach into [FROM, TO). A user is busy
 * during every non-cancelled session they take part in, whatever its kind
 * or their role in it. */
static gboolean
read_busy_time (sqlite3         *db,
                gint64           expert_id,
                HzAvailability  *availability,
                gint64           from,
                gint64           to,
                gint64           exclude_session_id,
                GError         **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT s.start_at, s.end_at FROM sessions s"
    " JOIN session_participants p ON p.session_id = s.id"
    " WHERE p.user_id = ? AND s.status != 'cancelled' AND s.id != ?"
    "   AND s.start_at < ? AND s.end_at > ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, expert_id);
  sqlite3_bind_int64 (stmt, 2, exclude_session_id);
  sqlite3_bind_int64 (stmt, 3, to);
  sqlite3_bind_int64 (stmt, 4, from);

  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        return TRUE;
      hz_interval_set_add (availability->busy, sqlite3_column_int64 (stmt, 0),
                           sqlite3_column_int64 (stmt, 1));
    }

  return FALSE;
}

HzAvailability *
hz_store_load_availability (sqlite3 *db,
                            gint64   expert_id,
                            gint64   from,
                            gint64   to,
                            gint64   exclude_session_id,
                            gint64   now,
                            GError **error)
{
  g_autoptr (GTimeZone) zone = NULL;
  g_autofree char *calendar = NULL;
  g_autoptr (HzAvailability) availability = NULL;
  g_autoptr (GArray) hours = NULL;
  HzBookingRules rules;
  gint64 buffer;

  if (!read_expert_organization (db, expert_id, &zone, &calendar, error))
    return NULL;

  availability = hz_availability_new (zone);
  hours = hz_store_get_working_hours (db, expert_id, error);
  if (hours == NULL || !hz_store_get_booking_rules (db, expert_id, &rules, error))
    return NULL;
  g_array_append_vals (availability->hours, hours->data, hours->len);

  /* Without a minimum notice any start is accepted, also one in the past,
   * so that a consultation that has already begun can still be booked and
   * recorded. Slot search offers only future times regardless. */
  buffer = rules.buffer_minutes * 60;
  availability->buffer_seconds = buffer;
  if (rules.min_notice_minutes > 0)
    availability->earliest_start = now + rules.min_notice_minutes * 60;

  if (!read_holiday_days (db, calendar, availability, from, to, error) ||
      !read_exceptions (db, expert_id, availability, from, to, error) ||
      !read_busy_time (db, expert_id, availability, from - buffer, to + buffer,
                       exclude_session_id, error))
    return NULL;

  return g_steal_pointer (&availability);
}

gboolean
hz_store_check_expert_bookable (sqlite3 *db,
                                gint64   expert_id,
                                gint64   start,
                                gint64   end,
                                gint64   exclude_session_id,
                                gint64   now,
                                GError **error)
{
  g_autoptr (HzAvailability) availability = hz_store_load_availability (
    db, expert_id, start, end, exclude_session_id, now, error);
  HzSchedErrorCode code;

  if (availability == NULL)
    return FALSE;

  switch (hz_availability_check (availability, start, end))
    {
    case HZ_BOOKING_OK:
      return TRUE;
    case HZ_BOOKING_TOO_SHORT_NOTICE:
      code = HZ_SCHED_ERROR_TOO_SHORT_NOTICE;
      break;
    case HZ_BOOKING_ON_LEAVE:
      code = HZ_SCHED_ERROR_EXPERT_ON_LEAVE;
      break;
    case HZ_BOOKING_PUBLIC_HOLIDAY:
      code = HZ_SCHED_ERROR_PUBLIC_HOLIDAY;
      break;
    case HZ_BOOKING_OUTSIDE_HOURS:
      code = HZ_SCHED_ERROR_OUTSIDE_WORKING_HOURS;
      break;
    case HZ_BOOKING_BUSY:
    default:
      code = HZ_SCHED_ERROR_SLOT_TAKEN;
      break;
    }

  g_set_error (error, HZ_SCHED_ERROR, code,
               "Expert %" G_GINT64_FORMAT " cannot be booked from %" G_GINT64_FORMAT
               " to %" G_GINT64_FORMAT ": %s",
               expert_id, start, end, hz_sched_error_info (code)->code);
  return FALSE;
}

gint64
hz_slot_search_end (const HzSlotQuery *query)
{
  gint64 latest_start = query->now + HZ_BOOKING_MAX_AHEAD_DAYS * SECONDS_PER_DAY;

  return MIN (query->to, latest_start + query->duration);
}

/* Returns the ids of the experts that QUERY selects, ordered by id. */
static GArray *
select_experts (sqlite3            *db,
                const HzSlotQuery  *query,
                GError            **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT id FROM users WHERE role = 'expert'"
    "   AND (?1 IS NULL OR specialty = ?1) AND (?2 = 0 OR id = ?2)"
    " ORDER BY id", error);

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, query->specialty, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, query->expert_id);
  return hz_db_collect_ids (stmt, error);
}

/* Appends at most HZ_SLOT_SEARCH_MAX_SLOTS slots of one expert to SLOTS,
 * the earliest ones, and sets *FULL when the expert has more. */
static gboolean
add_expert_slots (sqlite3            *db,
                  const HzSlotQuery  *query,
                  gint64              expert_id,
                  GArray             *slots,
                  gboolean           *full,
                  GError            **error)
{
  gint64 to = hz_slot_search_end (query);
  g_autoptr (HzAvailability) availability = NULL;
  g_autoptr (GArray) free = NULL;
  g_autoptr (GArray) found = hz_interval_set_new ();

  if (to <= query->from)
    return TRUE;

  availability = hz_store_load_availability (db, expert_id, query->from, to, 0, query->now,
                                             error);
  if (availability == NULL)
    return FALSE;

  availability->earliest_start = MAX (availability->earliest_start, query->now);
  free = hz_availability_free_time (availability, query->from, to);
  *full = !hz_availability_add_slots (found, free, availability->zone, query->duration,
                                      query->step, HZ_SLOT_SEARCH_MAX_SLOTS);

  for (guint i = 0; i < found->len; i++)
    {
      const HzInterval *interval = &g_array_index (found, HzInterval, i);
      HzSlot slot = { expert_id, interval->start, interval->end };

      g_array_append_val (slots, slot);
    }

  return TRUE;
}

static gint
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const HzSlot *left = a;
  const HzSlot *right = b;

  if (left->start != right->start)
    return left->start < right->start ? -1 : 1;
  if (left->expert_id != right->expert_id)
    return left->expert_id < right->expert_id ? -1 : 1;
  return 0;
}

GArray *
hz_store_search_slots (sqlite3            *db,
                       const HzSlotQuery  *query,
                       gboolean           *truncated,
                       GError            **error)
{
  g_autoptr (GArray) experts = select_experts (db, query, error);
  g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (HzSlot));

  g_return_val_if_fail (query->to - query->from <= HZ_SLOT_SEARCH_MAX_DAYS * SECONDS_PER_DAY,
                        NULL);

  if (experts == NULL)
    return NULL;

  *truncated = FALSE;
  for (guint i = 0; i < experts->len; i++)
    {
      gboolean full = FALSE;

      if (!add_expert_slots (db, query, g_array_index (experts, gint64, i), slots, &full,
                             error))
        return NULL;
      *truncated |= full;
    }

  /* Each expert's list contains their earliest slots, so the earliest of
   * all experts are among them. */
  g_array_sort (slots, compare_slots);
  if (slots->len > HZ_SLOT_SEARCH_MAX_SLOTS)
    {
      g_array_set_size (slots, HZ_SLOT_SEARCH_MAX_SLOTS);
      *truncated = TRUE;
    }

  return g_steal_pointer (&slots);
}
