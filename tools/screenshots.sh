#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates screenshots/*.png: the window on the bundled sample, on the
# bundled lessons and on a recording of tests/record/planted-leaks, under a
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
# (xdotool key names, space-separated; wheel-down scrolls the graph,
# click:X,Y clicks there in the window, type:TEXT types TEXT), saves the
# window as NAME.png. SIZE=WxH resizes the window first.
shot() {
  name=$1 keys=$2
  shift 2
  "$refscope" "$@" >/dev/null 2>&1 &
  pid=$!
  # A recording's window is named by its program.
  wid=$(xdotool search --sync --onlyvisible --name 'sample|Refscope|\.c$|\.rstrace$|planted-leaks|threaded-queue')
  # Time for --steps to be stepped and laid out, on a busy machine too.
  sleep "${delay:-4}"
  if [ -n "${SIZE:-}" ]; then
    xdotool windowsize --sync "$wid" "${SIZE%x*}" "${SIZE#*x}"
    sleep 0.5
  fi
  xdotool windowfocus --sync "$wid"
  for key in $keys; do
    case $key in
      wheel-down) xdotool mousemove --window "$wid" 500 400 click 5 ;;
      click:*) xy=${key#click:}; xdotool mousemove --window "$wid" "${xy%,*}" "${xy#*,}" click 1 ;;
      type:*) xdotool type "${key#type:}" ;;
      sleep) sleep 1 ;;
      *) xdotool key "$key" ;;
    esac
    sleep 0.15
  done
  sleep 1
  if [ -n "${shot_root:-}" ]; then
    # Popovers are windows of their own: take the screen where the window is.
    eval "$(xdotool getwindowgeometry --shell "$wid")"
    import -window root -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$out/$name.png"
  else
    import -window "$wid" "$out/$name.png"
  fi
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

# Step 1: the first packet read, the first-run hint over the graph.
shot start ""
# Step 50: a B-frame just received (video.frame, clicked in the whole graph
# as "fit" shows it, then zoomed in twice) while the decoder holds its
# reference pictures (hidden refs, dashed, under it).
# F9 first: the inspector, hidden until something is selected, shown
# before the click so that the graph does not move under the clicks.
frame="F9 sleep click:363,395"
zoom_in="click:958,690 click:958,690"
shot mid-session "$frame $zoom_in" --steps=50
# The same step, the B-frame's Y plane selected: who holds it, its refcount
# over time.
shot inspector "$frame $zoom_in click:490,372" --steps=50
# The dark style.
(export ADW_DEBUG_COLOR_SCHEME=prefer-dark; shot dark "$frame $zoom_in click:490,372" --steps=50)
# The graph of the window's "Step 117" as exported (SVG and PNG).
graph=$(mktemp -d)
"$refscope" --headless --steps=117 --export="$graph" --format=svg,png >/dev/null
cp "$graph/step-000117.svg" "$out/graph-step-117.svg"
cp "$graph/step-000117.png" "$out/graph-step-117.png"
rm -r "$graph"
echo screenshots/graph-step-117.png

# The stream picker (Ctrl+,) on a file whose video codec FFmpeg does not
# know: every stream listed, the video skipped and why, the rest decoded.
media=$(mktemp -d)
sh tools/make-media.sh "$media" multi.mkv
python3 -c "import sys; d = open(sys.argv[1], 'rb').read(); open(sys.argv[2], 'wb').write(d.replace(b'V_MPEG4/ISO/ASP', b'V_QQQQQ/ISO/ASP'))" \
  "$media/multi.mkv" "$media/sample-streams.mkv"
(shot_root=1; shot streams "click:1137,27" "$media/sample-streams.mkv")
rm -r "$media"

# The end of the session: the summary (steps, peak buffers and bytes, leaks).
shot end "" --steps=1000000
# A small window (800×600): the graph, the legend and the controls still fit.
SIZE=800x600 shot small "Down $(repeat Down 10)" --steps=50
# Ctrl+F: a buffer found by its number, selected and brought into view.
shot find "ctrl+f sleep type:#27 Return" --steps=50

# A file that cannot be opened: the whole reason, where the graph would be.
shot open-error "" "$PWD/data/media/no-such-clip.mp4"

# Lessons: the source beside the graph.
lessons=$PWD/data/scenarios
# Lesson 3, step 10: a memset through a shared reference (line tinted, the
# unsafe write listed under the source, the buffer flagged in the graph).
shot lesson "" --steps=10 "$lessons/03-copy-packet.c"
# Lesson 2 at its end: the leak listed; its row clicked selects the buffer.
shot lesson-leak "click:240,660" --steps=8 "$lessons/02-init-packet-leak.c"
# A lesson that does not compile: errors underlined and listed, nothing runs.
bad=$(mktemp -d)/first-try.c
cat >"$bad" <<'LESSON'
/* The seed note's test 2, as first written: it does not compile. */
#define MEM_ITEM_SIZE (20*1024*102)

void av_packet_test2() {
    AVPacket pkt = NULL;
    int ret = 0;
    pkt = av_packet_alloc();
    ret = av_new_packet(pkt,MEM_ITEM_SIZE);
    av_init_packet(pkt);
    av_packet_free();
}
LESSON
shot lesson-errors "" "$bad"
rm -r "$(dirname "$bad")"

# A recording: `refscope record` on tests/record/planted-leaks, opened at
# its end beside the program's source; the orphaned packet's row clicked
# goes to the step that orphaned it, the line highlighted, its buffer
# selected (its lost reference in the inspector).
rec=$(mktemp -d)
"$refscope" record --output="$rec/planted-leaks.rstrace" -- \
  "$PWD/$build/tests/record/planted-leaks" "$PWD/data/media/sample.mp4" >/dev/null 2>&1
# (Reading every step and laying out the end takes a moment more.)
delay=4 shot record-leaks "click:200,670" --steps=1000000 "$rec/planted-leaks.rstrace"
# tests/record/threaded-queue: a reader thread and a decoder thread; a
# lane each under the timeline, the step shown a call of the decoder's.
"$refscope" record --output="$rec/threaded-queue.rstrace" -- \
  "$PWD/$build/tests/record/threaded-queue" "$PWD/data/media/sample.mp4" >/dev/null 2>&1
shot record-threads "$(repeat t 3)" --steps=160 "$rec/threaded-queue.rstrace"
rm -r "$rec"
