/* Helpers for the relay's integration tests; see relay-test-peer.h. */
#define G_LOG_DOMAIN "hz-test-relay"

#include "relay-test-peer.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* The consultation runs from a minute ago for an hour, so every token that
 * the scheduler hands out is valid during the test. */
#define BOOKING_START_OFFSET_S (-60)
#define BOOKING_DURATION_S 3600

RelayTestSession *
relay_test_session_start (void)
{
  g_autoptr (RelayTestSession) session = g_new0 (RelayTestSession, 1);
  g_autoptr (GError) error = NULL;

  session->daemons = hz_test_daemons_start (HZ_TEST_DAEMONS_SCHEDULER | HZ_TEST_DAEMONS_RELAY, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session->daemons);

  hz_test_book_consultation (session->daemons, BOOKING_START_OFFSET_S, BOOKING_DURATION_S,
                             &session->booking, &error);
  g_assert_no_error (error);
  g_assert_cmpint (session->booking.session_id, >, 0);

  session->doctor_token = hz_test_join_token (session->daemons, session->booking.session_id,
                                              session->booking.doctor_key, &error);
  g_assert_no_error (error);
  session->expert_token = hz_test_join_token (session->daemons, session->booking.session_id,
                                              session->booking.expert_key, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&session);
}

void
relay_test_session_free (RelayTestSession *session)
{
  hz_test_booking_clear (&session->booking);
  g_clear_pointer (&session->daemons, hz_test_daemons_stop);
  g_free (session->doctor_token);
  g_free (session->expert_token);
  g_free (session);
}

RelayTestPeer *
relay_test_peer_start (const RelayTestTools *tools,
                       HzTestDaemons        *daemons,
                       gint64                session_id,
                       const char           *token,
                       const char           *label,
                       const char *const    *extra_args)
{
  RelayTestPeer *peer = g_new0 (RelayTestPeer, 1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *token_file = NULL;
  int fd = -1;

  /* The token goes to the peer in a file of the fixture's directory, which
   * hz_test_daemons_stop() removes, so that it is not in the process list. */
  token_file = g_build_filename (daemons->dir, "token-XXXXXX", NULL);
  fd = g_mkstemp_full (token_file, O_WRONLY, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, token, strlen (token)), ==, (gssize) strlen (token));
  close (fd);

  g_ptr_array_add (argv, g_strdup (tools->peer));
  g_ptr_array_add (argv, g_strdup_printf ("--relay=%s", daemons->relay_url));
  g_ptr_array_add (argv, g_strdup_printf ("--session=%" G_GINT64_FORMAT, session_id));
  g_ptr_array_add (argv, g_strdup_printf ("--token-file=%s", token_file));
  for (const char *const *arg = extra_args; arg != NULL && *arg != NULL; arg++)
    g_ptr_array_add (argv, g_strdup (*arg));
  g_ptr_array_add (argv, NULL);

  peer->label = g_strdup (label);
  peer->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  peer->returned = g_hash_table_new (NULL, NULL);
  peer->process = hz_test_spawn ((const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_test_message ("started hz-test-peer %s, pid %s", label,
                  g_subprocess_get_identifier (peer->process));
  return peer;
}

void
relay_test_peer_free (RelayTestPeer *peer)
{
  if (g_subprocess_get_identifier (peer->process) != NULL) {
    g_subprocess_force_exit (peer->process);
    g_subprocess_wait (peer->process, NULL, NULL);
  }
  g_object_unref (peer->process);
  g_ptr_array_unref (peer->events);
  g_hash_table_unref (peer->returned);
  g_free (peer->label);
  g_free (peer);
}

/* Reads one line within TIMEOUT_MS and stores it as an event. Returns the
 * event, or NULL on timeout or end of stdout. */
static JsonNode *
read_event (RelayTestPeer *peer, guint timeout_ms)
{
  g_autofree char *line = hz_test_read_line (peer->process, MAX (timeout_ms, 1));
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *event = NULL;

  if (line == NULL)
    return NULL;
  g_test_message ("%s: %s", peer->label, line);
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  event = json_node_ref (json_parser_get_root (parser));
  g_ptr_array_add (peer->events, event);
  return event;
}

static gboolean
event_matches (JsonNode *node, const char *event, const char *member, const char *value)
{
  JsonObject *object = json_node_get_object (node);

  if (g_strcmp0 (json_object_get_string_member_with_default (object, "event", NULL), event) != 0)
    return FALSE;
  if (member == NULL)
    return TRUE;
  return g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) == 0;
}

static guint
remaining_ms (gint64 deadline_us)
{
  gint64 left = deadline_us - g_get_monotonic_time ();

  return left > 0 ? (guint) (left / 1000) : 0;
}

JsonObject *
relay_test_peer_wait_event (RelayTestPeer *peer,
                            const char    *event,
                            const char    *match_member,
                            const char    *match_value,
                            guint          timeout_ms)
{
  gint64 deadline_us = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  JsonNode *node = NULL;

  for (guint i = 0; i < peer->events->len; i++) {
    node = peer->events->pdata[i];
    if (!g_hash_table_contains (peer->returned, node) &&
        event_matches (node, event, match_member, match_value)) {
      g_hash_table_add (peer->returned, node);
      return json_node_get_object (node);
    }
  }

  while (remaining_ms (deadline_us) > 0) {
    node = read_event (peer, remaining_ms (deadline_us));
    if (node == NULL)
      break;
    if (event_matches (node, event, match_member, match_value)) {
      g_hash_table_add (peer->returned, node);
      return json_node_get_object (node);
    }
  }
  g_test_message ("%s: no \"%s\" event within %u ms", peer->label, event, timeout_ms);
  return NULL;
}

typedef struct {
  gboolean done;              /* the wait callback ran: exited or cancelled */
  gboolean timed_out;
} ExitWait;

static void
on_wait_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ExitWait *wait = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  wait->done = TRUE;
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  ExitWait *wait = user_data;

  wait->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for PROCESS to exit for at most TIMEOUT_MS; returns whether it did.
 * g_subprocess_wait() with a cancellable timer on the default main context
 * would never time out, because the sync wait iterates a context of its own. */
static gboolean
wait_for_exit (GSubprocess *process, guint timeout_ms)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GSource) timeout = g_timeout_source_new (MAX (timeout_ms, 1));
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  ExitWait wait = { FALSE, FALSE };

  g_main_context_push_thread_default (context);
  g_source_set_callback (timeout, on_wait_timeout, &wait, NULL);
  g_source_attach (timeout, context);
  g_subprocess_wait_async (process, cancellable, on_wait_done, &wait);
  while (!wait.done && !wait.timed_out)
    g_main_context_iteration (context, TRUE);

  /* The cancelled wait still calls on_wait_done, so WAIT outlives it. */
  g_cancellable_cancel (cancellable);
  while (!wait.done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
  return g_subprocess_get_identifier (process) == NULL;
}

int
relay_test_peer_wait_exit (RelayTestPeer *peer, guint timeout_ms)
{
  gint64 deadline_us = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (remaining_ms (deadline_us) > 0 && read_event (peer, remaining_ms (deadline_us)) != NULL)
    ;

  if (!wait_for_exit (peer->process, remaining_ms (deadline_us))) {
    g_test_message ("%s: did not exit within %u ms", peer->label, timeout_ms);
    return -1;
  }
  if (!g_subprocess_get_if_exited (peer->process))
    return -1;
  return g_subprocess_get_exit_status (peer->process);
}

void
relay_test_peer_terminate (RelayTestPeer *peer)
{
  g_subprocess_send_signal (peer->process, SIGTERM);
}

JsonObject *
relay_test_peer_summary (RelayTestPeer *peer)
{
  for (guint i = peer->events->len; i > 0; i--) {
    JsonNode *node = peer->events->pdata[i - 1];

    if (event_matches (node, "summary", NULL, NULL))
      return json_node_get_object (node);
  }
  return NULL;
}

JsonObject *
relay_test_peer_feed (RelayTestPeer *peer, gint64 participant_id)
{
  JsonObject *summary = relay_test_peer_summary (peer);
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, participant_id);
  JsonObject *feeds = NULL;

  g_assert_nonnull (summary);
  feeds = json_object_get_object_member (summary, "feeds");
  g_assert_nonnull (feeds);
  if (!json_object_has_member (feeds, id))
    return NULL;
  return json_object_get_object_member (feeds, id);
}

JsonObject *
relay_test_media_check (const RelayTestTools *tools, const char *path)
{
  const char *argv[] = { tools->media_check, path, NULL };
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *output = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0) {
    g_test_message ("hz-media-check %s failed", path);
    return NULL;
  }

  g_test_message ("hz-media-check %s: %s", path, output);
  json_parser_load_from_data (parser, output, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

char *
relay_test_tool_path (int argc, char **argv, const char *option, const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("--%s=", option);
  const char *build_root = g_getenv ("HUIZHEN_BUILD_ROOT");

  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], prefix))
      return g_strdup (argv[i] + strlen (prefix));
  if (build_root == NULL)
    return NULL;
  return g_build_filename (build_root, "tests", "tools", name, NULL);
}

void
relay_test_peer_assert_video_never_stalled (RelayTestPeer *peer, gint64 from_id)
{
  g_autofree char *from = g_strdup_printf ("%" G_GINT64_FORMAT, from_id);
  gint64 previous_frames = -1;
  gint64 previous_ms = 0;
  guint intervals = 0;

  for (guint i = 0; i < peer->events->len; i++) {
    JsonObject *event = json_node_get_object (peer->events->pdata[i]);
    gint64 frames, ms;

    if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", NULL), "stats") != 0
        || g_strcmp0 (json_object_get_string_member_with_default (event, "from", NULL), from) != 0)
      continue;
    frames = json_object_get_int_member (event, "video_frames");
    ms = json_object_get_int_member (event, "ms");
    if (previous_frames > 0) {
      double rate = (frames - previous_frames) * 1000.0 / MAX (ms - previous_ms, 1);

      g_test_message ("%s: %" G_GINT64_FORMAT " frames from %s at %" G_GINT64_FORMAT
                      " ms, %.1f per second", peer->label, frames, from, ms, rate);
      g_assert_cmpfloat (rate, >=, RELAY_TEST_MIN_FRAMES_PER_SECOND);
      intervals++;
    }
    previous_frames = frames;
    previous_ms = ms;
  }
  g_assert_cmpuint (intervals, >=, 3);
}
