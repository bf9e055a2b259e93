#!/usr/bin/env bash
# Throughput of `rasid worker` with 1, 2 and 4 workers on one machine: a throw-away
# nats-server (JetStream) on loopback, the 30,676 SaudiNewsNet articles published once per
# run, the workers started together and timed until the stream is empty. They share one
# SQLite file, or with DB=postgres one PostgreSQL database (a throw-away server on loopback,
# started by scripts/postgres-throwaway).
#
#   [DB=sqlite|postgres] [WORKERS="1 2 4"] bench/workers.sh [ARTICLES.jsonl.gz]
#                                            (default: ../shared's SaudiNewsNet)
set -euo pipefail
cd "$(dirname "$0")/.."
input=${1:-}
if [ -z "$input" ]; then
  input=target/bench/snn.jsonl.gz
  mkdir -p target/bench
  [ -f "$input" ] || cat ../shared/data/news/saudinewsnet.part*.jsonl.gz > "$input"
fi
if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nats-server >/dev/null
fi
export PATH="$PATH:/usr/sbin"
cargo build --release -q -p rasid
rasid=./target/release/rasid
port=${PORT:-14333}
if [ "${DB:-sqlite}" = postgres ]; then
  pg=$(scripts/postgres-throwaway "${PG_PORT:-14334}")
  trap 'pkill -f "postgres -D /tmp/rasid-pg.*${PG_PORT:-14334}" || true' EXIT
fi
for n in ${WORKERS:-1 2 4}; do
  work=$(mktemp -d)
  nats-server -js -a 127.0.0.1 -p "$port" -sd "$work/js" >/dev/null 2>&1 &
  nats=$!
  sleep 0.5
  $rasid ingest --nats "nats://127.0.0.1:$port" "$input" | tail -1
  jobs=$(( n >= 2 ? 1 : 2 ))
  db="$work/w.db"
  if [ -n "${pg:-}" ]; then
    psql -q "$pg" -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
    db="${pg%/*}/bench"
    $rasid events --db "$db" --limit 1 >/dev/null   # the schema, before the clock starts
  fi
  start=$(date +%s.%N)
  pids=()
  for i in $(seq 1 "$n"); do
    $rasid worker --nats "nats://127.0.0.1:$port" --db "$db" --metrics-addr 127.0.0.1:0 \
      --until-empty -j "$jobs" --batch 128 > "$work/out.$i" 2> "$work/log.$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc)
  msgs=$(cat "$work"/out.* | awk '{ s += $1 } END { print s }')
  printf '%s, %d worker(s): %d messages in %.1f s = %.0f articles/s\n' "${DB:-sqlite}" "$n" "$msgs" "$secs" "$(echo "$msgs / $secs" | bc -l)"
  # Where the time went: each batch's log line gives its extraction, transaction (waiting
  # for the write lock included) and acknowledgement times.
  cat "$work"/log.* | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]);
        if (kv[1] == "extract_ms") e += kv[2]; if (kv[1] == "store_ms") s += kv[2];
        if (kv[1] == "ack_ms") a += kv[2] } }
    END { t = e + s + a; if (t > 0) printf "  worker time: extract %.0f%%, store %.0f%%, acknowledge %.0f%% (%.0f s in all)\n", 100*e/t, 100*s/t, 100*a/t, t/1000 }'
  kill "$nats"; wait "$nats" 2>/dev/null || true
  rm -rf "$work"
done
