/* Unit tests of the iCalendar writer: folding by octets without splitting
 * UTF-8, round trips through libical's parser, and the properties that
 * calendar clients rely on. */
#include <libical/ical.h>
#include <string.h>

#include "hz-sched-ical.h"

/* 2026-03-02T01:00:00Z, 09:00 in Shanghai. */
#define START_UTC G_GINT64_CONSTANT (1772413200)
#define NOW_UTC G_GINT64_CONSTANT (1772000000)
#define ORGANIZER_BASE "https://huizhen.example.org/fhir/Practitioner/"

static HzCalendarEvent *
event_new (const char *subject)
{
  HzCalendarEvent *event = g_new0 (HzCalendarEvent, 1);

  event->session_id = 42;
  event->kind = g_strdup ("consultation");
  event->object_id = 7;
  event->subject = g_strdup (subject);
  event->host_name = g_strdup ("王专家");
  event->org_name = g_strdup ("双柏县人民医院");
  event->organizer_id = 5;
  event->organizer_name = g_strdup ("王专家");
  event->start_at = START_UTC;
  event->end_at = START_UTC + 1800;
  event->sequence = 0;
  return event;
}

static char *
write_one (HzCalendarEvent *event,
           HzLanguage       language)
{
  g_autoptr (GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) hz_calendar_event_free);

  g_ptr_array_add (events, event);
  return hz_ical_write_feed (events, language, NOW_UTC, ORGANIZER_BASE);
}

/* Checks RFC 5545 section 3.1 on TEXT: CRLF line ends, at most 75 octets a
 * line, and no fold inside a UTF-8 sequence (every physical line, without
 * the fold's leading space, is valid UTF-8 on its own). Returns the number
 * of physical lines. */
static guint
assert_folded_by_octets (const char *text)
{
  g_auto (GStrv) lines = NULL;
  guint count = 0;

  g_assert_true (g_str_has_suffix (text, "\r\n"));
  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    g_assert_cmpint (p[-1], ==, '\r');

  lines = g_strsplit (text, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *content = lines[i][0] == ' ' ? lines[i] + 1 : lines[i];

      g_assert_cmpuint (strlen (lines[i]), <=, 75);
      g_assert_null (strchr (lines[i], '\n'));
      g_assert_null (strchr (lines[i], '\r'));
      g_assert_true (g_utf8_validate (content, -1, NULL));
      g_assert_false (((guchar) content[0] & 0xc0) == 0x80);
      count++;
    }

  return count;
}

static icalcomponent *
parse_single_event (const char *text)
{
  icalcomponent *calendar = icalparser_parse_string (text);
  icalcomponent *event;

  g_assert_nonnull (calendar);
  g_assert_cmpint (icalcomponent_isa (calendar), ==, ICAL_VCALENDAR_COMPONENT);
  event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
  g_assert_nonnull (event);
  g_assert_null (icalcomponent_get_next_component (calendar, ICAL_VEVENT_COMPONENT));
  return calendar;
}

static void
check_round_trip (const char *subject)
{
  g_autoptr (HzCalendarEvent) probe = event_new (subject);
  g_autofree char *expected = hz_ical_event_summary (probe, HZ_LANGUAGE_ZH_CN);
  g_autofree char *text = write_one (event_new (subject), HZ_LANGUAGE_ZH_CN);
  icalcomponent *calendar;
  icalcomponent *event;

  assert_folded_by_octets (text);
  calendar = parse_single_event (text);
  event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
  g_assert_cmpstr (icalcomponent_get_summary (event), ==, expected);
  icalcomponent_free (calendar);
}

/* Characters of 1, 2, 3 and 4 octets after 0 to 7 ASCII octets, in
 * summaries of 1 to 99 characters, put every character boundary at every
 * possible fold position. */
static void
test_fold_every_offset (void)
{
  const char *const characters[] = { "a", "é", "远", "😀" };

  for (gsize c = 0; c < G_N_ELEMENTS (characters); c++)
    for (int prefix = 0; prefix < 8; prefix++)
      for (int length = 1; length < 100; length++)
        {
          g_autoptr (GString) subject = g_string_new (NULL);

          for (int i = 0; i < prefix; i++)
            g_string_append_c (subject, 'x');
          for (int i = 0; i < length; i++)
            g_string_append (subject, characters[c]);
          check_round_trip (subject->str);
        }
}

/* The summary "远程会诊：" followed by 36 Han characters has 40 Han
 * characters, 123 octets: it must fold, and parse back identically. */
static void
test_fold_forty_han_summary (void)
{
  const char *han = "心血管内科神经外科消化内科呼吸内科肾脏内科内分泌科血液科风湿免疫科感染科";
  g_autofree char *subject = g_utf8_substring (han, 0, 36);
  g_autoptr (HzCalendarEvent) probe = event_new (subject);
  g_autofree char *summary = hz_ical_event_summary (probe, HZ_LANGUAGE_ZH_CN);
  g_autofree char *text = write_one (event_new (subject), HZ_LANGUAGE_ZH_CN);
  g_autofree char *summary_line = g_strconcat ("SUMMARY:", summary, NULL);
  const char *at = strstr (text, "SUMMARY:");
  icalcomponent *calendar;

  g_assert_cmpuint (g_utf8_strlen (subject, -1), ==, 36);
  g_assert_cmpuint (strlen (summary_line), >, 75);

  /* The summary's content line continues on a folded line. */
  g_assert_nonnull (at);
  g_assert_nonnull (strstr (at, "\r\n "));
  g_assert_cmpuint (assert_folded_by_octets (text), >, 10);

  calendar = parse_single_event (text);
  g_assert_cmpstr (icalcomponent_get_summary (
                     icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT)),
                   ==, summary);
  icalcomponent_free (calendar);
}

/* libical 3.0.16 splits the CRLF of a property whose last line is exactly
 * 75 octets long, and the writer repairs it. Here that line is a space,
 * the 15 octets of "远程会诊：" and 58 more. */
static void
test_fold_line_of_75_octets (void)
{
  g_autofree char *subject = g_strnfill (58, 'a');
  g_autofree char *text = write_one (event_new (subject), HZ_LANGUAGE_ZH_CN);

  assert_folded_by_octets (text);
  g_assert_null (strstr (text, "\r\r"));
  check_round_trip (subject);
}

static void
test_refold (void)
{
  g_autofree char *repaired = hz_ical_refold ("SUMMARY:\r\n aaaa\r\r\n \nUID:x\r\n");
  g_autofree char *long_line = g_strconcat ("DESCRIPTION:", "远远远远远远远远远远远远远远远远远远远远远远远远远",
                                            "\r\n", NULL);
  g_autofree char *folded = hz_ical_refold (long_line);

  g_assert_cmpstr (repaired, ==, "SUMMARY:aaaa\r\nUID:x\r\n");

  /* 12 + 75 octets: 63 octets of 21 characters fit the first line. */
  g_assert_cmpstr (folded, ==,
                   "DESCRIPTION:远远远远远远远远远远远远远远远远远远远远远\r\n 远远远远\r\n");
}

static void
test_event_properties (void)
{
  g_autofree char *text = write_one (event_new ("心血管内科"), HZ_LANGUAGE_ZH_CN);
  icalcomponent *calendar = parse_single_event (text);
  icalcomponent *event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
  struct icaltimetype start = icalcomponent_get_dtstart (event);
  struct icaltimetype end = icalcomponent_get_dtend (event);

  g_assert_true (g_str_has_prefix (text, "BEGIN:VCALENDAR\r\n"));
  g_assert_nonnull (strstr (text, "\r\nVERSION:2.0\r\n"));
  g_assert_nonnull (strstr (text, "\r\nPRODID:"));
  g_assert_nonnull (strstr (text, "\r\nDTSTART:20260302T010000Z\r\n"));
  g_assert_nonnull (strstr (text, "\r\nDTEND:20260302T013000Z\r\n"));
  g_assert_nonnull (strstr (text, "\r\nDTSTAMP:"));

  g_assert_cmpstr (icalcomponent_get_uid (event), ==, "session-42@huizhen");
  g_assert_cmpstr (icalcomponent_get_summary (event), ==, "远程会诊：心血管内科");
  g_assert_true (icaltime_is_utc (start));
  g_assert_cmpint (icaltime_as_timet (start), ==, START_UTC);
  g_assert_cmpint (icaltime_as_timet (end), ==, START_UTC + 1800);
  g_assert_cmpint (icalcomponent_get_status (event), ==, ICAL_STATUS_CONFIRMED);
  g_assert_cmpint (icalcomponent_get_sequence (event), ==, 0);
  icalcomponent_free (calendar);
}

static void
test_cancelled_event (void)
{
  HzCalendarEvent *cancelled = event_new ("心血管内科");
  g_autofree char *text = NULL;
  icalcomponent *calendar;
  icalcomponent *event;

  cancelled->cancelled = TRUE;
  cancelled->sequence = 3;
  text = write_one (cancelled, HZ_LANGUAGE_ZH_CN);
  calendar = parse_single_event (text);
  event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);

  g_assert_cmpint (icalcomponent_get_status (event), ==, ICAL_STATUS_CANCELLED);
  g_assert_cmpint (icalcomponent_get_sequence (event), ==, 3);
  g_assert_nonnull (strstr (text, "\r\nTRANSP:TRANSPARENT\r\n"));
  g_assert_cmpstr (icalcomponent_get_uid (event), ==, "session-42@huizhen");
  icalcomponent_free (calendar);
}

/* Control characters cannot appear in TEXT values; the writer replaces
 * them, and commas, semicolons and backslashes survive escaping. */
static void
test_text_escaping (void)
{
  g_autofree char *text = write_one (event_new ("内科\x01,a;b\\c\rd"), HZ_LANGUAGE_ZH_CN);
  icalcomponent *calendar = parse_single_event (text);
  icalcomponent *event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);

  g_assert_null (strchr (text, '\x01'));
  g_assert_cmpstr (icalcomponent_get_summary (event), ==, "远程会诊：内科 ,a;b\\c d");
  icalcomponent_free (calendar);
}

static void
test_english_feed (void)
{
  g_autofree char *text = write_one (event_new ("Cardiology"), HZ_LANGUAGE_EN);
  icalcomponent *calendar = parse_single_event (text);
  icalcomponent *event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);

  g_assert_cmpstr (icalcomponent_get_summary (event), ==, "Remote consultation: Cardiology");
  g_assert_nonnull (strstr (icalcomponent_get_description (event), "Expert: 王专家"));
  icalcomponent_free (calendar);
}

static void
test_teaching_summary (void)
{
  g_autoptr (HzCalendarEvent) event = event_new ("冠心病介入治疗");
  g_autofree char *summary = NULL;

  g_free (event->kind);
  event->kind = g_strdup ("ward_round");
  summary = hz_ical_event_summary (event, HZ_LANGUAGE_ZH_CN);
  g_assert_cmpstr (summary, ==, "教学查房：冠心病介入治疗");
}

/* RFC 5546 (section 3.2.1) requires ORGANIZER in a VEVENT of a
 * METHOD:PUBLISH calendar, and libical checks its table of that section.
 * The organizer is a URI with the person's name as CN. */
static void
test_publish_organizer (void)
{
  g_autofree char *text = write_one (event_new ("心血管内科"), HZ_LANGUAGE_ZH_CN);
  icalcomponent *calendar = parse_single_event (text);
  icalcomponent *event = icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT);
  icalproperty *method = icalcomponent_get_first_property (calendar, ICAL_METHOD_PROPERTY);
  icalproperty *organizer = icalcomponent_get_first_property (event, ICAL_ORGANIZER_PROPERTY);
  icalparameter *name;

  g_assert_nonnull (method);
  g_assert_cmpint (icalproperty_get_method (method), ==, ICAL_METHOD_PUBLISH);
  g_assert_nonnull (organizer);
  g_assert_cmpstr (icalproperty_get_organizer (organizer), ==, ORGANIZER_BASE "5");
  name = icalproperty_get_first_parameter (organizer, ICAL_CN_PARAMETER);
  g_assert_nonnull (name);
  g_assert_cmpstr (icalparameter_get_cn (name), ==, "王专家");

  g_assert_cmpint (icalcomponent_check_restrictions (calendar), ==, 1);
  g_assert_cmpint (icalcomponent_count_errors (calendar), ==, 0);
  icalcomponent_free (calendar);
}

/* A name with a colon, a semicolon, a comma and a double quote stays one
 * valid CN parameter: libical quotes it, and the double quote, which a
 * parameter value cannot contain, becomes an apostrophe. */
static void
test_organizer_name_quoting (void)
{
  HzCalendarEvent *source = event_new ("心血管内科");
  g_autofree char *text = NULL;
  icalcomponent *calendar;
  icalproperty *organizer;

  g_free (source->organizer_name);
  source->organizer_name = g_strdup ("Li: \"Jr\"; MD, PhD");
  text = write_one (source, HZ_LANGUAGE_EN);
  calendar = parse_single_event (text);
  organizer = icalcomponent_get_first_property (
    icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT), ICAL_ORGANIZER_PROPERTY);

  g_assert_cmpstr (icalproperty_get_organizer (organizer), ==, ORGANIZER_BASE "5");
  g_assert_cmpstr (icalparameter_get_cn (
                     icalproperty_get_first_parameter (organizer, ICAL_CN_PARAMETER)),
                   ==, "Li: 'Jr'; MD, PhD");
  icalcomponent_free (calendar);
}

static void
test_empty_feed (void)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new ();
  g_autofree char *text = hz_ical_write_feed (events, HZ_LANGUAGE_ZH_CN, NOW_UTC,
                                              ORGANIZER_BASE);
  icalcomponent *calendar = icalparser_parse_string (text);
  icalcomponent *zone;

  g_assert_nonnull (calendar);
  g_assert_null (icalcomponent_get_first_component (calendar, ICAL_VEVENT_COMPONENT));
  g_assert_nonnull (strstr (text, "\r\nVERSION:2.0\r\n"));

  /* RFC 5545 requires at least one component in a calendar, so an empty
   * feed carries the definition of UTC. */
  zone = icalcomponent_get_first_component (calendar, ICAL_VTIMEZONE_COMPONENT);
  g_assert_nonnull (zone);
  g_assert_cmpstr (icalproperty_get_tzid (
    icalcomponent_get_first_property (zone, ICAL_TZID_PROPERTY)), ==, "UTC");
  g_assert_nonnull (icalcomponent_get_first_component (zone, ICAL_XSTANDARD_COMPONENT));
  g_assert_cmpint (icalcomponent_check_restrictions (calendar), ==, 1);
  g_assert_cmpint (icalcomponent_count_errors (calendar), ==, 0);
  icalcomponent_free (calendar);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ical/fold/every-offset", test_fold_every_offset);
  g_test_add_func ("/ical/fold/forty-han-summary", test_fold_forty_han_summary);
  g_test_add_func ("/ical/fold/line-of-75-octets", test_fold_line_of_75_octets);
  g_test_add_func ("/ical/fold/refold", test_refold);
  g_test_add_func ("/ical/event/properties", test_event_properties);
  g_test_add_func ("/ical/event/cancelled", test_cancelled_event);
  g_test_add_func ("/ical/event/text-escaping", test_text_escaping);
  g_test_add_func ("/ical/event/english", test_english_feed);
  g_test_add_func ("/ical/event/teaching-summary", test_teaching_summary);
  g_test_add_func ("/ical/event/publish-organizer", test_publish_organizer);
  g_test_add_func ("/ical/event/organizer-name-quoting", test_organizer_name_quoting);
  g_test_add_func ("/ical/feed/empty", test_empty_feed);

  return g_test_run ();
}
