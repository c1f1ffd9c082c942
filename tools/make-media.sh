#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Makes small test clips with FFmpeg's own test sources.
#   tools/make-media.sh DIR             the bundled samples (data/media)
#   tools/make-media.sh DIR NAME...     only the named clips (tests use this)
# Every clip is deterministic for a given FFmpeg build (-bitexact, one thread).
set -eu
dir=$1; shift
mkdir -p "$dir"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y -threads 1 "$@"; }
v() { echo "-f lavfi -i testsrc2=size=$1:rate=$2:duration=$3"; }
a() { echo "-f lavfi -i sine=frequency=$1:sample_rate=$2:duration=$3"; }

make_one() {
  case $1 in
  sample.mp4)   # the default sample: H.264 with B-frames + AAC
    ff $(v 320x240 25 2) $(a 440 44100 2) -c:v libx264 -preset medium -bf 3 -g 25 \
       -x264-params threads=1:b-pyramid=normal -pix_fmt yuv420p -crf 30 \
       -c:a aac -b:a 64k -fflags +bitexact -map_metadata -1 "$dir/$1" ;;
  sample.webm)  # VP9 + Opus
    ff $(v 320x240 25 1) $(a 660 48000 1) -c:v libvpx-vp9 -b:v 200k -deadline good \
       -cpu-used 4 -g 25 -c:a libopus -b:a 48k -fflags +bitexact "$dir/$1" ;;
  sample.ts)    # MPEG-2 video + MP2 in a transport stream
    ff $(v 320x240 25 1) $(a 330 48000 1) -c:v mpeg2video -bf 2 -q:v 8 \
       -c:a mp2 -b:a 96k -fflags +bitexact "$dir/$1" ;;
  sample.wav)   # audio only
    ff $(a 500 22050 1) -c:a pcm_s16le -fflags +bitexact "$dir/$1" ;;
  sample.mkv)   # MJPEG in Matroska
    ff $(v 320x240 10 1) -c:v mjpeg -q:v 10 -pix_fmt yuvj420p -fflags +bitexact "$dir/$1" ;;
  multi.mkv)    # MPEG-4 video, two audio tracks (MP2, PCM), SubRip subtitles
    srt=$(mktemp); printf '1\n00:00:00,100 --> 00:00:00,400\nOne\n\n2\n00:00:00,500 --> 00:00:00,900\nTwo\n' > "$srt"
    ff $(v 160x120 10 1) $(a 440 22050 1) $(a 880 16000 1) -f srt -i "$srt" -map 0 -map 1 -map 2 -map 3 \
       -c:v mpeg4 -bf 1 -q:v 10 -c:a:0 mp2 -c:a:1 pcm_s16le -c:s subrip -fflags +bitexact "$dir/$1"
    rm -f "$srt" ;;
  multi.mp4)    # H.264 video, two AAC tracks, mov_text subtitles, a timecode data stream
    srt=$(mktemp); printf '1\n00:00:00,100 --> 00:00:00,400\nOne\n\n2\n00:00:00,500 --> 00:00:00,900\nTwo\n' > "$srt"
    ff $(v 160x120 10 1) $(a 440 22050 1) $(a 880 16000 1) -f srt -i "$srt" -map 0 -map 1 -map 2 -map 3 \
       -c:v libx264 -preset ultrafast -bf 2 -x264-params threads=1 -pix_fmt yuv420p \
       -c:a aac -b:a 32k -c:s mov_text -timecode 00:00:00:00 -fflags +bitexact -map_metadata -1 "$dir/$1"
    rm -f "$srt" ;;
  sample-hevc.mp4) # HEVC (frame threads), for the ThreadSanitizer test, not bundled
    ff $(v 320x240 25 1) -c:v libx265 -preset ultrafast -x265-params pools=1:frame-threads=1:log-level=error \
       -bf 2 -g 25 -pix_fmt yuv420p -fflags +bitexact "$dir/$1" ;;
  sample-prores.mov) # ProRes (frame threads), for the ThreadSanitizer test, not bundled
    ff $(v 320x240 25 1) -c:v prores_ks -profile:v 0 -pix_fmt yuv422p10le -fflags +bitexact "$dir/$1" ;;
  long-10min.mp4) # 10 minutes of 320x240 H.264 + AAC for the history benchmark, not bundled
    ff $(v 320x240 25 600) $(a 440 44100 600) -c:v libx264 -preset ultrafast -bf 2 \
       -x264-params threads=1 -pix_fmt yuv420p -c:a aac -b:a 64k "$dir/$1" ;;
  big-1080p.mp4) # H.264 1080p for the benchmarks, not bundled
    ff $(v 1920x1080 25 ${RS_BENCH_SECONDS:-4}) -c:v libx264 -preset veryfast -bf 3 \
       -x264-params threads=1 -pix_fmt yuv420p -crf 28 "$dir/$1" ;;
  streams.mkv)  # H.264 with B-frames, two AAC tracks and SubRip subtitles: the
                # layout benchmark's many-lane file, not bundled
    printf '1\n00:00:00,200 --> 00:00:00,900\nFirst line\n\n2\n00:00:01,000 --> 00:00:01,800\nSecond line\n' \
      > "$dir/streams.srt"
    ff $(v 320x240 25 2) $(a 440 44100 2) $(a 880 48000 2) -i "$dir/streams.srt" \
       -map 0 -map 1 -map 2 -map 3 -c:v libx264 -preset medium -bf 3 -g 25 \
       -x264-params threads=1:b-pyramid=normal -pix_fmt yuv420p -crf 30 \
       -c:a aac -b:a 64k -c:s srt -fflags +bitexact -map_metadata -1 "$dir/$1" ;;
  faststart.mp4) # H.264 with its index (moov) first: cut short, it still opens
    ff $(v 320x240 25 2) -c:v libx264 -preset medium -bf 3 -g 25 -x264-params threads=1 \
       -pix_fmt yuv420p -crf 30 -movflags +faststart -fflags +bitexact -map_metadata -1 \
       "$dir/$1" ;;
  long.mp4)     # a long small clip for soak tests and the history benchmark
    ff $(v 64x48 25 ${RS_LONG_SECONDS:-60}) -c:v libx264 -preset ultrafast -bf 2 \
       -x264-params threads=1 -pix_fmt yuv420p "$dir/$1" ;;
  wide-names.mkv) # the widest stream names: a second subtitle stream at index 12
                  # ("subtitle12") after ten PCM tracks ("audio11"); overlap test, not bundled
    srt=$(mktemp); printf '1\n00:00:00,100 --> 00:00:00,400\nOne\n\n2\n00:00:00,500 --> 00:00:00,900\nTwo\n' > "$srt"
    ff $(v 64x48 10 1) -f lavfi -i anullsrc=r=8000:cl=mono:d=1 -f srt -i "$srt" \
       -map 0 -map 2 -map 1 -map 1 -map 1 -map 1 -map 1 -map 1 -map 1 -map 1 -map 1 -map 1 -map 2 \
       -c:v mpeg4 -q:v 10 -c:a pcm_s16le -c:s subrip -fflags +bitexact -map_metadata -1 "$dir/$1"
    rm -f "$srt" ;;
  long-audio.mkv) # audio frames of 65,535 samples: FLAC's largest block (44.1 kHz),
                  # PCM cut as large (11.025 kHz); overlap test, not bundled
    ff $(v 64x48 10 2) $(a 440 44100 2) -f lavfi -i sine=frequency=440:sample_rate=11025:duration=6:samples_per_frame=65535 \
       -map 0 -map 1 -map 2 -c:v mpeg4 -q:v 10 -c:a:0 flac -frame_size:a:0 65535 -c:a:1 pcm_s16le \
       -fflags +bitexact -map_metadata -1 "$dir/$1" ;;
  side-data.mp4) # H.264 whose first frame carries a 60 kB user-data SEI: side data
                 # of kilobytes, as an ICC profile's; overlap test, not bundled
    ff $(v 160x120 25 2) -c:v libx264 -preset ultrafast -bf 2 -x264-params threads=1 -pix_fmt yuv420p \
       -bsf:v "h264_metadata=sei_user_data=086f3693-b7b3-4f2c-9653-21492feee5b8+$(head -c 60000 /dev/zero | tr '\0' x)" \
       -fflags +bitexact -map_metadata -1 "$dir/$1" ;;
  *) echo "make-media.sh: unknown clip $1" >&2; exit 2 ;;
  esac
}

if [ $# -eq 0 ]; then
  set -- sample.mp4 sample.webm sample.ts
fi
for name in "$@"; do
  make_one "$name"
done
