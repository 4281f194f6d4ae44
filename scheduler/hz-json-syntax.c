#include "hz-json-syntax.h"

#include <string.h>

typedef struct {
  const char *position;
  const char *end;
  int depth;
  int max_depth;
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

/* Checks the rest of a \u escape after "\u": no U+0000, and a high
 * surrogate must be followed by an escaped low surrogate. */
static gboolean
check_unicode_escape (Cursor *cursor)
{
  guint unit, low;

  if (!read_hex4 (cursor, &unit) || unit == 0)
    return FALSE;
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return FALSE;
  if (unit < 0xD800 || unit > 0xDBFF)
    return TRUE;

  if (!check_literal (cursor, "\\u") || !read_hex4 (cursor, &low))
    return FALSE;
  return low >= 0xDC00 && low <= 0xDFFF;
}

static gboolean
check_string (Cursor *cursor)
{
  cursor->position++;   /* the opening quote */

  while (!at_end (cursor))
    {
      guchar c = (guchar) *cursor->position++;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c != '\\')
        continue;

      if (at_end (cursor))
        return FALSE;
      c = (guchar) *cursor->position++;
      if (c == 'u')
        {
          if (!check_unicode_escape (cursor))
            return FALSE;
        }
      else if (c == '\0' || strchr ("\"\\/bfnrt", c) == NULL)
        return FALSE;
    }

  return FALSE;
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

/* Checks an object or array; IS_OBJECT selects "name": value members. */
static gboolean
check_container (Cursor   *cursor,
                 gboolean  is_object)
{
  char close = is_object ? '}' : ']';

  if (++cursor->depth > cursor->max_depth)
    return FALSE;

  cursor->position++;
  skip_whitespace (cursor);
  if (!at_end (cursor) && *cursor->position == close)
    {
      cursor->position++;
      cursor->depth--;
      return TRUE;
    }

  for (;;)
    {
      if (is_object)
        {
          skip_whitespace (cursor);
          if (at_end (cursor) || *cursor->position != '"' || !check_string (cursor))
            return FALSE;
          skip_whitespace (cursor);
          if (at_end (cursor) || *cursor->position != ':')
            return FALSE;
          cursor->position++;
        }

      if (!check_value (cursor))
        return FALSE;

      skip_whitespace (cursor);
      if (at_end (cursor))
        return FALSE;
      if (*cursor->position == ',')
        {
          cursor->position++;
          continue;
        }
      if (*cursor->position != close)
        return FALSE;

      cursor->position++;
      cursor->depth--;
      return TRUE;
    }
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
      return check_container (cursor, TRUE);
    case '[':
      return check_container (cursor, FALSE);
    case '"':
      return check_string (cursor);
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

gboolean
hz_json_check_object_syntax (const char *data,
                             gsize       length,
                             int         max_depth)
{
  Cursor cursor = { data, data + length, 0, max_depth };

  skip_whitespace (&cursor);
  if (at_end (&cursor) || *cursor.position != '{')
    return FALSE;

  if (!check_value (&cursor))
    return FALSE;

  skip_whitespace (&cursor);
  return at_end (&cursor);
}
