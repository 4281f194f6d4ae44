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

/* Visible to admins and to the doctors, coordinators and experts of the
 * requesting organization. An expert also sees those assigned to them or
 * naming them in the request. A coordinator of a hospital that gives
 * consultations also sees those addressed to their organization or to none
 * in particular. Trainees see no consultations. */
gboolean hz_access_can_view_consultation (const HzUser         *user,
                                          const HzConsultation *consultation);

/* Accepting, returning and marking a no-show: admins, and coordinators of
 * a hospital that gives consultations who can see it. */
gboolean hz_access_can_review (const HzUser         *user,
                               const HzConsultation *consultation);

/* Admins, and coordinators of the expert's organization. */
gboolean hz_access_can_schedule (const HzUser *user,
                                 const HzUser *expert);

/* Admins, coordinators who can see the consultation, the requesting doctor
 * and the assigned expert. */
gboolean hz_access_can_cancel (const HzUser         *user,
                               const HzConsultation *consultation);

/* The requesting side (the requesting organization's doctors and
 * coordinators), the assigned expert and admins. */
gboolean hz_access_can_read_report (const HzUser         *user,
                                    const HzConsultation *consultation);

/* Reading a draft report: the assigned expert and admins. Other readers
 * see the report only once it is signed. */
gboolean hz_access_can_read_draft_report (const HzUser         *user,
                                          const HzConsultation *consultation);

/* Only the assigned expert writes, signs and amends the report. */
gboolean hz_access_can_write_report (const HzUser         *user,
                                     const HzConsultation *consultation);

/* Setting a password or login name: admins for anyone, coordinators for
 * the users they could create (hz_access_can_create_user()), and every
 * user for themselves. */
gboolean hz_access_can_set_password (const HzUser *user,
                                     const HzUser *target);

/* A teaching session is visible to admins, to users of the presenter's
 * organization and to users of any role, trainees included, whose
 * organization is among the AUDIENCE_ORG_IDS. */
gboolean hz_access_can_view_teaching (const HzUser *user,
                                      gint64        presenter_org_id,
                                      const gint64 *audience_org_ids,
                                      gsize         n_audience);

G_END_DECLS
