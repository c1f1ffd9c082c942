/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-label.c: colours and the HTML-like labels of the graph's nodes.
 * Nodes are one line where they can (a buffer: what it is and its size,
 * who holds it, ✎ if the app may write it, the count; a queued packet: its
 * fields and its one ref), so the graph fits a window. Cells have fixed
 * minimum widths, so a refcount change ("2→3 ▲") does not resize a node and
 * a laid-out graph can be re-labelled without a new layout; a queue slot is
 * as large empty as full.
 */
#define G_LOG_DOMAIN "rs-graph"

#include "rs-error.h"
#include "rs-graph-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const RsPalette light_palette = {
  .background = "white", .text = "#1f1f1f", .faint = "#a0a0a0", .border = "#6b6b6b",
  .edge = "#555555", .cluster = "#a8a8a8", .body = "white",
  .packet_header = "#dde6f5", .frame_header = "#e3f1df", .changed_header = "#fde9a9",
  .fill = {
    [RS_BUFFER_KIND_PACKET] = "#f5efe0", [RS_BUFFER_KIND_PICTURE] = "#efe3f5",
    [RS_BUFFER_KIND_AUDIO] = "#dff0f4", [RS_BUFFER_KIND_SIDE_DATA] = "#ececec",
    [RS_BUFFER_KIND_OTHER] = "#ececec",
  },
  .good = "#1a7f37", .bad = "#b42318", .holder = "#7a5af5", .warn = "#b54708",
};

static const RsPalette dark_palette = {
  .background = "#242424", .text = "#e6e6e6", .faint = "#7a7a7a", .border = "#9a9a9a",
  .edge = "#a8a8a8", .cluster = "#6a6a6a", .body = "#2e2e2e",
  .packet_header = "#2b3d5a", .frame_header = "#2d4a2b", .changed_header = "#6b5410",
  .fill = {
    [RS_BUFFER_KIND_PACKET] = "#4a4231", [RS_BUFFER_KIND_PICTURE] = "#47374f",
    [RS_BUFFER_KIND_AUDIO] = "#2c4a52", [RS_BUFFER_KIND_SIDE_DATA] = "#3c3c3c",
    [RS_BUFFER_KIND_OTHER] = "#3c3c3c",
  },
  .good = "#5ccf77", .bad = "#ff7b6b", .holder = "#ad99ff", .warn = "#f5a524",
};

const RsPalette *
_rs_graph_palette (gboolean dark)
{
  return dark ? &dark_palette : &light_palette;
}

void
rs_graph_get_colors (gboolean       dark,
                     RsGraphColors *colors)
{
  const RsPalette *p = _rs_graph_palette (dark);

  g_return_if_fail (colors != NULL);
  memcpy (colors->fill, p->fill, sizeof colors->fill);
  colors->good = p->good;
  colors->bad = p->bad;
  colors->holder = p->holder;
  colors->faint = p->faint;
}

/* ---- small formatting helpers ---- */

/* The GNOME unit system (kB = 1000 bytes), as the window and the inspector
 * say it: one way of writing sizes everywhere. */
char *
_rs_graph_format_size (guint64 size)
{
  /* "344 B" rather than "344 bytes": the same units, in less width. */
  if (size < 1000)
    return g_strdup_printf ("%u B", (guint) size);
  return g_format_size (size);
}

static void
append_timestamp (GString    *s,
                  const char *name,
                  gint64      ts)
{
  if (ts == RS_NO_TIMESTAMP)
    g_string_append_printf (s, "%s –", name);
  else
    g_string_append_printf (s, "%s %" G_GINT64_FORMAT, name, ts);
}

static void
append_separator (GString *s)
{
  if (s->len > 0)
    g_string_append (s, " · ");
}

static const char *
kind_name (RsBufferKind kind)
{
  switch (kind)
    {
    case RS_BUFFER_KIND_PACKET:    return "packet";
    case RS_BUFFER_KIND_PICTURE:   return "picture";
    case RS_BUFFER_KIND_AUDIO:     return "audio";
    case RS_BUFFER_KIND_SIDE_DATA: return "side data";
    case RS_BUFFER_KIND_OTHER:
    default:                       return "other";
    }
}

/* ---- handles ---- */

const char *
_rs_graph_plane_name (const RsHandle *handle,
                      const RsRef    *ref)
{
  static const char *const yuv[] = { "Y", "U", "V", "A" };
  static const char *const gbr[] = { "G", "B", "R", "A" };
  static const char *const semi[] = { "Y", "UV" };
  static const char *const channels[] = { "ch 0", "ch 1", "ch 2", "ch 3", "ch 4", "ch 5", "ch 6", "ch 7" };
  const char *format = handle->format;
  int index;

  if (handle->kind != RS_HANDLE_FRAME || format == NULL || !g_str_has_prefix (ref->field, "buf[") ||
      !g_ascii_isdigit (ref->field[4]))
    return NULL;
  index = (int) MIN (g_ascii_strtoull (ref->field + 4, NULL, 10), G_MAXINT);

  if (handle->width > 0)
    {
      /* Planar YUV names end their layout with 'p' ("yuv420p", "yuvj422p", "yuv420p10le"). */
      if (g_str_has_prefix (format, "yuv") && strchr (format + 3, 'p') != NULL)
        return index < 4 ? yuv[index] : NULL;
      if (g_str_has_prefix (format, "gbr") && strchr (format + 3, 'p') != NULL)
        return index < 4 ? gbr[index] : NULL;
      if (g_str_has_prefix (format, "nv") || g_str_has_prefix (format, "p01"))
        return index < 2 ? semi[index] : NULL;
      return index == 0 ? "pixels" : NULL;
    }
  if (handle->nb_samples > 0)
    {
      if (g_str_has_suffix (format, "p"))
        return index < (int) G_N_ELEMENTS (channels) ? channels[index] : NULL;
      return index == 0 ? "samples" : NULL;
    }
  return NULL;
}

static void
handle_fragment_free (gpointer data)
{
  RsHandleFragment *fragment = data;

  g_free (fragment->name);
  g_free (fragment->detail);
  g_strfreev (fragment->rows);
  g_free (fragment);
}

char *
_rs_graph_handle_detail (const RsHandle *h)
{
  GString *s = g_string_new (NULL);

  if (h->n_refs == 0 && h->pts == RS_NO_TIMESTAMP && h->size == 0)
    return g_string_free (s, FALSE);

  append_timestamp (s, "pts", h->pts);
  /* AVSubtitle.pts is in microseconds, not in the stream's time base. */
  if (h->kind == RS_HANDLE_SUBTITLE && h->pts != RS_NO_TIMESTAMP)
    g_string_append (s, " µs");
  if (h->kind == RS_HANDLE_PACKET)
    {
      if (h->dts != h->pts && h->dts != RS_NO_TIMESTAMP)
        {
          append_separator (s);
          append_timestamp (s, "dts", h->dts);
        }
      if (h->size > 0)
        {
          g_autofree char *size = _rs_graph_format_size (h->size);

          g_string_append_printf (s, " · %s", size);
        }
      if (h->key)
        g_string_append (s, " · key");
    }
  else
    {
      if (h->width > 0)
        g_string_append_printf (s, " · %d×%d", h->width, h->height);
      if (h->nb_samples > 0 && h->group == NULL)
        g_string_append_printf (s, " · %d samples", h->nb_samples);
      if (h->sample_rate > 0)
        g_string_append_printf (s, " · %g kHz", h->sample_rate / 1000.0);
      if (h->format != NULL)
        g_string_append_printf (s, " %s", h->format);
      if (h->kind == RS_HANDLE_SUBTITLE && h->format != NULL)
        g_string_append_printf (s, " · %d rect%s · %u–%u ms", h->n_rects, h->n_rects == 1 ? "" : "s",
                                h->start_display, h->end_display);
    }
  {
    char *escaped = g_markup_escape_text (s->str, -1);
    g_string_free (s, TRUE);
    return escaped;
  }
}

const RsHandleFragment *
_rs_graph_handle_fragment (const RsHandle *handle)
{
  RsHandleFragment *fragment = rs_handle_get_cache (handle, RS_NODE_CACHE_DOT);

  if (fragment != NULL)
    return fragment;

  fragment = g_new0 (RsHandleFragment, 1);
  if (handle->group != NULL && handle->slot >= 0)
    fragment->name = g_strdup_printf ("[%d]", handle->slot);
  else
    fragment->name = g_markup_escape_text (handle->id, -1);
  fragment->detail = _rs_graph_handle_detail (handle);
  fragment->rows = g_new0 (char *, handle->n_refs + 1);
  for (guint i = 0; i < handle->n_refs; i++)
    {
      const char *plane = _rs_graph_plane_name (handle, &handle->refs[i]);
      g_autofree char *field = g_markup_escape_text (handle->refs[i].field, -1);

      fragment->rows[i] = g_strdup_printf ("%s → #%" G_GUINT64_FORMAT "%s%s", field,
                                           handle->refs[i].buffer,
                                           plane != NULL ? " · " : "", plane != NULL ? plane : "");
    }

  /* Another thread may have stored one first: then ours is freed. */
  return rs_handle_set_cache (handle, RS_NODE_CACHE_DOT, fragment, handle_fragment_free);
}

void
_rs_graph_row_free (RsGraphRow *row)
{
  g_free (row->text);
  g_free (row);
}

/* "buf[0–2] → #40–42" for refs first..last of a handle drawn as one row. */
char *
_rs_graph_folded_row_text (const RsHandle *handle,
                           guint           first,
                           guint           last)
{
  const char *f0 = handle->refs[first].field;
  const char *f1 = handle->refs[last].field;
  const char *bracket0 = strchr (f0, '[');
  const char *bracket1 = strchr (f1, '[');
  g_autofree char *fields = NULL;
  g_autofree char *escaped = NULL;

  if (bracket0 != NULL && bracket1 != NULL && bracket0 - f0 == bracket1 - f1 &&
      strncmp (f0, f1, bracket0 - f0) == 0)
    fields = g_strdup_printf ("%.*s[%d–%d]", (int) (bracket0 - f0), f0, atoi (bracket0 + 1), atoi (bracket1 + 1));
  else
    fields = g_strdup_printf ("%s…%s", f0, f1);
  escaped = g_markup_escape_text (fields, -1);
  return g_strdup_printf ("%s → #%" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT " · %u planes",
                          escaped, handle->refs[first].buffer, handle->refs[last].buffer,
                          last - first + 1);
}

/* Every handle is at least this wide (points), so the handle column keeps
 * its width, and the buffers theirs, as handles change from step to step.
 * A queue slot's first cell is its ring mark's, this wide. */
#define HANDLE_MIN_WIDTH 150
#define MARK_WIDTH        20
/* A packet slot: one line, as wide as most packets' fields, as tall as a
 * buffer's node. */
#define PACKET_SLOT_WIDTH 176
#define SLOT_HEIGHT        18
/* The height of a handle table's row of 10 pt and of 8 pt text: pango's
 * line height (size × 1.1, rounded) and cellpadding 2 above and below. Blank
 * rows are cells this high, so they cost no text to lay out and draw. */
#define ROW_HEIGHT        15
#define DETAIL_ROW_HEIGHT 13

/* The ring mark of a queue slot: where the queue is read and written next. */
static void
append_mark_cell (GString         *s,
                  const RsPalette *p,
                  const char      *mark,
                  guint            rows,
                  const char      *bgcolor)
{
  g_string_append_printf (s, "<td rowspan=\"%u\" width=\"%d\" valign=\"top\" align=\"left\"%s%s%s>",
                          MAX (rows, 1), MARK_WIDTH, bgcolor != NULL ? " bgcolor=\"" : "",
                          bgcolor != NULL ? bgcolor : "", bgcolor != NULL ? "\"" : "");
  /* "head tail" (an empty or full ring) is stacked: the cell keeps its width. */
  if (mark != NULL)
    {
      g_auto(GStrv) words = g_strsplit (mark, " ", -1);
      g_autofree char *stacked = g_strjoinv ("<br/>", words);

      g_string_append_printf (s, "<font point-size=\"7\" color=\"%s\"><b>%s</b></font>", p->holder, stacked);
    }
  g_string_append (s, "</td>");
}

char *
_rs_graph_handle_label (const RsPalette        *p,
                        const RsHandle         *handle,
                        const RsHandleFragment *fragment,
                        GPtrArray              *rows,
                        guint                   min_rows,
                        RsDiffFlags             flags,
                        gboolean                is_out,
                        const char             *mark)
{
  GString *s = g_string_new (NULL);
  gboolean marked = is_out || (flags & (RS_DIFF_ADDED | RS_DIFF_CHANGED)) != 0;
  const char *header = marked ? p->changed_header
                       : handle->kind == RS_HANDLE_PACKET ? p->packet_header : p->frame_header;
  const char *tag = is_out ? "out" : (flags & RS_DIFF_ADDED) ? "new" : (flags & RS_DIFF_CHANGED) ? "changed" : NULL;
  gboolean is_slot = handle->group != NULL;
  /* A queue slot's packet is one line: its fields, then its one ref as a
   * cell the arrow leaves from. The queue's label names the struct. */
  gboolean one_line = handle->kind == RS_HANDLE_PACKET && is_slot && rows->len == 1;
  guint n_rows = MAX (rows->len, 1);
  guint table_rows = 0;
  int width = is_slot ? HANDLE_MIN_WIDTH - MARK_WIDTH : HANDLE_MIN_WIDTH;

  /* One border around the table, none around its cells: the header's
   * colour sets it apart, and each drawn line costs time at every step. */
  g_string_append_printf (s, "<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"2\" "
                             "color=\"%s\" bgcolor=\"%s\">", p->border, p->body);
  if (one_line)
    {
      RsGraphRow *row = g_ptr_array_index (rows, 0);
      g_autofree char *port = g_markup_escape_text (row->port, -1);
      g_autofree char *field = g_markup_escape_text (row->port, -1);

      g_string_append (s, "<tr>");
      append_mark_cell (s, p, mark, 1, header);
      /* As tall as the buffer beside it, so a slot's row keeps its height
       * full or empty. */
      g_string_append_printf (s, "<td bgcolor=\"%s\" align=\"left\" width=\"%d\" height=\"%d\"><b>%s</b>",
                              header, PACKET_SLOT_WIDTH - MARK_WIDTH - 18, SLOT_HEIGHT, fragment->name);
      if (tag != NULL)
        g_string_append_printf (s, " <font color=\"%s\"><b>%s</b></font>", p->good, tag);
      if (fragment->detail[0] != '\0')
        g_string_append_printf (s, " <font point-size=\"8\" color=\"%s\">%s</font>", p->faint, fragment->detail);
      g_string_append_printf (s, "</td><td port=\"%s\" align=\"right\" width=\"18\"><font color=\"%s\">%s</font></td>"
                                 "</tr></table>", port, row->is_new ? p->good : p->text, field);
      return g_string_free (s, FALSE);
    }

  /* The header cell sets the width of the table's one column. */
  g_string_append (s, "<tr>");
  if (is_slot)
    {
      /* Header, detail, the refs (or "no buffer"), the blank rest. */
      table_rows = 1 + (fragment->detail[0] != '\0') + MAX (rows->len, 1) + (n_rows < min_rows);
      append_mark_cell (s, p, mark, table_rows, NULL);
    }
  if (is_slot)
    g_string_append_printf (s, "<td bgcolor=\"%s\" align=\"left\" width=\"%d\"><b>%s</b>", header,
                            width, fragment->name);
  else
    g_string_append_printf (s, "<td bgcolor=\"%s\" align=\"left\" width=\"%d\"><b>%s</b> %s", header,
                            width, rs_handle_kind_to_struct (handle->kind), fragment->name);
  /* A frame's picture type or a queued audio frame's sample count (its
   * detail line has the rate and format), and whether it is on display. */
  if (handle->pict_type != 0 && handle->pict_type != '?')
    g_string_append_printf (s, " %c", handle->pict_type);
  if (handle->nb_samples > 0 && is_slot)
    g_string_append_printf (s, " %d samples", handle->nb_samples);
  if (handle->shown)
    g_string_append (s, " · shown");
  if (tag != NULL)
    g_string_append_printf (s, " · <font color=\"%s\"><b>%s</b></font>", p->good, tag);
  g_string_append (s, "</td></tr>");
  /* A handle outside queues keeps its size whether it holds buffers or not
   * ("no buffer" in place of its fields, blank rows), so the handles under
   * it stay put. */
  if (fragment->detail[0] != '\0')
    g_string_append_printf (s, "<tr><td align=\"left\"><font point-size=\"8\" color=\"%s\">%s</font></td></tr>",
                            p->faint, fragment->detail);
  else if (!is_slot)
    g_string_append_printf (s, "<tr><td align=\"left\"><font point-size=\"8\" color=\"%s\"><i>%s</i></font></td></tr>",
                            p->faint, rows->len == 0 ? "no buffer" : " ");
  if (rows->len == 0 && (is_slot || fragment->detail[0] != '\0'))
    g_string_append_printf (s, "<tr><td align=\"left\"><font color=\"%s\"><i>no buffer</i></font></td></tr>",
                            p->faint);
  else if (rows->len == 0)
    n_rows = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      RsGraphRow *row = g_ptr_array_index (rows, i);
      g_autofree char *port = g_markup_escape_text (row->port, -1);

      if (row->is_new)
        g_string_append_printf (s, "<tr><td port=\"%s\" align=\"left\"><font color=\"%s\">%s</font></td></tr>",
                                port, p->good, row->text);
      else
        g_string_append_printf (s, "<tr><td port=\"%s\" align=\"left\">%s</td></tr>", port, row->text);
    }
  if (n_rows < min_rows)
    g_string_append_printf (s, "<tr><td height=\"%u\"></td></tr>", (min_rows - n_rows) * ROW_HEIGHT);
  g_string_append (s, "</table>");
  return g_string_free (s, FALSE);
}

char *
_rs_graph_run_label (const RsPalette *p,
                     const RsHandle  *first,
                     const RsHandle  *last,
                     guint            n_slots,
                     guint64          first_buffer,
                     guint64          last_buffer,
                     guint            n_buffers,
                     guint64          bytes)
{
  g_autofree char *size = _rs_graph_format_size (bytes);
  gboolean packets = first->kind == RS_HANDLE_PACKET;

  return g_strdup_printf ("<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"3\" "
                          "color=\"%s\" bgcolor=\"%s\">"
                          "<tr><td bgcolor=\"%s\" align=\"left\" width=\"%d\"><b>%s</b> [%d–%d] · %u %s</td></tr>"
                          "<tr><td port=\"refs\" align=\"left\">%u buffer%s → #%" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT
                          " <font point-size=\"8\" color=\"%s\">· %s</font></td></tr></table>",
                          p->border, p->body, packets ? p->packet_header : p->frame_header, HANDLE_MIN_WIDTH - 2,
                          packets ? "AVPacket" : "AVFrame", first->slot, last->slot, n_slots,
                          packets ? "packets" : "frames", n_buffers, n_buffers == 1 ? "" : "s",
                          first_buffer, last_buffer, p->faint, size);
}

char *
_rs_graph_empty_slot_label (const RsPalette *p,
                            const RsHandle  *handle,
                            guint            min_rows,
                            const char      *mark)
{
  GString *s = g_string_new (NULL);
  gboolean packet = handle->kind == RS_HANDLE_PACKET;

  /* The size of a full slot: a packet's one line; a frame's header, detail
   * and rows, blank. A slot keeps its size as it fills. */
  g_string_append_printf (s, "<table border=\"1\" style=\"dashed\" cellborder=\"0\" cellspacing=\"0\" "
                             "cellpadding=\"2\" color=\"%s\"><tr>", p->faint);
  append_mark_cell (s, p, mark, packet ? 1 : 2, NULL);
  g_string_append_printf (s, "<td align=\"left\" width=\"%d\" height=\"%d\"><font color=\"%s\">%s empty</font></td></tr>",
                          (packet ? PACKET_SLOT_WIDTH : HANDLE_MIN_WIDTH) - MARK_WIDTH, packet ? SLOT_HEIGHT : 0,
                          p->faint, _rs_graph_handle_fragment (handle)->name);
  if (!packet)
    g_string_append_printf (s, "<tr><td height=\"%u\"></td></tr>",
                            MAX (min_rows, 1) * ROW_HEIGHT + DETAIL_ROW_HEIGHT);
  g_string_append (s, "</table>");
  return g_string_free (s, FALSE);
}

/* Two short lines, left-aligned, so the label stays within its cluster
 * (a one-line label ran over the buffers beside the queue):
 * "video packet queue · 3/8" and "AVPacket ring · head [2] · tail [5]". */
char *
_rs_graph_queue_label (const RsHandle *first,
                       guint           used,
                       guint           capacity,
                       const RsHandle *head,
                       const RsHandle *tail)
{
  g_autofree char *role = g_strdup (first->holder != NULL ? first->holder : first->group);
  g_autofree char *stream = g_strdup (first->group);
  char *dot = strchr (stream, '.');
  GString *s = g_string_new (NULL);

  g_strdelimit (role, "_", ' ');
  if (dot != NULL && dot != stream)
    {
      *dot = '\0';
      g_string_append_printf (s, "%s %s", stream, role);
    }
  else
    g_string_append (s, role);
  g_string_append_printf (s, " · %u/%u", used, capacity);
  if (used == capacity && capacity > 0)
    g_string_append (s, " full");
  else if (used == 0)
    g_string_append (s, " empty");
  g_string_append_printf (s, "\\l%s ring", rs_handle_kind_to_struct (first->kind));
  if (head != NULL)
    g_string_append_printf (s, " · head [%d]", head->slot);
  if (tail != NULL)
    g_string_append_printf (s, " · tail [%d]", tail->slot);
  g_string_append (s, "\\l");
  return g_string_free (s, FALSE);
}

/* ---- buffers ---- */

typedef struct {
  char *title;   /* "<b>#42</b>" */
  char *split;   /* "app 1 + libav 2" */
  char *size;    /* "230.4 kB" */
} BufferFragment;

static void
buffer_fragment_free (gpointer data)
{
  BufferFragment *fragment = data;

  g_free (fragment->title);
  g_free (fragment->split);
  g_free (fragment->size);
  g_free (fragment);
}

/* "app 1 + libav 2", "app 1 + lost 1": who holds the references; lost
 * ones are nobody's, never libav's. */
static char *
split_text (int visible,
            int hidden,
            int lost)
{
  GString *s = g_string_new (NULL);

  if (visible > 0 || (hidden == 0 && lost == 0))
    g_string_append_printf (s, "app %d", visible);
  if (hidden > 0)
    g_string_append_printf (s, "%slibav %d", s->len > 0 ? " + " : "", hidden);
  if (lost > 0)
    g_string_append_printf (s, "%slost %d", s->len > 0 ? " + " : "", lost);
  return g_string_free (s, FALSE);
}

static const BufferFragment *
buffer_fragment (const RsBuffer *buffer)
{
  BufferFragment *fragment = rs_buffer_get_cache (buffer, RS_NODE_CACHE_DOT);
  g_autofree char *size = NULL;

  if (fragment != NULL)
    return fragment;

  size = _rs_graph_format_size (buffer->size);
  fragment = g_new0 (BufferFragment, 1);
  fragment->title = g_strdup_printf ("<b>#%" G_GUINT64_FORMAT "</b>", buffer->id);
  /* Only libav holding it (a decoder's reference picture): the dashed
   * edge to the part holding it says which. */
  fragment->split = split_text (buffer->visible, buffer->hidden, buffer->lost);
  fragment->size = g_strdup_printf ("%s%s", size, buffer->tracked ? "" : " · observed");
  return rs_buffer_set_cache (buffer, RS_NODE_CACHE_DOT, fragment, buffer_fragment_free);
}

static gboolean
has_event (RsSnapshot *snapshot,
           guint64     buffer_id,
           RsEventKind kind)
{
  for (guint i = 0; i < rs_snapshot_get_n_events (snapshot); i++)
    {
      const RsEvent *event = rs_snapshot_get_event (snapshot, i);

      if (event->buffer == buffer_id && event->kind == kind)
        return TRUE;
    }
  return FALSE;
}

/* A buffer's node, from its parts: see rs-graph-private.h. */
char *
_rs_graph_buffer_table (const RsPalette     *p,
                        const RsBufferCells *c)
{
  GString *s = g_string_new (NULL);

  /* One line of three cells (graphviz sizes a one-row table directly, a
   * grid by solving a graph for each label): what it is and its size, who
   * holds it and whether the app may write it, the count. Cells have fixed
   * minimum widths so a change of count or mark does not resize the node. */
  g_string_append_printf (s, "<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"2\" "
                             "color=\"%s\" bgcolor=\"%s\"><tr>", c->border,
                          p->fill[MIN (c->kind, RS_BUFFER_KIND_OTHER)]);
  g_string_append_printf (s, "<td align=\"left\" width=\"%d\">%s <font point-size=\"8\" color=\"%s\">%s</font>",
                          c->many ? 100 : 64, c->title, p->faint, c->size);
  /* New: the green border says it. */
  if (c->leaked)
    g_string_append_printf (s, " <font color=\"%s\"><b>leaked</b></font>", p->bad);
  g_string_append_printf (s, "</td><td align=\"left\" width=\"%d\">%s", c->many ? 60 : 56, c->split);
  if (c->writable)
    g_string_append_printf (s, " <font color=\"%s\">✎</font>", p->good);
  if (c->unsafe)
    g_string_append_printf (s, " <font color=\"%s\"><b>⚠ written while not writable</b></font>", p->bad);
  g_string_append (s, "</td>");
  /* The count, large; "2→3 ▲" when it changed in this step. */
  g_string_append (s, "<td width=\"38\" align=\"right\">");
  if (c->change != NULL)
    g_string_append (s, c->change);
  g_string_append_printf (s, "<font point-size=\"13\" color=\"%s\"><b>", c->count_color);
  if (c->min_count == c->max_count)
    g_string_append_printf (s, "%d", c->min_count);
  else
    g_string_append_printf (s, "%d–%d", c->min_count, c->max_count);
  g_string_append (s, "</b></font>");
  if (c->change_arrow != NULL)
    g_string_append (s, c->change_arrow);
  g_string_append (s, "</td></tr></table>");
  return g_string_free (s, FALSE);
}

char *
_rs_graph_buffer_label (const RsPalette *p,
                        RsSnapshot      *snapshot,
                        RsDiff          *diff,
                        GPtrArray       *members,
                        const char      *plane)
{
  const RsBuffer *first = g_ptr_array_index (members, 0);
  const RsBuffer *last = g_ptr_array_index (members, members->len - 1);
  g_autofree char *title = NULL;
  g_autofree char *split = NULL;
  g_autofree char *size = NULL;
  g_autofree char *change = NULL;
  g_autofree char *change_arrow = NULL;
  const char *border = p->border;
  const char *count_color = p->text;
  gboolean is_new = FALSE, leaked = FALSE, unsafe = FALSE, same_split = TRUE;
  int min_count = G_MAXINT, max_count = 0;
  guint64 total = 0;

  for (guint i = 0; i < members->len; i++)
    {
      const RsBuffer *b = g_ptr_array_index (members, i);
      RsDiffFlags flags = diff != NULL ? rs_diff_get_buffer_flags (diff, b->id) : RS_DIFF_SAME;

      is_new |= (flags & RS_DIFF_ADDED) != 0;
      leaked |= b->leaked;
      unsafe |= has_event (snapshot, b->id, RS_EVENT_UNSAFE_WRITE);
      same_split &= b->visible == first->visible && b->hidden == first->hidden && b->lost == first->lost;
      leaked |= b->lost > 0;
      min_count = MIN (min_count, b->refcount);
      max_count = MAX (max_count, b->refcount);
      total += b->size;
      if (change == NULL && (flags & (RS_DIFF_REFCOUNT_UP | RS_DIFF_REFCOUNT_DOWN)) != 0)
        {
          gboolean up = (flags & RS_DIFF_REFCOUNT_UP) != 0;

          change = g_strdup_printf ("<font point-size=\"8\" color=\"%s\">%d→</font>",
                                    up ? p->good : p->bad, rs_diff_get_old_refcount (diff, b->id));
          change_arrow = g_strdup_printf ("<font point-size=\"8\" color=\"%s\"> %s</font>",
                                          up ? p->good : p->bad, up ? "▲" : "▼");
          count_color = up ? p->good : p->bad;
        }
    }
  if (members->len == 1)
    {
      const BufferFragment *fragment = buffer_fragment (first);
      g_autofree char *what = NULL;

      /* A picture's plane by its name alone ("Y"): the colour says picture. */
      what = plane != NULL ? g_strdup (plane) : g_strdup (kind_name (first->kind));
      title = g_strdup_printf ("%s %s", fragment->title, what);
      split = g_strdup (fragment->split);
      size = g_strdup (fragment->size);
    }
  else
    {
      g_autofree char *each = split_text (first->visible, first->hidden, first->lost);
      g_autofree char *sum = _rs_graph_format_size (total);

      title = g_strdup_printf ("<b>#%" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT "</b> %u %s", first->id, last->id,
                               members->len, first->kind == RS_BUFFER_KIND_PICTURE ? "planes" : "buffers");
      split = same_split ? g_strdup_printf ("%s each", each) : g_strdup ("mixed holders");
      size = g_strdup (sum);
    }

  if (is_new)
    border = p->good;
  if (leaked)
    border = p->bad;
  return _rs_graph_buffer_table (p, &(RsBufferCells) {
                         .kind = first->kind, .many = members->len > 1, .border = border,
                         .title = title, .size = size, .leaked = leaked, .split = split,
                         /* ✎: the app may write it (refcount 1), where the app holds it. */
                         .writable = first->writable && (first->visible > 0 || first->hidden == 0 ||
                                                         first->holder == NULL),
                         .unsafe = unsafe, .change = change, .count_color = count_color,
                         .min_count = min_count, .max_count = max_count, .change_arrow = change_arrow,
                       });
}

char *
_rs_graph_holder_label (const RsPalette *p,
                        const char      *holder,
                        int              hidden_refs)
{
  g_autofree char *name = g_markup_escape_text (holder, -1);

  return g_strdup_printf ("<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">"
                          "<tr><td><font color=\"%s\"><b>%s</b></font></td></tr>"
                          "<tr><td><font point-size=\"8\" color=\"%s\">holds %d ref%s inside libav</font></td></tr>"
                          "</table>", p->holder, name, p->faint, hidden_refs, hidden_refs == 1 ? "" : "s");
}

char *
_rs_graph_lost_label (const RsPalette *p,
                      int              lost_refs)
{
  return g_strdup_printf ("<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"1\">"
                          "<tr><td><font color=\"%s\"><b>lost</b></font></td></tr>"
                          "<tr><td><font point-size=\"8\" color=\"%s\">%d ref%s nobody holds: leaked</font></td></tr>"
                          "</table>", p->bad, p->faint, lost_refs, lost_refs == 1 ? "" : "s");
}

char *
_rs_graph_ghost_label (const RsBuffer *buffer)
{
  return g_strdup_printf ("#%" G_GUINT64_FORMAT " %s · freed", buffer->id, kind_name (buffer->kind));
}

char *
_rs_graph_legend_label (const RsPalette *p)
{
  return g_strdup_printf (
    "<table border=\"1\" cellborder=\"0\" cellspacing=\"2\" cellpadding=\"2\" color=\"%s\">"
    "<tr><td colspan=\"4\" align=\"left\"><b>Legend</b></td></tr>"
    "<tr><td bgcolor=\"%s\">packet</td><td bgcolor=\"%s\">picture</td>"
    "<td bgcolor=\"%s\">audio</td><td bgcolor=\"%s\">side data</td></tr>"
    "<tr><td colspan=\"4\" align=\"left\">rows: AVBufferRef fields → the AVBuffer</td></tr>"
    "<tr><td colspan=\"4\" align=\"left\"><b>N</b> refcount = app (handles) + libav (inside) · ✎ writable</td></tr>"
    "<tr><td colspan=\"4\" align=\"left\">queues: slots in ring order · <b>head</b> read next · <b>tail</b> written next</td></tr>"
    "<tr><td colspan=\"4\" align=\"left\"><font color=\"%s\">2→3 ▲</font>  <font color=\"%s\">3→2 ▼</font>  changed this step</td></tr>"
    "<tr><td colspan=\"4\" align=\"left\"><font color=\"%s\">new</font> · <font color=\"%s\">freed (dashed, one step)</font>"
    " · <font color=\"%s\">leaked</font></td></tr>"
    "<tr><td colspan=\"4\" align=\"left\"><font color=\"%s\">- - ×N</font> refs held inside libav</td></tr>"
    "</table>",
    p->cluster, p->fill[RS_BUFFER_KIND_PACKET], p->fill[RS_BUFFER_KIND_PICTURE],
    p->fill[RS_BUFFER_KIND_AUDIO], p->fill[RS_BUFFER_KIND_SIDE_DATA],
    p->good, p->bad, p->good, p->bad, p->bad, p->holder);
}

char *
_rs_graph_title_label (const RsPalette *p,
                       RsSnapshot      *snapshot)
{
  const char *args = rs_snapshot_get_args (snapshot);
  const char *raw_call = rs_snapshot_get_call (snapshot);
  /* "avcodec_receive_frame(video decoder, video.frame)": which decoder, and
   * where the frame goes. */
  g_autofree char *full_call = args != NULL && args[0] != '\0' && strchr (raw_call, '(') == NULL
                               ? g_strdup_printf ("%s(%s)", raw_call, args) : g_strdup (raw_call);
  g_autofree char *call = g_markup_escape_text (full_call, -1);
  g_autofree char *live = _rs_graph_format_size (rs_snapshot_get_live_bytes (snapshot));
  int ret = rs_snapshot_get_ret (snapshot);
  const char *name = rs_ret_name (ret);
  guint n_buffers = rs_snapshot_get_n_buffers (snapshot);
  GString *s = g_string_new (NULL);

  /* Counted from 1, as the window shows steps and exported files are
   * numbered (DESIGN §6); only the trace counts from 0. */
  g_string_append_printf (s, "<font point-size=\"12\"><b>step %u</b> · %s = ", RS_STEP_NUMBER (rs_snapshot_get_step (snapshot)), call);
  if (name != NULL)
    g_string_append_printf (s, "%s", name);
  else
    g_string_append_printf (s, "%d", ret);
  if (rs_snapshot_is_exact (snapshot))
    g_string_append (s, " · exact</font>");
  else
    g_string_append_printf (s, " · <font color=\"%s\"><b>≈ approximate counts</b></font></font>", p->warn);
  /* A second line, so the title stays narrower than the graph. */
  g_string_append_printf (s, "<br align=\"left\"/><font point-size=\"4\"> </font><br align=\"left\"/>"
                             "<font color=\"%s\">%u buffer%s live · %s</font><br align=\"left\"/>",
                          p->faint, n_buffers, n_buffers == 1 ? "" : "s", live);
  return g_string_free (s, FALSE);
}
