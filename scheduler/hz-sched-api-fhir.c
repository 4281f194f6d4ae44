/* FHIR R4 views: dispatch, responses, search parameters and paging, the
 * CapabilityStatement and Practitioner. Appointments are in
 * hz-sched-api-fhir-appointments.c, Schedules and Slots in
 * hz-sched-api-fhir-schedules.c. */

#include "hz-sched-api-fhir.h"

#include <string.h>

#include "hz-sched-fhir.h"
#include "hz-sched-time.h"

/* Data key on a SoupServerMessage: the FHIR base URL (a string) of a
 * request to the FHIR views; absent on every other request. */
#define FHIR_BASE_KEY "hz-fhir-base"

static gboolean
has_path_prefix (const char *path,
                 const char *prefix)
{
  gsize length = strlen (prefix);

  return strncmp (path, prefix, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

gboolean
hz_fhir_is_path (const char *path)
{
  return has_path_prefix (path, HZ_FHIR_PATH) ||
         has_path_prefix (path, HZ_API_PREFIX HZ_FHIR_PATH);
}

void
hz_fhir_dispatch (HzSched           *sched,
                  SoupServerMessage *msg,
                  const char        *path)
{
  gboolean below_api = has_path_prefix (path, HZ_API_PREFIX);
  g_autofree char *api_path = below_api ? g_strdup (path)
                                        : g_strconcat (HZ_API_PREFIX, path, NULL);
  char *base = g_strconcat (sched->public_url, below_api ? HZ_API_PREFIX : "", HZ_FHIR_PATH,
                            NULL);

  g_object_set_data_full (G_OBJECT (msg), FHIR_BASE_KEY, base, g_free);
  hz_api_dispatch (sched, msg, api_path);
}

const char *
hz_fhir_request_base (HzRequest *request)
{
  return g_object_get_data (G_OBJECT (request->msg), FHIR_BASE_KEY);
}

static void
set_fhir_body (SoupServerMessage *msg,
               guint              status,
               JsonNode          *node)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char *text = json_to_string (node, FALSE);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  hz_response_set_status (msg, status);
  soup_server_message_set_response (msg, HZ_FHIR_CONTENT_TYPE, SOUP_MEMORY_TAKE,
                                    text, strlen (text));
}

gboolean
hz_fhir_respond_error (SoupServerMessage *msg,
                       guint              http_status,
                       const char        *error_code,
                       const char        *message)
{
  g_autoptr (JsonNode) outcome = NULL;

  if (g_object_get_data (G_OBJECT (msg), FHIR_BASE_KEY) == NULL)
    return FALSE;

  outcome = hz_fhir_operation_outcome (http_status, error_code, message);
  set_fhir_body (msg, http_status, outcome);
  return TRUE;
}

void
hz_fhir_respond (HzRequest *request,
                 guint      status,
                 JsonNode  *resource)
{
  set_fhir_body (request->msg, status, resource);
}

void
hz_fhir_respond_bad_parameter (HzRequest  *request,
                               const char *name)
{
  g_autofree char *message = request->language == HZ_LANGUAGE_EN
    ? g_strdup_printf ("The value of search parameter '%s' is invalid.", name)
    : g_strdup_printf ("搜索参数“%s”的值无效。", name);

  hz_request_respond_error_detail (request, HZ_SCHED_ERROR_INVALID_FIELD, message, NULL);
}

/* Reads _count or _offset: a decimal integer from 0 to MAX. */
static gboolean
read_paging_value (const HzFhirParam *param,
                   guint              max,
                   guint             *value)
{
  guint64 number;

  if (param->modifier != NULL ||
      !g_ascii_string_to_unsigned (param->value, 10, 0, max, &number, NULL))
    return FALSE;

  *value = (guint) number;
  return TRUE;
}

gboolean
hz_fhir_search_begin (HzRequest    *request,
                      HzFhirSearch *search)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (request->msg));

  search->params = hz_fhir_query_parse (query);
  search->used = g_string_new (NULL);
  search->count = HZ_FHIR_DEFAULT_COUNT;
  search->offset = 0;

  if (search->params == NULL)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_INVALID_FIELD);
      return FALSE;
    }

  for (guint i = 0; i < search->params->len; i++)
    {
      const HzFhirParam *param = search->params->pdata[i];

      if (g_str_equal (param->name, "_count") &&
          !read_paging_value (param, HZ_FHIR_MAX_COUNT, &search->count))
        {
          hz_fhir_respond_bad_parameter (request, "_count");
          return FALSE;
        }
      if (g_str_equal (param->name, "_offset") &&
          !read_paging_value (param, G_MAXINT, &search->offset))
        {
          hz_fhir_respond_bad_parameter (request, "_offset");
          return FALSE;
        }
    }

  return TRUE;
}

void
hz_fhir_search_clear (HzFhirSearch *search)
{
  g_clear_pointer (&search->params, g_ptr_array_unref);
  if (search->used != NULL)
    g_string_free (search->used, TRUE);
  search->used = NULL;
}

static void
append_query_element (GString    *query,
                      const char *name,
                      const char *modifier,
                      const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, ":/,", FALSE);

  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append (query, name);
  if (modifier != NULL)
    g_string_append_printf (query, ":%s", modifier);
  g_string_append_printf (query, "=%s", escaped);
}

void
hz_fhir_search_use (HzFhirSearch      *search,
                    const HzFhirParam *param)
{
  append_query_element (search->used, param->name, param->modifier, param->value);
}

gboolean
hz_fhir_search_dates (HzRequest         *request,
                      const HzFhirParam *param,
                      GArray            *dates)
{
  g_auto (GStrv) values = g_strsplit (param->value, ",", -1);

  if (param->modifier != NULL || values[0] == NULL)
    goto invalid;

  for (guint i = 0; values[i] != NULL; i++)
    {
      HzFhirDate date;

      if (!hz_fhir_date_parse (values[i], request->zone, &date))
        goto invalid;
      g_array_append_val (dates, date);
    }
  return TRUE;

invalid:
  hz_fhir_respond_bad_parameter (request, param->name);
  return FALSE;
}

GStrv
hz_fhir_search_codes (HzRequest         *request,
                      const HzFhirParam *param,
                      const char *const *allowed)
{
  g_auto (GStrv) values = g_strsplit (param->value, ",", -1);

  if (param->modifier != NULL || values[0] == NULL)
    goto invalid;

  for (guint i = 0; values[i] != NULL; i++)
    {
      if (!g_strv_contains (allowed, values[i]))
        goto invalid;
    }
  return g_steal_pointer (&values);

invalid:
  hz_fhir_respond_bad_parameter (request, param->name);
  return NULL;
}

gboolean
hz_fhir_search_references (HzRequest         *request,
                           const HzFhirParam *param,
                           const char        *type,
                           GArray            *ids)
{
  g_auto (GStrv) values = g_strsplit (param->value, ",", -1);

  if ((param->modifier != NULL && !g_str_equal (param->modifier, type)) || values[0] == NULL)
    goto invalid;

  for (guint i = 0; values[i] != NULL; i++)
    {
      gint64 id;

      if (!hz_fhir_reference_parse (values[i], type, &id))
        goto invalid;
      g_array_append_val (ids, id);
    }
  return TRUE;

invalid:
  hz_fhir_respond_bad_parameter (request, param->name);
  return FALSE;
}

gboolean
hz_fhir_dates_match_any (GArray *dates,
                         gint64  instant)
{
  for (guint i = 0; i < dates->len; i++)
    {
      if (hz_fhir_date_matches (&g_array_index (dates, HzFhirDate, i), instant))
        return TRUE;
    }
  return FALSE;
}

gboolean
hz_fhir_ids_contain (GArray *ids,
                     gint64  id)
{
  for (guint i = 0; i < ids->len; i++)
    {
      if (g_array_index (ids, gint64, i) == id)
        return TRUE;
    }
  return FALSE;
}

static char *
search_url (HzRequest    *request,
            HzFhirSearch *search,
            const char   *type,
            guint         offset)
{
  g_autoptr (GString) url = g_string_new (hz_fhir_request_base (request));
  g_autoptr (GString) query = g_string_new (search->used->str);
  g_autofree char *count = g_strdup_printf ("%u", search->count);
  g_autofree char *offset_text = g_strdup_printf ("%u", offset);

  append_query_element (query, "_count", NULL, count);
  if (offset > 0)
    append_query_element (query, "_offset", NULL, offset_text);

  g_string_append_printf (url, "/%s?%s", type, query->str);
  return g_string_free (g_steal_pointer (&url), FALSE);
}

void
hz_fhir_search_respond (HzRequest    *request,
                        HzFhirSearch *search,
                        const char   *type,
                        gint64        total,
                        GPtrArray    *page)
{
  g_autofree char *self_url = search_url (request, search, type, search->offset);
  g_autofree char *next_url = NULL;
  g_autoptr (JsonNode) bundle = NULL;

  if ((gint64) search->offset + search->count < total && search->count > 0)
    next_url = search_url (request, search, type, search->offset + search->count);

  bundle = hz_fhir_searchset (hz_fhir_request_base (request), self_url, next_url, total,
                              page, request->zone);
  hz_fhir_respond (request, SOUP_STATUS_OK, bundle);
}

/* Adds {"type": TYPE, "interaction": [...], "searchParam": [...]} to
 * RESOURCES. CODES are the interactions and PARAMS "name:type" pairs. Both
 * are NULL-terminated, and PARAMS may be NULL. */
static void
add_capability (JsonArray         *resources,
                const char        *type,
                const char *const *codes,
                const char *const *params)
{
  JsonObject *resource = json_object_new ();
  JsonArray *interactions = json_array_new ();
  JsonArray *search_params = json_array_new ();

  json_object_set_string_member (resource, "type", type);
  for (guint i = 0; codes[i] != NULL; i++)
    {
      JsonObject *interaction = json_object_new ();

      json_object_set_string_member (interaction, "code", codes[i]);
      json_array_add_object_element (interactions, interaction);
    }
  json_object_set_array_member (resource, "interaction", interactions);

  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    {
      g_auto (GStrv) parts = g_strsplit (params[i], ":", 2);
      JsonObject *param = json_object_new ();

      json_object_set_string_member (param, "name", parts[0]);
      json_object_set_string_member (param, "type", parts[1]);
      json_array_add_object_element (search_params, param);
    }
  if (json_array_get_length (search_params) > 0)
    json_object_set_array_member (resource, "searchParam", search_params);
  else
    json_array_unref (search_params);

  json_array_add_object_element (resources, resource);
}

static JsonArray *
capability_resources (void)
{
  static const char *const appointment[] = { "actor:reference", "date:date", "status:token",
                                             "_count:number", NULL };
  static const char *const schedule[] = { "actor:reference", "_count:number", NULL };
  static const char *const slot[] = { "schedule:reference", "start:date", "status:token",
                                      "duration:number", "_count:number", NULL };
  static const char *const read_and_search[] = { "read", "search-type", NULL };
  static const char *const read_only[] = { "read", NULL };
  JsonArray *resources = json_array_new ();

  add_capability (resources, "Appointment", read_and_search, appointment);
  add_capability (resources, "Practitioner", read_only, NULL);
  add_capability (resources, "Schedule", read_and_search, schedule);
  add_capability (resources, "Slot", read_and_search, slot);
  return resources;
}

void
hz_api_fhir_metadata (HzRequest *request)
{
  JsonObject *statement = json_object_new ();
  JsonObject *software = json_object_new ();
  JsonObject *implementation = json_object_new ();
  JsonObject *rest = json_object_new ();
  JsonArray *formats = json_array_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *date = hz_time_format_rfc3339 (g_get_real_time () / G_USEC_PER_SEC,
                                                  request->zone);

  json_object_set_string_member (software, "name", "huizhen-scheduler");
  json_object_set_string_member (implementation, "description",
                                 "Huizhen scheduler: read-only views of consultations and expert schedules");
  json_object_set_string_member (implementation, "url", hz_fhir_request_base (request));
  json_array_add_string_element (formats, "json");
  json_object_set_string_member (rest, "mode", "server");
  json_object_set_array_member (rest, "resource", capability_resources ());

  json_object_set_string_member (statement, "resourceType", "CapabilityStatement");
  json_object_set_string_member (statement, "status", "active");
  json_object_set_string_member (statement, "date", date);
  json_object_set_string_member (statement, "kind", "instance");
  json_object_set_object_member (statement, "software", software);
  json_object_set_object_member (statement, "implementation", implementation);
  json_object_set_string_member (statement, "fhirVersion", "4.0.1");
  json_object_set_array_member (statement, "format", formats);
  json_object_set_array_member (statement, "rest", json_array_new ());
  json_array_add_object_element (json_object_get_array_member (statement, "rest"), rest);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, statement);
  hz_fhir_respond (request, SOUP_STATUS_OK, node);
}

/* Admins and coordinators see every user. Other staff see the experts,
 * the users of their own organization and themselves, and get 404 for
 * everyone else. */
static gboolean
can_view_practitioner (const HzUser *caller,
                       const HzUser *user)
{
  if (caller->role == HZ_ROLE_ADMIN || caller->role == HZ_ROLE_COORDINATOR ||
      caller->id == user->id || user->role == HZ_ROLE_EXPERT)
    return TRUE;

  return caller->org_id != 0 && caller->org_id == user->org_id;
}

void
hz_api_fhir_read_practitioner (HzRequest *request)
{
  g_autoptr (HzUser) user = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  user = hz_store_get_user (request->sched->db, request->path_id, &error);
  if (user == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (user->role == HZ_ROLE_ADMIN || !can_view_practitioner (request->caller, user))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  node = hz_fhir_practitioner (user);
  hz_fhir_respond (request, SOUP_STATUS_OK, node);
}
