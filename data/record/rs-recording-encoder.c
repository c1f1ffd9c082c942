/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-recording-encoder.h"

#include <stdlib.h>
#include <string.h>

bool
rs_rec_bytes_reserve (RsRecBytes *bytes,
                      size_t      more)
{
  size_t capacity;
  uint8_t *data;

  if (bytes->failed || more > SIZE_MAX / 2 - bytes->len)
    return !(bytes->failed = true);
  if (bytes->len + more <= bytes->capacity)
    return true;
  capacity = bytes->capacity > 0 ? bytes->capacity : 256;
  while (capacity < bytes->len + more)
    capacity *= 2;
  if ((data = realloc (bytes->data, capacity)) == NULL)
    return !(bytes->failed = true);
  bytes->data = data;
  bytes->capacity = capacity;
  return true;
}

void
rs_rec_bytes_append (RsRecBytes *bytes,
                     const void *data,
                     size_t      len)
{
  if (len == 0 || !rs_rec_bytes_reserve (bytes, len))
    return;
  memcpy (bytes->data + bytes->len, data, len);
  bytes->len += len;
}

void
rs_rec_bytes_varint (RsRecBytes *bytes,
                     uint64_t    value)
{
  if (!rs_rec_bytes_reserve (bytes, 10))
    return;
  bytes->len = rs_rec_put_varint (bytes->data + bytes->len, value) - bytes->data;
}

void
rs_rec_bytes_zigzag (RsRecBytes *bytes,
                     int64_t     value)
{
  rs_rec_bytes_varint (bytes, rs_rec_zigzag (value));
}

void
rs_rec_bytes_text (RsRecBytes *bytes,
                   const char *text)
{
  size_t len = text != NULL ? strlen (text) : 0;

  rs_rec_bytes_varint (bytes, len);
  rs_rec_bytes_append (bytes, text, len);
}

void
rs_rec_bytes_chunk (RsRecBytes    *out,
                    RsRecChunkType type,
                    const uint8_t *payload,
                    size_t         len)
{
  size_t start = out->len;
  uint32_t crc;
  uint8_t le[4];

  if (!rs_rec_bytes_reserve (out, 1 + 10 + len + 4))
    return;
  out->data[out->len++] = (uint8_t) type;
  rs_rec_bytes_varint (out, len);
  rs_rec_bytes_append (out, payload, len);
  crc = rs_rec_crc32_update (0, out->data + start, out->len - start);
  le[0] = (uint8_t) crc;
  le[1] = (uint8_t) (crc >> 8);
  le[2] = (uint8_t) (crc >> 16);
  le[3] = (uint8_t) (crc >> 24);
  rs_rec_bytes_append (out, le, 4);
}

void
rs_rec_bytes_header (RsRecBytes *out,
                     uint64_t    pid,
                     const char *program,
                     uint64_t    avutil_version,
                     uint64_t    avcodec_version,
                     uint64_t    avformat_version)
{
  RsRecBytes header = { 0 };

  rs_rec_bytes_varint (&header, RS_REC_VERSION_MAJOR);
  rs_rec_bytes_varint (&header, RS_REC_VERSION_MINOR);
  rs_rec_bytes_varint (&header, pid);
  rs_rec_bytes_varint (&header, RS_REC_FULL_INTERVAL);
  rs_rec_bytes_text (&header, program);
  rs_rec_bytes_varint (&header, avutil_version);
  rs_rec_bytes_varint (&header, avcodec_version);
  rs_rec_bytes_varint (&header, avformat_version);

  rs_rec_bytes_append (out, RS_REC_MAGIC, RS_REC_MAGIC_LEN);
  if (header.failed)
    out->failed = true;
  else
    rs_rec_bytes_chunk (out, RS_REC_CHUNK_HEADER, header.data, header.len);
  free (header.data);
}
