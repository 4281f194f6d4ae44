/* Layout: the place of each video track in the composed frame.
 *
 *   ┌──────────────────────────────┬─────────┐
 *   │                              │ tile 1  │
 *   │   main: the screen share,    ├─────────┤
 *   │   else the presenter's       │ tile 2  │
 *   │   camera, else the first     ├─────────┤
 *   │   video                      │ tile 3  │
 *   └──────────────────────────────┴─────────┘
 *
 * The main area is three quarters of the width. Every other video gets a
 * 4:3 tile in the right column, the presenter's camera first. Tiles are a
 * quarter of the width wide unless more of them must fit in the height. Videos
 * keep their aspect ratio inside their rectangle (black borders).
 */
#pragma once

#include "compose-track.h"

G_BEGIN_DECLS

typedef struct {
  int x, y, width, height;
  int zorder;
} HzComposeRect;

/* Fills RECTS (one per track of SESSION, in the same order) for a frame of
 * WIDTH x HEIGHT. Audio tracks get a zero rectangle. */
void hz_compose_layout (const HzComposeSession *session,
                        int                     width,
                        int                     height,
                        HzComposeRect          *rects);

G_END_DECLS
