/* FHIR R4 search parameters: the query string, date parameters with their
 * comparison prefixes, and references. Pure functions, so the rules are
 * unit-tested without a server.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One "name[:modifier]=value" element of a query string, percent-decoded.
 * A "+" stays a plus sign, so an unencoded time zone offset still parses. */
typedef struct {
  char *name;
  char *modifier;    /* NULL without ":modifier" */
  char *value;
} HzFhirParam;

void hz_fhir_param_free (HzFhirParam *param);

/* Splits QUERY (may be NULL) into HzFhirParam records in their order.
 * Returns NULL when an element has invalid percent-encoding or is not
 * UTF-8. Empty elements are skipped. */
GPtrArray *hz_fhir_query_parse (const char *query);

/* The comparison prefixes of R4 search (search.html#prefix). "ap" is not
 * supported. */
typedef enum {
  HZ_FHIR_COMPARE_EQ,
  HZ_FHIR_COMPARE_NE,
  HZ_FHIR_COMPARE_GT,
  HZ_FHIR_COMPARE_LT,
  HZ_FHIR_COMPARE_GE,
  HZ_FHIR_COMPARE_LE,
  HZ_FHIR_COMPARE_SA,
  HZ_FHIR_COMPARE_EB,
} HzFhirCompare;

/* A date search value: its prefix and the interval [low, high) of UTC Unix
 * seconds that its precision covers ("2026-03-01" is one day). */
typedef struct {
  HzFhirCompare compare;
  gint64 low;
  gint64 high;
} HzFhirDate;

/* Parses "[prefix]YYYY", "YYYY-MM", "YYYY-MM-DD" or
 * "YYYY-MM-DDThh:mm[:ss[.fff]][Z|+hh:mm|-hh:mm]". Values without an offset
 * are civil time in ZONE, the caller's organization's zone. */
gboolean hz_fhir_date_parse (const char *text,
                             GTimeZone  *zone,
                             HzFhirDate *date);

/* Whether an instant (a target whose range is one second) satisfies DATE:
 * eq: low <= t < high; ne: not eq; gt and sa: t >= high; lt and eb:
 * t < low; ge: t >= low; le: t < high. */
gboolean hz_fhir_date_matches (const HzFhirDate *date,
                               gint64            instant);

/* Narrows [*FROM, *TO) to the instants that DATE can match. */
void hz_fhir_date_narrow (const HzFhirDate *date,
                          gint64           *from,
                          gint64           *to);

/* Reads the id of a reference to TYPE: "TYPE/ID", a URL ending in
 * "/TYPE/ID", or a bare "ID" (ids are positive integers). */
gboolean hz_fhir_reference_parse (const char *text,
                                  const char *type,
                                  gint64     *id);

G_END_DECLS
