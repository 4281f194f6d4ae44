/* The scheduler's word on a session at join time; see session-check.h. */
#include "session-check.h"
#include "hz-request-auth.h"
#include "hz-token.h"
#include "scheduler-client.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#define SESSIONS_PATH "/api/v1/internal/sessions/"

struct _HzSessionChecker {
  SoupSession *session;      /* NULL when no scheduler-url is configured */
  GUri *base;
  char *base_path;           /* the base URL's path without a trailing '/' */
  HzSecret secret;
};

typedef struct {
  HzSessionCheckFunc func;
  gpointer user_data;
  gint64 session_id;
  char *signed_path;
} Check;

static void
check_free (Check *check)
{
  g_free (check->signed_path);
  g_free (check);
}

static void
check_finish (Check *check, HzSessionState state, const char *detail, gboolean recording,
              gboolean hls)
{
  check->func (state, detail, state == HZ_SESSION_LIVE && recording,
               state == HZ_SESSION_LIVE && hls, check->user_data);
  check_free (check);
}

HzSessionChecker *
hz_session_checker_new (const char *scheduler_url, GTlsDatabase *ca_database,
                        const HzSecret *secret, GError **error)
{
  HzSessionChecker *checker = g_new0 (HzSessionChecker, 1);

  checker->secret = *secret;
  if (scheduler_url == NULL || scheduler_url[0] == '\0') {
    g_message ("no scheduler-url: joins are not checked against the scheduler's sessions");
    return checker;
  }
  checker->base = g_uri_parse (scheduler_url, G_URI_FLAGS_NONE, error);
  if (checker->base == NULL) {
    g_prefix_error (error, "invalid scheduler-url %s: ", scheduler_url);
    hz_session_checker_free (checker);
    return NULL;
  }
  checker->base_path = g_strdup (g_uri_get_path (checker->base));
  while (g_str_has_suffix (checker->base_path, "/"))
    checker->base_path[strlen (checker->base_path) - 1] = '\0';
  checker->session = hz_scheduler_client_new (ca_database, HZ_SESSION_CHECK_TIMEOUT_S);
  return checker;
}

void
hz_session_checker_free (HzSessionChecker *checker)
{
  if (checker == NULL)
    return;
  if (checker->session != NULL)
    soup_session_abort (checker->session);
  g_clear_object (&checker->session);
  g_clear_pointer (&checker->base, g_uri_unref);
  g_free (checker->base_path);
  g_free (checker);
}

static gint64
parse_time (JsonObject *object, const char *member)
{
  const char *text = json_object_get_string_member_with_default (object, member, NULL);
  g_autoptr (GDateTime) time = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time != NULL ? g_date_time_to_unix (time) : G_MININT64;
}

/* Reads the scheduler's JSON BODY and decides. *RECORDING and *HLS are the
 * booking's "recording" and "hls" members; a response without one of them
 * turns that output off. */
static HzSessionState
judge_session (GBytes *body, char **detail, gboolean *recording, gboolean *hls)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  JsonObject *object;
  const char *status;
  gint64 start, end;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    *detail = g_strdup ("the scheduler's response is not a JSON object");
    return HZ_SESSION_UNCONFIRMED;
  }
  object = json_node_get_object (json_parser_get_root (parser));
  status = json_object_get_string_member_with_default (object, "status", NULL);
  *recording = json_object_get_boolean_member_with_default (object, "recording", FALSE);
  *hls = json_object_get_boolean_member_with_default (object, "hls", FALSE);
  start = parse_time (object, "start");
  end = parse_time (object, "end");
  if (status == NULL || start == G_MININT64 || end == G_MININT64) {
    *detail = g_strdup ("the scheduler's response lacks status, start or end");
    return HZ_SESSION_UNCONFIRMED;
  }

  *detail = g_strdup_printf ("status %s, from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                             " (Unix seconds), %s", status, start, end,
                             *recording ? "recorded" : "not recorded");
  if (!g_str_equal (status, "scheduled"))
    return HZ_SESSION_ENDED;
  if (now < start - HZ_TOKEN_EARLY_SECONDS)
    return HZ_SESSION_NOT_YET_OPEN;
  if (now >= end + HZ_TOKEN_LATE_SECONDS)
    return HZ_SESSION_CLOSED;
  return HZ_SESSION_LIVE;
}

static void
on_response (GObject *source, GAsyncResult *result, gpointer data)
{
  Check *check = data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                               &error);
  g_autofree char *detail = NULL;
  guint status = message != NULL ? soup_message_get_status (message) : 0;
  gboolean recording = FALSE;
  gboolean hls = FALSE;
  HzSessionState state;

  if (body == NULL) {
    detail = hz_scheduler_client_describe_error (error, message);
    state = HZ_SESSION_UNCONFIRMED;
  } else if (status == SOUP_STATUS_NOT_FOUND) {
    detail = g_strdup_printf ("the scheduler has no session %" G_GINT64_FORMAT,
                              check->session_id);
    state = HZ_SESSION_ENDED;
  } else if (status != SOUP_STATUS_OK) {
    detail = g_strdup_printf ("the scheduler answered HTTP %u %s", status,
                              soup_message_get_reason_phrase (message));
    state = HZ_SESSION_UNCONFIRMED;
  } else {
    state = judge_session (body, &detail, &recording, &hls);
  }
  check_finish (check, state, detail, recording, hls);
}

static gboolean
finish_unconfigured (gpointer data)
{
  check_finish (data, HZ_SESSION_UNCONFIRMED, "no scheduler-url is configured", FALSE, FALSE);
  return G_SOURCE_REMOVE;
}

void
hz_session_checker_check (HzSessionChecker *checker, gint64 session_id, HzSessionCheckFunc func,
                          gpointer user_data)
{
  Check *check = g_new0 (Check, 1);
  g_autoptr (GUri) uri = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autofree char *url = NULL;
  g_autofree char *authorization = NULL;

  check->func = func;
  check->user_data = user_data;
  check->session_id = session_id;
  if (checker->session == NULL) {
    g_idle_add (finish_unconfigured, check);
    return;
  }

  check->signed_path = g_strdup_printf ("%s" SESSIONS_PATH "%" G_GINT64_FORMAT,
                                        checker->base_path, session_id);
  uri = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (checker->base), NULL,
                     g_uri_get_host (checker->base), g_uri_get_port (checker->base),
                     check->signed_path, NULL, NULL);
  url = g_uri_to_string (uri);
  message = soup_message_new (SOUP_METHOD_GET, url);
  authorization = hz_request_auth_sign (&checker->secret, "GET", check->signed_path,
                                        g_get_real_time () / G_USEC_PER_SEC, "", 0);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  soup_session_send_and_read_async (checker->session, message, G_PRIORITY_DEFAULT, NULL,
                                    on_response, check);
}
