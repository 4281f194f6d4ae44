/* Role isolation over HTTP: a table of role × endpoint → expected status
 * and code, and the role-filtered consultation list checked against what
 * each role may read one by one. */
#include <gio/gio.h>
#include <string.h>

#include "hz-test-daemons.h"
#include "sched-test-http.h"

#define FIRST_SLOT_OFFSET (3 * 24 * 3600)

typedef enum {
  ADMIN,
  COORD_D,         /* coordinator of the district hospital the requests go to */
  COORD_D2,        /* coordinator of another district hospital */
  EXPERT,          /* the expert assigned to consultation X */
  EXPERT_OTHER,    /* another expert of the same district hospital */
  DOCTOR,          /* the county doctor who requested X and Y */
  COLLEAGUE,       /* another doctor of the same county hospital */
  COORD_C,         /* coordinator of that county hospital */
  TRAINEE,         /* trainee of that county hospital */
  DOCTOR_C2,       /* doctor of another county hospital, who requested Z */
  COORD_C2,        /* coordinator of that other county hospital */
  ANONYMOUS,
  ROLE_COUNT,
} Role;

static const char *const role_names[ROLE_COUNT] = {
  "admin", "district coordinator", "other district coordinator", "assigned expert",
  "other expert", "requesting doctor", "colleague doctor", "county coordinator", "trainee",
  "other county doctor", "other county coordinator", "anonymous",
};

typedef struct {
  HzTestDaemons *daemons;
  char *keys[ROLE_COUNT];
  gint64 ids[ROLE_COUNT];
  gint64 district_id;
  gint64 county_id;
  gint64 x;          /* scheduled with EXPERT, with a draft report */
  gint64 y;          /* requested, addressed to the district hospital */
  gint64 z;          /* requested by DOCTOR_C2, addressed to no hospital */
  gint64 session_x;
} Fixture;

static void
create_users (Fixture *fixture)
{
  HzTestDaemons *daemons = fixture->daemons;
  gint64 district = sched_create_org (daemons, "杨浦区中心医院", "district");
  gint64 district2 = sched_create_org (daemons, "徐汇区中心医院", "district");
  gint64 county = sched_create_org (daemons, "双柏县人民医院", "county");
  gint64 county2 = sched_create_org (daemons, "拉孜县人民医院", "county");
  const struct { Role role; gint64 org; const char *name; const char *kind; } users[] = {
    { COORD_D, district, "张协调员", "coordinator" },
    { COORD_D2, district2, "孙协调员", "coordinator" },
    { EXPERT, district, "王专家", "expert" },
    { EXPERT_OTHER, district, "赵专家", "expert" },
    { DOCTOR, county, "李医生", "doctor" },
    { COLLEAGUE, county, "周医生", "doctor" },
    { COORD_C, county, "吴协调员", "coordinator" },
    { TRAINEE, county, "郑学员", "trainee" },
    { DOCTOR_C2, county2, "次仁医生", "doctor" },
    { COORD_C2, county2, "卓玛协调员", "coordinator" },
  };

  fixture->keys[ADMIN] = g_strdup (daemons->admin_key);
  for (gsize i = 0; i < G_N_ELEMENTS (users); i++)
    fixture->ids[users[i].role] = sched_create_user (daemons, users[i].org, users[i].name,
                                                     users[i].kind,
                                                     &fixture->keys[users[i].role]);

  fixture->district_id = district;
  fixture->county_id = county;
}

static void
create_consultations (Fixture *fixture)
{
  HzTestDaemons *daemons = fixture->daemons;
  g_autofree char *target = g_strdup_printf (", \"target_org_id\": %" G_GINT64_FORMAT,
                                             fixture->district_id);
  gint64 start = (g_get_real_time () / G_USEC_PER_SEC + FIRST_SLOT_OFFSET) / 3600 * 3600;
  g_autofree char *start_text = sched_format_time (start);
  g_autofree char *end_text = sched_format_time (start + 1800);
  g_autofree char *schedule_body = NULL;
  g_autofree char *schedule_path = NULL;
  g_autofree char *report_path = NULL;
  g_auto (SchedResponse) scheduled = { 0 };
  g_auto (SchedResponse) draft = { 0 };

  fixture->x = sched_request_consultation (daemons, fixture->keys[DOCTOR], target);
  fixture->y = sched_request_consultation (daemons, fixture->keys[DOCTOR], target);
  fixture->z = sched_request_consultation (daemons, fixture->keys[DOCTOR_C2], NULL);

  schedule_path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/schedule",
                                   fixture->x);
  schedule_body = g_strdup_printf ("{\"expert_id\": %" G_GINT64_FORMAT ", \"start\": \"%s\","
                                   " \"end\": \"%s\"}", fixture->ids[EXPERT], start_text,
                                   end_text);
  scheduled = sched_call (daemons, "POST", schedule_path, fixture->keys[COORD_D], schedule_body);
  g_assert_cmpuint (scheduled.status, ==, 201);
  fixture->session_x = json_object_get_int_member (sched_object (&scheduled), "session_id");

  report_path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT "/report",
                                 fixture->x);
  draft = sched_call (daemons, "PUT", report_path, fixture->keys[EXPERT],
                      "{\"opinion\": \"建议完善冠脉CTA\"}");
  g_assert_cmpuint (draft.status, ==, 200);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;

  fixture->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);

  create_users (fixture);
  create_consultations (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  for (int i = 0; i < ROLE_COUNT; i++)
    g_free (fixture->keys[i]);
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
}

/* Replaces {X}, {Y}, {Z}, {S} (X's session) and {EXPERT} in TEMPLATE. */
static char *
expand (const Fixture *fixture,
        const char    *template)
{
  const struct { const char *token; gint64 value; } tokens[] = {
    { "{X}", fixture->x }, { "{Y}", fixture->y }, { "{Z}", fixture->z },
    { "{S}", fixture->session_x }, { "{EXPERT}", fixture->ids[EXPERT] },
    { "{COUNTY}", fixture->county_id },
  };
  g_autoptr (GString) text = g_string_new (template);

  for (gsize i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, tokens[i].value);

      g_string_replace (text, tokens[i].token, value, 0);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

typedef struct {
  const char *method;
  const char *path;
  const char *body;
  Role role;
  guint status;
  const char *code;     /* NULL for a success */
} Case;

#define CANCEL "{\"reason\": \"测试\"}"
#define RETURN "{\"reason\": \"测试\"}"
#define RESCHEDULE "{\"start\": \"2030-01-07T09:00:00+08:00\", \"end\": \"2030-01-07T09:30:00+08:00\"}"
#define CONSULTATION \
  "{\"specialty\": \"心血管内科\", \"patient\": {\"ref\": \"R-1\", \"age\": 60, \"sex\": \"male\"," \
  " \"summary\": \"胸闷\"}, \"question\": \"?\"}"
#define PASSWORD_BODY "{\"password\": \"role-test-password\"}"

/* Denials come first in each group, so that no success changes the state
 * that a later case reads. */
static const Case cases[] = {
  /* Reading a consultation: 404 for every role that may not see it. */
  { "GET", "/api/v1/consultations/{X}", NULL, ADMIN, 200, NULL },
  { "GET", "/api/v1/consultations/{X}", NULL, COORD_D, 200, NULL },
  { "GET", "/api/v1/consultations/{X}", NULL, COORD_D2, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}", NULL, EXPERT, 200, NULL },
  { "GET", "/api/v1/consultations/{X}", NULL, EXPERT_OTHER, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}", NULL, DOCTOR, 200, NULL },
  { "GET", "/api/v1/consultations/{X}", NULL, COLLEAGUE, 200, NULL },
  { "GET", "/api/v1/consultations/{X}", NULL, COORD_C, 200, NULL },
  { "GET", "/api/v1/consultations/{X}", NULL, TRAINEE, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}", NULL, DOCTOR_C2, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}", NULL, COORD_C2, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}", NULL, ANONYMOUS, 401, "unauthorized" },

  /* An open request is visible to every consulting hospital's coordinator. */
  { "GET", "/api/v1/consultations/{Z}", NULL, COORD_D, 200, NULL },
  { "GET", "/api/v1/consultations/{Z}", NULL, COORD_D2, 200, NULL },
  { "GET", "/api/v1/consultations/{Z}", NULL, COORD_C, 404, "not_found" },
  { "GET", "/api/v1/consultations/{Z}", NULL, EXPERT, 404, "not_found" },
  { "GET", "/api/v1/consultations/{Z}", NULL, DOCTOR, 404, "not_found" },

  /* The history follows the consultation. */
  { "GET", "/api/v1/consultations/{X}/history", NULL, ADMIN, 200, NULL },
  { "GET", "/api/v1/consultations/{X}/history", NULL, COORD_D, 200, NULL },
  { "GET", "/api/v1/consultations/{X}/history", NULL, COORD_D2, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/history", NULL, EXPERT, 200, NULL },
  { "GET", "/api/v1/consultations/{X}/history", NULL, EXPERT_OTHER, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/history", NULL, DOCTOR, 200, NULL },
  { "GET", "/api/v1/consultations/{X}/history", NULL, TRAINEE, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/history", NULL, DOCTOR_C2, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/history", NULL, ANONYMOUS, 401, "unauthorized" },

  /* The report: the expert and admins read X's draft, and the requesting
   * side reads nothing until it is signed. */
  { "GET", "/api/v1/consultations/{X}/report", NULL, ADMIN, 200, NULL },
  { "GET", "/api/v1/consultations/{X}/report", NULL, COORD_D, 403, "forbidden" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, COORD_D2, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, EXPERT, 200, NULL },
  { "GET", "/api/v1/consultations/{X}/report", NULL, EXPERT_OTHER, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, DOCTOR, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, COLLEAGUE, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, COORD_C, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, TRAINEE, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, DOCTOR_C2, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, COORD_C2, 404, "not_found" },
  { "GET", "/api/v1/consultations/{X}/report", NULL, ANONYMOUS, 401, "unauthorized" },

  /* Only the assigned expert writes it. */
  { "PUT", "/api/v1/consultations/{X}/report", "{\"opinion\": \"x\"}", ADMIN, 403, "forbidden" },
  { "PUT", "/api/v1/consultations/{X}/report", "{\"opinion\": \"x\"}", COORD_D, 403, "forbidden" },
  { "PUT", "/api/v1/consultations/{X}/report", "{\"opinion\": \"x\"}", EXPERT_OTHER, 404,
    "not_found" },
  { "PUT", "/api/v1/consultations/{X}/report", "{\"opinion\": \"x\"}", DOCTOR, 403, "forbidden" },
  { "PUT", "/api/v1/consultations/{X}/report", "{\"opinion\": \"x\"}", TRAINEE, 404, "not_found" },
  { "PUT", "/api/v1/consultations/{X}/report", "{\"opinion\": \"x\"}", ANONYMOUS, 401,
    "unauthorized" },
  { "PUT", "/api/v1/consultations/{X}/report", "{\"opinion\": \"建议冠脉CTA\"}", EXPERT, 200,
    NULL },
  { "POST", "/api/v1/consultations/{X}/report/sign", NULL, DOCTOR, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/report/sign", NULL, COORD_D, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/report/amendments", "{\"text\": \"x\"}", DOCTOR, 403,
    "forbidden" },

  /* The review: coordinators of the addressed hospital, and admins. */
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, COORD_D2, 404, "not_found" },
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, EXPERT, 404, "not_found" },
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, DOCTOR, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, COLLEAGUE, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, COORD_C, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, TRAINEE, 404, "not_found" },
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, DOCTOR_C2, 404, "not_found" },
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, ANONYMOUS, 401, "unauthorized" },
  { "POST", "/api/v1/consultations/{Y}/return", RETURN, COORD_D2, 404, "not_found" },
  { "POST", "/api/v1/consultations/{Y}/return", RETURN, DOCTOR, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{Y}/return", RETURN, COORD_C, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{Y}/return", RETURN, TRAINEE, 404, "not_found" },
  { "POST", "/api/v1/consultations/{Y}/accept", NULL, COORD_D, 200, NULL },

  /* Rescheduling and no-shows: coordinators of the expert's hospital. */
  { "POST", "/api/v1/consultations/{X}/reschedule", RESCHEDULE, COORD_D2, 404, "not_found" },
  { "POST", "/api/v1/consultations/{X}/reschedule", RESCHEDULE, EXPERT, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/reschedule", RESCHEDULE, DOCTOR, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/reschedule", RESCHEDULE, COORD_C, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/reschedule", RESCHEDULE, TRAINEE, 404, "not_found" },
  { "POST", "/api/v1/consultations/{X}/no-show", "{}", DOCTOR, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/no-show", "{}", EXPERT, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/no-show", "{}", COORD_C, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/no-show", "{}", TRAINEE, 404, "not_found" },
  { "POST", "/api/v1/consultations/{X}/no-show", "{}", ANONYMOUS, 401, "unauthorized" },

  /* Cancelling: not a colleague's request, nothing unseen. */
  { "POST", "/api/v1/consultations/{X}/cancel", CANCEL, COLLEAGUE, 403, "forbidden" },
  { "POST", "/api/v1/consultations/{X}/cancel", CANCEL, EXPERT_OTHER, 404, "not_found" },
  { "POST", "/api/v1/consultations/{X}/cancel", CANCEL, TRAINEE, 404, "not_found" },
  { "POST", "/api/v1/consultations/{X}/cancel", CANCEL, COORD_D2, 404, "not_found" },
  { "POST", "/api/v1/consultations/{X}/cancel", CANCEL, DOCTOR_C2, 404, "not_found" },
  { "POST", "/api/v1/consultations/{X}/cancel", CANCEL, COORD_C2, 404, "not_found" },
  { "POST", "/api/v1/consultations/{X}/cancel", CANCEL, ANONYMOUS, 401, "unauthorized" },

  /* Joining: participants only. */
  { "POST", "/api/v1/sessions/{S}/join-token", NULL, TRAINEE, 403, "not_participant" },
  { "POST", "/api/v1/sessions/{S}/join-token", NULL, COORD_D, 403, "not_participant" },
  { "POST", "/api/v1/sessions/{S}/join-token", NULL, COLLEAGUE, 403, "not_participant" },
  { "POST", "/api/v1/sessions/{S}/join-token", NULL, DOCTOR, 200, NULL },
  { "POST", "/api/v1/sessions/{S}/join-token", NULL, EXPERT, 200, NULL },
  { "GET", "/api/v1/sessions/{S}/recordings", NULL, TRAINEE, 404, "not_found" },
  { "GET", "/api/v1/sessions/{S}/recordings", NULL, EXPERT_OTHER, 404, "not_found" },
  { "GET", "/api/v1/sessions/{S}/recordings", NULL, COORD_D2, 404, "not_found" },
  { "GET", "/api/v1/sessions/{S}/recordings", NULL, COLLEAGUE, 200, NULL },

  /* Requests come from county doctors only. */
  { "POST", "/api/v1/consultations", CONSULTATION, ADMIN, 403, "forbidden" },
  { "POST", "/api/v1/consultations", CONSULTATION, COORD_D, 403, "forbidden" },
  { "POST", "/api/v1/consultations", CONSULTATION, EXPERT, 403, "forbidden" },
  { "POST", "/api/v1/consultations", CONSULTATION, COORD_C, 403, "forbidden" },
  { "POST", "/api/v1/consultations", CONSULTATION, TRAINEE, 403, "forbidden" },
  { "POST", "/api/v1/consultations", CONSULTATION, ANONYMOUS, 401, "unauthorized" },

  /* Directory and passwords. */
  { "POST", "/api/v1/organizations", "{\"name\": \"x\", \"name_en\": \"x\", \"level\": \"county\"}",
    COORD_D, 403, "forbidden" },
  { "POST", "/api/v1/organizations", "{\"name\": \"x\", \"name_en\": \"x\", \"level\": \"county\"}",
    TRAINEE, 403, "forbidden" },
  { "POST", "/api/v1/users", "{\"org_id\": {COUNTY}, \"name\": \"x\", \"role\": \"doctor\"}",
    COORD_D, 403, "forbidden" },
  { "POST", "/api/v1/users", "{\"org_id\": {COUNTY}, \"name\": \"x\", \"role\": \"admin\"}",
    COORD_C, 403, "forbidden" },
  { "POST", "/api/v1/users", "{\"org_id\": {COUNTY}, \"name\": \"x\", \"role\": \"doctor\"}",
    DOCTOR, 403, "forbidden" },
  { "POST", "/api/v1/users/{EXPERT}/password", PASSWORD_BODY, COORD_C, 403, "forbidden" },
  { "POST", "/api/v1/users/{EXPERT}/password", PASSWORD_BODY, COORD_D2, 403, "forbidden" },
  { "POST", "/api/v1/users/{EXPERT}/password", PASSWORD_BODY, DOCTOR, 403, "forbidden" },
  { "POST", "/api/v1/users/{EXPERT}/password", PASSWORD_BODY, EXPERT_OTHER, 403, "forbidden" },
  { "POST", "/api/v1/users/{EXPERT}/password", PASSWORD_BODY, TRAINEE, 403, "forbidden" },
  { "POST", "/api/v1/users/{EXPERT}/password", PASSWORD_BODY, ANONYMOUS, 401, "unauthorized" },
  { "POST", "/api/v1/users/{EXPERT}/password", PASSWORD_BODY, COORD_D, 200, NULL },
  { "GET", "/api/v1/me", NULL, TRAINEE, 200, NULL },
  { "GET", "/api/v1/me", NULL, ANONYMOUS, 401, "unauthorized" },

  /* The doctor may cancel their own request last. */
  { "POST", "/api/v1/consultations/{X}/cancel", CANCEL, DOCTOR, 200, NULL },
};

static void
test_role_table (Fixture       *fixture,
                 gconstpointer  user_data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autofree char *path = expand (fixture, c->path);
      g_autofree char *body = c->body ? expand (fixture, c->body) : NULL;
      g_auto (SchedResponse) response = sched_call (fixture->daemons, c->method, path,
                                                    fixture->keys[c->role], body);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s %s as %s", i, c->method, c->path,
                      role_names[c->role]);
      if (c->code != NULL)
        sched_assert_error (&response, c->status, c->code);
      else
        g_assert_cmpuint (response.status, ==, c->status);
    }
}

/* Returns the ids that GET /consultations lists for ROLE, following
 * next_before_id with pages of PAGE_SIZE. */
static GArray *
listed_ids (Fixture    *fixture,
            Role        role,
            const char *status,
            guint       page_size)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 before_id = 0;

  do
    {
      g_autoptr (GString) path = g_string_new ("/api/v1/consultations?");
      g_auto (SchedResponse) response = { 0 };
      JsonObject *object;
      JsonArray *items;

      g_string_append_printf (path, "limit=%u", page_size);
      if (status != NULL)
        g_string_append_printf (path, "&status=%s", status);
      if (before_id > 0)
        g_string_append_printf (path, "&before_id=%" G_GINT64_FORMAT, before_id);

      response = sched_call (fixture->daemons, "GET", path->str, fixture->keys[role], NULL);
      g_assert_cmpuint (response.status, ==, 200);
      object = sched_object (&response);
      items = json_object_get_array_member (object, "consultations");
      g_assert_cmpuint (json_array_get_length (items), <=, page_size);

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          gint64 id = json_object_get_int_member (json_array_get_object_element (items, i),
                                                  "id");

          g_array_append_val (ids, id);
        }

      before_id = json_object_get_null_member (object, "next_before_id")
                  ? 0 : json_object_get_int_member (object, "next_before_id");
    }
  while (before_id > 0);

  return ids;
}

static gboolean
contains_id (GArray *ids,
             gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == id)
      return TRUE;
  return FALSE;
}

static void
assert_listed (Fixture *fixture,
               Role     role,
               gboolean x,
               gboolean y,
               gboolean z)
{
  g_autoptr (GArray) ids = listed_ids (fixture, role, NULL, 50);
  g_autoptr (GArray) paged = listed_ids (fixture, role, NULL, 1);

  g_test_message ("list as %s", role_names[role]);
  g_assert_cmpuint (ids->len, ==, (guint) x + (guint) y + (guint) z);
  g_assert_cmpint (contains_id (ids, fixture->x), ==, x);
  g_assert_cmpint (contains_id (ids, fixture->y), ==, y);
  g_assert_cmpint (contains_id (ids, fixture->z), ==, z);

  /* Pages of one give the same ids, newest first. */
  g_assert_cmpuint (paged->len, ==, ids->len);
  for (guint i = 0; i < ids->len; i++)
    g_assert_cmpint (g_array_index (paged, gint64, i), ==, g_array_index (ids, gint64, i));
  for (guint i = 1; i < ids->len; i++)
    g_assert_cmpint (g_array_index (ids, gint64, i - 1), >, g_array_index (ids, gint64, i));
}

static void
test_list_by_role (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_auto (SchedResponse) anonymous = sched_call (fixture->daemons, "GET",
                                                 "/api/v1/consultations", NULL, NULL);
  g_auto (SchedResponse) bad_status = sched_call (fixture->daemons, "GET",
                                                  "/api/v1/consultations?status=done",
                                                  fixture->keys[ADMIN], NULL);
  g_auto (SchedResponse) bad_limit = sched_call (fixture->daemons, "GET",
                                                 "/api/v1/consultations?limit=0",
                                                 fixture->keys[ADMIN], NULL);
  g_autoptr (GArray) requested = listed_ids (fixture, COORD_D, "requested", 50);
  g_autoptr (GArray) scheduled = listed_ids (fixture, COORD_D, "scheduled", 50);

  assert_listed (fixture, ADMIN, TRUE, TRUE, TRUE);
  assert_listed (fixture, COORD_D, TRUE, TRUE, TRUE);
  assert_listed (fixture, COORD_D2, FALSE, FALSE, TRUE);
  assert_listed (fixture, EXPERT, TRUE, FALSE, FALSE);
  assert_listed (fixture, EXPERT_OTHER, FALSE, FALSE, FALSE);
  assert_listed (fixture, DOCTOR, TRUE, TRUE, FALSE);
  assert_listed (fixture, COLLEAGUE, TRUE, TRUE, FALSE);
  assert_listed (fixture, COORD_C, TRUE, TRUE, FALSE);
  assert_listed (fixture, TRAINEE, FALSE, FALSE, FALSE);
  assert_listed (fixture, DOCTOR_C2, FALSE, FALSE, TRUE);
  assert_listed (fixture, COORD_C2, FALSE, FALSE, TRUE);

  sched_assert_error (&anonymous, 401, "unauthorized");
  sched_assert_error (&bad_status, 400, "invalid_field");
  sched_assert_error (&bad_limit, 400, "invalid_field");

  g_assert_cmpuint (requested->len, ==, 2);
  g_assert_true (contains_id (requested, fixture->y));
  g_assert_true (contains_id (requested, fixture->z));
  g_assert_cmpuint (scheduled->len, ==, 1);
  g_assert_true (contains_id (scheduled, fixture->x));
}

/* For every role and consultation, the list and a direct GET agree. */
static void
test_list_matches_get (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const gint64 consultations[] = { fixture->x, fixture->y, fixture->z };

  for (Role role = ADMIN; role < ANONYMOUS; role++)
    {
      g_autoptr (GArray) ids = listed_ids (fixture, role, NULL, 50);

      for (gsize i = 0; i < G_N_ELEMENTS (consultations); i++)
        {
          g_autofree char *path = g_strdup_printf ("/api/v1/consultations/%" G_GINT64_FORMAT,
                                                   consultations[i]);
          g_auto (SchedResponse) response = sched_call (fixture->daemons, "GET", path,
                                                        fixture->keys[role], NULL);

          g_test_message ("%s, consultation %" G_GINT64_FORMAT, role_names[role],
                          consultations[i]);
          g_assert_cmpint (contains_id (ids, consultations[i]), ==, response.status == 200);
          g_assert_true (response.status == 200 || response.status == 404);
        }
    }
}

#define ADD(name, function) \
  g_test_add ("/scheduler-roles/" name, Fixture, NULL, fixture_set_up, function, \
              fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("role-table", test_role_table);
  ADD ("list-by-role", test_list_by_role);
  ADD ("list-matches-get", test_list_matches_get);

  return g_test_run ();
}
