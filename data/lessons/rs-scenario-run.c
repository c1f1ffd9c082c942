/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-run.c: running one scenario statement on the real libav, with
 * C's semantics, and the checks that keep a wrong scenario from crashing
 * Refscope or corrupting its memory: NULL, uninitialized and freed pointers,
 * double frees, out-of-bounds writes, and sizes over the limit are stopped
 * before libav sees them and become RS_EVENT_ERROR events.
 */
#define G_LOG_DOMAIN "rs-scenario"

#include <libavutil/channel_layout.h>
#include <libavutil/imgutils.h>
#include <libavutil/samplefmt.h>
#include <stdarg.h>
#include <string.h>

#include "rs-scenario-session-private.h"
#include "rs-intern.h"

/* What memcpy and memccpy write: their source is not evaluated. */
#define COPY_PATTERN 0xA5

/* `object` may have lost its last pointer (`name`'s, by `call`): then it
 * is unreachable and never freed, and every reference it holds is lost. */
static void
check_lost (RsScenarioSession         *self,
            const RsScenarioStatement *statement,
            Object                    *object,
            const char                *name,
            const char                *call)
{
  RsEvent event = {
    .kind = RS_EVENT_LOST, .handle = rs_intern (name), .call = rs_intern (call),
    .reason = RS_LOSS_UNREACHABLE, .count = 1,
  };
  const AVBufferRef *refs[AV_NUM_DATA_POINTERS + 1] = { NULL };
  guint n = 0;

  if (object == NULL || object->freed_line != 0 || object->lost || !_rs_scenario_is_unreachable (self, object))
    return;
  object->lost = TRUE;
  g_ptr_array_add (self->lost_objects, object);
  if (object->packet != NULL)
    refs[n++] = object->packet->buf;
  else
    for (guint i = 0; i < AV_NUM_DATA_POINTERS; i++)
      refs[n++] = object->frame->buf[i];
  gboolean held = FALSE;

  for (guint i = 0; i < n; i++)
    if (refs[i] != NULL && (event.buffer = _rs_scenario_buffer_id (self, refs[i])) != 0)
      {
        _rs_scenario_add_event (self, statement, &event);
        held = TRUE;
      }
  /* An empty struct leaks too; one that held buffers is reported with them. */
  if (!held)
    _rs_scenario_add_event (self, statement, &(RsEvent) {
      .kind = RS_EVENT_LEAKED, .handle = event.handle, .call = event.call, .reason = RS_LOSS_UNREACHABLE,
    });
}

static void
set_pointer (RsScenarioSession         *self,
             const RsScenarioStatement *statement,
             int                        index,
             Object                    *object)
{
  Variable *var = &self->variables[index];
  Object *old = var->initialized ? var->object : NULL;

  _rs_scenario_point (self, index, object);
  var->initialized = TRUE;
  if (old != object)
    check_lost (self, statement, old, _rs_scenario_variable_name (self, index), statement->text);
}

/* Field assignments */

static gboolean
changes_layout (const char *field)
{
  return g_strv_contains ((const char *const[]) { "format", "width", "height", "nb_samples", "channels",
                                                  "ch_layout.nb_channels", "channel_layout", NULL }, field);
}

static void
set_frame_field (RsScenarioSession         *self,
                 const RsScenarioStatement *statement,
                 AVFrame                   *frame,
                 gint64                     value)
{
  const char *field = statement->field, *name = _rs_scenario_variable_name (self, statement->variable);
  gint64 limit = g_str_equal (field, "channels") || g_str_equal (field, "ch_layout.nb_channels") ? 64
                 : changes_layout (field) && !g_str_equal (field, "format") &&
                   !g_str_equal (field, "channel_layout") ? RS_SCENARIO_MAX_DIMENSION : G_MAXINT;

  if (changes_layout (field) && frame->buf[0] != NULL)
    {
      /* libav trusts the fields to describe the buffers (av_frame_copy). */
      _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_HOLDS_BUFFERS, .handle = rs_intern (name),
                                                       .field = rs_intern (field) });
      return;
    }
  if (g_str_equal (field, "pts"))
    frame->pts = value;
  else if (g_str_equal (field, "channel_layout"))
    {
      av_channel_layout_uninit (&frame->ch_layout);
      if (av_channel_layout_from_mask (&frame->ch_layout, value) < 0)
        _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_NOT_A_LAYOUT,
                                                         .handle = rs_intern (name), .value = { value } });
    }
  else if (value > limit || value < (g_str_equal (field, "format") ? G_MININT : 0))
    _rs_scenario_fault (self, statement, (RsEvent) {
      .fault = RS_FAULT_OUT_OF_RANGE, .handle = rs_intern (name), .field = rs_intern (field),
      .value = { value, g_str_equal (field, "format") ? G_MININT : 0, limit } });
  else if (g_str_equal (field, "channels") || g_str_equal (field, "ch_layout.nb_channels"))
    {
      av_channel_layout_uninit (&frame->ch_layout);
      if (value > 0)
        av_channel_layout_default (&frame->ch_layout, value);
    }
  else
    {
      int *target = g_str_equal (field, "format") ? &frame->format : g_str_equal (field, "width") ?
                    &frame->width : g_str_equal (field, "height") ? &frame->height :
                    g_str_equal (field, "nb_samples") ? &frame->nb_samples :
                    g_str_equal (field, "sample_rate") ? &frame->sample_rate : &frame->key_frame;
      *target = value;
    }
}

static void
set_field (RsScenarioSession         *self,
           const RsScenarioStatement *statement)
{
  Object *object = _rs_scenario_dereference (self, statement, statement->variable, "setting a field");
  const char *field = statement->field;
  AVPacket *packet;
  gint64 value = 0;

  if (object == NULL || !_rs_scenario_eval (self, statement, statement->value.expr, &value))
    return;
  if (object->frame != NULL)
    {
      set_frame_field (self, statement, object->frame, value);
      return;
    }

  packet = object->packet;
  if ((g_str_equal (field, "stream_index") || g_str_equal (field, "flags")) &&
      (value < G_MININT || value > G_MAXINT))
    _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_NOT_AN_INT, .value = { value } });
  else if (g_str_equal (field, "pts"))
    packet->pts = value;
  else if (g_str_equal (field, "dts"))
    packet->dts = value;
  else if (g_str_equal (field, "duration"))
    packet->duration = value;
  else if (g_str_equal (field, "pos"))
    packet->pos = value;
  else if (g_str_equal (field, "stream_index"))
    packet->stream_index = value;
  else
    packet->flags = value;
}

/* Writes */

/* The reference among `object`'s that holds [start, start + length). */
static AVBufferRef *
find_holding_ref (RsScenarioSession *self,
                  Object            *object,
                  const uint8_t     *start,
                  gint64             length)
{
  AVBufferRef *candidates[AV_NUM_DATA_POINTERS + 64 + 1];
  guint n = 0;

  if (object->packet != NULL && object->packet->buf != NULL)
    candidates[n++] = object->packet->buf;
  if (object->frame != NULL)
    {
      for (guint i = 0; i < AV_NUM_DATA_POINTERS; i++)
        if (object->frame->buf[i] != NULL)
          candidates[n++] = object->frame->buf[i];
      for (int i = 0; i < object->frame->nb_extended_buf && n < G_N_ELEMENTS (candidates); i++)
        candidates[n++] = object->frame->extended_buf[i];
    }
  for (guint i = 0; i < n; i++)
    if (start >= candidates[i]->data && start + length <= candidates[i]->data + candidates[i]->size)
      return candidates[i];

  /* A packet whose references av_init_packet dropped still points into
   * them, and C lets it write there: the memory is leaked, not freed. */
  for (guint i = 0; i < self->orphans->len; i++)
    {
      AVBufferRef *ref = ((Orphan *) g_ptr_array_index (self->orphans, i))->ref;

      if (start >= ref->data && start + length <= ref->data + ref->size)
        return ref;
    }
  return NULL;
}

static void
run_write (RsScenarioSession         *self,
           const RsScenarioStatement *statement)
{
  const RsScenarioWrite *write = &statement->write;
  const char *function = rs_scenario_function_get_signature (write->function)->name;
  const char *name = _rs_scenario_variable_name (self, write->variable);
  Object *object = _rs_scenario_dereference (self, statement, write->variable, function);
  gint64 plane = 0, offset = 0, length = 0, fill = COPY_PATTERN, room;
  g_autofree char *destination = NULL;
  uint8_t *data;
  AVBufferRef *ref;

  if (object == NULL || (write->plane != NULL && !_rs_scenario_eval (self, statement, write->plane, &plane)) ||
      (write->offset != NULL && !_rs_scenario_eval (self, statement, write->offset, &offset)) ||
      !_rs_scenario_eval (self, statement, write->length, &length) ||
      (write->fill != NULL && !_rs_scenario_eval (self, statement, write->fill, &fill)))
    return;

  if (object->frame != NULL && (plane < 0 || plane >= AV_NUM_DATA_POINTERS))
    {
      _rs_scenario_fault (self, statement, (RsEvent) {
        .fault = RS_FAULT_OUT_OF_RANGE, .handle = rs_intern (name), .field = rs_intern_static ("data"),
        .value = { plane, 0, AV_NUM_DATA_POINTERS - 1 } });
      return;
    }
  destination = object->frame != NULL ? g_strdup_printf ("%s->data[%" G_GINT64_FORMAT "]", name, plane)
                                      : g_strdup_printf ("%s->data", name);
  data = object->frame != NULL ? object->frame->data[plane] : object->packet->data;
  if (data == NULL)
    {
      _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_NULL_POINTER,
                                                       .handle = rs_intern (destination),
                                                       .call = rs_intern (function) });
      return;
    }
  if (length < 0 || offset < 0)
    {
      _rs_scenario_fault (self, statement, (RsEvent) {
        .fault = RS_FAULT_NEGATIVE, .call = rs_intern (function),
        .field = rs_intern_static (length < 0 ? "length" : "offset"), .value = { length < 0 ? length : offset } });
      return;
    }

  /* A packet's payload is pkt->size bytes; a plane ends with its buffer. */
  ref = find_holding_ref (self, object, data, object->packet != NULL ? object->packet->size : 1);
  room = ref == NULL ? 0 : object->packet != NULL ? object->packet->size : ref->data + ref->size - data;
  if (ref == NULL || offset > room || length > room - offset)
    {
      _rs_scenario_fault (self, statement, (RsEvent) {
        .fault = RS_FAULT_OUT_OF_BOUNDS, .call = rs_intern (function), .handle = rs_intern (destination),
        .value = { length, offset, room } });
      return;
    }

  if (!av_buffer_is_writable (ref))
    _rs_scenario_add_event (self, statement, &(RsEvent) {
      .kind = RS_EVENT_UNSAFE_WRITE, .buffer = _rs_scenario_buffer_id (self, ref),
      .handle = rs_intern (name), .call = rs_intern (function),
      .count = av_buffer_get_ref_count (ref),
    });
  memset (data + offset, (int) (fill & 0xFF), length);
}

/* Statements */

static void
assign (RsScenarioSession         *self,
        const RsScenarioStatement *statement,
        StepResult                *result)
{
  const RsScenarioValue *value = &statement->value;
  Variable *var = &self->variables[statement->variable];
  Object *produced = NULL;

  switch (value->kind)
    {
    case RS_SCENARIO_VALUE_NULL:
      set_pointer (self, statement, statement->variable, NULL);
      break;
    case RS_SCENARIO_VALUE_VARIABLE:
      if (!self->variables[value->variable].initialized)
        _rs_scenario_fault (self, statement, (RsEvent) {
          .fault = RS_FAULT_UNINITIALIZED, .handle = rs_intern (_rs_scenario_variable_name (self, value->variable)) });
      else
        set_pointer (self, statement, statement->variable, self->variables[value->variable].object);
      break;
    case RS_SCENARIO_VALUE_EXPR:
      if (_rs_scenario_eval (self, statement, value->expr, &var->number))
        var->initialized = TRUE;
      break;
    case RS_SCENARIO_VALUE_CALL:
      if (!_rs_scenario_run_call (self, statement, value->call, result, &produced))
        break;
      if (rs_scenario_program_get_variable (self->program, statement->variable)->type == RS_SCENARIO_TYPE_INT)
        {
          var->number = result->ret;
          var->initialized = TRUE;
        }
      else
        set_pointer (self, statement, statement->variable, produced);
      break;
    case RS_SCENARIO_VALUE_ADDRESS:
    case RS_SCENARIO_VALUE_NONE:
    default:
      break;
    }
}

/* The end of a function or of the file: its variables die, and what only
 * they pointed at is lost. */
static void
end_scope (RsScenarioSession         *self,
           const RsScenarioStatement *statement)
{
  for (const int *index = statement->dying; index != NULL && *index >= 0; index++)
    _rs_scenario_set_in_scope (self, *index, FALSE);
  for (const int *index = statement->dying; index != NULL && *index >= 0; index++)
    {
      Variable *var = &self->variables[*index];

      if (var->initialized)
        check_lost (self, statement, var->object, _rs_scenario_variable_name (self, *index), "end");
    }
}

void
_rs_scenario_run_statement (RsScenarioSession *self,
                            guint              index,
                            StepResult        *result)
{
  const RsScenarioStatement *statement = rs_scenario_program_get_statement (self->program, index);
  Variable *var = statement->variable >= 0 ? &self->variables[statement->variable] : NULL;
  Object *produced = NULL;

  result->call = statement->text;
  switch (statement->kind)
    {
    case RS_SCENARIO_DECLARE:
      _rs_scenario_point (self, statement->variable, NULL);
      *var = (Variable) { .in_scope = var->in_scope };
      _rs_scenario_set_in_scope (self, statement->variable, TRUE);
      if (statement->value.kind != RS_SCENARIO_VALUE_NONE)
        assign (self, statement, result);
      break;
    case RS_SCENARIO_ASSIGN:
      assign (self, statement, result);
      break;
    case RS_SCENARIO_CALL:
      if (_rs_scenario_run_call (self, statement, statement->value.call, result, &produced) && produced != NULL)
        check_lost (self, statement, produced, NULL, result->call);
      break;
    case RS_SCENARIO_SET_FIELD:
      set_field (self, statement);
      break;
    case RS_SCENARIO_WRITE:
      result->call = rs_scenario_function_get_signature (statement->write.function)->name;
      result->args = statement->write.args_text;
      run_write (self, statement);
      break;
    case RS_SCENARIO_RETURN:
      result->call = "return";
      break;
    case RS_SCENARIO_END:
      result->call = "end";
      result->args = statement->function;
      end_scope (self, statement);
      break;
    case RS_SCENARIO_BEGIN:
    default:
      break;
    }
}
