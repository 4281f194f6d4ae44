/* Fuzz target: an ICE candidate line from a client, as the relay checks it
 * before webrtcbin receives it, and the relay's mapping of its own candidates
 * to the public address of a 1:1 NAT (relay/candidate.h). */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "candidate.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_parsed (const HzCandidate *candidate)
{
  g_assert_nonnull (candidate->foundation);
  g_assert_cmpuint (candidate->component, >=, 1);
  g_assert_cmpuint (candidate->component, <=, 256);
  g_assert_nonnull (candidate->transport);
  g_assert_nonnull (candidate->address);
  g_assert_nonnull (candidate->type);
}

/* A mapped candidate is a line that the relay itself hands to clients, so
 * it must parse as a server-reflexive candidate on the public address. */
static void
check_mapping (const char *line, const char *public_address)
{
  g_autofree char *mapped = hz_candidate_map_public (line, public_address);
  g_auto (HzCandidate) candidate = { 0 };
  g_autoptr (GError) error = NULL;

  if (mapped == NULL)
    return;
  g_assert_true (hz_candidate_parse (mapped, &candidate, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (candidate.type, ==, "srflx");
  g_assert_cmpstr (candidate.address, ==, public_address);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* Candidates arrive as JSON strings: C strings to the relay. */
  g_autofree char *line = g_strndup ((const char *) data, size);
  g_auto (HzCandidate) candidate = { 0 };
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (GError) check_error = NULL;
  HzCandidateCheck check = hz_candidate_check_remote (line, &check_error);

  if (check == HZ_CANDIDATE_INVALID)
    g_assert_true (g_error_matches (check_error, HZ_CANDIDATE_ERROR, HZ_CANDIDATE_ERROR_INVALID));
  else
    g_assert_no_error (check_error);

  if (hz_candidate_parse (line, &candidate, &parse_error))
    check_parsed (&candidate);
  else
    g_assert_true (g_error_matches (parse_error, HZ_CANDIDATE_ERROR, HZ_CANDIDATE_ERROR_INVALID));

  check_mapping (line, "203.0.113.7");
  check_mapping (line, "2001:db8::7");
  return 0;
}
