/* The relay's HTTP client for the scheduler; see scheduler-client.h. */
#include "scheduler-client.h"

SoupSession *
hz_scheduler_client_new (GTlsDatabase *ca_database, guint timeout_s)
{
  SoupSession *session = soup_session_new_with_options ("timeout", timeout_s,
                                                        "user-agent", "huizhen-relay", NULL);

  /* A NULL database keeps the default one, which contains the system's CAs. */
  if (ca_database != NULL)
    soup_session_set_tls_database (session, ca_database);
  return session;
}

/* Appends the names of the verification failures in FLAGS to TEXT. */
static void
append_certificate_flags (GString *text, GTlsCertificateFlags flags)
{
  static const struct {
    GTlsCertificateFlags flag;
    const char *name;
  } names[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "signed by an unknown CA" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "issued for another host name" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "not yet valid" },
    { G_TLS_CERTIFICATE_EXPIRED, "expired" },
    { G_TLS_CERTIFICATE_REVOKED, "revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "using an insecure algorithm" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (flags & names[i].flag)
      g_string_append_printf (text, ", %s", names[i].name);
}

char *
hz_scheduler_client_describe_error (const GError *error, SoupMessage *message)
{
  GString *text;

  if (error->domain != G_TLS_ERROR)
    return g_strdup (error->message);

  text = g_string_new ("the scheduler's TLS certificate failed verification (");
  g_string_append (text, error->message);
  if (message != NULL)
    append_certificate_flags (text, soup_message_get_tls_peer_certificate_errors (message));
  g_string_append (text, "); [relay] scheduler-ca-file must name the CA that signed it, "
                         "and it must be issued for the host of scheduler-url");
  return g_string_free (text, FALSE);
}
