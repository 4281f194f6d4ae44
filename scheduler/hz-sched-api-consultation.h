/* Helpers shared by the handlers of consultations, their workflow and
 * their reports (hz-sched-api-consultations.c). */
#pragma once

#include "hz-sched-request.h"
#include "hz-sched-workflow.h"

G_BEGIN_DECLS

/* Loads consultation ID and checks that the caller may see it. Responds
 * with 404 and returns NULL otherwise, so that the existence of another
 * organization's consultation does not leak. */
HzConsultation *hz_api_load_visible_consultation (HzRequest *request,
                                                  gint64     id);

/* Reads consultation ID again and sends it with STATUS. */
void hz_api_respond_consultation (HzRequest *request,
                                  gint64     id,
                                  guint      status);

/* Responds to a failed ACTION on consultation ID. An invalid_transition
 * names the current status and ACTION's target in the message and as
 * "from" and "to"; other errors go to hz_request_respond_gerror(). */
void hz_api_respond_workflow_error (HzRequest        *request,
                                    gint64            id,
                                    HzWorkflowAction  action,
                                    const GError     *error);

/* Responds with 400 for FIELD, without quoting a field table. */
void hz_api_respond_field_problem (HzRequest      *request,
                                   const char     *field,
                                   HzFieldProblem  problem);

G_END_DECLS
