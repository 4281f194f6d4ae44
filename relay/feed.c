/* The media side of a room's participants: the publish connection (ingest),
 * the "sub:ID" connections (subscriber branches), their signalling, and the
 * recordings with their reports to the scheduler. */
#include "room-private.h"
#include "candidate.h"
#include "offer-filter.h"
#include "sdp-text.h"
#include "subscriber.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

/* One "sub:PUBLISHER" connection of a viewer. */
typedef struct {
  HzParticipant *viewer;
  char *publisher_id;
  char *pc;                    /* "sub:PUBLISHER" */
  HzSubscriber *subscriber;
  guint n_candidates;          /* remote candidates received for subscriber */
} Subscription;

/* A recording between hz_recorder_finish() and its done callback. */
typedef struct {
  HzRoom *room;
  char *participant_id;
} FinishingRecording;

/* ---- messages ---- */

static JsonBuilder *
begin_message (const char *type, const char *pc)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "pc");
  json_builder_add_string_value (builder, pc);
  return builder;
}

static void
send_one_candidate (HzParticipant *participant, const char *pc, guint mline_index,
                    const char *candidate)
{
  JsonBuilder *builder = begin_message ("candidate", pc);

  json_builder_set_member_name (builder, "candidate");
  json_builder_add_string_value (builder, candidate);
  json_builder_set_member_name (builder, "sdpMLineIndex");
  json_builder_add_int_value (builder, mline_index);
  json_builder_end_object (builder);
  hz_participant_send (participant, builder);
}

/* Sends a local candidate, and behind a 1:1 NAT (public-address) also its
 * server-reflexive copy on the public address. */
static void
send_candidate (HzParticipant *participant, const char *pc, guint mline_index,
                const char *candidate)
{
  const char *public_address = participant->room->relay->config->relay.public_address;
  g_autofree char *mapped = hz_candidate_map_public (candidate, public_address);

  send_one_candidate (participant, pc, mline_index, candidate);
  if (mapped != NULL)
    send_one_candidate (participant, pc, mline_index, mapped);
}

/* ---- recordings ---- */

/* The path that the scheduler stores: relative to recordings-dir. */
static char *
relative_recording_path (HzRoom *room, const char *location)
{
  g_autofree char *file = g_path_get_basename (location);

  return g_strdup_printf ("%" G_GINT64_FORMAT "/%s", room->session_id, file);
}

static void
report_recording (HzRoom *room, const char *participant_id, HzRecorder *recorder,
                  const char *status, gint64 ended_at, gint64 bytes)
{
  g_autofree char *path = relative_recording_path (room, hz_recorder_get_location (recorder));
  HzRecordingReport report = {
    .session_id = room->session_id,
    .participant_id = participant_id,
    .kind = hz_recorder_get_kind (recorder),
    .path = path,
    .status = status,
    .started_at = hz_recorder_get_started_at (recorder),
    .ended_at = ended_at,
    .bytes = bytes,
    .failure_reason = hz_recorder_get_failure_reason (recorder),
  };

  hz_reporter_send_recording (room->relay->reporter, &report);
}

static void
on_recording_done (HzRecorder *recorder, gboolean complete, guint64 bytes, gpointer data)
{
  FinishingRecording *finishing = data;
  HzRoom *room = finishing->room;

  report_recording (room, finishing->participant_id, recorder,
                    complete ? "complete" : "failed", g_get_real_time (), (gint64) bytes);
  room->relay->metrics->recording_bytes += bytes;
  g_free (finishing->participant_id);
  g_free (finishing);

  room->n_finishing_recorders--;
  hz_room_destroy_if_unused (room);
}

/* Tells everyone in ROOM that the recording of PARTICIPANT's track KIND
 * stopped, with REASON ("disk_full" or "write_failed"). */
static void
announce_recording_stopped (HzRoom *room, HzParticipant *participant, const char *kind,
                            const char *reason)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    JsonBuilder *builder = json_builder_new ();

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "type");
    json_builder_add_string_value (builder, "recording-stopped");
    json_builder_set_member_name (builder, "participant_id");
    json_builder_add_string_value (builder, participant->id);
    json_builder_set_member_name (builder, "kind");
    json_builder_add_string_value (builder, kind);
    json_builder_set_member_name (builder, "reason");
    json_builder_add_string_value (builder, reason);
    json_builder_end_object (builder);
    hz_participant_send (value, builder);
  }
}

gboolean
hz_room_handle_recording_error (HzRoom *room, GstMessage *message, const GError *error)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzParticipant *participant = value;
    HzRecorder *recorder = participant->ingest != NULL
                           ? hz_ingest_take_recorder (participant->ingest, message) : NULL;
    FinishingRecording *finishing;
    const char *reason;

    if (recorder == NULL)
      continue;

    finishing = g_new0 (FinishingRecording, 1);
    finishing->room = room;
    finishing->participant_id = g_strdup (participant->id);
    room->n_finishing_recorders++;
    hz_recorder_stop_on_error (recorder, error, on_recording_done, finishing);
    reason = hz_recorder_get_failure_reason (recorder);
    announce_recording_stopped (room, participant, hz_recorder_get_kind (recorder),
                                reason != NULL ? reason : "write_failed");
    return TRUE;
  }
  return FALSE;
}

/* Whether a recording of any track and format exists at BASE-TRACK.EXT. */
static gboolean
recording_exists (const char *base)
{
  static const char *const tracks[] = { "audio", "video", "video2" };
  static const char *const extensions[] = { "webm", "mkv" };

  for (guint t = 0; t < G_N_ELEMENTS (tracks); t++) {
    for (guint e = 0; e < G_N_ELEMENTS (extensions); e++) {
      g_autofree char *path = g_strdup_printf ("%s-%s.%s", base, tracks[t], extensions[e]);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  }
  return FALSE;
}

/* Picks the recording path base for a new publish of PARTICIPANT: "-2",
 * "-3" ... are appended from the second publish on, also skipping files
 * left by an earlier run of the relay. */
static char *
choose_recording_base (HzParticipant *participant)
{
  HzRoom *room = participant->room;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (room->publish_counts, participant->id));

  for (guint index = count + 1;; index++) {
    g_autofree char *name = index == 1 ? g_strdup (participant->id)
                                       : g_strdup_printf ("%s-%u", participant->id, index);
    g_autofree char *base = g_build_filename (room->recordings_dir, name, NULL);

    if (recording_exists (base))
      continue;
    g_hash_table_insert (room->publish_counts, g_strdup (participant->id),
                         GUINT_TO_POINTER (index));
    return g_steal_pointer (&base);
  }
}

/* ---- subscriber callbacks ---- */

static void
on_subscriber_offer (HzSubscriber *subscriber, const char *sdp, gpointer data)
{
  Subscription *subscription = data;
  HzParticipant *publisher = g_hash_table_lookup (subscription->viewer->room->participants,
                                                  subscription->publisher_id);
  JsonBuilder *builder = begin_message ("offer", subscription->pc);

  json_builder_set_member_name (builder, "participant_id");
  json_builder_add_string_value (builder, subscription->publisher_id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, publisher != NULL ? publisher->name : "");
  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp);
  json_builder_end_object (builder);
  hz_participant_send (subscription->viewer, builder);
  g_message ("%s %s: offer sent", subscription->viewer->log_prefix, subscription->pc);
}

static void
on_subscriber_candidate (HzSubscriber *subscriber, guint mline_index, const char *candidate,
                         gpointer data)
{
  Subscription *subscription = data;

  send_candidate (subscription->viewer, subscription->pc, mline_index, candidate);
}

/* Closes SUBSCRIPTION alone after sending its viewer the error CODE: the
 * publisher's ingest and the feed's other receivers go on. */
static void
drop_subscription (Subscription *subscription, const char *code, const char *message)
{
  HzParticipant *viewer = subscription->viewer;
  g_autofree char *publisher_id = g_strdup (subscription->publisher_id);

  g_warning ("%s %s: dropping this connection alone: %s: %s", viewer->log_prefix,
             subscription->pc, code, message);
  hz_connection_send_error (viewer->connection, code, subscription->pc, message);
  hz_participant_unsubscribe (viewer, publisher_id);
}

static void
on_subscriber_failed (HzSubscriber *subscriber, const char *code, const char *message,
                      gpointer data)
{
  drop_subscription (data, code, message);
}

static void
request_keyframe (Subscription *subscription)
{
  HzParticipant *publisher = g_hash_table_lookup (subscription->viewer->room->participants,
                                                  subscription->publisher_id);

  hz_metrics_count (&subscription->viewer->room->relay->metrics->keyframe_requests_received, 1);

  if (publisher != NULL && publisher->ingest != NULL)
    hz_ingest_request_keyframe (publisher->ingest);
}

static void
on_subscriber_connected (HzSubscriber *subscriber, gpointer data)
{
  Subscription *subscription = data;

  g_message ("%s %s: connected", subscription->viewer->log_prefix, subscription->pc);
  request_keyframe (subscription);
}

static void
on_subscriber_keyframe_requested (HzSubscriber *subscriber, gpointer data)
{
  request_keyframe (data);
}

static const HzSubscriberCallbacks subscriber_callbacks = {
  .offer = on_subscriber_offer,
  .candidate = on_subscriber_candidate,
  .failed = on_subscriber_failed,
  .connected = on_subscriber_connected,
  .keyframe_requested = on_subscriber_keyframe_requested,
};

static void
subscription_free (Subscription *subscription)
{
  g_free (subscription->publisher_id);
  g_free (subscription->pc);
  g_free (subscription);
}

void
hz_room_subscribe (HzRoom *room, HzParticipant *viewer, HzParticipant *publisher)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *log_prefix = NULL;
  Subscription *subscription;

  if (g_hash_table_contains (viewer->subscriptions, publisher->id))
    return;

  subscription = g_new0 (Subscription, 1);
  subscription->viewer = viewer;
  subscription->publisher_id = g_strdup (publisher->id);
  subscription->pc = g_strdup_printf ("sub:%s", publisher->id);
  log_prefix = g_strdup_printf ("%s %s", viewer->log_prefix, subscription->pc);
  subscription->subscriber = hz_subscriber_new (room->pipeline, &room->relay->config->relay,
                                                room->relay->send_pool, room->relay->metrics,
                                                log_prefix,
                                                hz_ingest_get_tracks (publisher->ingest),
                                                &subscriber_callbacks, subscription, &error);
  if (subscription->subscriber == NULL) {
    g_warning ("%s: cannot build the subscriber branch: %s", log_prefix, error->message);
    hz_connection_send_error (viewer->connection, "internal_error", subscription->pc,
                              "the relay could not forward this feed");
    subscription_free (subscription);
    return;
  }
  g_hash_table_insert (viewer->subscriptions, g_strdup (publisher->id), subscription);
  hz_subscriber_watch (subscription->subscriber, room->relay->metrics);
  g_message ("%s: subscribing", log_prefix);
}

void
hz_participant_unsubscribe (HzParticipant *viewer, const char *publisher_id)
{
  Subscription *subscription = g_hash_table_lookup (viewer->subscriptions, publisher_id);

  if (subscription == NULL)
    return;
  g_hash_table_remove (viewer->subscriptions, publisher_id);
  hz_subscriber_read_counts (subscription->subscriber, &viewer->room->relay->metrics->closed);
  hz_subscriber_close (subscription->subscriber);
  g_message ("%s %s: closed", viewer->log_prefix, subscription->pc);
  subscription_free (subscription);
}

/* ---- ingest callbacks ---- */

static void
on_ingest_answer (HzIngest *ingest, const char *sdp, gpointer data)
{
  HzParticipant *participant = data;
  JsonBuilder *builder = begin_message ("answer", "publish");

  json_builder_set_member_name (builder, "sdp");
  json_builder_add_string_value (builder, sdp);
  json_builder_end_object (builder);
  hz_participant_send (participant, builder);
  g_message ("%s: publish answer sent", participant->log_prefix);
}

static void
on_ingest_candidate (HzIngest *ingest, guint mline_index, const char *candidate, gpointer data)
{
  send_candidate (data, "publish", mline_index, candidate);
}

static void
on_ingest_failed (HzIngest *ingest, const char *code, const char *message, gpointer data)
{
  HzParticipant *participant = data;

  g_warning ("%s: publish: %s: %s", participant->log_prefix, code, message);
  hz_connection_send_error (participant->connection, code, "publish", message);
  hz_participant_close_feed (participant);
}

static void
on_ingest_recording_started (HzIngest *ingest, const char *track_name, HzRecorder *recorder,
                             gpointer data)
{
  HzParticipant *participant = data;

  g_ptr_array_add (participant->recorded_kinds, g_strdup (track_name));
  report_recording (participant->room, participant->id, recorder, "recording", 0, -1);
}

/* Sends "recording" with the recorded kinds ("audio", "video") and tracks
 * ("audio", "video", "video2"); recorded_kinds contains the track names. */
static void
send_recording (HzParticipant *participant)
{
  JsonBuilder *builder = begin_message ("recording", "publish");
  gboolean audio = FALSE;
  gboolean video = FALSE;

  for (guint i = 0; i < participant->recorded_kinds->len; i++) {
    const char *track = g_ptr_array_index (participant->recorded_kinds, i);

    audio |= g_str_has_prefix (track, "audio");
    video |= g_str_has_prefix (track, "video");
  }
  json_builder_set_member_name (builder, "kinds");
  json_builder_begin_array (builder);
  if (audio)
    json_builder_add_string_value (builder, "audio");
  if (video)
    json_builder_add_string_value (builder, "video");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "tracks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < participant->recorded_kinds->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (participant->recorded_kinds, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  hz_participant_send (participant, builder);
}

/* Counts the packets of each forwarded track where it leaves the ingest's
 * webrtcbin: the peer of its tee's sink pad. */
static void
watch_ingest_tracks (HzParticipant *publisher)
{
  const GArray *tracks = hz_ingest_get_tracks (publisher->ingest);

  for (guint i = 0; i < tracks->len; i++) {
    const HzIngestTrack *track = &g_array_index (tracks, HzIngestTrack, i);
    g_autoptr (GstPad) tee_sink = gst_element_get_static_pad (track->tee, "sink");
    g_autoptr (GstPad) src = gst_pad_get_peer (tee_sink);

    if (src != NULL)
      hz_metrics_watch_ingest_pad (publisher->room->relay->metrics, src,
                                   g_str_equal (track->kind, "audio")
                                   ? HZ_METRICS_AUDIO : HZ_METRICS_VIDEO);
  }
}

static void
on_ingest_ready (HzIngest *ingest, gpointer data)
{
  HzParticipant *publisher = data;
  GHashTableIter iter;
  gpointer value;

  g_message ("%s: feed ready, forwarding it", publisher->log_prefix);
  watch_ingest_tracks (publisher);
  hz_room_hls_attach (publisher);
  if (publisher->recorded_kinds->len > 0)
    send_recording (publisher);

  g_hash_table_iter_init (&iter, publisher->room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    if (value != publisher)
      hz_room_subscribe (publisher->room, value, publisher);
  }
}

static const HzIngestCallbacks ingest_callbacks = {
  .answer = on_ingest_answer,
  .candidate = on_ingest_candidate,
  .failed = on_ingest_failed,
  .recording_started = on_ingest_recording_started,
  .ready = on_ingest_ready,
};

void
hz_participant_remove_feed (HzParticipant *publisher)
{
  HzRoom *room = publisher->room;
  g_autoptr (GPtrArray) recorders = NULL;
  GHashTableIter iter;
  gpointer value;

  if (publisher->ingest == NULL)
    return;

  g_hash_table_iter_init (&iter, room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    hz_participant_unsubscribe (value, publisher->id);

  hz_room_hls_detach (publisher);
  hz_metrics_fold_session (room->relay->metrics, hz_ingest_get_webrtcbin (publisher->ingest));
  recorders = hz_ingest_close (g_steal_pointer (&publisher->ingest));
  g_ptr_array_set_size (publisher->recorded_kinds, 0);
  for (guint i = 0; i < recorders->len; i++) {
    FinishingRecording *finishing = g_new0 (FinishingRecording, 1);

    finishing->room = room;
    finishing->participant_id = g_strdup (publisher->id);
    room->n_finishing_recorders++;
    hz_recorder_finish (g_ptr_array_index (recorders, i), on_recording_done, finishing);
  }
}

void
hz_participant_close_feed (HzParticipant *publisher)
{
  g_autofree char *pc = g_strdup_printf ("sub:%s", publisher->id);
  GHashTableIter iter;
  gpointer value;

  if (publisher->ingest == NULL)
    return;

  g_hash_table_iter_init (&iter, publisher->room->participants);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    HzParticipant *viewer = value;
    JsonBuilder *builder;

    if (!g_hash_table_contains (viewer->subscriptions, publisher->id))
      continue;
    builder = begin_message ("feed-closed", pc);
    json_builder_set_member_name (builder, "participant_id");
    json_builder_add_string_value (builder, publisher->id);
    json_builder_end_object (builder);
    hz_participant_send (viewer, builder);
  }
  g_message ("%s: feed closed while the participant stays", publisher->log_prefix);
  hz_participant_remove_feed (publisher);
}

/* ---- client messages ---- */

/* Checks that PARTICIPANT may publish what the offer SDP_TEXT sends; sends
 * not_allowed and returns FALSE otherwise. An offer that does not parse
 * passes, so that hz_ingest_set_offer() reports it as bad_sdp. */
static gboolean
check_publish_allowed (HzParticipant *participant, const char *sdp_text)
{
  GstSDPMessage *sdp = NULL;
  gboolean video_allowed = FALSE;
  guint n_video = 0;

  if (!hz_teaching_may_publish (participant, &video_allowed)) {
    g_message ("%s: publish offer rejected: a view participant without the floor",
               participant->log_prefix);
    hz_connection_send_error (participant->connection, "not_allowed", "publish",
                              "a view participant can publish only while granted the floor");
    return FALSE;
  }
  if (video_allowed)
    return TRUE;

  if (hz_sdp_parse_text (sdp_text, &sdp))
    n_video = hz_offer_count_sending (sdp, "video");
  g_clear_pointer (&sdp, gst_sdp_message_free);
  if (n_video > 0) {
    g_message ("%s: publish offer rejected: it sends video, but the floor is for audio only",
               participant->log_prefix);
    hz_connection_send_error (participant->connection, "not_allowed", "publish",
                              "the floor was granted for audio only; offer no video to send");
    return FALSE;
  }
  return TRUE;
}

/* Counts the candidates of SDP_TEXT, an offer or answer for PC, on top of
 * the *COUNT that PC already has, against [relay]
 * max-candidates-per-connection. Over the limit, logs it, sets *REASON and
 * returns FALSE. Text that does not parse passes here, and is rejected
 * where it is applied. */
static gboolean
count_sdp_candidates (HzParticipant *participant, const char *pc, const char *sdp_text,
                      guint *count, char **reason)
{
  guint max = participant->room->relay->config->relay.max_candidates_per_connection;
  GstSDPMessage *sdp = NULL;
  guint n_candidates;

  if (!hz_sdp_parse_text (sdp_text, &sdp))
    return TRUE;
  n_candidates = hz_sdp_count_candidates (sdp);
  gst_sdp_message_free (sdp);

  if (*count + n_candidates <= max) {
    *count += n_candidates;
    return TRUE;
  }

  g_message ("%s: rejecting the SDP of %s: %u candidates, over [relay]"
             " max-candidates-per-connection = %u", participant->log_prefix, pc,
             *count + n_candidates, max);
  *reason = g_strdup_printf ("the SDP has %u candidates; the relay accepts at most %u for one"
                             " peer connection", *count + n_candidates, max);
  return FALSE;
}

static void
handle_offer (HzParticipant *participant, const HzSignalMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *recording_base = NULL;
  g_autofree char *reason = NULL;
  guint n_candidates = 0;
  gpointer publish_count;

  if (message->pc_kind != HZ_SIGNAL_PC_PUBLISH) {
    hz_connection_send_error (participant->connection, "unknown_pc", NULL,
                              "offers are accepted only for pc \"publish\"");
    return;
  }
  if (!check_publish_allowed (participant, message->sdp))
    return;
  if (participant->ingest != NULL) {
    hz_connection_send_error (participant->connection, "negotiation_failed", "publish",
                              "the publish connection is already negotiated; "
                              "renegotiation is not supported");
    return;
  }
  if (!count_sdp_candidates (participant, "publish", message->sdp, &n_candidates, &reason)) {
    hz_connection_send_error (participant->connection, "too_many_candidates", "publish", reason);
    return;
  }

  publish_count = g_hash_table_lookup (participant->room->publish_counts, participant->id);
  if (participant->room->recording) {
    if (g_mkdir_with_parents (participant->room->recordings_dir, 0700) != 0)
      g_warning ("%s: cannot create %s: %s", participant->log_prefix,
                 participant->room->recordings_dir, g_strerror (errno));
    recording_base = choose_recording_base (participant);
  } else {
    g_message ("%s: publish not recorded: the session's booking does not allow recording",
               participant->log_prefix);
  }
  participant->ingest = hz_ingest_new (participant->room->pipeline,
                                       &participant->room->relay->config->relay,
                                       participant->log_prefix, recording_base,
                                       &ingest_callbacks, participant);
  participant->n_publish_candidates = n_candidates;
  hz_metrics_watch_ice (participant->room->relay->metrics,
                        hz_ingest_get_webrtcbin (participant->ingest));
  if (!hz_ingest_set_offer (participant->ingest, message->sdp, &error)) {
    g_message ("%s: publish offer rejected: %s", participant->log_prefix, error->message);
    hz_connection_send_error (participant->connection, "bad_sdp", "publish", error->message);
    hz_participant_remove_feed (participant);
    /* A rejected offer records nothing, so it does not count as a publish. */
    g_hash_table_insert (participant->room->publish_counts, g_strdup (participant->id),
                         publish_count);
  }
}

static Subscription *
find_subscription (HzParticipant *participant, const HzSignalMessage *message)
{
  Subscription *subscription = NULL;

  if (message->pc_kind == HZ_SIGNAL_PC_SUBSCRIBE)
    subscription = g_hash_table_lookup (participant->subscriptions, message->pc_publisher);
  if (subscription == NULL)
    hz_connection_send_error (participant->connection, "unknown_pc", NULL,
                              "this participant has no such peer connection");
  return subscription;
}

/* Returns the encoding name of PUBLISHER_ID's track TRACK_NAME, or "". */
static const char *
track_encoding (HzRoom *room, const char *publisher_id, const char *track_name)
{
  HzParticipant *publisher = g_hash_table_lookup (room->participants, publisher_id);
  const GArray *tracks;

  if (publisher == NULL || publisher->ingest == NULL)
    return "";
  tracks = hz_ingest_get_tracks (publisher->ingest);
  for (guint i = 0; i < tracks->len; i++) {
    const HzIngestTrack *track = &g_array_index (tracks, HzIngestTrack, i);
    const char *encoding = gst_structure_get_string (gst_caps_get_structure (track->caps, 0),
                                                     "encoding-name");

    if (g_str_equal (track->name, track_name) && encoding != NULL)
      return encoding;
  }
  return "";
}

/* Tells the viewer of SUBSCRIPTION that it rejected TRACK_NAME's codec:
 * error codec_unsupported with the pc, the track and the codec. */
static void
send_codec_unsupported (Subscription *subscription, const char *track_name)
{
  HzParticipant *viewer = subscription->viewer;
  const char *encoding = track_encoding (viewer->room, subscription->publisher_id, track_name);
  JsonBuilder *builder = begin_message ("error", subscription->pc);
  g_autofree char *text = g_strdup_printf ("participant %s sends %s as %s, which this client "
                                           "did not accept in its answer",
                                           subscription->publisher_id, track_name, encoding);

  g_message ("%s %s: codec_unsupported: %s", viewer->log_prefix, subscription->pc, text);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, "codec_unsupported");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "track");
  json_builder_add_string_value (builder, track_name);
  json_builder_set_member_name (builder, "codec");
  json_builder_add_string_value (builder, encoding);
  json_builder_end_object (builder);
  hz_participant_send (viewer, builder);
}

static void
handle_answer (HzParticipant *participant, const HzSignalMessage *message)
{
  Subscription *subscription = find_subscription (participant, message);
  g_autoptr (GPtrArray) rejected = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  guint n_tracks;

  if (subscription == NULL)
    return;
  if (!count_sdp_candidates (participant, subscription->pc, message->sdp,
                             &subscription->n_candidates, &reason)) {
    drop_subscription (subscription, "too_many_candidates", reason);
    return;
  }
  if (!hz_subscriber_set_answer (subscription->subscriber, message->sdp, rejected, &error)) {
    drop_subscription (subscription, "bad_sdp", error->message);
    return;
  }
  g_message ("%s %s: answer received", participant->log_prefix, subscription->pc);

  for (guint i = 0; i < rejected->len; i++)
    send_codec_unsupported (subscription, g_ptr_array_index (rejected, i));
  n_tracks = hz_subscriber_get_n_tracks (subscription->subscriber);
  if (rejected->len == n_tracks) {
    g_message ("%s %s: closed: the client accepted none of the %u track(s)",
               participant->log_prefix, subscription->pc, n_tracks);
    hz_participant_unsubscribe (participant, subscription->publisher_id);
  }
}

/* Returns whether a client's candidate may go to webrtcbin. mDNS names are
 * skipped with a log line (see candidate.h), invalid lines get bad_message. */
static gboolean
check_remote_candidate (HzParticipant *participant, const HzSignalMessage *message)
{
  g_autoptr (GError) error = NULL;

  /* An empty candidate marks the end of candidates. */
  if (message->candidate[0] == '\0')
    return TRUE;
  switch (hz_candidate_check_remote (message->candidate, &error)) {
    case HZ_CANDIDATE_OK:
      return TRUE;
    case HZ_CANDIDATE_MDNS:
      g_message ("%s: ignoring an mDNS (.local) candidate; the relay does not resolve them "
                 "and connects to the client's peer-reflexive address instead",
                 participant->log_prefix);
      return FALSE;
    case HZ_CANDIDATE_INVALID:
      g_message ("%s: rejecting a candidate: %s", participant->log_prefix, error->message);
      hz_connection_send_error (participant->connection, "bad_message", NULL, error->message);
      return FALSE;
  }
  g_return_val_if_reached (FALSE);
}

/* Counts a candidate for PC, whose count so far is *COUNT, against [relay]
 * max-candidates-per-connection. Over the limit, sends too_many_candidates
 * and returns FALSE. Logs only the first candidate over the limit of each
 * connection, because a client may go on sending. */
static gboolean
count_candidate (HzParticipant *participant, const char *pc, guint *count)
{
  guint max = participant->room->relay->config->relay.max_candidates_per_connection;
  g_autofree char *reason = NULL;

  if (*count < max) {
    (*count)++;
    return TRUE;
  }

  if (*count == max) {
    g_message ("%s: ignoring the candidates of %s beyond [relay] max-candidates-per-connection"
               " = %u", participant->log_prefix, pc, max);
    (*count)++;
  }
  reason = g_strdup_printf ("this peer connection already has %u candidates, the most the relay"
                            " accepts; the candidate was ignored", max);
  hz_connection_send_error (participant->connection, "too_many_candidates", pc, reason);
  return FALSE;
}

static void
handle_candidate (HzParticipant *participant, const HzSignalMessage *message)
{
  Subscription *subscription = NULL;
  guint *count;

  /* An empty candidate marks the end of candidates and is not counted. */
  if (message->candidate[0] == '\0')
    return;

  if (message->pc_kind == HZ_SIGNAL_PC_PUBLISH) {
    if (participant->ingest == NULL) {
      hz_connection_send_error (participant->connection, "unknown_pc", "publish",
                                "send the publish offer before its candidates");
      return;
    }
    count = &participant->n_publish_candidates;
  } else {
    subscription = find_subscription (participant, message);
    if (subscription == NULL)
      return;
    count = &subscription->n_candidates;
  }

  /* Counted before the checks, so that a flood of invalid or mDNS
   * candidates also stops at the limit. */
  if (!count_candidate (participant, subscription ? subscription->pc : "publish", count) ||
      !check_remote_candidate (participant, message))
    return;

  if (subscription == NULL)
    hz_ingest_add_candidate (participant->ingest, message->sdp_mline_index, message->candidate);
  else
    hz_subscriber_add_candidate (subscription->subscriber, message->sdp_mline_index,
                                 message->candidate);
}

void
hz_participant_handle_message (HzParticipant *participant, const HzSignalMessage *message)
{
  Subscription *subscription;

  switch (message->type) {
    case HZ_SIGNAL_OFFER:
      handle_offer (participant, message);
      break;
    case HZ_SIGNAL_ANSWER:
      handle_answer (participant, message);
      break;
    case HZ_SIGNAL_CANDIDATE:
      handle_candidate (participant, message);
      break;
    case HZ_SIGNAL_KEYFRAME:
      subscription = find_subscription (participant, message);
      if (subscription != NULL)
        request_keyframe (subscription);
      break;
    case HZ_SIGNAL_RAISE_HAND:
    case HZ_SIGNAL_LOWER_HAND:
    case HZ_SIGNAL_GRANT:
    case HZ_SIGNAL_REVOKE:
      hz_teaching_handle_message (participant, message);
      break;
    case HZ_SIGNAL_JOIN:
    case HZ_SIGNAL_LEAVE:
      g_assert_not_reached ();
  }
}

void
hz_participant_add_to_snapshot (HzParticipant *participant, HzMetricsSnapshot *snapshot)
{
  GHashTableIter iter;
  gpointer value;

  if (participant->ingest != NULL) {
    snapshot->publishers++;
    hz_metrics_read_session (hz_ingest_get_webrtcbin (participant->ingest), &snapshot->live);
  }
  g_hash_table_iter_init (&iter, participant->subscriptions);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Subscription *subscription = value;

    snapshot->subscriptions++;
    hz_subscriber_read_counts (subscription->subscriber, &snapshot->live);
  }
}
