/* The iCalendar feed: issuing and revoking feed tokens through the API,
 * and serving GET /ical/TOKEN.ics to calendar clients. */

#include "hz-sched-api-calendar.h"

#include <string.h>

#include "hz-sched-api-fhir.h"
#include "hz-sched-ical.h"
#include "hz-sched-store-calendar.h"

#define FEED_SUFFIX ".ics"

/* Admins manage every user's feed; coordinators those of the experts,
 * doctors and trainees of their own organization, as for creating users. */
static gboolean
can_manage_feed (const HzUser *caller,
                 const HzUser *user)
{
  if (caller->role == HZ_ROLE_ADMIN || caller->id == user->id)
    return TRUE;

  return caller->role == HZ_ROLE_COORDINATOR && caller->org_id != 0 &&
         caller->org_id == user->org_id &&
         (user->role == HZ_ROLE_EXPERT || user->role == HZ_ROLE_DOCTOR ||
          user->role == HZ_ROLE_TRAINEE);
}

char *
hz_ical_feed_url (const HzSched *sched,
                  const char    *token)
{
  return g_strconcat (sched->public_url, HZ_ICAL_PATH_PREFIX, token, FEED_SUFFIX, NULL);
}

static void
issue_token (HzRequest *request,
             gint64     user_id)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;

  token = hz_store_replace_ical_token (request->sched->db, &actor, user_id, &error);
  if (token == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  url = hz_ical_feed_url (request->sched, token);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_int_value (builder, user_id);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, url);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  g_message ("Calendar feed token issued for user %" G_GINT64_FORMAT " by user %" G_GINT64_FORMAT
             "; any earlier token of the user is revoked", user_id, request->caller->id);
  hz_request_respond_json (request, SOUP_STATUS_CREATED, node);
}

void
hz_api_issue_own_ical_token (HzRequest *request)
{
  issue_token (request, request->caller->id);
}

void
hz_api_issue_user_ical_token (HzRequest *request)
{
  g_autoptr (HzUser) user = NULL;
  g_autoptr (GError) error = NULL;

  user = hz_store_get_user (request->sched->db, request->path_id, &error);
  if (user == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  if (!can_manage_feed (request->caller, user))
    {
      /* Users outside the caller's reach are not revealed. */
      hz_request_respond_error (request, request->caller->role == HZ_ROLE_COORDINATOR &&
                                         request->caller->org_id == user->org_id
                                         ? HZ_SCHED_ERROR_FORBIDDEN : HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  issue_token (request, user->id);
}

void
hz_api_revoke_own_ical_token (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_USER, request->caller->id };
  g_autoptr (GError) error = NULL;
  gboolean revoked = FALSE;

  if (!hz_store_revoke_ical_token (request->sched->db, &actor, request->caller->id,
                                   &revoked, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (!revoked)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  g_message ("Calendar feed token of user %" G_GINT64_FORMAT " revoked", request->caller->id);
  soup_server_message_set_status (request->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

/* Returns the token of "/ical/TOKEN.ics", or NULL for any other path. */
static char *
feed_token (const char *path)
{
  const char *start = path + strlen (HZ_ICAL_PATH_PREFIX);
  g_autofree char *token = NULL;

  if (!g_str_has_suffix (start, FEED_SUFFIX))
    return NULL;

  token = g_strndup (start, strlen (start) - strlen (FEED_SUFFIX));
  if (!hz_ical_token_is_well_formed (token))
    return NULL;
  return g_steal_pointer (&token);
}

/* Calendar clients cannot set Accept-Language, so "?lang=en" in the feed
 * URL selects English as well. */
static HzLanguage
feed_language (SoupServerMessage *msg)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  g_auto (GStrv) parameters = query != NULL ? g_strsplit (query, "&", -1) : NULL;

  for (guint i = 0; parameters != NULL && parameters[i] != NULL; i++)
    {
      if (g_str_equal (parameters[i], "lang=en"))
        return HZ_LANGUAGE_EN;
      if (g_str_equal (parameters[i], "lang=zh") || g_str_equal (parameters[i], "lang=zh-CN"))
        return HZ_LANGUAGE_ZH_CN;
    }

  return hz_request_language (msg);
}

static void
respond_feed (SoupServerMessage *msg,
              char              *text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Disposition",
                                "inline; filename=\"huizhen.ics\"");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/calendar; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}

void
hz_ical_serve (HzSched           *sched,
               SoupServerMessage *msg,
               const char        *path)
{
  const char *method = soup_server_message_get_method (msg);
  HzLanguage language = feed_language (msg);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *token = NULL;
  g_autoptr (HzUser) user = NULL;
  g_autoptr (GPtrArray) events = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *organizer_base = NULL;

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET, HEAD");
      hz_respond_error (msg, language, HZ_SCHED_ERROR_METHOD_NOT_ALLOWED);
      return;
    }

  token = feed_token (path);
  if (token != NULL)
    user = hz_store_find_user_by_ical_token (sched->db, token, &error);
  if (user != NULL)
    events = hz_store_list_calendar_events (sched->db, user->id,
                                            now - HZ_ICAL_PAST_DAYS * 24 * 3600,
                                            language, &error);

  if (error != NULL)
    {
      g_warning ("Serving a calendar feed failed: %s", error->message);
      hz_respond_error (msg, language, g_error_matches (error, HZ_SCHED_ERROR,
                                                        HZ_SCHED_ERROR_DATABASE_BUSY)
                                       ? HZ_SCHED_ERROR_DATABASE_BUSY : HZ_SCHED_ERROR_INTERNAL);
      return;
    }
  if (user == NULL)
    {
      hz_respond_error (msg, language, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  g_debug ("Calendar feed of user %" G_GINT64_FORMAT ": %u events", user->id, events->len);
  organizer_base = g_strconcat (sched->public_url, HZ_FHIR_PATH, "/Practitioner/", NULL);
  respond_feed (msg, hz_ical_write_feed (events, language, now, organizer_base));
}
