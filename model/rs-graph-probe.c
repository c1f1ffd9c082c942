/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-graph-probe.c: the widest node each kind of row (RsRowKind) of each
 * station of a decode session's lanes can have, so rs-graph-place.c can
 * give every column its width at the first layout and never widen it (a
 * column that widens moves what is right of it; one too narrow lets a
 * wider node drawn later cover the next station). The labels are made by
 * the labels' own code (rs-graph-label.c) from the widest values its
 * grammar takes in a session — a 4-digit buffer number, "999.9 kB", 6-digit
 * timestamps, 65,535 audio samples (FLAC's and PCM's largest frames), the
 * longest stream name and tag — and sized with the text metrics the layout
 * uses, in a scratch graph.
 * Wider values (buffer #10000 on, "subtitle10" on, 999,950 to
 * 999,999 bytes: "1000.0 kB") and the folded runs of a full queue's packets
 * ("#35–71 4 buffers", 18 pt wider than a packet) may still stick out of a
 * column, into the gap before the next station: reserving them would cost
 * every layout more width than the window's fit allows (the sample's graph
 * must fit a 1280-pixel window at 78%).
 */
#define G_LOG_DOMAIN "rs-graph"

#include "rs-graph-build-private.h"

#include <graphviz/gvc.h>

#define WIDEST_ID    9999
/* "999.9 kB": wider than any size g_format_size() writes under 999.95 MB
 * ("100.0 MB") but 999,950 to 999,999 bytes ("1000.0 kB", 5 pt wider). */
#define WIDEST_SIZE  999949
#define WIDEST_SIDE_DATA 99949   /* "99.9 kB" */
#define WIDEST_TS    999999
/* AVSubtitle.pts is in microseconds: 16 minutes, as 6 digits of a
 * millisecond time base are. */
#define WIDEST_SUB_TS 999999999
#define WIDEST_COUNT 99
/* FLAC's largest block, and PCM packets cut as large (a 16-bit length). */
#define WIDEST_SAMPLES 65535
/* %g of a rate in kHz: 11025 Hz is "11.025", the widest of the usual ones. */
#define WIDEST_RATE  11025
/* The longest stream name a decode session gives (data/session: "video",
 * "audio", "subtitle", and the first of each type only; others add their
 * stream index: "subtitle3", "audio12"). "subtitle9" is as wide as
 * "audio99" and "video99"; a second subtitle stream at index 10 or more
 * ("subtitle12") is 6 pt wider, which its packet row's room takes. */
#define WIDEST_STREAM "subtitle9"

static void
add_row (GPtrArray  *rows,
         const char *port,
         const char *text)
{
  RsGraphRow *row = g_new0 (RsGraphRow, 1);

  row->port = port;
  row->text = g_strdup (text);
  g_ptr_array_add (rows, row);
}

/* A handle with the given refs' rows, its detail line from its own fields,
 * tagged "changed" (the longest tag). */
static char *
handle_label (const RsPalette *p,
              const RsHandle  *handle,
              const char      *name,
              GPtrArray       *rows)
{
  g_autofree char *detail = _rs_graph_handle_detail (handle);
  RsHandleFragment fragment = { (char *) name, detail, NULL };

  return _rs_graph_handle_label (p, handle, &fragment, rows, rows->len, RS_DIFF_CHANGED, FALSE,
                                 handle->group != NULL ? "head tail" : NULL);
}

/* A run of full queue slots drawn as one node: two-digit slots, as a
 * queue of up to a hundred has. */
static char *
run_label (const RsPalette *p,
           const RsHandle  *slot)
{
  RsHandle first = *slot, last = *slot;

  first.slot = 10;
  last.slot = 97;
  return _rs_graph_run_label (p, &first, &last, 88, WIDEST_ID - 1, WIDEST_ID, 88, WIDEST_SIZE);
}

static void
add_heads (const RsPalette *p,
           RsStation        station,
           GPtrArray       *labels[RS_N_ROW_KINDS])
{
  g_autoptr(GPtrArray) packet_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) _rs_graph_row_free);
  g_autoptr(GPtrArray) picture_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) _rs_graph_row_free);
  g_autoptr(GPtrArray) audio_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) _rs_graph_row_free);
  g_autoptr(GPtrArray) no_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) _rs_graph_row_free);
  g_autofree char *buf = g_strdup_printf ("buf → #%d", WIDEST_ID);
  g_autofree char *plane = g_strdup_printf ("buf[1] → #%d · UV", WIDEST_ID);
  g_autofree char *side = g_strdup_printf ("side_data[0] → #%d", WIDEST_ID);
  g_autofree char *channel = g_strdup_printf ("buf[7] → #%d · ch 7", WIDEST_ID);
  RsHandle packet = {
    .kind = RS_HANDLE_PACKET, .pts = WIDEST_TS, .dts = WIDEST_TS - 1, .size = WIDEST_SIZE, .key = TRUE,
    .slot = 7, .n_refs = 1,
  };
  RsHandle picture = {
    .kind = RS_HANDLE_FRAME, .pts = WIDEST_TS, .width = 1920, .height = 1080, .format = "yuv420p10le",
    .pict_type = 'B', .slot = 2, .n_refs = 2,
  };
  /* A decoded subtitle: no buffers; its detail line is its fields. */
  RsHandle subtitle = {
    .kind = RS_HANDLE_SUBTITLE, .pts = WIDEST_SUB_TS, .format = "bitmap", .n_rects = 9,
    .start_display = 0, .end_display = 99999, .slot = -1,
  };
  RsHandle audio = {
    .kind = RS_HANDLE_FRAME, .pts = WIDEST_TS, .nb_samples = WIDEST_SAMPLES, .sample_rate = WIDEST_RATE,
    .format = "fltp", .slot = 2, .n_refs = 1,
  };

  add_row (packet_rows, "buf", buf);
  add_row (picture_rows, "buf[1]", plane);
  add_row (picture_rows, "side_data[0]", side);
  add_row (audio_rows, "buf[7]", channel);

  switch (station)
    {
    case RS_STATION_PACKETS:
      /* A queue's slot: one line; a run of full slots drawn as one. */
      packet.group = WIDEST_STREAM ".pktq";
      g_ptr_array_add (labels[RS_ROW_PACKET], handle_label (p, &packet, "[7]", packet_rows));
      g_ptr_array_add (labels[RS_ROW_PACKET], run_label (p, &packet));
      break;
    case RS_STATION_DECODER:
      /* The decoder's input and output handles, and the decoder. */
      g_ptr_array_add (labels[RS_ROW_PACKET], handle_label (p, &packet, WIDEST_STREAM ".decoder_input", packet_rows));
      g_ptr_array_add (labels[RS_ROW_OTHER], handle_label (p, &picture, WIDEST_STREAM ".frame", picture_rows));
      g_ptr_array_add (labels[RS_ROW_OTHER], handle_label (p, &audio, WIDEST_STREAM ".frame", audio_rows));
      g_ptr_array_add (labels[RS_ROW_OTHER], handle_label (p, &subtitle, WIDEST_STREAM ".sub", no_rows));
      g_ptr_array_add (labels[RS_ROW_OTHER], _rs_graph_holder_label (p, WIDEST_STREAM " decoder", 999));
      break;
    case RS_STATION_FRAMES:
      picture.group = audio.group = WIDEST_STREAM ".frameq";
      picture.shown = audio.shown = TRUE;
      g_ptr_array_add (labels[RS_ROW_OTHER], handle_label (p, &picture, "[2]", picture_rows));
      g_ptr_array_add (labels[RS_ROW_OTHER], handle_label (p, &audio, "[2]", audio_rows));
      g_ptr_array_add (labels[RS_ROW_OTHER], run_label (p, &picture));
      break;
    case RS_STATION_OTHER:
    case RS_N_STATIONS:
    default:
      break;
    }
}

/* A buffer; with `count` < 10, one whose count just changed ("8→9 ▲"). */
static char *
buffer_label (const RsPalette *p,
              RsBufferKind     kind,
              const char      *title,
              const char      *size,
              const char      *split,
              int              count,
              gboolean         many)
{
  g_autofree char *change = count < 10 ? g_strdup_printf ("<font point-size=\"8\">%d→</font>", count - 1) : NULL;

  return _rs_graph_buffer_table (p, &(RsBufferCells) {
                                   .kind = kind, .many = many, .border = p->border, .title = title,
                                   .size = size, .split = split, .writable = kind == RS_BUFFER_KIND_PACKET, .change = change,
                                   .count_color = p->text, .min_count = count, .max_count = count,
                                   .change_arrow = change != NULL ? "<font point-size=\"8\"> ▲</font>" : NULL });
}

static void
add_items (const RsPalette *p,
           RsStation        station,
           GPtrArray       *labels[RS_N_ROW_KINDS])
{
  g_autofree char *size = _rs_graph_format_size (WIDEST_SIZE);
  g_autofree char *packet = g_strdup_printf ("<b>#%d</b> packet", WIDEST_ID);
  g_autofree char *plane = g_strdup_printf ("<b>#%d</b> UV", WIDEST_ID);
  g_autofree char *side = g_strdup_printf ("<b>#%d</b> side data", WIDEST_ID);
  g_autofree char *folded = g_strdup_printf ("<b>#%d–%d</b> 3 planes", WIDEST_ID - 1, WIDEST_ID);
  g_autofree char *shared = g_strdup_printf ("app 9 + libav %d", WIDEST_COUNT);
  g_autofree char *each = g_strdup_printf ("libav %d each", WIDEST_COUNT);
  /* Side data is not made by a pool the tracker wraps; an ICC profile or
   * a user-data SEI can be tens of kilobytes. Larger (from 100 kB) is up
   * to 6 pt wider, in the gap after the column. */
  g_autofree char *side_size = _rs_graph_format_size (WIDEST_SIDE_DATA);
  g_autofree char *observed = g_strdup_printf ("%s · observed", side_size);

  if (station == RS_STATION_PACKETS || station == RS_STATION_DECODER)
    g_ptr_array_add (labels[RS_ROW_PACKET], buffer_label (p, RS_BUFFER_KIND_PACKET, packet, size, "app 9", 9, FALSE));
  if (station == RS_STATION_DECODER || station == RS_STATION_FRAMES)
    {
      /* A picture's plane, shared with the decoder (its count: libav's
       * and the app's refs). */
      g_ptr_array_add (labels[RS_ROW_OTHER], buffer_label (p, RS_BUFFER_KIND_PICTURE, plane, size, shared, WIDEST_COUNT, FALSE));
      /* A frame's side data. */
      g_ptr_array_add (labels[RS_ROW_OTHER], buffer_label (p, RS_BUFFER_KIND_SIDE_DATA, side, observed,
                                             "app 9 + libav 9", 9, FALSE));
      /* A reference picture the decoder holds, its planes as one (one the
       * app holds too, "app 1 + libav 3 each", is narrower than side data). */
      g_ptr_array_add (labels[RS_ROW_OTHER], buffer_label (p, RS_BUFFER_KIND_PICTURE, folded, size, each, WIDEST_COUNT, TRUE));
    }
}

/* The width (points) of the widest of `labels` (HTML-like), sized in a
 * scratch graph declared as the graph's own are. */
static double
widest (GVC_t     *gvc,
        GPtrArray *labels)
{
  Builder b = { .pal = _rs_graph_palette (FALSE) };
  double width = 0;

  if (labels->len == 0)
    return 0;
  b.g = _rs_graph_open ("widest");
  _rs_graph_builder_declare_attributes (&b);
  for (guint i = 0; i < labels->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      Agnode_t *n = agnode (b.g, name, TRUE);

      _rs_graph_builder_set_html (&b, n, b.n_label, g_ptr_array_index (labels, i));
    }
  agattr (b.g, AGNODE, (char *) "pos", (char *) "0,0");
  if (gvLayout (gvc, b.g, "nop2") == 0)
    {
      for (Agnode_t *n = agfstnode (b.g); n != NULL; n = agnxtnode (b.g, n))
        width = MAX (width, ND_width (n) * 72.0);
      gvFreeLayout (gvc, b.g);
    }
  agclose (b.g);
  return width;
}

void
_rs_graph_widest_nodes (struct GVC_s *gvc,
                        double        head_w[RS_N_STATIONS][RS_N_ROW_KINDS],
                        double        items_w[RS_N_STATIONS][RS_N_ROW_KINDS])
{
  const RsPalette *p = _rs_graph_palette (FALSE);

  for (guint s = 0; s < RS_N_STATIONS; s++)
    {
      GPtrArray *heads[RS_N_ROW_KINDS], *items[RS_N_ROW_KINDS];

      for (guint k = 0; k < RS_N_ROW_KINDS; k++)
        {
          heads[k] = g_ptr_array_new_with_free_func (g_free);
          items[k] = g_ptr_array_new_with_free_func (g_free);
        }
      add_heads (p, s, heads);
      add_items (p, s, items);
      for (guint k = 0; k < RS_N_ROW_KINDS; k++)
        {
          head_w[s][k] = widest (gvc, heads[k]);
          items_w[s][k] = widest (gvc, items[k]);
          g_ptr_array_unref (heads[k]);
          g_ptr_array_unref (items[k]);
        }
    }
}
