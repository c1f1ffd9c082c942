/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-session.c: stepping a scenario, observing its variables, and
 * choosing how each new buffer is observed.
 *
 * Observation must not change what the scenario does. Wrapping a buffer
 * (rs-tracker.h) keeps its refcount and writability, but not libav's
 * private "reallocatable" mark of buffers made by av_buffer_realloc
 * (av_new_packet, av_packet_make_writable, av_grow_packet): av_grow_packet
 * reallocates such a buffer in place, and would copy a wrapper instead. So a
 * packet payload born before an av_grow_packet statement is left untracked
 * (observed by address and generation); every other new buffer is wrapped
 * at birth, when its refcount is 1. A scenario has no branches, so "an
 * av_grow_packet statement follows" is known before it runs. Buffers no code
 * can reach any more (dropped references, lost packets) are wrapped as soon
 * as their refcount is 1, so that their leak is reported exactly.
 */
#define G_LOG_DOMAIN "rs-scenario"

#include "rs-scenario-session.h"

#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>

#include "rs-error.h"
#include "rs-query.h"
#include "rs-scenario-session-private.h"

static void rs_scenario_session_iface_init (RsSessionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RsScenarioSession, rs_scenario_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RS_TYPE_SESSION, rs_scenario_session_iface_init))

static void
free_orphan (gpointer data)
{
  Orphan *orphan = data;

  av_buffer_unref (&orphan->ref);
  g_free (orphan);
}

static void
free_object (gpointer data)
{
  Object *object = data;

  av_packet_free (&object->packet);
  av_frame_free (&object->frame);
  g_clear_pointer (&object->holders, g_array_unref);
  g_free (object);
}

/* Everything the scenario left behind, once its leaks have been reported:
 * Refscope itself leaks nothing. */
static void
free_leftovers (RsScenarioSession *self)
{
  g_tree_remove_all (self->shown);
  g_ptr_array_set_size (self->touched, 0);
  g_ptr_array_set_size (self->pending_lost, 0);
  g_ptr_array_set_size (self->pending_orphans, 0);
  g_ptr_array_set_size (self->lost_objects, 0);
  g_ptr_array_set_size (self->objects, 0);
  g_ptr_array_set_size (self->orphans, 0);
  self->n_lost_seen = self->n_orphans_seen = 0;
  g_ptr_array_set_size (self->orphan_arrays, 0);
}

static void
rs_scenario_session_finalize (GObject *object)
{
  RsScenarioSession *self = RS_SCENARIO_SESSION (object);

  free_leftovers (self);
  g_tree_unref (self->shown);
  g_ptr_array_unref (self->pending_lost);
  g_ptr_array_unref (self->pending_orphans);
  g_ptr_array_unref (self->lost_objects);
  g_ptr_array_unref (self->touched);
  g_ptr_array_unref (self->objects);
  g_ptr_array_unref (self->orphans);
  g_ptr_array_unref (self->orphan_arrays);
  /* Last: the tracker must see the frees above. */
  g_clear_pointer (&self->observer, _rs_scenario_observer_free);
  g_clear_pointer (&self->history, rs_history_unref);
  g_clear_pointer (&self->program, rs_scenario_program_free);
  g_clear_pointer (&self->step_statements, g_array_unref);
  g_free (self->variables);
  g_free (self->name);

  G_OBJECT_CLASS (rs_scenario_session_parent_class)->finalize (object);
}

static void
rs_scenario_session_class_init (RsScenarioSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_scenario_session_finalize;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return GPOINTER_TO_INT (a) - GPOINTER_TO_INT (b);
}

static void
rs_scenario_session_init (RsScenarioSession *self)
{
  self->history = rs_history_new ();
  self->objects = g_ptr_array_new_with_free_func (free_object);
  self->shown = g_tree_new_full (compare_keys, NULL, NULL, NULL);
  self->lost_objects = g_ptr_array_new ();
  self->pending_lost = g_ptr_array_new ();
  self->pending_orphans = g_ptr_array_new ();
  self->touched = g_ptr_array_new ();
  self->orphans = g_ptr_array_new_with_free_func (free_orphan);
  self->orphan_arrays = g_ptr_array_new_with_free_func (av_free);
  self->step_statements = g_array_new (FALSE, FALSE, sizeof (guint));
}

static RsScenarioSession *new_session (const char *filename, const char *source, gssize length,
                                       gboolean observe, RsScenarioProgram **rejected, GError **error);

RsScenarioSession *
rs_scenario_session_new (const char  *filename,
                         const char  *source,
                         gssize       length,
                         gboolean     observe,
                         GError     **error)
{
  return new_session (filename, source, length, observe, NULL, error);
}

/* Parses once: a program that does not compile is handed to `rejected`. */
static RsScenarioSession *
new_session (const char         *filename,
             const char         *source,
             gssize              length,
             gboolean            observe,
             RsScenarioProgram **rejected,
             GError            **error)
{
  g_autoptr(RsScenarioProgram) program = NULL;
  RsScenarioSession *self;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* A binary file is one message, not an error for each stray byte. */
  if (!rs_scenario_source_check_text (filename, source, length < 0 ? strlen (source) : (gsize) length, error))
    return NULL;
  program = rs_scenario_program_parse (filename, source, length, rs_scenario_resolve_libav_name, NULL);
  if (!rs_scenario_program_check (program, error))
    {
      if (rejected != NULL)
        *rejected = g_steal_pointer (&program);
      return NULL;
    }

  self = g_object_new (RS_TYPE_SCENARIO_SESSION, NULL);
  self->name = g_path_get_basename (rs_scenario_program_get_filename (program));
  self->variables = g_new0 (Variable, MAX (rs_scenario_program_get_n_variables (program), 1));
  if (observe)
    self->observer = _rs_scenario_observer_new ();
  for (guint i = 0; i < rs_scenario_program_get_n_statements (program); i++)
    {
      const RsScenarioStatement *statement = rs_scenario_program_get_statement (program, i);
      const RsScenarioCall *call = statement->value.kind == RS_SCENARIO_VALUE_CALL ? statement->value.call : NULL;

      if (call != NULL && call->function == RS_SCENARIO_GROW_PACKET)
        self->last_grow = i + 1;
    }
  self->program = g_steal_pointer (&program);
  return self;
}

RsScenarioSession *
rs_scenario_session_new_from_file (const char         *path,
                                   RsScenarioProgram **rejected,
                                   GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, RS_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? RS_ERROR_NOT_FOUND
                                                                                    : RS_ERROR_IO,
                   "%s", local_error->message);
      return NULL;
    }
  return new_session (path, contents, length, TRUE, rejected, error);
}

/* Handles and buffers */

/* Wraps `*ref` if it is untracked with refcount 1: a new buffer (`id` 0),
 * or one observed so far as `id`, which it keeps. Its id, or 0. */
static guint64
maybe_track (RsScenarioSession *self,
             AVBufferRef      **ref,
             RsBufferKind       kind,
             const char        *origin,
             guint64            id)
{
  RsTracker *tracker = _rs_scenario_observer_get_tracker (self->observer);

  if (*ref != NULL && av_buffer_get_ref_count (*ref) == 1 && rs_tracker_lookup (tracker, (*ref)->buffer) == 0)
    {
      guint64 wrapped = rs_tracker_wrap_as (tracker, ref, kind, origin, NULL, id);

      /* Kept under its id: the same buffer, tracked from now on. */
      _rs_scenario_observer_touch_buffer (self->observer, wrapped);
      return wrapped;
    }
  return 0;
}

/* One ref of `object`: a lost object's buffers keep the id they were
 * observed under. TRUE if it was wrapped. */
static gboolean
track_ref (RsScenarioSession *self,
           Object            *object,
           AVBufferRef      **ref,
           RsBufferKind       kind,
           const char        *origin)
{
  guint64 id = object->lost ? _rs_scenario_buffer_id (self, *ref) : 0;

  return maybe_track (self, ref, kind, origin, id) != 0;
}

/* `kept` is a payload the packet held before the statement: not new.
 * TRUE if a buffer was wrapped. */
static gboolean
track_object (RsScenarioSession *self,
              Object            *object,
              const char        *origin,
              gboolean           payloads,
              const AVBuffer    *kept)
{
  AVFrame *frame = object->frame;
  RsBufferKind kind = frame != NULL && frame->nb_samples > 0 ? RS_BUFFER_KIND_AUDIO : RS_BUFFER_KIND_PICTURE;
  gboolean wrapped = FALSE;

  if (object->packet != NULL && payloads &&
      (object->packet->buf == NULL || object->packet->buf->buffer != kept))
    wrapped = track_ref (self, object, &object->packet->buf, RS_BUFFER_KIND_PACKET, origin);
  if (frame == NULL)
    return wrapped;
  for (guint i = 0; i < AV_NUM_DATA_POINTERS; i++)
    wrapped = track_ref (self, object, &frame->buf[i], kind, origin) || wrapped;
  for (int i = 0; i < frame->nb_extended_buf; i++)
    wrapped = track_ref (self, object, &frame->extended_buf[i], RS_BUFFER_KIND_AUDIO, origin) || wrapped;
  return wrapped;
}

/* After statement `index`: the buffers it created (in the packet or frame
 * it produced into), and those no code can reach any more. The latter were
 * observed (a later av_grow_packet) and are lost: tracked from here on,
 * under the id they had, so their leak is reported exactly; wrapping them
 * cannot change what the scenario does, since nothing reaches them. */
static void
track_new_buffers (RsScenarioSession *self,
                   guint              index,
                   const StepResult  *result)
{
  /* A later av_grow_packet may reallocate a payload in place. */
  gboolean payloads = self->last_grow <= index + 1;

  /* The structs and references lost by this step join those waiting. */
  for (; self->n_lost_seen < self->lost_objects->len; self->n_lost_seen++)
    g_ptr_array_add (self->pending_lost, g_ptr_array_index (self->lost_objects, self->n_lost_seen));
  for (; self->n_orphans_seen < self->orphans->len; self->n_orphans_seen++)
    g_ptr_array_add (self->pending_orphans, g_ptr_array_index (self->orphans, self->n_orphans_seen));

  if (result->out != NULL && result->out->freed_line == 0)
    track_object (self, result->out, result->call, payloads, result->kept_payload);
  /* Only those waiting: the others' buffers are all tracked already. */
  for (guint i = 0; i < self->pending_lost->len; i++)
    track_object (self, g_ptr_array_index (self->pending_lost, i), "observed", TRUE, NULL);
  for (guint i = 0; i < self->pending_orphans->len; i++)
    {
      Orphan *orphan = g_ptr_array_index (self->pending_orphans, i);

      maybe_track (self, &orphan->ref, RS_BUFFER_KIND_PACKET, "observed", orphan->id);
    }
}

/* The references of a lost struct: a packet's payload, a frame's planes. */
static guint
n_lost_refs (const Object *object)
{
  return object->packet != NULL ? 1 : AV_NUM_DATA_POINTERS + (guint) MAX (object->frame->nb_extended_buf, 0);
}

static const AVBufferRef *
lost_ref (const Object *object,
          guint         i)
{
  if (object->packet != NULL)
    return object->packet->buf;
  return i < AV_NUM_DATA_POINTERS ? object->frame->buf[i] : object->frame->extended_buf[i - AV_NUM_DATA_POINTERS];
}

/* Counts `ref` as nobody's: for this step, or for good when `settled`. */
static void
count_lost_ref (RsScenarioSession *self,
                const AVBufferRef *ref,
                gboolean           settled)
{
  guint64 id = ref != NULL ? _rs_scenario_buffer_id (self, ref) : 0;

  if (id == 0)
    return;
  if (settled)
    _rs_scenario_observer_add_lost_for_good (self->observer, id, 1);
  else
    _rs_scenario_observer_add_lost (self->observer, id, 1);
}

/* TRUE when `ref` is NULL or tracked. For a lost reference that is for
 * good: no code reaches it to change it, and a tracked buffer keeps its
 * id while it lives. */
static gboolean
settled (RsScenarioSession *self,
         const AVBufferRef *ref)
{
  return ref == NULL || rs_tracker_lookup (_rs_scenario_observer_get_tracker (self->observer), ref->buffer) != 0;
}

/* The references nobody holds: dropped ones, and those of packets and
 * frames no variable reaches any more. Those whose buffers are all
 * tracked are counted once for good and leave the pending arrays (in
 * order: the order buffers are wrapped in names them); the others are
 * counted again each step. */
static void
count_lost (RsScenarioSession *self)
{
  guint kept = 0;

  for (guint i = 0; i < self->pending_orphans->len; i++)
    {
      Orphan *orphan = g_ptr_array_index (self->pending_orphans, i);
      gboolean done = settled (self, orphan->ref);

      count_lost_ref (self, orphan->ref, done);
      if (!done)
        self->pending_orphans->pdata[kept++] = orphan;
    }
  g_ptr_array_set_size (self->pending_orphans, kept);

  kept = 0;
  for (guint i = 0; i < self->pending_lost->len; i++)
    {
      Object *object = g_ptr_array_index (self->pending_lost, i);
      guint n = n_lost_refs (object);
      gboolean done = TRUE;

      for (guint k = 0; k < n && done; k++)
        done = settled (self, lost_ref (object, k));
      for (guint k = 0; k < n; k++)
        count_lost_ref (self, lost_ref (object, k), done);
      if (!done)
        self->pending_lost->pdata[kept++] = object;
    }
  g_ptr_array_set_size (self->pending_lost, kept);
}

static int
compare_key (gconstpointer a,
             gconstpointer b)
{
  const Object *x = *(Object **) a, *y = *(Object **) b;

  return (x->key > y->key) - (x->key < y->key);
}

/* The handles of the structs the step may have changed, at the places of
 * their first variables; the others keep theirs. */
static void
observe_handles (RsScenarioSession *self)
{
  /* Every removed place first: a place one struct left, another may take. */
  for (guint i = 0; i < self->touched->len; i++)
    {
      Object *object = g_ptr_array_index (self->touched, i);

      if (object->shown_key >= 0 && object->shown_key != object->key)
        {
          _rs_scenario_observer_remove_handle (self->observer, object->shown_key);
          object->shown_key = -1;
        }
    }
  /* In display order, so that untracked buffers are named in that order. */
  g_ptr_array_sort (self->touched, compare_key);
  for (guint i = 0; i < self->touched->len; i++)
    {
      Object *object = g_ptr_array_index (self->touched, i);

      object->touched = FALSE;
      if (object->key < 0)
        continue;
      _rs_scenario_observer_set_handle (self->observer, object->key, object->id, object->packet, object->frame);
      object->shown_key = object->key;
    }
  g_ptr_array_set_size (self->touched, 0);
}

/* Runs the next step's statements; FALSE once finished. */
static gboolean
run_step (RsScenarioSession *self,
          StepResult        *result,
          guint             *index)
{
  guint n = rs_scenario_program_get_n_statements (self->program);
  const RsScenarioStatement *statement;

  *result = (StepResult) { NULL, NULL, 0, NULL, NULL, FALSE };
  while (self->next < n && rs_scenario_program_get_statement (self->program, self->next)->kind == RS_SCENARIO_BEGIN)
    self->next++;
  if (self->finished || self->next >= n)
    return FALSE;

  *index = self->next;
  statement = rs_scenario_program_get_statement (self->program, self->next);
  _rs_scenario_run_statement (self, self->next++, result);
  while (self->next < n && rs_scenario_program_get_statement (self->program, self->next)->joined)
    {
      StepResult joined = { NULL, NULL, 0, NULL, NULL, FALSE };
      _rs_scenario_run_statement (self, self->next++, &joined);
    }
  if (statement->kind == RS_SCENARIO_RETURN)
    self->next = statement->target;
  result->final = self->next >= n;
  return TRUE;
}

static RsSnapshot *
rs_scenario_session_step (RsSession  *session,
                          GError    **error)
{
  RsScenarioSession *self = RS_SCENARIO_SESSION (session);
  g_autoptr(RsSnapshot) snapshot = NULL;
  const RsScenarioStatement *statement;
  StepResult result;
  const char *out;
  guint index = 0;

  g_return_val_if_fail (self->observer != NULL, NULL);

  _rs_scenario_observer_begin_step (self->observer, self->step);
  if (!run_step (self, &result, &index))
    return NULL;

  track_new_buffers (self, index, &result);
  if (result.out != NULL)
    _rs_scenario_touch (self, result.out);
  observe_handles (self);
  count_lost (self);
  statement = rs_scenario_program_get_statement (self->program, index);
  out = result.out != NULL && result.out->freed_line == 0 ? _rs_scenario_handle_id (self, result.out) : NULL;
  snapshot = _rs_scenario_observer_finish_step (self->observer,
                                                &(RsStepInfo) { .step = self->step, .call = result.call,
                                                                .args = result.args, .ret = result.ret,
                                                                .exact = TRUE, .out = result.ret >= 0 ? out : NULL,
                                                                .site = _rs_scenario_site (self, statement) },
                                                result.final);
  rs_history_append (self->history, snapshot);
  g_array_append_val (self->step_statements, index);
  self->step++;

  if (result.final)
    {
      self->finished = TRUE;
      free_leftovers (self);
    }
  return snapshot;
}

gboolean
rs_scenario_session_run_statement (RsScenarioSession *self)
{
  StepResult result;
  guint index = 0;

  g_return_val_if_fail (RS_IS_SCENARIO_SESSION (self), FALSE);
  g_return_val_if_fail (self->observer == NULL, FALSE);

  if (!run_step (self, &result, &index))
    return FALSE;
  if (result.final)
    {
      self->finished = TRUE;
      free_leftovers (self);
    }
  return TRUE;
}

RsScenarioProgram *
rs_scenario_session_get_program (RsScenarioSession *self)
{
  g_return_val_if_fail (RS_IS_SCENARIO_SESSION (self), NULL);
  return self->program;
}

gboolean
rs_scenario_session_get_step_location (RsScenarioSession *self,
                                       guint              step,
                                       int               *line,
                                       int               *column)
{
  const RsScenarioStatement *statement;

  g_return_val_if_fail (RS_IS_SCENARIO_SESSION (self), FALSE);

  if (step >= self->step_statements->len)
    return FALSE;
  statement = rs_scenario_program_get_statement (self->program,
                                                 g_array_index (self->step_statements, guint, step));
  if (line != NULL)
    *line = statement->line;
  if (column != NULL)
    *column = statement->column;
  return TRUE;
}

static Object *
find_variable_object (RsScenarioSession *self,
                      const char        *name)
{
  for (guint i = rs_scenario_program_get_n_variables (self->program); i > 0; i--)
    {
      const Variable *var = &self->variables[i - 1];

      if (var->in_scope && var->initialized && var->object != NULL && var->object->freed_line == 0 &&
          g_str_equal (rs_scenario_program_get_variable (self->program, i - 1)->name, name))
        return var->object;
    }
  return NULL;
}

const AVPacket *
rs_scenario_session_peek_packet (RsScenarioSession *self,
                                 const char        *name)
{
  Object *object;

  g_return_val_if_fail (RS_IS_SCENARIO_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  object = find_variable_object (self, name);
  return object != NULL ? object->packet : NULL;
}

const AVFrame *
rs_scenario_session_peek_frame (RsScenarioSession *self,
                                const char        *name)
{
  Object *object;

  g_return_val_if_fail (RS_IS_SCENARIO_SESSION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  object = find_variable_object (self, name);
  return object != NULL ? object->frame : NULL;
}

gboolean
rs_scenario_resolve_libav_name (const char *name,
                                gint64     *value,
                                gpointer    user_data)
{
  static const struct { const char *name; gint64 value; } constants[] = {
    { "AV_PKT_FLAG_KEY", AV_PKT_FLAG_KEY }, { "AV_PKT_FLAG_CORRUPT", AV_PKT_FLAG_CORRUPT },
    { "AV_PKT_FLAG_DISCARD", AV_PKT_FLAG_DISCARD }, { "AV_NOPTS_VALUE", AV_NOPTS_VALUE },
    { "AV_INPUT_BUFFER_PADDING_SIZE", AV_INPUT_BUFFER_PADDING_SIZE },
    { "AV_CH_LAYOUT_MONO", AV_CH_LAYOUT_MONO }, { "AV_CH_LAYOUT_STEREO", AV_CH_LAYOUT_STEREO },
    { "AV_CH_LAYOUT_2POINT1", AV_CH_LAYOUT_2POINT1 }, { "AV_CH_LAYOUT_SURROUND", AV_CH_LAYOUT_SURROUND },
    { "AV_CH_LAYOUT_QUAD", AV_CH_LAYOUT_QUAD }, { "AV_CH_LAYOUT_5POINT0", AV_CH_LAYOUT_5POINT0 },
    { "AV_CH_LAYOUT_5POINT1", AV_CH_LAYOUT_5POINT1 }, { "AV_CH_LAYOUT_7POINT1", AV_CH_LAYOUT_7POINT1 },
  };
  g_autofree char *lower = NULL;

  g_return_val_if_fail (name != NULL && value != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (constants); i++)
    if (g_str_equal (name, constants[i].name))
      {
        *value = constants[i].value;
        return TRUE;
      }
  if (g_str_has_prefix (name, "AV_PIX_FMT_"))
    {
      lower = g_ascii_strdown (name + strlen ("AV_PIX_FMT_"), -1);
      *value = g_str_equal (lower, "none") ? AV_PIX_FMT_NONE : av_get_pix_fmt (lower);
      return *value != AV_PIX_FMT_NONE || g_str_equal (lower, "none");
    }
  if (g_str_has_prefix (name, "AV_SAMPLE_FMT_"))
    {
      lower = g_ascii_strdown (name + strlen ("AV_SAMPLE_FMT_"), -1);
      *value = g_str_equal (lower, "none") ? AV_SAMPLE_FMT_NONE : av_get_sample_fmt (lower);
      return *value != AV_SAMPLE_FMT_NONE || g_str_equal (lower, "none");
    }
  return FALSE;
}

static gboolean
rs_scenario_session_is_finished (RsSession *session)
{
  return RS_SCENARIO_SESSION (session)->finished;
}

static RsHistory *
rs_scenario_session_get_history (RsSession *session)
{
  return RS_SCENARIO_SESSION (session)->history;
}

static const char *
rs_scenario_session_get_name (RsSession *session)
{
  return RS_SCENARIO_SESSION (session)->name;
}

static void
rs_scenario_session_iface_init (RsSessionInterface *iface)
{
  iface->step = rs_scenario_session_step;
  iface->is_finished = rs_scenario_session_is_finished;
  iface->get_history = rs_scenario_session_get_history;
  iface->get_name = rs_scenario_session_get_name;
}
