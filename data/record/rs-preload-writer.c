/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-writer.c: encodes the recording (rs-recording-format.h,
 * FORMAT.md). Each step is assembled in memory with the strings and
 * modules it introduces and written with one write(), so a program killed
 * at any moment leaves whole steps and at most one cut chunk at the end.
 * Called under the state lock only.
 */
#include "rs-preload-state-private.h"
#include "rs-recording-encoder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/version.h>
#include <libavformat/version.h>
#include <libavutil/avutil.h>

typedef struct _String String;
struct _String {
  String   *next;   /* same hash */
  uint32_t  id;
  char      text[];
};

static struct {
  int       fd;
  bool      failed;
  RsRecBytes payload;       /* the step being encoded */
  RsRecBytes strings;       /* strings new in this step, encoded */
  uint32_t  n_strings_new;
  RsRecBytes modules;       /* MODULE chunks new in this step */
  RsRecBytes out;           /* what one write() sends */
  uint32_t  first_string_new;
  uint32_t  n_strings;      /* ids given so far */
  RsMap     by_hash;        /* hash -> String* chain */
  uint32_t *module_ids;     /* module index -> our id, 0 if not yet written */
  size_t    n_module_ids;
  uint32_t  n_modules;
  bool      full;
} writer = { .fd = -1 };

/* The encoder (rs-recording-encoder.c) drops what follows a failure to
 * grow; the writer then stops recording. */
static bool
bytes_reserve (RsRecBytes *bytes,
               size_t      more)
{
  if (rs_rec_bytes_reserve (bytes, more))
    return true;
  writer.failed = true;
  return false;
}

static void
bytes_append (RsRecBytes *bytes,
              const void *data,
              size_t      len)
{
  rs_rec_bytes_append (bytes, data, len);
  writer.failed |= bytes->failed;
}

static void
bytes_varint (RsRecBytes *bytes,
              uint64_t    value)
{
  rs_rec_bytes_varint (bytes, value);
  writer.failed |= bytes->failed;
}

static void
bytes_chunk (RsRecBytes    *out,
             RsRecChunkType type,
             const uint8_t *payload,
             size_t         len)
{
  rs_rec_bytes_chunk (out, type, payload, len);
  writer.failed |= out->failed;
}

static bool
write_all (const uint8_t *data,
           size_t         len)
{
  /* One write() for the whole step; loop only on a short write or EINTR. */
  while (len > 0)
    {
      ssize_t n = write (writer.fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      data += n;
      len -= (size_t) n;
    }
  return true;
}

static uint32_t
hash_string (const char *s)
{
  uint32_t h = 2166136261u;  /* FNV-1a */

  for (; *s; s++)
    h = (h ^ (uint8_t) *s) * 16777619u;
  return h ? h : 1;
}

uint32_t
rs_writer_string (const char *string)
{
  uint32_t h;
  String *chain, *s;
  size_t len;

  if (string == NULL)
    return 0;

  h = hash_string (string);
  chain = rs_map_lookup (&writer.by_hash, h);
  for (s = chain; s != NULL; s = s->next)
    if (strcmp (s->text, string) == 0)
      return s->id;

  len = strlen (string);
  s = malloc (sizeof *s + len + 1);
  if (s == NULL || !rs_map_insert (&writer.by_hash, h, s))
    {
      free (s);
      writer.failed = true;
      rs_stop ();
      return 0;
    }
  memcpy (s->text, string, len + 1);
  s->id = ++writer.n_strings;
  s->next = chain;

  if (writer.n_strings_new++ == 0)
    writer.first_string_new = s->id;
  bytes_varint (&writer.strings, len);
  bytes_append (&writer.strings, string, len);
  return s->id;
}

uint32_t
rs_writer_module (uint32_t module)
{
  uint8_t payload[20], *p;
  uint32_t path_id;

  if (module == 0)
    return 0;
  if (module < writer.n_module_ids && writer.module_ids[module] != 0)
    return writer.module_ids[module];
  if (module >= writer.n_module_ids)
    {
      size_t old = writer.n_module_ids;
      uint32_t *ids = rs_grow (writer.module_ids, &writer.n_module_ids, module + 1, sizeof *ids);

      if (ids == NULL)
        {
          writer.failed = true;
          return 0;
        }
      memset (ids + old, 0, (writer.n_module_ids - old) * sizeof *ids);
      writer.module_ids = ids;
    }

  path_id = rs_writer_string (rs_module_path (module));
  writer.module_ids[module] = ++writer.n_modules;
  p = rs_rec_put_varint (payload, writer.n_modules);
  p = rs_rec_put_varint (p, path_id);
  bytes_chunk (&writer.modules, RS_REC_CHUNK_MODULE, payload, p - payload);
  return writer.n_modules;
}

bool
rs_writer_open (const char *path,
                bool        only_if_unused)
{
  struct stat st;
  char exe[4096];
  ssize_t n;
  bool ok;

  /* Truncated only once ours: another process of the same run may be
   * recording to it (a parent and the child it forked before either called
   * libav); then this one is not recorded. */
  writer.fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (writer.fd < 0)
    return false;
  if (flock (writer.fd, LOCK_EX | LOCK_NB) != 0 ||
      (only_if_unused && (fstat (writer.fd, &st) != 0 || st.st_size > 0 || (errno = EEXIST, false))) ||
      ftruncate (writer.fd, 0) != 0)
    {
      int saved = errno;

      close (writer.fd);
      writer.fd = -1;
      errno = saved;
      return false;
    }

  n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';

  rs_rec_bytes_header (&writer.out, (uint64_t) getpid (), exe, avutil_version (),
                       LIBAVCODEC_VERSION_INT, LIBAVFORMAT_VERSION_INT);
  writer.failed |= writer.out.failed;

  ok = !writer.failed && write_all (writer.out.data, writer.out.len);
  writer.out.len = 0;
  if (!ok)
    {
      close (writer.fd);
      writer.fd = -1;
    }
  return ok;
}

void
rs_writer_close (void)
{
  if (writer.fd >= 0)
    close (writer.fd);
  writer.fd = -1;
}

void
rs_writer_begin_step (bool full)
{
  writer.payload.len = 0;
  writer.full = full;
}

uint8_t *
rs_writer_reserve (size_t max)
{
  if (!bytes_reserve (&writer.payload, max))
    return NULL;
  return writer.payload.data + writer.payload.len;
}

void
rs_writer_commit (uint8_t *end)
{
  if (end != NULL)
    writer.payload.len = end - writer.payload.data;
}

void
rs_writer_varint (uint64_t value)
{
  bytes_varint (&writer.payload, value);
}

void
rs_writer_zigzag (int64_t value)
{
  bytes_varint (&writer.payload, rs_rec_zigzag (value));
}

void
rs_writer_site (RsSite site)
{
  rs_writer_varint (rs_writer_module (site.module));
  rs_writer_varint (site.module ? site.offset : 0);
}

static bool
flush_step (RsRecChunkType type)
{
  bool ok;

  writer.out.len = 0;
  if (writer.n_strings_new > 0)
    {
      RsRecBytes chunk = { 0 };

      bytes_varint (&chunk, writer.first_string_new);
      bytes_varint (&chunk, writer.n_strings_new);
      bytes_append (&chunk, writer.strings.data, writer.strings.len);
      bytes_chunk (&writer.out, RS_REC_CHUNK_STRINGS, chunk.data, chunk.len);
      free (chunk.data);
    }
  if (writer.modules.len > 0)
    bytes_append (&writer.out, writer.modules.data, writer.modules.len);
  bytes_chunk (&writer.out, type, writer.payload.data, writer.payload.len);

  writer.strings.len = 0;
  writer.n_strings_new = 0;
  writer.modules.len = 0;

  ok = !writer.failed && writer.fd >= 0 && write_all (writer.out.data, writer.out.len);
  if (!ok)
    {
      writer.failed = true;
      rs_stop ();
    }
  return ok;
}

bool
rs_writer_end_step (void)
{
  return flush_step (writer.full ? RS_REC_CHUNK_FULL : RS_REC_CHUNK_STEP);
}

bool
rs_writer_end_file (uint32_t n_steps)
{
  writer.payload.len = 0;
  rs_writer_varint (n_steps);
  return flush_step (RS_REC_CHUNK_END);
}

/* ------------------------------------------------------------------ */
/* A step of the state: its call, then what changed (everything, in a full
 * step), then its events. */

typedef struct {
  void       *node;
  unsigned    mask;
  const char *holder;
} Pending;

static uint32_t
field_id (const Ref *r)
{
  static const char *const names[RS_SLOT_N] = {
    "buf", "opaque_ref", "buf[%d]", "extended_buf[%d]", "side_data[%d].buf",
    "hw_frames_ctx", "opaque_ref", "private_ref",
  };
  char name[64];

  if (r->index < 16 && rs_state.field_ids[r->slot][r->index] != 0)
    return rs_state.field_ids[r->slot][r->index];
  snprintf (name, sizeof name, names[r->slot], r->index);
  if (r->index < 16)
    return rs_state.field_ids[r->slot][r->index] = rs_writer_string (name);
  return rs_writer_string (name);
}

static bool
refs_changed (const RsHandle *h)
{
  if (h->n_refs != h->n_was_refs)
    return true;
  for (size_t i = 0; i < h->n_refs; i++)
    if (h->refs[i].buf->id != h->was_refs[i].buffer || field_id (&h->refs[i]) != h->was_refs[i].field)
      return true;
  return false;
}

static unsigned
handle_mask (const RsHandle *h,
             bool            full)
{
  bool new = full || !h->sent;
  const Fields *was = new ? &_rs_default_fields : &h->was;
  const Fields *cur = &h->cur;
  unsigned mask = new ? RS_REC_HANDLE_NEW : 0;

  if (!new && !h->dirty)
    return 0;
  if (cur->stream != was->stream) mask |= RS_REC_HANDLE_STREAM;
  if (cur->pts != was->pts) mask |= RS_REC_HANDLE_PTS;
  if (cur->dts != was->dts) mask |= RS_REC_HANDLE_DTS;
  if (cur->size != was->size) mask |= RS_REC_HANDLE_SIZE;
  if (cur->key != was->key) mask |= RS_REC_HANDLE_KEY;
  if (cur->pict_type != was->pict_type) mask |= RS_REC_HANDLE_PICT_TYPE;
  if (cur->format != was->format &&
      (cur->format == NULL || was->format == NULL || strcmp (cur->format, was->format) != 0))
    mask |= RS_REC_HANDLE_FORMAT;
  if (cur->width != was->width || cur->height != was->height) mask |= RS_REC_HANDLE_DIMENSIONS;
  if (cur->nb_samples != was->nb_samples) mask |= RS_REC_HANDLE_NB_SAMPLES;
  if (cur->sample_rate != was->sample_rate) mask |= RS_REC_HANDLE_SAMPLE_RATE;
  if (new ? h->n_refs > 0 : refs_changed (h)) mask |= RS_REC_HANDLE_REFS;
  return mask;
}

static void
write_handle (RsHandle *h,
              unsigned  mask,
              uint64_t  previous_id)
{
  const Fields *f = &h->cur;

  rs_writer_varint (h->id - previous_id);
  rs_writer_varint (mask);
  if (mask & RS_REC_HANDLE_NEW)
    {
      rs_writer_varint (h->kind | (h->allocated ? 2 : 0));
      rs_writer_varint (rs_state.n_steps - h->born_step);
      rs_writer_varint (rs_writer_string (rs_call_name (h->born_call)));
      rs_writer_site (h->born_site);
    }
  if (mask & RS_REC_HANDLE_STREAM) rs_writer_zigzag (f->stream);
  if (mask & RS_REC_HANDLE_PTS) rs_writer_varint (rs_rec_timestamp_code (f->pts));
  if (mask & RS_REC_HANDLE_DTS) rs_writer_varint (rs_rec_timestamp_code (f->dts));
  if (mask & RS_REC_HANDLE_SIZE) rs_writer_zigzag (f->size);
  if (mask & RS_REC_HANDLE_KEY) rs_writer_varint (f->key);
  if (mask & RS_REC_HANDLE_PICT_TYPE) rs_writer_varint ((uint8_t) f->pict_type);
  if (mask & RS_REC_HANDLE_FORMAT) rs_writer_varint (rs_writer_string (f->format));
  if (mask & RS_REC_HANDLE_DIMENSIONS)
    {
      rs_writer_zigzag (f->width);
      rs_writer_zigzag (f->height);
    }
  if (mask & RS_REC_HANDLE_NB_SAMPLES) rs_writer_zigzag (f->nb_samples);
  if (mask & RS_REC_HANDLE_SAMPLE_RATE) rs_writer_zigzag (f->sample_rate);
  if (mask & RS_REC_HANDLE_REFS)
    {
      uint64_t previous = 0;

      rs_writer_varint (h->n_refs);
      for (size_t i = 0; i < h->n_refs; i++)
        {
          rs_writer_varint (field_id (&h->refs[i]));
          rs_writer_zigzag ((int64_t) (h->refs[i].buf->id - previous));
          previous = h->refs[i].buf->id;
        }
    }

  /* What the reader knows now. */
  h->was = h->cur;
  h->sent = true;
  h->dirty = false;
  {
    SentRef *was = rs_grow (h->was_refs, &h->capacity_was_refs, h->n_refs, sizeof *was);

    if (was != NULL)
      {
        h->was_refs = was;
        for (size_t i = 0; i < h->n_refs; i++)
          was[i] = (SentRef) { field_id (&h->refs[i]), h->refs[i].buf->id };
        h->n_was_refs = h->n_refs;
      }
  }
}

static const char *
buf_holder (const Buf *b)
{
  int hidden = b->refcount - b->visible - b->lost;

  if (_rs_buf_libav_refs (b) <= 0)
    return hidden > 0 && b->program_refs > 0 ? "program" : NULL;
  return b->holder ? b->holder : "libav";
}

static unsigned
buf_mask (const Buf  *b,
          const char *holder,
          bool        full)
{
  bool new = full || !b->sent;
  unsigned mask = new ? RS_REC_BUFFER_NEW : 0;

  if (new)
    {
      if (b->size != 0) mask |= RS_REC_BUFFER_SIZE;
      if (b->refcount != 0) mask |= RS_REC_BUFFER_REFCOUNT;
      if (b->lost != 0) mask |= RS_REC_BUFFER_LOST;
      if (b->writable) mask |= RS_REC_BUFFER_WRITABLE;
      if (holder != NULL) mask |= RS_REC_BUFFER_HOLDER;
      if (b->program_refs != 0) mask |= RS_REC_BUFFER_PROGRAM_REFS;
      return mask;
    }
  if (b->kind != b->was.kind) mask |= RS_REC_BUFFER_KIND;
  if (b->size != b->was.size) mask |= RS_REC_BUFFER_SIZE;
  if (b->refcount != b->was.refcount) mask |= RS_REC_BUFFER_REFCOUNT;
  if (b->lost != b->was.lost || b->lost_step != b->was.lost_step) mask |= RS_REC_BUFFER_LOST;
  if (b->writable != b->was.writable) mask |= RS_REC_BUFFER_WRITABLE;
  if (holder != b->was.holder &&
      (holder == NULL || b->was.holder == NULL || strcmp (holder, b->was.holder) != 0))
    mask |= RS_REC_BUFFER_HOLDER;
  if (b->program_refs != b->was.program_refs) mask |= RS_REC_BUFFER_PROGRAM_REFS;
  return mask;
}

static void
write_buf (Buf        *b,
           const char *holder,
           unsigned    mask,
           uint64_t    previous_id)
{
  rs_writer_varint (b->id - previous_id);
  rs_writer_varint (mask);
  if (mask & RS_REC_BUFFER_NEW)
    {
      rs_writer_varint (b->kind | (b->tracked ? 8 : 0));
      rs_writer_varint (rs_writer_string (b->origin));
      rs_writer_varint (rs_state.n_steps - b->born_step);
      rs_writer_site (b->born_site);
    }
  if (mask & RS_REC_BUFFER_SIZE) rs_writer_varint (b->size);
  if (mask & RS_REC_BUFFER_REFCOUNT) rs_writer_varint (b->refcount);
  if (mask & RS_REC_BUFFER_LOST)
    {
      rs_writer_varint (b->lost);
      rs_writer_varint (b->lost > 0 ? rs_state.n_steps - b->lost_step : 0);
    }
  if (mask & RS_REC_BUFFER_WRITABLE) rs_writer_varint (b->writable);
  if (mask & RS_REC_BUFFER_HOLDER) rs_writer_varint (rs_writer_string (holder));
  if (mask & RS_REC_BUFFER_PROGRAM_REFS) rs_writer_varint (b->program_refs);
  if (mask & RS_REC_BUFFER_KIND) rs_writer_varint (b->kind);

  b->sent = true;
  b->was.kind = b->kind;
  b->was.size = b->size;
  b->was.refcount = b->refcount;
  b->was.lost = b->lost;
  b->was.lost_step = b->lost_step;
  b->was.writable = b->writable;
  b->was.holder = holder;
  b->was.program_refs = b->program_refs;
}

static int
compare_ids (const void *a,
             const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return x < y ? -1 : x > y;
}

static void
write_removed (uint64_t *ids,
               size_t    n)
{
  uint64_t previous = 0;

  if (n > 1)
    qsort (ids, n, sizeof *ids, compare_ids);
  rs_writer_varint (n);
  for (size_t i = 0; i < n; i++)
    {
      rs_writer_varint (ids[i] - previous);
      previous = ids[i];
    }
}

static Pending *
pending_reserve (size_t n)
{
  Pending *p = rs_grow (rs_state.scratch, &rs_state.capacity_scratch, n, sizeof *p);

  if (p != NULL)
    rs_state.scratch = p;
  return p;
}

void
_rs_step_write (RsCallId id,
                int      ret,
                uint64_t out)
{
  bool full = rs_state.n_steps % RS_REC_FULL_INTERVAL == 0;
  bool exact;
  int thread;
  size_t n = 0, count = 0;
  Pending *pending;
  uint64_t previous;

  if (!rs_recording ())
    return;

  thread = rs_thread_index ();
  _rs_buf_refresh ();
  exact = !rs_threads_many () && rs_state.n_frame_threaded == 0;
  _rs_buf_attribute (exact);

  rs_writer_begin_step (full);
  rs_writer_varint ((exact ? RS_REC_STEP_EXACT : 0) | (rs_state.site.module ? RS_REC_STEP_HAS_SITE : 0));
  rs_writer_varint (rs_writer_string (rs_call_name (id)));
  rs_writer_zigzag (ret);
  rs_writer_varint (thread);
  if (rs_state.site.module)
    rs_writer_site (rs_state.site);
  rs_writer_varint (out);

  /* Handles. */
  for (RsHandle *h = rs_state.first; h != NULL; h = h->next)
    count++;
  if ((pending = pending_reserve (count)) == NULL)
    return;
  for (RsHandle *h = rs_state.first; h != NULL; h = h->next)
    {
      unsigned mask = handle_mask (h, full);

      if (mask != 0)
        pending[n++] = (Pending) { h, mask, NULL };
      else
        h->dirty = false;
    }
  rs_writer_varint (n);
  previous = 0;
  for (size_t i = 0; i < n; i++)
    {
      write_handle (pending[i].node, pending[i].mask, previous);
      previous = ((RsHandle *) pending[i].node)->id;
    }
  write_removed (rs_state.removed_handles, full ? 0 : rs_state.n_removed_handles);
  rs_state.n_removed_handles = 0;

  /* Buffers. */
  count = n = 0;
  for (Buf *b = rs_state.buf_first; b != NULL; b = b->next)
    count++;
  if ((pending = pending_reserve (count)) == NULL)
    return;
  for (Buf *b = rs_state.buf_first; b != NULL; b = b->next)
    {
      const char *holder = buf_holder (b);
      unsigned mask = buf_mask (b, holder, full);

      if (mask != 0)
        pending[n++] = (Pending) { b, mask, holder };
    }
  rs_writer_varint (n);
  previous = 0;
  for (size_t i = 0; i < n; i++)
    {
      write_buf (pending[i].node, pending[i].holder, pending[i].mask, previous);
      previous = ((Buf *) pending[i].node)->id;
    }
  write_removed (rs_state.removed_bufs, full ? 0 : rs_state.n_removed_bufs);
  rs_state.n_removed_bufs = 0;

  /* Events. */
  rs_writer_varint (rs_state.n_events);
  for (size_t i = 0; i < rs_state.n_events; i++)
    {
      rs_writer_varint (rs_state.events[i].kind);
      rs_writer_varint (rs_state.events[i].buffer);
      rs_writer_varint (rs_state.events[i].handle);
      rs_writer_varint (rs_writer_string (rs_state.events[i].message));
      free (rs_state.events[i].message);
    }
  rs_state.n_events = 0;

  if (rs_writer_end_step ())
    rs_state.n_steps++;
}
