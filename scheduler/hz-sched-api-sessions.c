/* Join tokens and recordings of sessions. */

#include "hz-sched-request.h"

#include <string.h>

#include "hz-sched-access.h"
#include "hz-sched-composer.h"
#include "hz-sched-json.h"
#include "hz-sched-recording-files.h"
#include "hz-token.h"

const HzFieldSpec hz_recording_report_fields[] = {
  { .name = "session_id", .type = HZ_FIELD_ID, .required = TRUE },
  { .name = "participant_id", .type = HZ_FIELD_ID_OR_DIGITS, .required = TRUE },
  { .name = "kind", .type = HZ_FIELD_STRING, .required = TRUE,
    .allowed = hz_recording_kind_names },
  { .name = "path", .type = HZ_FIELD_STRING, .required = TRUE, .max_length = 512 },
  { .name = "status", .type = HZ_FIELD_STRING, .required = TRUE,
    .allowed = hz_recording_status_names },
  { .name = "started_at", .type = HZ_FIELD_TIMESTAMP, .required = TRUE },
  { .name = "ended_at", .type = HZ_FIELD_TIMESTAMP },
  { .name = "bytes", .type = HZ_FIELD_INTEGER, .min = 0, .max = G_MAXINT64 },
  { .name = "failure_reason", .type = HZ_FIELD_STRING,
    .allowed = hz_recording_failure_reason_names },
  { NULL }
};

static void
respond_field_problem (HzRequest      *request,
                       const char     *field,
                       HzFieldProblem  problem)
{
  g_autoptr (HzFieldError) error = hz_field_error_new (field, problem, NULL);

  hz_request_respond_field_error (request, error);
}

static HzSession *
load_session (HzRequest *request)
{
  g_autoptr (GError) error = NULL;
  HzSession *session = hz_store_get_session (request->sched->db, request->path_id, &error);

  if (session == NULL)
    hz_request_respond_gerror (request, error);
  return session;
}

static JsonNode *
build_token_response (HzRequest         *request,
                      const HzJoinToken *token,
                      const char        *text)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *join_url = hz_sched_join_url (request->sched, token->session_id, text);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "join_url");
  json_builder_add_string_value (builder, join_url);
  json_builder_set_member_name (builder, "relay_url");
  json_builder_add_string_value (builder, request->sched->relay_url);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, token->session_id);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, hz_token_role_to_string (token->role));
  hz_json_add_time (builder, "not_before", token->not_before, request->zone);
  hz_json_add_time (builder, "expires_at", token->expires, request->zone);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
hz_api_create_join_token (HzRequest *request)
{
  g_autoptr (HzSession) session = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  const char *role = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  HzJoinToken token = { 0 };

  session = load_session (request);
  if (session == NULL)
    return;

  if (!hz_store_get_participant_role (request->sched->db, session->id,
                                      request->caller->id, &role, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (role == NULL)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_PARTICIPANT);
      return;
    }

  if (!g_str_equal (session->status, "scheduled"))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_INVALID_STATE);
      return;
    }
  if (now >= session->end_at + HZ_TOKEN_LATE_SECONDS)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_SESSION_ENDED);
      return;
    }

  token.session_id = session->id;
  token.user_id = request->caller->id;
  hz_token_role_from_string (role, &token.role);
  token.not_before = session->start_at - HZ_TOKEN_EARLY_SECONDS;
  token.expires = session->end_at + HZ_TOKEN_LATE_SECONDS;
  token.name = request->caller->name;
  text = hz_token_sign (&request->sched->secret, &token);

  g_message ("Join token issued for session %" G_GINT64_FORMAT " to participant %"
             G_GINT64_FORMAT " (%s)", session->id, request->caller->id, role);
  node = build_token_response (request, &token, text);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Sets *VISIBLE when the caller is an admin, a participant of SESSION or
 * can see its consultation. */
static gboolean
check_session_visible (HzRequest        *request,
                       const HzSession  *session,
                       gboolean         *visible,
                       GError          **error)
{
  g_autoptr (HzConsultation) consultation = NULL;
  const char *role = NULL;

  *visible = request->caller->role == HZ_ROLE_ADMIN;
  if (*visible)
    return TRUE;

  if (!hz_store_get_participant_role (request->sched->db, session->id,
                                      request->caller->id, &role, error))
    return FALSE;
  *visible = role != NULL;
  if (*visible || session->consultation_id == 0)
    return TRUE;

  consultation = hz_store_get_consultation (request->sched->db,
                                            session->consultation_id, error);
  if (consultation == NULL)
    return FALSE;

  *visible = hz_access_can_view_consultation (request->caller, consultation);
  return TRUE;
}

void
hz_api_list_recordings (HzRequest *request)
{
  g_autoptr (HzSession) session = NULL;
  g_autoptr (GPtrArray) recordings = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  gboolean visible;

  session = load_session (request);
  if (session == NULL)
    return;

  if (!check_session_visible (request, session, &visible, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (!visible)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  recordings = hz_store_list_recordings (request->sched->db, session->id, &error);
  if (recordings == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recordings");
  json_builder_begin_array (builder);
  for (guint i = 0; i < recordings->len; i++)
    json_builder_add_value (builder, hz_json_recording (recordings->pdata[i], request->zone));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);
}

/* Accepts "SESSION_ID/NAME.webm", the path of one recording below the
 * relay's recordings-dir: SESSION_ID is the report's session in decimal,
 * and NAME is letters, digits, ".", "_" and "-" without "..". The relay
 * writes H.264 video to Matroska, so ".mkv" is accepted as well. */
static gboolean
recording_path_is_valid (const char *path,
                         gint64      session_id)
{
  g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT "/", session_id);
  const char *name = path + strlen (prefix);
  gsize name_length;

  if (!g_str_has_prefix (path, prefix) || strstr (name, "..") != NULL)
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        return FALSE;
    }

  name_length = strlen (name);
  return (g_str_has_suffix (name, ".webm") && name_length > strlen (".webm")) ||
         (g_str_has_suffix (name, ".mkv") && name_length > strlen (".mkv"));
}

/* Reads the validated body into RECORDING and checks what the field table
 * cannot: the path and that the participant belongs to the session.
 * Responds and returns FALSE when a check fails. */
static gboolean
read_recording_report (HzRequest   *request,
                       HzRecording *recording)
{
  JsonObject *body = request->body;
  g_autoptr (HzSession) session = NULL;
  g_autoptr (GError) error = NULL;
  const char *role = NULL;

  recording->session_id = hz_fields_get_id (body, "session_id");
  recording->participant_id = hz_fields_get_id (body, "participant_id");
  recording->kind = g_strdup (hz_fields_get_string (body, "kind"));
  recording->path = g_strdup (hz_fields_get_string (body, "path"));
  recording->status = g_strdup (hz_fields_get_string (body, "status"));
  recording->started_at = hz_fields_get_time (body, "started_at", 0);
  recording->ended_at = hz_fields_get_time (body, "ended_at", HZ_TIME_NONE);
  recording->bytes = hz_fields_get_integer (body, "bytes", -1);
  recording->failure_reason = g_strdup (hz_fields_get_string (body, "failure_reason"));

  if (!recording_path_is_valid (recording->path, recording->session_id))
    {
      respond_field_problem (request, "path", HZ_FIELD_PROBLEM_INVALID_VALUE);
      return FALSE;
    }

  session = hz_store_get_session (request->sched->db, recording->session_id, &error);
  if (session == NULL ||
      !hz_store_get_participant_role (request->sched->db, recording->session_id,
                                      recording->participant_id, &role, &error))
    {
      hz_request_respond_gerror (request, error);
      return FALSE;
    }
  if (role == NULL)
    {
      respond_field_problem (request, "participant_id", HZ_FIELD_PROBLEM_INVALID_REFERENCE);
      return FALSE;
    }
  if (!session->recording)
    {
      g_warning ("Rejected a report of recording %s: session %" G_GINT64_FORMAT
                 " was booked without recording", recording->path, session->id);
      hz_request_respond_error (request, HZ_SCHED_ERROR_RECORDING_NOT_ALLOWED);
      return FALSE;
    }

  return TRUE;
}

void
hz_api_report_recording (HzRequest *request)
{
  HzActor actor = { HZ_ACTOR_RELAY, 0 };
  g_autoptr (HzRecording) recording = g_new0 (HzRecording, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (!read_recording_report (request, recording))
    return;

  if (!hz_store_upsert_recording (request->sched->db, &actor, recording, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_message ("Recording %" G_GINT64_FORMAT " of session %" G_GINT64_FORMAT
             ", participant %" G_GINT64_FORMAT " (%s) is %s",
             recording->id, recording->session_id, recording->participant_id,
             recording->kind, recording->status);
  /* RECORDING now contains the stored row, which keeps the first start
   * and the known end and size when a report leaves them out. */
  node = hz_json_recording (recording, request->zone);
  hz_request_respond_json (request, SOUP_STATUS_OK, node);

  if (g_str_equal (recording->status, "complete") && request->sched->recording_files != NULL)
    hz_recording_files_checksum (request->sched->recording_files, recording->id,
                                 recording->path);

  if (request->sched->composer != NULL)
    hz_composer_on_recording_reported (request->sched->composer, recording->session_id);
}
