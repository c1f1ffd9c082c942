/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-recording-format.h: the on-disk format of a recording (FORMAT.md says
 * it in words). Shared by the writer inside the recorded program (no GLib
 * there) and the reader, so plain C only: constants and small inline
 * encoders/decoders.
 *
 * A recording is the magic, then chunks:
 *
 *   chunk = type:u8  length:varint  payload[length]  crc:u32le
 *
 * where crc is CRC-32 (the zlib one) of the type byte, the length bytes and
 * the payload. The writer emits each step (with the strings and modules it
 * introduces) with one write(), so a killed program leaves a file whose
 * last chunk may be cut: readers stop at the first incomplete or damaged
 * chunk and keep every step before it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* "\x89RSREC\r\n": a high byte and CR LF catch text-mode transfers, as PNG's. */
#define RS_REC_MAGIC      "\x89RSREC\r\n"
#define RS_REC_MAGIC_LEN  8

/* A reader accepts every minor version of its major version: minor versions
 * only add chunk types (skipped when unknown) or fields at the end of a
 * payload (ignored when unknown). */
#define RS_REC_VERSION_MAJOR 1
#define RS_REC_VERSION_MINOR 1

/* A full state every this many steps, so a reader can seek. */
#define RS_REC_FULL_INTERVAL 256

/* Longest chunk payload a reader accepts (a full state of a huge program
 * stays far below); anything longer is damage. */
#define RS_REC_MAX_CHUNK (64u * 1024u * 1024u)

typedef enum {
  RS_REC_CHUNK_HEADER  = 1,  /* first chunk, once */
  RS_REC_CHUNK_STRINGS = 2,  /* adds strings to the string table */
  RS_REC_CHUNK_MODULE  = 3,  /* adds a module (an ELF object of the process) */
  RS_REC_CHUNK_STEP    = 4,  /* a step, as changes to the previous state */
  RS_REC_CHUNK_FULL    = 5,  /* a step, as the whole state */
  RS_REC_CHUNK_END     = 6,  /* the program exited normally; nothing follows */
} RsRecChunkType;

/* Handle upsert mask (a varint). NEW carries the birth; the other bits say
 * which fields follow, in this order. A new handle starts from the defaults:
 * stream -1, pts/dts unset, everything else 0/NULL/no refs. */
enum {
  RS_REC_HANDLE_NEW         = 1 << 0,  /* kind|allocated<<1, born back, born call, born site */
  RS_REC_HANDLE_STREAM      = 1 << 1,  /* zigzag */
  RS_REC_HANDLE_PTS         = 1 << 2,  /* timestamp */
  RS_REC_HANDLE_DTS         = 1 << 3,  /* timestamp */
  RS_REC_HANDLE_SIZE        = 1 << 4,  /* zigzag */
  RS_REC_HANDLE_KEY         = 1 << 5,  /* varint 0/1 */
  RS_REC_HANDLE_PICT_TYPE   = 1 << 6,  /* varint: the letter, 0 for none */
  RS_REC_HANDLE_FORMAT      = 1 << 7,  /* string id, 0 for none */
  RS_REC_HANDLE_DIMENSIONS  = 1 << 8,  /* zigzag width, zigzag height */
  RS_REC_HANDLE_NB_SAMPLES  = 1 << 9,  /* zigzag */
  RS_REC_HANDLE_SAMPLE_RATE = 1 << 10, /* zigzag */
  RS_REC_HANDLE_REFS        = 1 << 11, /* count, then per ref: field string id, zigzag buffer id delta */
};

/* Buffer upsert mask. A new buffer starts from size 0, refcount 0, lost 0,
 * program refs 0, not writable, no holder. */
enum {
  RS_REC_BUFFER_NEW          = 1 << 0,  /* kind|tracked<<3, origin string id, born back, born site */
  RS_REC_BUFFER_SIZE         = 1 << 1,  /* varint */
  RS_REC_BUFFER_REFCOUNT     = 1 << 2,  /* varint */
  RS_REC_BUFFER_LOST         = 1 << 3,  /* varint count, varint back to the step that last lost one */
  RS_REC_BUFFER_WRITABLE     = 1 << 4,  /* varint 0/1 */
  RS_REC_BUFFER_HOLDER       = 1 << 5,  /* string id, 0 for none */
  RS_REC_BUFFER_PROGRAM_REFS = 1 << 6,  /* varint */
  RS_REC_BUFFER_KIND         = 1 << 7,  /* varint: the kind, once its first slot says it */
};

/* Step flags. */
enum {
  RS_REC_STEP_EXACT    = 1 << 0,
  RS_REC_STEP_HAS_SITE = 1 << 1,
  RS_REC_STEP_MODEL    = 1 << 2,  /* 1.1: the payload ends with a saved session's model fields */
};

/* Buffer kinds: the order of RsBufferKind in model/rs-snapshot.h. */
typedef enum {
  RS_REC_BUFFER_KIND_PACKET,
  RS_REC_BUFFER_KIND_PICTURE,
  RS_REC_BUFFER_KIND_AUDIO,
  RS_REC_BUFFER_KIND_SIDE_DATA,
  RS_REC_BUFFER_KIND_OTHER,
  RS_REC_BUFFER_KIND_N,
} RsRecBufferKind;

typedef enum {
  RS_REC_EVENT_ALLOCATED,   /* a tracked buffer was created */
  RS_REC_EVENT_FREED,       /* a tracked buffer's last reference went */
  RS_REC_EVENT_OBSERVED,    /* an untracked buffer came into view */
  RS_REC_EVENT_UNOBSERVED,  /* an untracked buffer left view (may still live) */
  RS_REC_EVENT_LOST,        /* a call dropped a handle's reference without an unref */
  RS_REC_EVENT_ERROR,       /* the call failed; message says why */
  RS_REC_EVENT_WARNING,     /* the recorder's note; message says what */
  RS_REC_EVENT_N,
} RsRecEventKind;

/* Timestamps: 0 is "unset" (AV_NOPTS_VALUE), otherwise 1 + zigzag(value). */
#define RS_REC_NO_TIMESTAMP INT64_MIN

/* Encoders: each writes at most 10 bytes at `p` and returns the end. */
static inline uint8_t *
rs_rec_put_varint (uint8_t  *p,
                   uint64_t  value)
{
  while (value >= 0x80)
    {
      *p++ = (uint8_t) (value | 0x80);
      value >>= 7;
    }
  *p++ = (uint8_t) value;
  return p;
}

static inline uint64_t
rs_rec_zigzag (int64_t value)
{
  return ((uint64_t) value << 1) ^ (uint64_t) (value >> 63);
}

static inline int64_t
rs_rec_unzigzag (uint64_t value)
{
  return (int64_t) (value >> 1) ^ -(int64_t) (value & 1);
}

static inline uint64_t
rs_rec_timestamp_code (int64_t ts)
{
  return ts == RS_REC_NO_TIMESTAMP ? 0 : 1 + rs_rec_zigzag (ts);
}

static inline int64_t
rs_rec_timestamp_value (uint64_t code)
{
  return code == 0 ? RS_REC_NO_TIMESTAMP : rs_rec_unzigzag (code - 1);
}

/* Reads a varint from [*p, end); returns 0 when it is cut or longer than
 * 10 bytes (then *p is left alone), 1 on success. */
static inline int
rs_rec_get_varint (const uint8_t **p,
                   const uint8_t  *end,
                   uint64_t       *value)
{
  const uint8_t *q = *p;
  uint64_t v = 0;

  for (unsigned shift = 0; shift < 70 && q < end; shift += 7)
    {
      uint8_t byte = *q++;

      v |= (uint64_t) (byte & 0x7f) << shift;
      if (!(byte & 0x80))
        {
          *p = q;
          *value = v;
          return 1;
        }
    }
  return 0;
}

/* CRC-32 (polynomial 0xEDB88320, as zlib), four bits at a time: small
 * enough to live in a header, fast enough for a step of a few dozen bytes. */
static inline uint32_t
rs_rec_crc32_update (uint32_t       crc,
                     const uint8_t *data,
                     size_t         len)
{
  static const uint32_t table[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
    0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
    0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
  };

  crc = ~crc;
  for (size_t i = 0; i < len; i++)
    {
      crc ^= data[i];
      crc = (crc >> 4) ^ table[crc & 15];
      crc = (crc >> 4) ^ table[crc & 15];
    }
  return ~crc;
}
