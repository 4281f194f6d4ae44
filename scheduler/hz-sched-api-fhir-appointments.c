/* FHIR R4 Appointment: GET /fhir/Appointment/{id} and
 * GET /fhir/Appointment?actor=&date=&status=. A consultation is an
 * Appointment with the same id, visible to exactly those who can see the
 * consultation in the JSON API. */

#include "hz-sched-api-fhir.h"

#include "hz-sched-access.h"
#include "hz-sched-fhir.h"
#include "hz-sched-store-fhir.h"

/* Returns the name of USER_ID from NAMES (user id → name), reading and
 * adding it when missing; NULL for 0 or a missing user. */
static const char *
lookup_name (HzRequest  *request,
             GHashTable *names,
             gint64      user_id)
{
  g_autoptr (HzUser) user = NULL;
  char *name;

  if (user_id <= 0)
    return NULL;
  if (g_hash_table_lookup_extended (names, &user_id, NULL, (gpointer *) &name))
    return name;

  user = hz_store_get_user (request->sched->db, user_id, NULL);
  name = user != NULL ? g_strdup (user->name) : NULL;
  g_hash_table_insert (names, g_memdup2 (&user_id, sizeof user_id), name);
  return name;
}

static GHashTable *
names_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

static JsonNode *
build_appointment (HzRequest            *request,
                   const HzConsultation *consultation,
                   GHashTable           *names)
{
  gint64 expert_id = consultation->expert_id > 0 ? consultation->expert_id
                                                 : consultation->requested_expert_id;
  HzFhirNames display = {
    lookup_name (request, names, consultation->requester_id),
    lookup_name (request, names, expert_id),
  };

  return hz_fhir_appointment (consultation, &display, request->zone, request->language);
}

void
hz_api_fhir_read_appointment (HzRequest *request)
{
  g_autoptr (HzConsultation) consultation = NULL;
  g_autoptr (GHashTable) names = names_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  consultation = hz_store_get_consultation (request->sched->db, request->path_id, &error);
  if (consultation == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (!hz_access_can_view_consultation (request->caller, consultation))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  node = build_appointment (request, consultation, names);
  hz_fhir_respond (request, SOUP_STATUS_OK, node);
}

/* The filters of one search. Each element of a list comes from one
 * parameter and contains its comma-separated alternatives. A match
 * satisfies every element (AND) through one of its alternatives (OR). */
typedef struct {
  GPtrArray *actors;       /* GArray of gint64 practitioner ids */
  GPtrArray *dates;        /* GArray of HzFhirDate */
  GPtrArray *statuses;     /* GStrv of Appointment.status codes */
} AppointmentFilter;

static void
appointment_filter_clear (AppointmentFilter *filter)
{
  g_clear_pointer (&filter->actors, g_ptr_array_unref);
  g_clear_pointer (&filter->dates, g_ptr_array_unref);
  g_clear_pointer (&filter->statuses, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AppointmentFilter, appointment_filter_clear)

/* Reads the parameters that Appointment searches support: actor and its
 * narrower form practitioner, date (Appointment.start) and status. Others
 * are ignored, as R4 allows without "Prefer: handling=strict". */
static gboolean
read_filter (HzRequest         *request,
             HzFhirSearch      *search,
             AppointmentFilter *filter)
{
  filter->actors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  filter->dates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  filter->statuses = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; i < search->params->len; i++)
    {
      const HzFhirParam *param = search->params->pdata[i];

      if (g_str_equal (param->name, "actor") || g_str_equal (param->name, "practitioner"))
        {
          GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

          g_ptr_array_add (filter->actors, ids);
          if (!hz_fhir_search_references (request, param, "Practitioner", ids))
            return FALSE;
        }
      else if (g_str_equal (param->name, "date"))
        {
          GArray *dates = g_array_new (FALSE, FALSE, sizeof (HzFhirDate));

          g_ptr_array_add (filter->dates, dates);
          if (!hz_fhir_search_dates (request, param, dates))
            return FALSE;
        }
      else if (g_str_equal (param->name, "status"))
        {
          if (param->modifier != NULL)
            {
              hz_fhir_respond_bad_parameter (request, param->name);
              return FALSE;
            }
          g_ptr_array_add (filter->statuses, g_strsplit (param->value, ",", -1));
        }
      else
        continue;

      hz_fhir_search_use (search, param);
    }

  return TRUE;
}

static gboolean
matches_filter (const AppointmentFilter *filter,
                const HzConsultation    *consultation)
{
  gboolean has_times = consultation->start_at != HZ_TIME_NONE;
  const char *status = hz_fhir_appointment_status (consultation->status, has_times);

  for (guint i = 0; i < filter->actors->len; i++)
    {
      GArray *ids = filter->actors->pdata[i];

      if (!hz_fhir_ids_contain (ids, consultation->requester_id) &&
          !(consultation->expert_id > 0 && hz_fhir_ids_contain (ids, consultation->expert_id)) &&
          !(consultation->requested_expert_id > 0 &&
            hz_fhir_ids_contain (ids, consultation->requested_expert_id)))
        return FALSE;
    }

  /* An appointment without a start matches no date. */
  for (guint i = 0; i < filter->dates->len; i++)
    {
      if (!has_times || !hz_fhir_dates_match_any (filter->dates->pdata[i], consultation->start_at))
        return FALSE;
    }

  for (guint i = 0; i < filter->statuses->len; i++)
    {
      if (!g_strv_contains ((const char *const *) filter->statuses->pdata[i], status))
        return FALSE;
    }

  return TRUE;
}

/* In order of start, appointments without a start last, then of id. */
static gint
compare_appointments (gconstpointer a,
                      gconstpointer b)
{
  const HzConsultation *left = *(HzConsultation *const *) a;
  const HzConsultation *right = *(HzConsultation *const *) b;
  gint64 left_start = left->start_at == HZ_TIME_NONE ? G_MAXINT64 : left->start_at;
  gint64 right_start = right->start_at == HZ_TIME_NONE ? G_MAXINT64 : right->start_at;

  if (left_start != right_start)
    return left_start < right_start ? -1 : 1;
  return left->id < right->id ? -1 : left->id > right->id;
}

/* Returns the visible consultations that match FILTER, sorted. The first
 * actor parameter narrows the query; the filter checks the rest.
 * NOTE: every candidate is read and checked in C, which is linear in the
 * number of consultations when no actor is given. */
static GPtrArray *
find_appointments (HzRequest                *request,
                   const AppointmentFilter  *filter,
                   GError                  **error)
{
  GArray *first_actors = filter->actors->len > 0 ? filter->actors->pdata[0] : NULL;
  g_autoptr (GArray) ids = NULL;
  g_autoptr (GPtrArray) matches =
    g_ptr_array_new_with_free_func ((GDestroyNotify) hz_consultation_free);

  ids = hz_store_list_consultation_ids (request->sched->db,
                                        first_actors ? (gint64 *) first_actors->data : NULL,
                                        first_actors ? first_actors->len : 0, error);
  if (ids == NULL)
    return NULL;

  for (guint i = 0; i < ids->len; i++)
    {
      HzConsultation *consultation =
        hz_store_get_consultation (request->sched->db, g_array_index (ids, gint64, i), error);

      if (consultation == NULL)
        return NULL;
      if (hz_access_can_view_consultation (request->caller, consultation) &&
          matches_filter (filter, consultation))
        g_ptr_array_add (matches, consultation);
      else
        hz_consultation_free (consultation);
    }

  g_ptr_array_sort (matches, compare_appointments);
  return g_steal_pointer (&matches);
}

void
hz_api_fhir_search_appointments (HzRequest *request)
{
  g_auto (HzFhirSearch) search = { 0 };
  g_auto (AppointmentFilter) filter = { 0 };
  g_autoptr (GPtrArray) matches = NULL;
  g_autoptr (GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr (GHashTable) names = names_new ();
  g_autoptr (GError) error = NULL;

  if (!hz_fhir_search_begin (request, &search) || !read_filter (request, &search, &filter))
    return;

  matches = find_appointments (request, &filter, &error);
  if (matches == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  for (guint i = search.offset; i < matches->len && page->len < search.count; i++)
    g_ptr_array_add (page, build_appointment (request, matches->pdata[i], names));

  hz_fhir_search_respond (request, &search, "Appointment", matches->len, page);
}
