/* Unit tests of the relay's ICE candidate checks and 1:1 NAT mapping. */
#include "candidate.h"

static void
test_candidate_parse_chromium (void)
{
  g_auto (HzCandidate) candidate = { 0, };
  g_autoptr (GError) error = NULL;

  g_assert_true (hz_candidate_parse ("candidate:842163049 1 udp 1677729535 192.0.2.7 46154 typ srflx "
                                     "raddr 0.0.0.0 rport 0 generation 0 ufrag sXyz network-cost 999",
                                     &candidate, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (candidate.foundation, ==, "842163049");
  g_assert_cmpuint (candidate.component, ==, 1);
  g_assert_cmpstr (candidate.transport, ==, "udp");
  g_assert_cmpuint (candidate.priority, ==, 1677729535);
  g_assert_cmpstr (candidate.address, ==, "192.0.2.7");
  g_assert_cmpuint (candidate.port, ==, 46154);
  g_assert_cmpstr (candidate.type, ==, "srflx");
}

static void
test_candidate_check_remote (void)
{
  static const struct {
    const char *line;
    HzCandidateCheck expected;
  } cases[] = {
    { "candidate:1 1 UDP 2015363327 127.0.0.1 45678 typ host", HZ_CANDIDATE_OK },
    { "a=candidate:1 1 UDP 2015363327 ::1 45678 typ host", HZ_CANDIDATE_OK },
    { "candidate:3 1 udp 2113937151 6f0b5b2a-2c4e-4b4a-9d47-6c5b3f1a2e10.local 51234 typ host "
      "generation 0 network-cost 999", HZ_CANDIDATE_MDNS },
    { "candidate:1 1 UDP 2015363327 example.org 45678 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 2015363327 127.0.0.1 70000 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 0 UDP 2015363327 127.0.0.1 45678 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 SCTP 2015363327 127.0.0.1 45678 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 4294967296 127.0.0.1 45678 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 127.0.0.1 45678 type host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 127.0.0.1 45678 typ unknown", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 127.0.0.1 45678", HZ_CANDIDATE_INVALID },
    { "candidate:f-o 1 UDP 1 127.0.0.1 45678 typ host", HZ_CANDIDATE_INVALID },
    { "1 1 UDP 1 127.0.0.1 45678 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 224.0.0.251 5353 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:2 1 UDP 1 : 3 typ relay", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 hospital.example 9 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 239.255.255.250 1900 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 ff02::fb 5353 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 255.255.255.255 9 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 0.0.0.0 9 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 :: 9 typ host", HZ_CANDIDATE_INVALID },
    { "candidate:1 1 UDP 1 fe80::1 9 typ host", HZ_CANDIDATE_OK },
    { "", HZ_CANDIDATE_INVALID },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    HzCandidateCheck check = hz_candidate_check_remote (cases[i].line, &error);

    g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].line);
    g_assert_cmpint (check, ==, cases[i].expected);
    if (check == HZ_CANDIDATE_INVALID)
      g_assert_error (error, HZ_CANDIDATE_ERROR, HZ_CANDIDATE_ERROR_INVALID);
    else
      g_assert_no_error (error);
  }
}

static void
test_candidate_overlong (void)
{
  g_autofree char *padding = g_strnfill (2000, 'x');
  g_autofree char *line = g_strdup_printf ("candidate:1 1 UDP 1 127.0.0.1 1 typ host %s", padding);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (hz_candidate_check_remote (line, &error), ==, HZ_CANDIDATE_INVALID);
  g_assert_error (error, HZ_CANDIDATE_ERROR, HZ_CANDIDATE_ERROR_INVALID);
}

static void
test_candidate_map_public (void)
{
  g_autofree char *mapped = hz_candidate_map_public (
      "candidate:1 1 UDP 2015363327 10.0.0.5 40001 typ host", "203.0.113.9");
  g_auto (HzCandidate) candidate = { 0, };

  g_assert_cmpstr (mapped, ==,
                   "candidate:nat1 1 UDP 1679819007 203.0.113.9 40001 typ srflx "
                   "raddr 10.0.0.5 rport 40001");
  g_assert_true (hz_candidate_parse (mapped, &candidate, NULL));
  /* The host candidate stays preferred over its mapped copy. */
  g_assert_cmpuint (candidate.priority, <, 2015363327);

  g_assert_null (hz_candidate_map_public ("candidate:1 1 UDP 2015363327 127.0.0.1 40001 typ host",
                                          "203.0.113.9"));
  g_assert_null (hz_candidate_map_public ("candidate:1 1 UDP 2015363327 fd00::5 40001 typ host",
                                          "203.0.113.9"));
  g_assert_null (hz_candidate_map_public ("candidate:2 1 UDP 1 10.0.0.5 40001 typ relay "
                                          "raddr 10.0.0.5 rport 1", "203.0.113.9"));
  g_assert_null (hz_candidate_map_public ("candidate:1 1 TCP 2015363327 10.0.0.5 9 typ host "
                                          "tcptype active", "203.0.113.9"));
  g_assert_null (hz_candidate_map_public ("candidate:1 1 UDP 2015363327 10.0.0.5 40001 typ host",
                                          NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/candidate/parse-chromium", test_candidate_parse_chromium);
  g_test_add_func ("/candidate/check-remote", test_candidate_check_remote);
  g_test_add_func ("/candidate/overlong", test_candidate_overlong);
  g_test_add_func ("/candidate/map-public", test_candidate_map_public);
  return g_test_run ();
}
