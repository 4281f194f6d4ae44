/* The composed frame's layout; see compose-layout.h. */
#include "compose-layout.h"

static gboolean
is_video (const HzComposeTrack *track)
{
  return g_str_equal (track->kind, "video");
}

static gboolean
is_screen_share (const HzComposeTrack *track)
{
  return is_video (track) && g_str_equal (track->track, "video2");
}

/* Returns the index of the track for the main area: a screen share (the
 * presenter's first), else the presenter's camera, else the first video. */
static int
choose_main (const HzComposeSession *session)
{
  int screen = -1, presenter = -1, first = -1;
  gboolean screen_of_presenter = FALSE;

  for (guint i = 0; i < session->tracks->len; i++) {
    const HzComposeTrack *track = session->tracks->pdata[i];

    if (!is_video (track))
      continue;
    if (first < 0)
      first = (int) i;
    if (is_screen_share (track) && (screen < 0 || (track->presenter && !screen_of_presenter))) {
      screen = (int) i;
      screen_of_presenter = track->presenter;
    }
    if (track->presenter && !is_screen_share (track) && presenter < 0)
      presenter = (int) i;
  }
  if (screen >= 0)
    return screen;
  return presenter >= 0 ? presenter : first;
}

void
hz_compose_layout (const HzComposeSession *session, int width, int height, HzComposeRect *rects)
{
  int main_index = choose_main (session);
  int main_width = width * 3 / 4;
  int tile_width = width - main_width;
  int tile_height = tile_width * 3 / 4;
  int n_tiles = 0, tile = 0;

  for (guint i = 0; i < session->tracks->len; i++) {
    rects[i] = (HzComposeRect) { 0, };
    if (is_video (session->tracks->pdata[i]) && (int) i != main_index)
      n_tiles++;
  }
  if (main_index < 0)
    return;
  rects[main_index] = (HzComposeRect) { 0, 0, main_width, height, 0 };
  if (n_tiles == 0) {
    rects[main_index].width = width;
    return;
  }
  if (n_tiles * tile_height > height) {
    tile_height = height / n_tiles;
    tile_width = MIN (tile_width, tile_height * 4 / 3);
  }

  /* Two passes put the presenter's tiles above the others. */
  for (int pass = 0; pass < 2; pass++) {
    for (guint i = 0; i < session->tracks->len; i++) {
      const HzComposeTrack *track = session->tracks->pdata[i];

      if (!is_video (track) || (int) i == main_index || track->presenter != (pass == 0))
        continue;
      rects[i] = (HzComposeRect) { main_width, tile * tile_height, tile_width, tile_height, 1 };
      tile++;
    }
  }
}
