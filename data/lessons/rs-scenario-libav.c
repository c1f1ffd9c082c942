/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-libav.c: the libav calls of a scenario. Each runs for real;
 * Refscope only checks its pointers and sizes first, and afterwards keeps
 * the references a call dropped without releasing them (see Orphan).
 */
#define G_LOG_DOMAIN "rs-scenario"

#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>
#include <string.h>

#include "rs-scenario-session-private.h"
#include "rs-intern.h"

/* buf + extended_buf of a frame. */
#define MAX_HELD (AV_NUM_DATA_POINTERS + 64)

/* The references (with their ids) and plain arrays an object holds. */
typedef struct {
  AVBufferRef *refs[MAX_HELD];
  guint64      ids[MAX_HELD];
  guint        n_refs;
  gpointer     arrays[2];
} Held;

static void
collect_held (RsScenarioSession *self,
              Object            *object,
              Held              *held)
{
  memset (held, 0, sizeof *held);
  if (object->packet != NULL && object->packet->buf != NULL)
    held->refs[held->n_refs++] = object->packet->buf;
  if (object->frame != NULL)
    {
      AVFrame *frame = object->frame;

      for (guint i = 0; i < AV_NUM_DATA_POINTERS; i++)
        if (frame->buf[i] != NULL)
          held->refs[held->n_refs++] = frame->buf[i];
      for (int i = 0; i < frame->nb_extended_buf && held->n_refs < MAX_HELD; i++)
        if (frame->extended_buf[i] != NULL)
          held->refs[held->n_refs++] = frame->extended_buf[i];
      held->arrays[0] = frame->extended_buf;
      if (frame->extended_data != frame->data)
        held->arrays[1] = frame->extended_data;
    }
  for (guint i = 0; i < held->n_refs; i++)
    held->ids[i] = _rs_scenario_buffer_id (self, held->refs[i]);
}

/* After a call that drops the destination's references without releasing
 * them (av_init_packet, move_ref, ...): what `object` held before and holds
 * no more was leaked by the program. Refscope keeps it (see Orphan). */
static void
capture_dropped (RsScenarioSession         *self,
                 const RsScenarioStatement *statement,
                 Object                    *object,
                 const Held                *before,
                 const char                *call)
{
  Held after;

  collect_held (self, object, &after);
  for (guint i = 0; i < before->n_refs; i++)
    {
      gboolean kept = FALSE;
      Orphan *orphan;

      for (guint k = 0; k < after.n_refs && !kept; k++)
        kept = after.refs[k] == before->refs[i];
      if (kept)
        continue;

      orphan = g_new0 (Orphan, 1);
      *orphan = (Orphan) { before->refs[i], before->ids[i] };
      g_ptr_array_add (self->orphans, orphan);
      _rs_scenario_add_event (self, statement, &(RsEvent) {
        .kind = RS_EVENT_LOST, .buffer = before->ids[i], .handle = _rs_scenario_handle_id (self, object),
        .call = rs_intern (call), .count = 1,
        .reason = g_str_equal (call, "av_init_packet") ? RS_LOSS_RESET : RS_LOSS_OVERWRITTEN,
      });
    }
  for (guint i = 0; i < G_N_ELEMENTS (before->arrays); i++)
    if (before->arrays[i] != NULL && before->arrays[i] != after.arrays[0] &&
        before->arrays[i] != after.arrays[1])
      g_ptr_array_add (self->orphan_arrays, before->arrays[i]);
}

/* Whether allocating buffers for `frame`'s fields would go over the limit. */
static gboolean
frame_too_big (const AVFrame *frame)
{
  int size = 0;

  if (frame->width > 0 && frame->height > 0)
    {
      if (av_pix_fmt_desc_get (frame->format) == NULL)
        return FALSE; /* libav refuses it itself */
      size = av_image_get_buffer_size (frame->format, frame->width, frame->height, 32);
    }
  else if (frame->nb_samples > 0 && frame->ch_layout.nb_channels > 0)
    size = av_samples_get_buffer_size (NULL, frame->ch_layout.nb_channels, frame->nb_samples,
                                       frame->format, 0);
  return size > RS_SCENARIO_MAX_BYTES || frame->width > RS_SCENARIO_MAX_DIMENSION ||
         frame->height > RS_SCENARIO_MAX_DIMENSION || frame->nb_samples > RS_SCENARIO_MAX_DIMENSION;
}

static gboolean
refuse_frame (RsScenarioSession         *self,
              const RsScenarioStatement *statement,
              const AVFrame             *frame,
              const char                *call,
              StepResult                *result)
{
  if (!frame_too_big (frame))
    return FALSE;
  _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_TOO_BIG, .call = rs_intern (call),
                                                   .value = { 0, RS_SCENARIO_MAX_BYTES } });
  result->ret = RS_SCENARIO_RET_REFUSED;
  return TRUE;
}

/* av_packet_free / av_frame_free (&x): x becomes NULL. Freeing NULL is
 * fine, freeing twice is stopped. */
static gboolean
run_free (RsScenarioSession         *self,
          const RsScenarioStatement *statement,
          const RsScenarioCall      *call)
{
  const RsScenarioValue *value = &call->args[0];
  const char *name, *function = rs_scenario_function_get_signature (call->function)->name;
  Variable *var;
  Object *object;

  if (value->kind == RS_SCENARIO_VALUE_NULL)
    return TRUE;
  var = &self->variables[value->variable];
  name = _rs_scenario_variable_name (self, value->variable);
  object = var->object;
  if (!var->initialized)
    {
      _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_UNINITIALIZED, .handle = rs_intern (name),
                                                       .call = rs_intern (function) });
      return FALSE;
    }
  if (object == NULL)
    return TRUE;
  if (object->freed_line != 0)
    {
      _rs_scenario_fault (self, statement, (RsEvent) {
        .fault = RS_FAULT_DOUBLE_FREE, .handle = rs_intern (name), .call = rs_intern (function),
        .value = { object->freed_line, _rs_scenario_handle_kind (object) } });
      return FALSE;
    }

  if (object->packet != NULL)
    av_packet_free (&object->packet);
  else
    av_frame_free (&object->frame);
  object->freed_line = statement->line;
  _rs_scenario_object_freed (self, object);
  _rs_scenario_point (self, value->variable, NULL);
  return TRUE;
}

static Object *
new_object (RsScenarioSession         *self,
            const RsScenarioStatement *statement,
            AVPacket                  *packet,
            AVFrame                   *frame)
{
  Object *object;

  if (packet == NULL && frame == NULL)
    return NULL;
  object = g_new0 (Object, 1);
  object->type = packet != NULL ? RS_SCENARIO_TYPE_PACKET : RS_SCENARIO_TYPE_FRAME;
  object->packet = packet;
  object->frame = frame;
  object->line = statement->line;
  object->key = -1;
  object->shown_key = -1;
  g_ptr_array_add (self->objects, object);
  return object;
}

gboolean
_rs_scenario_run_call (RsScenarioSession         *self,
                       const RsScenarioStatement *statement,
                       const RsScenarioCall      *call,
                       StepResult                *result,
                       Object                   **produced)
{
  const RsScenarioSignature *signature = rs_scenario_function_get_signature (call->function);
  Object *objects[3] = { NULL, NULL, NULL };
  int numbers[3] = { 0, 0, 0 };
  AVPacket *packet = NULL;
  AVFrame *frame = NULL;
  Held held;

  *produced = NULL;
  result->call = signature->name;
  result->args = call->args_text;
  result->ret = RS_SCENARIO_RET_FAULT;

  if (call->function == RS_SCENARIO_PACKET_FREE || call->function == RS_SCENARIO_FRAME_FREE)
    {
      if (!run_free (self, statement, call))
        return FALSE;
      result->ret = 0;
      return TRUE;
    }

  for (guint k = 0; k < call->n_args; k++)
    {
      const RsScenarioValue *value = &call->args[k];

      if (signature->args[k] == RS_SCENARIO_ARG_INT)
        {
          if (!_rs_scenario_eval_int (self, statement, value->expr, &numbers[k]))
            return FALSE;
        }
      else if (value->kind == RS_SCENARIO_VALUE_NULL)
        {
          _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_NULL_ARGUMENT,
                                                           .call = rs_intern (signature->name),
                                                           .value = { k + 1 } });
          return FALSE;
        }
      else if ((objects[k] = _rs_scenario_dereference (self, statement, value->variable, signature->name)) == NULL)
        return FALSE;
    }
  if (objects[0] != NULL)
    {
      packet = objects[0]->packet;
      frame = objects[0]->frame;
      collect_held (self, objects[0], &held);
      if (packet != NULL && packet->buf != NULL)
        result->kept_payload = packet->buf->buffer;
    }

  result->ret = 0;
  switch (call->function)
    {
    case RS_SCENARIO_PACKET_ALLOC:
      *produced = new_object (self, statement, av_packet_alloc (), NULL);
      break;
    case RS_SCENARIO_FRAME_ALLOC:
      *produced = new_object (self, statement, NULL, av_frame_alloc ());
      break;
    case RS_SCENARIO_PACKET_CLONE:
      *produced = new_object (self, statement, av_packet_clone (packet), NULL);
      break;
    case RS_SCENARIO_FRAME_CLONE:
      if (frame->buf[0] == NULL && refuse_frame (self, statement, frame, signature->name, result))
        return FALSE;
      *produced = new_object (self, statement, NULL, av_frame_clone (frame));
      break;

    case RS_SCENARIO_NEW_PACKET:
      if (numbers[1] > RS_SCENARIO_MAX_BYTES)
        {
          _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_TOO_BIG,
                                                           .call = rs_intern (signature->name),
                                                           .value = { numbers[1], RS_SCENARIO_MAX_BYTES } });
          result->ret = RS_SCENARIO_RET_REFUSED;
          return FALSE;
        }
      if ((result->ret = av_new_packet (packet, numbers[1])) >= 0)
        capture_dropped (self, statement, objects[0], &held, signature->name);
      result->out = objects[0];
      break;
    case RS_SCENARIO_PACKET_REF:
      /* dst->buf is dropped first thing, whether the call succeeds or not. */
      result->ret = av_packet_ref (packet, objects[1]->packet);
      capture_dropped (self, statement, objects[0], &held, signature->name);
      result->out = objects[0];
      break;
    case RS_SCENARIO_PACKET_UNREF:
      av_packet_unref (packet);
      break;
    case RS_SCENARIO_PACKET_MOVE_REF:
      av_packet_move_ref (packet, objects[1]->packet);
      capture_dropped (self, statement, objects[0], &held, signature->name);
      result->out = objects[0];
      break;
    case RS_SCENARIO_PACKET_MAKE_WRITABLE:
      result->ret = av_packet_make_writable (packet);
      result->out = objects[0];
      break;
    case RS_SCENARIO_INIT_PACKET:
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      av_init_packet (packet);
      G_GNUC_END_IGNORE_DEPRECATIONS
      capture_dropped (self, statement, objects[0], &held, signature->name);
      break;
    case RS_SCENARIO_GROW_PACKET:
      if ((gint64) packet->size + numbers[1] > RS_SCENARIO_MAX_BYTES)
        {
          _rs_scenario_fault (self, statement, (RsEvent) {
            .fault = RS_FAULT_TOO_BIG, .call = rs_intern (signature->name),
            .value = { (gint64) packet->size + numbers[1], RS_SCENARIO_MAX_BYTES } });
          result->ret = RS_SCENARIO_RET_REFUSED;
          return FALSE;
        }
      result->ret = av_grow_packet (packet, numbers[1]);
      result->out = objects[0];
      break;
    case RS_SCENARIO_SHRINK_PACKET:
      if (numbers[1] < 0)
        {
          /* It would zero the padding before the data. */
          _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_NEGATIVE,
                                                           .call = rs_intern (signature->name),
                                                           .field = rs_intern_static ("size"),
                                                           .value = { numbers[1] } });
          result->ret = RS_SCENARIO_RET_FAULT;
          return FALSE;
        }
      av_shrink_packet (packet, numbers[1]);
      break;

    case RS_SCENARIO_FRAME_GET_BUFFER:
      if (refuse_frame (self, statement, frame, signature->name, result))
        return FALSE;
      if ((result->ret = av_frame_get_buffer (frame, numbers[1])) >= 0)
        capture_dropped (self, statement, objects[0], &held, signature->name);
      result->out = objects[0];
      break;
    case RS_SCENARIO_FRAME_REF:
      if (objects[1]->frame->buf[0] == NULL &&
          refuse_frame (self, statement, objects[1]->frame, signature->name, result))
        return FALSE;
      /* On failure libav unreferences the destination itself. */
      if ((result->ret = av_frame_ref (frame, objects[1]->frame)) >= 0)
        capture_dropped (self, statement, objects[0], &held, signature->name);
      result->out = objects[0];
      break;
    case RS_SCENARIO_FRAME_UNREF:
      av_frame_unref (frame);
      break;
    case RS_SCENARIO_FRAME_MOVE_REF:
      av_frame_move_ref (frame, objects[1]->frame);
      capture_dropped (self, statement, objects[0], &held, signature->name);
      result->out = objects[0];
      break;
    case RS_SCENARIO_FRAME_MAKE_WRITABLE:
      if (refuse_frame (self, statement, frame, signature->name, result))
        return FALSE;
      result->ret = av_frame_make_writable (frame);
      result->out = objects[0];
      break;

    case RS_SCENARIO_PACKET_FREE:
    case RS_SCENARIO_FRAME_FREE:
    case RS_SCENARIO_MEMSET:
    case RS_SCENARIO_MEMCPY:
    case RS_SCENARIO_MEMCCPY:
    case RS_SCENARIO_N_FUNCTIONS:
    default:
      g_assert_not_reached ();
    }

  if ((signature->returns == RS_SCENARIO_TYPE_PACKET || signature->returns == RS_SCENARIO_TYPE_FRAME))
    {
      result->ret = *produced != NULL ? 0 : AVERROR (ENOMEM);
      result->out = *produced;
    }
  return TRUE;
}
