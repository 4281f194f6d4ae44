/* FHIR R4 Schedule and Slot: GET /fhir/Schedule/{id},
 * GET /fhir/Schedule?actor= and GET /fhir/Slot?schedule=&start=&status=.
 * Every expert has one Schedule whose id is the expert's user id. Busy
 * Slots are the sessions that keep an expert busy, free Slots come from
 * the slot search that booking shares (hz-sched-store-slots.c). */

#include "hz-sched-api-fhir.h"

#include <string.h>

#include "hz-sched-availability.h"
#include "hz-sched-fhir.h"
#include "hz-sched-store-fhir.h"

/* Slot searches cover 7 days from now when the start parameters leave the
 * end open, and at most HZ_SLOT_SEARCH_MAX_DAYS. */
#define SLOT_SEARCH_DEFAULT_DAYS 7

/* Free Slots last "duration" minutes (default 30) and follow each other
 * without a gap, so that the Slots of one Schedule never overlap. */
#define SLOT_DEFAULT_MINUTES 30
#define SLOT_MIN_MINUTES 5

/* Schedules are for booking consultations, which trainees do not do. */
static gboolean
check_schedule_access (HzRequest *request)
{
  if (request->caller->role != HZ_ROLE_TRAINEE)
    return TRUE;

  hz_request_respond_error (request, HZ_SCHED_ERROR_FORBIDDEN);
  return FALSE;
}

void
hz_api_fhir_read_schedule (HzRequest *request)
{
  g_autoptr (HzUser) expert = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (!check_schedule_access (request))
    return;

  expert = hz_store_get_user (request->sched->db, request->path_id, &error);
  if (expert == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (expert->role != HZ_ROLE_EXPERT)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  node = hz_fhir_schedule (expert, request->language);
  hz_fhir_respond (request, SOUP_STATUS_OK, node);
}

/* Reads every parameter NAME as references to TYPE into GROUPS (a GArray
 * of ids per parameter). */
static gboolean
read_reference_groups (HzRequest    *request,
                       HzFhirSearch *search,
                       const char   *name,
                       const char   *type,
                       GPtrArray    *groups)
{
  for (guint i = 0; i < search->params->len; i++)
    {
      const HzFhirParam *param = search->params->pdata[i];
      GArray *ids;

      if (!g_str_equal (param->name, name))
        continue;

      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_ptr_array_add (groups, ids);
      if (!hz_fhir_search_references (request, param, type, ids))
        return FALSE;
      hz_fhir_search_use (search, param);
    }

  return TRUE;
}

static gboolean
in_every_group (GPtrArray *groups,
                gint64     id)
{
  for (guint i = 0; i < groups->len; i++)
    {
      if (!hz_fhir_ids_contain (groups->pdata[i], id))
        return FALSE;
    }
  return TRUE;
}

/* Returns the experts in every group of GROUPS (all experts when GROUPS is
 * empty). */
static GPtrArray *
find_experts (HzRequest  *request,
              GPtrArray  *groups,
              GError    **error)
{
  g_autoptr (GPtrArray) experts = hz_store_list_experts (request->sched->db, error);

  if (experts == NULL)
    return NULL;

  for (guint i = experts->len; i > 0; i--)
    {
      const HzUser *expert = experts->pdata[i - 1];

      if (!in_every_group (groups, expert->id))
        g_ptr_array_remove_index (experts, i - 1);
    }

  return g_steal_pointer (&experts);
}

void
hz_api_fhir_search_schedules (HzRequest *request)
{
  g_auto (HzFhirSearch) search = { 0 };
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) experts = NULL;
  g_autoptr (GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr (GError) error = NULL;

  if (!check_schedule_access (request) || !hz_fhir_search_begin (request, &search) ||
      !read_reference_groups (request, &search, "actor", "Practitioner", groups))
    return;

  experts = find_experts (request, groups, &error);
  if (experts == NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  for (guint i = search.offset; i < experts->len && page->len < search.count; i++)
    g_ptr_array_add (page, hz_fhir_schedule (experts->pdata[i], request->language));

  hz_fhir_search_respond (request, &search, "Schedule", experts->len, page);
}

typedef struct {
  gint64 expert_id;
  gint64 start;
  gint64 end;
  const char *status;      /* "free" or "busy" */
} SlotMatch;

/* The filters of a Slot search besides the schedules. */
typedef struct {
  GPtrArray *dates;        /* GArray of HzFhirDate per start parameter */
  GPtrArray *statuses;     /* GStrv per status parameter */
  gint64 from;             /* the interval searched */
  gint64 to;
  gint64 duration;         /* of free Slots, in seconds */
} SlotFilter;

static void
slot_filter_clear (SlotFilter *filter)
{
  g_clear_pointer (&filter->dates, g_ptr_array_unref);
  g_clear_pointer (&filter->statuses, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SlotFilter, slot_filter_clear)

/* Returns the latest start of a Slot: scheduling rejects later starts. */
static gint64
latest_slot_start (gint64 now)
{
  return now + HZ_BOOKING_MAX_AHEAD_DAYS * G_GINT64_CONSTANT (86400);
}

/* Sets the searched interval from the start parameters whose only value
 * bounds it: from now when no parameter sets the beginning, and
 * SLOT_SEARCH_DEFAULT_DAYS long when none sets the end. Slots are listed
 * from now on and up to latest_slot_start(), so the interval is then cut
 * to those bounds, and may become empty. */
static gboolean
set_slot_interval (HzRequest  *request,
                   SlotFilter *filter)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 from = G_MININT64, to = G_MAXINT64;

  for (guint i = 0; i < filter->dates->len; i++)
    {
      GArray *alternatives = filter->dates->pdata[i];

      if (alternatives->len == 1)
        hz_fhir_date_narrow (&g_array_index (alternatives, HzFhirDate, 0), &from, &to);
    }

  if (from == G_MININT64)
    from = now;
  if (to == G_MAXINT64)
    to = from + SLOT_SEARCH_DEFAULT_DAYS * 24 * 3600;

  if (to <= from || to - from > HZ_SLOT_SEARCH_MAX_DAYS * 24 * 3600)
    {
      hz_fhir_respond_bad_parameter (request, "start");
      return FALSE;
    }

  filter->from = MAX (from, now);
  filter->to = MIN (to, latest_slot_start (now) + 1);
  return TRUE;
}

/* The SlotStatus value set of R4. This server has only "busy" and "free"
 * Slots, so the other codes match nothing. */
static const char *const slot_status_codes[] = {
  "busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error", NULL
};

static gboolean
read_slot_filter (HzRequest    *request,
                  HzFhirSearch *search,
                  SlotFilter   *filter)
{
  filter->dates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  filter->statuses = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  filter->duration = SLOT_DEFAULT_MINUTES * 60;

  for (guint i = 0; i < search->params->len; i++)
    {
      const HzFhirParam *param = search->params->pdata[i];
      guint64 minutes;

      if (g_str_equal (param->name, "duration"))
        {
          if (param->modifier != NULL ||
              !g_ascii_string_to_unsigned (param->value, 10, SLOT_MIN_MINUTES,
                                           HZ_SESSION_MAX_HOURS * 60, &minutes, NULL))
            {
              hz_fhir_respond_bad_parameter (request, param->name);
              return FALSE;
            }
          filter->duration = (gint64) minutes * 60;
        }
      else if (g_str_equal (param->name, "start"))
        {
          GArray *dates = g_array_new (FALSE, FALSE, sizeof (HzFhirDate));

          g_ptr_array_add (filter->dates, dates);
          if (!hz_fhir_search_dates (request, param, dates))
            return FALSE;
        }
      else if (g_str_equal (param->name, "status"))
        {
          GStrv codes = hz_fhir_search_codes (request, param, slot_status_codes);

          if (codes == NULL)
            return FALSE;
          g_ptr_array_add (filter->statuses, codes);
        }
      else
        continue;

      hz_fhir_search_use (search, param);
    }

  return set_slot_interval (request, filter);
}

/* Whether a Slot with STATUS can pass the status parameters. */
static gboolean
status_wanted (const SlotFilter *filter,
               const char       *status)
{
  for (guint i = 0; i < filter->statuses->len; i++)
    {
      if (!g_strv_contains ((const char *const *) filter->statuses->pdata[i], status))
        return FALSE;
    }
  return TRUE;
}

static gboolean
slot_matches (const SlotFilter *filter,
              const SlotMatch  *slot)
{
  if (slot->start < filter->from || slot->start >= filter->to)
    return FALSE;

  for (guint i = 0; i < filter->dates->len; i++)
    {
      if (!hz_fhir_dates_match_any (filter->dates->pdata[i], slot->start))
        return FALSE;
    }

  return status_wanted (filter, slot->status);
}

/* Appends the free slots of EXPERT_ID that match FILTER to SLOTS. */
static gboolean
add_free_slots (HzRequest         *request,
                gint64             expert_id,
                const SlotFilter  *filter,
                GArray            *slots,
                GError           **error)
{
  HzSlotQuery query = {
    .expert_id = expert_id,
    .from = filter->from,
    .to = filter->to,
    .duration = filter->duration,
    .step = filter->duration,
    .now = g_get_real_time () / G_USEC_PER_SEC,
  };
  g_autoptr (GArray) free_slots = NULL;
  gboolean truncated = FALSE;

  free_slots = hz_store_search_slots (request->sched->db, &query, &truncated, error);
  if (free_slots == NULL)
    return FALSE;
  if (truncated)
    g_message ("FHIR Slot search: the free slots of expert %" G_GINT64_FORMAT
               " were cut at %d", expert_id, HZ_SLOT_SEARCH_MAX_SLOTS);

  for (guint i = 0; i < free_slots->len; i++)
    {
      const HzSlot *free_slot = &g_array_index (free_slots, HzSlot, i);
      SlotMatch slot = { expert_id, free_slot->start, free_slot->end, "free" };

      if (slot_matches (filter, &slot))
        g_array_append_val (slots, slot);
    }

  return TRUE;
}

/* Appends the busy and free slots of EXPERT_ID that match FILTER to
 * SLOTS. */
static gboolean
add_expert_slots (HzRequest         *request,
                  gint64             expert_id,
                  const SlotFilter  *filter,
                  GArray            *slots,
                  GError           **error)
{
  g_autoptr (GArray) busy = NULL;

  if (status_wanted (filter, "busy"))
    busy = hz_store_list_busy_times (request->sched->db, expert_id, filter->from, filter->to,
                                     error);
  else
    busy = hz_interval_set_new ();
  if (busy == NULL)
    return FALSE;

  for (guint i = 0; i < busy->len; i++)
    {
      const HzInterval *interval = &g_array_index (busy, HzInterval, i);
      SlotMatch slot = { expert_id, interval->start, interval->end, "busy" };

      if (slot_matches (filter, &slot))
        g_array_append_val (slots, slot);
    }

  if (status_wanted (filter, "free"))
    return add_free_slots (request, expert_id, filter, slots, error);
  return TRUE;
}

static gint
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const SlotMatch *left = a;
  const SlotMatch *right = b;

  if (left->start != right->start)
    return left->start < right->start ? -1 : 1;
  return left->expert_id < right->expert_id ? -1 : left->expert_id > right->expert_id;
}

void
hz_api_fhir_search_slots (HzRequest *request)
{
  g_auto (HzFhirSearch) search = { 0 };
  g_auto (SlotFilter) filter = { 0 };
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) experts = NULL;
  g_autoptr (GArray) slots = g_array_new (FALSE, FALSE, sizeof (SlotMatch));
  g_autoptr (GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr (GError) error = NULL;

  if (!check_schedule_access (request) || !hz_fhir_search_begin (request, &search) ||
      !read_reference_groups (request, &search, "schedule", "Schedule", groups) ||
      !read_slot_filter (request, &search, &filter))
    return;

  experts = find_experts (request, groups, &error);
  for (guint i = 0; experts != NULL && filter.from < filter.to && i < experts->len; i++)
    {
      const HzUser *expert = experts->pdata[i];

      if (!add_expert_slots (request, expert->id, &filter, slots, &error))
        break;
    }
  if (error != NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  g_array_sort (slots, compare_slots);
  for (guint i = search.offset; i < slots->len && page->len < search.count; i++)
    {
      const SlotMatch *slot = &g_array_index (slots, SlotMatch, i);

      g_ptr_array_add (page, hz_fhir_slot (slot->expert_id, slot->start, slot->end,
                                           slot->status, request->zone));
    }

  hz_fhir_search_respond (request, &search, "Slot", slots->len, page);
}

/* Whether [START, END) is the exact time of a session in BUSY, which makes
 * it a busy Slot that a search lists. */
static gboolean
is_session_time (GArray *busy,
                 gint64  start,
                 gint64  end)
{
  for (guint i = 0; i < busy->len; i++)
    {
      const HzInterval *session = &g_array_index (busy, HzInterval, i);

      if (session->start == start && session->end == end)
        return TRUE;
    }
  return FALSE;
}

/* Returns the current status of [START, END) in EXPERT_ID's Schedule, or
 * NULL without an error when it is no Slot that a search from now on could
 * list. A Slot starts from now on and at most latest_slot_start(). The
 * time of a session is a busy Slot. Any other Slot lasts a whole number of
 * minutes within the bounds of the duration parameter and starts on the
 * grid of free Slots, a multiple of its length after local midnight in
 * the expert's zone. It is busy when a session or its buffer overlaps it,
 * free when it can be booked, and no Slot outside working hours, on leave,
 * on a holiday or within the minimum notice. */
static const char *
read_slot_status (HzRequest  *request,
                  gint64      expert_id,
                  gint64      start,
                  gint64      end,
                  GError    **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 length = end - start;
  g_autoptr (GArray) busy = NULL;
  g_autoptr (HzAvailability) availability = NULL;

  if (start < now || start > latest_slot_start (now))
    return NULL;

  busy = hz_store_list_busy_times (request->sched->db, expert_id, start, end, error);
  if (busy == NULL)
    return NULL;
  if (is_session_time (busy, start, end))
    return "busy";

  if (length % 60 != 0 || length < SLOT_MIN_MINUTES * 60 ||
      length > HZ_SESSION_MAX_HOURS * 3600)
    return NULL;

  availability = hz_store_load_availability (request->sched->db, expert_id, start, end, 0, now,
                                             error);
  if (availability == NULL)
    return NULL;
  if (!hz_availability_is_slot_start (availability->zone, start, length))
    return NULL;
  if (busy->len > 0)
    return "busy";

  switch (hz_availability_check (availability, start, end))
    {
    case HZ_BOOKING_OK:
      return "free";
    case HZ_BOOKING_BUSY:
      return "busy";
    default:
      return NULL;
    }
}

void
hz_api_fhir_read_slot (HzRequest *request)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (request->msg));
  const char *id = strrchr (path, '/') + 1;
  g_autoptr (HzUser) expert = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  gint64 expert_id, start, end;
  const char *status = NULL;

  if (!check_schedule_access (request))
    return;

  if (hz_fhir_slot_id_parse (id, &expert_id, &start, &end))
    expert = hz_store_get_user (request->sched->db, expert_id, &error);
  if (error != NULL && !g_error_matches (error, HZ_SCHED_ERROR, HZ_SCHED_ERROR_NOT_FOUND))
    {
      hz_request_respond_gerror (request, error);
      return;
    }

  if (expert != NULL && expert->role == HZ_ROLE_EXPERT)
    status = read_slot_status (request, expert_id, start, end, &error);
  if (error != NULL)
    {
      hz_request_respond_gerror (request, error);
      return;
    }
  if (status == NULL)
    {
      hz_request_respond_error (request, HZ_SCHED_ERROR_NOT_FOUND);
      return;
    }

  node = hz_fhir_slot (expert_id, start, end, status, request->zone);
  hz_fhir_respond (request, SOUP_STATUS_OK, node);
}
