/* The secret shared by the scheduler and the relay.
 *
 * Both daemons read the same file. It signs join tokens and the relay's
 * reports to the scheduler, so neither needs the other's database.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_SECRET_LENGTH 32

typedef struct {
  guint8 bytes[HZ_SECRET_LENGTH];
} HzSecret;

/* Reads the secret from PATH, creating the file (mode 0600, 32 random bytes
 * from the kernel) and its parent directory when it does not exist.
 * Creation is atomic, so two daemons starting at once read the same secret.
 * A file of another length or readable by group or others is an error. */
gboolean hz_secret_load_or_create (const char *path,
                                   HzSecret   *secret,
                                   GError    **error);

/* Derives a key for one purpose ("join-token", "relay-report") so that a
 * signature made for one purpose is never valid for another. */
void hz_secret_derive (const HzSecret *secret,
                       const char     *purpose,
                       guint8          key[HZ_SECRET_LENGTH]);

G_END_DECLS
