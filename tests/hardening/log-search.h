/* A search of log files for secrets and patient data.
 *
 * A search contains needles: literal byte strings (a token secret in hex or
 * base64, a password, a patient's summary) and regular expressions (the
 * shapes of API keys and join tokens). Each needle has a kind, which the
 * report prints in place of the matched text, so a failing test shows where
 * a secret leaked without leaking it again.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LogSearch LogSearch;

LogSearch *log_search_new (void);
void log_search_free (LogSearch *search);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LogSearch, log_search_free)

/* Adds TEXT, matched byte for byte. Empty text is ignored. */
void log_search_add_literal (LogSearch  *search,
                             const char *kind,
                             const char *text);

/* Adds a regular expression (PCRE syntax, matched on raw bytes). */
void log_search_add_pattern (LogSearch  *search,
                             const char *kind,
                             const char *pattern);

/* Adds a 32-byte token secret as it could appear in text, and each key
 * derived from it the same way. The spellings are hex in either case and
 * base64 in the standard and the URL alphabet, with and without padding. */
void log_search_add_secret (LogSearch    *search,
                            const guint8 *bytes,
                            gsize         length);

/* Adds the API key, join token, bearer header and calendar feed URL
 * shapes. */
void log_search_add_credential_patterns (LogSearch *search);

/* Reports lines with the matches shown, for needles that are no secret
 * (sanitizer reports). Masking is on by default. */
void log_search_set_masking (LogSearch *search,
                             gboolean   masks);

guint log_search_count_needles (const LogSearch *search);

/* Searches every regular file below DIR, except below DIR/SKIP_DIR when
 * SKIP_DIR is not NULL, and appends one line per hit to HITS:
 * "FILE:LINE: [KIND] TEXT" with every needle in TEXT masked. Returns the
 * number of files read. */
guint log_search_tree (const LogSearch *search,
                       const char      *dir,
                       const char      *skip_dir,
                       GPtrArray       *hits);

G_END_DECLS
