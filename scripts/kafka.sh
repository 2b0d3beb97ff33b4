#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft: broker + controller) from Maven Central's jars, on
# loopback. Used by the integration tests and for trying `./paywatch run` locally.
#   scripts/kafka.sh start DIR PORT [CONTROLLER_PORT]   start (formats DIR on first use), wait until ready
#   scripts/kafka.sh start-secured DIR PORT CONTROLLER_PORT
#       the same broker with a SASL_SSL listener: SCRAM-SHA-512 users `admin` (the broker itself)
#       and `paywatch`, a CA and a broker certificate for 127.0.0.1 made with keytool in DIR
#       (DIR/truststore.p12 is the clients' trust store). Passwords come from the environment:
#       KAFKA_ADMIN_PASSWORD, KAFKA_PAYWATCH_PASSWORD, KAFKA_STORE_PASSWORD (never arguments,
#       which every user of the machine can read in the process list).
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
  start|start-secured)
    dir="$(mkdir -p "$2" && cd "$2" && pwd)"; port="$3"; cport="${4:-$((port + 1))}"
    fetch_jars
    scram=()
    if [ "$1" = start-secured ]; then
      : "${KAFKA_ADMIN_PASSWORD:?}" "${KAFKA_PAYWATCH_PASSWORD:?}" "${KAFKA_STORE_PASSWORD:?}"
      if [ ! -f "$dir/broker.p12" ]; then
        # a CA valid for two days, and the broker's certificate for 127.0.0.1 signed by it
        kt() { keytool -storetype PKCS12 -storepass "$KAFKA_STORE_PASSWORD" "$@"; }
        kt -genkeypair -keystore "$dir/ca.p12" -alias ca -dname CN=paywatch-test-ca -keyalg RSA \
            -keysize 2048 -validity 2 -ext bc:c >/dev/null 2>&1
        kt -exportcert -keystore "$dir/ca.p12" -alias ca -rfc -file "$dir/ca.pem" >/dev/null 2>&1
        kt -genkeypair -keystore "$dir/broker.p12" -alias broker -dname CN=127.0.0.1 -keyalg RSA \
            -keysize 2048 -validity 2 >/dev/null 2>&1
        kt -certreq -keystore "$dir/broker.p12" -alias broker -file "$dir/broker.csr" >/dev/null 2>&1
        kt -gencert -keystore "$dir/ca.p12" -alias ca -infile "$dir/broker.csr" -outfile "$dir/broker.pem" \
            -rfc -validity 2 -ext SAN=ip:127.0.0.1,dns:localhost >/dev/null 2>&1
        kt -importcert -keystore "$dir/broker.p12" -alias ca -file "$dir/ca.pem" -noprompt >/dev/null 2>&1
        kt -importcert -keystore "$dir/broker.p12" -alias broker -file "$dir/broker.pem" >/dev/null 2>&1
        kt -importcert -keystore "$dir/truststore.p12" -alias ca -file "$dir/ca.pem" -noprompt >/dev/null 2>&1
      fi
      scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=$KAFKA_ADMIN_PASSWORD]"
             --add-scram "SCRAM-SHA-512=[name=paywatch,password=$KAFKA_PAYWATCH_PASSWORD]")
      listener="SASL_SSL://127.0.0.1:$port"
      protocols="SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT"
    else
      listener="PLAINTEXT://127.0.0.1:$port"
      protocols="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
    fi
    cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=$listener,CONTROLLER://127.0.0.1:$cport
advertised.listeners=$listener,CONTROLLER://127.0.0.1:$cport
controller.listener.names=CONTROLLER
listener.security.protocol.map=$protocols
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
    if [ "$1" = start-secured ]; then
      chmod 600 "$dir/server.properties"
      cat >> "$dir/server.properties" <<PROPS
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$KAFKA_ADMIN_PASSWORD";
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/broker.p12
ssl.keystore.password=$KAFKA_STORE_PASSWORD
ssl.key.password=$KAFKA_STORE_PASSWORD
ssl.truststore.type=PKCS12
ssl.truststore.location=$dir/truststore.p12
ssl.truststore.password=$KAFKA_STORE_PASSWORD
ssl.endpoint.identification.algorithm=https
PROPS
    fi
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
          format --standalone -t "$id" -c "$dir/server.properties" "${scram[@]}" >"$dir/format.log" 2>&1
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
    echo "usage: scripts/kafka.sh start|start-secured DIR PORT [CONTROLLER_PORT] | stop DIR | lib" >&2
    exit 2
    ;;
esac
