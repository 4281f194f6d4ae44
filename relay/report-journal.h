/* Reports that the scheduler has not acknowledged yet, kept on disk.
 *
 * Each pending report is a file RECORDINGS_DIR/.reports/NAME.json (mode
 * 0600, in a 0700 folder) holding the JSON body to POST. A file is written
 * before its report is first sent, replaced by each newer report of the
 * same subject, and removed once the scheduler has acknowledged the last
 * report of that subject. A relay that restarts sends what is left.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HzReportJournal HzReportJournal;

/* Creates RECORDINGS_DIR/.reports if needed. */
HzReportJournal *hz_report_journal_open (const char *recordings_dir,
                                         GError    **error);

void hz_report_journal_free (HzReportJournal *journal);

/* The journal name of the recording at PATH ("12/5-video.webm"):
 * "recording-12_5-video.webm". */
char *hz_report_journal_recording_name (const char *path);

/* A new journal name for one participation event at AT (microseconds since
 * the Unix epoch); names sort in the order of the events. */
char *hz_report_journal_participation_name (HzReportJournal *journal,
                                            gint64           at);

/* Stores BODY under NAME, replacing an older body, durably (written to a
 * temporary file, synced and renamed). A failure is logged: the report is
 * still sent, but would not survive a restart. */
void hz_report_journal_write (HzReportJournal *journal,
                              const char      *name,
                              const char      *body);

void hz_report_journal_remove (HzReportJournal *journal,
                               const char      *name);

typedef struct {
  char *name;
  char *body;
} HzJournalEntry;

void hz_journal_entry_free (HzJournalEntry *entry);

/* Returns the stored reports (HzJournalEntry) sorted by name. Files that
 * are not journal entries are skipped. */
GPtrArray *hz_report_journal_read_all (HzReportJournal *journal);

G_END_DECLS
