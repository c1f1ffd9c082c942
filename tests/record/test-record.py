#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end tests of `refscope record -- PROGRAM ARGS`; prints TAP.

usage: test-record.py GROUP --refscope PATH --media DIR [--check-trace PATH]
                      [--ffmpeg PATH] [--not-recordable PATH]
                      --programs PATH... --asan-programs PATH...

The programs are the C programs of this folder (decode-loop, seed-test1,
seed-test2, planted-leaks, custom-get-buffer, threaded-queue, encode,
filter-graph, transcode, codec-close), the -asan programs the same built with ASan +
UBSan + LeakSanitizer. GROUP is one of:
  plain              each program run without Refscope does what it says
                     (exit 0, the same output twice, frames as ffprobe lists)
  sanitized          each -asan program: no memory error, and LeakSanitizer
                     finds exactly the leaks its source tags, at their lines
  decode-loop        recorded on the three samples: same behaviour, no leak,
                     the trace's refcount at each avcodec_receive_frame is
                     the printed one, check-trace.py, identical traces from
                     two recordings, runs killed by SIGKILL and SIGSEGV,
                     stdin, a missing file, a bad option, --leaks=error;
                     the exit step's ret is the program's exit status
  seeds              the seed notes' two programs: test 2's leak at its lines
  planted-leaks      the three planted leaks at exactly their lines, and
                     nothing else; --leaks=error gives 23
  custom-get-buffer, threaded-queue, encode, filter-graph
                     recorded: same behaviour, no leak, a sound trace
  ffmpeg             `ffmpeg -i sample.mp4 -f null -` recorded
  refused            a static program is refused before it runs (the
                     command line itself: tests/test-record-cli.py)

Every recorded run is compared with the plain run of the same command:
same exit status and stdout, and the same stderr once the lines starting
`refscope:` are removed. Every recording is converted with `refscope
--headless --trace=T RECORDING` and the trace checked against DESIGN.md
sections 7 and 12.

The leaks a program plants are tagged in its source, never numbered here: a
line ending with `/* LEAK: created */` creates a leaked packet or frame,
`/* LEAK: created (orphaned) */` the buffer that `/* LEAK: orphaned */`
drops the last holder of. An empty --check-trace means "not found": those
checks skip.
"""
import argparse
import collections
import importlib.util
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location('test_cli', os.path.join(HERE, '..', 'test-cli.py'))
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)

TIMEOUT = cli.TIMEOUT   # seconds for one run, recorded or not
KILL_AFTER = 20         # frames decode-loop decodes before it kills itself
LEAKS_ERROR_STATUS = 23

LEAK_LINE = 'refscope: leak: '
TAG = re.compile(r'/\*\s*LEAK:\s*(created|orphaned)\s*(\(orphaned\))?\s*\*/\s*$')
SITE = r'{} at ([^\s():]+):(\d+) \('


# ---------------------------------------------------------------- running

def no_core_dump():
    # The crash tests make programs die of SIGSEGV: no core files.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(argv, stdin=None, env=None, cwd=None):
    """Runs argv with stdin from the file stdin (or nothing); a cli.Run."""
    with open(stdin or os.devnull, 'rb') as f:
        try:
            p = subprocess.run(argv, stdin=f, capture_output=True, timeout=TIMEOUT,
                               preexec_fn=no_core_dump, env=env, cwd=cwd)
            return cli.Run(argv, p.returncode, p.stdout, p.stderr)
        except subprocess.TimeoutExpired as e:
            return cli.Run(argv, None, e.stdout or b'', e.stderr or b'')


def status_text(status):
    if status is None:
        return 'hung'
    return f'killed by signal {-status}' if status < 0 else f'exit status {status}'


def stderr_lines(r, refscope):
    """The run's stderr lines: Refscope's own (refscope=True) or the others."""
    lines = r.stderr.decode(errors='replace').splitlines()
    return [l for l in lines if l.startswith('refscope:') == refscope]


def leak_lines(r):
    return [l for l in stderr_lines(r, True) if l.startswith(LEAK_LINE)]


class Recording:
    """A run under `refscope record` and the recording it wrote."""

    def __init__(self, run, path):
        self.run, self.path = run, path


class Context:
    def __init__(self, opts):
        self.refscope = os.path.abspath(opts.refscope)  # meson gives it relative
        self.media = opts.media
        self.check_trace = opts.check_trace or None
        self.ffmpeg = opts.ffmpeg or None
        self.not_recordable = opts.not_recordable or None
        self.programs = {os.path.basename(p): os.path.abspath(p) for p in opts.programs}
        self.asan_programs = {os.path.basename(p)[:-len('-asan')]: os.path.abspath(p)
                              for p in opts.asan_programs}
        self.tmp = tempfile.mkdtemp(prefix='refscope-record-')
        self.count = 0
        self.plain_runs = {}
        self.recordings = {}
        self.traces = {}

    def sample(self, name):
        return os.path.join(self.media, name)

    def command(self, program, *args):
        """argv of one of the test programs."""
        return [self.programs[program], *args]

    def plain(self, argv, stdin=None):
        key = (tuple(argv), stdin)
        if key not in self.plain_runs:
            self.plain_runs[key] = run(argv, stdin)
        return self.plain_runs[key]

    def new_path(self, suffix):
        self.count += 1
        return os.path.join(self.tmp, f'{self.count}{suffix}')

    def record(self, argv, *options, stdin=None, fresh=False):
        """argv run under `refscope record --output=... OPTIONS --`; runs
        are made once for given arguments unless fresh is set."""
        key = (tuple(argv), options, stdin)
        if fresh or key not in self.recordings:
            path = self.new_path('.rstrace')
            r = run([self.refscope, 'record', f'--output={path}', *options, '--', *argv], stdin)
            self.recordings[key] = Recording(r, path)
        return self.recordings[key]

    def convert(self, recording):
        """(run, trace path) of `refscope --headless --trace=T RECORDING`."""
        if recording.path not in self.traces:
            trace = self.new_path('.jsonl')
            r = run([self.refscope, '--headless', f'--trace={trace}', recording.path])
            self.traces[recording.path] = (r, trace)
        return self.traces[recording.path]

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def source_of(program):
    return os.path.join(HERE, program + '.c')


def read_source(program):
    with open(source_of(program), encoding='utf-8') as f:
        return f.read().splitlines()


# ---------------------------------------------------------------- planted leaks

class Planted:
    """The leaks a program's source tags (line numbers from 1)."""

    def __init__(self, program):
        self.file = program + '.c'
        self.created, self.orphan_sources, self.orphaned = [], [], []
        for number, line in enumerate(read_source(program), 1):
            m = TAG.search(line)
            if not m:
                continue
            if m.group(1) == 'orphaned':
                self.orphaned.append(number)
            elif m.group(2):
                self.orphan_sources.append(number)
            else:
                self.created.append(number)
        if len(self.orphaned) != len(self.orphan_sources):
            raise ValueError(f'{self.file}: {len(self.orphaned)} "orphaned" tags but '
                             f'{len(self.orphan_sources)} "created (orphaned)" tags')

    def expected(self):
        """[(created line, orphaned line or None)], one per planted leak."""
        return [(c, None) for c in self.created] + list(zip(self.orphan_sources, self.orphaned))

    def describe(self, leak):
        created, orphaned = leak
        text = f'created at {self.file}:{created}'
        return text + (f', orphaned at {self.file}:{orphaned}' if orphaned else '')


def site_of(kind, line):
    """(file, line) of the first `kind at FILE:LINE (` in line, or None."""
    m = re.search(SITE.format(kind), line)
    return (m.group(1), int(m.group(2))) if m else None


def leak_report_problems(r, planted):
    """The leak lines name exactly the planted leaks, once each; other lines
    are allowed only as consequences: `held by` a leaked handle."""
    problems = []
    expected = planted.expected() if planted else []
    found = collections.Counter()
    handles = [f'{planted.file}:{c}' for c in planted.created] if planted else []
    for line in leak_lines(r):
        created, orphaned = site_of('created', line), site_of('orphaned', line)
        leak = None
        if planted and created and created[0] == planted.file:
            leak = (created[1], orphaned[1] if orphaned and orphaned[0] == planted.file else None)
        if leak in expected:
            found[leak] += 1
        elif 'held by' in line and any(h in line for h in handles):
            pass    # a buffer held by a leaked handle: a consequence, said so
        else:
            problems.append(f'a leak that was not planted: {line}')
    for leak in expected:
        if found[leak] != 1:
            problems.append(f'the planted leak {planted.describe(leak)} is reported '
                            f'{found[leak]} times, expected once')
    if problems and leak_lines(r):
        problems += ['leak lines:'] + ['  ' + l for l in leak_lines(r)]
    elif problems:
        problems += ['no line starts "refscope: leak: "'] + r.describe()
    return problems


# ---------------------------------------------------------------- the trace

def trace_problems(steps, program=None, partial=False, leaks=False, threads=1):
    """The rules of a converted recording: DESIGN.md section 7's per-step
    rules (test-cli.py's), and section 12's: every step names its thread
    and its site, every handle and buffer its site.
    program: the test program whose source the sites must point into;
    leaks: references may be lost (the program plants leaks); threads: how
    many program threads make calls (1: one thread value, every step exact;
    None: unknown)."""
    problems = cli.invariant_problems(steps, partial)
    source = read_source(program) if program else None
    for i, s in enumerate(steps):
        where = f'step {i} ({s.get("call")})'
        site = s.get('site')
        if 'thread' not in s:
            problems.append(f'{where}: no "thread"')
        # The last step of a program that exited is its exit: what was still
        # alive, not a call the program made, so it has no site.
        at_exit = s.get('call') == 'exit' and i == len(steps) - 1
        if not at_exit and (not isinstance(site, dict) or any(k not in site for k in ('function', 'file', 'line'))):
            problems.append(f'{where}: site {site!r} is not {{"function", "file", "line"}}')
        elif source is not None and not (i == len(steps) - 1 and not s['call'].startswith('av')):
            # Every step is a call the program made (not libav calling
            # itself), at a line of its source that makes that call; the
            # last step may be one that closes the recording.
            if os.path.basename(site['file'] or '') != program + '.c':
                problems.append(f'{where}: site {site} is not in {program}.c')
            elif not (isinstance(site['line'], int) and 0 < site['line'] <= len(source)
                      and re.search(r'\b' + re.escape(s['call']) + r'\b', source[site['line'] - 1])):
                problems.append(f'{where}: site {site}: that line does not call {s["call"]}')
        problems += [f'{where}: handle {h["id"]} has no "site"' for h in s['handles'] if 'site' not in h]
        problems += [f'{where}: buffer {b["id"]} has no "site"' for b in s['buffers'] if 'site' not in b]
        if not leaks:
            problems += [f'{where}: buffer {b["id"]} has lost references in a program that loses none'
                         for b in s['buffers'] if b.get('lost')]
        if len(problems) > 20:
            return problems
    if threads == 1:
        thread_ids = {json.dumps(s.get('thread')) for s in steps}
        if len(thread_ids) != 1:
            problems.append(f'one program thread, but the steps name {len(thread_ids)}: '
                            f'{sorted(thread_ids)[:5]}')
        not_exact = [i for i, s in enumerate(steps) if s.get('exact') is not True]
        if not_exact:
            problems.append(f'one thread and one decoder thread, but steps {not_exact[:5]} '
                            f'are not exact')
    if not partial and not leaks and steps[-1]['buffers']:
        problems.append('the last step lists leaked buffers of a program that leaks nothing')
    return problems


def converted(ctx, recording, partial=False):
    """(problems, steps): the recording converts (exit 0) to a trace."""
    if recording.run.hung:
        return recording.run.describe(), None
    if not os.path.exists(recording.path) or os.path.getsize(recording.path) == 0:
        return [f'no recording at {recording.path}'] + recording.run.describe(), None
    r, trace = ctx.convert(recording)
    if r.status != 0:
        return [f'converting {"a partial" if partial else "the"} recording failed'] + r.describe(), None
    return [], cli.load_trace(trace)


# ---------------------------------------------------------------- checks

def same_behaviour(ctx, argv, *options, stdin=None, status=None):
    """The recorded run behaves as the plain one: exit status (or `status`
    when given), stdout, and stderr without Refscope's lines."""
    plain = ctx.plain(argv, stdin)
    if plain.hung:
        return ['the plain run hung'] + plain.describe()
    rec = ctx.record(argv, *options, stdin=stdin).run
    problems = []
    want = plain.status if status is None else status
    if rec.status != want:
        problems.append(f'recorded: {status_text(rec.status)}; expected {status_text(want)} '
                        f'(the plain run: {status_text(plain.status)})')
    if rec.stdout != plain.stdout:
        a, b = plain.stdout.decode(errors='replace').splitlines(), \
            rec.stdout.decode(errors='replace').splitlines()
        n = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        problems.append(f'stdout differs from line {n + 1} ({len(a)} lines plain, {len(b)} recorded): '
                        f'{a[n] if n < len(a) else "(end)"!r} vs {b[n] if n < len(b) else "(end)"!r}')
    if stderr_lines(rec, False) != stderr_lines(plain, False):
        problems.append('stderr differs once the refscope: lines are removed')
    return problems + (['recorded run:'] + rec.describe() if problems else [])


def recorded_checks(tap, ctx, name, argv, program=None, planted=None, threads=1, stdin=None,
                    check_trace_media=None):
    """The checks every recorded program gets. program: its source, for the
    sites; planted: its Planted leaks (None: it leaks nothing)."""
    tap.check(f'{name}: recorded, behaves as plain', same_behaviour, ctx, argv, stdin=stdin)

    def leaks():
        rec = ctx.record(argv, stdin=stdin).run
        if rec.status != ctx.plain(argv, stdin).status:
            return ['the recorded run did not end as the plain one'] + rec.describe()
        if planted:
            return leak_report_problems(rec, planted)
        return [f'a leak reported in a program that leaks nothing: {l}' for l in leak_lines(rec)]

    tap.check(f'{name}: {"the planted leaks, at their lines, and nothing else" if planted else "no leak reported"}',
              leaks)

    def trace():
        problems, steps = converted(ctx, ctx.record(argv, stdin=stdin))
        if steps is None:
            return problems
        return trace_problems(steps, program, leaks=planted is not None, threads=threads)

    at_calls = ', sites at the program\'s calls' if program else ''
    tap.check(f'{name}: the recording converts to a trace with thread and site on every step'
              f'{at_calls}, the per-step rules', trace)
    if check_trace_media:
        tap.check(f'{name}: the converted trace passes check-trace.py', check_trace_problems,
                  ctx, ctx.record(argv, stdin=stdin), check_trace_media)


def check_trace_problems(ctx, recording, media):
    if not ctx.check_trace:
        return []   # reported as a skip by the callers
    problems, steps = converted(ctx, recording)
    if steps is None:
        return problems
    _, trace = ctx.convert(recording)
    p = subprocess.run([sys.executable, ctx.check_trace, trace, media], capture_output=True,
                       text=True, timeout=TIMEOUT)
    return [] if p.returncode == 0 else p.stdout.splitlines() + p.stderr.splitlines()


def check_trace_or_skip(tap, ctx, name, recording_of, media):
    if ctx.check_trace:
        tap.check(f'{name}: the converted trace passes check-trace.py',
                  lambda: check_trace_problems(ctx, recording_of(), media))
    else:
        tap.skip(f'{name}: check-trace.py', 'check-trace.py not found')


def ffprobe_frames(media, video_only=False):
    """[(stream, pts or 'none')] of every frame ffprobe decodes, in order."""
    out = subprocess.run(['ffprobe', '-v', 'error', '-threads', '1', '-of', 'json', '-show_frames',
                          '-show_entries', 'frame=stream_index,pts,media_type', media],
                         capture_output=True, text=True, check=True).stdout
    return [(f['stream_index'], str(f.get('pts', 'none'))) for f in json.loads(out)['frames']
            if not video_only or f.get('media_type') == 'video']


FRAME_LINE = re.compile(r'^frame stream=(\d+) pts=(-?\d+|none) refcount=(\d+)$')


def printed_frames(stdout):
    """[(stream, pts, refcount)] of decode-loop's lines."""
    frames = []
    for line in stdout.decode().splitlines():
        m = FRAME_LINE.match(line)
        if m:
            frames.append((int(m.group(1)), m.group(2), int(m.group(3))))
    return frames


# ---------------------------------------------------------------- group: plain

def group_plain(tap, ctx):
    for media in ('sample.mp4', 'sample.webm', 'sample.ts'):
        def frames(media=media):
            r = ctx.plain(ctx.command('decode-loop', ctx.sample(media)))
            if r.status != 0:
                return r.describe()
            got = [(s, p) for s, p, _ in printed_frames(r.stdout)]
            want = ffprobe_frames(ctx.sample(media))
            if got != want:
                n = next((k for k, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want)))
                return [f'{len(got)} frames printed, ffprobe decodes {len(want)}; first difference '
                        f'at #{n}: {got[n:n + 1]} vs {want[n:n + 1]}']
            counts = [c for _, _, c in printed_frames(r.stdout)]
            return [] if min(counts) >= 1 else [f'a refcount below 1: {min(counts)}']
        tap.check(f'decode-loop {media}: every frame ffprobe decodes, in order, refcount >= 1', frames)

    mp4 = ctx.sample('sample.mp4')
    video_frames = len(ffprobe_frames(mp4, video_only=True))

    def output(program, *args, expect=()):
        """Exit 0, the same stdout twice, and each regex of expect found."""
        argv = ctx.command(program, *args)
        r = ctx.plain(argv)
        if r.status != 0:
            return r.describe()
        problems = [] if run(argv).stdout == r.stdout else ['two runs print different things']
        text = r.stdout.decode()
        for pattern in expect:
            if not re.search(pattern, text, re.M):
                problems.append(f'no line matching {pattern!r} in:')
                problems += text.splitlines()[-8:]
        return problems

    tap.check('seed-test1: buf NULL, then refcount 1, then NULL', output, 'seed-test1', expect=(
        r'^after av_packet_alloc: buf=NULL\nafter av_new_packet: buf refcount=1 size=\d+\n'
        r'after av_packet_unref: buf=NULL\ndone$',))
    tap.check('seed-test2: av_init_packet leaves buf NULL', output, 'seed-test2', expect=(
        r'^after av_new_packet: buf refcount=1 size=\d+\nafter av_init_packet: buf=NULL\ndone$',))
    tap.check('planted-leaks: shows every video frame', output, 'planted-leaks', mp4, expect=(
        rf'^end packets={video_frames} frames={video_frames}$',))

    def custom_get_buffer():
        problems = output('custom-get-buffer', mp4, expect=(
            r'^every buffer came back to the free callback: yes$',))
        text = ctx.plain(ctx.command('custom-get-buffer', mp4)).stdout.decode()
        frames = re.findall(r'^frame .* own-opaque=(\w+)', text, re.M)
        if len(frames) != video_frames or set(frames) != {'yes'}:
            problems.append(f'{len(frames)} frames ({video_frames} expected), own-opaque {set(frames)}')
        m = re.search(r'^get_buffer2 calls=(\d+) with own avctx->opaque=(\d+)$', text, re.M)
        if not m or m.group(1) != m.group(2) or m.group(1) == '0':
            problems.append(f'get_buffer2 did not always see the program\'s opaque: {m and m.group(0)}')
        return problems

    tap.check('custom-get-buffer: its buffers, its opaque, all freed', custom_get_buffer)
    tap.check('threaded-queue: every video frame, a checksum', output, 'threaded-queue', mp4,
              expect=(rf'^frames={video_frames} checksum=[0-9a-f]{{8}}$',))

    def encode(codec, writable_pattern):
        problems = output('encode', codec, expect=(r'^end frames=25 packets=25 bytes=\d+$',))
        text = ctx.plain(ctx.command('encode', codec)).stdout.decode()
        writable = ''.join(re.findall(r'^frame \d+ writable=(\d)$', text, re.M))
        if not re.fullmatch(writable_pattern, writable):
            problems.append(f'writable before each picture: {writable}, expected {writable_pattern}')
        return problems

    # mpeg4 copies each picture: always writable; its B-frames come out
    # reordered. ffv1 keeps a reference to the last picture: shared from
    # the second picture on.
    tap.check('encode mpeg4: 25 pictures, 25 packets, the picture always writable',
              encode, 'mpeg4', '1{25}')
    tap.check('encode mpeg4: packets reordered (B-frames)', output, 'encode', 'mpeg4',
              expect=(r'^packet pts=3 dts=0 ',))
    tap.check('encode ffv1: 25 pictures, 25 packets, the picture shared from the second on',
              encode, 'ffv1', '10{24}')
    tap.check('filter-graph: every video frame, scaled to 160x120', output, 'filter-graph', mp4,
              expect=(rf'^end decoded={video_frames} filtered={video_frames}$',
                      r'^filtered pts=\d+ size=160x120 sum='))


# ---------------------------------------------------------------- group: sanitized

def lsan_direct_leaks(stderr):
    """[[(file, line) of each stack frame]] of LeakSanitizer's direct leaks."""
    leaks, current = [], None
    for line in stderr.splitlines():
        if line.startswith('Direct leak of '):
            current = []
            leaks.append(current)
        elif line.startswith('Indirect leak of ') or not line.strip():
            current = None
        elif current is not None:
            m = re.search(r' in \S+ (\S+):(\d+)', line)
            if m:
                current.append((os.path.basename(m.group(1)), int(m.group(2))))
    return leaks


def group_sanitized(tap, ctx):
    # exitcode=23: LeakSanitizer's status, as standalone; under ASan it is 1.
    env = dict(os.environ,
               ASAN_OPTIONS='detect_leaks=1:exitcode=23:fast_unwind_on_malloc=0:malloc_context_size=40',
               UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1', LSAN_OPTIONS='')
    mp4 = ctx.sample('sample.mp4')
    for program, args in (('decode-loop', [mp4]), ('seed-test1', []), ('seed-test2', []),
                          ('planted-leaks', [mp4]), ('custom-get-buffer', [mp4]),
                          ('threaded-queue', [mp4]), ('encode', ['mpeg4']), ('encode', ['ffv1']),
                          ('filter-graph', [mp4]),
                          ('transcode', [mp4, 'decoder-first']),
                          ('codec-close', [mp4, 'frame-threads'])):
        def sanitized(program=program, args=args):
            planted = Planted(program)
            expected = planted.expected()
            r = run([ctx.asan_programs[program], *args], env=env)
            err = r.stderr.decode(errors='replace')
            problems = []
            if re.search(r'ERROR: AddressSanitizer|runtime error:', err):
                problems.append('ASan or UBSan reported an error')
            want = LEAKS_ERROR_STATUS if expected else 0
            if r.status != want:
                problems.append(f'{status_text(r.status)}, expected {want}')
            # (LeakSanitizer ends a leaking program before stdio is flushed.)
            if not expected and r.stdout != ctx.plain(ctx.command(program, *args)).stdout:
                problems.append('prints something else than the plain build')
            tagged = {c for c, _ in expected}
            found = collections.Counter()
            for stack in lsan_direct_leaks(err):
                lines = {n for f, n in stack if f == planted.file} & tagged
                if len(lines) != 1:
                    problems.append(f'a direct leak not allocated at a tagged line: {stack[:8]}')
                found.update(lines)
            for line in sorted(tagged):
                if found[line] != 1:
                    problems.append(f'{found[line]} direct leaks from the tagged line '
                                    f'{planted.file}:{line}, expected 1')
            return problems + (err.splitlines()[-40:] if problems else [])
        count = len(Planted(program).expected())
        tap.check(f'{" ".join([program + "-asan"] + [os.path.basename(a) for a in args])}: '
                  f'no memory error; LeakSanitizer finds '
                  f'{f"{count} leak(s), at the tagged lines" if count else "no leak"}', sanitized)


# ---------------------------------------------------------------- group: decode-loop

def traced_frames(steps):
    """[(stream, pts, refcount of buf[0])] at each avcodec_receive_frame
    that returned a frame, from its out handle; a string when a step has
    no such handle."""
    frames = []
    for i, s in enumerate(steps):
        if s['call'] != 'avcodec_receive_frame' or s['ret'] != 0:
            continue
        frame = next((h for h in s['handles'] if h['id'] == s.get('out')), None)
        buf = cli.ref_of(frame, 'buf[0]') if frame else None
        listed = next((b for b in s['buffers'] if b['id'] == buf), None)
        if listed is None:
            return (f'step {i}: avcodec_receive_frame returned 0 but its out handle '
                    f'{s.get("out")!r} has no listed buf[0]')
        pts = frame.get('pts')
        frames.append((frame.get('stream'), 'none' if pts is None else str(pts), listed['refcount']))
    return frames


def refcount_problems(ctx, argv):
    """The trace's refcount of buf[0] at each avcodec_receive_frame that
    returned a frame is the one the program printed, frame by frame."""
    problems, steps = converted(ctx, ctx.record(argv))
    if steps is None:
        return problems
    printed = printed_frames(ctx.plain(argv).stdout)
    traced = traced_frames(steps)
    if isinstance(traced, str):
        return [traced]
    if traced == printed:
        return []
    n = next((k for k, (x, y) in enumerate(zip(traced, printed)) if x != y), min(len(traced), len(printed)))
    return [f'{len(printed)} frames printed, {len(traced)} received in the trace; first difference '
            f'at frame #{n} (stream, pts, refcount): printed {printed[n:n + 1]}, trace {traced[n:n + 1]}']


def group_decode_loop(tap, ctx):
    for media in ('sample.mp4', 'sample.webm', 'sample.ts'):
        argv = ctx.command('decode-loop', ctx.sample(media))
        name = f'decode-loop {media}'
        recorded_checks(tap, ctx, name, argv, program='decode-loop')
        tap.check(f'{name}: the trace\'s refcount at each avcodec_receive_frame is the printed one',
                  refcount_problems, ctx, argv)
        check_trace_or_skip(tap, ctx, name, lambda argv=argv: ctx.record(argv), ctx.sample(media))

    mp4 = ctx.sample('sample.mp4')
    argv = ctx.command('decode-loop', mp4)

    def identical_traces():
        traces = []
        for _ in range(2):
            rec = ctx.record(argv, fresh=True)
            problems, _ = converted(ctx, rec)
            if problems:
                return problems
            with open(ctx.convert(rec)[1], 'rb') as f:
                traces.append(f.read().splitlines())
        a, b = traces
        if a == b:
            return []
        n = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return [f'the traces differ from line {n + 1} ({len(a)} vs {len(b)} lines)']

    tap.check('decode-loop sample.mp4: two recordings convert to identical traces', identical_traces)

    tap.check('decode-loop sample.mp4 --leaks=error: exit status 0, as the program',
              same_behaviour, ctx, argv, '--leaks=error')

    for signal_name, number in (('sigkill', 9), ('sigsegv', 11)):
        killed = ctx.command('decode-loop', mp4, f'--{signal_name}-after={KILL_AFTER}')
        name = f'decode-loop --{signal_name}-after={KILL_AFTER}'

        def plain_dies(killed=killed, number=number):
            r = ctx.plain(killed)
            return [] if r.status == -number else [f'the plain run: {status_text(r.status)}']

        def partial_trace(killed=killed):
            problems, steps = converted(ctx, ctx.record(killed), partial=True)
            if steps is None:
                return problems
            frames = sum(1 for s in steps if s['call'] == 'avcodec_receive_frame' and s['ret'] == 0)
            if frames > KILL_AFTER:
                problems.append(f'{frames} frames received in the trace of a run that died '
                                f'after {KILL_AFTER}')
            return problems + trace_problems(steps, 'decode-loop', partial=True)

        tap.check(f'{name}: the plain run is killed by signal {number}', plain_dies)
        tap.check(f'{name}: recorded, killed by the same signal, the same stdout',
                  same_behaviour, ctx, killed)
        tap.check(f'{name}: the recording still converts, up to the last complete step',
                  partial_trace)

    ts = ctx.sample('sample.ts')
    tap.check('decode-loop pipe:0 < sample.ts: recorded, stdin reaches the program',
              same_behaviour, ctx, ctx.command('decode-loop', 'pipe:0'), stdin=ts)
    missing = ctx.command('decode-loop', os.path.join(ctx.tmp, 'missing.mp4'))
    tap.check('decode-loop on a missing file: recorded, the same message and exit status 1',
              same_behaviour, ctx, missing)
    # exit(1) after a failed libav call, and `return 2` from main before
    # any: the exit step's ret is the status the plain run ends with.
    bad_option = ctx.command('decode-loop', mp4, '--no-such-option')
    tap.check('decode-loop --no-such-option: recorded, the same message and exit status 2',
              same_behaviour, ctx, bad_option)
    for name, argv in (('decode-loop on a missing file (exit(1))', missing),
                       ('decode-loop --no-such-option (main returns 2)', bad_option)):
        tap.check(f'{name}: the trace ends with an exit step whose ret is the exit status',
                  exit_step_problems, ctx, argv)


def exit_step_problems(ctx, argv):
    """The converted recording of argv ends with its exit step, whose ret is
    the plain run's exit status (not 0), and keeps the per-step rules."""
    plain = ctx.plain(argv)
    if plain.hung or plain.status is None or plain.status <= 0:
        return [f'the plain run should exit with a status above 0: {status_text(plain.status)}']
    problems, steps = converted(ctx, ctx.record(argv))
    if steps is None:
        return problems
    last = steps[-1]
    if last.get('call') != 'exit' or last.get('ret') != plain.status:
        problems.append(f'the last step is {last.get("call")!r} with ret {last.get("ret")!r}; '
                        f'expected exit with ret {plain.status}')
    if any(s.get('call') == 'exit' for s in steps[:-1]):
        problems.append('an exit step before the last')
    return problems + trace_problems(steps, 'decode-loop')


# ---------------------------------------------------------------- the other programs

def orphan_problems(ctx, argv, planted):
    """The trace shows each planted orphaning where it happens: the step at
    the tagged line gives a buffer a lost reference, no other step loses
    one, and the last step lists that buffer as leaked."""
    problems, steps = converted(ctx, ctx.record(argv))
    if steps is None:
        return problems
    losses = []     # (step, buffer, FILE:LINE) where a buffer's lost count grew
    lost = {}
    for i, s in enumerate(steps):
        for b in s['buffers']:
            if b.get('lost', 0) > lost.get(b['id'], 0):
                site = s.get('site') or {}
                losses.append((i, b['id'], f'{os.path.basename(site.get("file") or "?")}:{site.get("line")}'))
            lost[b['id']] = b.get('lost', 0)
    where = sorted(w for _, _, w in losses)
    planted_at = sorted(f'{planted.file}:{line}' for line in planted.orphaned)
    if where != planted_at:
        problems.append(f'references lost at {where} (steps {[i for i, _, _ in losses][:10]}), '
                        f'planted at {planted_at}')
    leaked = {b['id'] for b in steps[-1]['buffers'] if b.get('leaked')}
    for i, bid, _ in losses:
        if bid not in leaked:
            problems.append(f'buffer {bid}, orphaned at step {i}, is not leaked in the last step')
    return problems


def group_seeds(tap, ctx):
    recorded_checks(tap, ctx, 'seed-test1', ctx.command('seed-test1'), program='seed-test1')
    recorded_checks(tap, ctx, 'seed-test2', ctx.command('seed-test2'), program='seed-test2',
                    planted=Planted('seed-test2'))
    tap.check('seed-test2: the trace loses the reference at av_init_packet, and ends with '
              'that buffer leaked', orphan_problems, ctx, ctx.command('seed-test2'),
              Planted('seed-test2'))

    def default_output():
        # DESIGN.md section 12: the recording goes to PROGRAM.PID.rstrace in
        # the current directory by default.
        cwd = os.path.join(ctx.tmp, 'default-output')
        os.mkdir(cwd)
        r = run([ctx.refscope, 'record', '--', ctx.programs['seed-test1']], cwd=cwd)
        made = os.listdir(cwd)
        if r.status != 0 or len(made) != 1 or not re.fullmatch(r'seed-test1\.\d+\.rstrace', made[0]):
            return [f'files made in the current directory: {made}'] + r.describe()
        return []

    tap.check('seed-test1 recorded without --output: seed-test1.PID.rstrace', default_output)

    def exported():
        # --export renders a recording's steps, one file a step and format,
        # numbered like the trace's steps.
        recording = ctx.record(ctx.command('seed-test2'))
        problems, steps = converted(ctx, recording)
        if steps is None:
            return problems
        out = os.path.join(ctx.tmp, 'seed-test2-export')
        os.makedirs(out, exist_ok=True)
        r = run([ctx.refscope, '--headless', f'--export={out}', '--format=dot,svg', recording.path])
        if r.status != 0:
            return r.describe()
        made = sorted(os.listdir(out))
        # Files count steps from 1, as the window does; the trace from 0.
        wanted = sorted(f'step-{i + 1:06d}.{f}' for i in range(len(steps)) for f in ('dot', 'svg'))
        if made != wanted:
            return [f'--export made {made[:6]}..., expected {wanted[:6]}... ({len(wanted)} files)']
        lost = [i for i, s in enumerate(steps) if any(e['event'] == 'lost' for e in s['events'])]
        dot = open(os.path.join(out, f'step-{lost[0] + 1:06d}.dot')).read() if lost else ''
        return [] if 'lost' in dot else [f'the graph of the step that loses a reference draws no "lost" node']

    tap.check('seed-test2 recording --export=DIR --format=dot,svg: a graph a step; the lost reference drawn',
              exported)


def group_planted_leaks(tap, ctx):
    argv = ctx.command('planted-leaks', ctx.sample('sample.mp4'))
    planted = Planted('planted-leaks')
    if len(planted.expected()) != 3:
        tap.check('planted-leaks.c tags three leaks',
                  lambda: [f'it tags {len(planted.expected())}: {planted.expected()}'])
    recorded_checks(tap, ctx, 'planted-leaks', argv, program='planted-leaks', planted=planted)
    tap.check('planted-leaks --leaks=error: exit status 23, the same output',
              same_behaviour, ctx, argv, '--leaks=error', status=LEAKS_ERROR_STATUS)

    tap.check('planted-leaks: the trace loses a reference at the orphaning line only, and '
              'ends with that buffer leaked', orphan_problems, ctx, argv, planted)


def group_program(program, *runs, threads=1):
    """The recorded checks of a program, run with each argument list of
    runs ('MEDIA' stands for sample.mp4)."""
    def group(tap, ctx):
        mp4 = ctx.sample('sample.mp4')
        for args in runs:
            args = [mp4 if a == 'MEDIA' else a for a in args]
            argv = ctx.command(program, *args)
            name = ' '.join([program] + [os.path.basename(a) for a in args])
            recorded_checks(tap, ctx, name, argv, program=program, threads=threads)
            if mp4 in args:
                check_trace_or_skip(tap, ctx, name, lambda argv=argv: ctx.record(argv), mp4)
            if program == 'threaded-queue':
                tap.check(f'{name}: the reader\'s and the decoder\'s steps name their own '
                          f'threads; some steps are not exact', two_threads, ctx, argv)
    return group


def two_threads(ctx, argv):
    problems, steps = converted(ctx, ctx.record(argv))
    if steps is None:
        return problems
    reads = {json.dumps(s.get('thread')) for s in steps if s['call'] == 'av_read_frame'}
    decodes = {json.dumps(s.get('thread')) for s in steps if s['call'] == 'avcodec_send_packet'}
    if len(reads) != 1 or len(decodes) != 1 or reads == decodes:
        problems.append(f'av_read_frame on threads {reads}, avcodec_send_packet on '
                        f'{decodes}: expected one each, two different')
    if all(s.get('exact') for s in steps):
        problems.append('every step is exact, with two program threads and two decoder threads')
    return problems


def group_ffmpeg(tap, ctx):
    if not ctx.ffmpeg:
        tap.skip('ffmpeg recorded', 'ffmpeg not found')
        return
    mp4 = ctx.sample('sample.mp4')
    # -v error: ffmpeg's progress lines carry timings, the rest must match.
    null = [ctx.ffmpeg, '-nostdin', '-v', 'error', '-i', mp4, '-f', 'null', '-']
    recorded_checks(tap, ctx, 'ffmpeg -f null', null, threads=None)
    check_trace_or_skip(tap, ctx, 'ffmpeg -f null', lambda: ctx.record(null), mp4)
    # The MD5 of every decoded frame on stdout: recorded, the same pictures.
    md5 = [ctx.ffmpeg, '-nostdin', '-v', 'error', '-i', mp4, '-f', 'framemd5', '-']
    tap.check('ffmpeg -f framemd5: recorded, the same frames', same_behaviour, ctx, md5)


def group_refused(tap, ctx):
    if not ctx.not_recordable:
        tap.skip('a static program is refused before it runs',
                 'no static C library: the static program could not be built')
        return

    def refused():
        proof = os.path.join(ctx.tmp, 'ran')
        r = run([ctx.not_recordable, proof])
        if r.status != 0 or not os.path.exists(proof):
            return ['the static program does not run plain'] + r.describe()
        os.unlink(proof)
        rec = ctx.record([ctx.not_recordable, proof]).run
        problems = []
        if rec.status != 1:
            problems.append(f'{status_text(rec.status)}, expected exit status 1')
        if os.path.exists(proof) or rec.stdout:
            problems.append('the program ran')
        err = ' '.join(stderr_lines(rec, True))
        name = os.path.basename(ctx.not_recordable)
        if name not in err:
            problems.append(f'the refscope: lines on stderr do not name {name}')
        if not re.search(r'static|dynamic|LD_PRELOAD', err, re.I):
            problems.append('the refscope: lines on stderr give no reason '
                            '(static, dynamic or LD_PRELOAD)')
        return problems + (rec.describe() if problems else [])

    tap.check('a statically linked program: refused before it runs, exit 1, '
              'the program and the reason named', refused)


GROUPS = {
    'plain': group_plain,
    'sanitized': group_sanitized,
    'decode-loop': group_decode_loop,
    'seeds': group_seeds,
    'planted-leaks': group_planted_leaks,
    'custom-get-buffer': group_program('custom-get-buffer', ['MEDIA']),
    'threaded-queue': group_program('threaded-queue', ['MEDIA'], threads=2),
    'encode': group_program('encode', ['mpeg4'], ['ffv1']),
    'filter-graph': group_program('filter-graph', ['MEDIA']),
    'ffmpeg': group_ffmpeg,
    'refused': group_refused,
}


def main(groups=GROUPS, description=__doc__):
    """Runs the group the command line names, of `groups` (another
    script's, with the same options: test-record-holders.py)."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument('group', choices=groups)
    parser.add_argument('--refscope', required=True)
    parser.add_argument('--media', required=True)
    for option in ('--check-trace', '--ffmpeg', '--not-recordable'):
        parser.add_argument(option, default='')
    parser.add_argument('--programs', nargs='+', required=True)
    parser.add_argument('--asan-programs', nargs='+', required=True)
    opts = parser.parse_args()
    cli.run_group(groups, opts.group, Context(opts))


if __name__ == '__main__':
    main()
