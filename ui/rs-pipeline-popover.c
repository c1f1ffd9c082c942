/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-pipeline-popover"

#include "rs-pipeline-popover.h"

#include <adwaita.h>

struct _RsPipelinePopover {
  GtkPopover      parent_instance;

  GtkSpinButton  *threads_spin;
  GtkSpinButton  *packet_queue_spin;
  GtkSpinButton  *frame_queue_spin;
  AdwComboRow    *copy_row;
  AdwComboRow    *streams_row;
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
  settings->streams = (RsStreamSelection) MIN (adw_combo_row_get_selected (self->streams_row), RS_STREAMS_AUDIO);
}
