#include "demo.h"

#include <string.h>

#include "hz-sched-availability.h"
#include "hz-sched-password.h"
#include "hz-sched-store.h"
#include "hz-sched-store-accounts.h"
#include "hz-sched-store-directory.h"
#include "hz-sched-teaching.h"
#include "hz-sched-time.h"
#include "hz-teaching-series.h"
#include "hz-token.h"

/* Every demo user logs in to the web UI with its login name and this
 * password, which the demo prints. Never use the demo outside a test. */
#define DEMO_PASSWORD "huizhen-demo"

typedef struct {
  const char *name;
  const char *name_en;
  const char *level;
} DemoOrganization;

typedef struct {
  guint org_index;
  const char *name;
  const char *login;
  HzRole role;
  const char *specialty;
  const char *title;
} DemoUser;

static const DemoOrganization demo_organizations[] = {
  { "杨浦区中心医院", "Yangpu District Central Hospital", "district" },
  { "双柏县人民医院", "Shuangbai County People's Hospital", "county" },
  { "玉龙县人民医院", "Yulong County People's Hospital", "county" },
  { "湄潭县人民医院", "Meitan County People's Hospital", "county" },
  { "拉孜县人民医院", "Lhazê County People's Hospital", "county" },
};

/* Indexes into this table name the doctor and the experts below. */
static const DemoUser demo_users[] = {
  { 0, "周建华", "zhoujianhua", HZ_ROLE_ADMIN, NULL, "信息科 系统管理员" },
  { 0, "王丽萍", "wangliping", HZ_ROLE_COORDINATOR, NULL, "远程医学中心 协调员" },
  { 0, "陈国栋", "chenguodong", HZ_ROLE_EXPERT, "心血管内科", "主任医师" },
  { 0, "林雪梅", "linxuemei", HZ_ROLE_EXPERT, "神经内科", "副主任医师" },
  { 0, "赵志刚", "zhaozhigang", HZ_ROLE_EXPERT, "普外科", "主任医师" },
  { 1, "李春明", "lichunming", HZ_ROLE_DOCTOR, "内科", "主治医师" },
  { 2, "和丽芬", "helifen", HZ_ROLE_DOCTOR, "全科", "主治医师" },
  { 3, "杨光荣", "yangguangrong", HZ_ROLE_DOCTOR, "内科", "副主任医师" },
  { 4, "次仁多吉", "cirenduoji", HZ_ROLE_DOCTOR, "全科", "主治医师" },
  { 1, "普文静", "puwenjing", HZ_ROLE_TRAINEE, "内科", "住院医师" },
};

#define DEMO_CARDIOLOGIST 2
#define DEMO_NEUROLOGIST 3
#define DEMO_MEITAN_DOCTOR 7
#define DEMO_LHAZE_DOCTOR 8

/* The scheduled consultation starts at the current time rounded down to
 * this step and lasts DEMO_SESSION_SECONDS. */
#define DEMO_START_STEP_SECONDS (5 * 60)
#define DEMO_SESSION_SECONDS (2 * 60 * 60)

/* The teaching round: weekly, DEMO_ROUND_COUNT times, each
 * DEMO_ROUND_SECONDS long. The first starts DEMO_ROUND_DELAY_SECONDS after
 * the consultation's start, so a trainee who registers can join it within
 * half an hour: join tokens are valid from 15 minutes before the start. */
#define DEMO_ROUND_DELAY_SECONDS (30 * 60)
#define DEMO_ROUND_SECONDS (60 * 60)
#define DEMO_ROUND_COUNT 4
#define DEMO_ROUND_CAPACITY 30

typedef struct {
  gint64 user_id;
  HzRole role;
  const char *name;
  const char *login;
  const char *org_name;
  char *api_key;
} DemoKey;

struct _HzDemo {
  DemoKey keys[G_N_ELEMENTS (demo_users)];
  gint64 consultation_id;
  gint64 session_id;
  gint64 start;
  gint64 end;
  gint64 teaching_series_id;
  gint64 teaching_start;
};

void
hz_demo_free (HzDemo *demo)
{
  if (demo == NULL)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (demo->keys); i++)
    g_free (demo->keys[i].api_key);
  g_free (demo);
}

static gboolean
load_people (HzDemo   *demo,
             sqlite3  *db,
             GError  **error)
{
  HzActor actor = { HZ_ACTOR_CLI, 0 };
  gint64 org_ids[G_N_ELEMENTS (demo_organizations)];
  g_autofree char *password_hash = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (demo_organizations); i++)
    {
      HzOrganization org = {
        0, (char *) demo_organizations[i].name, (char *) demo_organizations[i].name_en,
        (char *) demo_organizations[i].level, (char *) HZ_DEFAULT_TIMEZONE,
      };

      if (!hz_store_create_organization (db, &actor, &org, error))
        return FALSE;
      org_ids[i] = org.id;
    }

  password_hash = hz_password_hash (DEMO_PASSWORD, error);
  if (password_hash == NULL)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (demo_users); i++)
    {
      const DemoUser *person = &demo_users[i];
      HzUser user = {
        0, org_ids[person->org_index], (char *) person->name, person->role,
        (char *) person->specialty, (char *) person->title, NULL, NULL,
        (char *) person->login,
      };
      DemoKey *key = &demo->keys[i];

      key->api_key = hz_store_create_user_with_credentials (db, &actor, &user,
                                                            password_hash, error);
      if (key->api_key == NULL)
        return FALSE;
      key->login = person->login;
      key->user_id = user.id;
      key->role = person->role;
      key->name = person->name;
      key->org_name = demo_organizations[person->org_index].name;
    }

  return TRUE;
}

/* Inserts a consultation in the name of a demo doctor and returns its id,
 * or 0. The audit log records the command line as the actor. */
static gint64
request_consultation (HzDemo           *demo,
                      sqlite3          *db,
                      guint             doctor_index,
                      const char       *specialty,
                      const HzPatient  *patient,
                      const char       *question,
                      GError          **error)
{
  const DemoKey *doctor = &demo->keys[doctor_index];
  HzActor actor = { HZ_ACTOR_CLI, 0 };
  g_autoptr (HzUser) user = hz_store_get_user (db, doctor->user_id, error);
  HzConsultation consultation = { 0 };
  gboolean ok;

  if (user == NULL)
    return 0;

  consultation.org_id = user->org_id;
  consultation.requester_id = user->id;
  consultation.specialty = (char *) specialty;
  consultation.patient = *patient;
  consultation.question = (char *) question;

  ok = hz_store_create_consultation (db, &actor, &consultation, error);
  g_free (consultation.status);
  return ok ? consultation.id : 0;
}

static gboolean
load_consultations (HzDemo   *demo,
                    sqlite3  *db,
                    GError  **error)
{
  HzActor actor = { HZ_ACTOR_CLI, 0 };
  HzPatient lhaze_patient = {
    "LZ-2024-0318", 58, "male",
    "世居海拔 4000 米以上地区。近两周活动后胸闷、气短，休息数分钟可缓解；"
    "血压 150/95 mmHg，心电图示 V4–V6 导联 ST 段压低 0.1 mV。",
  };
  HzPatient meitan_patient = {
    "MT-2024-1102", 67, "female",
    "头晕伴行走不稳一个月，近一周加重；高血压病史十年，服药不规律。头颅 CT 未见出血。",
  };
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  demo->consultation_id = request_consultation (
    demo, db, DEMO_LHAZE_DOCTOR, "心血管内科", &lhaze_patient,
    "是否考虑不稳定型心绞痛？请给出药物治疗建议，并评估是否需要转上级医院行冠状动脉造影。",
    error);
  if (demo->consultation_id == 0)
    return FALSE;

  demo->start = now - now % DEMO_START_STEP_SECONDS;
  demo->end = demo->start + DEMO_SESSION_SECONDS;
  demo->session_id = hz_store_schedule_consultation (db, &actor, demo->consultation_id,
                                                     demo->keys[DEMO_CARDIOLOGIST].user_id,
                                                     demo->start, demo->end,
                                                     TRUE /* recorded */, error);
  if (demo->session_id == 0)
    return FALSE;

  /* A second request that a coordinator has yet to schedule. */
  return request_consultation (demo, db, DEMO_MEITAN_DOCTOR, "神经内科", &meitan_patient,
                               "请协助判断是否为后循环缺血，并建议下一步的检查和治疗方案。",
                               error) != 0;
}

/* Gives every demo expert office hours (Monday to Friday, 08:00-12:00 and
 * 13:30-17:30 in the hospital's zone), one hour of notice and a 10-minute
 * buffer. Set after the demo consultation is booked, which starts now,
 * whatever the time of day. */
static gboolean
load_availability (HzDemo   *demo,
                   sqlite3  *db,
                   GError  **error)
{
  HzActor actor = { HZ_ACTOR_CLI, 0 };
  HzBookingRules rules = { 60, 10 };

  for (gsize i = 0; i < G_N_ELEMENTS (demo_users); i++)
    {
      g_autoptr (GArray) hours = g_array_new (FALSE, FALSE, sizeof (HzWorkingHours));

      if (demo_users[i].role != HZ_ROLE_EXPERT)
        continue;
      for (int weekday = 1; weekday <= 5; weekday++)
        {
          HzWorkingHours morning = { weekday, 8 * 60, 12 * 60 };
          HzWorkingHours afternoon = { weekday, 13 * 60 + 30, 17 * 60 + 30 };

          g_array_append_val (hours, morning);
          g_array_append_val (hours, afternoon);
        }
      if (!hz_store_set_working_hours (db, &actor, demo->keys[i].user_id, hours, error) ||
          !hz_store_set_booking_rules (db, &actor, demo->keys[i].user_id, &rules, error))
        return FALSE;
    }
  return TRUE;
}

/* Creates a weekly teaching round (教学查房) that the neurologist presents to
 * every demo organization, with places free, so that the demo trainee can
 * register and join it. Created after the consultation, whose expert is
 * another person, so the presenter has no colliding session. */
static gboolean
load_teaching (HzDemo   *demo,
               sqlite3  *db,
               GError  **error)
{
  HzActor actor = { HZ_ACTOR_CLI, 0 };
  const DemoKey *presenter = &demo->keys[DEMO_NEUROLOGIST];
  g_autoptr (HzUser) user = hz_store_get_user (db, presenter->user_id, error);
  g_autoptr (GTimeZone) zone = hz_sched_lookup_zone (HZ_DEFAULT_TIMEZONE);
  g_autoptr (HzTeachingSeries) series = hz_teaching_series_new ();
  g_autoptr (GArray) occurrences = NULL;
  g_autoptr (GArray) conflicts = g_array_new (FALSE, FALSE, sizeof (HzTeachingConflict));
  g_autoptr (GPtrArray) organizations = NULL;
  HzRecurrence recurrence = { 0 };

  if (user == NULL)
    return FALSE;

  recurrence.first_start = demo->start + DEMO_ROUND_DELAY_SECONDS;
  recurrence.first_end = recurrence.first_start + DEMO_ROUND_SECONDS;
  recurrence.zone = zone;
  recurrence.interval_weeks = 1;
  recurrence.count = DEMO_ROUND_COUNT;
  g_date_clear (&recurrence.until, 1);
  if (hz_recurrence_expand (&recurrence, &occurrences) != HZ_RECURRENCE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Expanding the demo teaching round's %d weekly occurrences failed",
                   DEMO_ROUND_COUNT);
      return FALSE;
    }

  series->org_id = user->org_id;
  series->presenter_id = user->id;
  series->kind = g_strdup ("ward_round");
  series->title = g_strdup ("急性缺血性脑卒中的早期识别与溶栓评估");
  series->description = g_strdup (
    "结合病例讲解 FAST 识别、NIHSS 评分和静脉溶栓的适应证与禁忌证，"
    "适合县级医院内科、急诊科医生和住院医师。");
  series->capacity = DEMO_ROUND_CAPACITY;
  series->recording = TRUE;
  series->recurrence = g_strdup_printf ("{\"frequency\":\"weekly\",\"count\":%d}",
                                        DEMO_ROUND_COUNT);

  organizations = hz_store_list_organizations (db, error);
  if (organizations == NULL)
    return FALSE;
  for (guint i = 0; i < organizations->len; i++)
    {
      const HzOrganization *org = g_ptr_array_index (organizations, i);

      g_array_append_val (series->audience, org->id);
    }

  if (!hz_store_create_teaching_series (db, &actor, series, occurrences, FALSE, conflicts, error))
    return FALSE;
  demo->teaching_series_id = series->id;
  demo->teaching_start = recurrence.first_start;
  return TRUE;
}

HzDemo *
hz_demo_load (HzSched *sched,
              GError **error)
{
  g_autoptr (HzDemo) demo = g_new0 (HzDemo, 1);
  gboolean empty;

  if (!hz_store_is_empty (sched->db, &empty, error))
    return NULL;
  if (!empty)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "The demo dataset loads only into an empty database, but %s already "
                   "has organizations or users; point [scheduler] database at a new file",
                   sched->config->scheduler.database);
      return NULL;
    }

  if (!load_people (demo, sched->db, error) || !load_consultations (demo, sched->db, error) ||
      !load_availability (demo, sched->db, error) || !load_teaching (demo, sched->db, error))
    {
      g_prefix_error (error, "Loading the demo dataset: ");
      return NULL;
    }

  g_message ("Demo dataset loaded: %zu organizations, %zu users, session %" G_GINT64_FORMAT,
             G_N_ELEMENTS (demo_organizations), G_N_ELEMENTS (demo_users), demo->session_id);
  return g_steal_pointer (&demo);
}

/* Pads TEXT with spaces to WIDTH terminal columns; CJK characters take
 * two columns. */
static void
print_padded (FILE       *out,
              const char *text,
              int         width)
{
  int columns = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    columns += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;

  fputs (text, out);
  for (; columns < width; columns++)
    fputc (' ', out);
}

static char *
join_url_for (HzSched      *sched,
              const HzDemo *demo,
              const DemoKey *key)
{
  HzJoinToken token = {
    demo->session_id, key->user_id, HZ_TOKEN_ROLE_PUBLISH,
    demo->start - HZ_TOKEN_EARLY_SECONDS, demo->end + HZ_TOKEN_LATE_SECONDS,
    (char *) key->name,
  };
  g_autofree char *text = hz_token_sign (&sched->secret, &token);

  return hz_sched_join_url (sched, demo->session_id, text);
}

void
hz_demo_print (const HzDemo *demo,
               HzSched      *sched,
               FILE         *out)
{
  g_autoptr (GTimeZone) zone = hz_sched_lookup_zone (HZ_DEFAULT_TIMEZONE);
  g_autofree char *start = hz_time_format_rfc3339 (demo->start, zone);
  g_autofree char *end = hz_time_format_rfc3339 (demo->end, zone);
  g_autofree char *teaching_start = hz_time_format_rfc3339 (demo->teaching_start, zone);
  g_autofree char *doctor_url = join_url_for (sched, demo, &demo->keys[DEMO_LHAZE_DOCTOR]);
  g_autofree char *expert_url = join_url_for (sched, demo, &demo->keys[DEMO_CARDIOLOGIST]);

  fprintf (out, "演示数据 / Demo dataset\n\n");
  print_padded (out, "编号 ID", 9);
  print_padded (out, "角色 Role", 14);
  print_padded (out, "姓名 Name", 12);
  print_padded (out, "机构 Organization", 20);
  print_padded (out, "登录名 Login", 16);
  fprintf (out, "API key\n");

  for (gsize i = 0; i < G_N_ELEMENTS (demo->keys); i++)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, demo->keys[i].user_id);

      /* The id is the expert_id and the user {id} of API requests. */
      print_padded (out, id, 9);
      print_padded (out, hz_role_to_string (demo->keys[i].role), 14);
      print_padded (out, demo->keys[i].name, 12);
      print_padded (out, demo->keys[i].org_name, 20);
      print_padded (out, demo->keys[i].login, 16);
      fprintf (out, "%s\n", demo->keys[i].api_key);
    }
  fprintf (out, "\n网页登录密码 Web login password (all demo users): %s\n", DEMO_PASSWORD);

  fprintf (out, "\n会诊 Consultation %" G_GINT64_FORMAT " (session %" G_GINT64_FORMAT "), %s – %s\n",
           demo->consultation_id, demo->session_id, start, end);
  fprintf (out, "医生 Doctor %s:\n  %s\n", demo->keys[DEMO_LHAZE_DOCTOR].name, doctor_url);
  fprintf (out, "专家 Expert %s:\n  %s\n", demo->keys[DEMO_CARDIOLOGIST].name, expert_url);
  fprintf (out, "\n教学查房 Teaching round %" G_GINT64_FORMAT " (%s), weekly from %s\n\n",
           demo->teaching_series_id, demo->keys[DEMO_NEUROLOGIST].name, teaching_start);
  fflush (out);
}
