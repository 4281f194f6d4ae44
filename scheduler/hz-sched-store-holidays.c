/* Holiday calendars: loading the files of [scheduler] holidays-dir into
 * holiday_calendars and holiday_days, and choosing an organization's
 * calendar. */
#include "hz-sched-availability.h"

#include <gio/gio.h>
#include <string.h>

#include "hz-holidays.h"
#include "hz-sched-db.h"
#include "hz-sched-errors.h"

#define CALENDAR_SUFFIX ".conf"

/* An organization with this calendar has no holidays. */
#define NO_CALENDAR "none"

typedef struct {
  char *name;
  HzHolidayCalendar *calendar;
} NamedCalendar;

static void
named_calendar_free (gpointer data)
{
  NamedCalendar *named = data;

  g_free (named->name);
  hz_holiday_calendar_free (named->calendar);
  g_free (named);
}

/* Parses every NAME.conf in DIR. Returns NULL without an error when DIR
 * does not exist. */
static GPtrArray *
parse_directory (const char  *dir,
                 GError     **error)
{
  g_autoptr (GPtrArray) calendars = g_ptr_array_new_with_free_func (named_calendar_free);
  g_autoptr (GDir) handle = NULL;
  g_autoptr (GError) open_error = NULL;
  const char *entry;

  handle = g_dir_open (dir, 0, &open_error);
  if (handle == NULL)
    {
      if (g_error_matches (open_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_propagate_prefixed_error (error, g_steal_pointer (&open_error),
                                  "Holiday calendars %s: ", dir);
      return NULL;
    }

  while ((entry = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = NULL;
      NamedCalendar *named;

      if (!g_str_has_suffix (entry, CALENDAR_SUFFIX))
        continue;

      named = g_new0 (NamedCalendar, 1);
      named->name = g_strndup (entry, strlen (entry) - strlen (CALENDAR_SUFFIX));
      g_ptr_array_add (calendars, named);

      path = g_build_filename (dir, entry, NULL);
      if (!hz_holiday_calendar_name_is_valid (named->name) ||
          g_str_equal (named->name, NO_CALENDAR))
        {
          g_set_error (error, HZ_HOLIDAY_ERROR, HZ_HOLIDAY_ERROR_INVALID,
                       "%s: invalid calendar name: use 1 to 32 lowercase letters, digits "
                       "and '-', starting with a letter, and not \"%s\"", path, NO_CALENDAR);
          return NULL;
        }

      named->calendar = hz_holiday_calendar_load (path, error);
      if (named->calendar == NULL)
        return NULL;
    }

  return g_steal_pointer (&calendars);
}

static gboolean
insert_calendar (sqlite3             *db,
                 const NamedCalendar *named,
                 gint64               now,
                 GError             **error)
{
  g_autoptr (sqlite3_stmt) calendar_stmt = hz_db_prepare (db,
    "INSERT INTO holiday_calendars (name, title, title_en, loaded_at) VALUES (?, ?, ?, ?)",
    error);
  g_autoptr (sqlite3_stmt) day_stmt = NULL;

  if (calendar_stmt == NULL)
    return FALSE;

  sqlite3_bind_text (calendar_stmt, 1, named->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (calendar_stmt, 2, named->calendar->title, -1, SQLITE_STATIC);
  sqlite3_bind_text (calendar_stmt, 3, named->calendar->title_en, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (calendar_stmt, 4, now);
  if (!hz_db_step (calendar_stmt, NULL, error))
    return FALSE;

  day_stmt = hz_db_prepare (db,
    "INSERT INTO holiday_days (calendar, day, kind, name, name_en, provisional)"
    " VALUES (?, ?, ?, ?, ?, ?)", error);
  if (day_stmt == NULL)
    return FALSE;

  for (guint i = 0; i < named->calendar->days->len; i++)
    {
      const HzHolidayDay *day = &g_array_index (named->calendar->days, HzHolidayDay, i);
      const HzHolidayPeriod *period = g_ptr_array_index (named->calendar->periods, day->period);
      char text[16];

      g_date_strftime (text, sizeof text, "%Y-%m-%d", &day->date);
      sqlite3_reset (day_stmt);
      sqlite3_bind_text (day_stmt, 1, named->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (day_stmt, 2, text, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (day_stmt, 3, day->kind == HZ_HOLIDAY_DAY_OFF ? "holiday" : "workday",
                         -1, SQLITE_STATIC);
      sqlite3_bind_text (day_stmt, 4, period->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (day_stmt, 5, period->name_en, -1, SQLITE_STATIC);
      sqlite3_bind_int (day_stmt, 6, period->provisional ? 1 : 0);
      if (!hz_db_step (day_stmt, NULL, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
replace_calendars (sqlite3    *db,
                   GPtrArray  *calendars,
                   GError    **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!hz_db_begin (db, error))
    return FALSE;

  if (!hz_db_exec (db, "DELETE FROM holiday_days; DELETE FROM holiday_calendars;", error))
    goto failed;

  for (guint i = 0; i < calendars->len; i++)
    {
      if (!insert_calendar (db, g_ptr_array_index (calendars, i), now, error))
        goto failed;
    }

  return hz_db_commit (db, error);

failed:
  hz_db_rollback (db);
  return FALSE;
}

gboolean
hz_store_load_holiday_calendars (sqlite3    *db,
                                 const char *dir,
                                 GError    **error)
{
  g_autoptr (GPtrArray) calendars = NULL;
  g_autoptr (GError) local_error = NULL;

  calendars = parse_directory (dir, &local_error);
  if (calendars == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (calendars == NULL)
    {
      g_warning ("The holiday calendar directory %s does not exist; the calendars of the "
                 "previous start stay in use", dir);
      return TRUE;
    }

  if (!replace_calendars (db, calendars, error))
    return FALSE;

  for (guint i = 0; i < calendars->len; i++)
    {
      const NamedCalendar *named = g_ptr_array_index (calendars, i);

      g_message ("Holiday calendar %s loaded from %s: %u days", named->name, dir,
                 named->calendar->days->len);
    }

  return TRUE;
}

gboolean
hz_store_holiday_calendar_exists (sqlite3    *db,
                                  const char *name,
                                  gboolean   *exists,
                                  GError    **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT 1 FROM holiday_calendars WHERE name = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  return hz_db_step (stmt, exists, error);
}

static gboolean
update_calendar (sqlite3        *db,
                 const HzActor  *actor,
                 gint64          org_id,
                 const char     *name,
                 GError        **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "UPDATE organizations SET holiday_calendar = ? WHERE id = ?", error);
  gboolean exists = g_str_equal (name, NO_CALENDAR);
  HzAuditEntry audit = { *actor, "organization.holiday_calendar", "organization", org_id,
                         NULL, name, NULL };

  if (stmt == NULL)
    return FALSE;

  if (!exists && !hz_store_holiday_calendar_exists (db, name, &exists, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_INVALID_FIELD,
                   "There is no holiday calendar called %s", name);
      return FALSE;
    }

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, org_id);
  if (!hz_db_step (stmt, NULL, error))
    return FALSE;
  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Organization %" G_GINT64_FORMAT " does not exist", org_id);
      return FALSE;
    }

  return hz_audit_write (db, &audit, error);
}

gboolean
hz_store_set_holiday_calendar (sqlite3        *db,
                               const HzActor  *actor,
                               gint64          org_id,
                               const char     *name,
                               GError        **error)
{
  if (!hz_db_begin (db, error))
    return FALSE;

  if (!update_calendar (db, actor, org_id, name, error))
    {
      hz_db_rollback (db);
      return FALSE;
    }

  return hz_db_commit (db, error);
}

void
hz_holiday_day_row_free (HzHolidayDayRow *row)
{
  if (row == NULL)
    return;
  g_free (row->calendar);
  g_free (row->date);
  g_free (row->kind);
  g_free (row->name);
  g_free (row->name_en);
  g_free (row);
}

GPtrArray *
hz_store_list_holiday_days (sqlite3    *db,
                            const char *calendar,
                            const char *first,
                            const char *last,
                            GError    **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT calendar, day, kind, name, name_en, provisional FROM holiday_days"
    " WHERE calendar = ? AND day BETWEEN ? AND ? ORDER BY day", error);
  g_autoptr (GPtrArray) rows = NULL;
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, calendar, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, first, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, last, -1, SQLITE_TRANSIENT);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_holiday_day_row_free);

  while (hz_db_step (stmt, &has_row, error))
    {
      HzHolidayDayRow *row;

      if (!has_row)
        return g_steal_pointer (&rows);

      row = g_new0 (HzHolidayDayRow, 1);
      row->calendar = hz_db_column_text (stmt, 0);
      row->date = hz_db_column_text (stmt, 1);
      row->kind = hz_db_column_text (stmt, 2);
      row->name = hz_db_column_text (stmt, 3);
      row->name_en = hz_db_column_text (stmt, 4);
      row->provisional = sqlite3_column_int (stmt, 5) != 0;
      g_ptr_array_add (rows, row);
    }

  return NULL;
}

static void
add_text_member (JsonBuilder  *builder,
                 const char   *member,
                 sqlite3_stmt *stmt,
                 int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  json_builder_set_member_name (builder, member);
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
hz_store_list_holiday_calendars (sqlite3 *db,
                                 GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT c.name, c.title, c.title_en, min (d.day), max (d.day), count (d.day)"
    " FROM holiday_calendars c LEFT JOIN holiday_days d ON d.calendar = c.name"
    " GROUP BY c.name ORDER BY c.name", error);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  json_builder_begin_array (builder);
  while (hz_db_step (stmt, &has_row, error))
    {
      if (!has_row)
        {
          json_builder_end_array (builder);
          return json_builder_get_root (builder);
        }

      json_builder_begin_object (builder);
      add_text_member (builder, "name", stmt, 0);
      add_text_member (builder, "title", stmt, 1);
      add_text_member (builder, "title_en", stmt, 2);
      add_text_member (builder, "first_date", stmt, 3);
      add_text_member (builder, "last_date", stmt, 4);
      json_builder_set_member_name (builder, "days");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 5));
      json_builder_end_object (builder);
    }

  return NULL;
}

char *
hz_store_get_holiday_calendar (sqlite3 *db,
                               gint64   org_id,
                               GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = hz_db_prepare (db,
    "SELECT holiday_calendar FROM organizations WHERE id = ?", error);
  gboolean has_row;

  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, org_id);
  if (!hz_db_step (stmt, &has_row, error))
    return NULL;
  if (!has_row)
    {
      g_set_error (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND,
                   "Organization %" G_GINT64_FORMAT " does not exist", org_id);
      return NULL;
    }

  return hz_db_column_text (stmt, 0);
}
