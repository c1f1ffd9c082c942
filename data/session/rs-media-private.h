/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-media-private.h: opening a local media file, refusing everything else.
 */
#pragma once

#include <gio/gio.h>
#include <libavformat/avformat.h>

G_BEGIN_DECLS

/* Opens `path` for demuxing with protocol_whitelist "file" and reads its
 * stream info. Returns a new context owned by the caller (close it with
 * avformat_close_input), or NULL with an RS_ERROR that names the file and
 * the reason: missing, a directory, empty, unreadable, a URL or a playlist
 * pointing at the network (refused before anything connects), not media. */
AVFormatContext *rs_media_open (const char  *path,
                                GError     **error);

G_END_DECLS
