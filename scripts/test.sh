#!/usr/bin/env bash
# The test command of the README (`./paywatch test`): installs what the integration tests need
# when it is missing (Debian's influxdb and victoria-metrics, the Kafka broker jars), then runs
# the unit tests (*Test) and the integration tests (*ITCase, real Kafka and InfluxDB on loopback,
# started by the tests themselves from scripts/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/scripts/install-deps.sh"
cd "$here"
exec mvn -B verify "$@"
