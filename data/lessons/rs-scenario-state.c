/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-state.c: what the statements of a scenario read and report
 * through: its variables, the packets and frames they point at, the ids of
 * the buffers those hold, expressions, and the events of the step in
 * progress. The lowest layer of the interpreter: the libav calls
 * (rs-scenario-libav.c), the statements (rs-scenario-run.c) and the
 * session (rs-scenario-session.c) build on it, and it on none of them.
 */
#define G_LOG_DOMAIN "rs-scenario"

#include <libavutil/channel_layout.h>
#include <stdarg.h>

#include "rs-scenario-session-private.h"

RsSite
_rs_scenario_site (RsScenarioSession         *self,
                   const RsScenarioStatement *statement)
{
  return (RsSite) {
    .file = g_intern_string (rs_scenario_program_get_filename (self->program)),
    .function = g_intern_string (statement->function),
    .line = statement->line,
    .column = statement->column,
  };
}

void
_rs_scenario_add_event (RsScenarioSession         *self,
                        const RsScenarioStatement *statement,
                        const RsEvent             *event)
{
  RsEvent located;

  if (self->observer == NULL)
    return;
  located = *event;
  located.site = _rs_scenario_site (self, statement);
  rs_observer_add_event (self->observer, &located);
}

void
_rs_scenario_fault (RsScenarioSession         *self,
                    const RsScenarioStatement *statement,
                    RsEvent                    fault)
{
  fault.kind = RS_EVENT_ERROR;
  _rs_scenario_add_event (self, statement, &fault);
}

const char *
_rs_scenario_variable_name (RsScenarioSession *self,
                            int                index)
{
  return rs_scenario_program_get_variable (self->program, index)->name;
}

RsHandleKind
_rs_scenario_handle_kind (const Object *object)
{
  return object->type == RS_SCENARIO_TYPE_PACKET ? RS_HANDLE_PACKET : RS_HANDLE_FRAME;
}

const char *
_rs_scenario_struct_name (const Object *object)
{
  return object->type == RS_SCENARIO_TYPE_PACKET ? "AVPacket" : "AVFrame";
}

gboolean
_rs_scenario_is_unreachable (RsScenarioSession *self,
                             Object            *object)
{
  for (guint i = 0; i < rs_scenario_program_get_n_variables (self->program); i++)
    if (self->variables[i].in_scope && self->variables[i].object == object)
      return FALSE;
  return TRUE;
}

const char *
_rs_scenario_handle_id (RsScenarioSession *self,
                        Object            *object)
{
  g_autoptr(GString) id = NULL;

  for (guint i = 0; i < rs_scenario_program_get_n_variables (self->program); i++)
    {
      const Variable *var = &self->variables[i];

      if (!var->in_scope || !var->initialized || var->object != object)
        continue;
      if (id == NULL)
        id = g_string_new (NULL);
      else
        g_string_append (id, ", ");
      g_string_append (id, rs_scenario_program_get_variable (self->program, i)->name);
    }
  return id != NULL ? g_intern_string (id->str) : NULL;
}

guint64
_rs_scenario_buffer_id (RsScenarioSession *self,
                        const AVBufferRef *ref)
{
  return self->observer != NULL && ref != NULL ? rs_observer_lookup (self->observer, ref->buffer) : 0;
}

/* The live object variable `index` points at, or NULL after reporting why
 * `use` cannot go through it. */
Object *
_rs_scenario_dereference (RsScenarioSession         *self,
                          const RsScenarioStatement *statement,
                          int                        index,
                          const char                *use)
{
  const Variable *var = &self->variables[index];
  const char *name = _rs_scenario_variable_name (self, index);

  if (!var->initialized)
    _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_UNINITIALIZED, .handle = g_intern_string (name),
                                                     .call = g_intern_string (use) });
  else if (var->object == NULL)
    _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_NULL_POINTER, .handle = g_intern_string (name),
                                                     .call = g_intern_string (use) });
  else if (var->object->freed_line != 0)
    _rs_scenario_fault (self, statement, (RsEvent) {
      .fault = RS_FAULT_USE_AFTER_FREE, .handle = g_intern_string (name), .call = g_intern_string (use),
      .value = { var->object->freed_line, _rs_scenario_handle_kind (var->object) } });
  else
    return var->object;
  return NULL;
}

/* Expressions */

static gboolean
read_field (RsScenarioSession         *self,
            const RsScenarioStatement *statement,
            Object                    *object,
            const char                *field,
            gint64                     index,
            gint64                    *value)
{
  const AVPacket *packet = object->packet;
  const AVFrame *frame = object->frame;

  if (packet != NULL)
    {
      *value = g_str_equal (field, "size") ? packet->size : g_str_equal (field, "pts") ? packet->pts :
               g_str_equal (field, "dts") ? packet->dts : g_str_equal (field, "duration") ? packet->duration :
               g_str_equal (field, "pos") ? packet->pos : g_str_equal (field, "stream_index") ?
               packet->stream_index : packet->flags;
      return TRUE;
    }
  if (g_str_equal (field, "linesize"))
    {
      if (index < 0 || index >= AV_NUM_DATA_POINTERS)
        {
          _rs_scenario_fault (self, statement, (RsEvent) {
            .fault = RS_FAULT_OUT_OF_RANGE, .field = g_intern_static_string ("linesize"),
            .value = { index, 0, AV_NUM_DATA_POINTERS - 1 } });
          return FALSE;
        }
      *value = frame->linesize[index];
    }
  else if (g_str_equal (field, "channels") || g_str_equal (field, "ch_layout.nb_channels"))
    *value = frame->ch_layout.nb_channels;
  else if (g_str_equal (field, "channel_layout"))
    *value = frame->ch_layout.order == AV_CHANNEL_ORDER_NATIVE ? (gint64) frame->ch_layout.u.mask : 0;
  else
    *value = g_str_equal (field, "format") ? frame->format : g_str_equal (field, "width") ? frame->width :
             g_str_equal (field, "height") ? frame->height : g_str_equal (field, "nb_samples") ?
             frame->nb_samples : g_str_equal (field, "sample_rate") ? frame->sample_rate :
             g_str_equal (field, "pts") ? frame->pts : frame->key_frame;
  return TRUE;
}

gboolean
_rs_scenario_eval (RsScenarioSession         *self,
                   const RsScenarioStatement *statement,
                   const RsScenarioExpr      *expr,
                   gint64                    *value)
{
  const char *problem = NULL;
  gint64 left = 0, right = 0;
  Object *object;

  switch (expr->kind)
    {
    case RS_SCENARIO_EXPR_NUMBER:
      *value = expr->value;
      return TRUE;
    case RS_SCENARIO_EXPR_VARIABLE:
      if (!self->variables[expr->variable].initialized)
        {
          _rs_scenario_fault (self, statement, (RsEvent) {
            .fault = RS_FAULT_UNINITIALIZED, .handle = g_intern_string (_rs_scenario_variable_name (self, expr->variable)) });
          return FALSE;
        }
      *value = self->variables[expr->variable].number;
      return TRUE;
    case RS_SCENARIO_EXPR_FIELD:
      if ((object = _rs_scenario_dereference (self, statement, expr->variable, "reading a field")) == NULL ||
          (expr->left != NULL && !_rs_scenario_eval (self, statement, expr->left, &left)))
        return FALSE;
      return read_field (self, statement, object, expr->field, left, value);
    case RS_SCENARIO_EXPR_UNARY:
      if (!_rs_scenario_eval (self, statement, expr->left, &left))
        return FALSE;
      if (expr->op == '-' && left == G_MININT64)
        problem = "integer overflow";
      *value = expr->op == '-' ? -left : ~left;
      break;
    case RS_SCENARIO_EXPR_BINARY:
    default:
      if (!_rs_scenario_eval (self, statement, expr->left, &left) || !_rs_scenario_eval (self, statement, expr->right, &right))
        return FALSE;
      rs_scenario_apply_operator (expr->op, left, right, value, &problem);
      break;
    }
  if (problem != NULL)
    _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_ARITHMETIC, .field = g_intern_string (problem) });
  return problem == NULL;
}

gboolean
_rs_scenario_eval_int (RsScenarioSession         *self,
                       const RsScenarioStatement *statement,
                       const RsScenarioExpr      *expr,
                       int                       *value)
{
  gint64 wide = 0;

  if (!_rs_scenario_eval (self, statement, expr, &wide))
    return FALSE;
  if (wide < G_MININT || wide > G_MAXINT)
    {
      _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_NOT_AN_INT, .value = { wide } });
      return FALSE;
    }
  *value = (int) wide;
  return TRUE;
}


