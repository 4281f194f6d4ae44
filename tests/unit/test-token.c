/* Join token signing and verification. */
#include <glib.h>
#include <string.h>

#include "hz-token.h"

#define SESSION 42
#define NOW G_GINT64_CONSTANT (1800000000)

static void
fill_secret (HzSecret *secret, guint8 seed)
{
  for (gsize i = 0; i < HZ_SECRET_LENGTH; i++)
    secret->bytes[i] = (guint8) (seed + i);
}

static char *
sign_default (const HzSecret *secret)
{
  HzJoinToken token = {
    .session_id = SESSION,
    .user_id = 7,
    .role = HZ_TOKEN_ROLE_PUBLISH,
    .not_before = NOW - 60,
    .expires = NOW + 3600,
    .name = (char *) "李医生 & Dr. Li=1",
  };
  return hz_token_sign (secret, &token);
}

static void
assert_token_error (const HzSecret *secret, const char *text, gint64 session, gint64 now,
                    HzTokenError expected)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (hz_token_verify (secret, text, session, now, NULL, &error));
  g_assert_error (error, HZ_TOKEN_ERROR, (int) expected);
}

static void
test_token_round_trip (void)
{
  HzSecret secret;
  g_autofree char *text = NULL;
  g_auto(HzJoinToken) token = { 0 };
  g_autoptr(GError) error = NULL;

  fill_secret (&secret, 1);
  text = sign_default (&secret);
  g_assert_true (g_str_has_prefix (text, "v1."));
  g_assert_true (hz_token_verify (&secret, text, SESSION, NOW, &token, &error));
  g_assert_no_error (error);
  g_assert_cmpint (token.session_id, ==, SESSION);
  g_assert_cmpint (token.user_id, ==, 7);
  g_assert_cmpint (token.role, ==, HZ_TOKEN_ROLE_PUBLISH);
  g_assert_cmpint (token.not_before, ==, NOW - 60);
  g_assert_cmpint (token.expires, ==, NOW + 3600);
  g_assert_cmpstr (token.name, ==, "李医生 & Dr. Li=1");
}

static void
test_token_window (void)
{
  HzSecret secret;
  g_autofree char *text = NULL;

  fill_secret (&secret, 1);
  text = sign_default (&secret);
  g_assert_true (hz_token_verify (&secret, text, SESSION, NOW - 60, NULL, NULL));
  g_assert_true (hz_token_verify (&secret, text, SESSION, NOW + 3599, NULL, NULL));
  assert_token_error (&secret, text, SESSION, NOW - 61, HZ_TOKEN_ERROR_NOT_YET_VALID);
  assert_token_error (&secret, text, SESSION, NOW + 3600, HZ_TOKEN_ERROR_EXPIRED);
}

static void
test_token_wrong_session (void)
{
  HzSecret secret;
  g_autofree char *text = NULL;

  fill_secret (&secret, 1);
  text = sign_default (&secret);
  assert_token_error (&secret, text, SESSION + 1, NOW, HZ_TOKEN_ERROR_WRONG_SESSION);
  g_assert_cmpstr (hz_token_error_code (HZ_TOKEN_ERROR_WRONG_SESSION), ==, "token_wrong_session");
}

/* Flipping any single bit of a token must never yield a valid token. Several
 * users give signatures whose last characters differ, because the spare bits
 * of the last base64url character are the easiest to miss. */
static void
test_token_tampered (void)
{
  HzSecret secret;

  fill_secret (&secret, 1);
  for (gint64 user = 1; user <= 40; user++)
    {
      HzJoinToken token = { SESSION, user, HZ_TOKEN_ROLE_PUBLISH, NOW - 60, NOW + 3600, NULL };
      g_autofree char *text = hz_token_sign (&secret, &token);
      gsize length = strlen (text);

      g_assert_true (hz_token_verify (&secret, text, SESSION, NOW, NULL, NULL));
      for (gsize i = 0; i < length; i++)
        for (int bit = 0; bit < 8; bit++)
          {
            g_autofree char *copy = g_strdup (text);
            g_autoptr(GError) error = NULL;

            copy[i] ^= (char) (1 << bit);
            if (copy[i] == '\0')
              continue;
            if (hz_token_verify (&secret, copy, SESSION, NOW, NULL, &error))
              g_error ("token of user %" G_GINT64_FORMAT " verified with bit %d of "
                       "character %" G_GSIZE_FORMAT " flipped", user, bit, i);
            g_assert_true (error->domain == HZ_TOKEN_ERROR);
            g_assert_true (error->code == HZ_TOKEN_ERROR_MALFORMED ||
                           error->code == HZ_TOKEN_ERROR_BAD_SIGNATURE);
          }
    }
}

static void
test_token_payload_swapped (void)
{
  HzSecret secret;
  g_autofree char *text = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *payload_b64 = NULL;
  const char *signature;

  fill_secret (&secret, 1);
  text = sign_default (&secret);
  signature = strrchr (text, '.');
  /* A payload that grants another user, with the original signature. */
  payload_b64 = g_base64_encode ((const guchar *) "sid=42&uid=8&role=publish&nbf=0&exp=2000000000&name=x", 53);
  for (char *p = payload_b64; *p; p++)
    if (*p == '+') *p = '-'; else if (*p == '/') *p = '_'; else if (*p == '=') *p = '\0';
  forged = g_strconcat ("v1.", payload_b64, signature, NULL);
  assert_token_error (&secret, forged, SESSION, NOW, HZ_TOKEN_ERROR_BAD_SIGNATURE);
}

static void
test_token_other_secret (void)
{
  HzSecret secret, other;
  g_autofree char *text = NULL;

  fill_secret (&secret, 1);
  fill_secret (&other, 2);
  text = sign_default (&secret);
  assert_token_error (&other, text, SESSION, NOW, HZ_TOKEN_ERROR_BAD_SIGNATURE);
}

static void
test_token_malformed (void)
{
  static const char *const cases[] = {
    "", "v1", "v1.", "v1..", "v2.abc.def", "v1.abc", "v1.abc.", "v1.@@@.AAAA",
    "v1.c2lkPTQy.AAAA", "garbage token with spaces",
  };
  HzSecret secret;
  g_autofree char *huge = g_strnfill (HZ_TOKEN_MAX_LENGTH + 10, 'A');

  fill_secret (&secret, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_token_error (&secret, cases[i], SESSION, NOW, HZ_TOKEN_ERROR_MALFORMED);
  assert_token_error (&secret, huge, SESSION, NOW, HZ_TOKEN_ERROR_MALFORMED);
  assert_token_error (&secret, NULL, SESSION, NOW, HZ_TOKEN_ERROR_MALFORMED);
}

static void
test_token_view_role (void)
{
  HzSecret secret;
  HzJoinToken token = { .session_id = 3, .user_id = 9, .role = HZ_TOKEN_ROLE_VIEW,
                        .not_before = 0, .expires = NOW * 2, .name = NULL };
  g_autofree char *text = NULL;
  g_auto(HzJoinToken) parsed = { 0 };

  fill_secret (&secret, 5);
  text = hz_token_sign (&secret, &token);
  g_assert_true (hz_token_verify (&secret, text, 3, NOW, &parsed, NULL));
  g_assert_cmpint (parsed.role, ==, HZ_TOKEN_ROLE_VIEW);
  g_assert_cmpstr (parsed.name, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/token/round-trip", test_token_round_trip);
  g_test_add_func ("/token/window", test_token_window);
  g_test_add_func ("/token/wrong-session", test_token_wrong_session);
  g_test_add_func ("/token/tampered", test_token_tampered);
  g_test_add_func ("/token/payload-swapped", test_token_payload_swapped);
  g_test_add_func ("/token/other-secret", test_token_other_secret);
  g_test_add_func ("/token/malformed", test_token_malformed);
  g_test_add_func ("/token/view-role", test_token_view_role);
  return g_test_run ();
}
