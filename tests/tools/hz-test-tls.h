/* Self-signed certificates for tests, made with the openssl command-line
 * tool (Debian package openssl, installed by scripts/deps.sh). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Generates an EC P-256 key and a self-signed certificate valid for two
 * days for "localhost" and 127.0.0.1 (subjectAltName), as DIR/NAME.crt and
 * DIR/NAME.key (mode 0600). The certificate is its own CA, so a test
 * trusts it by naming the .crt file as a CA file. */
gboolean hz_test_tls_generate (const char  *dir,
                               const char  *name,
                               char       **certificate_path,
                               char       **key_path,
                               GError     **error);

G_END_DECLS
