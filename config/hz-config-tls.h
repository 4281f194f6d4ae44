/* TLS material named in the configuration: the certificate and key that a
 * daemon serves, and the CA bundle that the relay trusts for the scheduler.
 *
 * Both daemons call these at startup, so a missing file, a file without a
 * PEM certificate or a key that does not belong to its certificate stops
 * the daemon before it listens. Errors name the config file, the group and
 * key, the value and the reason, like hz_config_load().
 */
#pragma once

#include <gio/gio.h>

#include "hz-config.h"

G_BEGIN_DECLS

/* Loads [GROUP] tls-certificate and tls-key ("scheduler" or "relay") and
 * checks that the key matches the first certificate of the chain. Sets
 * *CERTIFICATE to NULL when the group has no TLS configured. */
gboolean hz_config_load_tls_certificate (const HzConfig   *config,
                                         const char       *group,
                                         GTlsCertificate **certificate,
                                         GError          **error);

/* Loads [relay] scheduler-ca-file into a database of trusted CAs. Sets
 * *DATABASE to NULL when the key is empty, which leaves the system's CAs
 * in force. */
gboolean hz_config_load_scheduler_ca (const HzConfig  *config,
                                      GTlsDatabase   **database,
                                      GError         **error);

G_END_DECLS
