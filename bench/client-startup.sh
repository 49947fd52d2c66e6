#!/bin/bash
# How long `fedlmt client` takes to be ready (from launch to its "connecting to" log line) and its peak RSS then.
# No server is needed: the client points at a closed port and is stopped once it is ready.
# usage: bench/client-startup.sh [PRESET] [ID] [FEDLMT_DLL]   (defaults: fmnist-bench-fedlmt 0, the Release build)
set -euo pipefail
preset=${1:-fmnist-bench-fedlmt}
id=${2:-0}
dll=${3:-src/FedLmt.Cli/bin/Release/net10.0/fedlmt.dll}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s.%N)
FEDLMT_TOKEN=startup-benchmark-token-0123 dotnet "$dll" client --server https://127.0.0.1:9 --id "$id" --preset "$preset" \
  --state "$tmp/state" > "$tmp/out" 2>&1 &
pid=$!
until grep -q "connecting to" "$tmp/out" 2>/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/out"; exit 1; fi
  sleep 0.02
done
end=$(date +%s.%N)
peak=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
kill "$pid"; wait "$pid" 2>/dev/null || true
printf 'client %s of %s: ready in %.2f s, peak RSS %d MB\n' "$id" "$preset" "$(awk "BEGIN { print $end - $start }")" $((peak / 1024))
