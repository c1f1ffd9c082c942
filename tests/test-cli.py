#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end tests of `refscope --headless`; prints TAP.

usage: test-cli.py GROUP --refscope PATH --media DIR --make-media PATH
                   [--check-trace PATH] [--valgrind PATH]

GROUP is one of:
  traces      complete and partial sessions pass check-trace.py and the
              per-step invariants; same settings give byte-identical traces
  ownership   copy policies and hidden (decoder) refs look as FFmpeg documents
  bad-input   bad files, URLs, playlists and command lines fail cleanly
  valgrind    headless sessions are valgrind clean (skipped without valgrind)

An empty --check-trace or --valgrind means "not found": those checks skip.
Clips that are not bundled are made at test time with tools/make-media.sh.
"""
import argparse
import collections
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import traceback

TIMEOUT = 120            # seconds for one headless session (they take < 2 s)
VALGRIND_TIMEOUT = 280   # seconds for one session under valgrind

# Tests that fail because of a known bug in Refscope are reported as TAP TODO
# (meson: expected failure), so they stay visible without breaking the suite.
# Remove an entry once the bug is fixed: meson then reports the test as an
# unexpected pass until you do.
KNOWN_BUGS = {}


# ---------------------------------------------------------------- TAP

class Tap:
    """Numbers the tests and prints one TAP line each; the plan comes last."""

    def __init__(self):
        self.count = 0

    def _line(self, ok, name, directive='', diagnostics=()):
        self.count += 1
        print(f'{"ok" if ok else "not ok"} {self.count} - {name}{directive}')
        for line in diagnostics:
            for part in str(line).splitlines():
                print(f'# {part}')
        sys.stdout.flush()

    def check(self, name, test, *args, todo=None, **kwargs):
        """Runs test(*args, **kwargs), which returns a list of problems
        (empty: ok); todo: the known bug that makes it fail."""
        try:
            problems = list(test(*args, **kwargs))
        except Exception:  # a broken test is a failure, not a crash of the script
            problems = ['exception in the test:'] + traceback.format_exc().splitlines()
        self._line(not problems, name, f' # TODO {todo}' if todo else '', problems[:25])

    def skip(self, name, reason):
        self._line(True, name, f' # SKIP {reason}')

    def done(self):
        print(f'1..{self.count}')


# ---------------------------------------------------------------- running Refscope

class Run:
    def __init__(self, argv, status, stdout, stderr):
        self.argv, self.status, self.stdout, self.stderr = argv, status, stdout, stderr

    @property
    def hung(self):
        return self.status is None

    @property
    def crashed(self):
        return self.status is not None and (self.status < 0 or self.status >= 128)

    def describe(self):
        if self.hung:
            what = f'hung: killed after {TIMEOUT} s'
        elif self.status < 0:
            what = f'crashed: killed by signal {-self.status}'
        else:
            what = f'exit status {self.status}'
        lines = [f'command: {" ".join(self.argv)}', what]
        err = self.stderr.decode(errors='replace').splitlines()
        if err:
            lines += ['stderr:'] + ['  ' + e for e in err[:12]]
        return lines


def run(argv, timeout=TIMEOUT, cwd=None):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout, cwd=cwd)
        return Run(argv, p.returncode, p.stdout, p.stderr)
    except subprocess.TimeoutExpired as e:
        return Run(argv, None, e.stdout or b'', e.stderr or b'')


class Session:
    """A finished headless session and its trace file."""

    def __init__(self, run, trace):
        self.run, self.trace = run, trace

    def steps(self):
        """The parsed trace; not kept, since a full trace takes ~50 MB parsed."""
        return load_trace(self.trace)


class Context:
    def __init__(self, opts):
        self.refscope = os.path.abspath(opts.refscope)  # meson gives it relative
        self.media = opts.media
        self.make_media = opts.make_media
        self.check_trace = opts.check_trace or None
        self.valgrind = opts.valgrind or None
        self.tmp = tempfile.mkdtemp(prefix='refscope-e2e-')
        self.sessions = {}
        self.traces = 0

    def sample(self, name):
        return os.path.join(self.media, name)

    def make_clips(self, *names):
        """Makes clips with tools/make-media.sh; returns {name: path}."""
        out = os.path.join(self.tmp, 'clips')
        p = subprocess.run(['sh', self.make_media, out, *names],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError(f'make-media.sh {" ".join(names)} failed: {p.stderr}')
        return {n: os.path.join(out, n) for n in names}

    def headless(self, *args):
        return run([self.refscope, '--headless', *args])

    def session(self, media, *options, fresh=False):
        """A headless session of media with a trace. Sessions are run once
        for given arguments and reused, unless fresh is set."""
        key = (media, options)
        if not fresh and key in self.sessions:
            return self.sessions[key]
        self.traces += 1
        trace = os.path.join(self.tmp, f'trace-{self.traces}.jsonl')
        session = Session(self.headless(*options, f'--trace={trace}', media), trace)
        if not fresh:
            self.sessions[key] = session
        return session

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def load_trace(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------- trace helpers

def handles(step):
    return {h['id']: h for h in step['handles']}


def buffers(step):
    return {b['id']: b for b in step['buffers']}


def ref_of(handle, field='buf'):
    """The buffer id a handle's ref slot points at, or None."""
    return next((r['buffer'] for r in handle.get('refs', []) if r['field'] == field), None)


def invariant_problems(steps, partial=False):
    """The per-step rules of DESIGN.md section 7, checked here independently
    of check-trace.py."""
    if not steps:
        return ['the trace has no steps']
    problems = []
    freed = set()
    for i, s in enumerate(steps):
        where = f'step {i} ({s.get("call")})'
        if s.get('step') != i:
            problems.append(f'{where}: numbered {s.get("step")}')
        hs = handles(s)
        for e in s['events']:
            if e['event'] == 'allocated' and e['buffer'] in freed:
                problems.append(f'{where}: buffer {e["buffer"]} allocated again after being freed')
        freed.update(e['buffer'] for e in s['events'] if e['event'] == 'freed')
        pointing = collections.Counter(r['buffer'] for h in hs.values() for r in h.get('refs', []))
        listed = buffers(s)
        for b in listed.values():
            if b['refcount'] != b['visible'] + b['hidden'] + b['lost']:
                problems.append(f'{where}: buffer {b["id"]} refcount {b["refcount"]} != '
                                f'visible {b["visible"]} + hidden {b["hidden"]} + lost {b["lost"]}')
            if b['lost'] > 0 and (b['hidden'] != 0 or b['holder'] is not None):
                problems.append(f'{where}: buffer {b["id"]} has lost references but libav is said to hold '
                                f'{b["hidden"]} ({b["holder"]})')
            if b['hidden'] < 0:
                problems.append(f'{where}: buffer {b["id"]} hidden {b["hidden"]} < 0')
            if b['visible'] != pointing[b['id']]:
                problems.append(f'{where}: buffer {b["id"]} visible {b["visible"]} but '
                                f'{pointing[b["id"]]} refs point at it')
        for bid in set(pointing) | set(listed):
            if bid in freed:
                problems.append(f'{where}: buffer {bid} appears after being freed')
            elif bid not in listed:
                problems.append(f'{where}: a ref points at buffer {bid}, which is not listed')
        if s.get('out') is not None and s['out'] not in hs:
            problems.append(f'{where}: out "{s["out"]}" is not a handle of the step')
        if len(problems) > 20:
            break
    live = [b['id'] for b in steps[-1]['buffers'] if not b.get('leaked')]
    if not partial and live:
        # The last step has closed everything: what it lists must be leaks.
        problems.append(f'the last step still lists {len(live)} buffers that are not leaks: {live[:10]}')
    return problems


def session_problems(ctx, media, *options, partial=False):
    session = ctx.session(media, *options)
    if session.run.status != 0:
        return session.run.describe()
    steps = session.steps()
    problems = invariant_problems(steps, partial)
    if partial:
        want = int(next(o for o in options if o.startswith('--steps=')).split('=')[1])
        if len(steps) != want:
            problems.append(f'--steps={want} wrote {len(steps)} steps')
    return problems


def check_trace_problems(ctx, media, *options, partial=False):
    session = ctx.session(media, *options)
    if session.run.status != 0:
        return session.run.describe()
    argv = [sys.executable, ctx.check_trace, session.trace, media] + (['--partial'] if partial else [])
    p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
    return [] if p.returncode == 0 else p.stdout.splitlines() + p.stderr.splitlines()


def steps_where(steps, call):
    return [(i, s) for i, s in enumerate(steps) if s['call'] == call and s['ret'] >= 0]


# ---------------------------------------------------------------- group: traces

def group_traces(tap, ctx):
    clips = ctx.make_clips('sample.wav', 'sample.mkv')
    mp4 = ctx.sample('sample.mp4')
    cases = [(ctx.sample(n), ()) for n in ('sample.mp4', 'sample.webm', 'sample.ts')]
    cases += [(clips['sample.wav'], ()), (clips['sample.mkv'], ())]
    cases += [(mp4, tuple(o.split())) for o in (
        '--copy=ref', '--copy=clone', '--copy=copy', '--streams=video', '--streams=audio',
        '--packet-queue=1 --frame-queue=1', '--packet-queue=32 --frame-queue=8')]
    cases += [(mp4, ('--steps=1',)), (mp4, ('--steps=60',)), (mp4, ('--steps=400',))]

    for media, options in cases:
        partial = any(o.startswith('--steps=') for o in options)
        name = ' '.join([os.path.basename(media), *options])
        tap.check(f'{name}: exit 0, per-step invariants', session_problems,
                  ctx, media, *options, partial=partial)
        if ctx.check_trace:
            tap.check(f'{name}: check-trace.py{" --partial" if partial else ""}',
                      check_trace_problems, ctx, media, *options, partial=partial)
        else:
            tap.skip(f'{name}: check-trace.py', 'check-trace.py not found')

    def identical_runs(*options):
        runs = [ctx.session(mp4, *options, fresh=True) for _ in range(2)]
        for session in runs:
            if session.run.status != 0:
                return session.run.describe()
        a, b = (open(session.trace, 'rb').read().splitlines() for session in runs)
        if a == b:
            return []
        line = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return [f'the traces differ from line {line + 1} ({len(a)} vs {len(b)} lines)']

    tap.check('sample.mp4: two runs give byte-identical traces', identical_runs)
    tap.check('sample.mp4 --copy=ref: two runs give byte-identical traces', identical_runs, '--copy=ref')

    def trace_to_stdout():
        r = ctx.headless('--trace=-', mp4)
        if r.status != 0:
            return r.describe()
        return [] if r.stdout == open(ctx.session(mp4).trace, 'rb').read() else \
            ['--trace=- wrote something else than --trace=PATH']

    tap.check('sample.mp4 --trace=-: the same trace on stdout', trace_to_stdout)


# ---------------------------------------------------------------- group: ownership

def policy_move(steps):
    found = [(i, s) for i, s in steps_where(steps, 'av_packet_move_ref') if '.pktq[' in s['out']]
    problems = [] if found else ['no av_packet_move_ref into a packet queue slot']
    for i, s in found:
        before = ref_of(handles(steps[i - 1])['reader'])
        hs = handles(s)
        if before is None or ref_of(hs[s['out']]) != before:
            problems.append(f'step {i}: {s["out"]} holds {ref_of(hs[s["out"]])}, '
                            f'the reader held {before}')
        if hs['reader'].get('refs'):
            problems.append(f'step {i}: the reader still has refs {hs["reader"]["refs"]}')
    return problems


def policy_ref(steps):
    found = steps_where(steps, 'av_packet_ref')
    problems = [] if found else ['no av_packet_ref step']
    for i, s in found:
        hs, bs = handles(s), buffers(s)
        b = ref_of(hs[s['out']])
        if b is None or b != ref_of(hs['reader']):
            problems.append(f'step {i}: {s["out"]} holds {b}, not the reader\'s buffer')
            continue
        if (bs[b]['refcount'], bs[b]['visible']) != (2, 2):
            problems.append(f'step {i}: shared buffer {b} has refcount {bs[b]["refcount"]} '
                            f'visible {bs[b]["visible"]}, expected 2 / 2')
        # the following av_packet_unref of the reader leaves the queue's ref alone
        j = next((j for j in range(i + 1, len(steps)) if steps[j]['call'] == 'av_packet_unref'
                  and not handles(steps[j])['reader'].get('refs')), None)
        after = buffers(steps[j]).get(b) if j is not None else None
        if after is None or (after['refcount'], after['visible']) != (1, 1):
            problems.append(f'step {j}: after unref of the reader, buffer {b} is {after}, '
                            f'expected refcount 1 / visible 1')
    return problems


def policy_clone(steps):
    found = steps_where(steps, 'av_packet_clone')
    problems = [] if found else ['no av_packet_clone step']
    for i, s in found:
        hs = handles(s)
        reader = ref_of(hs['reader'])
        if reader is None or ref_of(hs[s['out']]) != reader:
            problems.append(f'step {i}: clone {s["out"]} holds {ref_of(hs[s["out"]])}, '
                            f'the reader holds {reader}')
    return problems


def policy_copy(steps):
    found = steps_where(steps, 'av_new_packet')
    problems = [] if found else ['no av_new_packet step']
    for i, s in found:
        hs, bs = handles(s), buffers(s)
        new, reader = ref_of(hs[s['out']]), ref_of(hs['reader'])
        if new is None or reader is None or new == reader:
            problems.append(f'step {i}: copy holds {new}, reader holds {reader}: '
                            f'expected two different buffers')
            continue
        if bs[new]['size'] != bs[reader]['size']:
            problems.append(f'step {i}: new buffer {new} has {bs[new]["size"]} bytes, '
                            f'the reader\'s {bs[reader]["size"]}')
        if hs[s['out']].get('size') != hs['reader'].get('size'):
            problems.append(f'step {i}: packet size {hs[s["out"]].get("size")}, '
                            f'the reader\'s {hs["reader"].get("size")}')
        if {'buffer': new, 'event': 'allocated'} not in s['events']:
            problems.append(f'step {i}: no "allocated" event for buffer {new}')
    return problems


def hidden_refs_problems(steps):
    counts = collections.Counter()
    problems = []
    for i, s in steps_where(steps, 'avcodec_receive_frame'):
        if s.get('out') != 'video.frame':
            continue
        b = ref_of(handles(s)['video.frame'], 'buf[0]')
        hidden = buffers(s)[b]['hidden'] if b is not None else None
        counts[hidden] += 1
        if hidden is None or hidden < 1:
            problems.append(f'step {i}: video.frame buf[0] -> {b} has hidden {hidden}, expected >= 1')
    total = sum(counts.values())
    if not total:
        problems.append('no video frame was received')
    elif counts[1] * 2 <= total or counts[2] == 0:
        problems.append(f'hidden refs on buf[0] per received frame: {dict(counts)}; '
                        f'expected mostly 1 and some 2')
    not_exact = [i for i, s in enumerate(steps) if s.get('exact') is not True]
    if not_exact:
        problems.append(f'1 thread: steps {not_exact[:5]} are not marked exact')
    return problems


def group_ownership(tap, ctx):
    mp4 = ctx.sample('sample.mp4')

    def on_trace(check, *options):
        """check(steps) on the trace of a sample.mp4 session with options."""
        session = ctx.session(mp4, *options)
        return session.run.describe() if session.run.status != 0 else check(session.steps())

    tap.check('--copy=move: the reader\'s buffer moves to the queue slot', on_trace, policy_move)
    tap.check('--copy=ref: av_packet_ref shares the buffer (2/2), unref of the reader leaves 1',
              on_trace, policy_ref, '--copy=ref')
    tap.check('--copy=clone: av_packet_clone shares the reader\'s buffer', on_trace, policy_clone,
              '--copy=clone')
    tap.check('--copy=copy: av_new_packet makes a second buffer of the same size', on_trace,
              policy_copy, '--copy=copy')
    tap.check('sample.mp4: received video frames have hidden decoder refs (1, some 2)',
              on_trace, hidden_refs_problems)

    def threads(media):
        # Frame threads make counts approximate, but the session must still
        # decode every frame (check-trace.py compares them with ffprobe) and
        # keep the per-step rules.
        session = ctx.session(media, '--threads=2')
        if session.run.status != 0:
            return session.run.describe()
        steps = session.steps()
        problems = invariant_problems(steps)
        wrong = [i for i, s in enumerate(steps) if s.get('exact') is not False]
        if wrong:
            problems.append(f'steps {wrong[:5]} are not marked "exact": false')
        if not any(s['out'] == 'video.frame' for _, s in steps_where(steps, 'avcodec_receive_frame')):
            problems.append('no video frame was received')
        if ctx.check_trace:
            problems += check_trace_problems(ctx, media, '--threads=2')
        return problems

    for name in ('sample.mp4', 'sample.webm'):
        tap.check(f'{name} --threads=2: all steps "exact": false, every frame decoded',
                  threads, ctx.sample(name))


# ---------------------------------------------------------------- group: bad input

class Listener:
    """A loopback TCP socket that no one should connect to."""

    def __enter__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        return self

    def connections(self):
        """Connections that arrived (the kernel queues them without accept)."""
        self.sock.setblocking(False)
        n = 0
        while True:
            try:
                conn, _ = self.sock.accept()
                conn.close()
                n += 1
            except BlockingIOError:
                return n

    def __exit__(self, *exc):
        self.sock.close()


def failure_problems(r):
    """Exit 1, nothing on stdout, no crash or hang."""
    problems = []
    if r.hung or r.crashed or r.status != 1:
        problems += ['expected exit status 1'] + r.describe()
    if r.stdout:
        problems.append(f'stdout is not empty: {r.stdout[:200]!r}')
    return problems


def message_problems(r, name):
    """Exactly one line on stderr, naming the file and giving a reason."""
    lines = r.stderr.decode(errors='replace').splitlines()
    if len(lines) != 1:
        return [f'{len(lines)} lines on stderr, expected 1:'] + ['  ' + l for l in lines[:12]]
    if name not in lines[0]:
        return [f'the message does not name {name}: {lines[0]}']
    rest = lines[0].replace(name, '', 1).replace('refscope', '')
    if not re.search(r'[A-Za-z]{3,}', rest):
        return [f'the message gives no reason: {lines[0]}']
    return []


def group_bad_input(tap, ctx):
    mp4 = ctx.sample('sample.mp4')
    data = open(mp4, 'rb').read()
    bad = os.path.join(ctx.tmp, 'bad')
    os.mkdir(bad)

    def write(name, content):
        path = os.path.join(bad, name)
        with open(path, 'wb' if isinstance(content, bytes) else 'w') as f:
            f.write(content)
        return path

    corrupt = bytearray(data)
    middle = len(corrupt) // 2
    corrupt[middle:middle + 4096] = bytes((i * 151 + 17) & 0xFF for i in range(4096))
    os.mkdir(os.path.join(bad, 'a-directory'))
    cases = [  # (test name, path, known bug of the one-line message or None)
        ('missing file', os.path.join(bad, 'missing.mp4'), None),
        ('a directory', os.path.join(bad, 'a-directory'), None),
        ('an empty file', write('empty.mp4', b''), None),
        # not .txt: FFmpeg's tty demuxer plays a .txt file as ANSI art video
        ('a text file', write('notes.md', 'Not a video, just some text.\n' * 20), None),
        ('a text file named .mp4', write('notes.mp4', 'Not a video either.\n' * 20), 'ffmpeg-log'),
        ('sample.mp4 truncated to 100 bytes', write('head100.mp4', data[:100]), 'ffmpeg-log'),
        ('sample.mp4 truncated to half', write('half.mp4', data[:len(data) // 2]), 'ffmpeg-log'),
    ]
    for name, path, bug in cases:
        r = ctx.headless(path)
        tap.check(f'{name}: exit 1, nothing on stdout, no crash or hang', failure_problems, r)
        tap.check(f'{name}: one line on stderr naming the file and a reason',
                  message_problems, r, path, todo=KNOWN_BUGS.get(bug))

    def corrupted():
        path = write('corrupt.mp4', bytes(corrupt))
        session = ctx.session(path)
        if session.run.status == 0:    # decoding errors are events; the session goes on
            return invariant_problems(session.steps())
        return failure_problems(session.run) + message_problems(session.run, path)

    tap.check('sample.mp4 corrupted in the middle: exit 0 with a sound trace, or a clean failure',
              corrupted)

    def cut_with_index_first():
        # The index says what the cut removed: FFmpeg warns ("Packet corrupt
        # (stream = 0, dts = N)", then "." in a second call) and the session
        # goes on. Each warning is one event, a whole line.
        clip = ctx.make_clips('faststart.mp4')['faststart.mp4']
        content = open(clip, 'rb').read()
        path = write('cut-faststart.mp4', content[:len(content) * 2 // 3])
        session = ctx.session(path)
        if session.run.status != 0:
            return [f'exit {session.run.status}: {session.run.stderr!r}']
        steps = session.steps()
        problems = invariant_problems(steps)
        warnings = [e['message'] for s in steps for e in s['events'] if e.get('event') == 'warning']
        if not any(w.startswith('mov,mp4,m4a,3gp,3g2,mj2: Packet corrupt') for w in warnings):
            problems.append(f'no "Packet corrupt" warning among {warnings[:8]}')
        for w in warnings:
            text = w.split(': ', 1)[-1]
            if not re.search(r'[A-Za-z]{3,}', text):
                problems.append(f'a warning that is a piece of a line: {w!r}')
        return problems

    tap.check('sample.mp4 with its index first, cut at 2/3: exit 0, each FFmpeg warning a whole line',
              cut_with_index_first)

    def network(make_target):
        with Listener() as listener:
            target = make_target(listener.port)
            r = ctx.headless(target)
            problems = failure_problems(r) + message_problems(r, target)
            if listener.connections():
                problems.append(f'Refscope connected to 127.0.0.1:{listener.port}')
        return problems

    tap.check('a URL: refused without connecting', network,
              lambda port: f'http://127.0.0.1:{port}/x.mp4')
    tap.check('an HLS playlist pointing at the network: refused without connecting', network,
              lambda port: write('list.m3u8', '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n'
                                 f'#EXTINF:2.0,\nhttp://127.0.0.1:{port}/seg.ts\n#EXT-X-ENDLIST\n'))

    def says_network(make_target):
        with Listener() as listener:
            target = make_target(listener.port)
            r = ctx.headless(target)
            problems = failure_problems(r) + message_problems(r, target)
            if b'points at the network' not in r.stderr:
                problems.append(f'the message does not say the playlist points at the network: {r.stderr!r}')
            if listener.connections():
                problems.append(f'Refscope connected to 127.0.0.1:{listener.port}')
        return problems

    def playlist(port, pad=''):
        return (f'#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n{pad}'
                f'#EXTINF:2.0,\nhttp://127.0.0.1:{port}/seg.ts\n#EXT-X-ENDLIST\n')

    tap.check('an HLS playlist whose URL is past its first 4 KB: "points at the network"', says_network,
              lambda port: write('far.m3u8', playlist(port, '# padding\n' * 1000)))
    tap.check('an HLS playlist that starts with a BOM: "points at the network"', says_network,
              lambda port: write('bom.m3u8', b'\xef\xbb\xbf' + playlist(port).encode()))

    def concat_named():
        write('concat:sample.mp4', data)
        # relative, as typed: FFmpeg would read "concat:" as its protocol
        r = run([ctx.refscope, '--headless', '--steps=5', 'concat:sample.mp4'], cwd=bad)
        return [] if r.status == 0 else ['a local file named concat:sample.mp4 does not open'] + r.describe()

    tap.check('a local file named "concat:sample.mp4" opens as the file it is', concat_named)

    if os.geteuid() == 0:
        tap.skip('a file without read permission: refused', 'running as root, which can read it')
    else:
        locked = write('locked.mp4', data)
        os.chmod(locked, 0)
        r = ctx.headless(locked)
        tap.check('a file without read permission: refused',
                  lambda: failure_problems(r) + message_problems(r, locked))

    def usage_error(*args):
        r = ctx.headless(*args)
        if r.status != 2 or r.stdout:
            return ['expected exit status 2 and nothing on stdout'] + r.describe()
        return []

    for args in (['--no-such-option'], ['--copy=banana'], ['--threads=-1'], ['--steps=0'],
                 [mp4, mp4]):
        shown = ' '.join(os.path.basename(a) for a in args)
        tap.check(f'command line "{shown}": exit 2', usage_error, *args)


# ---------------------------------------------------------------- group: valgrind

def group_valgrind(tap, ctx):
    if not ctx.valgrind:
        tap.skip('valgrind: headless sessions are clean', 'valgrind not found')
        return
    # Some CPUs cannot be emulated: valgrind 3.19 stops libav's own start-up
    # (libhwy's rdtscp, through libjxl) with SIGILL before any of our code
    # runs. ffprobe, which is not ours, tells whether this machine is one.
    probe = run([ctx.valgrind, '-q', 'ffprobe', '-version'], timeout=VALGRIND_TIMEOUT)
    probe_err = probe.stderr.decode(errors='replace')
    if 'SIGILL' in probe_err or 'Illegal opcode' in probe_err:
        where = next((line.split('==', 2)[-1].strip() for line in probe_err.splitlines() if ' at 0x' in line), '')
        for name in ('valgrind: --steps=400 sample.mp4', 'valgrind: full session of sample.wav'):
            tap.skip(name, f'valgrind cannot run libav on this CPU (ffprobe dies of SIGILL under it: {where})')
        return
    clips = ctx.make_clips('sample.wav')
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'valgrind.supp')
    memcheck = [ctx.valgrind, '--leak-check=full', '--errors-for-leak-kinds=definite',
                '--error-exitcode=99', '--num-callers=30']
    if os.path.exists(supp):
        memcheck.append(f'--suppressions={supp}')

    def clean(*args):
        r = run(memcheck + [ctx.refscope, '--headless', *args], timeout=VALGRIND_TIMEOUT)
        out = r.stderr.decode(errors='replace')
        problems = []
        if r.status != 0:
            problems.append(f'exit status {r.status} (99: valgrind found errors)')
        if not re.search(r'definitely lost: 0 bytes|no leaks are possible', out):
            problems.append('valgrind does not report "definitely lost: 0"')
        return problems + (out.splitlines()[-60:] if problems else [])

    tap.check('valgrind: --steps=400 sample.mp4', clean, '--steps=400', ctx.sample('sample.mp4'))
    tap.check('valgrind: full session of sample.wav', clean, clips['sample.wav'])


# ---------------------------------------------------------------- main

def group_scenario(tap, ctx):
    lessons = sorted(glob.glob(os.path.join(ctx.media, '..', 'scenarios', '*.c')))

    def lesson(path):
        trace = os.path.join(ctx.tmp, os.path.basename(path) + '.jsonl')
        r = ctx.headless(f'--scenario={path}', f'--trace={trace}')
        if r.status != 0:
            return r.describe()
        steps = load_trace(trace)
        problems = invariant_problems(steps)
        leaked = [b['id'] for b in steps[-1]['buffers'] if b.get('leaked')]
        reported = [line for line in r.stderr.decode().splitlines() if ': leak: buffer ' in line]
        if len(reported) != len(leaked):
            problems.append(f'{len(leaked)} leaked buffers in the last step, '
                            f'{len(reported)} leak lines on stderr: {r.stderr!r}')
        return problems

    for path in lessons:
        tap.check(f'--scenario={os.path.basename(path)}: exit 0, per-step invariants, '
                  'leaks on stderr match the trace', lesson, path)

    def leaks_reported():
        path = next(p for p in lessons if 'init-packet-leak' in p)
        trace = os.path.join(ctx.tmp, 'init-packet-leak-report.jsonl')
        r = ctx.headless(f'--scenario={path}', f'--trace={trace}')
        if r.status != 0:
            return r.describe()
        err = r.stderr.decode()
        # Steps in messages count from 1, as the window counts them; the
        # trace's "step" counts from 0 (DESIGN section 7). The lesson
        # allocates the buffer in trace step 3 and loses it in step 5: the
        # window says "step 4" and "lost at step 6", and so must stderr.
        steps = load_trace(trace)
        born = [s['step'] for s in steps for e in s['events'] if e['event'] == 'allocated' and e['buffer'] == 1]
        lost = [s['step'] for s in steps for e in s['events'] if e['event'] == 'lost' and e['call'] == 'av_init_packet']
        if born != [3] or lost != [5]:
            return [f'the lesson changed: buffer 1 allocated in trace steps {born}, lost in {lost}']
        if 'av_init_packet' not in err or f'lost at step {lost[0] + 1},' not in err:
            return [f'the leak report does not say av_init_packet lost the reference at step {lost[0] + 1}: {err!r}']
        if f'in step {born[0] + 1})' not in err:
            return [f'the leak report does not say the buffer was created in step {born[0] + 1}: {err!r}']
        if 'libav' in err.replace('libav_', ''):
            return [f'the leak report says libav holds a lost reference: {err!r}']
        return []

    tap.check('the av_init_packet lesson reports its leak and the call that caused it',
              leaks_reported)

    def compile_errors():
        path = os.path.join(ctx.tmp, 'seed-test2.c')
        with open(path, 'w') as f:
            f.write('void av_packet_test2() {\n    AVPacket pkt = NULL;\n    int ret = 0;\n'
                    '    pkt = av_packet_alloc();\n    av_packet_free();\n}\n')
        r = ctx.headless(f'--scenario={path}')
        lines = r.stderr.decode().splitlines()
        problems = [] if r.status == 1 else [f'exit {r.status}, not 1']
        for line_no in (2, 5):
            if not any(l.startswith(f'{path}:{line_no}:') and ': error: ' in l for l in lines):
                problems.append(f'no error on line {line_no}: {r.stderr!r}')
        return problems

    tap.check('the seed\'s test 2 as written: exit 1, an error on each wrong line', compile_errors)

    def lesson_as_file():
        # As the window opens it: a .c FILE is a lesson, not media.
        path = next(p for p in lessons if 'init-packet-leak' in p)
        traces = [os.path.join(ctx.tmp, f'as-file-{n}.jsonl') for n in (1, 2)]
        runs = [ctx.headless(f'--scenario={path}', f'--trace={traces[0]}'),
                ctx.headless(f'--trace={traces[1]}', path)]
        for r in runs:
            if r.status != 0:
                return r.describe()
        problems = []
        if open(traces[0], 'rb').read() != open(traces[1], 'rb').read():
            problems.append('the traces differ')
        if runs[0].stderr != runs[1].stderr:
            problems.append(f'the leak reports differ: {runs[0].stderr!r} / {runs[1].stderr!r}')
        return problems

    tap.check('a lesson given as FILE runs as with --scenario: the same trace and leak report',
              lesson_as_file)

    def missing_lesson():
        path = os.path.join(ctx.tmp, 'no-such-lesson.c')
        r = ctx.headless(f'--scenario={path}')
        problems = failure_problems(r) + message_problems(r, path)
        if not r.stderr.startswith(b'refscope: '):
            problems.append(f'the message does not start "refscope: ", as every other: {r.stderr!r}')
        return problems

    tap.check('--scenario= a missing file: exit 1, one line "refscope: ..." naming it', missing_lesson)

    def video_as_lesson():
        path = ctx.sample('sample.mp4')
        r = ctx.headless(f'--scenario={path}')
        problems = failure_problems(r) + message_problems(r, path)
        if b'not a lesson: binary data at byte ' not in r.stderr:
            problems.append(f'the message does not say the file is binary: {r.stderr!r}')
        return problems

    tap.check('--scenario= a video: exit 1, one line naming it and saying it is binary', video_as_lesson)

    def write(name, content):
        path = os.path.join(ctx.tmp, name)
        with open(path, 'wb' if isinstance(content, bytes) else 'w') as f:
            f.write(content)
        return path

    def errors_of(r, path):
        """The stderr lines, or problems if the run did not fail as a compile error does."""
        lines = r.stderr.decode(errors='replace').splitlines()
        if r.status != 1 or r.stdout:
            return lines, ['expected exit 1 and nothing on stdout'] + r.describe()
        return lines, [f'not compiler-style: {l}' for l in lines if not l.startswith(f'{path}:')]

    # What Refscope stops at run time is an error, as a compile error is.
    faults = {
        'double free': 'av_packet_free(&alias);',
        'use after free': 'av_new_packet(alias, 16);',
        'is NULL': 'av_packet_ref(alias, NULL);',
        'out of bounds': 'memset(alias->data, 0, 17);',
    }
    for words, line5 in faults.items():
        def fault(words=words, line5=line5):
            freed = words in ('double free', 'use after free')
            path = write(f'fault-{words.replace(" ", "-")}.c',
                         'int main(void) {\n  AVPacket *pkt = av_packet_alloc();\n  AVPacket *alias = pkt;\n'
                         f'  {"av_packet_free(&pkt)" if freed else "av_new_packet(pkt, 16)"};\n  {line5}\n'
                         '  av_packet_free(&pkt);\n  return 0;\n}\n')
            r = ctx.headless(f'--scenario={path}', '--trace=' + path + '.jsonl')
            lines, problems = errors_of(r, path)
            if not any(l.startswith(f'{path}:5:') and ': error: ' in l and words in l for l in lines):
                problems.append(f'no "{path}:5:...: error: ...{words}..." on stderr: {lines}')
            if not os.path.exists(path + '.jsonl'):
                problems.append('no trace was written')
            return problems

        tap.check(f'a lesson that does "{words}" on line 5: exit 1, "file:5:col: error:" on stderr', fault)

    def long_lesson(n, names=100):
        """n statements that allocate, share, move and free packets, ten at a
        time, through `names` pairs of variables declared first. Few names:
        each is interned, and past 2048 quarks GLib leaks its old quark
        arrays on purpose, which LeakSanitizer reports."""
        body = [f'AVPacket *a{k} = NULL;' for k in range(names)] + [f'AVPacket *b{k} = NULL;' for k in range(names)]
        for i in range((n - len(body)) // 10):
            a, b = f'a{i % names}', f'b{i % names}'
            body += [f'{a} = av_packet_alloc();', f'{b} = av_packet_alloc();',
                     f'av_new_packet({a}, 64);', f'memset({a}->data, 1, 64);', f'av_packet_ref({b}, {a});',
                     f'{a}->pts = {i};', f'av_packet_unref({a});', f'av_packet_move_ref({a}, {b});',
                     f'av_packet_free(&{b});', f'av_packet_free(&{a});']
        return 'int main(void)\n{\n' + ''.join(f'  {s}\n' for s in body) + '  return 0;\n}\n'

    def lesson_20000():
        path = write('lesson-20000.c', long_lesson(20000))
        trace = path + '.jsonl'
        r = ctx.headless(f'--scenario={path}', f'--trace={trace}')
        if r.status != 0 or r.stderr:
            return ['expected exit 0 and nothing on stderr'] + r.describe()
        steps = load_trace(trace)
        events = [e['event'] for s in steps for e in s['events']]
        problems = []
        if len(steps) != 20002 or steps[-1]['call'] != 'end':
            problems.append(f'{len(steps)} steps ending with {steps[-1]["call"]}, expected 20002 ending with end')
        if events.count('allocated') != 1980 or events.count('freed') != 1980:
            problems.append(f'{events.count("allocated")} buffers allocated, {events.count("freed")} freed, '
                            'expected 1980 of each')
        if steps[-1]['handles'] or steps[-1]['buffers']:
            problems.append(f'the last step still shows something: {steps[-1]}')
        # block 1000 (a0 and b0 again), after its av_packet_ref: both share buffer 1001
        middle = steps[200 + 10 * 1000 + 4]
        if [h['id'] for h in middle['handles']] != ['a0', 'b0'] or \
                [(b['id'], b['refcount']) for b in middle['buffers']] != [(1001, 2)]:
            problems.append(f'step {middle["step"]} is not a0 and b0 sharing buffer 1001: {middle}')
        return problems

    tap.check('a 20,000-statement lesson runs to its end with every buffer freed', lesson_20000)

    def step_limit():
        path = write('too-long.c', 'int main(void)\n{\n  int a = 0;\n' + '  a = 1;\n' * 100000 + '  return 0;\n}\n')
        r = ctx.headless(f'--scenario={path}')
        lines, problems = errors_of(r, path)
        if lines != [f'{path}:100003:3: error: the lesson is too long: this statement would be step 100001, '
                     'over the limit of 100000 steps; split the lesson']:
            problems.append(f'not the one step-limit error on line 100003: {lines[:3]}')
        return problems

    tap.check('a lesson of more than 100,000 steps is refused with one error naming the limit', step_limit)

    # Compile errors say what is wrong with the text, once.
    messages = [
        ('a 44-digit constant', b'  AVPacket *p = av_packet_alloc();\n  av_new_packet(p, ' + b'1234567890' * 4 + b'1234);\n',
         ['integer constant is too large']),
        ('stray non-UTF-8 bytes in a name', b'  AVPacket *p = av_packet_alloc();\n  av_packet_\xff\xfefree(&p);\n',
         ['stray byte \\377 in program', 'stray byte \\376 in program']),
        ('a NUL byte', b'  AVPacket *p = av_packet_alloc();\n  \x00 av_packet_free(&p);\n', ['stray NUL byte in program']),
    ]
    for name, body, expected in messages:
        def message(name=name, body=body, expected=expected):
            path = write(name.replace(' ', '-') + '.c', b'int main(void)\n{\n' + body + b'  return 0;\n}\n')
            r = ctx.headless(f'--scenario={path}')
            lines, problems = errors_of(r, path)
            said = [l.split(': error: ', 1)[-1] for l in lines]
            if said != expected or not all(l.startswith(f'{path}:4:') for l in lines):
                problems.append(f'expected {expected} on line 4, got: {lines}')
            return problems

        tap.check(f'{name}: exactly its own error', message)


GROUPS = {
    'scenario': group_scenario,
    'traces': group_traces,
    'ownership': group_ownership,
    'bad-input': group_bad_input,
    'valgrind': group_valgrind,
}


def run_groups(description, groups, context_class, extra_options=()):
    """Runs the group the command line names, as TAP; `extra_options` are
    more `--name` options (default empty)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('group', choices=groups)
    parser.add_argument('--refscope', required=True)
    parser.add_argument('--media', required=True)
    parser.add_argument('--make-media', required=True)
    for option in ('--check-trace', '--valgrind') + tuple(extra_options):
        parser.add_argument(option, default='')
    opts = parser.parse_args()
    run_group(groups, opts.group, context_class(opts))


def run_group(groups, name, ctx):
    """Runs group `name` of `groups` on `ctx` as TAP, then cleans `ctx` up;
    an exception in the script itself is a failed test, not a crash."""
    tap = Tap()
    try:
        groups[name](tap, ctx)
    except Exception:
        problems = traceback.format_exc().splitlines()
        tap.check('the test script itself', lambda: problems)
    finally:
        ctx.cleanup()
    tap.done()


if __name__ == '__main__':
    run_groups(__doc__.splitlines()[0], GROUPS, Context)
