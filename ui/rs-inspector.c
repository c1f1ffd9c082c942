/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-inspector"

#include "rs-inspector.h"
#include "rs-intern.h"

#include "rs-findings.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <inttypes.h>

#include "rs-query.h"
#include "rs-refcount-plot.h"
#include "rs-ui-private.h"

struct _RsInspector {
  GtkWidget       parent_instance;

  GtkStack       *stack;
  GtkLabel       *title_label;
  GtkLabel       *subtitle_label;
  GtkLabel       *status_label;
  AdwPreferencesGroup *plot_group;
  RsRefcountPlot *plot;
  AdwPreferencesGroup *holders_group;
  GtkListBox     *holders_list;
  AdwPreferencesGroup *fields_group;
  GtkListBox     *fields_list;
  AdwPreferencesGroup *links_group;
  GtkListBox     *links_list;

  RsSelection     selection;
  GHashTable     *fields;        /* untranslated name -> value shown, for tests */

  /* The refcount series of the selected buffer, and what it was read from. */
  GArray         *series;
  guint64         series_buffer;
  gconstpointer   series_history;
  guint           series_length;
};

enum {
  SEEK,
  SELECT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RsInspector, rs_inspector, GTK_TYPE_WIDGET)

/* What an activatable row leads to. */
typedef struct {
  gboolean    is_step;
  guint       step;
  RsSelection selection;
} RowTarget;

static void
on_row_activated (RsInspector   *self,
                  GtkListBoxRow *row)
{
  RowTarget *target = g_object_get_data (G_OBJECT (row), "rs-target");

  if (target == NULL)
    return;
  if (target->is_step)
    g_signal_emit (self, signals[SEEK], 0, target->step);
  else
    g_signal_emit (self, signals[SELECT], 0, &target->selection);
}

static void
on_plot_seek (RsInspector *self,
              guint        step)
{
  g_signal_emit (self, signals[SEEK], 0, step);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* A row; `value` (nullable) is shown on the right, `target` (nullable)
 * makes the row lead somewhere. */
static GtkWidget *
add_row (GtkListBox *list,
         const char *title,
         const char *subtitle,
         const char *value,
         RowTarget  *target)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (value != NULL)
    {
      GtkWidget *label = gtk_label_new (value);

      gtk_label_set_selectable (GTK_LABEL (label), target == NULL);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  if (target != NULL)
    {
      g_object_set_data_full (G_OBJECT (row), "rs-target",
                              g_memdup2 (target, sizeof *target), g_free);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
    }
  gtk_list_box_append (list, row);
  return row;
}

/* A "name: value" row; `name` is untranslated (N_), `target` nullable. */
static void
add_field (RsInspector *self,
           const char  *name,
           const char  *value,
           RowTarget   *target)
{
  add_row (self->fields_list, _(name), NULL, value, target);
  g_hash_table_insert (self->fields, (char *) name, g_strdup (value));
}

static void
set_status (RsInspector *self,
            const char  *status)
{
  gtk_label_set_text (self->status_label, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
}

static const char *
holder_in_words (const char *holder)
{
  static const struct { const char *role; const char *words; } roles[] = {
    { "reader", N_("demuxer output (av_read_frame)") },
    { "packet_queue", N_("packet queue") },
    { "decoder_input", N_("decoder input (avcodec_send_packet)") },
    { "decoder_output", N_("decoder output (avcodec_receive_frame)") },
    { "frame_queue", N_("frame queue") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_strcmp0 (holder, roles[i].role) == 0)
      return _(roles[i].words);
  return holder;
}

static void
update_series (RsInspector *self,
               guint64      buffer_id,
               RsHistory   *history,
               guint        length)
{
  if (history == NULL)
    return;
  if (self->series != NULL && self->series_buffer == buffer_id &&
      self->series_history == history && self->series_length == length)
    return;
  g_clear_pointer (&self->series, g_array_unref);
  self->series = rs_history_get_refcount_series (history, buffer_id);
  if (self->series->len > length)
    g_array_set_size (self->series, length);
  self->series_buffer = buffer_id;
  self->series_history = history;
  self->series_length = length;
  rs_refcount_plot_set_series (self->plot, self->series);
}

/* Where to read a buffer that is not alive at `step`: the last step before
 * it where it was, or else the first step after. -1 if none. */
static int
find_alive_step (GArray *series,
                 guint   step)
{
  if (series == NULL)
    return -1;
  for (int i = MIN (step, series->len - 1); i >= 0; i--)
    if (g_array_index (series, int, i) > 0)
      return i;
  for (guint i = step; i < series->len; i++)
    if (g_array_index (series, int, i) > 0)
      return (int) i;
  return -1;
}

static void
show_buffer (RsInspector *self,
             RsSnapshot  *snapshot,
             RsHistory   *history,
             guint        length)
{
  guint64 id = self->selection.buffer_id;
  guint step = rs_snapshot_get_step (snapshot);
  const RsBuffer *buffer = rs_snapshot_find_buffer (snapshot, id);
  RsSnapshot *source = snapshot;
  g_autofree char *title = g_strdup_printf ("#%" G_GUINT64_FORMAT, id);
  g_autofree char *size = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *value = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GArray) retainers = NULL;
  RowTarget target = { 0 };
  const RsEvent *loss = NULL;
  guint loss_step = 0;

  update_series (self, id, history, length);
  if (buffer == NULL)
    {
      int alive = history != NULL ? find_alive_step (self->series, step) : -1;

      if (alive < 0)
        {
          status = g_strdup_printf (_("Not alive at step %u"), RS_STEP_NUMBER (step));
          gtk_label_set_text (self->title_label, title);
          gtk_label_set_text (self->subtitle_label, _("buffer"));
          set_status (self, status);
          gtk_widget_set_visible (GTK_WIDGET (self->holders_group), FALSE);
          gtk_widget_set_visible (GTK_WIDGET (self->fields_group), FALSE);
          return;
        }
      source = rs_history_get_snapshot (history, alive);
      buffer = rs_snapshot_find_buffer (source, id);
      if ((guint) alive < step)
        status = g_strdup_printf (_("Freed at step %u; shown as it was at step %u"),
                                 RS_STEP_NUMBER (alive + 1), RS_STEP_NUMBER (alive));
      else
        status = g_strdup_printf (_("Not allocated yet; born at step %u"), RS_STEP_NUMBER (alive));
    }
  else if (buffer->lost > 0 && history != NULL &&
           (loss = rs_history_find_loss (history, id, step, &loss_step)) != NULL)
    {
      g_autofree char *how = rs_findings_describe_loss (loss, RS_STEP_NUMBER (loss_step),
                                                        rs_snapshot_get_site (snapshot)->file);

      status = g_strdup_printf (g_dngettext (NULL, "Leaked: %d reference nobody holds, %s",
                                             "Leaked: %d references nobody holds, %s", buffer->lost),
                                buffer->lost, how);
    }
  else if (buffer->leaked)
    status = g_strdup (_("Leaked: alive at the end with nothing holding it"));
  else if (!rs_snapshot_is_exact (snapshot))
    status = g_strdup (_("Approximate: decoder threads changed counts while this step was recorded"));
  set_status (self, status);

  size = g_format_size (buffer->size);
  subtitle = g_strdup_printf ("%s · %s", _(rs_buffer_kind_to_words (buffer->kind)), size);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->subtitle_label, subtitle);

  value = buffer->lost > 0
    ? g_strdup_printf (_("%d (app %d + libav %d + lost %d)"), buffer->refcount, buffer->visible, buffer->hidden, buffer->lost)
    : g_strdup_printf (_("%d (app %d + libav %d)"), buffer->refcount, buffer->visible, buffer->hidden);
  add_field (self, N_("Refcount"), value, NULL);
  add_field (self, N_("Writable"), buffer->writable ? _("yes") : _("no: shared"), NULL);
  g_free (value);
  /* "99.2 kB (99,201 bytes)": the unit system of the rest, and the count. */
  value = g_format_size_full (buffer->size, G_FORMAT_SIZE_LONG_FORMAT);
  add_field (self, N_("Size"), value, NULL);
  add_field (self, N_("Kind"), _(rs_buffer_kind_to_words (buffer->kind)), NULL);
  add_field (self, N_("Origin"), buffer->origin != NULL ? buffer->origin : _("unknown"), NULL);
  g_free (value);
  value = g_strdup_printf (_("step %u"), RS_STEP_NUMBER (buffer->born));
  target = (RowTarget) { .is_step = TRUE, .step = buffer->born };
  add_field (self, N_("Born"), value, &target);
  add_field (self, N_("Lifetime"), buffer->tracked ? _("tracked: exact") : _("observed while held"), NULL);
  if (buffer->holder != NULL && buffer->hidden > 0)
    add_field (self, N_("Inside libav"), buffer->holder, NULL);

  /* Who holds it, in the step shown (or the step it is read from). */
  retainers = rs_snapshot_get_retainers (source, id);
  gtk_widget_set_visible (GTK_WIDGET (self->holders_group), retainers->len > 0);
  for (guint i = 0; i < retainers->len; i++)
    {
      const RsRetainer *r = &g_array_index (retainers, RsRetainer, i);
      g_autofree char *detail = NULL;

      if (r->handle != NULL)
        {
          target = (RowTarget) { .selection = { RS_SELECTION_HANDLE, 0, rs_intern (r->handle) } };
          detail = g_strdup_printf (_("%s · one reference"), r->field);
          add_row (self->holders_list, r->handle, detail, NULL, &target);
        }
      else if (r->lost)
        {
          /* Nobody's, not libav's: where it was lost, a click away. */
          if (loss == NULL && history != NULL)
            loss = rs_history_find_loss (history, id, step, &loss_step);
          if (loss != NULL)
            {
              g_autofree char *how = rs_findings_describe_loss (loss, RS_STEP_NUMBER (loss_step),
                                                                rs_snapshot_get_site (snapshot)->file);

              target = (RowTarget) { .is_step = TRUE, .step = loss_step };
              detail = g_strdup_printf (g_dngettext (NULL, "nobody holds %d reference · %s",
                                                     "nobody holds %d references · %s", r->count), r->count, how);
            }
          else
            {
              target = (RowTarget) { .selection = { RS_SELECTION_HOLDER, 0, NULL } };
              detail = g_strdup_printf (g_dngettext (NULL, "nobody holds %d reference", "nobody holds %d references",
                                                     r->count), r->count);
            }
          add_row (self->holders_list, _("lost"), detail, NULL, &target);
        }
      else
        {
          target = (RowTarget) { .selection = { RS_SELECTION_HOLDER, 0, rs_intern (r->holder) } };
          detail = g_strdup_printf (g_dngettext (NULL, "inside libav · %d reference", "inside libav · %d references", r->count), r->count);
          add_row (self->holders_list, r->holder, detail, NULL, &target);
        }
    }
}

static void
add_ts_field (RsInspector *self,
              const char  *name,
              gint64       ts)
{
  g_autofree char *text = _rs_ui_format_ts (ts);

  add_field (self, name, text, NULL);
}

static void
show_handle (RsInspector *self,
             RsSnapshot  *snapshot)
{
  const RsHandle *handle = rs_snapshot_find_handle (snapshot, self->selection.id);
  g_autofree char *subtitle = NULL;
  g_autofree char *value = NULL;

  gtk_label_set_text (self->title_label, self->selection.id);
  gtk_widget_set_visible (GTK_WIDGET (self->plot_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->holders_group), FALSE);
  if (handle == NULL)
    {
      gtk_label_set_text (self->subtitle_label, "");
      set_status (self, _("Not in this step"));
      gtk_widget_set_visible (GTK_WIDGET (self->fields_group), FALSE);
      return;
    }

  subtitle = g_strdup_printf ("%s · %s", rs_handle_kind_to_struct (handle->kind),
                              handle->kind == RS_HANDLE_SUBTITLE && g_strcmp0 (handle->holder, "decoder_output") == 0
                              ? _("decoder output (avcodec_decode_subtitle2)")
                              : holder_in_words (handle->holder));
  gtk_label_set_text (self->subtitle_label, subtitle);
  if (handle->kind == RS_HANDLE_SUBTITLE)
    set_status (self, handle->format == NULL ? _("Empty: holds no subtitle") : NULL);
  else
    set_status (self, handle->n_refs == 0 ? _("Empty: holds no buffer") : NULL);

  if (handle->slot >= 0)
    {
      value = g_strdup_printf (_("%d of %d"), handle->slot, handle->capacity);
      add_field (self, N_("Queue slot"), value, NULL);
      g_clear_pointer (&value, g_free);
    }
  /* An empty queue slot has nothing more to say. */
  if (handle->n_refs == 0 && handle->slot >= 0)
    return;
  if (handle->stream >= 0)
    {
      value = g_strdup_printf ("%d", handle->stream);
      add_field (self, N_("Stream"), value, NULL);
      g_clear_pointer (&value, g_free);
    }
  if (handle->kind == RS_HANDLE_SUBTITLE && handle->pts != RS_NO_TIMESTAMP)
    {
      /* AVSubtitle.pts is in microseconds, not in the stream's time base. */
      value = g_strdup_printf ("%" G_GINT64_FORMAT " µs", handle->pts);
      add_field (self, N_("pts"), value, NULL);
      g_clear_pointer (&value, g_free);
    }
  else
    add_ts_field (self, N_("pts"), handle->pts);
  if (handle->kind == RS_HANDLE_PACKET)
    {
      add_ts_field (self, N_("dts"), handle->dts);
      value = g_format_size_full (MAX (handle->size, 0), G_FORMAT_SIZE_LONG_FORMAT);
      add_field (self, N_("Size"), value, NULL);
      add_field (self, N_("Flags"), handle->key ? _("key") : _("none"), NULL);
    }
  else
    {
      if (handle->pict_type != 0)
        {
          char type[2] = { handle->pict_type, 0 };

          add_field (self, N_("Picture type"), type, NULL);
        }
      if (handle->format != NULL)
        add_field (self, N_("Format"), handle->format, NULL);
      if (handle->width > 0)
        {
          value = g_strdup_printf ("%d × %d", handle->width, handle->height);
          add_field (self, N_("Size"), value, NULL);
          g_clear_pointer (&value, g_free);
        }
      if (handle->nb_samples > 0)
        {
          value = g_strdup_printf (_("%d at %d Hz"), handle->nb_samples, handle->sample_rate);
          add_field (self, N_("Samples"), value, NULL);
          g_clear_pointer (&value, g_free);
        }
      if (handle->kind == RS_HANDLE_SUBTITLE)
        {
          /* AVSubtitle has no AVBufferRef: its rects are plain allocations
           * that avsubtitle_free releases, so there are no refs to show. */
          value = g_strdup_printf ("%d", handle->n_rects);
          add_field (self, N_("Rectangles"), value, NULL);
          g_clear_pointer (&value, g_free);
          value = g_strdup_printf (_("%u to %u ms after pts"), handle->start_display, handle->end_display);
          add_field (self, N_("Display"), value, NULL);
          g_clear_pointer (&value, g_free);
        }
      else
        add_field (self, N_("Key frame"), handle->key ? _("yes") : _("no"), NULL);
      if (g_strcmp0 (handle->holder, "frame_queue") == 0)
        add_field (self, N_("Shown"), handle->shown ? _("yes: on display") : _("no"), NULL);
    }

  adw_preferences_group_set_title (self->links_group, _("References"));
  adw_preferences_group_set_description (self->links_group, _("Its AVBufferRef fields and the buffers they point at"));
  gtk_widget_set_visible (GTK_WIDGET (self->links_group), handle->n_refs > 0);
  for (guint i = 0; i < handle->n_refs; i++)
    {
      const RsBuffer *buffer = rs_snapshot_find_buffer (snapshot, handle->refs[i].buffer);
      RowTarget target = { .selection = { RS_SELECTION_BUFFER, handle->refs[i].buffer, NULL } };
      g_autofree char *title = g_strdup_printf ("%s → #%" G_GUINT64_FORMAT, handle->refs[i].field, handle->refs[i].buffer);
      g_autofree char *detail = NULL;

      if (buffer != NULL)
        {
          g_autofree char *size = g_format_size (buffer->size);

          detail = g_strdup_printf (_("%s · %s · refcount %d"), _(rs_buffer_kind_to_words (buffer->kind)), size, buffer->refcount);
        }
      add_row (self->links_list, title, detail, NULL, &target);
    }
}

static void
show_holder (RsInspector *self,
             RsSnapshot  *snapshot)
{
  int total = 0;
  guint n = 0;
  g_autofree char *value = NULL;

  /* The holder NULL is the lost node: references nobody holds. */
  gboolean lost = self->selection.id == NULL;

  gtk_label_set_text (self->title_label, lost ? _("lost") : self->selection.id);
  gtk_label_set_text (self->subtitle_label, lost ? _("references nobody holds any more: leaked, never libav's")
                                                 : _("inside libav: references no handle of the program shows"));
  gtk_widget_set_visible (GTK_WIDGET (self->plot_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->holders_group), FALSE);

  adw_preferences_group_set_title (self->links_group, _("Buffers It Holds"));
  adw_preferences_group_set_description (self->links_group,
                                         lost ? _("A call overwrote or reset the last handle that held them")
                                              : _("Reference pictures, pending output, its copy of the input"));
  for (guint i = 0; i < rs_snapshot_get_n_buffers (snapshot); i++)
    {
      const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, i);
      int count = lost ? buffer->lost : g_strcmp0 (buffer->holder, self->selection.id) == 0 ? buffer->hidden : 0;
      g_autofree char *title = NULL;
      g_autofree char *detail = NULL;
      g_autofree char *size = NULL;
      RowTarget target = { .selection = { RS_SELECTION_BUFFER, buffer->id, NULL } };

      if (count <= 0)
        continue;
      total += count;
      n++;
      size = g_format_size (buffer->size);
      title = g_strdup_printf ("#%" G_GUINT64_FORMAT " · %s", buffer->id, _(rs_buffer_kind_to_words (buffer->kind)));
      detail = g_strdup_printf (_("×%d · %s · refcount %d"), count, size, buffer->refcount);
      add_row (self->links_list, title, detail, NULL, &target);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->links_group), n > 0);
  set_status (self, n == 0 ? _("Holds nothing at this step") : NULL);

  value = g_strdup_printf ("%d", total);
  add_field (self, lost ? N_("Lost references") : N_("Hidden references"), value, NULL);
  g_free (value);
  value = g_strdup_printf ("%u", n);
  add_field (self, N_("Buffers"), value, NULL);
}

void
rs_inspector_show (RsInspector       *self,
                   const RsSelection *selection,
                   RsSnapshot        *snapshot,
                   RsHistory         *history,
                   guint              length)
{
  g_return_if_fail (RS_IS_INSPECTOR (self));
  g_return_if_fail (selection != NULL);

  self->selection = *selection;
  g_hash_table_remove_all (self->fields);
  clear_list (self->fields_list);
  clear_list (self->holders_list);
  clear_list (self->links_list);

  if (selection->kind == RS_SELECTION_NONE || snapshot == NULL)
    {
      self->selection.kind = RS_SELECTION_NONE;
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->fields_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->links_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->holders_group), TRUE);
  switch (selection->kind)
    {
    case RS_SELECTION_BUFFER:
      gtk_widget_set_visible (GTK_WIDGET (self->plot_group), TRUE);
      adw_preferences_group_set_title (self->fields_group, _("Buffer"));
      show_buffer (self, snapshot, history, length);
      rs_refcount_plot_set_position (self->plot, rs_snapshot_get_step (snapshot));
      break;
    case RS_SELECTION_HANDLE:
      adw_preferences_group_set_title (self->fields_group, _("Fields"));
      show_handle (self, snapshot);
      break;
    case RS_SELECTION_HOLDER:
      adw_preferences_group_set_title (self->fields_group, _("Inside libav"));
      show_holder (self, snapshot);
      break;
    case RS_SELECTION_NONE:
    default:
      g_assert_not_reached ();
    }
  gtk_stack_set_visible_child_name (self->stack, "details");
}

const RsSelection *
rs_inspector_get_selection (RsInspector *self)
{
  g_return_val_if_fail (RS_IS_INSPECTOR (self), NULL);
  return &self->selection;
}

const char *
rs_inspector_get_title (RsInspector *self)
{
  g_return_val_if_fail (RS_IS_INSPECTOR (self), NULL);
  if (self->selection.kind == RS_SELECTION_NONE)
    return NULL;
  return gtk_label_get_text (self->title_label);
}

const char *
rs_inspector_get_field (RsInspector *self,
                        const char  *name)
{
  g_return_val_if_fail (RS_IS_INSPECTOR (self), NULL);
  return g_hash_table_lookup (self->fields, name);
}

const char *
rs_inspector_get_status (RsInspector *self)
{
  g_return_val_if_fail (RS_IS_INSPECTOR (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->status_label)) ? gtk_label_get_text (self->status_label) : NULL;
}

char *
rs_inspector_describe_holders (RsInspector *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (RS_IS_INSPECTOR (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->holders_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      g_string_append_printf (text, "%s: %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  return g_string_free (text, FALSE);
}

static void
rs_inspector_dispose (GObject *object)
{
  RsInspector *self = RS_INSPECTOR (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), RS_TYPE_INSPECTOR);
  G_OBJECT_CLASS (rs_inspector_parent_class)->dispose (object);
}

static void
rs_inspector_finalize (GObject *object)
{
  RsInspector *self = RS_INSPECTOR (object);

  g_clear_pointer (&self->fields, g_hash_table_unref);
  g_clear_pointer (&self->series, g_array_unref);
  G_OBJECT_CLASS (rs_inspector_parent_class)->finalize (object);
}

static void
rs_inspector_class_init (RsInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_inspector_dispose;
  object_class->finalize = rs_inspector_finalize;

  /* The user asked to go to a step (the plot, a "Born" row). */
  signals[SEEK] =
    g_signal_new ("seek", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* The user followed a link to another node: a const RsSelection *. */
  signals[SELECT] =
    g_signal_new ("select", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  g_type_ensure (RS_TYPE_REFCOUNT_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/refscope/Refscope/rs-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, RsInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, title_label);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, status_label);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, plot_group);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, plot);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, holders_group);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, holders_list);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, fields_group);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, fields_list);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, links_group);
  gtk_widget_class_bind_template_child (widget_class, RsInspector, links_list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_plot_seek);
  gtk_widget_class_set_css_name (widget_class, "inspector");
}

static void
rs_inspector_init (RsInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

GtkWidget *
rs_inspector_new (void)
{
  return g_object_new (RS_TYPE_INSPECTOR, NULL);
}
