/* The read-only lists of the web UI over HTTP: GET /organizations,
 * GET /users and GET /experts, with who may read what. */
#include <string.h>

#include "hz-test-daemons.h"
#include "sched-test-http.h"

typedef struct {
  HzTestDaemons *daemons;
  gint64 district;
  gint64 county;
  gint64 coordinator;
  gint64 expert;
  gint64 neurologist;
  gint64 doctor;
  char *coordinator_key;
  char *expert_key;
  char *doctor_key;
  char *trainee_key;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *neurologist_body = NULL;
  HzTestDaemons *daemons;

  fixture->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER, &error);
  g_assert_no_error (error);
  daemons = fixture->daemons;

  fixture->district = sched_create_org (daemons, "杨浦区中心医院", "district");
  fixture->county = sched_create_org (daemons, "双柏县人民医院", "county");
  fixture->coordinator = sched_create_user (daemons, fixture->district, "张协调员",
                                            "coordinator", &fixture->coordinator_key);
  fixture->expert = sched_create_user (daemons, fixture->district, "王专家", "expert",
                                       &fixture->expert_key);
  neurologist_body = g_strdup_printf (
    "{\"org_id\": %" G_GINT64_FORMAT ", \"name\": \"林专家\", \"role\": \"expert\","
    " \"specialty\": \"神经内科\", \"login\": \"linzhuanjia\","
    " \"password\": \"lists-test-password\"}", fixture->district);
  fixture->neurologist = sched_create (daemons, "/api/v1/users", daemons->admin_key,
                                       neurologist_body, NULL);
  fixture->doctor = sched_create_user (daemons, fixture->county, "李医生", "doctor",
                                       &fixture->doctor_key);
  sched_create_user (daemons, fixture->county, "郑学员", "trainee", &fixture->trainee_key);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_free (fixture->coordinator_key);
  g_free (fixture->expert_key);
  g_free (fixture->doctor_key);
  g_free (fixture->trainee_key);
  g_clear_pointer (&fixture->daemons, hz_test_daemons_stop);
}

/* Returns the array MEMBER of a 200 response to GET PATH with KEY. */
static JsonArray *
get_list (Fixture       *fixture,
          const char    *path,
          const char    *key,
          const char    *member,
          SchedResponse *response)
{
  *response = sched_call (fixture->daemons, "GET", path, key, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_true (json_object_has_member (sched_object (response), member));
  return json_object_get_array_member (sched_object (response), member);
}

static JsonObject *
find_by_id (JsonArray *array,
            gint64     id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *element = json_array_get_object_element (array, i);

      if (json_object_get_int_member (element, "id") == id)
        return element;
    }
  return NULL;
}

static void
test_organizations_for_every_role (Fixture       *fixture,
                                   gconstpointer  user_data)
{
  const char *keys[] = { fixture->daemons->admin_key, fixture->coordinator_key,
                         fixture->doctor_key, fixture->trainee_key };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_auto (SchedResponse) response = { 0 };
      JsonArray *orgs = get_list (fixture, "/api/v1/organizations", keys[i], "organizations",
                                  &response);
      JsonObject *county = find_by_id (orgs, fixture->county);

      g_assert_cmpuint (json_array_get_length (orgs), ==, 2);
      g_assert_nonnull (county);
      g_assert_cmpstr (json_object_get_string_member (county, "name"), ==, "双柏县人民医院");
      g_assert_cmpstr (json_object_get_string_member (county, "level"), ==, "county");
      g_assert_cmpstr (json_object_get_string_member (county, "timezone"), ==, "Asia/Shanghai");
    }
}

static void
test_organizations_need_key (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_auto (SchedResponse) response = sched_call (fixture->daemons, "GET", "/api/v1/organizations",
                                                NULL, NULL);

  sched_assert_error (&response, 401, "unauthorized");
}

static void
test_users_admin_sees_all (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_auto (SchedResponse) all = { 0 };
  g_auto (SchedResponse) experts = { 0 };
  g_auto (SchedResponse) county = { 0 };
  g_autofree char *county_path = g_strdup_printf ("/api/v1/users?org_id=%" G_GINT64_FORMAT,
                                                  fixture->county);
  JsonArray *list;

  /* The admin of --create-admin, two district and two county users, and
   * the neurologist. */
  list = get_list (fixture, "/api/v1/users", fixture->daemons->admin_key, "users", &all);
  g_assert_cmpuint (json_array_get_length (list), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (find_by_id (list, fixture->neurologist),
                                                  "login"), ==, "linzhuanjia");
  g_assert_false (json_object_has_member (find_by_id (list, fixture->neurologist), "api_key"));

  list = get_list (fixture, "/api/v1/users?role=expert", fixture->daemons->admin_key, "users",
                   &experts);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);

  list = get_list (fixture, county_path, fixture->daemons->admin_key, "users", &county);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_nonnull (find_by_id (list, fixture->doctor));
}

static void
test_users_coordinator_own_org (Fixture       *fixture,
                                gconstpointer  user_data)
{
  g_auto (SchedResponse) own = { 0 };
  g_auto (SchedResponse) other = { 0 };
  g_autofree char *county_path = g_strdup_printf ("/api/v1/users?org_id=%" G_GINT64_FORMAT,
                                                  fixture->county);
  JsonArray *list;

  list = get_list (fixture, "/api/v1/users", fixture->coordinator_key, "users", &own);
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  g_assert_nonnull (find_by_id (list, fixture->coordinator));
  g_assert_null (find_by_id (list, fixture->doctor));

  /* Another organization's id gives the coordinator's own users. */
  list = get_list (fixture, county_path, fixture->coordinator_key, "users", &other);
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  g_assert_null (find_by_id (list, fixture->doctor));
}

static void
test_users_other_roles_forbidden (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  const char *keys[] = { fixture->expert_key, fixture->doctor_key, fixture->trainee_key };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_auto (SchedResponse) response = sched_call (fixture->daemons, "GET", "/api/v1/users",
                                                    keys[i], NULL);

      sched_assert_error (&response, 403, "forbidden");
    }
}

static void
test_users_invalid_filter (Fixture       *fixture,
                           gconstpointer  user_data)
{
  const char *paths[] = { "/api/v1/users?role=nurse", "/api/v1/users?org_id=0",
                          "/api/v1/users?org_id=x" };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_auto (SchedResponse) response = sched_call (fixture->daemons, "GET", paths[i],
                                                    fixture->daemons->admin_key, NULL);

      sched_assert_error (&response, 400, "invalid_field");
    }
}

static void
test_experts_without_logins (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_auto (SchedResponse) all = { 0 };
  g_auto (SchedResponse) neurology = { 0 };
  g_auto (SchedResponse) trainee = { 0 };
  JsonArray *list;
  JsonObject *neurologist;

  list = get_list (fixture, "/api/v1/experts", fixture->doctor_key, "experts", &all);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  neurologist = find_by_id (list, fixture->neurologist);
  g_assert_nonnull (neurologist);
  g_assert_cmpstr (json_object_get_string_member (neurologist, "name"), ==, "林专家");
  g_assert_cmpint (json_object_get_int_member (neurologist, "org_id"), ==, fixture->district);
  g_assert_true (json_object_get_null_member (neurologist, "login"));

  list = get_list (fixture, "/api/v1/experts?specialty=%E7%A5%9E%E7%BB%8F%E5%86%85%E7%A7%91",
                   fixture->coordinator_key, "experts", &neurology);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_nonnull (find_by_id (list, fixture->neurologist));

  trainee = sched_call (fixture->daemons, "GET", "/api/v1/experts", fixture->trainee_key, NULL);
  sched_assert_error (&trainee, 403, "forbidden");
}

#define ADD(name, function) \
  g_test_add ("/scheduler-lists/" name, Fixture, NULL, fixture_set_up, function, \
              fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("organizations/every-role", test_organizations_for_every_role);
  ADD ("organizations/need-key", test_organizations_need_key);
  ADD ("users/admin-sees-all", test_users_admin_sees_all);
  ADD ("users/coordinator-own-org", test_users_coordinator_own_org);
  ADD ("users/other-roles-forbidden", test_users_other_roles_forbidden);
  ADD ("users/invalid-filter", test_users_invalid_filter);
  ADD ("experts/without-logins", test_experts_without_logins);

  return g_test_run ();
}
