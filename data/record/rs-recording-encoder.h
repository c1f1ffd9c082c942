/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-recording-encoder.h: the bytes of a recording (FORMAT.md), built in
 * memory: varints, chunks with their CRC, the magic and the header. Plain
 * C and libc only, so one copy serves the writer inside a recorded program
 * (the preload library: no GLib there) and the one that saves a session
 * (rs-recording-writer.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rs-recording-format.h"

/* A growing byte string. `failed` stays set once memory ran out: what
 * follows is dropped, and the bytes must not be written. Start from
 * all zeros; free `data`. */
typedef struct {
  uint8_t *data;
  size_t   len;
  size_t   capacity;
  bool     failed;
} RsRecBytes;

/* Room for `more` bytes at the end; false (and `failed`) when there is none. */
bool rs_rec_bytes_reserve (RsRecBytes    *bytes,
                           size_t         more);
void rs_rec_bytes_append  (RsRecBytes    *bytes,
                           const void    *data,
                           size_t         len);
void rs_rec_bytes_varint  (RsRecBytes    *bytes,
                           uint64_t       value);
void rs_rec_bytes_zigzag  (RsRecBytes    *bytes,
                           int64_t        value);
/* A string as a varint length and its bytes (NULL: length 0). */
void rs_rec_bytes_text    (RsRecBytes    *bytes,
                           const char    *text);
/* Appends a whole chunk (type, length, payload, crc) to `out`. */
void rs_rec_bytes_chunk   (RsRecBytes    *out,
                           RsRecChunkType type,
                           const uint8_t *payload,
                           size_t         len);
/* Appends the magic and the HEADER chunk, version RS_REC_VERSION_*. */
void rs_rec_bytes_header  (RsRecBytes    *out,
                           uint64_t       pid,
                           const char    *program,
                           uint64_t       avutil_version,
                           uint64_t       avcodec_version,
                           uint64_t       avformat_version);
