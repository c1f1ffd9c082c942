#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wall around libav (DESIGN.md section 2): only data/ includes libav.

Prints TAP. For every .c under ui/ and app/ (their tests too) and of the
lesson compiler (data/lessons: lexer, parser, program, expr, call), reruns its compile command from
the build's compile_commands.json with -M (the headers it reaches); for
every public header of data/ (a .h that is not *-private.h), compiles a
file that includes only it, with the flags data/ itself uses. A libav
header reached is a failure that names the file and the chain's end.

Dropping -I flags would prove nothing: on Debian the libav headers sit in
a directory that GTK's flags (and the compiler's defaults) already search.
Only the list of headers actually read is proof.

usage: check-libav-wall.py SOURCE_ROOT BUILD_ROOT
"""
import json
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

LIBAV_HEADER = re.compile(r'/(libav[a-z]*|libsw[a-z]*|libpostproc)/[^/\s]+\.h\b')


def headers_reached(args, directory, stdin=None):
    """Runs the compiler with -M instead of compiling: the headers read."""
    kept = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ('-o', '-MQ', '-MF', '-MT'):
            skip = True
        elif arg in ('-c', '-MD', '-MMD') or arg.startswith('-fdiagnostics-color'):
            pass
        else:
            kept.append(arg)
    proc = subprocess.run(kept + ['-M'], cwd=directory, input=stdin,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return proc.stdout.replace('\\\n', ' ').split()[1:], None


def main():
    source_root, build_root = (os.path.realpath(p) for p in sys.argv[1:3])
    db_path = os.path.join(build_root, 'compile_commands.json')
    if not os.path.exists(db_path):
        print('1..0 # SKIP no compile_commands.json (not a ninja build)')
        return 0
    with open(db_path) as f:
        db = json.load(f)

    def source_of(entry):
        return os.path.realpath(os.path.join(entry['directory'], entry['file']))

    checks = []  # (name, args, directory, stdin)
    for entry in db:
        path = source_of(entry)
        rel = os.path.relpath(path, source_root)
        # ui/ and app/, and the lesson compiler (its own library, no libav).
        compiler = re.match(r'data/lessons/rs-scenario-(call|expr|lexer|parser|program)\.c$', rel)
        if (rel.split(os.sep)[0] in ('ui', 'app') or compiler) and rel.endswith('.c'):
            checks.append((f"{rel} ({entry['output']})", shlex.split(entry['command']),
                           entry['directory'], None))

    # The flags data/ compiles with: its include folders and libav's own.
    data_entry = next(e for e in db
                      if os.path.relpath(source_of(e), source_root) == 'data/rs-cursor.c')
    data_args = [a for a in shlex.split(data_entry['command']) if a != data_entry['file']]
    data_args += ['-x', 'c', '-']
    for folder in ('data', 'data/session', 'data/lessons', 'data/record'):
        folder_path = os.path.join(source_root, folder)
        if not os.path.isdir(folder_path):
            continue
        for name in sorted(os.listdir(folder_path)):
            if name.endswith('.h') and not name.endswith('-private.h'):
                checks.append((os.path.join(folder, name), data_args, data_entry['directory'],
                               f'#include "{name}"\n'))

    if not checks:
        print('1..0 # SKIP no ui/ or app/ sources in compile_commands.json')
        return 0

    def run(check):
        name, args, directory, stdin = check
        return name, headers_reached(args, directory, stdin)

    print(f'1..{len(checks)}')
    failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for number, (name, (headers, error)) in enumerate(pool.map(run, checks), 1):
            if headers is None:
                failed += 1
                print(f'not ok {number} - {name}: the compiler failed')
                for line in error.splitlines():
                    print(f'# {line}')
                continue
            libav = [h for h in headers if LIBAV_HEADER.search(h)]
            if libav:
                failed += 1
                print(f'not ok {number} - {name} reaches libav headers')
                for header in libav[:5]:
                    print(f'# {header}')
            else:
                print(f'ok {number} - {name} reaches no libav header ({len(headers)} headers read)')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
