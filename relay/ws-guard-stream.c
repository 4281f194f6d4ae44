/* A GIOStream that bounds incoming WebSocket messages and counts the
 * bytes written; see ws-guard-stream.h.
 *
 * The input side is a GFilterInputStream that also implements
 * GPollableInputStream, because SoupWebsocketConnection reads only with
 * g_pollable_input_stream_read_nonblocking(). It parses each frame header
 * (RFC 6455 section 5.2) as its bytes pass and skips over the payload
 * without looking at it. The check happens when the header's payload
 * length is complete: that byte and everything after it are withheld, so
 * libsoup never receives a whole header of a frame over the limit.
 */
#include "ws-guard-stream.h"

/* ---- frame scanner on the input stream ---- */

#define HZ_TYPE_WS_GUARD_INPUT (hz_ws_guard_input_get_type ())
G_DECLARE_FINAL_TYPE (HzWsGuardInput, hz_ws_guard_input, HZ, WS_GUARD_INPUT, GFilterInputStream)

struct _HzWsGuardInput {
  GFilterInputStream parent;
  guint64 max_message_size;
  HzWsGuardFunc func;
  gpointer user_data;

  guint8 header[14];         /* the frame header read so far */
  guint header_filled;
  guint64 frame_payload;     /* payload length of the frame whose header is read */
  guint64 payload_left;      /* payload bytes of the current frame still to pass */
  guint64 message_size;      /* payload bytes of the current data message so far */
  gboolean tripped;          /* FUNC was called; input is discarded */
};

static void hz_ws_guard_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_TYPE_WITH_CODE (HzWsGuardInput, hz_ws_guard_input, G_TYPE_FILTER_INPUT_STREAM,
                         G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                hz_ws_guard_input_pollable_init))

/* Bytes of the extended payload length that follow the second header byte
 * SECOND: 0, 2 or 8. */
static guint
extended_length_size (guint8 second)
{
  switch (second & 0x7f) {
    case 126:
      return 2;
    case 127:
      return 8;
    default:
      return 0;
  }
}

static guint64
payload_length (const guint8 *header, guint extended)
{
  guint64 length = header[1] & 0x7f;

  if (extended > 0)
    length = 0;
  for (guint i = 0; i < extended; i++)
    length = (length << 8) | header[2 + i];
  return length;
}

/* Adds a frame of PAYLOAD bytes with first header byte FIRST to the
 * current message. Returns FALSE when the message would exceed the limit. */
static gboolean
account_frame (HzWsGuardInput *self, guint8 first, guint64 payload)
{
  guint opcode = first & 0x0f;

  if (opcode & 0x08)
    return TRUE;
  if (opcode != 0)
    self->message_size = 0;
  if (payload > self->max_message_size - self->message_size) {
    self->message_size = payload > G_MAXUINT64 - self->message_size
                         ? G_MAXUINT64 : self->message_size + payload;
    return FALSE;
  }
  self->message_size += payload;
  return TRUE;
}

/* Follows the frames in DATA and returns how many of its LENGTH bytes may
 * pass: all of them, or those before the byte that completes the length of
 * a frame over the limit, after which the stream is tripped. */
static gsize
scan (HzWsGuardInput *self, const guint8 *data, gsize length)
{
  gsize i = 0;

  while (i < length) {
    guint extended;

    if (self->payload_left > 0) {
      gsize skip = (gsize) MIN (self->payload_left, (guint64) (length - i));

      self->payload_left -= skip;
      i += skip;
      continue;
    }

    self->header[self->header_filled++] = data[i];
    if (self->header_filled < 2) {
      i++;
      continue;
    }
    extended = extended_length_size (self->header[1]);
    if (self->header_filled == 2 + extended) {
      self->frame_payload = payload_length (self->header, extended);
      if (!account_frame (self, self->header[0], self->frame_payload)) {
        self->tripped = TRUE;
        self->func (self->message_size, self->user_data);
        return i;
      }
    }
    i++;
    if (self->header_filled == 2 + extended + ((self->header[1] & 0x80) ? 4 : 0)) {
      self->payload_left = self->frame_payload;
      self->header_filled = 0;
    }
  }
  return length;
}

/* Turns COUNT bytes just read into BUFFER into what the caller gets. */
static gssize
filter_read (HzWsGuardInput *self, void *buffer, gssize count, GError **error)
{
  gsize passed = 0;

  if (count <= 0)
    return count;
  if (!self->tripped)
    passed = scan (self, buffer, (gsize) count);
  if (passed > 0)
    return (gssize) passed;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                       "input after an oversized WebSocket message is discarded");
  return -1;
}

static GPollableInputStream *
base_pollable (HzWsGuardInput *self)
{
  return G_POLLABLE_INPUT_STREAM (g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self)));
}

static gssize
hz_ws_guard_input_read (GInputStream *stream, void *buffer, gsize count,
                        GCancellable *cancellable, GError **error)
{
  HzWsGuardInput *self = HZ_WS_GUARD_INPUT (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self));

  /* A blocking read discards until it has bytes to return. */
  for (;;) {
    g_autoptr (GError) local_error = NULL;
    gssize result = filter_read (self, buffer, g_input_stream_read (base, buffer, count,
                                                                     cancellable, error),
                                 &local_error);

    if (result >= 0 || local_error == NULL)
      return result;
  }
}

static gboolean
hz_ws_guard_input_can_poll (GPollableInputStream *stream)
{
  return g_pollable_input_stream_can_poll (base_pollable (HZ_WS_GUARD_INPUT (stream)));
}

static gboolean
hz_ws_guard_input_is_readable (GPollableInputStream *stream)
{
  return g_pollable_input_stream_is_readable (base_pollable (HZ_WS_GUARD_INPUT (stream)));
}

static GSource *
hz_ws_guard_input_create_source (GPollableInputStream *stream, GCancellable *cancellable)
{
  g_autoptr (GSource) base_source =
    g_pollable_input_stream_create_source (base_pollable (HZ_WS_GUARD_INPUT (stream)), NULL);

  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
hz_ws_guard_input_read_nonblocking (GPollableInputStream *stream, void *buffer, gsize count,
                                    GError **error)
{
  HzWsGuardInput *self = HZ_WS_GUARD_INPUT (stream);

  return filter_read (self, buffer,
                      g_pollable_input_stream_read_nonblocking (base_pollable (self), buffer,
                                                                count, NULL, error),
                      error);
}

static void
hz_ws_guard_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = hz_ws_guard_input_can_poll;
  iface->is_readable = hz_ws_guard_input_is_readable;
  iface->create_source = hz_ws_guard_input_create_source;
  iface->read_nonblocking = hz_ws_guard_input_read_nonblocking;
}

static void
hz_ws_guard_input_class_init (HzWsGuardInputClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = hz_ws_guard_input_read;
}

static void
hz_ws_guard_input_init (HzWsGuardInput *self)
{
}

/* ---- byte counter on the output stream ---- */

#define HZ_TYPE_WS_GUARD_OUTPUT (hz_ws_guard_output_get_type ())
G_DECLARE_FINAL_TYPE (HzWsGuardOutput, hz_ws_guard_output, HZ, WS_GUARD_OUTPUT,
                      GFilterOutputStream)

struct _HzWsGuardOutput {
  GFilterOutputStream parent;
  guint64 bytes_written;     /* accepted by the base stream */
};

static void hz_ws_guard_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_TYPE_WITH_CODE (HzWsGuardOutput, hz_ws_guard_output, G_TYPE_FILTER_OUTPUT_STREAM,
                         G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                hz_ws_guard_output_pollable_init))

static GPollableOutputStream *
base_output_pollable (HzWsGuardOutput *self)
{
  return G_POLLABLE_OUTPUT_STREAM (g_filter_output_stream_get_base_stream (
    G_FILTER_OUTPUT_STREAM (self)));
}

static gssize
count_written (HzWsGuardOutput *self, gssize result)
{
  if (result > 0)
    self->bytes_written += (guint64) result;
  return result;
}

static gssize
hz_ws_guard_output_write (GOutputStream *stream, const void *buffer, gsize count,
                          GCancellable *cancellable, GError **error)
{
  HzWsGuardOutput *self = HZ_WS_GUARD_OUTPUT (stream);
  GOutputStream *base = g_filter_output_stream_get_base_stream (G_FILTER_OUTPUT_STREAM (self));

  return count_written (self, g_output_stream_write (base, buffer, count, cancellable, error));
}

static gboolean
hz_ws_guard_output_can_poll (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_can_poll (base_output_pollable (HZ_WS_GUARD_OUTPUT (stream)));
}

static gboolean
hz_ws_guard_output_is_writable (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_is_writable (base_output_pollable (HZ_WS_GUARD_OUTPUT (stream)));
}

static GSource *
hz_ws_guard_output_create_source (GPollableOutputStream *stream, GCancellable *cancellable)
{
  g_autoptr (GSource) base_source =
    g_pollable_output_stream_create_source (base_output_pollable (HZ_WS_GUARD_OUTPUT (stream)),
                                            NULL);

  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
hz_ws_guard_output_write_nonblocking (GPollableOutputStream *stream, const void *buffer,
                                      gsize count, GError **error)
{
  HzWsGuardOutput *self = HZ_WS_GUARD_OUTPUT (stream);

  return count_written (self,
                        g_pollable_output_stream_write_nonblocking (base_output_pollable (self),
                                                                    buffer, count, NULL,
                                                                    error));
}

static void
hz_ws_guard_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = hz_ws_guard_output_can_poll;
  iface->is_writable = hz_ws_guard_output_is_writable;
  iface->create_source = hz_ws_guard_output_create_source;
  iface->write_nonblocking = hz_ws_guard_output_write_nonblocking;
}

static void
hz_ws_guard_output_class_init (HzWsGuardOutputClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = hz_ws_guard_output_write;
}

static void
hz_ws_guard_output_init (HzWsGuardOutput *self)
{
}

/* ---- the GIOStream ---- */

struct _HzWsGuardStream {
  GIOStream parent;
  GIOStream *base;
  GInputStream *input;       /* an HzWsGuardInput on BASE's input stream */
  GOutputStream *output;     /* an HzWsGuardOutput on BASE's output stream */
};

G_DEFINE_TYPE (HzWsGuardStream, hz_ws_guard_stream, G_TYPE_IO_STREAM)

static GInputStream *
hz_ws_guard_stream_get_input_stream (GIOStream *stream)
{
  return HZ_WS_GUARD_STREAM (stream)->input;
}

static GOutputStream *
hz_ws_guard_stream_get_output_stream (GIOStream *stream)
{
  return HZ_WS_GUARD_STREAM (stream)->output;
}

/* Closing goes to BASE, which closes the socket; closing only BASE's two
 * streams, as GIOStream does by default, would leave a socket connection
 * open. */
static gboolean
hz_ws_guard_stream_close (GIOStream *stream, GCancellable *cancellable, GError **error)
{
  return g_io_stream_close (HZ_WS_GUARD_STREAM (stream)->base, cancellable, error);
}

static void
on_base_closed (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
hz_ws_guard_stream_close_async (GIOStream *stream, int priority, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer data)
{
  GTask *task = g_task_new (stream, cancellable, callback, data);

  g_io_stream_close_async (HZ_WS_GUARD_STREAM (stream)->base, priority, cancellable,
                           on_base_closed, task);
}

static gboolean
hz_ws_guard_stream_close_finish (GIOStream *stream, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hz_ws_guard_stream_finalize (GObject *object)
{
  HzWsGuardStream *self = HZ_WS_GUARD_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (hz_ws_guard_stream_parent_class)->finalize (object);
}

static void
hz_ws_guard_stream_class_init (HzWsGuardStreamClass *klass)
{
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = hz_ws_guard_stream_finalize;
  stream_class->get_input_stream = hz_ws_guard_stream_get_input_stream;
  stream_class->get_output_stream = hz_ws_guard_stream_get_output_stream;
  stream_class->close_fn = hz_ws_guard_stream_close;
  stream_class->close_async = hz_ws_guard_stream_close_async;
  stream_class->close_finish = hz_ws_guard_stream_close_finish;
}

static void
hz_ws_guard_stream_init (HzWsGuardStream *self)
{
}

GIOStream *
hz_ws_guard_stream_new (GIOStream *base, guint64 max_message_size, HzWsGuardFunc func,
                        gpointer user_data)
{
  HzWsGuardStream *self = g_object_new (HZ_TYPE_WS_GUARD_STREAM, NULL);
  HzWsGuardInput *input;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base)), NULL);

  input = g_object_new (HZ_TYPE_WS_GUARD_INPUT,
                        "base-stream", g_io_stream_get_input_stream (base),
                        "close-base-stream", FALSE,
                        NULL);
  input->max_message_size = max_message_size;
  input->func = func;
  input->user_data = user_data;
  self->base = g_object_ref (base);
  self->input = G_INPUT_STREAM (input);
  self->output = g_object_new (HZ_TYPE_WS_GUARD_OUTPUT,
                               "base-stream", g_io_stream_get_output_stream (base),
                               "close-base-stream", FALSE,
                               NULL);
  return G_IO_STREAM (self);
}

guint64
hz_ws_guard_stream_get_bytes_written (HzWsGuardStream *stream)
{
  g_return_val_if_fail (HZ_IS_WS_GUARD_STREAM (stream), 0);

  return HZ_WS_GUARD_OUTPUT (stream->output)->bytes_written;
}
