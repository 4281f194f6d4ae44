/* Unit tests of the consultation workflow table, the access rules, the
 * login throttle and password hashing: the parts of the scheduler without
 * I/O. */
#include <string.h>

#include "hz-sched-access.h"
#include "hz-sched-password.h"
#include "hz-sched-throttle.h"
#include "hz-sched-workflow.h"

/* Every (state, action) pair, with the actions that may start there
 * listed from the workflow's definition. */
static void
test_transition_table (void)
{
  const struct {
    HzConsultationStatus from;
    guint allowed;      /* bit set of (1 << HzWorkflowAction) */
  } rows[] = {
    { HZ_CONSULTATION_REQUESTED, 1 << HZ_WORKFLOW_ACCEPT | 1 << HZ_WORKFLOW_RETURN |
                                 1 << HZ_WORKFLOW_SCHEDULE | 1 << HZ_WORKFLOW_CANCEL },
    { HZ_CONSULTATION_ACCEPTED, 1 << HZ_WORKFLOW_RETURN | 1 << HZ_WORKFLOW_SCHEDULE |
                                1 << HZ_WORKFLOW_CANCEL },
    { HZ_CONSULTATION_RETURNED, 0 },
    { HZ_CONSULTATION_SCHEDULED, 1 << HZ_WORKFLOW_RESCHEDULE | 1 << HZ_WORKFLOW_START |
                                 1 << HZ_WORKFLOW_CANCEL | 1 << HZ_WORKFLOW_NO_SHOW },
    { HZ_CONSULTATION_IN_PROGRESS, 1 << HZ_WORKFLOW_COMPLETE },
    { HZ_CONSULTATION_COMPLETED, 0 },
    { HZ_CONSULTATION_CANCELLED, 0 },
    { HZ_CONSULTATION_NO_SHOW, 0 },
  };

  g_assert_cmpuint (G_N_ELEMENTS (rows), ==, HZ_CONSULTATION_STATUS_COUNT);
  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      for (HzWorkflowAction action = 0; action < HZ_WORKFLOW_ACTION_COUNT; action++)
        {
          gboolean expected = (rows[i].allowed & (1u << action)) != 0;

          g_test_message ("%s from %s", hz_workflow_action_name (action),
                          hz_consultation_status_to_string (rows[i].from));
          g_assert_cmpint (hz_workflow_allows (rows[i].from, action), ==, expected);
        }
    }

  g_assert_false (hz_workflow_allows (HZ_CONSULTATION_STATUS_COUNT, HZ_WORKFLOW_ACCEPT));
  g_assert_false (hz_workflow_allows (HZ_CONSULTATION_REQUESTED, HZ_WORKFLOW_ACTION_COUNT));
}

static void
test_status_names (void)
{
  HzConsultationStatus status;

  for (guint i = 0; i < HZ_CONSULTATION_STATUS_COUNT; i++)
    {
      const char *name = hz_consultation_status_to_string (i);

      g_assert_true (hz_consultation_status_from_string (name, &status));
      g_assert_cmpuint (status, ==, i);
      g_assert_true (g_utf8_validate (hz_consultation_status_label (i, HZ_LANGUAGE_ZH_CN), -1,
                                      NULL));
    }

  g_assert_false (hz_consultation_status_from_string ("done", &status));
  g_assert_false (hz_consultation_status_from_string (NULL, &status));
  g_assert_cmpuint (hz_workflow_target (HZ_WORKFLOW_RETURN), ==, HZ_CONSULTATION_RETURNED);
  g_assert_cmpuint (hz_workflow_target (HZ_WORKFLOW_START), ==, HZ_CONSULTATION_IN_PROGRESS);
  g_assert_cmpstr (hz_workflow_action_name (HZ_WORKFLOW_NO_SHOW), ==, "consultation.no_show");
}

static void
test_transition_message (void)
{
  g_autofree char *zh = hz_workflow_transition_message (HZ_CONSULTATION_RETURNED,
                                                        HZ_CONSULTATION_ACCEPTED,
                                                        HZ_LANGUAGE_ZH_CN);
  g_autofree char *en = hz_workflow_transition_message (HZ_CONSULTATION_RETURNED,
                                                        HZ_CONSULTATION_SCHEDULED,
                                                        HZ_LANGUAGE_EN);

  g_assert_cmpstr (zh, ==, "会诊当前状态为“已退回”，不能变为“已受理”。");
  g_assert_cmpstr (en, ==, "The consultation is returned and cannot become scheduled.");
}

static HzUser
make_user (gint64      id,
           gint64      org_id,
           HzRole      role,
           const char *level)
{
  HzUser user = { .id = id, .org_id = org_id, .role = role, .org_level = (char *) level };

  return user;
}

/* Organization 10 is a district hospital, 11 another one, 20 and 30 are
 * county hospitals. */
static void
test_consultation_access (void)
{
  HzUser admin = make_user (1, 0, HZ_ROLE_ADMIN, NULL);
  HzUser coordinator = make_user (2, 10, HZ_ROLE_COORDINATOR, "district");
  HzUser other_coordinator = make_user (3, 11, HZ_ROLE_COORDINATOR, "district");
  HzUser expert = make_user (4, 10, HZ_ROLE_EXPERT, "district");
  HzUser named_expert = make_user (5, 10, HZ_ROLE_EXPERT, "district");
  HzUser doctor = make_user (6, 20, HZ_ROLE_DOCTOR, "county");
  HzUser county_coordinator = make_user (7, 20, HZ_ROLE_COORDINATOR, "county");
  HzUser trainee = make_user (8, 20, HZ_ROLE_TRAINEE, "county");
  HzUser stranger = make_user (9, 30, HZ_ROLE_DOCTOR, "county");
  HzConsultation addressed = { .id = 1, .org_id = 20, .requester_id = 6, .expert_id = 4,
                               .target_org_id = 10, .requested_expert_id = 5 };
  HzConsultation open = { .id = 2, .org_id = 20, .requester_id = 6 };

  g_assert_true (hz_access_can_view_consultation (&admin, &addressed));
  g_assert_true (hz_access_can_view_consultation (&coordinator, &addressed));
  g_assert_false (hz_access_can_view_consultation (&other_coordinator, &addressed));
  g_assert_true (hz_access_can_view_consultation (&other_coordinator, &open));
  g_assert_true (hz_access_can_view_consultation (&expert, &addressed));
  g_assert_true (hz_access_can_view_consultation (&named_expert, &addressed));
  g_assert_false (hz_access_can_view_consultation (&expert, &open));
  g_assert_true (hz_access_can_view_consultation (&doctor, &addressed));
  g_assert_true (hz_access_can_view_consultation (&county_coordinator, &addressed));
  g_assert_false (hz_access_can_view_consultation (&county_coordinator, &(HzConsultation) {
    .org_id = 30 }));
  g_assert_false (hz_access_can_view_consultation (&trainee, &addressed));
  g_assert_false (hz_access_can_view_consultation (&stranger, &addressed));

  g_assert_true (hz_access_can_review (&admin, &addressed));
  g_assert_true (hz_access_can_review (&coordinator, &addressed));
  g_assert_false (hz_access_can_review (&other_coordinator, &addressed));
  g_assert_false (hz_access_can_review (&county_coordinator, &addressed));
  g_assert_false (hz_access_can_review (&expert, &addressed));

  g_assert_true (hz_access_can_read_report (&doctor, &addressed));
  g_assert_true (hz_access_can_read_report (&county_coordinator, &addressed));
  g_assert_true (hz_access_can_read_report (&expert, &addressed));
  g_assert_false (hz_access_can_read_report (&coordinator, &addressed));
  g_assert_false (hz_access_can_read_report (&trainee, &addressed));
  g_assert_false (hz_access_can_read_report (&named_expert, &addressed));

  g_assert_true (hz_access_can_write_report (&expert, &addressed));
  g_assert_false (hz_access_can_write_report (&named_expert, &addressed));
  g_assert_false (hz_access_can_write_report (&admin, &addressed));
  g_assert_false (hz_access_can_write_report (&expert, &open));
}

static void
test_teaching_and_password_access (void)
{
  HzUser admin = make_user (1, 0, HZ_ROLE_ADMIN, NULL);
  HzUser presenter_colleague = make_user (2, 10, HZ_ROLE_EXPERT, "district");
  HzUser trainee = make_user (3, 20, HZ_ROLE_TRAINEE, "county");
  HzUser other_trainee = make_user (4, 30, HZ_ROLE_TRAINEE, "county");
  HzUser coordinator = make_user (5, 10, HZ_ROLE_COORDINATOR, "district");
  HzUser doctor = make_user (6, 20, HZ_ROLE_DOCTOR, "county");
  const gint64 audience[] = { 20, 40 };

  g_assert_true (hz_access_can_view_teaching (&admin, 10, audience, 2));
  g_assert_true (hz_access_can_view_teaching (&presenter_colleague, 10, audience, 2));
  g_assert_true (hz_access_can_view_teaching (&trainee, 10, audience, 2));
  g_assert_false (hz_access_can_view_teaching (&other_trainee, 10, audience, 2));
  g_assert_false (hz_access_can_view_teaching (&trainee, 10, NULL, 0));

  g_assert_true (hz_access_can_set_password (&admin, &doctor));
  g_assert_true (hz_access_can_set_password (&doctor, &doctor));
  g_assert_true (hz_access_can_set_password (&coordinator, &presenter_colleague));
  g_assert_false (hz_access_can_set_password (&coordinator, &doctor));
  g_assert_false (hz_access_can_set_password (&coordinator, &admin));
  g_assert_false (hz_access_can_set_password (&doctor, &trainee));
}

static void
test_throttle_blocks (void)
{
  for (gint64 failures = 0; failures < HZ_THROTTLE_ACCOUNT_FREE_FAILURES; failures++)
    g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ACCOUNT, failures), ==, 0);

  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ACCOUNT, 5), ==, 2);
  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ACCOUNT, 6), ==, 4);
  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ACCOUNT, 7), ==, 8);
  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ACCOUNT, 14), ==, 900);
  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ACCOUNT, 1000000), ==, 900);
  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ACCOUNT, G_MAXINT64), ==, 900);

  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ADDRESS, 19), ==, 0);
  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ADDRESS, 20), ==, 2);
  g_assert_cmpint (hz_throttle_block_seconds (HZ_THROTTLE_ADDRESS, 21), ==, 4);
}

static void
test_login_names (void)
{
  const struct { const char *text; const char *expected; } cases[] = {
    { "Chen.Doctor", "chen.doctor" },
    { "li_2", "li_2" },
    { "zhang-san", "zhang-san" },
    { "ab", NULL },
    { ".hidden", NULL },
    { "-dash", NULL },
    { "with space", NULL },
    { "陈医生", NULL },
    { "a@b.cn", NULL },
    { "", NULL },
  };
  g_autofree char *too_long = g_strnfill (HZ_LOGIN_MAX_LENGTH + 1, 'a');
  g_autofree char *longest = g_strnfill (HZ_LOGIN_MAX_LENGTH, 'a');
  g_autofree char *normalized_longest = hz_login_normalize (longest);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normalized = hz_login_normalize (cases[i].text);

      g_test_message ("login name \"%s\"", cases[i].text);
      g_assert_cmpstr (normalized, ==, cases[i].expected);
    }

  g_assert_null (hz_login_normalize (too_long));
  g_assert_cmpstr (normalized_longest, ==, longest);
  g_assert_null (hz_login_normalize (NULL));
}

static void
test_password_hash (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = hz_password_hash ("县医院-2026", &error);
  g_autofree char *again = hz_password_hash ("县医院-2026", NULL);

  g_assert_no_error (error);
  g_assert_nonnull (hash);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
  g_assert_null (strstr (hash, "县医院"));
  g_assert_cmpstr (hash, !=, again);   /* a random salt each time */

  g_assert_true (hz_password_verify (hash, "县医院-2026"));
  g_assert_false (hz_password_verify (hash, "县医院-2027"));
  g_assert_false (hz_password_verify (hash, ""));
  g_assert_false (hz_password_verify (NULL, "县医院-2026"));
  g_assert_false (hz_password_verify ("not a hash", "县医院-2026"));
  g_assert_false (hz_password_needs_rehash (hash));
  g_assert_true (hz_password_needs_rehash (
    "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0$dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdA"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/workflow/transition-table", test_transition_table);
  g_test_add_func ("/workflow/status-names", test_status_names);
  g_test_add_func ("/workflow/transition-message", test_transition_message);
  g_test_add_func ("/access/consultations", test_consultation_access);
  g_test_add_func ("/access/teaching-and-passwords", test_teaching_and_password_access);
  g_test_add_func ("/accounts/throttle-blocks", test_throttle_blocks);
  g_test_add_func ("/accounts/login-names", test_login_names);
  g_test_add_func ("/accounts/password-hash", test_password_hash);

  return g_test_run ();
}
