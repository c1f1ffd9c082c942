#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Remakes the seed corpus of fuzz-session (tests/fuzz-session/corpus): tiny
# complete clips (a few KB: fast sessions, whole structures for the fuzzer to
# mutate) in the containers and codecs of the bundled samples and a few more,
# and the heads of the bundled samples (data/media), cut to 4 KiB.
#   tests/fuzz-session/make-seeds.sh [DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/corpus}
media=$here/../../data/media
mkdir -p "$dir"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 "$@"; }
v="-f lavfi -i testsrc2=size=32x24:rate=10:duration=0.5"
a="-f lavfi -i sine=frequency=440:sample_rate=8000:duration=0.3"
bx="-fflags +bitexact -map_metadata -1"

ff $v $a -c:v libx264 -preset medium -bf 2 -g 4 -x264-params threads=1 -pix_fmt yuv420p \
   -c:a aac -b:a 16k -movflags +faststart $bx "$dir/tiny-h264-aac.mp4"
ff $v $a -c:v libvpx-vp9 -b:v 50k -g 4 -c:a libopus -b:a 16k -ar 48000 $bx "$dir/tiny-vp9-opus.webm"
ff $v $a -c:v mpeg2video -bf 2 -q:v 10 -c:a mp2 -b:a 32k -ar 16000 $bx "$dir/tiny-mpeg2-mp2.ts"
ff $v -c:v mjpeg -q:v 20 -pix_fmt yuvj420p $bx "$dir/tiny-mjpeg.mkv"
ff $a -c:a pcm_s16le $bx "$dir/tiny-pcm.wav"
ff $v -c:v libvpx -b:v 30k -g 3 $bx "$dir/tiny-vp8.webm"
ff $v $a -c:v mpeg4 -bf 1 -q:v 20 -c:a mp2 -b:a 32k -ar 16000 $bx "$dir/tiny-mpeg4-mp2.avi"
ff $v $a -c:v ffv1 -c:a flac $bx "$dir/tiny-ffv1-flac.nut"
for f in sample.mp4 sample.webm sample.ts; do
  head -c 4096 "$media/$f" > "$dir/head-$f"
done
