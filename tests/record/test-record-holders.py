#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Holders in recordings: the parts of libav holding a buffer now; prints TAP.

usage: test-record-holders.py GROUP   with test-record.py's options

GROUP is one of:
  transcode          the transcode program (an h264 -> mpeg4 transcoder)
                     run plain and recorded, with each codec freed first:
                     the recorded checks of test-record.py, check-trace.py,
                     and each picture's holder names the decoder, the
                     encoder or both where the program makes it certain

  codec-close        the codec-close program, one decoder thread and two
                     frame threads: avcodec_close is a step of its own in
                     which the decoder lets go of everything it held, the
                     decoder is known closed after it (steps exact again),
                     and the avcodec_free_context after it frees nothing
  frame-threads      `ffmpeg -threads 2 -i sample.mp4 -f null -` recorded: its
                     h264 decoder runs frame threads, so steps are not exact;
                     a picture its filter graph hands on (moved out by
                     av_buffersink_get_frame_flags) is no longer the graph's

The runs, recordings and checks are test-record.py's (its Context, its
recorded checks); this script adds the groups on holders.
"""
import importlib.util
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location('test_record', os.path.join(HERE, 'test-record.py'))
rec = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rec)


DECODER, ENCODER = 'h264 decoder', 'mpeg4 encoder'
BOTH = f'{DECODER}, {ENCODER}'
SENT_LINE = re.compile(r'^frame pts=(-?\d+) refcount=(\d+) sent=(\d+)$', re.M)


def holder_problems(ctx, argv, first):
    """transcode's pictures: their holder names the codecs that hold them
    where the program makes it certain. A picture is born in the decoder
    and given to the encoder once, by the avcodec_send_frame of its frame,
    and the program lets go of it right after: so before that send only the
    decoder holds it; when the send raises its hidden count the encoder took
    a reference the decoder did not give up (the decoder does not run
    then); and right after the first avcodec_free_context whatever libav
    still holds is the other codec's."""
    problems, steps = rec.converted(ctx, ctx.record(argv))
    if steps is None:
        return problems
    printed = [(int(r), int(m)) for _, r, m in SENT_LINE.findall(ctx.plain(argv).stdout.decode())]
    sends = []      # (step, [buffer ids of the frame sent])
    for i, s in enumerate(steps):
        frame = next((h for h in s['handles'] if h['kind'] == 'frame'), None)
        if s['call'] == 'avcodec_send_frame' and frame and frame['refs']:
            sends.append((i, [r['buffer'] for r in frame['refs']]))
    if len(sends) != len(printed) or not sends:
        return [f'{len(sends)} avcodec_send_frame steps with a picture, the program sent {len(printed)}']

    def buffer(step, ident):
        return next((b for b in steps[step]['buffers'] if b['id'] == ident), None)

    given = {}      # buffer id -> the step that gave it to the encoder
    both = 0
    for (i, ids), (received, sent) in zip(sends, printed):
        if any(buffer(i - 1, ident) is None or buffer(i, ident) is None for ident in ids):
            problems.append(f'step {i} (avcodec_send_frame): a buffer of the frame, {ids}, is not '
                            f'listed before or after the send')
            continue
        before, after = buffer(i - 1, ids[0]), buffer(i, ids[0])
        if after['refcount'] != sent or before['refcount'] != received:
            problems.append(f'step {i}: buf[0] has refcount {before["refcount"]} before the send and '
                            f'{after["refcount"]} after; the program printed {received} and {sent}')
        for ident in ids:
            given[ident] = i
            before, after = buffer(i - 1, ident), buffer(i, ident)
            if before['hidden'] > 0 and before['holder'] != DECODER:
                problems.append(f'step {i - 1}: picture {ident}, never given to the encoder, is held '
                                f'by {before["holder"]!r}, expected {DECODER!r}')
            if before['hidden'] > 0 and after['hidden'] > before['hidden']:
                both += 1
                if after['holder'] != BOTH:
                    problems.append(f'step {i} (avcodec_send_frame): picture {ident}, kept by the decoder '
                                    f'and now by the encoder, is held by {after["holder"]!r}, '
                                    f'expected {BOTH!r}')
    if both == 0:
        problems.append('no avcodec_send_frame step gave the encoder a picture the decoder keeps')

    for i, s in enumerate(steps):
        for b in s['buffers']:
            if b.get('kind') == 'picture' and b['hidden'] > 0 and \
                    ENCODER in (b['holder'] or '') and given.get(b['id'], len(steps)) > i:
                problems.append(f'step {i}: picture {b["id"]} is held by {b["holder"]!r} before it '
                                f'was given to the encoder')

    freed = next((i for i, s in enumerate(steps) if s['call'] == 'avcodec_free_context'), None)
    if freed is None:
        return problems + ['no avcodec_free_context step']
    other = ENCODER if first == 'decoder-first' else DECODER
    held = [b for b in steps[freed]['buffers'] if b.get('kind') == 'picture' and b['hidden'] > 0]
    if not any(b['id'] in given for b in held):
        problems.append(f'step {freed} ({first}): no picture that went to the encoder is still '
                        f'held once the first codec is freed')
    problems += [f'step {freed} ({first}): picture {b["id"]} is held by {b["holder"]!r}, '
                 f'expected {other!r} alone' for b in held if b['holder'] != other]
    return problems[:20]


def group_transcode(tap, ctx):
    mp4 = ctx.sample('sample.mp4')
    video_frames = len(rec.ffprobe_frames(mp4, video_only=True))
    for first in ('encoder-first', 'decoder-first'):
        argv = ctx.command('transcode', mp4, first)
        name = f'transcode sample.mp4 {first}'

        def plain(argv=argv):
            r = ctx.plain(argv)
            end = re.search(r'^end frames=(\d+) packets=(\d+) bytes=\d+$', r.stdout.decode(), re.M)
            if r.status != 0 or not end or end.groups() != (str(video_frames),) * 2:
                return [f'expected exit 0 and "end frames={video_frames} packets={video_frames}"'] + \
                    r.describe()
            return []

        tap.check(f'{name}: plain, every video frame decoded and encoded', plain)
        rec.recorded_checks(tap, ctx, name, argv, program='transcode')
        rec.check_trace_or_skip(tap, ctx, name, lambda argv=argv: ctx.record(argv), mp4)
        tap.check(f'{name}: a picture is held by the decoder, the encoder or both as the program '
                  f'makes certain, and named so; the counts are the printed ones',
                  holder_problems, ctx, argv, first)


CLOSED_LINE = re.compile(r'^closed refcount=(\d+)$', re.M)


def close_problems(ctx, argv, threads):
    """codec-close's avcodec_close step: the decoder's buffers go in it, the
    kept picture is the program's alone (the printed count), nothing libav
    holds is left; after it every step is exact (no frame-threaded decoder
    is open) and avcodec_free_context of the closed context frees nothing."""
    problems, steps = rec.converted(ctx, ctx.record(argv))
    if steps is None:
        return problems
    closes = [i for i, s in enumerate(steps) if s['call'] == 'avcodec_close']
    frees = [i for i, s in enumerate(steps) if s['call'] == 'avcodec_free_context']
    if len(closes) != 1 or len(frees) != 1 or closes[0] > frees[0]:
        return [f'avcodec_close steps {closes}, avcodec_free_context steps {frees}: expected one '
                f'of each, the close first']
    c, f = closes[0], frees[0]
    printed = CLOSED_LINE.search(ctx.plain(argv).stdout.decode())
    kept = next((h for h in steps[c]['handles'] if h['kind'] == 'frame' and h['refs']), None)
    if kept is None or printed is None:
        return [f'step {c} (avcodec_close): no frame of the program holds a picture '
                f'(printed: {printed and printed.group(0)!r})']
    held = {r['buffer'] for r in kept['refs']}
    for b in steps[c]['buffers']:
        if b['id'] in held and (b['refcount'], b['hidden'], b['holder']) != (int(printed.group(1)), 0, None):
            problems.append(f'step {c} (avcodec_close): the kept picture\'s buffer {b["id"]} has '
                            f'refcount {b["refcount"]}, hidden {b["hidden"]}, holder {b["holder"]!r}; '
                            f'expected the printed {printed.group(1)}, 0, none')
        elif b['hidden'] > 0:
            problems.append(f'step {c} (avcodec_close): buffer {b["id"]} still has {b["hidden"]} '
                            f'hidden references ({b["holder"]!r}) once the only codec is closed')
    freed = sum(e['event'] == 'freed' for e in steps[c]['events'])
    held_before = sum(b['hidden'] > 0 and b['kind'] == 'picture' for b in steps[c - 1]['buffers'])
    if freed < held_before - len(held):
        problems.append(f'step {c} (avcodec_close): {freed} buffers freed, but the decoder held '
                        f'{held_before} pictures (the program keeps {len(held)}) before it')
    if any(e['event'] == 'freed' for e in steps[f]['events']) or steps[f]['buffers']:
        problems.append(f'step {f} (avcodec_free_context): a closed decoder\'s context frees '
                        f'buffers or leaves some: {steps[f]["events"][:4]} {steps[f]["buffers"][:2]}')
    not_exact = [i for i in range(c, len(steps)) if not steps[i]['exact']]
    if not_exact:
        problems.append(f'steps {not_exact[:5]} after the decoder was closed are not exact')
    if threads > 1 and all(s['exact'] for s in steps[:c]):
        problems.append('a frame-threaded decoder, but every step before its close is exact')
    return problems[:20]


def group_codec_close(tap, ctx):
    mp4 = ctx.sample('sample.mp4')
    for threads, extra in ((1, ()), (2, ('frame-threads',))):
        argv = ctx.command('codec-close', mp4, *extra)
        name = f'codec-close sample.mp4 {" ".join(extra) or "one thread"}'

        def plain(argv=argv):
            r = ctx.plain(argv)
            text = r.stdout.decode()
            if r.status != 0 or len(re.findall(r'^frame pts=', text, re.M)) != 30 or \
                    not re.search(r'^closed refcount=1\nend frames=30$', text, re.M):
                return ['expected exit 0, 30 frames, "closed refcount=1", "end frames=30"'] + \
                    r.describe()
            return []

        tap.check(f'{name}: plain, 30 pictures, the kept one the program\'s alone once closed', plain)
        rec.recorded_checks(tap, ctx, name, argv, program='codec-close',
                            threads=threads if threads == 1 else None)
        tap.check(f'{name}: avcodec_close is the step the decoder lets go in; then it is closed, '
                  f'and avcodec_free_context frees nothing', close_problems, ctx, argv, threads)


def handed_on_problems(ctx, argv):
    """ffmpeg's filter graph (buffer to buffersink, nothing that keeps
    frames) gets each picture from av_buffersrc_add_frame_flags, which moves
    the frame's references in, and hands it on with
    av_buffersink_get_frame_flags, which moves them out: between the two the
    graph holds the picture, surely (no "?"); right after the second it
    holds none of it, though the decoder's frame threads change counts
    meanwhile."""
    problems, steps = rec.converted(ctx, ctx.record(argv))
    if steps is None:
        return problems
    if all(s['exact'] for s in steps) or not any(
            e.get('message', '').startswith('the decoder runs frame threads')
            for s in steps for e in s['events']):
        return ['no step says the decoder runs frame threads, or every step is exact']
    graph = 'filter graph'
    moved_in = moved_out = 0
    for i, s in enumerate(steps):
        if s['call'] not in ('av_buffersrc_add_frame_flags', 'av_buffersink_get_frame_flags') or s['ret'] < 0:
            continue
        pictures = {b['id']: b for b in s['buffers'] if b.get('kind') == 'picture'}
        if s['call'] == 'av_buffersrc_add_frame_flags':
            before = {r['buffer'] for h in steps[i - 1]['handles'] for r in h['refs']}
            now = {r['buffer'] for h in s['handles'] for r in h['refs']}
            for ident in before - now:
                if ident in pictures:
                    moved_in += 1
                    parts = (pictures[ident]['holder'] or '').split(', ')
                    if graph not in parts:
                        problems.append(f'step {i} ({s["call"]}): picture {ident} moved into the '
                                        f'graph is held by {pictures[ident]["holder"]!r}, expected '
                                        f'{graph!r} without "?" among them')
        else:
            out = next((h for h in s['handles'] if h['id'] == s.get('out')), None)
            for r in out['refs'] if out else []:
                b = pictures.get(r['buffer'])
                if b is None:
                    continue
                moved_out += 1
                if graph in (b['holder'] or ''):
                    problems.append(f'step {i} ({s["call"]}): picture {b["id"]}, handed on by the '
                                    f'graph, is still held by {b["holder"]!r}')
    if moved_in == 0 or moved_out == 0:
        problems.append(f'{moved_in} pictures moved into the graph, {moved_out} out of it: expected some')
    return problems[:20]


def group_frame_threads(tap, ctx):
    if not ctx.ffmpeg:
        tap.skip('ffmpeg -threads 2 recorded', 'ffmpeg not found')
        return
    mp4 = ctx.sample('sample.mp4')
    # -v error: ffmpeg's progress lines carry timings, the rest must match.
    argv = [ctx.ffmpeg, '-nostdin', '-v', 'error', '-threads', '2', '-i', mp4, '-f', 'null', '-']
    name = 'ffmpeg -threads 2 -f null'
    rec.recorded_checks(tap, ctx, name, argv, threads=None)
    tap.check(f'{name}: a picture the filter graph holds is named so, surely; once it is handed '
              f'on, the graph is not named', handed_on_problems, ctx, argv)


GROUPS = {
    'transcode': group_transcode,
    'codec-close': group_codec_close,
    'frame-threads': group_frame_threads,
}


if __name__ == '__main__':
    rec.main(GROUPS, __doc__)
