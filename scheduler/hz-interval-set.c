#include "hz-interval-set.h"

#include "hz-interval.h"

GArray *
hz_interval_set_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (HzInterval));
}

void
hz_interval_set_add (GArray *set,
                     gint64  start,
                     gint64  end)
{
  HzInterval interval = { start, end };

  if (start < end)
    g_array_append_val (set, interval);
}

static gint
compare_starts (gconstpointer a,
                gconstpointer b)
{
  const HzInterval *left = a;
  const HzInterval *right = b;

  if (left->start != right->start)
    return left->start < right->start ? -1 : 1;
  if (left->end != right->end)
    return left->end < right->end ? -1 : 1;
  return 0;
}

void
hz_interval_set_normalize (GArray *set)
{
  guint kept = 0;

  g_array_sort (set, compare_starts);

  for (guint i = 0; i < set->len; i++)
    {
      HzInterval current = g_array_index (set, HzInterval, i);
      HzInterval *last = kept > 0 ? &g_array_index (set, HzInterval, kept - 1) : NULL;

      if (last != NULL && current.start <= last->end)
        last->end = MAX (last->end, current.end);
      else
        g_array_index (set, HzInterval, kept++) = current;
    }

  g_array_set_size (set, kept);
}

GArray *
hz_interval_set_subtract (GArray *set,
                          GArray *remove)
{
  g_autoptr (GArray) base = g_array_copy (set);
  g_autoptr (GArray) holes = g_array_copy (remove);
  GArray *result = hz_interval_set_new ();
  guint next_hole = 0;

  hz_interval_set_normalize (base);
  hz_interval_set_normalize (holes);

  for (guint i = 0; i < base->len; i++)
    {
      HzInterval interval = g_array_index (base, HzInterval, i);
      gint64 cursor = interval.start;

      /* Holes that end before this interval cannot touch later ones. */
      while (next_hole < holes->len &&
             g_array_index (holes, HzInterval, next_hole).end <= interval.start)
        next_hole++;

      for (guint j = next_hole; j < holes->len; j++)
        {
          const HzInterval *hole = &g_array_index (holes, HzInterval, j);

          if (hole->start >= interval.end)
            break;
          hz_interval_set_add (result, cursor, MIN (hole->start, interval.end));
          cursor = MAX (cursor, hole->end);
        }

      hz_interval_set_add (result, cursor, interval.end);
    }

  return result;
}

void
hz_interval_set_clip (GArray *set,
                      gint64  from,
                      gint64  to)
{
  guint kept = 0;

  for (guint i = 0; i < set->len; i++)
    {
      HzInterval interval = g_array_index (set, HzInterval, i);

      interval.start = MAX (interval.start, from);
      interval.end = MIN (interval.end, to);
      if (interval.start < interval.end)
        g_array_index (set, HzInterval, kept++) = interval;
    }

  g_array_set_size (set, kept);
}

gboolean
hz_interval_set_covers (GArray *set,
                        gint64  start,
                        gint64  end)
{
  for (guint i = 0; i < set->len; i++)
    {
      const HzInterval *interval = &g_array_index (set, HzInterval, i);

      if (interval->start <= start && end <= interval->end)
        return TRUE;
    }

  return FALSE;
}

gboolean
hz_interval_set_overlaps (GArray *set,
                          gint64  start,
                          gint64  end)
{
  for (guint i = 0; i < set->len; i++)
    {
      const HzInterval *interval = &g_array_index (set, HzInterval, i);

      if (hz_interval_overlaps (interval->start, interval->end, start, end))
        return TRUE;
    }

  return FALSE;
}
