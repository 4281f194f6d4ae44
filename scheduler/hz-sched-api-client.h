/* GET /client-config: what the web pages need to know about the
 * deployment, without authentication. */
#pragma once

#include "hz-sched-request.h"

G_BEGIN_DECLS

/* 200 {"relay_url"}: the relay's WebSocket URL ([relay] public-url), the
 * only relay that the join page connects to. */
void hz_api_get_client_config (HzRequest *request);

G_END_DECLS
