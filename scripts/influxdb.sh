#!/usr/bin/env bash
# A real InfluxDB 1.x (Debian's `influxdb` package) on loopback, with its data in DIR.
#   scripts/influxdb.sh start DIR PORT     start and wait for /ping
#   scripts/influxdb.sh stop DIR
set -euo pipefail

wait_ping() { # url seconds
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$1/ping" || true)"
    [ "$code" = "204" ] && return 0
    sleep 0.2
  done
  return 1
}

case "${1:-}" in
  start)
    command -v influxd >/dev/null || { echo "influxdb.sh: influxd not found: run scripts/install-deps.sh" >&2; exit 2; }
    dir="$(mkdir -p "$2" && cd "$2" && pwd)"; port="$3"
    cat > "$dir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((port + 1))"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$port"
  auth-enabled = false
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
CONF
    nohup influxd run -config "$dir/influxdb.conf" >"$dir/influxd.log" 2>&1 &
    echo $! > "$dir/influxd.pid"
    if ! wait_ping "http://127.0.0.1:$port" 30; then
      echo "influxdb.sh: influxd did not answer on 127.0.0.1:$port; see $dir/influxd.log" >&2
      exit 1
    fi
    echo "influxdb.sh: InfluxDB ready on http://127.0.0.1:$port (pid $(cat "$dir/influxd.pid"))" >&2
    ;;
  stop)
    dir="$2"
    if [ -f "$dir/influxd.pid" ]; then
      kill "$(cat "$dir/influxd.pid")" 2>/dev/null || true
      rm -f "$dir/influxd.pid"
    fi
    ;;
  *)
    echo "usage: scripts/influxdb.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
