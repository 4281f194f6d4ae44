#include "hz-interval.h"

gboolean
hz_interval_overlaps (gint64 a_start,
                      gint64 a_end,
                      gint64 b_start,
                      gint64 b_end)
{
  return a_start < b_end && b_start < a_end;
}
