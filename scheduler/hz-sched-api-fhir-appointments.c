/* FHIR R4 Appointment: GET /fhir/Appointment/{id} and
 * GET /fhir/Appointment?actor=&date=&status=. A consultation is an
 * Appointment with the same id, visible to exactly those who can see the
 * consultation in the JSON API. A teaching occurrence is the Appointment
 * "teaching-SESSION", visible to those who can see its series. */

#include "hz-sched-api-fhir.h"

#include <string.h>

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

/* The AppointmentStatus value set of R4. Codes that no Appointment of this
 * server has, such as "pending", are valid and match nothing. */
static const char *const appointment_status_codes[] = {
  "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
  "entered-in-error", "checked-in", "waitlist", NULL
};

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
          GStrv codes = hz_fhir_search_codes (request, param, appointment_status_codes);

          if (codes == NULL)
            return FALSE;
          g_ptr_array_add (filter->statuses, codes);
        }
      else
        continue;

      hz_fhir_search_use (search, param);
    }

  return TRUE;
}

/* Whether every element of GROUPS (GArray of ids) contains one of the
 * first N_IDS of IDS. */
static gboolean
actors_match (GPtrArray    *groups,
              const gint64 *ids,
              guint         n_ids)
{
  for (guint i = 0; i < groups->len; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < n_ids && !found; j++)
        found = ids[j] > 0 && hz_fhir_ids_contain (groups->pdata[i], ids[j]);
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* Checks the date and status parameters. START is HZ_TIME_NONE for an
 * Appointment without a start, which matches no date. */
static gboolean
period_and_status_match (const AppointmentFilter *filter,
                         gint64                   start,
                         const char              *status)
{
  for (guint i = 0; i < filter->dates->len; i++)
    {
      if (start == HZ_TIME_NONE || !hz_fhir_dates_match_any (filter->dates->pdata[i], start))
        return FALSE;
    }

  for (guint i = 0; i < filter->statuses->len; i++)
    {
      if (!g_strv_contains ((const char *const *) filter->statuses->pdata[i], status))
        return FALSE;
    }

  return TRUE;
}

/* The actors are the Appointment's participants: the requester and the
 * consultant, who is the expert that the request named only until an
 * expert is assigned. */
static gboolean
consultation_matches (const AppointmentFilter *filter,
                      const HzConsultation    *consultation)
{
  gboolean has_times = consultation->start_at != HZ_TIME_NONE;
  const gint64 actors[] = {
    consultation->requester_id,
    consultation->expert_id > 0 ? consultation->expert_id : consultation->requested_expert_id,
  };

  return actors_match (filter->actors, actors, G_N_ELEMENTS (actors)) &&
         period_and_status_match (filter, consultation->start_at,
                                  hz_fhir_appointment_status (consultation->status, has_times));
}

/* Sets *ATTENDS when the caller is a participant of ROW's occurrence
 * other than its presenter: a registered attendee of an occurrence that
 * has not ended. */
static gboolean
caller_attends (HzRequest                *request,
                const HzFhirTeachingRow  *row,
                gboolean                 *attends,
                GError                  **error)
{
  const char *role = NULL;

  *attends = FALSE;
  if (request->caller->id == row->presenter_id)
    return TRUE;
  if (!hz_store_get_participant_role (request->sched->db, row->session_id, request->caller->id,
                                      &role, error))
    return FALSE;

  *attends = role != NULL;
  return TRUE;
}

/* A teaching occurrence's actors are its presenter and, as the caller's
 * Appointment lists them, the caller when attending. Other attendees are
 * not listed, so they match nothing. */
static gboolean
teaching_actors_match (HzRequest                *request,
                       const AppointmentFilter  *filter,
                       const HzFhirTeachingRow  *row,
                       gboolean                 *match,
                       GError                  **error)
{
  gboolean attends;

  *match = TRUE;
  if (filter->actors->len == 0)
    return TRUE;
  if (!caller_attends (request, row, &attends, error))
    return FALSE;

  for (guint i = 0; i < filter->actors->len && *match; i++)
    {
      GArray *ids = filter->actors->pdata[i];

      *match = hz_fhir_ids_contain (ids, row->presenter_id) ||
               (attends && hz_fhir_ids_contain (ids, request->caller->id));
    }

  return TRUE;
}

/* A consultation or a teaching occurrence that a search found. */
typedef struct {
  gint64 start;                   /* G_MAXINT64 without a start */
  HzConsultation *consultation;   /* or NULL */
  HzFhirTeachingRow *teaching;    /* or NULL */
} AppointmentMatch;

static void
appointment_match_free (AppointmentMatch *match)
{
  g_clear_pointer (&match->consultation, hz_consultation_free);
  g_clear_pointer (&match->teaching, hz_fhir_teaching_row_free);
  g_free (match);
}

/* In order of start, appointments without a start last, consultations
 * before teaching occurrences at the same start, then in order of id. */
static gint
compare_matches (gconstpointer a,
                 gconstpointer b)
{
  const AppointmentMatch *left = *(AppointmentMatch *const *) a;
  const AppointmentMatch *right = *(AppointmentMatch *const *) b;
  gint64 left_id = left->consultation ? left->consultation->id : left->teaching->session_id;
  gint64 right_id = right->consultation ? right->consultation->id : right->teaching->session_id;

  if (left->start != right->start)
    return left->start < right->start ? -1 : 1;
  if ((left->consultation == NULL) != (right->consultation == NULL))
    return left->consultation != NULL ? -1 : 1;
  return left_id < right_id ? -1 : left_id > right_id;
}

/* Adds the visible consultations that match FILTER to MATCHES. The first
 * actor parameter narrows the query, and the filter checks the rest.
 * NOTE: every candidate is read and checked in C, which is linear in the
 * number of consultations when no actor is given. */
static gboolean
add_consultations (HzRequest                *request,
                   const AppointmentFilter  *filter,
                   GPtrArray                *matches,
                   GError                  **error)
{
  GArray *first_actors = filter->actors->len > 0 ? filter->actors->pdata[0] : NULL;
  g_autoptr (GArray) ids = NULL;

  ids = hz_store_list_consultation_ids (request->sched->db,
                                        first_actors ? (gint64 *) first_actors->data : NULL,
                                        first_actors ? first_actors->len : 0, error);
  if (ids == NULL)
    return FALSE;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (HzConsultation) consultation =
        hz_store_get_consultation (request->sched->db, g_array_index (ids, gint64, i), error);
      AppointmentMatch *match;

      if (consultation == NULL)
        return FALSE;
      if (!hz_access_can_view_consultation (request->caller, consultation) ||
          !consultation_matches (filter, consultation))
        continue;

      match = g_new0 (AppointmentMatch, 1);
      match->start = consultation->start_at == HZ_TIME_NONE ? G_MAXINT64 : consultation->start_at;
      match->consultation = g_steal_pointer (&consultation);
      g_ptr_array_add (matches, match);
    }

  return TRUE;
}

static gboolean
can_view_teaching (const HzUser            *user,
                   const HzFhirTeachingRow *row)
{
  return hz_access_can_view_teaching (user, row->org_id, (const gint64 *) row->audience->data,
                                      row->audience->len);
}

/* Adds the visible teaching occurrences that match FILTER to MATCHES. */
static gboolean
add_teaching (HzRequest                *request,
              const AppointmentFilter  *filter,
              GPtrArray                *matches,
              GError                  **error)
{
  g_autoptr (GPtrArray) rows = hz_store_list_fhir_teaching (request->sched->db, 0, error);

  if (rows == NULL)
    return FALSE;

  for (guint i = 0; i < rows->len; i++)
    {
      HzFhirTeachingRow *row = rows->pdata[i];
      AppointmentMatch *match;
      gboolean actors = FALSE;

      if (!can_view_teaching (request->caller, row) ||
          !period_and_status_match (filter, row->start_at, hz_fhir_teaching_status (row->status)))
        continue;
      if (!teaching_actors_match (request, filter, row, &actors, error))
        return FALSE;
      if (!actors)
        continue;

      match = g_new0 (AppointmentMatch, 1);
      match->start = row->start_at;
      match->teaching = g_ptr_array_steal_index (rows, i--);
      g_ptr_array_add (matches, match);
    }

  return TRUE;
}

/* Builds the Appointment of ROW as the caller sees it: with the caller as
 * an attendee when registered. Returns NULL with ERROR when the database
 * fails. */
static JsonNode *
build_teaching (HzRequest                *request,
                const HzFhirTeachingRow  *row,
                GError                  **error)
{
  HzFhirTeaching teaching = {
    row->session_id, row->kind, row->title, row->presenter_id, row->presenter_name,
    row->start_at, row->end_at, row->status, row->cancel_reason, row->created_at, 0, NULL,
  };
  gboolean attends;

  if (!caller_attends (request, row, &attends, error))
    return NULL;
  if (attends)
    {
      teaching.attendee_id = request->caller->id;
      teaching.attendee_name = request->caller->name;
    }

  return hz_fhir_teaching_appointment (&teaching, request->zone, request->language);
}

void
hz_api_fhir_search_appointments (HzRequest *request)
{
  g_auto (HzFhirSearch) search = { 0 };
  g_auto (AppointmentFilter) filter = { 0 };
  g_autoptr (GPtrArray) matches =
    g_ptr_array_new_with_free_func ((GDestroyNotify) appointment_match_free);
  g_autoptr (GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr (GHashTable) names = names_new ();
  g_autoptr (GError) error = NULL;

  if (!hz_fhir_search_begin (request, &search) || !read_filter (request, &search, &filter))
    return;

  if (!add_consultations (request, &filter, matches, &error) ||
      !add_teaching (request, &filter, matches, &error))
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  g_ptr_array_sort (matches, compare_matches);

  for (guint i = search.offset; i < matches->len && page->len < search.count; i++)
    {
      const AppointmentMatch *match = matches->pdata[i];
      JsonNode *node = match->consultation
                       ? build_appointment (request, match->consultation, names)
                       : build_teaching (request, match->teaching, &error);

      if (node == NULL)
        {
          hz_request_respond_gerror (request, error);
          return;
        }
      g_ptr_array_add (page, node);
    }

  hz_fhir_search_respond (request, &search, "Appointment", matches->len, page);
}

/* GET /fhir/Appointment/teaching-SESSION: a teaching occurrence, visible
 * to those who can see its series. */
void
hz_api_fhir_read_teaching_appointment (HzRequest *request)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (request->msg));
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  gint64 session_id;

  if (!hz_fhir_teaching_id_parse (strrchr (path, '/') + 1, &session_id))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  rows = hz_store_list_fhir_teaching (request->sched->db, session_id, &error);
  if (rows == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (rows->len == 0 || !can_view_teaching (request->caller, rows->pdata[0]))
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  node = build_teaching (request, rows->pdata[0], &error);
  if (node == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  hz_fhir_respond (request, SOUP_STATUS_OK, node);
}
