/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-holders.c: which parts of libav (a decoder, a filter graph,
 * an encoder, the muxer...) hold the references libav keeps to each
 * buffer, from the change of libav's count at every step and the call of
 * the step.
 */
#include "rs-preload-state-private.h"

#include <string.h>

#define G_N_ELEMENTS_RS(a) (sizeof (a) / sizeof ((a)[0]))

/* Holders: which parts of libav hold a buffer's libav references now.
 *
 * The recorder never sees a reference libav takes or drops; it sees the
 * count of libav's references to each buffer at the end of every step (its
 * hidden references less the program's raw ones), and the call of the
 * step. A change of that count is sorted to parts. The parts that may have
 * changed it are the part the call runs in (call->holder: the codec of
 * avcodec_receive_*, avcodec_flush_buffers, avcodec_free_context...; else
 * call->given_to) and, in a step that is not exact, the codecs running
 * frame threads (rs_state.async_parts: avcodec_open2 left
 * `active_thread_type & FF_THREAD_FRAME`; their threads run between
 * steps), or any part once several program threads make calls.
 *
 * - A part takes a reference only to a buffer it holds, is given or made.
 *   A rise belongs to the part the call gives the buffer to (call->given_to:
 *   a decoder for avcodec_send_packet, an encoder for avcodec_send_frame, a
 *   filter graph, a bitstream filter, the muxer), else, for a buffer born in
 *   this step, to the part it was born in (a decoder's get_buffer2 names its
 *   decoder), else to the part the call runs in in an exact step, or when
 *   that part holds some already, else to the only frame-threaded part
 *   holding some (no other can take one), else to a part holding some, else
 *   to the part it was born in, else to a part not named ("libav"). In a
 *   step that is not exact, another thread's step may have seen the rise
 *   first: a rise while another thread's call gives the buffer to a part is
 *   that part's, and references no part was named for become the part's
 *   the buffer is then given to.
 * - A fall in an exact step whose call runs in a part holding references is
 *   that part letting go (one thread, no frame threads: only the part the
 *   program called ran). A fall no such part explains is the only holding
 *   part's, when one part holds. In a step that is not exact only because
 *   of frame threads, the parts that may have let go are the call's part
 *   when it holds some (else every holding part) and the frame-threaded
 *   parts holding some: when that is one part, the fall is its. Otherwise
 *   the recorder cannot tell which of the parts let go: it then keeps them
 *   all, so the holder names every part that may still hold it, never
 *   fewer than do, and marks with "?" those that may hold none.
 *   No part holds more than libav's count, and none at all once the count
 *   is 0.
 *
 * Beside what each part may hold (refs), the recorder keeps what it surely
 * holds (sure): a rise only one part can have taken adds to it; a fall
 * placed on a part, or not placed but one the part may have made, takes
 * from it. A part is marked "?" when it may hold none: when the others may
 * hold all of libav's count, and it surely holds none (a part that took a
 * reference after a fall the recorder could not place did not make that
 * fall, a part that cannot have let go keeps what it had).
 *
 * The holder string is the holding parts' names, in the order they first
 * took a reference, joined with ", ". */

void
_rs_buf_given (Buf *buf)
{
  buf->given = true;
  buf->giving_to = NULL;
}

void
_rs_buf_giving (Buf        *buf,
                const char *part)
{
  buf->giving_to = part;
}

int
_rs_buf_libav_refs (const Buf *buf)
{
  int hidden = buf->refcount - buf->visible - buf->lost;
  int program = buf->program_refs < hidden ? buf->program_refs : hidden;

  return hidden - program > 0 ? hidden - program : 0;
}

static bool
same_part (const char *a,
           const char *b)
{
  return a == b || (a != NULL && b != NULL && strcmp (a, b) == 0);
}

void
_rs_async_part_open (const char *part)
{
  if (rs_state.n_frame_threaded < RS_MAX_ASYNC_PARTS)
    rs_state.async_parts[rs_state.n_frame_threaded] = part;
  else
    rs_state.async_unnamed = true;
  rs_state.n_frame_threaded++;
}

void
_rs_async_part_close (const char *part)
{
  int n = rs_state.n_frame_threaded < RS_MAX_ASYNC_PARTS ? rs_state.n_frame_threaded : RS_MAX_ASYNC_PARTS;

  /* Names past the first RS_MAX_ASYNC_PARTS were not kept: until all are
   * closed, any part may change counts (CHANGERS_ANY). */
  for (int i = 0; i < n; i++)
    if (same_part (rs_state.async_parts[i], part))
      {
        rs_state.async_parts[i] = rs_state.async_parts[n - 1];
        rs_state.async_parts[n - 1] = NULL;
        break;
      }
  if (--rs_state.n_frame_threaded == 0)
    rs_state.async_unnamed = false;
}

/* Which parts other than the call's may change counts in this step. */
typedef enum {
  CHANGERS_CALL,   /* exact: none */
  CHANGERS_ASYNC,  /* the frame-threaded codecs of rs_state.async_parts */
  CHANGERS_ANY,    /* another program thread's call, or too many codecs to name */
} Changers;

static bool
is_async (const char *part,
          Changers    changers)
{
  if (changers == CHANGERS_ANY)
    return true;
  if (changers == CHANGERS_CALL || part == NULL)
    return false;
  for (int i = 0; i < rs_state.n_frame_threaded && i < RS_MAX_ASYNC_PARTS; i++)
    if (same_part (rs_state.async_parts[i], part))
      return true;
  return false;
}

/* Slots in use: a prefix of buf->parts. A named part keeps its slot at 0
 * references, so that names keep their order (one set of parts, one holder
 * string) until the slot is needed; the part not named has one only while
 * it holds references. */
static size_t
slots_used (const Buf *buf)
{
  size_t n = 0;

  while (n < G_N_ELEMENTS_RS (buf->parts) && (buf->parts[n].part != NULL || buf->parts[n].refs > 0))
    n++;
  return n;
}

/* Frees the slots of parts holding nothing: the part not named's, and with
 * `named` every one. */
static void
slots_compact (Buf  *buf,
               bool  named)
{
  size_t n = 0;

  for (size_t i = 0; i < G_N_ELEMENTS_RS (buf->parts); i++)
    if (buf->parts[i].refs > 0 || (!named && buf->parts[i].part != NULL))
      buf->parts[n++] = buf->parts[i];
  for (size_t i = n; i < G_N_ELEMENTS_RS (buf->parts); i++)
    buf->parts[i] = (PartRefs) { NULL, 0, 0 };
}

/* The slot of `part`, or -1. */
static int
part_index (const Buf  *buf,
            const char *part)
{
  size_t n = slots_used (buf);

  for (size_t i = 0; i < n; i++)
    if (same_part (buf->parts[i].part, part))
      return (int) i;
  return -1;
}

static bool
part_holds (const Buf  *buf,
            const char *part)
{
  int i = part_index (buf, part);

  return i >= 0 && buf->parts[i].refs > 0;
}

/* The slot of the only part holding references, or -1 when none or
 * several do. */
static int
only_holder (const Buf *buf)
{
  size_t n = slots_used (buf);
  int found = -1;

  for (size_t i = 0; i < n; i++)
    if (buf->parts[i].refs > 0)
      {
        if (found >= 0)
          return -1;
        found = (int) i;
      }
  return found;
}

/* The holding parts that may change counts besides the call (not
 * `except`): how many; the slot of the last in *slot. */
static int
async_holders (const Buf  *buf,
               Changers    changers,
               const char *except,
               int        *slot)
{
  size_t n = slots_used (buf);
  int count = 0;

  for (size_t i = 0; i < n; i++)
    if (buf->parts[i].refs > 0 && is_async (buf->parts[i].part, changers) &&
        (except == NULL || !same_part (buf->parts[i].part, except)))
      {
        count++;
        *slot = (int) i;
      }
  return count;
}

static void
part_take (Buf        *buf,
           const char *part,
           int         refs,
           bool        sure)
{
  size_t max = G_N_ELEMENTS_RS (buf->parts);
  int i = part_index (buf, part);

  if (i < 0 && slots_used (buf) == max)
    slots_compact (buf, true);
  if (i < 0 && slots_used (buf) == max && (i = part_index (buf, NULL)) < 0)
    {
      /* No room for one more name: the last one and the new part become the
       * part not named (which surely holds what either surely did). */
      i = (int) max - 1;
      buf->parts[i].part = NULL;
    }
  else if (i < 0)
    {
      i = (int) slots_used (buf);
      buf->parts[i] = (PartRefs) { part, 0, 0 };
    }
  buf->parts[i].refs += refs;
  if (sure)
    buf->parts[i].sure += refs;
}

/* Takes up to `refs` from slot `i`, a part that let go of them; returns
 * how many it took. */
static int
part_let_go (Buf *buf,
             int  i,
             int  refs)
{
  int taken = buf->parts[i].refs < refs ? buf->parts[i].refs : refs;

  buf->parts[i].refs -= taken;
  buf->parts[i].sure = buf->parts[i].sure > refs ? buf->parts[i].sure - refs : 0;
  if (buf->parts[i].sure > buf->parts[i].refs)
    buf->parts[i].sure = buf->parts[i].refs;
  return taken;
}

/* `refs` fell and the part of slot `i` may have let go of all of them. */
static void
part_may_let_go (Buf *buf,
                 int  i,
                 int  refs)
{
  buf->parts[i].sure = buf->parts[i].sure > refs ? buf->parts[i].sure - refs : 0;
}

/* The holding parts' names, joined. When the parts hold more than libav's
 * count (falls the recorder could not place), a part holding no more than
 * the excess, and surely holding none, may hold none: its name ends with
 * "?". */
static const char *
parts_joined (const Buf *buf,
              int        libav)
{
  char joined[256] = "";
  size_t n = slots_used (buf);
  int excess = -libav;

  for (size_t i = 0; i < n; i++)
    excess += buf->parts[i].refs;
  for (size_t i = 0; i < n; i++)
    if (buf->parts[i].refs > 0)
      {
        if (joined[0] != '\0')
          strncat (joined, ", ", sizeof joined - strlen (joined) - 1);
        strncat (joined, buf->parts[i].part ? buf->parts[i].part : "libav",
                 sizeof joined - strlen (joined) - 1);
        if (buf->parts[i].refs <= excess && buf->parts[i].sure <= 0)
          strncat (joined, "?", sizeof joined - strlen (joined) - 1);
      }
  return joined[0] != '\0' ? rs_keep_string (joined) : NULL;
}

/* A part can take a reference only to a buffer it holds, is given, or
 * made. The part a rise goes to; *sure when no other part can have taken
 * it. */
static const char *
rise_part (const Buf  *buf,
           const char *runs_in,
           Changers    changers,
           bool       *sure)
{
  const RsCall *call = rs_state.call;
  const char *part = NULL;
  int async, i = -1;

  *sure = false;
  if (buf->given && call != NULL && call->given_to != NULL)
    part = call->given_to;
  else if (buf->giving_to != NULL)
    part = buf->giving_to;
  else if (buf->born_step == rs_state.n_steps && buf->born_part != NULL)
    part = buf->born_part;
  else if (runs_in != NULL && (changers == CHANGERS_CALL || part_holds (buf, runs_in)))
    part = runs_in;
  if (part != NULL)
    {
      /* Nothing but the call's part ran, or no other part that runs on its
       * own holds the buffer. */
      *sure = changers == CHANGERS_CALL ||
              (changers == CHANGERS_ASYNC && async_holders (buf, changers, part, &i) == 0);
      return part;
    }

  async = async_holders (buf, changers, NULL, &i);
  if (changers == CHANGERS_ASYNC && async == 1)
    {
      /* The call's part neither holds it nor was given it. */
      *sure = true;
      return buf->parts[i].part;
    }
  for (i = 0; i < (int) slots_used (buf); i++)
    if (buf->parts[i].refs > 0)
      {
        /* The names are the same whichever holder it is. */
        *sure = only_holder (buf) == i && (changers != CHANGERS_ANY);
        return buf->parts[i].part;
      }
  return buf->born_part;
}

static void
fall (Buf        *buf,
      int         refs,
      const char *runs_in,
      Changers    changers)
{
  size_t n;
  int i, only = -1;
  bool call_part = runs_in != NULL && part_holds (buf, runs_in);

  if (changers == CHANGERS_CALL && call_part)
    refs -= part_let_go (buf, part_index (buf, runs_in), refs);
  else if (changers == CHANGERS_ASYNC)
    {
      /* The call's part if it holds some (else any holding part), and the
       * frame-threaded parts holding some. */
      int others = async_holders (buf, changers, call_part ? runs_in : NULL, &only);

      only = call_part && others == 0 ? part_index (buf, runs_in) : -1;
      if (only >= 0)
        refs -= part_let_go (buf, only, refs);
      else if (call_part)
        {
          part_may_let_go (buf, part_index (buf, runs_in), refs);
          n = slots_used (buf);
          for (i = 0; i < (int) n; i++)
            if (buf->parts[i].refs > 0 && is_async (buf->parts[i].part, changers))
              part_may_let_go (buf, i, refs);
          return;
        }
    }
  if (refs > 0 && (i = only_holder (buf)) >= 0)
    refs -= part_let_go (buf, i, refs);
  if (refs <= 0)
    return;
  /* Not known which: they all stay (see above), and any may have let go. */
  n = slots_used (buf);
  for (i = 0; i < (int) n; i++)
    if (buf->parts[i].refs > 0)
      part_may_let_go (buf, i, refs);
}

/* References the call moved between the program's handles and its part
 * (see RsMoves), taken from or given to the part: they are the call's,
 * whatever else ran. Returns the change of libav's count left to sort. */
static int
moved (Buf        *buf,
       int         change,
       Changers    changers)
{
  const RsCall *call = rs_state.call;
  int visible = buf->visible - buf->visible_was;
  int i;

  if (call == NULL || call->ret < 0)
    return change;
  if (call->moves == RS_MOVES_OUT && visible > 0 && call->holder != NULL &&
      (i = part_index (buf, call->holder)) >= 0 && buf->parts[i].refs > 0)
    return change + part_let_go (buf, i, visible);
  if (call->moves == RS_MOVES_IN && visible < 0 && buf->given && call->given_to != NULL)
    {
      part_take (buf, call->given_to, -visible, changers != CHANGERS_ANY);
      return change + visible;
    }
  return change;
}

/* In a step that is not exact, the rise of a buffer this step's call gives
 * to `part` may have been counted in another thread's step, which could
 * not name a part: those references are taken to be `part`'s. True when
 * some were. */
static bool
claim_not_named (Buf        *buf,
                 const char *part)
{
  int i = part_index (buf, part);
  int refs;

  if ((i >= 0 && buf->parts[i].refs > 0) || (i = part_index (buf, NULL)) < 0)
    return false;
  refs = buf->parts[i].refs;
  buf->parts[i].refs = 0;
  buf->parts[i].sure = 0;
  slots_compact (buf, false);
  part_take (buf, part, refs, false);
  return true;
}

void
_rs_buf_attribute (bool exact)
{
  const RsCall *call = rs_state.call;
  const char *runs_in = NULL;
  Changers changers = CHANGERS_CALL;

  if (call != NULL)
    runs_in = call->holder != NULL ? call->holder : call->given_to;
  if (!exact)
    changers = !rs_threads_many () && !rs_state.async_unnamed ? CHANGERS_ASYNC : CHANGERS_ANY;

  for (Buf *b = rs_state.buf_first; b != NULL; b = b->next)
    {
      int libav = _rs_buf_libav_refs (b);
      int change = libav - b->libav_refs;
      bool touched = false;  /* parts changed though the count did not */

      if (!exact && b->given && call != NULL && call->given_to != NULL && b->libav_refs > 0)
        touched = claim_not_named (b, call->given_to);
      /* Exact steps need no moves: the call's part is all that ran. */
      if (!exact && (b->visible != b->visible_was))
        {
          int left = moved (b, change, changers);

          touched |= left != change;
          change = left;
        }
      b->visible_was = b->visible;
      if (change > 0)
        {
          bool sure;
          const char *part = rise_part (b, runs_in, changers, &sure);

          part_take (b, part, change, sure);
        }
      else if (change < 0)
        fall (b, -change, runs_in, changers);
      b->given = false;
      if (change == 0 && !touched)
        continue;
      for (size_t i = 0; i < G_N_ELEMENTS_RS (b->parts); i++)
        {
          if (b->parts[i].refs > libav)
            b->parts[i].refs = libav;
          if (b->parts[i].sure > b->parts[i].refs)
            b->parts[i].sure = b->parts[i].refs;
        }
      slots_compact (b, false);
      b->libav_refs = libav;
      b->holder = parts_joined (b, libav);
    }
}
