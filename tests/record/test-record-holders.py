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


GROUPS = {
    'transcode': group_transcode,
}


if __name__ == '__main__':
    rec.main(GROUPS, __doc__)
