/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Stream selection on real files made by tools/make-media.sh: multi.mkv has
 * MPEG-4 video, two audio tracks (MP2, PCM) and SubRip subtitles. Every
 * selection lists every stream with what became of it; "all" decodes both
 * audio tracks and the subtitles; a stream FFmpeg cannot decode is skipped,
 * not fatal. Counts stay exact at every step.
 */
#define _GNU_SOURCE  /* memmem */
#include <glib/gstdio.h>
#include <string.h>

#include "rs-decode-session.h"
#include "rs-error.h"

/* multi.mkv and its copy: video, two audio tracks, subtitles. */
#define N_STREAMS 4

static const char *multi_path;
static char *unknown_path;

typedef struct {
  guint frames[N_STREAMS];  /* avcodec_receive_frame successes per stream index */
  guint subtitles;          /* avcodec_decode_subtitle2 that gave a subtitle */
  guint subtitle_frees;
} Run;

/* Runs the whole session, checking refcount == visible + hidden + lost and
 * no lost references at every step, and that subtitle handles hold no refs. */
static void
run_to_end (RsDecodeSession *session,
            Run             *run)
{
  g_autoptr(GError) error = NULL;
  RsSnapshot *snapshot;

  memset (run, 0, sizeof *run);
  while ((snapshot = rs_session_step (RS_SESSION (session), &error)) != NULL)
    {
      const char *call = rs_snapshot_get_call (snapshot);
      const char *out = rs_snapshot_get_out (snapshot);

      for (guint b = 0; b < rs_snapshot_get_n_buffers (snapshot); b++)
        {
          const RsBuffer *buffer = rs_snapshot_get_buffer (snapshot, b);

          g_assert_cmpint (buffer->refcount, ==, buffer->visible + buffer->hidden + buffer->lost);
          g_assert_cmpint (buffer->lost, ==, 0);
        }
      for (guint h = 0; h < rs_snapshot_get_n_handles (snapshot); h++)
        {
          const RsHandle *handle = rs_snapshot_get_handle (snapshot, h);

          if (handle->kind == RS_HANDLE_SUBTITLE)
            g_assert_cmpuint (handle->n_refs, ==, 0);
        }
      if (out != NULL && g_str_equal (call, "avcodec_receive_frame"))
        {
          const RsHandle *frame = rs_snapshot_find_handle (snapshot, out);

          g_assert_nonnull (frame);
          g_assert_cmpint (frame->stream, >=, 0);
          g_assert_cmpint (frame->stream, <, N_STREAMS);
          run->frames[frame->stream]++;
        }
      if (out != NULL && g_str_equal (call, "avcodec_decode_subtitle2"))
        {
          const RsHandle *sub = rs_snapshot_find_handle (snapshot, out);

          g_assert_nonnull (sub);
          g_assert_cmpint (sub->kind, ==, RS_HANDLE_SUBTITLE);
          g_assert_cmpint (sub->stream, ==, 3);
          g_assert_cmpstr (sub->format, ==, "text");
          g_assert_cmpint (sub->n_rects, ==, 1);
          g_assert_cmpint (sub->pts, !=, RS_NO_TIMESTAMP);
          run->subtitles++;
        }
      if (g_str_equal (call, "avsubtitle_free"))
        run->subtitle_frees++;
    }
  g_assert_no_error (error);
  g_assert_true (rs_session_is_finished (RS_SESSION (session)));
  snapshot = rs_history_get_last (rs_session_get_history (RS_SESSION (session)));
  g_assert_cmpuint (rs_snapshot_get_n_buffers (snapshot), ==, 0);
}

static RsDecodeSession *
open_with (const char        *path,
           RsStreamSelection  selection,
           GError           **error)
{
  RsDecodeSettings settings;

  rs_decode_settings_init (&settings);
  settings.streams = selection;
  return rs_decode_session_new (path, &settings, error);
}

/* Opens `path`, which must open with `selection`, and returns the session
 * (owned by the caller); `streams` gets its N_STREAMS streams (owned by the
 * session). */
static RsDecodeSession *
open_streams (const char          *path,
              RsStreamSelection    selection,
              const RsStreamInfo **streams)
{
  g_autoptr(GError) error = NULL;
  RsDecodeSession *session = open_with (path, selection, &error);
  guint n;

  g_assert_no_error (error);
  *streams = rs_decode_session_get_streams (session, &n);
  g_assert_nonnull (*streams);
  g_assert_cmpuint (n, ==, N_STREAMS);
  return session;
}

static void
test_best_lists_every_stream (void)
{
  const RsStreamInfo *streams;
  g_autoptr(RsDecodeSession) session = open_streams (multi_path, RS_STREAMS_BEST, &streams);
  Run run;

  g_assert_cmpstr (streams[0].type, ==, "video");
  g_assert_cmpstr (streams[0].codec, ==, "mpeg4");
  g_assert_cmpint (streams[0].status, ==, RS_STREAM_DECODED);
  g_assert_cmpstr (streams[0].name, ==, "video");
  g_assert_cmpstr (streams[1].type, ==, "audio");
  g_assert_cmpstr (streams[1].codec, ==, "mp2");
  g_assert_cmpint (streams[1].status, ==, RS_STREAM_DECODED);
  g_assert_cmpstr (streams[2].codec, ==, "pcm_s16le");
  g_assert_cmpint (streams[2].status, ==, RS_STREAM_NOT_SELECTED);
  g_assert_null (streams[2].name);
  g_assert_cmpstr (streams[3].type, ==, "subtitle");
  g_assert_cmpstr (streams[3].codec, ==, "subrip");
  g_assert_cmpint (streams[3].status, ==, RS_STREAM_NOT_SELECTED);

  run_to_end (session, &run);
  g_assert_cmpuint (run.frames[0], >, 0);
  g_assert_cmpuint (run.frames[1], >, 0);
  g_assert_cmpuint (run.frames[2], ==, 0);
  g_assert_cmpuint (run.subtitles, ==, 0);
}

static void
test_all_decodes_both_audio_tracks_and_subtitles (void)
{
  const RsStreamInfo *streams;
  g_autoptr(RsDecodeSession) session = open_streams (multi_path, RS_STREAMS_ALL, &streams);
  Run run;

  for (guint i = 0; i < N_STREAMS; i++)
    g_assert_cmpint (streams[i].status, ==, RS_STREAM_DECODED);
  /* The second audio track's handles are named apart from the first's. */
  g_assert_cmpstr (streams[1].name, ==, "audio");
  g_assert_cmpstr (streams[2].name, ==, "audio2");
  g_assert_cmpstr (streams[3].name, ==, "subtitle");

  run_to_end (session, &run);
  g_assert_cmpuint (run.frames[0], ==, 10);   /* 1 s at 10 fps */
  g_assert_cmpuint (run.frames[1], >, 0);
  g_assert_cmpuint (run.frames[2], >, 0);
  g_assert_cmpuint (run.subtitles, ==, 2);    /* the two cues of the file */
  g_assert_cmpuint (run.subtitle_frees, ==, run.subtitles);
}

static void
test_undecodable_stream_is_skipped (void)
{
  g_autoptr(GError) error = NULL;
  const RsStreamInfo *streams;
  /* The default selection opens with the audio it can decode. */
  g_autoptr(RsDecodeSession) best = open_streams (unknown_path, RS_STREAMS_BEST, &streams);
  g_autoptr(RsDecodeSession) all = NULL;
  g_autoptr(RsDecodeSession) video = NULL;
  Run run;

  g_assert_cmpstr (streams[0].type, ==, "video");
  g_assert_cmpstr (streams[0].codec, ==, "unknown");
  g_assert_cmpint (streams[0].status, ==, RS_STREAM_NO_DECODER);
  g_assert_true (rs_stream_status_is_skipped (streams[0].status));
  g_assert_cmpint (streams[1].status, ==, RS_STREAM_DECODED);
  run_to_end (best, &run);
  g_assert_cmpuint (run.frames[0], ==, 0);
  g_assert_cmpuint (run.frames[1], >, 0);

  all = open_streams (unknown_path, RS_STREAMS_ALL, &streams);
  g_assert_cmpint (streams[0].status, ==, RS_STREAM_NO_DECODER);
  for (guint i = 1; i < N_STREAMS; i++)
    g_assert_cmpint (streams[i].status, ==, RS_STREAM_DECODED);
  run_to_end (all, &run);
  g_assert_cmpuint (run.frames[1], >, 0);
  g_assert_cmpuint (run.frames[2], >, 0);
  g_assert_cmpuint (run.subtitles, ==, 2);

  /* Asked for video only, nothing is left: the error names the stream. */
  video = open_with (unknown_path, RS_STREAMS_VIDEO, &error);
  g_assert_null (video);
  g_assert_error (error, RS_ERROR, RS_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, unknown_path));
  g_assert_nonnull (strstr (error->message, "no decoder for the video codec 'unknown' (stream 0)"));
}

static void
test_selection_names (void)
{
  RsStreamSelection selection;

  for (RsStreamSelection s = RS_STREAMS_BEST; s <= RS_STREAMS_ALL; s++)
    {
      g_assert_true (rs_stream_selection_from_string (rs_stream_selection_to_string (s), &selection));
      g_assert_cmpint (selection, ==, s);
    }
  g_assert_false (rs_stream_selection_from_string ("some", &selection));
}

/* A copy of multi.mkv whose video codec id names no codec FFmpeg knows. */
static char *
make_unknown (const char  *tmp,
              GError     **error)
{
  g_autofree char *data = NULL;
  gsize length;
  char *id;
  char *path;

  if (!g_file_get_contents (multi_path, &data, &length, error))
    return NULL;
  id = memmem (data, length, "V_MPEG4/ISO/ASP", 15);
  g_assert_nonnull (id);
  memcpy (id, "V_QQQQQ", 7);
  path = g_build_filename (tmp, "unknown-video.mkv", NULL);
  if (!g_file_set_contents (path, data, length, error))
    g_clear_pointer (&path, g_free);
  return path;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-streams MULTI.MKV");
  multi_path = argv[1];
  tmp = g_dir_make_tmp ("refscope-streams-XXXXXX", &error);
  g_assert_no_error (error);
  unknown_path = make_unknown (tmp, &error);
  g_assert_no_error (error);

  g_test_add_func ("/streams/selection-names", test_selection_names);
  g_test_add_func ("/streams/best-lists-every-stream", test_best_lists_every_stream);
  g_test_add_func ("/streams/all-decodes-both-audio-tracks-and-subtitles", test_all_decodes_both_audio_tracks_and_subtitles);
  g_test_add_func ("/streams/undecodable-stream-is-skipped", test_undecodable_stream_is_skipped);
  ret = g_test_run ();

  g_unlink (unknown_path);
  g_rmdir (tmp);
  g_free (unknown_path);
  return ret;
}
