#!/usr/bin/env bash
# Debian's victoria-metrics on loopback: it accepts InfluxDB's 2.x write API (/api/v2/write),
# so the 2.x/3.x write path is tested against a real server.
#   scripts/victoria-metrics.sh start DIR PORT
#   scripts/victoria-metrics.sh stop DIR
set -euo pipefail
case "${1:-}" in
  start)
    command -v victoria-metrics >/dev/null || { echo "victoria-metrics.sh: victoria-metrics not found: run scripts/install-deps.sh" >&2; exit 2; }
    dir="$(mkdir -p "$2" && cd "$2" && pwd)"; port="$3"
    # latencyOffset 0: a test reads what it imported a moment ago (PrometheusMetricsITCase)
    nohup victoria-metrics -httpListenAddr="127.0.0.1:$port" -storageDataPath="$dir/data" -search.latencyOffset=0s \
        >"$dir/victoria.log" 2>&1 &
    echo $! > "$dir/victoria.pid"
    end=$((SECONDS + 30))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" || true)" = "200" ]; do
      if [ $SECONDS -ge $end ]; then
        echo "victoria-metrics.sh: not ready on 127.0.0.1:$port; see $dir/victoria.log" >&2; exit 1
      fi
      sleep 0.2
    done
    echo "victoria-metrics.sh: ready on http://127.0.0.1:$port" >&2
    ;;
  stop)
    dir="$2"
    if [ -f "$dir/victoria.pid" ]; then kill "$(cat "$dir/victoria.pid")" 2>/dev/null || true; rm -f "$dir/victoria.pid"; fi
    ;;
  *) echo "usage: scripts/victoria-metrics.sh start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
