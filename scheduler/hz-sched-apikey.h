/* API keys: "hz_" followed by 32 random bytes in unpadded base64url. The
 * database stores only the SHA-256 of a key, so a copy of the database
 * does not let anyone call the API. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HZ_API_KEY_PREFIX "hz_"
#define HZ_API_KEY_RANDOM_BYTES 32

/* Returns a new key from the kernel's random generator, or NULL with ERROR
 * set when it fails. */
char *hz_api_key_generate (GError **error);

/* Returns the lowercase hex SHA-256 of KEY. */
char *hz_api_key_hash (const char *key);

/* Encodes DATA as base64url without padding (RFC 4648, section 5). */
char *hz_base64url_encode (const guint8 *data,
                           gsize         length);

G_END_DECLS
