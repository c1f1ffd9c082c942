#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How a lesson's run time grows with its length: headless runs, with the
trace written to /dev/null, of lessons of 2,000 and 20,000 statements.

Prints `bench:` lines; `ratio` is the CPU time a statement takes in the
long lesson over the time it takes in the short one (1: linear, 10:
quadratic), start-up (an empty lesson) taken off both.
The lost lessons lose a packet and its payload every two statements
(5,000 for lesson-lost-10000), without a trace.
The held lessons keep every packet they allocate until their last half
frees them (10,000 alive at the peak for lesson-held-20000): without a
trace a step costs what it changed; with one, every step lists every
live handle and buffer (DESIGN section 7), so the trace, and the time to
write it, grow with what is alive."""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time


def cycling_lesson(n):
    """n statements that allocate, share, move and free, in new variables
    every ten: what is alive stays small, the variables do not."""
    body = []
    for i in range(n // 10):
        body += [f'AVPacket *a{i} = av_packet_alloc();', f'AVPacket *b{i} = av_packet_alloc();',
                 f'av_new_packet(a{i}, 64);', f'memset(a{i}->data, 1, 64);', f'av_packet_ref(b{i}, a{i});',
                 f'a{i}->pts = {i};', f'av_packet_unref(a{i});', f'av_packet_move_ref(a{i}, b{i});',
                 f'av_packet_free(&b{i});', f'av_packet_free(&a{i});']
    return 'int main(void)\n{\n' + ''.join(f'  {s}\n' for s in body) + '  return 0;\n}\n'


def held_lesson(n):
    """n/2 packets allocated, then all freed."""
    half = n // 2
    body = [f'AVPacket *p{i} = av_packet_alloc();' for i in range(half)]
    body += [f'av_packet_free(&p{i});' for i in range(half)]
    return 'int main(void)\n{\n' + ''.join(f'  {s}\n' for s in body) + '  return 0;\n}\n'


def lost_lesson(n):
    """n statements, half of them losing the packet p pointed at (p made to
    point at a new one): n/2 structs lost, each with its payload."""
    body = ['AVPacket *p = av_packet_alloc();', 'av_new_packet(p, 64);']
    for _ in range(n // 2 - 1):
        body += ['p = av_packet_alloc();', 'av_new_packet(p, 64);']
    body += ['av_packet_free(&p);']
    return 'int main(void)\n{\n' + ''.join(f'  {s}\n' for s in body) + '  return 0;\n}\n'


def run(refscope, tmp, name, text, trace=True):
    """Wall and CPU seconds of one headless run, the trace to /dev/null or none."""
    path = os.path.join(tmp, name + '.c')
    with open(path, 'w') as f:
        f.write(text)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    p = subprocess.run([refscope, '--headless', f'--scenario={path}'] + (['--trace=/dev/null'] if trace else []),
                       capture_output=True, timeout=900)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f'{name}: exit {p.returncode}: {p.stderr.decode(errors="replace")[:500]}')
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('refscope')
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='refscope-bench-') as tmp:
        _, base_cpu = run(opts.refscope, tmp, 'lesson-0', cycling_lesson(0))
        short, short_cpu = run(opts.refscope, tmp, 'lesson-2000', cycling_lesson(2000))
        print(f'bench: lesson-2000 seconds={short:.3f} cpu={short_cpu:.3f}')
        long, long_cpu = run(opts.refscope, tmp, 'lesson-20000', cycling_lesson(20000))
        print(f'bench: lesson-20000 seconds={long:.3f} cpu={long_cpu:.3f} '
              f'ratio={(long_cpu - base_cpu) / max(10 * (short_cpu - base_cpu), 1e-3):.2f} goal_seconds=2')
        held, held_cpu = run(opts.refscope, tmp, 'lesson-held-2000', held_lesson(2000))
        print(f'bench: lesson-held-2000 seconds={held:.3f} cpu={held_cpu:.3f}')
        held, held_cpu = run(opts.refscope, tmp, 'lesson-held-20000', held_lesson(20000), trace=False)
        print(f'bench: lesson-held-20000 trace=none seconds={held:.3f} cpu={held_cpu:.3f} goal_seconds=2')
        held, held_cpu = run(opts.refscope, tmp, 'lesson-held-20000', held_lesson(20000))
        print(f'bench: lesson-held-20000 trace=/dev/null seconds={held:.3f} cpu={held_cpu:.3f}')
        # Lost structs are counted once, when lost: a step does not look at
        # them again, and the leak report at the end finds where each
        # payload was lost in one pass over the history. What still grows
        # with what is alive is a snapshot keeping its arrays at the end of
        # each chain of steps (up to 255 steps long when much is alive).
        _, lost_short_cpu = run(opts.refscope, tmp, 'lesson-lost-2000', lost_lesson(2000), trace=False)
        lost, lost_cpu = run(opts.refscope, tmp, 'lesson-lost-10000', lost_lesson(10000), trace=False)
        print(f'bench: lesson-lost-10000 lost=5000 seconds={lost:.3f} cpu={lost_cpu:.3f} '
              f'ratio={(lost_cpu - base_cpu) / max(5 * (lost_short_cpu - base_cpu), 1e-3):.2f} '
              f'short_cpu={lost_short_cpu:.3f}')


if __name__ == '__main__':
    main()
