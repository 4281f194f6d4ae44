#!/usr/bin/env bash
# Installs everything Huizhen needs to build, run and test on Debian 12.
# Run as root. Safe to run again: apt and npm skip what is already there.
set -euo pipefail

packages=(
  # build
  build-essential meson ninja-build pkg-config
  libglib2.0-dev libjson-glib-dev libsoup-3.0-dev libsqlite3-dev libnice-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  libsodium-dev libical-dev libgnutls28-dev libssl-dev libsrtp2-dev tzdata
  # run: GStreamer elements for webrtcbin, VP8, Opus, WebM and HLS output (x264enc
  # in ugly; hlssink2, voaacenc, openh264dec in bad); libnice's plugin; TLS for libsoup
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-nice gstreamer1.0-tools glib-networking
  sqlite3 ca-certificates
  # tests: browser, speech for the fake microphone, network namespaces, random
  # packet loss in them (iptables' statistic match; some kernels lack netem)
  chromium firefox-esr fonts-wqy-microhei espeak-ng sox iproute2 iptables python3
  # tests: an independent iCalendar parser to check the feeds
  python3-icalendar
  # tests: a local TURN server (UDP, TCP, TLS) and its test certificate
  coturn openssl
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
# Node.js and npm drive the browser tests; keep an existing Node.js install.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} > 0)); then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
