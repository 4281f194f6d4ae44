/* Parsing of client → relay signalling messages; see signalling-message.h.
 *
 * Each message type declares its members in a table of FieldSpec rows. The
 * parser checks the frame's size, encoding and nesting before json-glib
 * parses it, then reads exactly the declared members into an HzSignalMessage.
 */
#include "signalling-message.h"

#include <json-glib/json-glib.h>
#include <stddef.h>
#include <string.h>

G_DEFINE_QUARK (hz-signal-error-quark, hz_signal_error)

/* Maximum length of the publisher id in "sub:ID". User ids are decimal
 * integers, so this leaves ample room. */
#define MAX_PUBLISHER_ID_LENGTH 64

typedef enum {
  FIELD_SESSION_ID,  /* positive JSON integer → gint64 */
  FIELD_STRING,      /* JSON string → char * */
  FIELD_PC,          /* "publish" or "sub:ID" → pc_kind, pc_publisher */
  FIELD_MLINE_INDEX, /* JSON integer 0 .. G_MAXINT → guint */
  FIELD_PARTICIPANT_ID, /* JSON string of 1 to 64 letters, digits, '-' or '_' → char * */
  FIELD_BOOLEAN,     /* JSON boolean → gboolean */
} FieldKind;

typedef struct {
  const char *name;
  FieldKind kind;
  gsize offset;      /* of the destination member in HzSignalMessage */
  gboolean optional; /* absent: the member keeps its zero value */
} FieldSpec;

typedef struct {
  const char *name;
  HzSignalType type;
  const FieldSpec *fields;
  guint n_fields;
} TypeSpec;

#define FIELD(name, kind, member) { name, kind, offsetof (HzSignalMessage, member), FALSE }
#define OPTIONAL_FIELD(name, kind, member) \
  { name, kind, offsetof (HzSignalMessage, member), TRUE }

static const FieldSpec join_fields[] = {
  FIELD ("session_id", FIELD_SESSION_ID, session_id),
  FIELD ("token", FIELD_STRING, token),
};

static const FieldSpec description_fields[] = {
  FIELD ("pc", FIELD_PC, pc_kind),
  FIELD ("sdp", FIELD_STRING, sdp),
};

static const FieldSpec candidate_fields[] = {
  FIELD ("pc", FIELD_PC, pc_kind),
  FIELD ("candidate", FIELD_STRING, candidate),
  FIELD ("sdpMLineIndex", FIELD_MLINE_INDEX, sdp_mline_index),
};

static const FieldSpec keyframe_fields[] = {
  FIELD ("pc", FIELD_PC, pc_kind),
};

static const FieldSpec grant_fields[] = {
  FIELD ("participant_id", FIELD_PARTICIPANT_ID, participant_id),
  OPTIONAL_FIELD ("video", FIELD_BOOLEAN, video),
};

static const FieldSpec revoke_fields[] = {
  FIELD ("participant_id", FIELD_PARTICIPANT_ID, participant_id),
};

static const TypeSpec type_specs[] = {
  { "join", HZ_SIGNAL_JOIN, join_fields, G_N_ELEMENTS (join_fields) },
  { "offer", HZ_SIGNAL_OFFER, description_fields, G_N_ELEMENTS (description_fields) },
  { "answer", HZ_SIGNAL_ANSWER, description_fields, G_N_ELEMENTS (description_fields) },
  { "candidate", HZ_SIGNAL_CANDIDATE, candidate_fields, G_N_ELEMENTS (candidate_fields) },
  { "keyframe", HZ_SIGNAL_KEYFRAME, keyframe_fields, G_N_ELEMENTS (keyframe_fields) },
  { "leave", HZ_SIGNAL_LEAVE, NULL, 0 },
  { "raise-hand", HZ_SIGNAL_RAISE_HAND, NULL, 0 },
  { "lower-hand", HZ_SIGNAL_LOWER_HAND, NULL, 0 },
  { "grant", HZ_SIGNAL_GRANT, grant_fields, G_N_ELEMENTS (grant_fields) },
  { "revoke", HZ_SIGNAL_REVOKE, revoke_fields, G_N_ELEMENTS (revoke_fields) },
};

void
hz_signal_message_free (HzSignalMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->token);
  g_free (message->pc_publisher);
  g_free (message->sdp);
  g_free (message->candidate);
  g_free (message->participant_id);
  g_free (message);
}

const char *
hz_signal_error_code (int code)
{
  switch (code) {
    case HZ_SIGNAL_ERROR_BAD_MESSAGE:
      return "bad_message";
    case HZ_SIGNAL_ERROR_MESSAGE_TOO_LARGE:
      return "message_too_large";
    default:
      return "internal_error";
  }
}

const char *
hz_signal_type_to_string (HzSignalType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_specs); i++) {
    if (type_specs[i].type == type)
      return type_specs[i].name;
  }
  return "unknown";
}

static gboolean
bad_message (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_message (GError **error, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, HZ_SIGNAL_ERROR, HZ_SIGNAL_ERROR_BAD_MESSAGE, text);
  return FALSE;
}

/* Rejects input that json-glib should not see: NUL bytes, invalid UTF-8
 * and nesting deeper than HZ_SIGNAL_MAX_NESTING. */
static gboolean
check_frame_text (const char *data, gsize length, GError **error)
{
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  guint depth = 0;

  if (memchr (data, '\0', length) != NULL)
    return bad_message (error, "the message contains a NUL byte");
  if (!g_utf8_validate_len (data, length, NULL))
    return bad_message (error, "the message is not valid UTF-8");

  for (gsize i = 0; i < length; i++) {
    char c = data[i];

    if (in_string) {
      if (escaped)
        escaped = FALSE;
      else if (c == '\\')
        escaped = TRUE;
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '{' || c == '[') {
      if (++depth > HZ_SIGNAL_MAX_NESTING)
        return bad_message (error, "the message nests deeper than %d levels",
                            HZ_SIGNAL_MAX_NESTING);
    } else if ((c == '}' || c == ']') && depth > 0) {
      depth--;
    }
  }
  return TRUE;
}

/* Accepts 1 to MAX_PUBLISHER_ID_LENGTH ASCII letters, digits, '-' or '_';
 * also used for the participant ids of grant and revoke. */
static gboolean
publisher_id_is_valid (const char *id)
{
  gsize length = strlen (id);

  if (length == 0 || length > MAX_PUBLISHER_ID_LENGTH)
    return FALSE;
  for (gsize i = 0; i < length; i++) {
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_')
      return FALSE;
  }
  return TRUE;
}

static gboolean
read_integer (JsonNode *node, const char *name, gint64 *value, GError **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return bad_message (error, "member \"%s\" must be an integer", name);
  *value = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_field (JsonNode *node, const FieldSpec *spec, HzSignalMessage *message,
            GError **error)
{
  guint8 *destination = (guint8 *) message + spec->offset;
  gint64 number = 0;
  const char *text;

  switch (spec->kind) {
    case FIELD_SESSION_ID:
      if (!read_integer (node, spec->name, &number, error))
        return FALSE;
      if (number <= 0)
        return bad_message (error, "member \"%s\" must be a positive integer", spec->name);
      *(gint64 *) destination = number;
      return TRUE;

    case FIELD_MLINE_INDEX:
      if (!read_integer (node, spec->name, &number, error))
        return FALSE;
      if (number < 0 || number > G_MAXINT)
        return bad_message (error, "member \"%s\" is out of range", spec->name);
      *(guint *) destination = (guint) number;
      return TRUE;

    case FIELD_STRING:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return bad_message (error, "member \"%s\" must be a string", spec->name);
      *(char **) destination = json_node_dup_string (node);
      return TRUE;

    case FIELD_PC:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return bad_message (error, "member \"pc\" must be a string");
      text = json_node_get_string (node);
      if (g_str_equal (text, "publish")) {
        message->pc_kind = HZ_SIGNAL_PC_PUBLISH;
        return TRUE;
      }
      if (g_str_has_prefix (text, "sub:") && publisher_id_is_valid (text + 4)) {
        message->pc_kind = HZ_SIGNAL_PC_SUBSCRIBE;
        message->pc_publisher = g_strdup (text + 4);
        return TRUE;
      }
      return bad_message (error, "member \"pc\" must be \"publish\" or \"sub:ID\"");

    case FIELD_PARTICIPANT_ID:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
          || !publisher_id_is_valid (json_node_get_string (node)))
        return bad_message (error, "member \"%s\" must be a participant id string", spec->name);
      *(char **) destination = json_node_dup_string (node);
      return TRUE;

    case FIELD_BOOLEAN:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return bad_message (error, "member \"%s\" must be true or false", spec->name);
      *(gboolean *) destination = json_node_get_boolean (node);
      return TRUE;
  }
  g_assert_not_reached ();
}

static const TypeSpec *
find_type_spec (JsonObject *object, GError **error)
{
  JsonNode *node = json_object_get_member (object, "type");
  const char *name;

  if (node == NULL) {
    bad_message (error, "member \"type\" is missing");
    return NULL;
  }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING) {
    bad_message (error, "member \"type\" must be a string");
    return NULL;
  }

  name = json_node_get_string (node);
  for (guint i = 0; i < G_N_ELEMENTS (type_specs); i++) {
    if (g_str_equal (type_specs[i].name, name))
      return &type_specs[i];
  }
  /* The type is not echoed: it is client text of any length. */
  bad_message (error, "unknown message type");
  return NULL;
}

HzSignalMessage *
hz_signal_message_parse (const char *data, gsize length, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (HzSignalMessage) message = NULL;
  g_autoptr (GError) json_error = NULL;
  const TypeSpec *spec;
  JsonNode *root;
  JsonObject *object;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > HZ_SIGNAL_MAX_MESSAGE_SIZE) {
    g_set_error (error, HZ_SIGNAL_ERROR, HZ_SIGNAL_ERROR_MESSAGE_TOO_LARGE,
                 "the message has %" G_GSIZE_FORMAT " bytes; the maximum is %d",
                 length, HZ_SIGNAL_MAX_MESSAGE_SIZE);
    return NULL;
  }
  if (!check_frame_text (data, length, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &json_error)) {
    bad_message (error, "the message is not valid JSON: %s", json_error->message);
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    bad_message (error, "the message is not a JSON object");
    return NULL;
  }
  object = json_node_get_object (root);

  spec = find_type_spec (object, error);
  if (spec == NULL)
    return NULL;

  message = g_new0 (HzSignalMessage, 1);
  message->type = spec->type;
  for (guint i = 0; i < spec->n_fields; i++) {
    JsonNode *node = json_object_get_member (object, spec->fields[i].name);

    if (node == NULL && spec->fields[i].optional)
      continue;
    if (node == NULL) {
      bad_message (error, "member \"%s\" is missing", spec->fields[i].name);
      return NULL;
    }
    if (!read_field (node, &spec->fields[i], message, error))
      return NULL;
  }
  return g_steal_pointer (&message);
}
