/* The demo dataset: a district hospital in Shanghai, four county hospitals
 * in Yunnan, Guizhou and Tibet, their staff and a trainee, one consultation
 * that is scheduled to start now, so its join links work at once, and a
 * weekly teaching round that starts half an hour later. Every person and
 * patient in it is invented. */
#pragma once

#include <stdio.h>

#include "hz-sched.h"

G_BEGIN_DECLS

typedef struct _HzDemo HzDemo;

/* Inserts the dataset into SCHED's database, which must have no
 * organizations and no users. */
HzDemo *hz_demo_load (HzSched *sched,
                      GError **error);

/* Prints each user's role, name, organization and API key, the doctor's
 * and the expert's join URLs of the scheduled consultation, and the
 * teaching round's id, presenter and first start. Call
 * it after hz_sched_listen(), which sets the URLs. The output contains
 * secrets: write it to a terminal, never to a log. */
void hz_demo_print (const HzDemo *demo,
                    HzSched      *sched,
                    FILE         *out);

void hz_demo_free (HzDemo *demo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HzDemo, hz_demo_free)

G_END_DECLS
