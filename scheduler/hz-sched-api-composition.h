/* GET and POST /api/v1/sessions/{id}/composition: the composed training
 * video of a session (hz-sched-composer.h). */
#pragma once

#include "hz-sched-request.h"

G_BEGIN_DECLS

void hz_api_get_composition (HzRequest *request);
void hz_api_rerun_composition (HzRequest *request);

G_END_DECLS
