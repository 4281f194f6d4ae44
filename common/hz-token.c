/* Join tokens: signing by the scheduler, verification by the relay. */
#define G_LOG_DOMAIN "huizhen-common"

#include "hz-token.h"

#include <string.h>

#define TOKEN_PREFIX "v1."

G_DEFINE_QUARK (hz-token-error-quark, hz_token_error)

static const char *const error_codes[] = {
  [HZ_TOKEN_ERROR_MALFORMED] = "token_malformed",
  [HZ_TOKEN_ERROR_BAD_SIGNATURE] = "token_bad_signature",
  [HZ_TOKEN_ERROR_EXPIRED] = "token_expired",
  [HZ_TOKEN_ERROR_NOT_YET_VALID] = "token_not_yet_valid",
  [HZ_TOKEN_ERROR_WRONG_SESSION] = "token_wrong_session",
};

const char *
hz_token_error_code (int code)
{
  if (code < 0 || code >= (int) G_N_ELEMENTS (error_codes))
    return "token_malformed";
  return error_codes[code];
}

void
hz_join_token_clear (HzJoinToken *token)
{
  g_clear_pointer (&token->name, g_free);
}

const char *
hz_token_role_to_string (HzTokenRole role)
{
  return role == HZ_TOKEN_ROLE_VIEW ? "view" : "publish";
}

gboolean
hz_token_role_from_string (const char *text, HzTokenRole *role)
{
  if (g_strcmp0 (text, "publish") == 0)
    *role = HZ_TOKEN_ROLE_PUBLISH;
  else if (g_strcmp0 (text, "view") == 0)
    *role = HZ_TOKEN_ROLE_VIEW;
  else
    return FALSE;
  return TRUE;
}

/* RFC 4648 section 5 alphabet, without padding. */
static char *
base64url_encode (const guint8 *data, gsize length)
{
  char *text = g_base64_encode (data, length);

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

static guint8 *
base64url_decode (const char *text, gsize text_length, gsize *out_length)
{
  g_autoptr(GString) standard = g_string_sized_new (text_length + 3);

  for (gsize i = 0; i < text_length; i++)
    {
      char c = text[i];
      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (standard, c);
    }
  if (standard->len % 4 == 1)
    return NULL;
  while (standard->len % 4 != 0)
    g_string_append_c (standard, '=');
  return g_base64_decode (standard->str, out_length);
}

static void
compute_mac (const HzSecret *secret, const char *signed_part, gsize length,
             guint8 mac[32])
{
  guint8 key[HZ_SECRET_LENGTH];
  g_autoptr(GHmac) hmac = NULL;
  gsize mac_length = 32;

  hz_secret_derive (secret, "join-token", key);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key, sizeof key);
  g_hmac_update (hmac, (const guchar *) signed_part, (gssize) length);
  g_hmac_get_digest (hmac, mac, &mac_length);
}

char *
hz_token_sign (const HzSecret *secret, const HzJoinToken *token)
{
  g_autofree char *name = g_uri_escape_string (token->name ? token->name : "", NULL, FALSE);
  g_autofree char *payload = NULL;
  g_autofree char *payload_b64 = NULL;
  g_autofree char *signed_part = NULL;
  g_autofree char *mac_b64 = NULL;
  guint8 mac[32];

  payload = g_strdup_printf ("sid=%" G_GINT64_FORMAT "&uid=%" G_GINT64_FORMAT
                             "&role=%s&nbf=%" G_GINT64_FORMAT "&exp=%" G_GINT64_FORMAT
                             "&name=%s",
                             token->session_id, token->user_id,
                             hz_token_role_to_string (token->role),
                             token->not_before, token->expires, name);
  payload_b64 = base64url_encode ((const guint8 *) payload, strlen (payload));
  signed_part = g_strconcat (TOKEN_PREFIX, payload_b64, NULL);
  compute_mac (secret, signed_part, strlen (signed_part), mac);
  mac_b64 = base64url_encode (mac, sizeof mac);
  return g_strconcat (signed_part, ".", mac_b64, NULL);
}

static gboolean
parse_int_field (GHashTable *fields, const char *key, gint64 min, gint64 *out)
{
  const char *text = g_hash_table_lookup (fields, key);

  return text != NULL &&
         g_ascii_string_to_signed (text, 10, min, G_MAXINT64, out, NULL);
}

static gboolean
parse_payload (const char *payload, HzJoinToken *out)
{
  g_autoptr(GHashTable) fields = NULL;
  const char *name;

  fields = g_uri_parse_params (payload, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (fields == NULL)
    return FALSE;
  if (!parse_int_field (fields, "sid", 1, &out->session_id) ||
      !parse_int_field (fields, "uid", 1, &out->user_id) ||
      !parse_int_field (fields, "nbf", 0, &out->not_before) ||
      !parse_int_field (fields, "exp", 0, &out->expires) ||
      !hz_token_role_from_string (g_hash_table_lookup (fields, "role"), &out->role))
    return FALSE;

  name = g_hash_table_lookup (fields, "name");
  if (name != NULL && !g_utf8_validate (name, -1, NULL))
    return FALSE;
  out->name = g_strdup (name ? name : "");
  return out->not_before <= out->expires;
}

gboolean
hz_token_verify (const HzSecret *secret,
                 const char     *text,
                 gint64          session_id,
                 gint64          now,
                 HzJoinToken    *out,
                 GError        **error)
{
  g_auto(HzJoinToken) token = { 0 };
  g_autofree guint8 *mac = NULL;
  g_autofree guint8 *payload = NULL;
  g_autofree char *payload_text = NULL;
  const char *dot;
  gsize text_length, mac_length = 0, payload_length = 0;
  guint8 expected[32];
  guint8 difference = 0;

  text_length = text ? strnlen (text, HZ_TOKEN_MAX_LENGTH + 1) : 0;
  if (text_length == 0 || text_length > HZ_TOKEN_MAX_LENGTH ||
      !g_str_has_prefix (text, TOKEN_PREFIX) ||
      (dot = strchr (text + strlen (TOKEN_PREFIX), '.')) == NULL)
    goto malformed;

  mac = base64url_decode (dot + 1, text_length - (gsize) (dot + 1 - text), &mac_length);
  if (mac == NULL || mac_length != sizeof expected)
    goto malformed;

  /* Reject every encoding but the canonical one: g_base64_decode() ignores
   * the two spare bits of the last character, and a token whose text was
   * altered must not verify. */
  {
    g_autofree char *canonical = base64url_encode (mac, mac_length);

    if (strcmp (canonical, dot + 1) != 0)
      {
        g_set_error_literal (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_BAD_SIGNATURE,
                             "Join token signature does not match");
        return FALSE;
      }
  }

  compute_mac (secret, text, (gsize) (dot - text), expected);
  for (gsize i = 0; i < sizeof expected; i++)
    difference |= expected[i] ^ mac[i];
  if (difference != 0)
    {
      g_set_error_literal (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_BAD_SIGNATURE,
                           "Join token signature does not match");
      return FALSE;
    }

  /* The signature is valid, so a payload that fails to parse was signed by
   * a scheduler of another version. */
  payload = base64url_decode (text + strlen (TOKEN_PREFIX),
                              (gsize) (dot - text) - strlen (TOKEN_PREFIX), &payload_length);
  if (payload == NULL)
    goto malformed;
  payload_text = g_strndup ((const char *) payload, payload_length);
  if (strlen (payload_text) != payload_length || !parse_payload (payload_text, &token))
    goto malformed;

  if (token.session_id != session_id)
    {
      g_set_error (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_WRONG_SESSION,
                   "Join token is for session %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT,
                   token.session_id, session_id);
      return FALSE;
    }
  if (now < token.not_before)
    {
      g_set_error (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_NOT_YET_VALID,
                   "Join token is valid from %" G_GINT64_FORMAT, token.not_before);
      return FALSE;
    }
  if (now >= token.expires)
    {
      g_set_error (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_EXPIRED,
                   "Join token expired at %" G_GINT64_FORMAT, token.expires);
      return FALSE;
    }

  if (out != NULL)
    {
      *out = token;
      token.name = NULL;
    }
  return TRUE;

malformed:
  g_set_error_literal (error, HZ_TOKEN_ERROR, HZ_TOKEN_ERROR_MALFORMED,
                       "Join token is not of the form v1.PAYLOAD.SIGNATURE");
  return FALSE;
}
