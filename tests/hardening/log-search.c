/* Searching log files for secrets; see log-search.h. */
#include "log-search.h"

#include <gio/gio.h>
#include <string.h>

#include "hz-secret.h"

typedef struct {
  char *kind;
  char *literal;     /* either this, */
  gsize length;
  GRegex *regex;     /* or this */
} Needle;

struct _LogSearch {
  GPtrArray *needles;    /* Needle * */
  gboolean masks;        /* whether reported lines hide what matched */
};

/* The purposes that hz_secret_derive() is called with in common/. */
static const char *const derived_key_purposes[] = { "join-token", "relay-report" };

static void
needle_free (gpointer data)
{
  Needle *needle = data;

  g_free (needle->kind);
  g_free (needle->literal);
  g_clear_pointer (&needle->regex, g_regex_unref);
  g_free (needle);
}

LogSearch *
log_search_new (void)
{
  LogSearch *search = g_new0 (LogSearch, 1);

  search->needles = g_ptr_array_new_with_free_func (needle_free);
  search->masks = TRUE;
  return search;
}

void
log_search_free (LogSearch *search)
{
  g_ptr_array_unref (search->needles);
  g_free (search);
}

void
log_search_set_masking (LogSearch *search, gboolean masks)
{
  search->masks = masks;
}

guint
log_search_count_needles (const LogSearch *search)
{
  return search->needles->len;
}

void
log_search_add_literal (LogSearch *search, const char *kind, const char *text)
{
  Needle *needle;

  if (text == NULL || text[0] == '\0')
    return;
  needle = g_new0 (Needle, 1);
  needle->kind = g_strdup (kind);
  needle->literal = g_strdup (text);
  needle->length = strlen (text);
  g_ptr_array_add (search->needles, needle);
}

void
log_search_add_pattern (LogSearch *search, const char *kind, const char *pattern)
{
  g_autoptr (GError) error = NULL;
  Needle *needle = g_new0 (Needle, 1);

  needle->kind = g_strdup (kind);
  needle->regex = g_regex_new (pattern, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0, &error);
  g_assert_no_error (error);
  g_ptr_array_add (search->needles, needle);
}

/* Adds BASE64 (standard alphabet, padded) in the four spellings that code
 * might print: standard or URL alphabet, with or without "=" padding. */
static void
add_base64_spellings (LogSearch *search, const char *kind, const char *base64)
{
  g_autofree char *url = g_strdup (base64);
  g_autofree char *unpadded = g_strdup (base64);

  g_strdelimit (url, "+", '-');
  g_strdelimit (url, "/", '_');
  log_search_add_literal (search, kind, base64);
  log_search_add_literal (search, kind, url);
  *strchrnul (unpadded, '=') = '\0';
  log_search_add_literal (search, kind, unpadded);
  *strchrnul (url, '=') = '\0';
  log_search_add_literal (search, kind, url);
}

static void
add_key_spellings (LogSearch *search, const char *kind, const guint8 *bytes, gsize length)
{
  g_autoptr (GString) hex = g_string_new (NULL);
  g_autofree char *upper = NULL;
  g_autofree char *base64 = g_base64_encode (bytes, length);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  upper = g_ascii_strup (hex->str, -1);
  log_search_add_literal (search, kind, hex->str);
  log_search_add_literal (search, kind, upper);
  add_base64_spellings (search, kind, base64);
}

void
log_search_add_secret (LogSearch *search, const guint8 *bytes, gsize length)
{
  HzSecret secret;

  g_assert_cmpuint (length, ==, HZ_SECRET_LENGTH);
  memcpy (secret.bytes, bytes, HZ_SECRET_LENGTH);
  add_key_spellings (search, "token secret", secret.bytes, HZ_SECRET_LENGTH);

  for (guint i = 0; i < G_N_ELEMENTS (derived_key_purposes); i++)
    {
      guint8 key[HZ_SECRET_LENGTH];

      hz_secret_derive (&secret, derived_key_purposes[i], key);
      add_key_spellings (search, "derived key", key, sizeof key);
    }
}

void
log_search_add_credential_patterns (LogSearch *search)
{
  /* "hz_" and 32 random bytes in unpadded base64url (scheduler/hz-sched-apikey.h). */
  log_search_add_pattern (search, "API key", "hz_[A-Za-z0-9_-]{43}");
  /* "v1." and a base64url payload, which starts "sid=" (common/hz-token.h);
   * 16 characters are enough to tell a token, or a part of one, from a
   * version number. */
  log_search_add_pattern (search, "join token", "v1\\.[A-Za-z0-9_-]{16,}");
  log_search_add_pattern (search, "Authorization header", "Bearer\\s+[A-Za-z0-9._~+/=-]{8,}");
  /* The calendar feed URL carries its token in the path. */
  log_search_add_pattern (search, "calendar feed token", "/ical/[A-Za-z0-9_-]{43}");
}

/* Finds the first match of NEEDLE in LINE at or after START. */
static gboolean
needle_find (const Needle *needle, const char *line, gsize length, gsize start,
             gsize *match_start, gsize *match_end)
{
  if (needle->literal != NULL)
    {
      const char *found = memmem (line + start, length - start, needle->literal, needle->length);

      if (found == NULL)
        return FALSE;
      *match_start = (gsize) (found - line);
      *match_end = *match_start + needle->length;
      return TRUE;
    }
  else
    {
      g_autoptr (GMatchInfo) match = NULL;
      int begin = 0, end = 0;

      if (!g_regex_match_full (needle->regex, line, (gssize) length, (int) start, 0, &match, NULL))
        return FALSE;
      g_match_info_fetch_pos (match, 0, &begin, &end);
      *match_start = (gsize) begin;
      *match_end = (gsize) MAX (end, begin + 1);
      return TRUE;
    }
}

/* Returns LINE with every match of NEEDLE replaced by "[KIND]", or NULL
 * when NEEDLE does not occur. */
static char *
mask_needle (const Needle *needle, const char *line)
{
  g_autoptr (GString) masked = NULL;
  gsize length = strlen (line), position = 0, match_start, match_end;

  while (position < length
         && needle_find (needle, line, length, position, &match_start, &match_end))
    {
      if (masked == NULL)
        masked = g_string_new (NULL);
      g_string_append_len (masked, line + position, (gssize) (match_start - position));
      g_string_append_printf (masked, "[%s]", needle->kind);
      position = match_end;
    }
  if (masked == NULL)
    return NULL;
  g_string_append (masked, line + MIN (position, length));
  return g_string_free (g_steal_pointer (&masked), FALSE);
}

/* Appends a hit to HITS when LINE contains a needle. The masked line is
 * made valid UTF-8, so it can go into TAP output. */
static void
search_line (const LogSearch *search, const char *path, guint number, const char *line,
             GPtrArray *hits)
{
  g_autofree char *masked = g_strdup (line);
  g_autoptr (GString) kinds = g_string_new (NULL);
  g_autofree char *printable = NULL;

  for (guint i = 0; i < search->needles->len; i++)
    {
      const Needle *needle = g_ptr_array_index (search->needles, i);
      char *replaced = mask_needle (needle, masked);

      if (replaced == NULL)
        continue;
      g_free (masked);
      masked = replaced;
      if (strstr (kinds->str, needle->kind) == NULL)
        g_string_append_printf (kinds, "%s%s", kinds->len > 0 ? ", " : "", needle->kind);
    }
  if (kinds->len == 0)
    return;

  printable = g_utf8_make_valid (search->masks ? masked : line, -1);
  g_ptr_array_add (hits, g_strdup_printf ("%s:%u: [%s] %s", path, number, kinds->str, printable));
}

static gboolean
file_has_hit (const LogSearch *search, const char *contents, gsize length)
{
  gsize match_start, match_end;

  for (guint i = 0; i < search->needles->len; i++)
    {
      if (needle_find (g_ptr_array_index (search->needles, i), contents, length, 0,
                       &match_start, &match_end))
        return TRUE;
    }
  return FALSE;
}

static void
search_file (const LogSearch *search, const char *path, GPtrArray *hits)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  /* A NUL byte would end the line early; logs have none, but show them. */
  for (gsize i = 0; i < length; i++)
    if (contents[i] == '\0')
      contents[i] = '?';

  /* Most files have no hit. So each needle is first searched for in the
   * whole file, and only a file with a hit is read line by line. */
  if (!file_has_hit (search, contents, length))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    search_line (search, path, i + 1, lines[i], hits);
}

guint
log_search_tree (const LogSearch *search, const char *dir, const char *skip_dir,
                 GPtrArray *hits)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n_files = 0;

  if (handle == NULL)
    return 0;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (skip_dir == NULL || !g_str_equal (name, skip_dir))
            n_files += log_search_tree (search, path, NULL, hits);
          continue;
        }
      search_file (search, path, hits);
      n_files++;
    }
  return n_files;
}
