/* Availability in the scheduler database: holiday calendars, experts'
 * weekly hours, booking rules and exceptions, and the booking check and
 * slot search that read them through the rules of hz-availability.h.
 *
 * Errors are in HZ_SCHED_ERROR, as in hz-sched-store.h. Functions that
 * change state write their audit_log row in the same transaction.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "hz-availability.h"
#include "hz-sched-store.h"

G_BEGIN_DECLS

/* Maximum range of one slot search, and maximum slots in one response. */
#define HZ_SLOT_SEARCH_MAX_DAYS 31
#define HZ_SLOT_SEARCH_MAX_SLOTS 2000

/* NULL-terminated values of availability_exceptions.kind. All but
 * "extra_hours" make the expert unavailable. */
extern const char *const hz_exception_kind_names[];

typedef struct {
  gint64 id;
  gint64 expert_id;
  char *kind;
  gint64 start_at;
  gint64 end_at;
  char *reason;            /* or NULL */
  gint64 created_by;       /* 0 when not created by a user */
  gint64 created_at;
} HzAvailabilityException;

void hz_availability_exception_free (HzAvailabilityException *exception);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzAvailabilityException, hz_availability_exception_free)

typedef struct {
  gint64 min_notice_minutes;
  gint64 buffer_minutes;
} HzBookingRules;

/* Holiday calendars (hz-sched-store-holidays.c). */

/* Parses every NAME.conf in DIR and replaces the database's calendars with
 * them in one transaction. A file with an error fails the whole load and
 * changes nothing. A missing DIR is logged and changes nothing. */
gboolean hz_store_load_holiday_calendars (sqlite3    *db,
                                          const char *dir,
                                          GError    **error);

gboolean hz_store_holiday_calendar_exists (sqlite3    *db,
                                           const char *name,
                                           gboolean   *exists,
                                           GError    **error);

/* One row of holiday_days. */
typedef struct {
  char *calendar;
  char *date;              /* YYYY-MM-DD */
  char *kind;              /* "holiday" or "workday" */
  char *name;
  char *name_en;
  gboolean provisional;
} HzHolidayDayRow;

void hz_holiday_day_row_free (HzHolidayDayRow *row);

/* Returns the HzHolidayDayRows of CALENDAR from FIRST to LAST (dates
 * YYYY-MM-DD, inclusive), ordered by date. */
GPtrArray *hz_store_list_holiday_days (sqlite3    *db,
                                       const char *calendar,
                                       const char *first,
                                       const char *last,
                                       GError    **error);

/* Returns the loaded calendars as a JSON array of objects with name,
 * title, title_en, first_date, last_date and days. */
JsonNode *hz_store_list_holiday_calendars (sqlite3 *db,
                                           GError **error);

/* Returns the holiday calendar name of organization ORG_ID. */
char *hz_store_get_holiday_calendar (sqlite3 *db,
                                     gint64   org_id,
                                     GError **error);

/* Sets the holiday calendar of organization ORG_ID to NAME, which must
 * exist (invalid_field otherwise), or to "none". */
gboolean hz_store_set_holiday_calendar (sqlite3        *db,
                                        const HzActor  *actor,
                                        gint64          org_id,
                                        const char     *name,
                                        GError        **error);

/* Weekly hours, rules and exceptions (hz-sched-store-availability.c). */

/* Returns the HzWorkingHours of EXPERT_ID ordered by weekday and start. */
GArray *hz_store_get_working_hours (sqlite3 *db,
                                    gint64   expert_id,
                                    GError **error);

/* Replaces all weekly hours of EXPERT_ID with HOURS. */
gboolean hz_store_set_working_hours (sqlite3        *db,
                                     const HzActor  *actor,
                                     gint64          expert_id,
                                     GArray         *hours,
                                     GError        **error);

/* Sets RULES to the expert's rules, or to zeros when none are stored. */
gboolean hz_store_get_booking_rules (sqlite3        *db,
                                     gint64          expert_id,
                                     HzBookingRules *rules,
                                     GError        **error);
gboolean hz_store_set_booking_rules (sqlite3               *db,
                                     const HzActor         *actor,
                                     gint64                 expert_id,
                                     const HzBookingRules  *rules,
                                     GError               **error);

/* Inserts EXCEPTION and sets its id and created_at. */
gboolean hz_store_add_exception (sqlite3                  *db,
                                 const HzActor            *actor,
                                 HzAvailabilityException  *exception,
                                 GError                  **error);
HzAvailabilityException *hz_store_get_exception (sqlite3 *db,
                                                 gint64   id,
                                                 GError **error);
gboolean hz_store_delete_exception (sqlite3        *db,
                                    const HzActor  *actor,
                                    gint64          id,
                                    GError        **error);

/* Returns the exceptions of EXPERT_ID that end after FROM and start before
 * TO, ordered by start, as HzAvailabilityException. */
GPtrArray *hz_store_list_exceptions (sqlite3 *db,
                                     gint64   expert_id,
                                     gint64   from,
                                     gint64   to,
                                     GError **error);

/* Booking check and slot search (hz-sched-store-slots.c). */

/* Reads everything that decides when EXPERT_ID can be booked within
 * [FROM, TO): the zone and holiday days of the expert's organization,
 * weekly hours, exceptions, rules and the expert's sessions other than
 * EXCLUDE_SESSION_ID (0 for none). The earliest start is NOW plus the
 * minimum notice, or unlimited when the expert has no minimum notice. */
HzAvailability *hz_store_load_availability (sqlite3 *db,
                                            gint64   expert_id,
                                            gint64   from,
                                            gint64   to,
                                            gint64   exclude_session_id,
                                            gint64   now,
                                            GError **error);

/* Fails with too_short_notice, expert_on_leave, public_holiday,
 * outside_working_hours or slot_taken when EXPERT_ID cannot be booked for
 * [START, END). Run it inside the transaction that books, so that the
 * check and the insert see the same sessions. */
gboolean hz_store_check_expert_bookable (sqlite3 *db,
                                         gint64   expert_id,
                                         gint64   start,
                                         gint64   end,
                                         gint64   exclude_session_id,
                                         gint64   now,
                                         GError **error);

typedef struct {
  const char *specialty;   /* experts of this specialty, or NULL */
  gint64 expert_id;        /* this expert only, or 0 */
  gint64 from;
  gint64 to;
  gint64 duration;         /* seconds */
  gint64 step;             /* seconds between possible starts */
  gint64 now;
} HzSlotQuery;

typedef struct {
  gint64 expert_id;
  gint64 start;
  gint64 end;
} HzSlot;

/* Returns the end of the time that a slot search covers: QUERY's "to",
 * but no later than the end of a slot that starts HZ_BOOKING_MAX_AHEAD_DAYS
 * after "now", because scheduling rejects later starts. */
gint64 hz_slot_search_end (const HzSlotQuery *query);

/* Returns the free HzSlots of the experts that QUERY selects, ordered by
 * start and expert, from QUERY's "now" on and up to hz_slot_search_end().
 * Sets *TRUNCATED when HZ_SLOT_SEARCH_MAX_SLOTS cut the list short. */
GArray *hz_store_search_slots (sqlite3            *db,
                               const HzSlotQuery  *query,
                               gboolean           *truncated,
                               GError            **error);

G_END_DECLS
