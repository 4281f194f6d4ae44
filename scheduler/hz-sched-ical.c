#include "hz-sched-ical.h"

#include <libical/ical.h>
#include <stdlib.h>

/* The polling interval that the feed suggests to calendar clients (RFC
 * 7986 REFRESH-INTERVAL, and X-PUBLISHED-TTL for Outlook). */
#define REFRESH_MINUTES 15

#define PRODUCT_ID "-//Huizhen//huizhen-scheduler//ZH"

void
hz_calendar_event_free (HzCalendarEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->kind);
  g_free (event->subject);
  g_free (event->host_name);
  g_free (event->org_name);
  g_free (event->organizer_name);
  g_free (event);
}

char *
hz_ical_event_uid (gint64 session_id)
{
  return g_strdup_printf ("session-%" G_GINT64_FORMAT "@huizhen", session_id);
}

typedef struct {
  const char *kind;
  const char *label_zh;
  const char *label_en;
} KindLabel;

static const KindLabel kind_labels[] = {
  { "consultation", "远程会诊", "Remote consultation" },
  { "ward_round", "教学查房", "Teaching ward round" },
  { "surgical_demo", "手术示教", "Surgical demonstration" },
  { "lecture", "专题讲座", "Lecture" },
};

const char *
hz_session_kind_label (const char *kind,
                       HzLanguage  language)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kind_labels); i++)
    {
      if (g_strcmp0 (kind, kind_labels[i].kind) == 0)
        return language == HZ_LANGUAGE_EN ? kind_labels[i].label_en : kind_labels[i].label_zh;
    }

  return language == HZ_LANGUAGE_EN ? "Teaching session" : "教学活动";
}

static gboolean
is_consultation (const HzCalendarEvent *event)
{
  return g_strcmp0 (event->kind, "consultation") == 0;
}

/* Replaces what an iCalendar TEXT value must not contain: invalid UTF-8,
 * and control characters other than tab and line feed (RFC 5545, section
 * 3.3.11). libical escapes line feeds, commas, semicolons and backslashes
 * itself. */
static char *
clean_text (const char *text)
{
  char *clean = g_utf8_make_valid (text != NULL ? text : "", -1);

  for (char *p = clean; *p != '\0'; p++)
    {
      if ((*p > 0 && *p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
        *p = ' ';
    }

  return clean;
}

char *
hz_ical_event_summary (const HzCalendarEvent *event,
                       HzLanguage             language)
{
  const char *label = hz_session_kind_label (event->kind, language);
  const char *separator = language == HZ_LANGUAGE_EN ? ": " : "：";
  g_autofree char *subject = clean_text (event->subject);

  if (*subject == '\0')
    return g_strdup (label);
  return g_strconcat (label, separator, subject, NULL);
}

static char *
event_description (const HzCalendarEvent *event,
                   HzLanguage             language)
{
  g_autofree char *host = clean_text (event->host_name);
  g_autofree char *org = clean_text (event->org_name);
  gboolean english = language == HZ_LANGUAGE_EN;

  if (*host == '\0')
    {
      g_free (host);
      host = g_strdup (english ? "to be assigned" : "待定");
    }

  if (is_consultation (event))
    return english
      ? g_strdup_printf ("Expert: %s\nRequesting hospital: %s\nConsultation no. %" G_GINT64_FORMAT,
                         host, org, event->object_id)
      : g_strdup_printf ("会诊专家：%s\n申请医院：%s\n会诊编号：%" G_GINT64_FORMAT,
                         host, org, event->object_id);

  return english
    ? g_strdup_printf ("Presenter: %s\nHost hospital: %s", host, org)
    : g_strdup_printf ("主讲：%s\n主办医院：%s", host, org);
}

/* RFC 5546 (section 3.2.1) requires ORGANIZER in every VEVENT of a
 * METHOD:PUBLISH calendar. Users have no e-mail address, so the
 * CAL-ADDRESS is the URL of the organizer's FHIR Practitioner view, and CN
 * is their name. A parameter value cannot contain a DQUOTE or a control
 * character (RFC 5545, section 3.1), so a double quote in a name becomes
 * an apostrophe and a tab or line feed a space. */
static icalproperty *
new_organizer (const HzCalendarEvent *event,
               const char            *organizer_base)
{
  g_autofree char *uri = g_strdup_printf ("%s%" G_GINT64_FORMAT, organizer_base,
                                          event->organizer_id);
  g_autofree char *name = clean_text (event->organizer_name);
  icalproperty *organizer = icalproperty_new_organizer (uri);

  g_strdelimit (name, "\t\n", ' ');
  g_strdelimit (name, "\"", '\'');
  if (*name != '\0')
    icalproperty_add_parameter (organizer, icalparameter_new_cn (name));
  return organizer;
}

static struct icaltimetype
utc_time (gint64 unix_seconds)
{
  return icaltime_from_timet_with_zone ((time_t) unix_seconds, 0,
                                        icaltimezone_get_utc_timezone ());
}

static icalcomponent *
build_event (const HzCalendarEvent *event,
             HzLanguage             language,
             gint64                 now,
             const char            *organizer_base)
{
  icalcomponent *vevent = icalcomponent_new_vevent ();
  g_autofree char *uid = hz_ical_event_uid (event->session_id);
  g_autofree char *summary = hz_ical_event_summary (event, language);
  g_autofree char *description = event_description (event, language);

  icalcomponent_add_property (vevent, icalproperty_new_uid (uid));
  icalcomponent_add_property (vevent, icalproperty_new_dtstamp (utc_time (now)));
  icalcomponent_add_property (vevent, icalproperty_new_dtstart (utc_time (event->start_at)));
  icalcomponent_add_property (vevent, icalproperty_new_dtend (utc_time (event->end_at)));
  icalcomponent_add_property (vevent, icalproperty_new_summary (summary));
  icalcomponent_add_property (vevent, icalproperty_new_description (description));
  icalcomponent_add_property (vevent, new_organizer (event, organizer_base));
  icalcomponent_add_property (vevent, icalproperty_new_sequence (
    (int) CLAMP (event->sequence, 0, G_MAXINT)));

  /* A cancelled event stays in the feed, so that clients which stored it
   * mark it cancelled; TRANSPARENT frees its time in free/busy views. */
  icalcomponent_add_property (vevent, icalproperty_new_status (
    event->cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
  icalcomponent_add_property (vevent, icalproperty_new_transp (
    event->cancelled ? ICAL_TRANSP_TRANSPARENT : ICAL_TRANSP_OPAQUE));

  return vevent;
}

/* Builds the definition of UTC, the zone of every time in the feed. A feed
 * without sessions carries it, because RFC 5545 (section 3.6) requires at
 * least one component in a calendar. */
static icalcomponent *
build_utc_timezone (void)
{
  icalcomponent *zone = icalcomponent_new_vtimezone ();
  icalcomponent *standard = icalcomponent_new_xstandard ();

  icalcomponent_add_property (standard, icalproperty_new_dtstart (
    icaltime_from_string ("19700101T000000")));
  icalcomponent_add_property (standard, icalproperty_new_tzoffsetfrom (0));
  icalcomponent_add_property (standard, icalproperty_new_tzoffsetto (0));
  icalcomponent_add_property (standard, icalproperty_new_tzname ("UTC"));

  icalcomponent_add_property (zone, icalproperty_new_tzid ("UTC"));
  icalcomponent_add_component (zone, standard);
  return zone;
}

static icalproperty *
new_x_property (const char *name,
                const char *value)
{
  icalproperty *property = icalproperty_new_x (value);

  icalproperty_set_x_name (property, name);
  return property;
}

static icalproperty *
new_refresh_interval (void)
{
  struct icaldurationtype interval = icaldurationtype_null_duration ();
  icalproperty *property;

  interval.minutes = REFRESH_MINUTES;
  property = icalproperty_new_refreshinterval (interval);
  /* RFC 7986 requires the VALUE parameter on REFRESH-INTERVAL. */
  icalproperty_add_parameter (property, icalparameter_new_value (ICAL_VALUE_DURATION));
  return property;
}

static icalcomponent *
build_calendar (HzLanguage language)
{
  icalcomponent *calendar = icalcomponent_new_vcalendar ();
  g_autofree char *ttl = g_strdup_printf ("PT%dM", REFRESH_MINUTES);

  icalcomponent_add_property (calendar, icalproperty_new_prodid (PRODUCT_ID));
  icalcomponent_add_property (calendar, icalproperty_new_version ("2.0"));
  icalcomponent_add_property (calendar, icalproperty_new_calscale ("GREGORIAN"));
  icalcomponent_add_property (calendar, icalproperty_new_method (ICAL_METHOD_PUBLISH));
  icalcomponent_add_property (calendar, new_x_property (
    "X-WR-CALNAME", language == HZ_LANGUAGE_EN ? "Huizhen sessions" : "会诊日程"));
  icalcomponent_add_property (calendar, new_refresh_interval ());
  icalcomponent_add_property (calendar, new_x_property ("X-PUBLISHED-TTL", ttl));
  return calendar;
}

/* Appends LINE (one unfolded content line) folded at 75 octets, moving
 * each fold back to the start of a UTF-8 character (RFC 5545, section
 * 3.1). A continuation line is a space and at most 74 octets. */
static void
append_folded_line (GString    *output,
                    const char *line)
{
  gsize length = strlen (line);
  gsize start = 0;
  gsize limit = 75;

  while (length - start > limit)
    {
      gsize end = start + limit;

      while (end > start && ((guchar) line[end] & 0xc0) == 0x80)
        end--;
      /* Only text that is not UTF-8 has no character start in reach. */
      if (end == start)
        end = start + limit;
      g_string_append_len (output, line + start, (gssize) (end - start));
      g_string_append (output, "\r\n ");
      start = end;
      limit = 74;
    }

  g_string_append (output, line + start);
  g_string_append (output, "\r\n");
}

char *
hz_ical_refold (const char *text)
{
  g_autoptr (GString) unfolded = g_string_new (NULL);
  g_autoptr (GString) output = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  /* Values are escaped, so a line break followed by a space or a tab is
   * always a fold. */
  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t'))
        p += 2;
      else
        g_string_append_c (unfolded, *p);
    }

  lines = g_strsplit (unfolded->str, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] != '\0')
        append_folded_line (output, lines[i]);
    }

  return g_string_free (g_steal_pointer (&output), FALSE);
}

char *
hz_ical_write_feed (GPtrArray  *events,
                    HzLanguage  language,
                    gint64      now,
                    const char *organizer_base)
{
  icalcomponent *calendar = build_calendar (language);
  char *text;
  char *refolded;

  for (guint i = 0; i < events->len; i++)
    icalcomponent_add_component (calendar, build_event (events->pdata[i], language, now,
                                                            organizer_base));
  if (events->len == 0)
    icalcomponent_add_component (calendar, build_utc_timezone ());

  /* libical 3.0.16 folds each property's text with its CRLF included, so
   * a property whose last line is exactly 75 octets long comes out as
   * "...\r" "\r\n " "\n": the fold splits the line break. Its folds do
   * keep UTF-8 sequences whole, but the text is unfolded and folded again
   * here to repair the line breaks. test-sched-ical checks the result for
   * characters of 1 to 4 octets at every offset. */
  text = icalcomponent_as_ical_string_r (calendar);
  icalcomponent_free (calendar);

  refolded = hz_ical_refold (text);
  free (text);
  return refolded;
}
