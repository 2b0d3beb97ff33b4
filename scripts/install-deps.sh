#!/usr/bin/env bash
# Installs what the integration tests need and a fresh machine lacks: Debian's influxdb (1.x),
# victoria-metrics (an InfluxDB 2.x write endpoint), chromium (renders the HTML report), Prometheus
# Alertmanager (with amtool) and curl,
# plus the Kafka broker jars from Maven Central. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
missing=()
command -v influxd >/dev/null || missing+=(influxdb)
command -v victoria-metrics >/dev/null || missing+=(victoria-metrics)
command -v curl >/dev/null || missing+=(curl)
command -v chromium >/dev/null || missing+=(chromium)   # the replay report's browser test
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)   # and amtool
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "install-deps.sh: please install these Debian packages (as root): ${missing[*]}" >&2
    exit 2
  fi
  echo "install-deps.sh: installing ${missing[*]}" >&2
  # keep package scripts from starting services on default ports on all interfaces
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
"$here/kafka.sh" lib >/dev/null
echo "install-deps.sh: influxd, victoria-metrics, chromium, alertmanager and the Kafka broker jars are ready" >&2
