/* Reports kept on disk until the scheduler acknowledges them; see
 * report-journal.h. */
#include "report-journal.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#define JOURNAL_FOLDER ".reports"
#define SUFFIX ".json"

struct _HzReportJournal {
  char *dir;
  guint sequence;            /* makes participation names of one microsecond unique */
};

HzReportJournal *
hz_report_journal_open (const char *recordings_dir, GError **error)
{
  HzReportJournal *journal = g_new0 (HzReportJournal, 1);

  journal->dir = g_build_filename (recordings_dir, JOURNAL_FOLDER, NULL);
  if (g_mkdir_with_parents (journal->dir, 0700) != 0) {
    int saved_errno = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "cannot create the report journal %s: %s", journal->dir,
                 g_strerror (saved_errno));
    hz_report_journal_free (journal);
    return NULL;
  }
  return journal;
}

void
hz_report_journal_free (HzReportJournal *journal)
{
  if (journal == NULL)
    return;
  g_free (journal->dir);
  g_free (journal);
}

char *
hz_report_journal_recording_name (const char *path)
{
  char *name = g_strconcat ("recording-", path, NULL);

  /* Paths are SESSION/FILE with a numeric SESSION, so '_' keeps names unique. */
  g_strdelimit (name, "/", '_');
  return name;
}

char *
hz_report_journal_participation_name (HzReportJournal *journal, gint64 at)
{
  return g_strdup_printf ("participation-%020" G_GINT64_FORMAT "-%010u", at,
                          journal->sequence++);
}

static char *
entry_path (HzReportJournal *journal, const char *name)
{
  g_autofree char *file = g_strconcat (name, SUFFIX, NULL);

  return g_build_filename (journal->dir, file, NULL);
}

void
hz_report_journal_write (HzReportJournal *journal, const char *name, const char *body)
{
  g_autofree char *path = entry_path (journal, name);
  g_autoptr (GError) error = NULL;

  if (!g_file_set_contents_full (path, body, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &error))
    g_warning ("%s: the report is not kept for a restart: %s", name, error->message);
}

void
hz_report_journal_remove (HzReportJournal *journal, const char *name)
{
  g_autofree char *path = entry_path (journal, name);

  if (g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("%s: cannot remove %s: %s", name, path, g_strerror (errno));
}

void
hz_journal_entry_free (HzJournalEntry *entry)
{
  g_free (entry->name);
  g_free (entry->body);
  g_free (entry);
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const HzJournalEntry *first = *(HzJournalEntry *const *) a;
  const HzJournalEntry *second = *(HzJournalEntry *const *) b;

  return strcmp (first->name, second->name);
}

/* Whether FILE_NAME is a journal entry: "recording-*.json" or
 * "participation-*.json". g_file_set_contents() names its temporary
 * files ".NAME.XXXXXX", which this skips. */
static gboolean
is_entry_file (const char *file_name)
{
  return (g_str_has_prefix (file_name, "recording-")
          || g_str_has_prefix (file_name, "participation-"))
         && g_str_has_suffix (file_name, SUFFIX);
}

GPtrArray *
hz_report_journal_read_all (HzReportJournal *journal)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) hz_journal_entry_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (journal->dir, 0, &error);
  const char *file_name;

  if (dir == NULL) {
    g_warning ("cannot read the report journal: %s", error->message);
    return entries;
  }
  while ((file_name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = NULL;
    HzJournalEntry *entry;

    if (!is_entry_file (file_name))
      continue;
    path = g_build_filename (journal->dir, file_name, NULL);
    entry = g_new0 (HzJournalEntry, 1);
    entry->name = g_strndup (file_name, strlen (file_name) - strlen (SUFFIX));
    if (!g_file_get_contents (path, &entry->body, NULL, &error)) {
      g_warning ("%s: cannot read it: %s", entry->name, error->message);
      g_clear_error (&error);
      hz_journal_entry_free (entry);
      continue;
    }
    g_ptr_array_add (entries, entry);
  }
  g_ptr_array_sort (entries, compare_entries);
  return entries;
}
