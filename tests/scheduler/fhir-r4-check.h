/* A checker of FHIR R4 (4.0.1) JSON for the resources that the scheduler
 * serves: Appointment, Slot, Schedule, Practitioner, CapabilityStatement,
 * Bundle and OperationOutcome.
 *
 * It is written apart from the scheduler's builders: required elements
 * and their cardinality, the required value sets of the status codes, the
 * invariants app-1 to app-4, bdl-1, bdl-2 and bdl-7, and the JSON rules
 * that apply to every resource (no null, no empty string, array or
 * object).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Returns one line per violation in NODE, or NULL when there is none. */
char *fhir_r4_check (JsonNode *node);

/* Fails the test with fhir_r4_check()'s lines when NODE is invalid. */
#define fhir_r4_assert_valid(node)                                              \
  G_STMT_START {                                                                \
    g_autofree char *fhir_problems_ = fhir_r4_check (node);                     \
    if (fhir_problems_ != NULL)                                                 \
      {                                                                         \
        g_autofree char *fhir_message_ =                                        \
          g_strconcat ("invalid FHIR R4 JSON:\n", fhir_problems_, NULL);        \
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,        \
                             fhir_message_);                                    \
      }                                                                         \
  } G_STMT_END

G_END_DECLS
