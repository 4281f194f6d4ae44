/* Unit tests of hz_interval_overlaps(): half-open [start, end) intervals. */
#include <glib.h>

#include "hz-interval.h"

typedef struct {
  const char *name;
  gint64 a_start, a_end;
  gint64 b_start, b_end;
  gboolean overlaps;
} OverlapCase;

/* Times are minutes past 09:00 on some day, in seconds. */
#define AT(minutes) ((gint64) (minutes) * 60)

static const OverlapCase overlap_cases[] = {
  { "identical", AT (0), AT (30), AT (0), AT (30), TRUE },
  { "b inside a", AT (0), AT (60), AT (15), AT (45), TRUE },
  { "a inside b", AT (15), AT (45), AT (0), AT (60), TRUE },
  { "a contains b sharing start", AT (0), AT (60), AT (0), AT (30), TRUE },
  { "a contains b sharing end", AT (0), AT (60), AT (30), AT (60), TRUE },
  { "b starts inside a", AT (0), AT (30), AT (15), AT (45), TRUE },
  { "b ends inside a", AT (15), AT (45), AT (0), AT (30), TRUE },
  { "one second shared", AT (0), AT (30), AT (30) - 1, AT (60), TRUE },
  { "b right after a", AT (0), AT (30), AT (30), AT (60), FALSE },
  { "b right before a", AT (30), AT (60), AT (0), AT (30), FALSE },
  { "b after a with gap", AT (0), AT (30), AT (45), AT (60), FALSE },
  { "b before a with gap", AT (45), AT (60), AT (0), AT (30), FALSE },
  { "negative times", -AT (60), -AT (30), -AT (45), AT (0), TRUE },
};

static void
test_overlap_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlap_cases); i++)
    {
      const OverlapCase *c = &overlap_cases[i];
      gboolean result = hz_interval_overlaps (c->a_start, c->a_end, c->b_start, c->b_end);

      g_test_message ("case: %s", c->name);
      g_assert_cmpint (result, ==, c->overlaps);
    }
}

/* The predicate is symmetric: swapping a and b never changes the result. */
static void
test_overlap_symmetric (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (overlap_cases); i++)
    {
      const OverlapCase *c = &overlap_cases[i];

      g_test_message ("case: %s", c->name);
      g_assert_cmpint (hz_interval_overlaps (c->b_start, c->b_end, c->a_start, c->a_end),
                       ==, c->overlaps);
    }
}

/* 09:00–09:30 and 09:30–10:00 both book; 09:15–09:45 collides with both. */
static void
test_back_to_back_bookings (void)
{
  g_assert_false (hz_interval_overlaps (AT (0), AT (30), AT (30), AT (60)));
  g_assert_true (hz_interval_overlaps (AT (15), AT (45), AT (0), AT (30)));
  g_assert_true (hz_interval_overlaps (AT (15), AT (45), AT (30), AT (60)));
}

static void
test_extreme_values (void)
{
  g_assert_true (hz_interval_overlaps (G_MININT64, G_MAXINT64, 0, 1));
  g_assert_false (hz_interval_overlaps (G_MININT64, 0, 0, G_MAXINT64));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/interval/overlap-table", test_overlap_table);
  g_test_add_func ("/interval/symmetric", test_overlap_symmetric);
  g_test_add_func ("/interval/back-to-back", test_back_to_back_bookings);
  g_test_add_func ("/interval/extreme-values", test_extreme_values);

  return g_test_run ();
}
