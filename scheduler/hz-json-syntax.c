#include "hz-json-syntax.h"

#include <string.h>

/* Maximum length, in characters, of the field path that *NUL_FIELD
 * reports; a longer one is cut and ends in "…". */
#define NUL_FIELD_MAX_CHARS 100

typedef struct {
  const char *position;
  const char *end;
  int depth;
  int max_depth;
  GString *path;       /* path of the value being checked, "" for the body */
  char *nul_field;     /* path of the first string value with U+0000, or NULL */
} Cursor;

static gboolean check_value (Cursor *cursor);

static gboolean
at_end (const Cursor *cursor)
{
  return cursor->position >= cursor->end;
}

static void
skip_whitespace (Cursor *cursor)
{
  while (!at_end (cursor))
    {
      char c = *cursor->position;

      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        return;
      cursor->position++;
    }
}

static gboolean
check_literal (Cursor     *cursor,
               const char *word)
{
  gsize length = strlen (word);

  if ((gsize) (cursor->end - cursor->position) < length ||
      memcmp (cursor->position, word, length) != 0)
    return FALSE;

  cursor->position += length;
  return TRUE;
}

/* Reads the four hex digits of a \u escape. */
static gboolean
read_hex4 (Cursor  *cursor,
           guint   *value)
{
  *value = 0;
  for (int i = 0; i < 4; i++)
    {
      if (at_end (cursor) || !g_ascii_isxdigit (*cursor->position))
        return FALSE;
      *value = *value * 16 + (guint) g_ascii_xdigit_value (*cursor->position);
      cursor->position++;
    }
  return TRUE;
}

/* Reads the rest of a \u escape after "\u" into *CHARACTER. A high
 * surrogate must be followed by an escaped low surrogate. */
static gboolean
read_unicode_escape (Cursor   *cursor,
                     gunichar *character)
{
  guint unit, low;

  if (!read_hex4 (cursor, &unit))
    return FALSE;
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return FALSE;
  if (unit < 0xD800 || unit > 0xDBFF)
    {
      *character = unit;
      return TRUE;
    }

  if (!check_literal (cursor, "\\u") || !read_hex4 (cursor, &low))
    return FALSE;
  if (low < 0xDC00 || low > 0xDFFF)
    return FALSE;
  *character = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
  return TRUE;
}

/* Returns the character that the one-letter escape C stands for, or 0
 * when C is not one. */
static char
simple_escape (char c)
{
  switch (c)
    {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
    }
}

/* Checks a string and appends its decoded text to DECODED unless that is
 * NULL. Sets *HAS_NUL when the text contains U+0000. */
static gboolean
read_string (Cursor   *cursor,
             GString  *decoded,
             gboolean *has_nul)
{
  *has_nul = FALSE;
  cursor->position++;   /* the opening quote */

  while (!at_end (cursor))
    {
      const char *start = cursor->position;
      guchar c = (guchar) *cursor->position++;
      gunichar character;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c != '\\')
        {
          if (decoded != NULL)
            g_string_append_len (decoded, start, 1);
          continue;
        }

      if (at_end (cursor))
        return FALSE;
      c = (guchar) *cursor->position++;
      if (c == 'u')
        {
          if (!read_unicode_escape (cursor, &character))
            return FALSE;
          if (character == 0)
            *has_nul = TRUE;
          if (decoded != NULL)
            g_string_append_unichar (decoded, character);
        }
      else if (simple_escape ((char) c) == 0)
        return FALSE;
      else if (decoded != NULL)
        g_string_append_c (decoded, simple_escape ((char) c));
    }

  return FALSE;
}

/* Records the current path as the first field with U+0000. */
static void
note_nul_field (Cursor *cursor)
{
  g_autofree char *start = NULL;

  if (cursor->nul_field != NULL)
    return;
  if (g_utf8_strlen (cursor->path->str, -1) <= NUL_FIELD_MAX_CHARS)
    {
      cursor->nul_field = g_strdup (cursor->path->str);
      return;
    }

  start = g_utf8_substring (cursor->path->str, 0, NUL_FIELD_MAX_CHARS);
  cursor->nul_field = g_strconcat (start, "…", NULL);
}

static gboolean
check_string_value (Cursor *cursor)
{
  gboolean has_nul;

  if (!read_string (cursor, NULL, &has_nul))
    return FALSE;
  if (has_nul)
    note_nul_field (cursor);
  return TRUE;
}

static gboolean
skip_digits (Cursor *cursor)
{
  const char *start = cursor->position;

  while (!at_end (cursor) && g_ascii_isdigit (*cursor->position))
    cursor->position++;
  return cursor->position > start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
check_number (Cursor *cursor)
{
  if (!at_end (cursor) && *cursor->position == '-')
    cursor->position++;
  if (at_end (cursor))
    return FALSE;

  if (*cursor->position == '0')
    cursor->position++;
  else if (!skip_digits (cursor))
    return FALSE;

  if (!at_end (cursor) && *cursor->position == '.')
    {
      cursor->position++;
      if (!skip_digits (cursor))
        return FALSE;
    }

  if (!at_end (cursor) && (*cursor->position == 'e' || *cursor->position == 'E'))
    {
      cursor->position++;
      if (!at_end (cursor) && (*cursor->position == '+' || *cursor->position == '-'))
        cursor->position++;
      if (!skip_digits (cursor))
        return FALSE;
    }

  return TRUE;
}

/* Reads a member name: a string without U+0000, which must differ from
 * the other names of its object, NAMES. */
static gboolean
read_member_name (Cursor     *cursor,
                  GHashTable *names,
                  GString    *name)
{
  gboolean has_nul;

  skip_whitespace (cursor);
  if (at_end (cursor) || *cursor->position != '"' || !read_string (cursor, name, &has_nul))
    return FALSE;
  if (has_nul || g_hash_table_contains (names, name->str))
    return FALSE;

  g_hash_table_add (names, g_strdup (name->str));
  skip_whitespace (cursor);
  if (at_end (cursor) || *cursor->position != ':')
    return FALSE;
  cursor->position++;
  return TRUE;
}

/* Reads the "," or CLOSE after a member or element, and sets *DONE at
 * CLOSE. Returns FALSE for anything else. */
static gboolean
read_separator (Cursor   *cursor,
                char      close,
                gboolean *done)
{
  skip_whitespace (cursor);
  if (at_end (cursor))
    return FALSE;

  *done = *cursor->position == close;
  if (!*done && *cursor->position != ',')
    return FALSE;
  cursor->position++;
  return TRUE;
}

/* Enters an object or array: checks the depth and skips the bracket, and
 * CLOSE too when it follows, which sets *EMPTY. Returns FALSE when too
 * deep. The caller leaves the depth again. */
static gboolean
enter_container (Cursor   *cursor,
                 char      close,
                 gboolean *empty)
{
  if (++cursor->depth > cursor->max_depth)
    return FALSE;

  cursor->position++;
  skip_whitespace (cursor);
  *empty = !at_end (cursor) && *cursor->position == close;
  if (*empty)
    cursor->position++;
  return TRUE;
}

static gboolean
check_object (Cursor *cursor)
{
  g_autoptr (GHashTable) names = NULL;
  g_autoptr (GString) name = g_string_new (NULL);
  gsize path_length = cursor->path->len;
  gboolean done = FALSE;

  if (!enter_container (cursor, '}', &done))
    return FALSE;

  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while (!done)
    {
      gboolean valid;

      g_string_truncate (name, 0);
      if (!read_member_name (cursor, names, name))
        return FALSE;

      if (path_length > 0)
        g_string_append_c (cursor->path, '.');
      g_string_append_len (cursor->path, name->str, (gssize) name->len);
      valid = check_value (cursor);
      g_string_truncate (cursor->path, path_length);

      if (!valid || !read_separator (cursor, '}', &done))
        return FALSE;
    }

  cursor->depth--;
  return TRUE;
}

static gboolean
check_array (Cursor *cursor)
{
  gsize path_length = cursor->path->len;
  gboolean done = FALSE;

  if (!enter_container (cursor, ']', &done))
    return FALSE;

  for (guint index = 0; !done; index++)
    {
      gboolean valid;

      g_string_append_printf (cursor->path, "[%u]", index);
      valid = check_value (cursor);
      g_string_truncate (cursor->path, path_length);

      if (!valid || !read_separator (cursor, ']', &done))
        return FALSE;
    }

  cursor->depth--;
  return TRUE;
}

static gboolean
check_value (Cursor *cursor)
{
  skip_whitespace (cursor);
  if (at_end (cursor))
    return FALSE;

  switch (*cursor->position)
    {
    case '{':
      return check_object (cursor);
    case '[':
      return check_array (cursor);
    case '"':
      return check_string_value (cursor);
    case 't':
      return check_literal (cursor, "true");
    case 'f':
      return check_literal (cursor, "false");
    case 'n':
      return check_literal (cursor, "null");
    default:
      return check_number (cursor);
    }
}

HzJsonSyntax
hz_json_check_object_syntax (const char  *data,
                             gsize        length,
                             int          max_depth,
                             char       **nul_field)
{
  g_autoptr (GString) path = g_string_new (NULL);
  Cursor cursor = { data, data + length, 0, max_depth, path, NULL };
  g_autofree char *first_nul_field = NULL;
  gboolean valid;

  skip_whitespace (&cursor);
  valid = !at_end (&cursor) && *cursor.position == '{' && check_value (&cursor);
  if (valid)
    {
      skip_whitespace (&cursor);
      valid = at_end (&cursor);
    }

  first_nul_field = g_steal_pointer (&cursor.nul_field);
  if (!valid)
    return HZ_JSON_SYNTAX_INVALID;
  if (first_nul_field == NULL)
    return HZ_JSON_SYNTAX_VALID;

  if (nul_field != NULL)
    *nul_field = g_steal_pointer (&first_nul_field);
  return HZ_JSON_SYNTAX_NUL_IN_STRING;
}
