#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets everything up and runs the whole test suite; the last line says
# "N passed, N failed". Extra arguments go to `meson test`.
set -u
cd "$(dirname "$0")/.."
tools/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
meson test -C _build --print-errorlogs "$@" 2>&1 | tee "$log"
status=$?
count() { sed -n "s/^$1: *\([0-9]*\).*/\1/p" "$log" | tail -n 1; }
ok=$(count 'Ok'); fail=$(count 'Fail'); timeout=$(count 'Timeout'); xpass=$(count 'Unexpected Pass')
rm -f "$log"
failed=$(( ${fail:-0} + ${timeout:-0} + ${xpass:-0} ))
[ -n "$ok" ] || failed=$(( failed + 1 ))
echo "${ok:-0} passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
