/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-window-private.h: shared by rs-window.c (the parts, showing a step),
 * rs-window-actions.c (the actions and their shortcuts), rs-window-overlays.c
 * (the hint, the summary, errors and messages), rs-window-find.c,
 * rs-window-lessons.c and rs-window-export.c.
 */
#pragma once

#include "rs-lesson-view.h"
#include "rs-pipeline-popover.h"
#include "rs-window.h"

G_BEGIN_DECLS

struct _RsWindow {
  AdwApplicationWindow  parent_instance;

  /* Template children. */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  AdwFlap              *flap;
  GtkStack             *content_stack;
  RsGraphView          *graph_view;
  RsInspector          *inspector;
  RsTimeline           *timeline;
  RsPipelinePopover    *pipeline_popover;
  GtkMenuButton        *pipeline_button;
  GtkToggleButton      *play_button;
  GtkMenuButton        *speed_button;
  GtkLabel             *position_label;
  GtkLabel             *events_label;
  GtkLabel             *zoom_label;
  GtkRevealer          *run_revealer;
  GtkSpinner           *run_spinner;
  GtkLabel             *run_label;
  GtkPaned             *lesson_paned;
  RsLessonView         *lesson_view;
  GtkToggleButton      *lesson_button;
  GtkMenuButton        *lessons_button;
  GtkWidget            *packet_button;
  GtkWidget            *frame_button;
  AdwStatusPage        *lesson_errors_page;
  GtkWidget            *lesson_errors_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkLabel             *search_label;
  GtkMenuButton        *goto_button;
  GtkEntry             *goto_entry;
  GtkLabel             *goto_label;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  AdwStatusPage        *empty_page;
  GtkRevealer          *hint_revealer;
  GtkLabel             *hint_label;
  GtkRevealer          *summary_revealer;
  GtkLabel             *summary_title;
  GtkLabel             *summary_label;
  GtkBox               *summary_leaks;

  RsPlayer             *player;
  GSettings            *settings;        /* nullable */
  GCancellable         *run_cancellable; /* while running to the end */
  GApplication         *run_application; /* held while running to the end */
  GtkNativeDialog      *chooser;         /* the open or export dialog shown */
  char                 *subtitle;
  char                 *last_message;
  GMenu                *lessons_menu;
  GMenu                *primary_menu;     /* template object */
  GMenu                *recent_menu;      /* owned: the Open Recent submenu */
  char                 *lesson_dir;       /* nullable: the bundled lessons */
  RsScenarioProgram    *lesson_errors;    /* the lesson shown that does not compile */
  gboolean              lesson_mode;      /* a program's source is shown: a lesson (or its errors), a recording */
  gboolean              record_mode;      /* ... a recording's */
  GTask                *export_task;      /* Export session… under way */
  GCancellable         *export_cancellable;
  GApplication         *export_application; /* held while exporting */
  guint                 export_tick_id;   /* updates its progress */
  int                   shown_position;   /* the step shown last */
  gboolean              backwards;        /* ... was reached by going back */
  GdkFrameClock        *ahead_clock;      /* owned; waiting for it to paint the step shown */
  guint                 ahead_id;         /* the idle that prepares the next step */
  gboolean              stepped;          /* a step was taken: no first-run hint */
  gconstpointer         summary_history;  /* identity of the history summed up, or NULL */
  gboolean              summary_hidden;   /* ... and the user closed its summary */
  char                 *summary;          /* its text, for tests */
  char                 *search_message;   /* what the last search found, or why not */
  gboolean              inspector_chosen; /* the user showed or hid the inspector (F9, its button) */
  gboolean              inspector_auto;   /* ... no: the window is showing or hiding it */
};

void _rs_window_class_init_actions  (GtkWidgetClass *widget_class);
/* The hint, the summary, errors and messages (rs-window-overlays.c):
 * win.dismiss-error and win.hide-summary. */
void _rs_window_class_init_overlays (GtkWidgetClass *widget_class);
void _rs_window_class_init_export   (GtkWidgetClass *widget_class);
/* Closes the open, export or save dialog that answered `response`, and
 * returns the local path chosen in it, or NULL when cancelled or not local
 * (the user is told). Owned by the caller. */
char *_rs_window_take_chosen_path   (RsWindow        *window,
                                     GtkNativeDialog *dialog,
                                     int              response);
/* Closes the open or export dialog shown, if any. */
void _rs_window_forget_chooser      (RsWindow       *window);
/* Shows `chooser` (taken) as the window's modal dialog, `on_response`
 * (dialog, response, window) called with its answer. */
void _rs_window_show_chooser        (RsWindow             *window,
                                     GtkFileChooserNative *chooser,
                                     GCallback             on_response);
/* The strip at the bottom: running to the end, or exporting a session. */
void _rs_window_update_progress     (RsWindow       *window);
/* "Exporting… 12 of 1274 steps", or NULL if no export is under way. */
char *_rs_window_get_export_progress (RsWindow      *window);
void _rs_window_cancel_export       (RsWindow       *window);
/* The Open Recent submenu of the primary menu, kept up to date. */
void _rs_window_init_recent         (RsWindow       *window);
/* Remembers a file opened (GtkRecentManager). */
void _rs_window_add_recent          (RsWindow       *window,
                                     const char     *path);
/* Space and Shift+Space, per window. */
void _rs_window_add_space_shortcuts (RsWindow       *window);
/* Enables the actions that make sense now. */
void _rs_window_update_actions     (RsWindow       *window);
/* Holds the window's application, if it has one, while a worker runs (to
 * the end, or an export): quitting waits for the worker, which stops at the
 * next step once the window's dispose cancels it. Returns the application
 * held, a reference owned by the caller, or NULL; hand it back to
 * _rs_window_release_application, which releases it and clears the pointer. */
GApplication *_rs_window_hold_application    (RsWindow      *window);
void          _rs_window_release_application (GApplication **application);
/* Prepares the likely next step again once the step shown is painted
 * (after a relayout dropped what was prepared). */
void _rs_window_prepare_ahead      (RsWindow       *window);
/* Puts the step shown on screen. */
void _rs_window_show_step          (RsWindow       *window);
/* Shows `error` in full, in a banner under the header bar (or on the
 * empty page when nothing is open), until dismissed or a file opens. */
void _rs_window_show_error         (RsWindow       *window,
                                    const GError   *error);
void _rs_window_dismiss_error      (RsWindow       *window);
/* The first-run hint and the end-of-session summary, as the step shown
 * calls for. */
void _rs_window_update_overlays    (RsWindow       *window);
/* Shows or hides the inspector; not the user's choice. */
void _rs_window_reveal_inspector   (RsWindow       *window,
                                    gboolean        reveal);

/* Finding (rs-window-find.c): Ctrl+F, Ctrl+G, and keeping the selection
 * in view after a jump. */
void _rs_window_class_init_find    (GtkWidgetClass *widget_class);
/* Pans the graph so that the selection, if any, is in view. */
void _rs_window_reveal_selection   (RsWindow       *window);

/* Lessons (rs-window-lessons.c): the Lessons menu, the source pane. */
void     _rs_window_class_init_lessons (GtkWidgetClass *widget_class);
void     _rs_window_init_lessons       (RsWindow       *window);
void     _rs_window_dispose_lessons    (RsWindow       *window);
/* A lesson at `path` that does not compile: its errors shown (`program`,
 * whose diagnostics they are, is taken), and nothing runs. */
void     _rs_window_show_lesson_errors (RsWindow          *window,
                                        const char        *path,
                                        RsScenarioProgram *program);
/* Shows the step shown in the source pane, or hides the pane. */
void     _rs_window_update_lesson      (RsWindow       *window,
                                        RsSnapshot     *snapshot);

G_END_DECLS
