#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reliability tests of `refscope --headless` (the issue "Reliability"); prints TAP.

usage: test-reliability.py GROUP --refscope PATH --media DIR --make-media PATH
                           [--check-trace PATH] [--regressions DIR]

GROUP is one of:
  truncated   each bundled clip cut at 30 offsets
  bitflip     each bundled clip with bits flipped, 30 seeds each
  odd-files   a clip with the wrong extension, a codec without decoder, files
              without streams, a symlink loop, a FIFO, a device, a 2 GiB
              sparse file, the crash inputs of tests/regressions
  export      exports and traces to a full disk, a read-only folder, over an
              existing file, on a path too long

Every damaged input must give exit 0 with a trace that keeps the per-step
rules, or exit 1 with one line on stderr naming the file; never a crash or a
hang. Every failed write must give exit 1, one line naming the path and the
reason, and leave no partial or temporary file behind.

The helpers (running Refscope, TAP, the trace rules, the command line) are
test-cli.py's; the cases here are the ones its bad-input group does not
cover.
"""
import collections
import concurrent.futures
import importlib.util
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location('test_cli', os.path.join(HERE, 'test-cli.py'))
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)

CLIPS = ('sample.mp4', 'sample.webm', 'sample.ts')
N_CASES = 30               # offsets / seeds per clip
WORKERS = 2                # sessions run at once (meson runs other tests beside)
SPARSE_SIZE = 2 << 30
SPARSE_MAX_RSS_MB = 300
NOBODY = 65534

# Tests that fail because of a known bug in Refscope are reported as TAP TODO
# (meson: expected failure), as in test-cli.py. Remove an entry once fixed.
KNOWN_BUGS = {}


class Context(cli.Context):
    def __init__(self, opts):
        super().__init__(opts)
        self.regressions = opts.regressions or None

    def headless_env(self, *args, preexec_fn=None, prefix=()):
        """Like headless(), with a preexec function or a command in front."""
        argv = [*prefix, self.refscope, '--headless', *args]
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=cli.TIMEOUT, preexec_fn=preexec_fn)
            return cli.Run(argv, p.returncode, p.stdout, p.stderr)
        except subprocess.TimeoutExpired as e:
            return cli.Run(argv, None, e.stdout or b'', e.stderr or b'')


def outcome_problems(ctx, path, trace):
    """Exit 0 with a sound trace, or exit 1 with one line naming the file.
    Returns (problems, exit status)."""
    r = ctx.headless(f'--trace={trace}', path)
    try:
        if r.status == 0:
            problems = cli.invariant_problems(cli.load_trace(trace))
            return (problems + [f'command: {" ".join(r.argv)}']) if problems else [], 0
        return cli.failure_problems(r) + cli.message_problems(r, path), r.status
    finally:
        if os.path.exists(trace):
            os.unlink(trace)


def check_all(tap, ctx, cases):
    """cases: [(test name, path)]; runs them WORKERS at a time, reports in order."""
    statuses = collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(outcome_problems, ctx, path, path + '.jsonl') for _, path in cases]
        for (name, _), future in zip(cases, futures):
            try:
                problems, status = future.result()
                statuses[status] += 1
            except Exception:
                problems = ['exception in the test:'] + traceback.format_exc().splitlines()
            tap.check(name, lambda: problems)
    if cases:
        print(f'# {len(cases)} inputs: {statuses[0]} decoded (exit 0), {statuses[1]} refused (exit 1), '
              f'{len(cases) - statuses[0] - statuses[1]} other')


# ---------------------------------------------------------------- group: truncated

def truncation_offsets(size, n=N_CASES):
    """Many cuts inside the headers (where parsers are most fragile), the
    rest spread over the file."""
    head = [1, 2, 3, 4, 5, 8, 12, 16, 23, 32, 47, 64, 100, 188, 256, 376, 512, 1000, 2048, 4096]
    head = [o for o in head if o < size // 4][:n // 2]
    spread = [size * k // (n - len(head) + 1) for k in range(1, n - len(head) + 1)]
    offsets = sorted(set(head + spread + [size - 1]))
    return offsets[:n]


def group_truncated(tap, ctx):
    out = os.path.join(ctx.tmp, 'truncated')
    os.mkdir(out)
    cases = []
    for clip in CLIPS:
        data = open(ctx.sample(clip), 'rb').read()
        stem, ext = os.path.splitext(clip)
        for offset in truncation_offsets(len(data)):
            path = os.path.join(out, f'{stem}-cut{offset}{ext}')
            with open(path, 'wb') as f:
                f.write(data[:offset])
            cases.append((f'{clip} cut to {offset} of {len(data)} bytes: '
                          f'exit 0 with a sound trace, or exit 1 naming the file', path))
    check_all(tap, ctx, cases)


# ---------------------------------------------------------------- group: bitflip

def flip_bits(data, seed):
    """1 to 64 random bits flipped, the same ones for the same seed."""
    rng = random.Random(seed)
    flipped = bytearray(data)
    for _ in range(rng.choice((1, 2, 4, 8, 16, 32, 64))):
        i = rng.randrange(len(flipped))
        flipped[i] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def group_bitflip(tap, ctx):
    out = os.path.join(ctx.tmp, 'bitflip')
    os.mkdir(out)
    cases = []
    for clip in CLIPS:
        data = open(ctx.sample(clip), 'rb').read()
        stem, ext = os.path.splitext(clip)
        for seed in range(N_CASES):
            path = os.path.join(out, f'{stem}-flip{seed}{ext}')
            with open(path, 'wb') as f:
                f.write(flip_bits(data, seed))
            cases.append((f'{clip} with bits flipped (seed {seed}): '
                          f'exit 0 with a sound trace, or exit 1 naming the file', path))
    check_all(tap, ctx, cases)


# ---------------------------------------------------------------- group: odd-files

def sparse_rss(refscope, path):
    """Runs refscope in a fresh helper process, so RUSAGE_CHILDREN there
    sees only this run."""
    helper = ('import resource, subprocess, sys\n'
              'p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True)\n'
              'sys.stdout.write(f"{p.returncode} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n")\n'
              'sys.stderr.buffer.write(p.stderr)\n')
    argv = [refscope, '--headless', path]
    p = subprocess.run([sys.executable, '-c', helper, *argv], capture_output=True,
                       timeout=cli.TIMEOUT)
    status, rss_kb = (int(x) for x in p.stdout.split())
    return cli.Run(argv, status, b'', p.stderr), rss_kb / 1024


def group_odd_files(tap, ctx):
    odd = os.path.join(ctx.tmp, 'odd')
    os.mkdir(odd)

    def failure(path, *expect, args=()):
        """Exit 1, one line naming path, containing each of expect."""
        r = ctx.headless(*args, path)
        problems = cli.failure_problems(r) + cli.message_problems(r, path)
        line = r.stderr.decode(errors='replace').strip()
        problems += [f'the message does not say "{e}": {line}' for e in expect if e not in line]
        return problems

    # A WebM named .mp4, an MPEG-TS named .webm: FFmpeg probes the content.
    for clip, name in (('sample.webm', 'webm-inside.mp4'), ('sample.ts', 'ts-inside.webm')):
        path = os.path.join(odd, name)
        shutil.copyfile(ctx.sample(clip), path)

        def wrong_extension(path=path):
            problems = cli.session_problems(ctx, path)
            if not problems and ctx.check_trace:
                problems = cli.check_trace_problems(ctx, path)
            return problems

        tap.check(f'{clip} named {name}: exit 0, a sound trace'
                  f'{" (check-trace.py)" if ctx.check_trace else ""}', wrong_extension)

    # A Matroska file whose codec id names no codec FFmpeg knows.
    mkv = ctx.make_clips('sample.mkv')['sample.mkv']
    data = open(mkv, 'rb').read()
    unknown = os.path.join(odd, 'unknown-codec.mkv')
    with open(unknown, 'wb') as f:
        f.write(data.replace(b'V_MJPEG', b'V_QQQQQ'))
    tap.check('an unknown codec (a Matroska codec id patched): exit 1, "no decoder"',
              lambda: ([] if data.count(b'V_MJPEG') == 1 else ['sample.mkv has no V_MJPEG codec id'])
              + failure(unknown, 'no decoder'))

    # Files with no stream to decode.
    meta = os.path.join(odd, 'metadata-only.ffmeta')
    with open(meta, 'w') as f:
        f.write(';FFMETADATA1\ntitle=no streams here\nartist=refscope\n')
    tap.check('an ffmetadata file (a container with zero streams): exit 1, "no streams"',
              failure, meta, 'no streams')
    srt = os.path.join(odd, 'subtitles.srt')
    with open(srt, 'w') as f:
        f.write('1\n00:00:00,000 --> 00:00:01,000\nOnly subtitles.\n')
    subs = os.path.join(odd, 'subtitles-only.mkv')
    p = subprocess.run(['ffmpeg', '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
                        '-i', srt, '-c:s', 'ass', '-fflags', '+bitexact', subs],
                       capture_output=True, text=True, timeout=60)
    if p.returncode == 0:
        tap.check('a Matroska file with only a subtitle stream: exit 1, "no audio or video stream"',
                  failure, subs, 'no audio or video stream')
    else:
        tap.skip('a Matroska file with only a subtitle stream', f'ffmpeg failed: {p.stderr.strip()}')
    tap.check('--streams=video on an audio-only file: exit 1, "no video stream"',
              failure, ctx.make_clips('sample.wav')['sample.wav'], 'no video stream',
              args=('--streams=video',))

    # Not regular files.
    loop_a, loop_b = os.path.join(odd, 'loop-a.mp4'), os.path.join(odd, 'loop-b.mp4')
    os.symlink(loop_b, loop_a)
    os.symlink(loop_a, loop_b)
    tap.check('a symlink loop: exit 1, "symbolic links"', failure, loop_a, 'symbolic links')
    fifo = os.path.join(odd, 'fifo.mp4')
    os.mkfifo(fifo)
    tap.check('a FIFO nobody writes to: exit 1 at once, "not a regular file"',
              failure, fifo, 'not a regular file')
    tap.check('/dev/zero: exit 1, "not a regular file"', failure, '/dev/zero', 'not a regular file')

    # A 2 GiB sparse file: refused without reading or allocating it.
    sparse = os.path.join(odd, 'sparse.mp4')
    with open(sparse, 'wb') as f:
        f.truncate(SPARSE_SIZE)
    if os.stat(sparse).st_blocks * 512 > 1 << 20:
        tap.skip('a 2 GiB sparse file', 'this filesystem has no sparse files')
    else:
        def sparse_file():
            r, rss = sparse_rss(ctx.refscope, sparse)
            problems = cli.failure_problems(r) + cli.message_problems(r, sparse)
            print(f'# 2 GiB sparse file: max RSS {rss:.0f} MB, exit {r.status}')
            if rss >= SPARSE_MAX_RSS_MB:
                problems.append(f'max RSS {rss:.0f} MB, expected < {SPARSE_MAX_RSS_MB} MB')
            return problems

        tap.check(f'a 2 GiB sparse file of zeros: exit 1, max RSS < {SPARSE_MAX_RSS_MB} MB', sparse_file)
    os.unlink(sparse)

    # The inputs that once crashed the fuzz target, through the command line.
    inputs = sorted(os.listdir(ctx.regressions)) if ctx.regressions and os.path.isdir(ctx.regressions) else []
    cases = []
    for name in inputs:
        path = os.path.join(odd, 'regression-' + name)
        shutil.copyfile(os.path.join(ctx.regressions, name), path)
        cases.append((f'tests/regressions/inputs/{name}: exit 0 with a sound trace, '
                      f'or exit 1 naming the file', path))
    check_all(tap, ctx, cases)


# ---------------------------------------------------------------- group: export

def temp_files(directory):
    """Temporary files an export or a trace may leave:
    .NAME.XXXXXX.partial."""
    try:
        return [n for n in os.listdir(directory) if n.startswith('.')]
    except OSError as e:
        return [f'(cannot list {directory}: {e})']


def partial_size(directory):
    """The size of the temporary trace in directory, 0 if there is none."""
    for name in os.listdir(directory):
        if name.endswith('.partial'):
            try:
                return os.path.getsize(os.path.join(directory, name))
            except OSError:  # renamed meanwhile
                pass
    return 0


def svg_problems(directory):
    """Every step-*.svg in directory is complete."""
    problems = []
    for name in sorted(os.listdir(directory)):
        if name.startswith('step-') and name.endswith('.svg'):
            with open(os.path.join(directory, name), 'rb') as f:
                if not f.read().rstrip().endswith(b'</svg>'):
                    problems.append(f'{name} is not a complete SVG')
    return problems


def write_problems(r, name, reason):
    """Exit 1, one line on stderr naming `name` and saying `reason`."""
    problems = cli.failure_problems(r) + cli.message_problems(r, name)
    line = r.stderr.decode(errors='replace').strip()
    if reason not in line:
        problems.append(f'the message does not say "{reason}": {line}')
    return problems


def mount_namespace_prefix():
    """A command that runs the rest in a private mount namespace where this
    user may mount a tmpfs, or None. Root: unshare -m; others: a user
    namespace too (unshare -rm)."""
    unshare = shutil.which('unshare')
    if unshare is None:
        return None
    prefix = [unshare, '-m'] if os.geteuid() == 0 else [unshare, '-rm']
    probe = subprocess.run(prefix + ['sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" '
                                     '&& umount "$d" && rmdir "$d"'],
                           capture_output=True, timeout=30)
    return prefix if probe.returncode == 0 else None


# Runs in a private mount namespace: mounts a tmpfs of SIZE on DIR, puts
# FILES there (name=content), remounts it read-only if RO is 1, runs the
# command (its stderr goes to DIR.stderr, outside the tmpfs), then prints its
# exit status and what is left in DIR: each file's name and last 16 bytes
# in hex. The tmpfs goes away with the namespace.
IN_TMPFS = r'''
dir=$1 size=$2 ro=$3; shift 3
mount -t tmpfs -o "size=$size,mode=0755" tmpfs "$dir" || exit 99
while [ "$1" != -- ]; do printf '%s' "${1#*=}" > "$dir/${1%%=*}"; shift; done; shift
[ "$ro" = 0 ] || mount -o remount,ro "$dir" || exit 98
"$@" 2>"$dir.stderr"
echo "status $?"
for f in "$dir"/* "$dir"/.[!.]*; do
  [ -e "$f" ] || continue
  printf 'file %s ' "${f##*/}"; tail -c 16 "$f" | od -An -tx1 | tr -d ' \n'; echo
done
'''


def run_in_tmpfs(ctx, prefix, directory, size, args, files=(), read_only=False):
    """(Run, {name: last bytes}) of refscope --headless ARGS with DIRECTORY a
    fresh tmpfs of SIZE; read_only: mounted read-only after FILES are put."""
    os.makedirs(directory, exist_ok=True)
    command = [ctx.refscope, '--headless', *args]
    argv = prefix + ['sh', '-c', IN_TMPFS, 'in-tmpfs', directory, size, '1' if read_only else '0',
                     *[f'{n}={c}' for n, c in files], '--', *command]
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=cli.TIMEOUT)
    status, left = None, {}
    for line in p.stdout.decode(errors='replace').splitlines():
        word, _, rest = line.partition(' ')
        if word == 'status':
            status = int(rest)
        elif word == 'file':
            name, _, tail = rest.partition(' ')
            left[name] = bytes.fromhex(tail)
    stderr = open(directory + '.stderr', 'rb').read() if os.path.exists(directory + '.stderr') else b''
    if p.returncode != 0:
        stderr += f'\n(the tmpfs set-up failed: {p.returncode} {p.stderr!r})'.encode()
    return cli.Run(command, status, b'', stderr), left


def ignore_sigxfsz_and_limit(limit):
    def preexec():
        # Ignored (inherited across exec), so a write past the limit fails
        # with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def deep_directory(base, length):
    """A directory whose absolute path is about `length` characters long
    (made one level at a time, relative to the one above: the whole path
    may be too long for one system call)."""
    path = base
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        while len(path) + 1 < length:
            name = 'd' * min(200, length - len(path) - 1)
            os.mkdir(name, dir_fd=fd)
            next_fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = next_fd
            path += '/' + name
    finally:
        os.close(fd)
    return path


def list_deep_directory(base, path):
    """os.listdir(path) for a path under base too long for one system call."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in path[len(base) + 1:].split('/'):
            next_fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        return os.listdir(fd)
    finally:
        os.close(fd)


def group_export(tap, ctx):
    mp4 = ctx.sample('sample.mp4')
    base = os.path.join(ctx.tmp, 'export')
    os.mkdir(base)
    counter = [0]

    def fresh(name):
        counter[0] += 1
        path = os.path.join(base, f'{counter[0]}-{name}')
        os.mkdir(path)
        return path

    prefix = mount_namespace_prefix()

    # A full disk: a small tmpfs fills after a few steps' SVGs.
    if prefix is None:
        tap.skip('export to a full tmpfs', 'cannot mount a tmpfs in a private mount namespace here')
        tap.skip('trace to a full tmpfs', 'cannot mount a tmpfs in a private mount namespace here')
    else:
        def full_export():
            directory = os.path.join(fresh('full'), 'mnt')
            r, left = run_in_tmpfs(ctx, prefix, directory, '96k', ['--export=' + directory, mp4])
            problems = write_problems(r, directory + '/step-', 'No space left on device')
            problems += [f'left behind: {n}' for n in left if n.startswith('.')]
            problems += [f'{n} is not a complete SVG (ends with {end!r})' for n, end in left.items()
                         if n.endswith('.svg') and not end.rstrip().endswith(b'</svg>')]
            if not any(n.endswith('.svg') for n in left):
                problems.append('not one step was exported before the disk was full')
            return problems

        tap.check('export to a full disk (a 96 KiB tmpfs): exit 1 "No space left on device", '
                  'the files written are complete, no temporary file', full_export)

        def full_trace():
            directory = os.path.join(fresh('full-trace'), 'mnt')
            trace = os.path.join(directory, 'trace.jsonl')
            r, left = run_in_tmpfs(ctx, prefix, directory, '128k', ['--trace=' + trace, mp4],
                                   files=[('trace.jsonl', 'old trace')])
            problems = write_problems(r, trace, 'No space left on device')
            problems += [f'left behind: {n}' for n in left if n.startswith('.')]
            if left.get('trace.jsonl') != b'old trace':
                problems.append(f'the old trace.jsonl was replaced: it ends with {left.get("trace.jsonl")!r}')
            return problems

        tap.check('trace to a full disk: exit 1 naming the trace, the old trace intact, '
                  'no temporary file', full_trace, todo=KNOWN_BUGS.get('partial-trace'))

        def full_new_trace():
            directory = os.path.join(fresh('full-new-trace'), 'mnt')
            trace = os.path.join(directory, 'new.jsonl')
            r, left = run_in_tmpfs(ctx, prefix, directory, '128k', ['--trace=' + trace, mp4])
            problems = write_problems(r, trace, 'No space left on device')
            problems += [f'left behind: {n}' for n in left]
            return problems

        tap.check('trace to a new path on a full disk: exit 1 naming the trace, '
                  'nothing left (no partial trace under the name, no temporary file)', full_new_trace)

    # A kill in the middle of a trace: SIGKILL leaves at most the temporary
    # file, named .NAME.XXXXXX.partial; SIGINT and SIGTERM leave nothing.
    # Either way the name holds the old trace, or nothing.
    def killed_trace(signum, old):
        directory = fresh(f'killed-{signal.Signals(signum).name}')
        trace = os.path.join(directory, 'trace.jsonl')
        if old:
            with open(trace, 'w') as f:
                f.write('old trace')
        for attempt in range(3):
            p = subprocess.Popen([ctx.refscope, '--headless', '--trace=' + trace, mp4],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            # Stopped as soon as the temporary file holds a first buffer
            # (64 KiB), so the kill lands in the middle of the trace.
            caught = False
            while p.poll() is None and not caught:
                caught = partial_size(directory) > 0
                time.sleep(0.001)
            if caught:
                p.send_signal(signal.SIGSTOP)
                p.send_signal(signum)
                p.send_signal(signal.SIGCONT)
            status = p.wait(timeout=cli.TIMEOUT)
            if caught:
                break
            if os.path.exists(trace):
                os.unlink(trace)
            if old:
                with open(trace, 'w') as f:
                    f.write('old trace')
        else:
            return ['the session ended three times before its trace could be killed']
        problems = [] if status == -signum else [f'exit status {status}, expected death by signal {signum}']
        names = sorted(os.listdir(directory))
        expected = ['trace.jsonl'] if old else []
        kept = [n for n in names if not n.startswith('.')]
        if kept != expected:
            problems.append(f'files under their names: {kept}, expected {expected}')
        if old and open(trace).read() != 'old trace':
            problems.append('the old trace.jsonl was changed')
        temps = [n for n in names if n.startswith('.')]
        allowed = 1 if signum == signal.SIGKILL else 0
        if len(temps) > allowed or any(not (n.startswith('.trace.jsonl.') and n.endswith('.partial'))
                                       for n in temps):
            problems.append(f'left behind: {temps} (allowed: {allowed} .trace.jsonl.XXXXXX.partial)')
        return problems

    tap.check('trace killed (SIGKILL) mid-write: nothing under the name, at most '
              '.trace.jsonl.XXXXXX.partial', killed_trace, signal.SIGKILL, False)
    tap.check('trace killed (SIGKILL) mid-write over an old trace: the old trace intact',
              killed_trace, signal.SIGKILL, True)
    tap.check('trace stopped by SIGTERM mid-write: nothing left', killed_trace, signal.SIGTERM, False)
    tap.check('trace stopped by SIGINT mid-write over an old trace: the old trace intact, '
              'no temporary file', killed_trace, signal.SIGINT, True)

    def dev_full():
        r = ctx.headless('--trace=/dev/full', mp4)
        return write_problems(r, '/dev/full', 'No space left on device')

    tap.check('--trace=/dev/full: exit 1, one line naming /dev/full', dev_full,
              todo=KNOWN_BUGS.get('trace-message'))

    # A file size limit: the write of the first step fails (EFBIG), and the
    # file already there is left as it was.
    def size_limit():
        directory = fresh('fsize')
        old = os.path.join(directory, 'step-000001.svg')
        with open(old, 'w') as f:
            f.write('old content')
        r = ctx.headless_env('--export=' + directory, mp4, preexec_fn=ignore_sigxfsz_and_limit(4096))
        problems = write_problems(r, old, 'File too large')
        problems += [f'left behind: {n}' for n in temp_files(directory)]
        if open(old).read() != 'old content':
            problems.append('the existing step-000001.svg was changed by the failed export')
        return problems

    tap.check('export over the file size limit (ulimit -f): exit 1 "File too large", '
              'the existing file intact, no temporary file', size_limit)

    # A read-only folder: as another user (root may write anywhere), and a
    # read-only mount.
    def read_only_folder():
        directory = fresh('read-only')
        os.chmod(directory, 0o555)
        run_as = []
        if os.geteuid() == 0:
            setpriv = shutil.which('setpriv')
            if setpriv is None:
                return None
            for d in (ctx.tmp, base):
                os.chmod(d, 0o755)
            run_as = [setpriv, f'--reuid={NOBODY}', f'--regid={NOBODY}', '--clear-groups']
        r = ctx.headless_env('--export=' + directory, mp4, prefix=run_as)
        problems = write_problems(r, directory + '/step-000001.svg', 'Permission denied')
        problems += [f'left behind: {n}' for n in os.listdir(directory)]
        return problems

    if os.geteuid() == 0 and shutil.which('setpriv') is None:
        tap.skip('export to a read-only folder', 'running as root without setpriv')
    else:
        tap.check('export to a read-only folder (chmod 555, another user): exit 1 '
                  '"Permission denied", nothing written', read_only_folder)
    if prefix is None:
        tap.skip('export to a read-only mount', 'cannot mount a tmpfs in a private mount namespace here')
    else:
        def read_only_mount():
            directory = os.path.join(fresh('ro-mount'), 'mnt')
            r, left = run_in_tmpfs(ctx, prefix, directory, '1m', ['--export=' + directory, mp4],
                                   read_only=True)
            problems = write_problems(r, directory + '/step-000001.svg', 'Read-only file system')
            problems += [f'left behind: {n}' for n in left]
            return problems

        tap.check('export to a read-only mount: exit 1 "Read-only file system", nothing written',
                  read_only_mount)

    # An existing file is replaced atomically: a hard link to the old file
    # keeps the old content (an in-place rewrite would change it).
    def overwrite():
        directory = fresh('overwrite')
        target = os.path.join(directory, 'step-000001.svg')
        witness = os.path.join(base, f'witness-{counter[0]}')
        with open(target, 'w') as f:
            f.write('old content')
        os.link(target, witness)
        r = ctx.headless('--steps=2', '--export=' + directory, mp4)
        if r.status != 0:
            return r.describe()
        problems = svg_problems(directory)
        problems += [f'left behind: {n}' for n in temp_files(directory)]
        if open(witness).read() != 'old content':
            problems.append('the old file was rewritten in place, not replaced by a rename')
        if os.path.samefile(target, witness):
            problems.append('step-000001.svg is still the old file')
        return problems

    tap.check('export over existing files: replaced by a rename (the old inode untouched), '
              'complete, no temporary file', overwrite)

    def target_is_directory():
        directory = fresh('dir-target')
        os.mkdir(os.path.join(directory, 'step-000001.svg'))
        r = ctx.headless('--export=' + directory, mp4)
        problems = write_problems(r, directory + '/step-000001.svg', 'Is a directory')
        problems += [f'left behind: {n}' for n in temp_files(directory)]
        return problems

    tap.check('export where step-000001.svg is a folder: exit 1 "Is a directory", '
              'no temporary file', target_is_directory)

    # Paths too long: the folder exists, but DIR/step-000001.svg is longer
    # than PATH_MAX; a trace name longer than NAME_MAX.
    def export_path_too_long():
        top = fresh('deep')
        # The folder itself can be named (< PATH_MAX); its files cannot.
        directory = deep_directory(top, 4096 - len('/step-000001.svg') + 4)
        r = ctx.headless('--steps=3', '--export=' + directory, mp4)
        problems = write_problems(r, 'step-000001.svg', 'File name too long')
        problems += [f'left behind: {n}' for n in list_deep_directory(top, directory)]
        return problems

    tap.check('export to a folder whose file paths exceed PATH_MAX: exit 1 "File name too long", '
              'nothing written', export_path_too_long)

    def trace_name_too_long():
        directory = fresh('long-name')
        trace = os.path.join(directory, 't' * 300 + '.jsonl')
        r = ctx.headless('--steps=3', '--trace=' + trace, mp4)
        problems = write_problems(r, trace, 'too long')
        problems += [f'left behind: {n}' for n in os.listdir(directory)]
        return problems

    tap.check('a trace name longer than NAME_MAX: exit 1 "too long", nothing written',
              trace_name_too_long)


# ---------------------------------------------------------------- main

GROUPS = {
    'truncated': group_truncated,
    'bitflip': group_bitflip,
    'odd-files': group_odd_files,
    'export': group_export,
}


if __name__ == '__main__':
    cli.run_groups(__doc__.splitlines()[0], GROUPS, Context, ('--regressions',))
