/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-legend.c: what the graph's colours and marks mean, pinned in a
 * corner of the canvas. It used to be a node of the graph, laid out under
 * the handles: it moved with the graph and made it taller. The words and
 * colours are the graph's own (rs_graph_get_colors), so they stay in step.
 */
#define G_LOG_DOMAIN "rs-graph-view"

#include "rs-graph-view-private.h"

#include <glib/gi18n.h>

#include "rs-graph.h"

static GtkWidget *
add_line (GtkBox *box)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (box, label);
  return label;
}

static void
on_close (GtkButton   *button,
          RsGraphView *view)
{
  rs_graph_view_set_legend (view, FALSE);
}

GtkWidget *
_rs_graph_legend_new (RsGraphView *view)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Legend"));
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_widget_add_css_class (box, "graph-legend");
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (header), title);
  gtk_widget_add_css_class (close, "flat");
  gtk_widget_add_css_class (close, "circular");
  gtk_widget_set_focus_on_click (close, FALSE);
  gtk_widget_set_tooltip_text (close, _("Hide the Legend (L)"));
  g_signal_connect_object (close, "clicked", G_CALLBACK (on_close), view, 0);
  gtk_box_append (GTK_BOX (header), close);
  gtk_box_append (GTK_BOX (box), header);
  for (int i = 0; i < 6; i++)
    add_line (GTK_BOX (box));
  gtk_widget_set_cursor_from_name (box, "default");
  return box;
}

void
_rs_graph_legend_set_dark (GtkWidget *legend,
                           gboolean   dark)
{
  RsGraphColors c;
  GtkWidget *line = gtk_widget_get_next_sibling (gtk_widget_get_first_child (legend));
  g_autofree char *kinds = NULL;
  g_autofree char *count = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *lives = NULL;
  g_autofree char *hidden = NULL;
  const char *text[6];

  rs_graph_get_colors (dark, &c);
  /* The swatches are the node fills, with the graph's text colour on them. */
  kinds = g_strdup_printf ("<span bgcolor=\"%s\"> %s </span>  <span bgcolor=\"%s\"> %s </span>  "
                           "<span bgcolor=\"%s\"> %s </span>  <span bgcolor=\"%s\"> %s </span>",
                           c.fill[RS_BUFFER_KIND_PACKET], _("packet"), c.fill[RS_BUFFER_KIND_PICTURE], _("picture"),
                           c.fill[RS_BUFFER_KIND_AUDIO], _("audio"), c.fill[RS_BUFFER_KIND_SIDE_DATA], _("side data"));
  count = g_strdup_printf (_("<b>3</b>  refcount = app (handles) + libav (inside)"));
  changes = g_strdup_printf (_("<span color=\"%s\">2→3 ▲</span>  <span color=\"%s\">3→2 ▼</span>  changed by this step"),
                             c.good, c.bad);
  lives = g_strdup_printf (_("<span color=\"%s\">new</span> · freed: dashed, one step · <span color=\"%s\">leaked</span>"),
                           c.good, c.bad);
  hidden = g_strdup_printf (_("<span color=\"%s\">- - ×N</span>  references held inside libav"), c.holder);
  text[0] = kinds;
  text[1] = _("buf → #27  a reference (AVBufferRef) → the AVBuffer");
  text[2] = count;
  text[3] = changes;
  text[4] = lives;
  text[5] = hidden;
  for (int i = 0; i < 6 && line != NULL; i++, line = gtk_widget_get_next_sibling (line))
    {
      if (i == 1)
        gtk_label_set_text (GTK_LABEL (line), text[i]);
      else
        gtk_label_set_markup (GTK_LABEL (line), text[i]);
    }
}
