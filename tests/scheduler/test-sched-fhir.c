/* Unit tests of the FHIR R4 views without a server: the status mapping,
 * search parameter parsing and matching, the resource builders checked by
 * the R4 checker, and the checker itself on invalid resources. */
#include <string.h>

#include "fhir-r4-check.h"
#include "hz-sched-fhir.h"
#include "hz-sched-fhir-search.h"
#include "hz-sched-time.h"

/* 2026-03-02T01:00:00Z, 09:00 in Shanghai. */
#define START_UTC G_GINT64_CONSTANT (1772413200)

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_status_mapping (void)
{
  const struct {
    const char *consultation;
    gboolean has_times;
    const char *appointment;
  } cases[] = {
    { "requested", FALSE, "proposed" },
    { "accepted", FALSE, "proposed" },
    { "accepted", TRUE, "pending" },
    { "returned", FALSE, "cancelled" },
    { "scheduled", TRUE, "booked" },
    { "in_progress", TRUE, "arrived" },
    { "completed", TRUE, "fulfilled" },
    { "cancelled", FALSE, "cancelled" },
    { "cancelled", TRUE, "cancelled" },
    { "no_show", TRUE, "noshow" },
    { "scheduled", FALSE, "proposed" },
    { "unknown", TRUE, "entered-in-error" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (hz_fhir_appointment_status (cases[i].consultation, cases[i].has_times),
                     ==, cases[i].appointment);

  g_assert_false (hz_fhir_status_needs_times ("proposed"));
  g_assert_false (hz_fhir_status_needs_times ("cancelled"));
  g_assert_false (hz_fhir_status_needs_times ("waitlist"));
  g_assert_true (hz_fhir_status_needs_times ("pending"));
  g_assert_true (hz_fhir_status_needs_times ("booked"));
  g_assert_true (hz_fhir_status_needs_times ("noshow"));
}

static gint64
utc (const char *text)
{
  gint64 seconds = 0;

  g_assert_true (hz_time_parse_rfc3339 (text, &seconds));
  return seconds;
}

static void
test_date_parse (void)
{
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  const struct {
    const char *text;
    HzFhirCompare compare;
    const char *low;
    const char *high;
  } cases[] = {
    { "2026-03-02", HZ_FHIR_COMPARE_EQ, "2026-03-01T16:00:00Z", "2026-03-02T16:00:00Z" },
    { "ge2026-03", HZ_FHIR_COMPARE_GE, "2026-02-28T16:00:00Z", "2026-03-31T16:00:00Z" },
    { "lt2026", HZ_FHIR_COMPARE_LT, "2025-12-31T16:00:00Z", "2026-12-31T16:00:00Z" },
    { "gt2026-03-02T09:00+08:00", HZ_FHIR_COMPARE_GT, "2026-03-02T01:00:00Z",
      "2026-03-02T01:01:00Z" },
    { "le2026-03-02T09:00:00Z", HZ_FHIR_COMPARE_LE, "2026-03-02T09:00:00Z",
      "2026-03-02T09:00:01Z" },
    { "sa2026-03-02T09:00:00.250-05:00", HZ_FHIR_COMPARE_SA, "2026-03-02T14:00:00Z",
      "2026-03-02T14:00:01Z" },
    { "eb2026-03-02T08:00", HZ_FHIR_COMPARE_EB, "2026-03-02T00:00:00Z",
      "2026-03-02T00:01:00Z" },
    { "ne2024-02-29", HZ_FHIR_COMPARE_NE, "2024-02-28T16:00:00Z", "2024-02-29T16:00:00Z" },
  };
  const char *const invalid[] = {
    "", "abc", "2026-3-2", "2026-13-01", "2026-02-30", "2026-03-02T24:00",
    "2026-03-02T09:60", "2026-03-02+08:00", "ap2026-03-02", "2026-03-02T09:00+15:00",
    "2026-03-02T09:00:00.Z", "2026-03-02T09", "xx2026",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HzFhirDate date;

      g_test_message ("date %s", cases[i].text);
      g_assert_true (hz_fhir_date_parse (cases[i].text, shanghai, &date));
      g_assert_cmpint (date.compare, ==, cases[i].compare);
      g_assert_cmpint (date.low, ==, utc (cases[i].low));
      g_assert_cmpint (date.high, ==, utc (cases[i].high));
    }

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      HzFhirDate date;

      g_test_message ("invalid date %s", invalid[i]);
      g_assert_false (hz_fhir_date_parse (invalid[i], shanghai, &date));
    }
}

/* The date "2026-03-02" is [low, high) = one Shanghai day. */
static void
test_date_matches (void)
{
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  gint64 before = utc ("2026-03-01T15:59:59Z");
  gint64 first = utc ("2026-03-01T16:00:00Z");
  gint64 last = utc ("2026-03-02T15:59:59Z");
  gint64 after = utc ("2026-03-02T16:00:00Z");
  const struct {
    const char *prefix;
    gboolean before, first, last, after;
  } cases[] = {
    { "eq", FALSE, TRUE, TRUE, FALSE },
    { "ne", TRUE, FALSE, FALSE, TRUE },
    { "gt", FALSE, FALSE, FALSE, TRUE },
    { "sa", FALSE, FALSE, FALSE, TRUE },
    { "lt", TRUE, FALSE, FALSE, FALSE },
    { "eb", TRUE, FALSE, FALSE, FALSE },
    { "ge", FALSE, TRUE, TRUE, TRUE },
    { "le", TRUE, TRUE, TRUE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (cases[i].prefix, "2026-03-02", NULL);
      HzFhirDate date;
      gint64 from = G_MININT64, to = G_MAXINT64;

      g_test_message ("prefix %s", cases[i].prefix);
      g_assert_true (hz_fhir_date_parse (text, shanghai, &date));
      g_assert_cmpint (hz_fhir_date_matches (&date, before), ==, cases[i].before);
      g_assert_cmpint (hz_fhir_date_matches (&date, first), ==, cases[i].first);
      g_assert_cmpint (hz_fhir_date_matches (&date, last), ==, cases[i].last);
      g_assert_cmpint (hz_fhir_date_matches (&date, after), ==, cases[i].after);

      /* Narrowing keeps every instant that matches. */
      hz_fhir_date_narrow (&date, &from, &to);
      if (cases[i].first)
        g_assert_true (from <= first && first < to);
      if (cases[i].after)
        g_assert_true (from <= after && after < to);
      if (cases[i].before)
        g_assert_true (from <= before && before < to);
    }
}

static void
test_reference_parse (void)
{
  gint64 id = 0;

  g_assert_true (hz_fhir_reference_parse ("Practitioner/12", "Practitioner", &id));
  g_assert_cmpint (id, ==, 12);
  g_assert_true (hz_fhir_reference_parse ("7", "Practitioner", &id));
  g_assert_cmpint (id, ==, 7);
  g_assert_true (hz_fhir_reference_parse ("http://127.0.0.1:8080/fhir/Schedule/3", "Schedule",
                                          &id));
  g_assert_cmpint (id, ==, 3);

  g_assert_false (hz_fhir_reference_parse ("Patient/12", "Practitioner", &id));
  g_assert_false (hz_fhir_reference_parse ("Practitioner/012", "Practitioner", &id));
  g_assert_false (hz_fhir_reference_parse ("Practitioner/", "Practitioner", &id));
  g_assert_false (hz_fhir_reference_parse ("Practitioner/1/_history/2", "Practitioner", &id));
  g_assert_false (hz_fhir_reference_parse ("0", "Practitioner", &id));
  g_assert_false (hz_fhir_reference_parse ("http://x/fhir/Patient/3", "Schedule", &id));
  g_assert_false (hz_fhir_reference_parse ("", "Schedule", &id));
}

static void
test_query_parse (void)
{
  g_autoptr (GPtrArray) params =
    hz_fhir_query_parse ("actor:Practitioner=Practitioner%2F3&&date=ge2026-03-02T09:00+08:00&x");
  HzFhirParam *param;

  g_assert_nonnull (params);
  g_assert_cmpuint (params->len, ==, 3);

  param = params->pdata[0];
  g_assert_cmpstr (param->name, ==, "actor");
  g_assert_cmpstr (param->modifier, ==, "Practitioner");
  g_assert_cmpstr (param->value, ==, "Practitioner/3");

  param = params->pdata[1];
  g_assert_cmpstr (param->name, ==, "date");
  g_assert_null (param->modifier);
  g_assert_cmpstr (param->value, ==, "ge2026-03-02T09:00+08:00");

  param = params->pdata[2];
  g_assert_cmpstr (param->name, ==, "x");
  g_assert_cmpstr (param->value, ==, "");

  g_assert_null (hz_fhir_query_parse ("date=%zz"));
  g_assert_null (hz_fhir_query_parse ("date=%ff%fe"));
  g_clear_pointer (&params, g_ptr_array_unref);
  params = hz_fhir_query_parse (NULL);
  g_assert_cmpuint (params->len, ==, 0);
}

static void
test_slot_id (void)
{
  g_autofree char *id = hz_fhir_slot_id (3, START_UTC, START_UTC + 1800);
  gint64 expert = 0, start = 0, end = 0;

  g_assert_cmpuint (strlen (id), <=, 64);
  g_assert_true (hz_fhir_slot_id_parse (id, &expert, &start, &end));
  g_assert_cmpint (expert, ==, 3);
  g_assert_cmpint (start, ==, START_UTC);
  g_assert_cmpint (end, ==, START_UTC + 1800);

  g_assert_false (hz_fhir_slot_id_parse ("3-10-5", &expert, &start, &end));
  g_assert_false (hz_fhir_slot_id_parse ("3-10", &expert, &start, &end));
  g_assert_false (hz_fhir_slot_id_parse ("3-a-20", &expert, &start, &end));
  g_assert_false (hz_fhir_slot_id_parse ("03-10-20", &expert, &start, &end));
}

static HzConsultation *
consultation_new (const char *status,
                  gboolean    scheduled)
{
  HzConsultation *consultation = g_new0 (HzConsultation, 1);

  consultation->id = 7;
  consultation->org_id = 2;
  consultation->requester_id = 6;
  consultation->specialty = g_strdup ("心血管内科");
  consultation->patient.ref = g_strdup ("LZ-1");
  consultation->patient.sex = g_strdup ("male");
  consultation->patient.summary = g_strdup ("胸闷三天");
  consultation->question = g_strdup ("是否需要介入治疗？");
  consultation->status = g_strdup (status);
  consultation->expert_id = scheduled ? 3 : 0;
  consultation->session_id = scheduled ? 4 : 0;
  consultation->start_at = scheduled ? START_UTC : HZ_TIME_NONE;
  consultation->end_at = scheduled ? START_UTC + 1800 : HZ_TIME_NONE;
  consultation->created_at = START_UTC - 86400;
  consultation->updated_at = START_UTC - 3600;
  return consultation;
}

static JsonObject *
participant_at (JsonObject *appointment,
                guint       index)
{
  return json_array_get_object_element (
    json_object_get_array_member (appointment, "participant"), index);
}

/* Every workflow status gives a valid Appointment, with start and end
 * exactly when the consultation has a session. */
static void
test_appointment_valid_per_status (void)
{
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  const struct {
    const char *status;
    gboolean scheduled;
    const char *expected;
    const char *consultant_status;
  } cases[] = {
    { "requested", FALSE, "proposed", "needs-action" },
    { "accepted", FALSE, "proposed", "needs-action" },
    { "returned", FALSE, "cancelled", "declined" },
    { "scheduled", TRUE, "booked", "accepted" },
    { "in_progress", TRUE, "arrived", "accepted" },
    { "completed", TRUE, "fulfilled", "accepted" },
    { "cancelled", TRUE, "cancelled", "accepted" },
    { "cancelled", FALSE, "cancelled", "needs-action" },
    { "no_show", TRUE, "noshow", "accepted" },
  };
  HzFhirNames names = { "李医生", "王专家" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (HzConsultation) consultation = consultation_new (cases[i].status,
                                                                  cases[i].scheduled);
      g_autoptr (JsonNode) node = NULL;
      JsonObject *appointment;

      g_test_message ("status %s", cases[i].status);
      consultation->cancel_reason = g_strdup ("患者转院");
      consultation->return_reason = g_strdup ("资料不全");
      node = hz_fhir_appointment (consultation, &names, shanghai, HZ_LANGUAGE_ZH_CN);
      fhir_r4_assert_valid (node);

      appointment = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (appointment, "status"), ==,
                       cases[i].expected);
      g_assert_cmpint (json_object_has_member (appointment, "start"), ==, cases[i].scheduled);
      g_assert_cmpint (json_object_has_member (appointment, "end"), ==, cases[i].scheduled);
      g_assert_cmpstr (json_object_get_string_member (participant_at (appointment, 1), "status"),
                       ==, cases[i].consultant_status);
      g_assert_cmpint (json_object_has_member (appointment, "cancelationReason"), ==,
                       g_str_equal (cases[i].expected, "cancelled"));
    }
}

/* The view carries no patient data: neither the record number nor the
 * summary nor the question. */
static void
test_appointment_without_patient_data (void)
{
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr (HzConsultation) consultation = consultation_new ("scheduled", TRUE);
  HzFhirNames names = { NULL, NULL };
  g_autoptr (JsonNode) node = hz_fhir_appointment (consultation, &names, shanghai,
                                                   HZ_LANGUAGE_ZH_CN);
  g_autofree char *text = json_to_string (node, FALSE);
  JsonObject *appointment = json_node_get_object (node);

  fhir_r4_assert_valid (node);
  g_assert_null (strstr (text, "LZ-1"));
  g_assert_null (strstr (text, "胸闷三天"));
  g_assert_null (strstr (text, "介入治疗"));
  g_assert_cmpstr (json_object_get_string_member (appointment, "start"), ==,
                   "2026-03-02T09:00:00+08:00");
  g_assert_cmpint (json_object_get_int_member (appointment, "minutesDuration"), ==, 30);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (participant_at (appointment, 0), "actor"),
                     "reference"), ==, "Practitioner/6");
}

static void
test_other_resources_valid (void)
{
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  HzUser expert = { .id = 3, .org_id = 1, .name = "王专家", .role = HZ_ROLE_EXPERT,
                    .specialty = "心血管内科", .title = "主任医师" };
  g_autoptr (JsonNode) schedule = hz_fhir_schedule (&expert, HZ_LANGUAGE_ZH_CN);
  g_autoptr (JsonNode) practitioner = hz_fhir_practitioner (&expert);
  g_autoptr (JsonNode) slot = hz_fhir_slot (3, START_UTC, START_UTC + 1800, "busy", shanghai);
  g_autoptr (JsonNode) outcome = hz_fhir_operation_outcome (404, "not_found", "不存在");
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr (GPtrArray) none = g_ptr_array_new ();
  g_autoptr (JsonNode) bundle = NULL;
  g_autoptr (JsonNode) empty = NULL;

  fhir_r4_assert_valid (schedule);
  fhir_r4_assert_valid (practitioner);
  fhir_r4_assert_valid (slot);
  fhir_r4_assert_valid (outcome);

  g_ptr_array_add (entries, json_node_ref (slot));
  g_ptr_array_add (entries, json_node_ref (schedule));
  bundle = hz_fhir_searchset ("http://127.0.0.1:1/fhir", "http://127.0.0.1:1/fhir/Slot?x=1",
                              "http://127.0.0.1:1/fhir/Slot?x=1&_offset=2", 5, entries, shanghai);
  fhir_r4_assert_valid (bundle);

  empty = hz_fhir_searchset ("http://127.0.0.1:1/fhir", "http://127.0.0.1:1/fhir/Slot", NULL, 0,
                             none, shanghai);
  fhir_r4_assert_valid (empty);
  g_assert_false (json_object_has_member (json_node_get_object (empty), "entry"));
}

static void
test_teaching_appointment (void)
{
  g_autoptr (GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  const struct {
    const char *session_status;
    const char *status;
  } cases[] = {
    { "scheduled", "booked" },
    { "cancelled", "cancelled" },
    { "completed", "fulfilled" },
  };
  gint64 session_id = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      HzFhirTeaching teaching = {
        12, "ward_round", "冠心病介入治疗", 3, "王专家", START_UTC, START_UTC + 3600,
        cases[i].session_status, "主讲专家出差", START_UTC - 86400,
      };
      g_autoptr (JsonNode) node = hz_fhir_teaching_appointment (&teaching, shanghai,
                                                                HZ_LANGUAGE_ZH_CN);
      JsonObject *appointment = json_node_get_object (node);

      fhir_r4_assert_valid (node);
      g_assert_cmpstr (json_object_get_string_member (appointment, "id"), ==, "teaching-12");
      g_assert_cmpstr (json_object_get_string_member (appointment, "status"), ==,
                       cases[i].status);
      g_assert_cmpstr (json_object_get_string_member (appointment, "description"), ==,
                       "教学查房：冠心病介入治疗");
      g_assert_cmpint (json_object_has_member (appointment, "cancelationReason"), ==,
                       g_str_equal (cases[i].status, "cancelled"));
    }

  {
    HzFhirTeaching attended = {
      12, "lecture", "冠心病介入治疗", 3, "王专家", START_UTC, START_UTC + 3600, "scheduled",
      NULL, START_UTC - 86400, 9, "学员甲",
    };
    g_autoptr (JsonNode) node = hz_fhir_teaching_appointment (&attended, shanghai,
                                                              HZ_LANGUAGE_ZH_CN);
    JsonArray *participants = json_object_get_array_member (json_node_get_object (node),
                                                            "participant");
    JsonObject *attendee;

    fhir_r4_assert_valid (node);
    g_assert_cmpuint (json_array_get_length (participants), ==, 2);
    attendee = json_array_get_object_element (participants, 1);
    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (attendee, "actor"), "reference"),
                     ==, "Practitioner/9");
    g_assert_cmpstr (json_object_get_string_member (attendee, "required"), ==, "optional");
    g_assert_cmpstr (json_object_get_string_member (attendee, "status"), ==, "accepted");
  }

  g_assert_true (hz_fhir_teaching_id_parse ("teaching-12", &session_id));
  g_assert_cmpint (session_id, ==, 12);
  g_assert_false (hz_fhir_teaching_id_parse ("teaching-012", &session_id));
  g_assert_false (hz_fhir_teaching_id_parse ("teaching-", &session_id));
  g_assert_false (hz_fhir_teaching_id_parse ("12", &session_id));
}

/* The checker finds each broken rule, so the integration tests that rely
 * on it can fail. */
static void
test_checker_rejects (void)
{
  const struct {
    const char *json;
    const char *rule;
  } cases[] = {
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"booked\","
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\"}]}",
      "app-3" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\","
      "\"start\":\"2026-03-02T09:00:00+08:00\","
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\"}]}",
      "app-2" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\","
      "\"cancelationReason\":{\"text\":\"x\"},"
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\"}]}",
      "app-4" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\","
      "\"participant\":[{\"status\":\"accepted\"}]}", "app-1" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\","
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"}}]}", "'status' is required" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"in-progress\","
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\"}]}",
      "value set" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\","
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\","
      "\"required\":\"yes\"}]}", "value set" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\"}",
      "'participant' is required" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"booked\","
      "\"start\":\"2026-03-02T09:00:00\",\"end\":\"2026-03-02T09:30:00+08:00\","
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\"}]}",
      "instant" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\","
      "\"cancellationReason\":{\"text\":\"x\"},"
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\"}]}",
      "unknown element" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\",\"comment\":null,"
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\"}]}",
      "null" },
    { "{\"resourceType\":\"Appointment\",\"id\":\"1\",\"status\":\"proposed\",\"specialty\":[],"
      "\"participant\":[{\"actor\":{\"reference\":\"Practitioner/1\"},\"status\":\"accepted\"}]}",
      "empty array" },
    { "{\"resourceType\":\"Slot\",\"id\":\"a_b\",\"status\":\"free\","
      "\"start\":\"2026-03-02T09:00:00Z\",\"end\":\"2026-03-02T09:30:00Z\"}",
      "'schedule' is required" },
    { "{\"resourceType\":\"Slot\",\"id\":\"a\",\"schedule\":{\"reference\":\"Schedule/1\"},"
      "\"status\":\"free\",\"start\":\"2026-03-02T09:30:00Z\",\"end\":\"2026-03-02T09:00:00Z\"}",
      "not before end" },
    { "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"total\":0}", "bdl-1" },
    { "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[{\"fullUrl\":"
      "\"http://x/fhir/Schedule/1\",\"resource\":{\"resourceType\":\"Schedule\",\"id\":\"1\","
      "\"actor\":[{\"reference\":\"Practitioner/1\"}]},\"search\":{\"mode\":\"match\"}}]}",
      "bdl-2" },
    { "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":2,\"entry\":["
      "{\"fullUrl\":\"http://x/fhir/Schedule/1\",\"resource\":{\"resourceType\":\"Schedule\","
      "\"id\":\"1\",\"actor\":[{\"reference\":\"Practitioner/1\"}]}},"
      "{\"fullUrl\":\"http://x/fhir/Schedule/1\",\"resource\":{\"resourceType\":\"Schedule\","
      "\"id\":\"1\",\"actor\":[{\"reference\":\"Practitioner/1\"}]}}]}", "bdl-7" },
    { "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":1,\"entry\":["
      "{\"fullUrl\":\"http://x/fhir/Schedule/2\",\"resource\":{\"resourceType\":\"Schedule\","
      "\"id\":\"1\",\"actor\":[{\"reference\":\"Practitioner/1\"}]}}]}", "does not end in" },
    { "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
      "\"code\":\"not_found\"}]}", "value set" },
    { "{\"resourceType\":\"Patient\",\"id\":\"1\"}", "not one that this checker knows" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) node = parse_json (cases[i].json);
      g_autofree char *problems = fhir_r4_check (node);

      g_test_message ("case %" G_GSIZE_FORMAT ": expect %s", i, cases[i].rule);
      g_assert_nonnull (problems);
      g_assert_nonnull (strstr (problems, cases[i].rule));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fhir/status/mapping", test_status_mapping);
  g_test_add_func ("/fhir/search/date-parse", test_date_parse);
  g_test_add_func ("/fhir/search/date-matches", test_date_matches);
  g_test_add_func ("/fhir/search/reference-parse", test_reference_parse);
  g_test_add_func ("/fhir/search/query-parse", test_query_parse);
  g_test_add_func ("/fhir/slot/id", test_slot_id);
  g_test_add_func ("/fhir/appointment/valid-per-status", test_appointment_valid_per_status);
  g_test_add_func ("/fhir/appointment/no-patient-data", test_appointment_without_patient_data);
  g_test_add_func ("/fhir/appointment/teaching", test_teaching_appointment);
  g_test_add_func ("/fhir/resources/valid", test_other_resources_valid);
  g_test_add_func ("/fhir/checker/rejects-invalid", test_checker_rejects);

  return g_test_run ();
}
