/* Who may do what. Pure functions of the records involved, so the rules
 * read in one place and are tested without a server.
 *
 * Handlers respond with 404 not_found when a consultation is not visible to the
 * caller (so its existence does not leak across organizations), and 403
 * forbidden when it is visible but the action is not allowed.
 */
#pragma once

#include <glib.h>

#include "hz-sched-store.h"

G_BEGIN_DECLS

/* District, city and provincial hospitals give consultations; county and
 * township hospitals request them. */
gboolean hz_access_org_gives_consultations (const char *level);

gboolean hz_access_can_create_organization (const HzUser *user);

/* Admins create any user. Coordinators create experts, doctors and
 * trainees of their own organization. */
gboolean hz_access_can_create_user (const HzUser *user,
                                    gint64        org_id,
                                    HzRole        role);

/* Doctors of county and township hospitals request consultations. */
gboolean hz_access_can_request_consultation (const HzUser *user);

/* Visible to admins, to every user of the requesting organization, to the
 * assigned expert and to coordinators of hospitals that give
 * consultations. */
gboolean hz_access_can_view_consultation (const HzUser         *user,
                                          const HzConsultation *consultation);

/* Admins, and coordinators of the expert's organization. */
gboolean hz_access_can_schedule (const HzUser *user,
                                 const HzUser *expert);

/* Admins, coordinators who can see the consultation, the requesting doctor
 * and the assigned expert. */
gboolean hz_access_can_cancel (const HzUser         *user,
                               const HzConsultation *consultation);

G_END_DECLS
