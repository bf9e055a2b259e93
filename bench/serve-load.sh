#!/usr/bin/env bash
# Load test of `rasid serve` on a database of synthetic events (default 1,000,000): wrk on
# loopback, 200 connections, each scenario's requests cycling through varied filters.
# Prints wrk's latency distribution (p50 … p99) per scenario.
#
#   bench/serve-load.sh                 # 1,000,000 events, 30 s per scenario
#   EVENTS=100000 DURATION=10s bench/serve-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
events=${EVENTS:-1000000}
duration=${DURATION:-30s}
connections=${CONNECTIONS:-200}
threads=${THREADS:-1}
port=${PORT:-8391}

if ! command -v wrk >/dev/null; then
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
fi
cargo build --release -q -p rasid -p xtask
mkdir -p target/bench
db=${DB:-target/bench/synth-$events.db}
if [ ! -f "$db" ]; then
  /usr/bin/time -f "synthetic database: %e s, %M KB peak" \
    ./target/release/xtask synth-events --db "$db" --events "$events"
fi
ls -la "$db"

./target/release/rasid serve --db "$db" --addr "127.0.0.1:$port" 2> target/bench/serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

run() { # name, paths…
  local name=$1; shift
  printf '%s\n' "$@" > "target/bench/$name.paths"
  echo
  echo "== $name ($# request kinds, $connections connections, $duration)"
  # Each kind once, cold, one at a time: the cost of a first computation.
  for p in "$@"; do
    curl -s -o /dev/null -w "   cold %{time_total}s %{size_download}B $p\n" "http://127.0.0.1:$port$p"
  done
  PATHS="target/bench/$name.paths" wrk -t"$threads" -c"$connections" -d"$duration" --latency \
    -s bench/paths.lua "http://127.0.0.1:$port" | sed -n '/Latency Distribution/,/Requests\/sec/p'
}

run events \
  "/api/events?limit=100" \
  "/api/events?actor=isis&limit=100" \
  "/api/events?admin1=Aleppo&since=2016-01-01&until=2016-12-31&limit=100" \
  "/api/events?type=Battles&sort=fatalities&limit=100" \
  "/api/events?bbox=36,35,38,37&limit=100" \
  "/api/events?sub_type=Air/drone%20strike&since=2020-01-01&limit=100" \
  "/api/events?actor=houthis&admin1=Taizz&limit=100" \
  "/api/events?min_confidence=0.8&sort=oldest&limit=100"

run timeseries \
  "/api/stats/timeseries?group=type&interval=week" \
  "/api/stats/timeseries?group=actor&interval=week&admin1=Aleppo" \
  "/api/stats/timeseries?group=admin1&interval=day&since=2019-01-01&until=2019-12-31" \
  "/api/stats/timeseries?group=type&interval=day&actor=isis&since=2017-01-01&until=2017-06-30" \
  "/api/stats/timeseries?group=type&interval=week&type=Battles"

run alerts \
  "/api/alerts?as_of=latest" \
  "/api/alerts?as_of=2017-06-30" \
  "/api/alerts?as_of=2020-03-01"
