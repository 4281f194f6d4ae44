/* Holiday calendar files: public holidays and make-up working days.
 *
 * A calendar is a GKeyFile (config/holidays/cn.conf documents the format):
 * a [calendar] group with its title, then one group per holiday period
 * with the days off ("holidays") and the weekend days worked instead
 * ("workdays", 调休上班日). Dates are civil dates, read in the time zone of
 * the organization that uses the calendar.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_HOLIDAY_ERROR (hz_holiday_error_quark ())
GQuark hz_holiday_error_quark (void);

typedef enum {
  HZ_HOLIDAY_ERROR_PARSE,    /* not a readable GKeyFile in UTF-8 */
  HZ_HOLIDAY_ERROR_INVALID,  /* a group, key or value that breaks the format */
} HzHolidayError;

/* Limits that keep a broken or hostile file small in memory. */
#define HZ_HOLIDAY_MAX_FILE_BYTES (256 * 1024)
#define HZ_HOLIDAY_MAX_RANGE_DAYS 31
#define HZ_HOLIDAY_MAX_DAYS 4096

typedef enum {
  HZ_HOLIDAY_DAY_OFF,        /* a public holiday, or a weekday given off for one */
  HZ_HOLIDAY_DAY_WORKDAY,    /* a Saturday or Sunday worked to make up for one */
} HzHolidayDayKind;

typedef struct {
  char *id;                  /* the group name, e.g. "2026-spring-festival" */
  char *name;                /* Simplified Chinese, e.g. "春节" */
  char *name_en;
  char *source;              /* or NULL */
  gboolean provisional;      /* projected, not yet published */
} HzHolidayPeriod;

typedef struct {
  GDate date;
  HzHolidayDayKind kind;
  guint period;              /* index into HzHolidayCalendar.periods */
} HzHolidayDay;

typedef struct {
  char *title;
  char *title_en;
  GPtrArray *periods;        /* HzHolidayPeriod, in file order */
  GArray *days;              /* HzHolidayDay, sorted by date, each date once */
} HzHolidayCalendar;

/* Parses DATA as the contents of a calendar file called PATH (used only in
 * error messages, which name the file, group, key, value and reason). */
HzHolidayCalendar *hz_holiday_calendar_parse (const char *data,
                                              gsize       length,
                                              const char *path,
                                              GError    **error);

HzHolidayCalendar *hz_holiday_calendar_load (const char *path,
                                             GError    **error);

void hz_holiday_calendar_free (HzHolidayCalendar *calendar);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzHolidayCalendar, hz_holiday_calendar_free)

/* Returns the entry for DATE, or NULL for an ordinary day. */
const HzHolidayDay *hz_holiday_calendar_lookup (const HzHolidayCalendar *calendar,
                                                const GDate             *date);

/* Parses "YYYY-MM-DD" (years 1900 to 2999) into DATE. */
gboolean hz_holiday_parse_date (const char *text,
                                GDate      *date);

/* Calendar names are file names without ".conf": 1 to 32 characters of
 * lowercase ASCII letters, digits and "-", starting with a letter. */
gboolean hz_holiday_calendar_name_is_valid (const char *name);

G_END_DECLS
