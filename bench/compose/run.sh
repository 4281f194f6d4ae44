#!/usr/bin/env bash
# Measures how much faster than real time huizhen-compose composes a
# session: three participants, each with a VP8 640x480 30 fps camera and
# Opus audio, the third joining a third of the way in. The tracks are made
# with videotestsrc and audiotestsrc and have no capture timing sidecars,
# so the composer places them by their start times.
#
#   bash bench/compose/run.sh [BUILD_DIR] [SECONDS]
#
# BUILD_DIR defaults to build and SECONDS (the session length) to 60.
# Prints the composed duration, wall time, CPU time and the ratio of media
# time to wall time (above 1 is faster than real time).
set -euo pipefail

build_dir=${1:-build}
seconds=${2:-60}
compose="$build_dir/compose/huizhen-compose"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/1"

make_track() {  # PARTICIPANT SECONDS PATTERN FREQUENCY
  local frames=$(($2 * 30)) audio_buffers=$(($2 * 50))
  gst-launch-1.0 -q videotestsrc num-buffers="$frames" pattern="$3" \
    ! video/x-raw,width=640,height=480,framerate=30/1 ! vp8enc deadline=1 target-bitrate=500000 \
    ! webmmux ! filesink location="$work/1/$1-video.webm"
  gst-launch-1.0 -q audiotestsrc num-buffers="$audio_buffers" samplesperbuffer=960 freq="$4" \
    ! audio/x-raw,rate=48000 ! opusenc ! webmmux ! filesink location="$work/1/$1-audio.webm"
}

late=$((seconds / 3))
make_track 5 "$seconds" ball 440
make_track 6 "$seconds" smpte 660
make_track 7 $((seconds - late)) pinwheel 880

now_us=$(($(date +%s) * 1000000))
track() {  # PARTICIPANT KIND PRESENTER START_S LENGTH_S
  printf '{"path":"%s/1/%s-%s.webm","participant_id":%s,"kind":"%s","presenter":%s,' \
    "$work" "$1" "$2" "$1" "$2" "$3"
  printf '"started_at_us":%s,"ended_at_us":%s}' \
    $((now_us + $4 * 1000000)) $((now_us + ($4 + $5) * 1000000))
}
{
  printf '{"session_id":1,"tracks":['
  track 5 video true 0 "$seconds"; printf ','
  track 5 audio true 0 "$seconds"; printf ','
  track 6 video false 0 "$seconds"; printf ','
  track 6 audio false 0 "$seconds"; printf ','
  track 7 video false "$late" $((seconds - late)); printf ','
  track 7 audio false "$late" $((seconds - late))
  printf ']}\n'
} >"$work/manifest.json"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f '%e %U %S' -o "$work/time" \
  "$compose" ${COMPOSE_ARGS:-} --manifest "$work/manifest.json" --webm "$work/out.webm" --mp4 "$work/out.mp4" \
  2>/dev/null | tail -n 1
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r wall user system <"$work/time"
python3 - "$seconds" "$wall" "$user" "$system" <<'PY'
import sys
media, wall, user, system = (float(v) for v in sys.argv[1:])
print(f"media {media:.1f} s, wall {wall:.1f} s, CPU {user + system:.1f} s "
      f"(user {user:.1f}, system {system:.1f})")
print(f"faster than real time by {media / wall:.2f}x (wall), "
      f"{media / (user + system):.2f} media seconds per CPU second")
PY
