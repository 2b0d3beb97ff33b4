#!/usr/bin/env bash
# Debian's prometheus-alertmanager on loopback, for the tests: PayWatch posts to its
# /api/v2/alerts, and it notifies one webhook receiver (the test's) with the route the README
# recommends: grouped by alertname, channel and merchant_id, quick group timers, and its inhibit
# rule (a firing channel alert inhibits the merchant alerts whose cause_channel it is).
#   scripts/alertmanager.sh start DIR PORT RECEIVER_PORT
#   scripts/alertmanager.sh stop DIR
set -euo pipefail
case "${1:-}" in
  start)
    command -v prometheus-alertmanager >/dev/null || { echo "alertmanager.sh: prometheus-alertmanager not found: run scripts/install-deps.sh" >&2; exit 2; }
    dir="$(mkdir -p "$2" && cd "$2" && pwd)"; port="$3"; receiver="$4"
    cat > "$dir/alertmanager.yml" <<CONF
route:
  receiver: paywatch-test
  group_by: [alertname, channel, merchant_id]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: paywatch-test
    webhook_configs:
      - url: http://127.0.0.1:$receiver/alertmanager
        send_resolved: true
inhibit_rules:
  - source_matchers: [alertname=~"failure_rate|failure_rate_anomaly", merchant_id=""]
    target_matchers: [alertname=~"failure_rate|failure_rate_anomaly", merchant_id=~".+"]
    equal: [cause_channel]
CONF
    nohup prometheus-alertmanager --config.file="$dir/alertmanager.yml" --storage.path="$dir/data" \
        --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
        >"$dir/alertmanager.log" 2>&1 &
    echo $! > "$dir/alertmanager.pid"
    end=$((SECONDS + 30))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/-/ready" || true)" = "200" ]; do
      if [ $SECONDS -ge $end ]; then
        echo "alertmanager.sh: not ready on 127.0.0.1:$port; see $dir/alertmanager.log" >&2; exit 1
      fi
      sleep 0.2
    done
    echo "alertmanager.sh: ready on http://127.0.0.1:$port, notifying 127.0.0.1:$receiver" >&2
    ;;
  stop)
    dir="$2"
    if [ -f "$dir/alertmanager.pid" ]; then kill "$(cat "$dir/alertmanager.pid")" 2>/dev/null || true; rm -f "$dir/alertmanager.pid"; fi
    ;;
  *) echo "usage: scripts/alertmanager.sh start DIR PORT RECEIVER_PORT | stop DIR" >&2; exit 2 ;;
esac
