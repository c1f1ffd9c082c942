#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""po/POTFILES lists every file with a translatable string, and only files
that exist. Prints TAP.

A translatable string is one marked with _(), N_(), C_(), NC_(), a
g_dngettext/ngettext call, or translatable="yes" in a .ui file; the files
searched are the sources and templates of app/, ui/, data/ and model/
(tests excluded: their strings are not shown to users).

usage: check-potfiles.py SOURCE_ROOT
"""
import os
import re
import sys

MARK = re.compile(r'(?<![A-Za-z0-9_])(?:N?C?_|g_d?n?gettext|g_dpgettext2?|ngettext)\s*\(|translatable="yes"')
FOLDERS = ('app', 'ui', 'data', 'model')
EXTENSIONS = ('.c', '.h', '.ui')


def main():
    root = os.path.realpath(sys.argv[1])
    with open(os.path.join(root, 'po', 'POTFILES')) as f:
        listed = [line.strip() for line in f if line.strip() and not line.startswith('#')]

    marked = []
    for folder in FOLDERS:
        for directory, subdirs, files in os.walk(os.path.join(root, folder)):
            subdirs[:] = sorted(d for d in subdirs if d != 'tests')
            for name in sorted(files):
                if name.endswith(EXTENSIONS):
                    path = os.path.join(directory, name)
                    with open(path, encoding='utf-8', errors='replace') as f:
                        if MARK.search(f.read()):
                            marked.append(os.path.relpath(path, root))

    print(f'1..{len(marked) + len(listed)}')
    number = 0
    failed = 0
    for path in marked:
        number += 1
        if path in listed:
            print(f'ok {number} - {path} has translatable strings and is in po/POTFILES')
        else:
            failed += 1
            print(f'not ok {number} - {path} has translatable strings but is not in po/POTFILES')
    for path in listed:
        number += 1
        if os.path.isfile(os.path.join(root, path)):
            print(f'ok {number} - po/POTFILES names {path}, which exists')
        else:
            failed += 1
            print(f'not ok {number} - po/POTFILES names {path}, which does not exist')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
