/* iCalendar (RFC 5545) feeds of a user's sessions, written with libical.
 *
 * The writer takes plain records, so it runs without a database and the
 * unit tests check its output directly. Events carry no patient data: the
 * summary names only the kind of session and the specialty or title.
 */
#pragma once

#include <glib.h>

#include "hz-sched-errors.h"

G_BEGIN_DECLS

/* One session in a feed. The strings are owned by the event. */
typedef struct {
  gint64 session_id;     /* the UID is "session-ID@huizhen" */
  char *kind;            /* "consultation", or a teaching kind such as "ward_round" */
  gint64 object_id;      /* the consultation or teaching session the session belongs to */
  char *subject;         /* the specialty of a consultation, the title of a teaching session */
  char *host_name;       /* the expert or presenter; NULL while nobody is assigned */
  char *org_name;        /* the requesting hospital, or the presenter's hospital */
  gint64 organizer_id;   /* the expert, the requesting doctor while no expert is assigned, or the presenter */
  char *organizer_name;
  gint64 start_at;       /* UTC Unix seconds */
  gint64 end_at;
  gboolean cancelled;
  gint64 sequence;       /* iCalendar SEQUENCE of this user's copy of the event */
} HzCalendarEvent;

void hz_calendar_event_free (HzCalendarEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzCalendarEvent, hz_calendar_event_free)

/* The name of a session kind ("consultation", "ward_round",
 * "surgical_demo", "lecture") as clinicians read it, e.g. "教学查房";
 * other kinds are "教学活动" (teaching session). */
const char *hz_session_kind_label (const char *kind,
                                   HzLanguage  language);

/* The UID of SESSION_ID's event; the same on every fetch. */
char *hz_ical_event_uid (gint64 session_id);

/* The summary, e.g. "远程会诊：心血管内科" or "Remote consultation: Cardiology". */
char *hz_ical_event_summary (const HzCalendarEvent *event,
                             HzLanguage             language);

/* Writes a VCALENDAR with METHOD:PUBLISH and one VEVENT per element of
 * EVENTS (HzCalendarEvent). Times are in UTC, DTSTAMP is NOW (Unix
 * seconds) and text is in LANGUAGE. Each event's ORGANIZER is the URI
 * ORGANIZER_BASE followed by its organizer_id, with CN set to the
 * organizer's name. Lines end in CRLF and are folded at 75 octets, never
 * inside a UTF-8 sequence. */
char *hz_ical_write_feed (GPtrArray  *events,
                          HzLanguage  language,
                          gint64      now,
                          const char *organizer_base);

/* Returns iCalendar TEXT unfolded and folded again at 75 octets, never
 * inside a UTF-8 sequence, with every line ending in CRLF. */
char *hz_ical_refold (const char *text);

G_END_DECLS
