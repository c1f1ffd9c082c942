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
#include "rs-intern.h"

RsSite
_rs_scenario_site (RsScenarioSession         *self,
                   const RsScenarioStatement *statement)
{
  return (RsSite) {
    .file = rs_intern (rs_scenario_program_get_filename (self->program)),
    .function = rs_intern (statement->function),
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
  _rs_scenario_observer_add_event (self->observer, &located);
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

void
_rs_scenario_touch (RsScenarioSession *self,
                    Object            *object)
{
  if (self->observer == NULL || object->touched)
    return;
  object->touched = TRUE;
  g_ptr_array_add (self->touched, object);
}

gboolean
_rs_scenario_is_unreachable (RsScenarioSession *self,
                             Object            *object)
{
  return object->holders == NULL || object->holders->len == 0;
}

/* Files `object` in `shown` under its first holder while it is alive and
 * held, so that the handles of a step are listed in the order of their
 * first variable without walking the variables. */
static void
update_shown (RsScenarioSession *self,
              Object            *object)
{
  int key = object->freed_line == 0 && !_rs_scenario_is_unreachable (self, object)
              ? g_array_index (object->holders, int, 0) : -1;

  if (key == object->key)
    return;
  if (object->key >= 0)
    g_tree_remove (self->shown, GINT_TO_POINTER (object->key));
  if (key >= 0)
    g_tree_insert (self->shown, GINT_TO_POINTER (key), object);
  object->key = key;
}

/* The holders changed: a new id, and maybe a new place in `shown`. Interned
 * once a change, not once a step: interned strings live for ever. */
static void
holders_changed (RsScenarioSession *self,
                 Object            *object)
{
  g_autoptr(GString) id = NULL;

  for (guint i = 0; object->holders != NULL && i < object->holders->len; i++)
    {
      if (id == NULL)
        id = g_string_new (NULL);
      else
        g_string_append (id, ", ");
      g_string_append (id, _rs_scenario_variable_name (self, g_array_index (object->holders, int, i)));
    }
  object->id = id != NULL ? rs_intern (id->str) : NULL;
  update_shown (self, object);
  _rs_scenario_touch (self, object);
}

static void
add_holder (RsScenarioSession *self,
            Object            *object,
            int                index)
{
  guint at = 0;

  if (object->holders == NULL)
    object->holders = g_array_new (FALSE, FALSE, sizeof (int));
  while (at < object->holders->len && g_array_index (object->holders, int, at) < index)
    at++;
  g_array_insert_val (object->holders, at, index);
  holders_changed (self, object);
}

static void
remove_holder (RsScenarioSession *self,
               Object            *object,
               int                index)
{
  for (guint i = 0; object->holders != NULL && i < object->holders->len; i++)
    if (g_array_index (object->holders, int, i) == index)
      {
        g_array_remove_index (object->holders, i);
        holders_changed (self, object);
        return;
      }
}

void
_rs_scenario_point (RsScenarioSession *self,
                    int                index,
                    Object            *object)
{
  Variable *var = &self->variables[index];

  if (var->object == object)
    return;
  if (var->in_scope && var->object != NULL)
    remove_holder (self, var->object, index);
  var->object = object;
  if (var->in_scope && object != NULL)
    add_holder (self, object, index);
}

void
_rs_scenario_set_in_scope (RsScenarioSession *self,
                           int                index,
                           gboolean           in_scope)
{
  Variable *var = &self->variables[index];

  if (var->in_scope == in_scope)
    return;
  var->in_scope = in_scope;
  if (var->object != NULL && in_scope)
    add_holder (self, var->object, index);
  else if (var->object != NULL)
    remove_holder (self, var->object, index);
}

void
_rs_scenario_object_freed (RsScenarioSession *self,
                           Object            *object)
{
  update_shown (self, object);
  _rs_scenario_touch (self, object);
}

const char *
_rs_scenario_handle_id (RsScenarioSession *self,
                        Object            *object)
{
  return object->id;
}

guint64
_rs_scenario_buffer_id (RsScenarioSession *self,
                        const AVBufferRef *ref)
{
  return self->observer != NULL && ref != NULL ? _rs_scenario_observer_lookup (self->observer, ref->buffer) : 0;
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
    _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_UNINITIALIZED, .handle = rs_intern (name),
                                                     .call = rs_intern (use) });
  else if (var->object == NULL)
    _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_NULL_POINTER, .handle = rs_intern (name),
                                                     .call = rs_intern (use) });
  else if (var->object->freed_line != 0)
    _rs_scenario_fault (self, statement, (RsEvent) {
      .fault = RS_FAULT_USE_AFTER_FREE, .handle = rs_intern (name), .call = rs_intern (use),
      .value = { var->object->freed_line, _rs_scenario_handle_kind (var->object) } });
  else
    {
      _rs_scenario_touch (self, var->object);
      return var->object;
    }
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
            .fault = RS_FAULT_OUT_OF_RANGE, .field = rs_intern_static ("linesize"),
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
            .fault = RS_FAULT_UNINITIALIZED, .handle = rs_intern (_rs_scenario_variable_name (self, expr->variable)) });
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
    _rs_scenario_fault (self, statement, (RsEvent) { .fault = RS_FAULT_ARITHMETIC, .field = rs_intern (problem) });
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


