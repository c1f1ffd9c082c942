#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets everything up and runs the whole test suite twice: in the normal
# build (_build), and in a sanitizer build (_build-asan, ASan + UBSan,
# halting on the first report; the valgrind tests are left out there, as
# valgrind cannot run ASan binaries). Skipped tests are listed with their
# reason and counted apart; the last line says "N passed, N failed".
# Extra arguments go to both `meson test`s.
set -u
cd "$(dirname "$0")/.."
tools/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Adds the counts of meson's summary in $log to the totals, and says
# which tests of build dir $1 skipped and why (their first TAP "# SKIP").
count() {
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  skipped=$((skipped + ${skip:-0}))
  python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, re, sys
try:
    lines = open(sys.argv[1]).readlines()
except OSError:
    lines = []
for line in lines:
    test = json.loads(line)
    if test.get('result') == 'SKIP':
        why = re.search(r'# SKIP (.*)', test.get('stdout') or '')
        print(f"skipped: {test['name']}: {why.group(1) if why else 'no reason given'}")
PY
  bad=0
  for what in 'Fail' 'Timeout' 'Unexpected Pass'; do
    n=$(sed -n "s/^$what: *\([0-9]*\).*/\1/p" "$log" | tail -n 1)
    bad=$((bad + ${n:-0}))
  done
  [ -n "$ok" ] || bad=$((bad + 1))
  passed=$((passed + ${ok:-0}))
  failed=$((failed + bad))
}

meson test -C _build --print-errorlogs "$@" 2>&1 | tee "$log"
count _build

if [ ! -f _build-asan/build.ninja ]; then
  meson setup _build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
if ninja -C _build-asan >"$log" 2>&1; then
  # Leaks are checked in every test. The fast unwinder records where each
  # malloc came from; the tests whose leaks LeakSanitizer can only tell
  # apart with the slow one (through GLib) append fast_unwind_on_malloc=0
  # to ASAN_OPTIONS in their meson env (slow_unwind_test_env, meson.build).
  ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:fast_unwind_on_malloc=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C _build-asan --print-errorlogs --no-suite valgrind "$@" 2>&1 | tee "$log"
  count _build-asan
else
  cat "$log"
  failed=$((failed + 1))
fi

[ "$skipped" -eq 0 ] || echo "$skipped skipped (reasons above)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
