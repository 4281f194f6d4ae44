/* Searches the logs of every program that the test suite started for token
 * secrets, API keys, join tokens, passwords and patient data, and for
 * sanitizer reports.
 *
 * The fixtures (tests/tools/hz-test-logs.h, tests/browser/lib/daemons.mjs)
 * copy each daemon's and test tool's stderr and each token secret they
 * created below $HUIZHEN_LOG_DIR. This test runs after all others in the
 * same `meson test` call (priority -100, not parallel), so it searches the
 * logs of the whole run. scripts/test.sh empties the folder before each run.
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "hz-secret.h"
#include "log-search.h"

#define SECRETS_DIR "secrets"

/* Patient data of the demo dataset (scheduler/demo.c) and of the shared
 * fixtures, as fragments: a log that printed part of a summary must fail
 * too. Values in the tests' JSON bodies are added by harvest_test_values(). */
static const char *const known_patient_fields[] = {
  "T-0001", "胸闷三天", "是否需要介入治疗",
  "LZ-2024-0318", "世居海拔", "胸闷、气短", "ST 段压低", "不稳定型心绞痛",
  "MT-2024-1102", "头晕伴行走不稳", "高血压病史", "后循环缺血",
};

/* Patient data and passwords in test sources and the demo: values of these
 * JSON members, written as \"member\": \"value\" in C strings and
 * member: 'value' in JavaScript, macros named ..._PASSWORD, and the
 * password argument of the accounts tests' login() helper. */
#define HARVEST_MEMBERS "summary|ref|question|password|new_password|current_password"
#define HARVEST_C_MEMBER "\\\\\"(?:" HARVEST_MEMBERS ")\\\\\":\\s*\\\\\"([^\"\\\\]+)\\\\\""
#define HARVEST_C_DEFINE "#define\\s+\\w*PASSWORD\\s+\"([^\"]+)\""
#define HARVEST_C_LOGIN "\\blogin \\([^,()]+, *\"[^\"]*\", *\"([^\"]+)\"\\)"
#define HARVEST_JS "\\b(?:" HARVEST_MEMBERS ")\\s*:\\s*'([^']+)'"

static const char *
log_dir (void)
{
  const char *dir = g_getenv ("HUIZHEN_LOG_DIR");

  return dir != NULL && dir[0] != '\0' ? dir : NULL;
}

/* Short ASCII values ("s", "T-1") occur in unrelated text, so they are left out. */
static gboolean
is_distinctive (const char *value)
{
  gboolean ascii = TRUE;

  for (const char *p = value; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      ascii = FALSE;
  return ascii ? strlen (value) >= 6 : g_utf8_strlen (value, -1) >= 2;
}

static void
harvest_file (LogSearch *search, const char *path, GRegex *const *regexes)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  for (GRegex *const *regex = regexes; *regex != NULL; regex++)
    {
      g_autoptr (GMatchInfo) match = NULL;

      g_regex_match (*regex, contents, 0, &match);
      for (; g_match_info_matches (match); g_match_info_next (match, NULL))
        {
          g_autofree char *value = g_match_info_fetch (match, 1);

          if (is_distinctive (value))
            log_search_add_literal (search, "test patient data or password", value);
        }
    }
}

static void
harvest_dir (LogSearch *search, const char *dir, GRegex *const *c_regexes,
             GRegex *const *js_regexes)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_str_equal (name, "node_modules") || g_str_equal (name, "corpus"))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        harvest_dir (search, path, c_regexes, js_regexes);
      else if (g_str_has_suffix (name, ".c") || g_str_has_suffix (name, ".h"))
        harvest_file (search, path, c_regexes);
      else if (g_str_has_suffix (name, ".mjs"))
        harvest_file (search, path, js_regexes);
    }
}

static GRegex *
new_regex (const char *pattern)
{
  g_autoptr (GError) error = NULL;
  GRegex *regex = g_regex_new (pattern, 0, 0, &error);

  g_assert_no_error (error);
  return regex;
}

/* Adds the patient data and passwords that the tests and the demo below
 * SOURCE_ROOT send. */
static void
harvest_test_values (LogSearch *search, const char *source_root)
{
  g_autofree char *tests_dir = NULL;
  g_autofree char *demo = NULL;
  GRegex *c_regexes[] = { new_regex (HARVEST_C_MEMBER), new_regex (HARVEST_C_DEFINE),
                          new_regex (HARVEST_C_LOGIN), NULL };
  GRegex *js_regexes[] = { new_regex (HARVEST_JS), NULL };

  g_assert_nonnull (source_root);
  tests_dir = g_build_filename (source_root, "tests", NULL);
  demo = g_build_filename (source_root, "scheduler", "demo.c", NULL);
  harvest_dir (search, tests_dir, c_regexes, js_regexes);
  harvest_file (search, demo, c_regexes);

  for (guint i = 0; c_regexes[i] != NULL; i++)
    g_regex_unref (c_regexes[i]);
  g_regex_unref (js_regexes[0]);
}

/* Adds every secret that the fixtures saved; returns their number. */
static guint
add_saved_secrets (LogSearch *search, const char *dir)
{
  g_autofree char *secrets_dir = g_build_filename (dir, SECRETS_DIR, NULL);
  g_autoptr (GDir) handle = g_dir_open (secrets_dir, 0, NULL);
  const char *name;
  guint count = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (secrets_dir, name, NULL);
      g_autofree char *bytes = NULL;
      g_autoptr (GError) error = NULL;
      gsize length = 0;

      g_file_get_contents (path, &bytes, &length, &error);
      g_assert_no_error (error);
      if (length != HZ_SECRET_LENGTH)
        {
          g_test_fail_printf ("%s has %" G_GSIZE_FORMAT " bytes, not a token secret", path, length);
          continue;
        }
      log_search_add_secret (search, (const guint8 *) bytes, length);
      count++;
    }
  return count;
}

static void
report_hits (GPtrArray *hits, const char *what)
{
  for (guint i = 0; i < hits->len; i++)
    g_test_message ("%s", (const char *) g_ptr_array_index (hits, i));
  if (hits->len > 0)
    g_test_fail_printf ("%u log line(s) contain %s; the test's messages list each", hits->len, what);
}

static void
test_search_finds_planted (void)
{
  static const guint8 secret[HZ_SECRET_LENGTH] = { 0xde, 0xad, 0xbe, 0xef, 7, 7, 7, 7 };
  g_autoptr (LogSearch) search = log_search_new ();
  g_autoptr (GPtrArray) hits = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("huizhen-log-search-XXXXXX", &error);
  g_autofree char *nested = NULL;
  g_autofree char *path = NULL;
  g_autofree char *secret_path = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *text = NULL;
  g_autofree char *base64 = g_base64_encode (secret, sizeof secret);

  g_assert_no_error (error);
  nested = g_build_filename (dir, "processes", NULL);
  g_assert_cmpint (g_mkdir (nested, 0700), ==, 0);
  path = g_build_filename (nested, "daemon.log", NULL);
  secret_path = g_build_filename (dir, SECRETS_DIR, NULL);
  g_assert_cmpint (g_mkdir (secret_path, 0700), ==, 0);

  hex = g_strdup ("DEADBEEF07070707");
  text = g_strdup_printf (
    "clean line\n"
    "secret prefix %s0000 in upper-case hex\n"
    "base64 %s\n"
    "key hz_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa in a sentence\n"
    "token v1.c2lkPTEmdWlkPTImcm9sZT1wdWJsaXNo.abc\n"
    "summary 胸闷三天 and another clean part\n"
    "version v1.2.3 is not a token\n", hex, base64);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);

  log_search_add_secret (search, secret, sizeof secret);
  log_search_add_credential_patterns (search);
  log_search_add_literal (search, "patient data", "胸闷三天");
  g_assert_cmpuint (log_search_tree (search, dir, SECRETS_DIR, hits), ==, 1);

  /* The upper-case prefix alone is no full secret, so it is no hit. */
  g_assert_cmpuint (hits->len, ==, 4);
  g_assert_nonnull (strstr (g_ptr_array_index (hits, 0), "daemon.log:3: [token secret] base64 [token secret]"));
  g_assert_nonnull (strstr (g_ptr_array_index (hits, 1), ":4: [API key] key [API key] in a sentence"));
  g_assert_nonnull (strstr (g_ptr_array_index (hits, 2), ":5: [join token]"));
  g_assert_nonnull (strstr (g_ptr_array_index (hits, 3), ":6: [patient data] summary [patient data] and"));
  for (guint i = 0; i < hits->len; i++)
    g_assert_null (strstr (g_ptr_array_index (hits, i), base64));

  g_unlink (path);
  g_rmdir (nested);
  g_rmdir (secret_path);
  g_rmdir (dir);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

/* The harvest finds each way that test sources spell a password or a
 * patient field, in a source tree made here. */
static void
test_search_harvests_values (void)
{
  g_autoptr (LogSearch) search = log_search_new ();
  g_autoptr (GPtrArray) hits = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("huizhen-harvest-XXXXXX", &error);
  g_autofree char *tests = NULL;
  g_autofree char *scheduler = NULL;
  g_autofree char *logs = NULL;

  g_assert_no_error (error);
  tests = g_build_filename (root, "tests", NULL);
  scheduler = g_build_filename (root, "scheduler", NULL);
  logs = g_build_filename (root, "logs", NULL);
  g_assert_cmpint (g_mkdir (tests, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (scheduler, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (logs, 0700), ==, 0);
  write_file (tests, "test-a.c",
              "#define ADMIN_PASSWORD \"planted-one\"\n"
              "login (fixture, \"chen.doctor\", \"planted-two\");\n"
              "\"{\\\"summary\\\": \\\"种植的摘要\\\", \\\"ref\\\": \\\"s\\\"}\"\n");
  write_file (tests, "story.mjs", "const user = { password: 'planted-three' };\n");
  write_file (scheduler, "demo.c", "#define DEMO_PASSWORD \"planted-four\"\n");
  write_file (logs, "daemon.log",
              "a planted-one b\nplanted-two\n种植的摘要\nplanted-three\nplanted-four\nref s\n");

  harvest_test_values (search, root);
  log_search_tree (search, logs, NULL, hits);
  for (guint i = 0; i < hits->len; i++)
    g_test_message ("%s", (const char *) g_ptr_array_index (hits, i));
  /* Each planted value is one hit; the one-letter "s" is too short to
   * search for. */
  g_assert_cmpuint (hits->len, ==, 5);

  remove_tree (root);
}

static void
test_logs_have_no_secrets (void)
{
  const char *dir = log_dir ();
  g_autoptr (LogSearch) search = log_search_new ();
  g_autoptr (GPtrArray) hits = g_ptr_array_new_with_free_func (g_free);
  guint n_secrets, n_files;

  if (dir == NULL)
    {
      g_test_skip ("HUIZHEN_LOG_DIR is not set; run through meson test");
      return;
    }
  n_secrets = add_saved_secrets (search, dir);
  log_search_add_credential_patterns (search);
  for (guint i = 0; i < G_N_ELEMENTS (known_patient_fields); i++)
    log_search_add_literal (search, "patient data", known_patient_fields[i]);
  harvest_test_values (search, g_getenv ("HUIZHEN_SOURCE_ROOT"));

  n_files = log_search_tree (search, dir, SECRETS_DIR, hits);
  g_test_message ("searched %u log file(s) below %s for %u value(s) and patterns, "
                  "from %u token secret(s)", n_files, dir, log_search_count_needles (search),
                  n_secrets);
  if (n_files == 0 || n_secrets == 0)
    {
      g_test_skip ("no logs or no token secrets collected; run the integration suite first");
      return;
    }
  report_hits (hits, "a secret or patient data (masked in the list)");
}

static void
test_logs_have_no_sanitizer_reports (void)
{
  const char *dir = log_dir ();
  g_autoptr (LogSearch) search = log_search_new ();
  g_autoptr (GPtrArray) hits = g_ptr_array_new_with_free_func (g_free);
  guint n_files;

  if (dir == NULL)
    {
      g_test_skip ("HUIZHEN_LOG_DIR is not set; run through meson test");
      return;
    }
  /* A daemon's exit status is not checked by every test, so a report that
   * it printed on its way out (LeakSanitizer) is found here. */
  log_search_set_masking (search, FALSE);
  log_search_add_pattern (search, "AddressSanitizer report", "ERROR: (AddressSanitizer|LeakSanitizer)");
  log_search_add_pattern (search, "UndefinedBehaviorSanitizer report", ": runtime error: ");
  n_files = log_search_tree (search, dir, SECRETS_DIR, hits);
  if (n_files == 0)
    {
      g_test_skip ("no logs collected; run the integration suite first");
      return;
    }
  report_hits (hits, "a sanitizer report; the log file named in each has the stack");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/log-search/finds-planted-secrets", test_search_finds_planted);
  g_test_add_func ("/log-search/harvests-test-values", test_search_harvests_values);
  g_test_add_func ("/logs/no-secrets", test_logs_have_no_secrets);
  g_test_add_func ("/logs/no-sanitizer-reports", test_logs_have_no_sanitizer_reports);
  return g_test_run ();
}
