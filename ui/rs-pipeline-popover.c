/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-pipeline-popover"

#include "rs-pipeline-popover.h"

#include <adwaita.h>
#include <glib/gi18n.h>

struct _RsPipelinePopover {
  GtkPopover      parent_instance;

  GtkSpinButton  *threads_spin;
  GtkSpinButton  *packet_queue_spin;
  GtkSpinButton  *frame_queue_spin;
  AdwComboRow    *copy_row;
  AdwComboRow    *streams_row;
  AdwPreferencesGroup *file_streams_group;
  GtkListBox     *file_streams_list;
};

G_DEFINE_FINAL_TYPE (RsPipelinePopover, rs_pipeline_popover, GTK_TYPE_POPOVER)

static void
on_defaults_clicked (RsPipelinePopover *self)
{
  RsDecodeSettings settings;

  rs_decode_settings_init (&settings);
  rs_pipeline_popover_set_settings (self, &settings);
}

static void
rs_pipeline_popover_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_PIPELINE_POPOVER);
  G_OBJECT_CLASS (rs_pipeline_popover_parent_class)->dispose (object);
}

static void
rs_pipeline_popover_class_init (RsPipelinePopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_pipeline_popover_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/refscope/Refscope/rs-pipeline-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, RsPipelinePopover, threads_spin);
  gtk_widget_class_bind_template_child (widget_class, RsPipelinePopover, packet_queue_spin);
  gtk_widget_class_bind_template_child (widget_class, RsPipelinePopover, frame_queue_spin);
  gtk_widget_class_bind_template_child (widget_class, RsPipelinePopover, copy_row);
  gtk_widget_class_bind_template_child (widget_class, RsPipelinePopover, streams_row);
  gtk_widget_class_bind_template_child (widget_class, RsPipelinePopover, file_streams_group);
  gtk_widget_class_bind_template_child (widget_class, RsPipelinePopover, file_streams_list);
  gtk_widget_class_bind_template_callback (widget_class, on_defaults_clicked);
}

static void
rs_pipeline_popover_init (RsPipelinePopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
rs_pipeline_popover_new (void)
{
  return g_object_new (RS_TYPE_PIPELINE_POPOVER, NULL);
}

void
rs_pipeline_popover_set_settings (RsPipelinePopover      *self,
                                  const RsDecodeSettings *settings)
{
  g_return_if_fail (RS_IS_PIPELINE_POPOVER (self));
  g_return_if_fail (settings != NULL);

  gtk_spin_button_set_value (self->threads_spin, settings->threads);
  gtk_spin_button_set_value (self->packet_queue_spin, settings->packet_queue);
  gtk_spin_button_set_value (self->frame_queue_spin, settings->frame_queue);
  adw_combo_row_set_selected (self->copy_row, settings->copy);
  adw_combo_row_set_selected (self->streams_row, settings->streams);
}

void
rs_pipeline_popover_get_settings (RsPipelinePopover *self,
                                  RsDecodeSettings  *settings)
{
  g_return_if_fail (RS_IS_PIPELINE_POPOVER (self));
  g_return_if_fail (settings != NULL);

  rs_decode_settings_init (settings);
  settings->threads = gtk_spin_button_get_value_as_int (self->threads_spin);
  settings->packet_queue = gtk_spin_button_get_value_as_int (self->packet_queue_spin);
  settings->frame_queue = gtk_spin_button_get_value_as_int (self->frame_queue_spin);
  settings->copy = (RsCopyPolicy) MIN (adw_combo_row_get_selected (self->copy_row), RS_COPY_COPY);
  settings->streams = (RsStreamSelection) MIN (adw_combo_row_get_selected (self->streams_row), RS_STREAMS_ALL);
}

/* One row a stream: what it is, then what became of it. */
void
rs_pipeline_popover_set_streams (RsPipelinePopover  *self,
                                 const RsStreamInfo *streams,
                                 guint               n_streams)
{
  GtkWidget *child;

  g_return_if_fail (RS_IS_PIPELINE_POPOVER (self));
  g_return_if_fail (streams != NULL || n_streams == 0);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->file_streams_list))) != NULL)
    gtk_list_box_remove (self->file_streams_list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->file_streams_group), n_streams > 0);

  for (guint i = 0; i < n_streams; i++)
    {
      const RsStreamInfo *info = &streams[i];
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (_("Stream %d · %s · %s"), info->index, info->type, info->codec);
      g_autofree char *subtitle = NULL;

      if (info->status == RS_STREAM_DECODED)
        /* Translators: %s names the stream's handles in the graph ("audio2.frame"). */
        subtitle = g_strdup_printf (_("decoded as “%s”"), info->name);
      else if (rs_stream_status_is_skipped (info->status))
        subtitle = g_strdup_printf (_("skipped: %s%s%s"), _(rs_stream_status_to_words (info->status)),
                                    info->reason != NULL ? ": " : "", info->reason != NULL ? info->reason : "");
      else
        subtitle = g_strdup (_(rs_stream_status_to_words (info->status)));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (rs_stream_status_is_skipped (info->status))
        {
          GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

          gtk_widget_add_css_class (icon, "warning");
          gtk_widget_set_tooltip_text (icon, _("Skipped: the session goes on without it"));
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
        }
      gtk_list_box_append (self->file_streams_list, row);
    }
}
