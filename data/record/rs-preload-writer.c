/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-writer.c: encodes the recording (rs-recording-format.h,
 * FORMAT.md). Each step is assembled in memory with the strings and
 * modules it introduces and written with one write(), so a program killed
 * at any moment leaves whole steps and at most one cut chunk at the end.
 * Called under the state lock only.
 */
#include "rs-preload-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/version.h>
#include <libavformat/version.h>
#include <libavutil/avutil.h>

typedef struct {
  uint8_t *data;
  size_t   len;
  size_t   capacity;
} Bytes;

typedef struct _String String;
struct _String {
  String   *next;   /* same hash */
  uint32_t  id;
  char      text[];
};

static struct {
  int       fd;
  bool      failed;
  Bytes     payload;        /* the step being encoded */
  Bytes     strings;        /* strings new in this step, encoded */
  uint32_t  n_strings_new;
  Bytes     modules;        /* MODULE chunks new in this step */
  Bytes     out;            /* what one write() sends */
  uint32_t  first_string_new;
  uint32_t  n_strings;      /* ids given so far */
  RsMap     by_hash;        /* hash -> String* chain */
  uint32_t *module_ids;     /* module index -> our id, 0 if not yet written */
  size_t    n_module_ids;
  uint32_t  n_modules;
  bool      full;
} writer = { .fd = -1 };

static bool
bytes_reserve (Bytes  *bytes,
               size_t  more)
{
  uint8_t *data = rs_grow (bytes->data, &bytes->capacity, bytes->len + more, 1);

  if (data == NULL)
    {
      writer.failed = true;
      return false;
    }
  bytes->data = data;
  return true;
}

static void
bytes_append (Bytes      *bytes,
              const void *data,
              size_t      len)
{
  if (!bytes_reserve (bytes, len))
    return;
  memcpy (bytes->data + bytes->len, data, len);
  bytes->len += len;
}

static void
bytes_varint (Bytes    *bytes,
              uint64_t  value)
{
  if (!bytes_reserve (bytes, 10))
    return;
  bytes->len = rs_rec_put_varint (bytes->data + bytes->len, value) - bytes->data;
}

/* Appends a whole chunk (type, length, payload, crc) to `out`. */
static void
bytes_chunk (Bytes         *out,
             RsRecChunkType type,
             const uint8_t *payload,
             size_t         len)
{
  size_t start = out->len;
  uint32_t crc;
  uint8_t le[4];

  if (!bytes_reserve (out, 1 + 10 + len + 4))
    return;
  out->data[out->len++] = (uint8_t) type;
  bytes_varint (out, len);
  bytes_append (out, payload, len);
  crc = rs_rec_crc32_update (0, out->data + start, out->len - start);
  le[0] = crc;
  le[1] = crc >> 8;
  le[2] = crc >> 16;
  le[3] = crc >> 24;
  bytes_append (out, le, 4);
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
rs_writer_open (const char *path)
{
  char exe[4096];
  ssize_t n;
  Bytes header = { 0 };
  bool ok;

  writer.fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (writer.fd < 0)
    return false;

  n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';

  bytes_varint (&header, RS_REC_VERSION_MAJOR);
  bytes_varint (&header, RS_REC_VERSION_MINOR);
  bytes_varint (&header, (uint64_t) getpid ());
  bytes_varint (&header, RS_REC_FULL_INTERVAL);
  bytes_varint (&header, strlen (exe));
  bytes_append (&header, exe, strlen (exe));
  bytes_varint (&header, avutil_version ());
  bytes_varint (&header, LIBAVCODEC_VERSION_INT);
  bytes_varint (&header, LIBAVFORMAT_VERSION_INT);

  bytes_append (&writer.out, RS_REC_MAGIC, RS_REC_MAGIC_LEN);
  bytes_chunk (&writer.out, RS_REC_CHUNK_HEADER, header.data, header.len);
  free (header.data);

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
      Bytes chunk = { 0 };

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
