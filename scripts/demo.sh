#!/usr/bin/env bash
# Installs, builds and runs the Huizhen demo: scheduler and relay on
# 127.0.0.1 with the default config and a demo dataset. Ctrl-C stops both.
#
# Usage: scripts/demo.sh [--tls HOSTNAME [--listen ADDRESS]]
#   --tls HOSTNAME    serve HTTPS and WSS with a self-signed certificate for
#                     HOSTNAME (a DNS name or an IP address), created once in
#                     var/tls/ with openssl, and use HOSTNAME in join links
#   --listen ADDRESS  with --tls: the IP address both daemons listen on
#                     (default 127.0.0.1; 0.0.0.0 for every interface)
set -euo pipefail
cd "$(dirname "$0")/.."

tls_host=""
listen_address="127.0.0.1"
while (($# > 0)); do
  case "$1" in
    --tls)
      [ $# -ge 2 ] || { echo "demo.sh: --tls needs a host name" >&2; exit 2; }
      tls_host="$2"
      shift 2
      ;;
    --listen)
      [ $# -ge 2 ] || { echo "demo.sh: --listen needs an IP address" >&2; exit 2; }
      listen_address="$2"
      shift 2
      ;;
    *)
      echo "demo.sh: unknown option $1; usage: demo.sh [--tls HOSTNAME [--listen ADDRESS]]" >&2
      exit 2
      ;;
  esac
done
if [ -n "$tls_host" ] && ! [[ "$tls_host" =~ ^[A-Za-z0-9.:-]+$ ]]; then
  echo "demo.sh: --tls $tls_host is not a host name or IP address" >&2
  exit 2
fi

bash scripts/deps.sh
[ -f build/build.ninja ] || meson setup build
ninja -C build

# The demo dataset goes into an empty database; keep an older one aside,
# with its recordings: session ids start at 1 again, so old recordings
# would otherwise be listed under the new demo's sessions.
mkdir -p var
stamp="$(date +%Y%m%d-%H%M%S)"
if [ -e var/huizhen.db ]; then
  backup="var/huizhen.db.$stamp"
  # The -wal file may hold the last commits of a scheduler that was killed.
  for suffix in "" -wal -shm; do
    if [ -e "var/huizhen.db$suffix" ]; then
      mv "var/huizhen.db$suffix" "$backup$suffix"
    fi
  done
  echo "Moved the previous database to $backup"
fi
if [ -e var/recordings ]; then
  mv var/recordings "var/recordings.$stamp"
  echo "Moved the previous recordings to var/recordings.$stamp"
fi

# Creates var/tls/HOST.crt and var/tls/HOST.key (mode 0600), a self-signed
# certificate for HOST and for 127.0.0.1, where the relay reaches the
# scheduler. An existing pair is kept.
make_certificate() {
  local host="$1" certificate="var/tls/$1.crt" key="var/tls/$1.key" names
  if [[ "$host" =~ ^[0-9.]+$ || "$host" == *:* ]]; then
    names="IP:$host"
  else
    names="DNS:$host"
  fi
  [ "$host" = 127.0.0.1 ] || names="$names,IP:127.0.0.1"
  mkdir -p var/tls
  chmod 700 var/tls
  if [ -s "$certificate" ] && [ -s "$key" ]; then
    echo "Using the existing certificate $certificate"
    return
  fi
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -days 365 -subj "/CN=$host" -addext "subjectAltName=$names" \
    -keyout "$key" -out "$certificate" 2>/dev/null)
  chmod 600 "$key"
  echo "Created the self-signed certificate $certificate for $names"
}

# Writes var/tls/huizhen.conf: the default config with TLS on both daemons,
# listening on LISTEN_ADDRESS and handing out URLs with TLS_HOST.
write_tls_config() {
  local host="$1" certificate="var/tls/$1.crt" key="var/tls/$1.key" url_host="$1"
  [[ "$host" == *:* ]] && url_host="[$host]"
  local listen_host="$listen_address"
  [[ "$listen_host" == *:* ]] && listen_host="[$listen_host]"
  cat > var/tls/huizhen.conf <<CONF
# Written by scripts/demo.sh --tls $host; see config/huizhen.conf for every key.
[scheduler]
listen = $listen_host:8080
public-url = https://$url_host:8080
tls-certificate = $certificate
tls-key = $key

[relay]
listen = $listen_host:8081
public-url = wss://$url_host:8081/ws
tls-certificate = $certificate
tls-key = $key
scheduler-url = https://127.0.0.1:8080
scheduler-ca-file = $certificate
CONF
}

config=config/huizhen.conf
if [ -n "$tls_host" ]; then
  make_certificate "$tls_host"
  write_tls_config "$tls_host"
  config=var/tls/huizhen.conf
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

build/scheduler/huizhen-scheduler --config "$config" --demo &
pids+=($!)
# The relay reads the token secret that the scheduler creates on first start.
for _ in $(seq 50); do [ -s var/token.secret ] && break; sleep 0.1; done
build/relay/huizhen-relay --config "$config" &
pids+=($!)

echo
if [ -n "$tls_host" ]; then
  spki="$(openssl x509 -in "var/tls/$tls_host.crt" -pubkey -noout |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
  echo "Huizhen demo over TLS: open the join URLs above in a browser. The certificate"
  echo "var/tls/$tls_host.crt is self-signed, so a browser trusts it only when told to:"
  echo "  - import it as a trusted authority on each client machine, or"
  echo "  - for a test with Chromium on one machine, start it with"
  echo "      --ignore-certificate-errors-spki-list=$spki"
  echo "A hospital's own certificate replaces it: see \"TLS\" in README.md."
else
  echo "Huizhen demo: open the join URLs above in Chromium or Firefox on this machine."
fi
echo "Press Ctrl-C to stop."
wait -n
