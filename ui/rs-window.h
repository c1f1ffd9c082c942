/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-window.h: the main window: the graph of the step shown, the inspector,
 * the timeline and the step controls. Its actions (win.step, win.back,
 * win.next-packet, win.next-frame, win.play, win.run-to-end, win.restart,
 * win.open, win.open-file, win.export, zoom) drive an RsPlayer. A `.c`
 * file is a lesson: its source is shown beside the graph.
 */
#pragma once

#include <adwaita.h>

#include "rs-decode-session.h"
#include "rs-graph-view.h"
#include "rs-inspector.h"
#include "rs-lesson-view.h"
#include "rs-player.h"
#include "rs-timeline.h"

G_BEGIN_DECLS

#define RS_TYPE_WINDOW (rs_window_get_type ())
G_DECLARE_FINAL_TYPE (RsWindow, rs_window, RS, WINDOW, AdwApplicationWindow)

/* `application` may be NULL (tests). */
RsWindow      *rs_window_new              (GtkApplication         *application);

/* Opens `path` with `settings` (NULL: the settings in use) and shows its
 * first step. On failure a toast names the file and the reason, the session
 * shown before stays, and FALSE is returned. */
gboolean       rs_window_open             (RsWindow               *window,
                                           const char             *path,
                                           const RsDecodeSettings *settings);
/* Where pipeline settings, the playing speed, the legend and the folders
 * picked for recordings' sources are saved (nullable; the window keeps a
 * reference). Keys of io.github.refscope.Refscope. */
void           rs_window_set_settings     (RsWindow               *window,
                                           GSettings              *settings);
/* Writes the graph of the step shown to `path`, its format from the
 * extension (png, svg, pdf, dot). */
gboolean       rs_window_export           (RsWindow               *window,
                                           const char             *path,
                                           GError                **error);
/* Writes the graph of every step of the session to
 * DIRECTORY/step-NNNNNN.FORMAT, running an unfinished session to the end
 * first (as win.run-to-end does), on worker threads, showing progress with
 * Cancel; a toast tells the end. FALSE if nothing is open, the session is
 * running to the end, or an export is already under way. */
gboolean       rs_window_export_session   (RsWindow               *window,
                                           const char             *directory,
                                           const char             *format);
/* Saves every step shown so far as a recording at `path` (Save Session…):
 * it opens again as the same session. FALSE with an error naming `path`. */
gboolean       rs_window_save_session     (RsWindow               *window,
                                           const char             *path,
                                           GError                **error);
/* Shows `message` as a toast. */
void           rs_window_show_message     (RsWindow               *window,
                                           const char             *message);

/* Where the bundled lessons are (nullable): the Lessons menu lists its
 * `.c` files. */
void           rs_window_set_lesson_dir   (RsWindow               *window,
                                           const char             *dir);

/* Finds a buffer ("#27" or "27"), a packet or frame ("video.frame"), a
 * part of libav ("video decoder") or a call ("avcodec_send_packet": the
 * next step making it) among the recorded steps, goes to its step and
 * selects it, panned into view. FALSE if nothing matches; either way
 * rs_window_get_search_message() says what was found or why not. */
gboolean       rs_window_find             (RsWindow               *window,
                                           const char             *text);
const char    *rs_window_get_search_message (RsWindow             *window);
/* Goes to step `number`, counted from 1 as the window shows steps. FALSE
 * (with a message) if that step is not recorded. */
gboolean       rs_window_go_to_step       (RsWindow               *window,
                                           guint                   number);
/* The end-of-session summary shown ("2021 steps · peak …"), or NULL when
 * none is shown. */
const char    *rs_window_get_summary      (RsWindow               *window);
/* The error shown in full (the banner, or the empty page), or NULL. */
const char    *rs_window_get_error        (RsWindow               *window);

/* Parts, for the application and tests. Borrowed. */
RsPlayer      *rs_window_get_player       (RsWindow               *window);
RsGraphView   *rs_window_get_graph_view   (RsWindow               *window);
RsInspector   *rs_window_get_inspector    (RsWindow               *window);
RsTimeline    *rs_window_get_timeline     (RsWindow               *window);
RsLessonView  *rs_window_get_lesson_view  (RsWindow               *window);
/* The Lessons menu. */
GMenuModel    *rs_window_get_lessons_menu (RsWindow               *window);
/* The Open Recent submenu: files opened before, newest first (items of
 * win.open-file). Borrowed. */
GMenuModel    *rs_window_get_recent_menu  (RsWindow               *window);
/* The window's subtitle: "step 57 · avcodec_receive_frame(…) = 0". */
const char    *rs_window_get_subtitle     (RsWindow               *window);
/* The text of the last toast shown, or NULL. */
const char    *rs_window_get_last_message (RsWindow               *window);

G_END_DECLS
