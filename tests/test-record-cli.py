#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end tests of the `refscope record` command runner; prints TAP.

usage: test-record-cli.py --refscope PATH --preload PATH --helpers DIR
                          [--no-static REASON]

A program run by `refscope record` gets the same arguments, environment,
stdin, stdout, stderr, folder and exit status (or death by a signal) as
run plainly; bad command lines exit 2; programs the recorder cannot enter
(missing, not executable, static, setuid or setgid, of the other ELF
class) are refused before they run. The helpers (tests/record-cli/) are in
--helpers. --preload is where
this build's recorder library is: until it is built, every recorded run must
fail with "preload library not found" without running the program (checked),
and the comparisons of recorded and plain runs are skipped, saying so.
"""
import argparse
import importlib.util
import os
import select
import shutil
import signal
import stat
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# TAP as test-cli.py writes it: one Tap class for the command-line tests.
_spec = importlib.util.spec_from_file_location('test_cli', os.path.join(HERE, 'test-cli.py'))
cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli)
Tap = cli.Tap

TIMEOUT = 60  # seconds for one run (they take milliseconds)


class Context:
    def __init__(self, opts):
        self.refscope = os.path.abspath(opts.refscope)
        self.preload = opts.preload
        self.helpers = os.path.abspath(opts.helpers)
        self.no_static = opts.no_static
        self.tmp = tempfile.mkdtemp(prefix='test-record-cli-')
        # An ASan refscope must not insist on coming first when a test gives
        # it an LD_PRELOAD of its own (the program is not ASan).
        asan = os.environ.get('ASAN_OPTIONS', '')
        self.env = dict(os.environ, ASAN_OPTIONS=(asan + ':' if asan else '') + 'verify_asan_link_order=0')

    @property
    def recorder_built(self):
        return os.path.isfile(self.preload)

    def helper(self, name):
        return os.path.join(self.helpers, name)

    def folder(self, name):
        """A new empty folder to run in (the default recording lands there)."""
        path = os.path.join(self.tmp, name)
        os.mkdir(path)
        return path

    def run(self, argv, cwd=None, stdin=b'', env=None):
        return subprocess.run(argv, input=stdin, capture_output=True, cwd=cwd or self.tmp,
                              env=env or self.env, timeout=TIMEOUT)

    def record(self, *args, **kwargs):
        return self.run([self.refscope, 'record', *args], **kwargs)


def describe(what, proc):
    return [f'{what}: status {proc.returncode}',
            f'{what} stdout: {proc.stdout[-2000:]!r}',
            f'{what} stderr: {proc.stderr[-2000:]!r}']


def program_stderr(stderr):
    """The program's own stderr: refscope's lines (refscope: ...) left out."""
    return b''.join(line for line in stderr.splitlines(keepends=True)
                    if not line.startswith(b'refscope: '))


# ---------------------------------------------------------------- command line

def bad_command_line(ctx, args, expected):
    marker = os.path.join(ctx.tmp, 'marker-bad-command-line')
    proc = ctx.record(*[a.replace('MARKER', marker) for a in args])
    problems = []
    if proc.returncode != 2:
        problems.append('the status is not 2')
    if expected.encode() not in proc.stderr or b'Usage: refscope record' not in proc.stderr:
        problems.append(f'stderr does not say {expected!r} and the usage')
    if os.path.exists(marker):
        problems.append('the program ran')
        os.unlink(marker)
    return problems + (describe('refscope', proc) if problems else [])


def help_text(ctx):
    proc = ctx.record('--help')
    if proc.returncode != 0 or not proc.stdout.startswith(b'Usage: refscope record [--output=FILE]'):
        return ['--help does not print the usage on stdout with status 0'] + describe('refscope', proc)
    return []


def group_command_line(tap, ctx):
    touch = ctx.helper('touch-file')
    for args, expected in [
            ([], 'no PROGRAM to run'),
            (['--'], 'no PROGRAM to run'),
            (['--leaks=report'], 'no PROGRAM to run'),
            (['--bogus', touch, 'MARKER'], "unknown option '--bogus'"),
            (['-x', touch, 'MARKER'], "unknown option '-x'"),
            (['--leaks=maybe', touch, 'MARKER'], "--leaks takes report or error, not 'maybe'"),
            (['--leaks', 'sometimes', touch, 'MARKER'], "--leaks takes report or error, not 'sometimes'"),
            (['--output=', touch, 'MARKER'], '--output names no file'),
            (['--output'], '--output needs a value'),
    ]:
        shown = ' '.join('PROGRAM' if a == touch else a for a in args if a != 'MARKER')
        tap.check(f'record {shown}: exit 2, says "{expected}", runs nothing',
                  bad_command_line, ctx, args, expected)
    tap.check('record --help prints the usage', help_text, ctx)


# ---------------------------------------------------------------- refusals

def refused(ctx, program, reason, run_as=None):
    """`record PROGRAM MARKER` exits 1 saying why, and PROGRAM never ran."""
    marker = os.path.join(ctx.tmp, 'marker-refused')
    proc = ctx.record('--', run_as or program, marker)
    problems = []
    expected = f'refscope: {run_as or program}: cannot be recorded: {reason}'.encode()
    if proc.returncode != 1:
        problems.append('the status is not 1')
    if expected not in proc.stderr:
        problems.append(f'stderr does not say {expected!r}')
    if os.path.exists(marker):
        problems.append('the program ran')
        os.unlink(marker)
    return problems + (describe('refscope', proc) if problems else [])


def setid_copy(ctx, name, mode, owner):
    """A copy of touch-file with `mode` (setuid or setgid) owned by `owner`
    (uid, gid), or (None, why not)."""
    folder = ctx.folder(name)
    if os.statvfs(folder).f_flag & os.ST_NOSUID:
        return None, f'{ctx.tmp} is on a nosuid filesystem: its setuid bits do nothing'
    path = os.path.join(folder, 'touch-file')
    shutil.copy(ctx.helper('touch-file'), path)
    try:
        os.chown(path, *owner)
        os.chmod(path, 0o755 | mode)
    except PermissionError as error:
        return None, f'cannot make a setuid/setgid file of another user here ({error})'
    if not os.stat(path).st_mode & mode:
        return None, 'the filesystem dropped the setuid/setgid bit'
    return path, None


def setuid_self_runs(ctx, path):
    marker = os.path.join(ctx.tmp, 'marker-setuid-self')
    proc = ctx.record('--', path, marker)
    problems = []
    if b'cannot be recorded' in proc.stderr:
        problems.append('refused')
    elif ctx.recorder_built and (proc.returncode != 0 or not os.path.exists(marker)):
        problems.append('the program did not run')
    elif not ctx.recorder_built and b'preload library not found' not in proc.stderr:
        problems.append('no "preload library not found" without the recorder')
    return problems + (describe('refscope', proc) if problems else [])


def group_refusals(tap, ctx):
    tap.check('a PROGRAM not in PATH is refused',
              refused, ctx, None, 'not found in PATH', 'no-such-program-refscope-test')
    tap.check('a missing PROGRAM path is refused',
              refused, ctx, os.path.join(ctx.tmp, 'missing'), 'No such file or directory')
    plain_file = os.path.join(ctx.folder('not-executable'), 'program')
    shutil.copy(ctx.helper('touch-file'), plain_file)
    os.chmod(plain_file, 0o644)  # no x bit: not even root may run it
    tap.check('a PROGRAM that is not executable is refused',
              refused, ctx, plain_file, 'not executable')
    tap.check('a folder is refused', refused, ctx, ctx.tmp, 'it is a directory')
    # The header of a 32-bit program (the class byte): its loader would skip
    # a 64-bit recorder. (No -m32 toolchain is needed to make one.)
    other_class = os.path.join(ctx.folder('other-class'), 'program')
    with open(ctx.helper('touch-file'), 'rb') as f:
        image = bytearray(f.read())
    image[4] = 1 if image[4] == 2 else 2
    with open(other_class, 'wb') as f:
        f.write(image)
    os.chmod(other_class, 0o755)
    tap.check('a program of the other ELF class (32/64-bit) is refused',
              refused, ctx, other_class, 'it is a 32-bit program' if image[4] == 1 else 'it is a 64-bit program')

    if ctx.no_static:
        tap.skip('a static PROGRAM is refused before it runs', ctx.no_static)
    else:
        tap.check('a static PROGRAM is refused before it runs',
                  refused, ctx, ctx.helper('touch-file-static'), 'it is statically linked')

    # A setuid program that becomes another user: the loader is in secure
    # mode and ignores LD_PRELOAD. Root makes one by giving the copy away.
    nobody = 65534
    for name, mode, owner, reason in [
            ('setuid', stat.S_ISUID, (nobody, -1), 'it is setuid'),
            ('setgid', stat.S_ISGID, (-1, nobody), 'it is setgid')]:
        title = f'a {name} PROGRAM (of another user) is refused before it runs'
        if os.geteuid() != 0:
            tap.skip(title, 'not root: cannot give a file to another user')
            continue
        path, why_not = setid_copy(ctx, name, mode, owner)
        if path is None:
            tap.skip(title, why_not)
        else:
            tap.check(title, refused, ctx, path, reason)

    # Setuid to the user who runs it changes nobody: the loader reads
    # LD_PRELOAD, so the program is not refused.
    path, why_not = setid_copy(ctx, 'setuid-self', stat.S_ISUID, (os.getuid(), -1))
    title = 'a setuid PROGRAM of its own runner is not refused'
    if path is None:
        tap.skip(title, why_not)
    else:
        tap.check(title, setuid_self_runs, ctx, path)


# ---------------------------------------------------------------- running

def not_run_without_recorder(ctx):
    """Without the recorder, `record` runs nothing, says so, exits 1; and
    PROGRAM's options are its own (--leaks=bogus after PROGRAM is not a bad
    command line)."""
    marker = os.path.join(ctx.tmp, 'marker-no-recorder')
    proc = ctx.record('--leaks=error', ctx.helper('touch-file'), marker, '--leaks=bogus', '--help')
    problems = []
    if proc.returncode != 1:
        problems.append('the status is not 1')
    if f'refscope: record: preload library not found: {ctx.preload}'.encode() not in proc.stderr:
        problems.append('stderr does not say "preload library not found" and its path')
    if os.path.exists(marker):
        problems.append('the program ran')
    return problems + (describe('refscope', proc) if problems else [])


def same_as_plain(ctx, argv, status, stdin=b'', env=None):
    """PROGRAM recorded prints, reads and ends exactly as plain, which ends
    with `status` (-N: killed by signal N)."""
    env = env or ctx.env
    plain = ctx.run(argv, stdin=stdin, env=env, cwd=ctx.folder(f'plain-{ctx_counter()}'))
    cwd = ctx.folder(f'recorded-{ctx_counter()}')
    recorded = ctx.run([ctx.refscope, 'record', '--', *argv], stdin=stdin, env=env, cwd=cwd)
    problems = []
    if plain.returncode != status:
        problems.append(f'the plain run did not end with {status}: the helper is broken')
    if recorded.returncode != plain.returncode:
        problems.append('the status differs')
    if recorded.stdout != plain.stdout:
        problems.append('stdout differs')
    if program_stderr(recorded.stderr) != program_stderr(plain.stderr):
        problems.append("the program's stderr differs")
    if os.path.basename(argv[0]) == 'echo' and argv[-1].encode() not in plain.stdout:
        problems.append('the echo did not print its arguments')
    if problems:
        problems += describe('plain', plain) + describe('recorded', recorded)
    return problems


_counter = [0]


def ctx_counter():
    _counter[0] += 1
    return _counter[0]


def seen_by_program(ctx):
    """The program runs in refscope's folder, and the recording is
    PROGRAM.PID.rstrace there by default, or --output (relative to that
    folder); the report names it. (REFSCOPE_RECORD_OUTPUT itself is
    checked in signal_while_running: the recorder may hide it from the
    program.)"""
    problems = []
    for output in [None, 'sub/out.rstrace']:
        cwd = ctx.folder(f'seen-{ctx_counter()}')
        os.mkdir(os.path.join(cwd, 'sub'))
        args = ([f'--output={output}'] if output else []) + ['--', ctx.helper('echo'), '@pid', '@cwd']
        proc = ctx.record(*args, cwd=cwd)
        lines = proc.stdout.decode().splitlines()
        if proc.returncode != 0 or len(lines) != 3:
            return ['the echo did not run'] + describe('refscope', proc)
        pid = lines[1].rsplit(' = ', 1)[1]
        seen_cwd = lines[2].rsplit(' = ', 1)[1]
        expected = os.path.join(cwd, output or f'echo.{pid}.rstrace')
        if seen_cwd != cwd:
            problems.append(f'the program ran in {seen_cwd}, not {cwd}')
        if not os.path.isfile(expected):
            problems.append(f'no recording at {expected}: {sorted(os.listdir(cwd))}')
        if expected.encode() not in proc.stderr:
            problems.append(f'the report does not name {expected}')
        if problems:
            return problems + describe('refscope', proc)
    return problems


def no_libav_call(ctx):
    """A program that makes no libav call: the report says its recording
    holds nothing but the exit, rather than only "1 step recorded"."""
    proc = ctx.record(ctx.helper('echo'), 'hello', cwd=ctx.folder(f'no-call-{ctx_counter()}'))
    if proc.returncode != 0:
        return ['the echo did not run'] + describe('refscope', proc)
    if b'made no libav call' not in proc.stderr or b'only its exit' not in proc.stderr:
        return ['the report does not say the program made no libav call'] + describe('refscope', proc)
    return []


def unwritable_output(ctx):
    marker = os.path.join(ctx.tmp, 'marker-unwritable')
    output = os.path.join(ctx.tmp, 'no-such-folder', 'x.rstrace')
    proc = ctx.record(f'--output={output}', ctx.helper('touch-file'), marker)
    problems = []
    if proc.returncode != 1 or f'refscope: {output}: cannot write the recording'.encode() not in proc.stderr:
        problems.append('refscope does not exit 1 saying it cannot write the recording')
    if os.path.exists(marker):
        problems.append('the program ran')
    return problems + (describe('refscope', proc) if problems else [])


def child_of(pid):
    with open(f'/proc/{pid}/task/{pid}/children') as f:
        children = f.read().split()
    return int(children[0]) if children else None


def signal_while_running(ctx, signum, whom):
    """`record -- signal-self wait`, then signum sent to refscope alone
    (SIGTERM: forwarded) or to the whole process group (SIGINT: Ctrl+C).
    The program dies of it; refscope reports, then dies of it too. Also:
    the program starts with LD_PRELOAD the recorder, then the one it had,
    and REFSCOPE_RECORD_OUTPUT the absolute default PROGRAM.PID.rstrace
    in refscope's folder (as /proc/PID/environ shows)."""
    cwd = ctx.folder(f'signal-{ctx_counter()}')
    env = dict(ctx.env, LD_PRELOAD='libm.so.6')
    proc = subprocess.Popen([ctx.refscope, 'record', '--', ctx.helper('signal-self'), 'wait'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                            start_new_session=True)
    problems = []
    try:
        ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
        if not ready or proc.stdout.readline() != b'ready\n':
            raise RuntimeError('the program never said it was ready')
        child = child_of(proc.pid)
        with open(f'/proc/{child}/environ', 'rb') as f:
            environ = dict(entry.split(b'=', 1) for entry in f.read().split(b'\0') if b'=' in entry)
        if environ.get(b'LD_PRELOAD') != f'{ctx.preload}:libm.so.6'.encode():
            problems.append(f'the program started with LD_PRELOAD={environ.get(b"LD_PRELOAD")!r}')
        recording = os.path.join(cwd, f'signal-self.{child}.rstrace')
        if environ.get(b'REFSCOPE_RECORD_OUTPUT') != recording.encode():
            problems.append('the program started with REFSCOPE_RECORD_OUTPUT='
                            f'{environ.get(b"REFSCOPE_RECORD_OUTPUT")!r}, not {recording}')
        if whom == 'group':
            os.killpg(proc.pid, signum)
        else:
            os.kill(proc.pid, signum)
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.returncode != -signum:
        problems.append(f'refscope did not die of signal {signum}')
    if recording.encode() not in stderr:
        problems.append(f'refscope did not report on {recording} before it died')
    if problems:
        problems += [f'refscope: status {proc.returncode}', f'stderr: {stderr!r}']
    return problems


def group_running(tap, ctx):
    echo = ctx.helper('echo')
    env = dict(ctx.env, RS_TEST_VAR='a b\tc "d" $e é')
    args = ['--output=x', '--help', '--leaks=bogus', '--', 'with space', '', 'é']
    stdin = bytes(range(256)) * 64
    signal_self = ctx.helper('signal-self')
    cases = [
        ('arguments, environment, stdin, stdout, stderr are the same',
         [echo, *args, '$RS_TEST_VAR', '$HOME'], 0, dict(stdin=stdin, env=env)),
        ('PROGRAM is found in PATH as execvp finds it',
         ['echo', 'from PATH'], 0, dict(env=dict(ctx.env, PATH=f'{ctx.helpers}:/usr/bin:/bin'))),
        ('exit status 3 is the same', [ctx.helper('exit-with'), '3'], 3, {}),
        ('exit status 0 is the same', [ctx.helper('exit-with'), '0'], 0, {}),
        ('death by SIGTERM is the same', [signal_self, str(int(signal.SIGTERM))], -signal.SIGTERM, {}),
        ('death by SIGINT is the same', [signal_self, str(int(signal.SIGINT))], -signal.SIGINT, {}),
        ('death by SIGABRT is the same', [signal_self, str(int(signal.SIGABRT))], -signal.SIGABRT, {}),
        ('a script (#!) runs the same', [os.path.join(ctx.tmp, 'script.sh'), 'x'], 5, {}),
    ]
    with open(os.path.join(ctx.tmp, 'script.sh'), 'w') as f:
        f.write('#!/bin/sh\necho "script: $*"\nexit 5\n')
    os.chmod(os.path.join(ctx.tmp, 'script.sh'), 0o755)

    others = [
        ("the program runs in refscope's folder; the recording is PROGRAM.PID.rstrace there, or --output",
         seen_by_program, ctx),
        ('a recording that cannot be written: exit 1 before running', unwritable_output, ctx),
        ('a program that makes no libav call: the report says so', no_libav_call, ctx),
        ('SIGTERM to refscope reaches the program; refscope reports and dies of it',
         signal_while_running, ctx, signal.SIGTERM, 'refscope'),
        ('Ctrl+C (SIGINT to the group) ends the program; refscope reports and dies of it',
         signal_while_running, ctx, signal.SIGINT, 'group'),
    ]

    if not ctx.recorder_built:
        why = f'the recorder is not built in this tree ({ctx.preload} is missing)'
        tap.check('without the recorder library, nothing runs and refscope says "preload library not found"',
                  not_run_without_recorder, ctx)
        for name, *_ in cases:
            tap.skip(name, why)
        for name, *_ in others:
            tap.skip(name, why)
        return

    for name, argv, status, kwargs in cases:
        tap.check(name, lambda: same_as_plain(ctx, argv, status, **kwargs))
    for name, test, *test_args in others:
        tap.check(name, test, *test_args)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--refscope', required=True)
    parser.add_argument('--preload', required=True)
    parser.add_argument('--helpers', required=True)
    parser.add_argument('--no-static', default='')
    ctx = Context(parser.parse_args())
    tap = Tap()
    try:
        group_command_line(tap, ctx)
        group_refusals(tap, ctx)
        group_running(tap, ctx)
    finally:
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    tap.done()


if __name__ == '__main__':
    main()
