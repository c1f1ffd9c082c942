#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates screenshots/*.png: the window on the bundled sample, under a
# virtual X server, driven with xdotool, captured with ImageMagick's import.
#
#   tools/screenshots.sh [BUILD_DIR]      (default: _build)
#
# Needs xvfb-run, xdotool and imagemagick (apt install xvfb xdotool imagemagick).
set -eu
cd "$(dirname "$0")/.."
build=${1:-_build}
refscope=$PWD/$build/app/refscope
out=$PWD/screenshots

if [ -z "${RS_SCREENSHOTS_INNER:-}" ]; then
  for tool in xvfb-run xdotool import; do
    command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing" >&2; exit 1; }
  done
  [ -x "$refscope" ] || { echo "screenshots.sh: build first: ninja -C $build" >&2; exit 1; }
  export RS_SCREENSHOTS_INNER=1
  exec xvfb-run -a -s '-screen 0 1440x920x24' "$0" "$@"
fi

mkdir -p "$out"
export GSK_RENDERER=cairo GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 GTK_A11Y=none

# shot NAME "KEYS" [refscope arguments]: starts refscope, presses KEYS
# (xdotool key names, space-separated; wheel-down scrolls the graph), saves
# the window as NAME.png.
shot() {
  name=$1 keys=$2
  shift 2
  "$refscope" "$@" >/dev/null 2>&1 &
  pid=$!
  wid=$(xdotool search --sync --onlyvisible --name 'sample|Refscope')
  sleep 1.5
  xdotool windowfocus --sync "$wid"
  for key in $keys; do
    case $key in
      wheel-down) xdotool mousemove --window "$wid" 500 400 click 5 ;;
      *) xdotool key "$key" ;;
    esac
    sleep 0.15
  done
  sleep 1
  import -window "$wid" "$out/$name.png"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "screenshots/$name.png"
}

# repeat KEY N: KEY N times (the arrows move the selection on the graph
# from node to node, as seen on screen).
repeat() {
  i=0
  while [ "$i" -lt "$2" ]; do printf '%s ' "$1"; i=$((i + 1)); done
}

# Step 0: the first packet read.
shot start ""
# Step 49: a B-frame just received (video.frame, selected) while the decoder
# holds its reference pictures (hidden refs, dashed, on the right).
shot mid-session "Down $(repeat Down 10) $(repeat wheel-down 4)" --steps=50
# The same step, the B-frame's Y plane selected: who holds it, its refcount
# over time.
shot inspector "Down $(repeat Down 10) Right Up $(repeat wheel-down 4)" --steps=50
# The dark style.
(export ADW_DEBUG_COLOR_SCHEME=prefer-dark; shot dark "Down $(repeat Down 10) Right Up $(repeat wheel-down 4)" --steps=50)
