#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft: broker + controller) from Maven Central's jars, on
# loopback. Used by the integration tests and for trying `./paywatch run` locally.
#   scripts/kafka.sh start DIR PORT [CONTROLLER_PORT]   start (formats DIR on first use), wait until ready
#   scripts/kafka.sh stop DIR                           stop the broker started in DIR
#   scripts/kafka.sh lib                                print the broker's classpath dir (fetching the jars)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lib="${PAYWATCH_KAFKA_LIB:-$here/kafka-broker/target/lib}"

fetch_jars() {
  if [ ! -f "$lib/.complete" ]; then
    echo "kafka.sh: fetching the Kafka 4.2 broker jars from Maven Central into $lib" >&2
    mvn -B -q -f "$here/kafka-broker/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$lib" -DincludeScope=runtime >&2
    touch "$lib/.complete"
  fi
}

wait_port() { # host port seconds
  local end=$((SECONDS + $3))
  while [ $SECONDS -lt $end ]; do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

case "${1:-}" in
  lib)
    fetch_jars
    echo "$lib"
    ;;
  start)
    dir="$(mkdir -p "$2" && cd "$2" && pwd)"; port="$3"; cport="${4:-$((port + 1))}"
    fetch_jars
    cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
# the tests' scenario days are fixed dates (2026-11-23) and their records are stamped with them:
# time-based retention (7 days by default, checked 30 s after start) would delete them mid-test
log.retention.ms=-1
PROPS
    cat > "$dir/log4j2.properties" <<PROPS
status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = $dir/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d %p %c{1} %m%n
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
PROPS
    if [ ! -f "$dir/data/meta.properties" ]; then
      id="$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
      java -cp "$lib/*" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.tools.StorageTool \
          format --standalone -t "$id" -c "$dir/server.properties" >"$dir/format.log" 2>&1
    fi
    nohup java -XX:+UseSerialGC -Xmx512m -cp "$lib/*" \
        -Dlog4j2.configurationFile="$dir/log4j2.properties" \
        kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 &
    echo $! > "$dir/kafka.pid"
    if ! wait_port 127.0.0.1 "$port" 60; then
      echo "kafka.sh: broker did not open 127.0.0.1:$port within 60 s; see $dir/stdout.log" >&2
      exit 1
    fi
    echo "kafka.sh: broker ready on 127.0.0.1:$port (pid $(cat "$dir/kafka.pid"))" >&2
    ;;
  stop)
    dir="$2"
    if [ -f "$dir/kafka.pid" ]; then
      pid="$(cat "$dir/kafka.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/kafka.pid"
    fi
    ;;
  *)
    echo "usage: scripts/kafka.sh start DIR PORT [CONTROLLER_PORT] | stop DIR | lib" >&2
    exit 2
    ;;
esac
