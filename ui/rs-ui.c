/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-ui"

#include "rs-ui.h"

#include "rs-graph-view.h"
#include "rs-inspector.h"
#include "rs-pipeline-popover.h"
#include "rs-refcount-plot.h"
#include "rs-timeline.h"
#include "rs-ui-resources.h"
#include "rs-window.h"

void
rs_ui_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* Referencing the resource links its object file, whose constructor
       * registers it, into the program. */
      (void) rs_ui_get_resource ();
      g_type_ensure (RS_TYPE_GRAPH_VIEW);
      g_type_ensure (RS_TYPE_INSPECTOR);
      g_type_ensure (RS_TYPE_PIPELINE_POPOVER);
      g_type_ensure (RS_TYPE_REFCOUNT_PLOT);
      g_type_ensure (RS_TYPE_TIMELINE);
      g_type_ensure (RS_TYPE_WINDOW);
      g_once_init_leave (&done, 1);
    }
}
