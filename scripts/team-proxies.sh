#!/usr/bin/env bash
# Two headroom proxies sharing one Redis on this machine: the shape of a team deployment (replicas behind a
# load balancer, one store), runnable as it is. Starts redis-server on 127.0.0.1:${REDIS_PORT}, two proxies
# on ${PORT_A} and ${PORT_B}, checks each one's /health, prints how to point agents at them, and stops all
# three on Ctrl-C. Needs redis-server (Debian: apt-get install redis-server) and headroom on PATH (or
# HEADROOM=/path/to/bin/run.js).
set -euo pipefail

REDIS_PORT=${REDIS_PORT:-6390}
PORT_A=${PORT_A:-8787}
PORT_B=${PORT_B:-8788}
HOST=${HOST:-127.0.0.1}
HEADROOM=${HEADROOM:-headroom}
STORE="redis://127.0.0.1:${REDIS_PORT}/0"

# Off loopback every request must carry the proxy key; generate one when none is given.
if [[ "$HOST" != 127.0.0.1 && "$HOST" != localhost && "$HOST" != ::1 && -z "${HEADROOM_API_KEY:-}" ]]; then
  HEADROOM_API_KEY=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  echo "HEADROOM_API_KEY not set; generated one for this run (agents send it as x-headroom-key)"
fi
export HEADROOM_API_KEY=${HEADROOM_API_KEY:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/headroom-team-XXXXXX")
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
  sleep 0.1
done

# Each replica has its own cache dir (its runtime file, nothing shared) and the one store.
for port in "$PORT_A" "$PORT_B"; do
  HEADROOM_CACHE_DIR="$work/cache-$port" HEADROOM_STORE="$STORE" \
    $HEADROOM proxy --host "$HOST" --port "$port" >"$work/proxy-$port.log" 2>&1 &
  pids+=($!)
done

key_header=()
[[ -n "$HEADROOM_API_KEY" ]] && key_header=(-H "x-headroom-key: $HEADROOM_API_KEY")
for port in "$PORT_A" "$PORT_B"; do
  for attempt in $(seq 100); do
    if curl -fsS "${key_header[@]}" "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
    if [[ $attempt == 100 ]]; then
      echo "proxy on port $port did not answer /health:" >&2
      cat "$work/proxy-$port.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "proxy http://$HOST:$port healthy: $(curl -fsS "${key_header[@]}" "http://127.0.0.1:$port/health")"
done

cat <<EOF

Both proxies keep originals and stats in $STORE.
  ANTHROPIC_BASE_URL=http://$HOST:$PORT_A claude        # or $PORT_B: either answers any retrieve
  OPENAI_BASE_URL=http://$HOST:$PORT_B/v1 codex
  HEADROOM_STORE=$STORE $HEADROOM stats                 # every replica's requests
Ctrl-C stops the proxies and Redis.
EOF
wait
