#!/usr/bin/env bash
# Runs one main class of the Kafka jars (/opt/kafka/libs) on the image's JVM. The launcher
# variables of the Kafka distribution apply: KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS,
# KAFKA_GC_LOG_OPTS, KAFKA_JMX_OPTS (+ KAFKA_JMX_PORT), KAFKA_LOG4J_OPTS, KAFKA_OPTS.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $(basename "$0") <main class> [args...]" >&2; exit 2; }
home=$(cd "$(dirname "$0")/.." && pwd)
java=java
[ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"

heap=${KAFKA_HEAP_OPTS:--Xmx256M}
perf=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
jmx=${KAFKA_JMX_OPTS:-}
if [ -n "${KAFKA_JMX_PORT:-}" ]; then
  jmx="$jmx -Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false -Dcom.sun.management.jmxremote.local.only=false -Dcom.sun.management.jmxremote.port=$KAFKA_JMX_PORT -Dcom.sun.management.jmxremote.rmi.port=$KAFKA_JMX_PORT -Djava.rmi.server.hostname=${KAFKA_JMX_HOSTNAME:-$(hostname)}"
fi
log4j=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$home/config/tools-log4j2.properties}
# Where file appenders (if a mounted log4j2 config adds some) and GC logs go; the chart mounts it.
logs=${LOG_DIR:-$home/logs}

# The option strings are lists of JVM flags: split on spaces, never glob-expanded.
set -f
# shellcheck disable=SC2086
exec "$java" $heap $perf ${KAFKA_GC_LOG_OPTS:-} $jmx $log4j -Dkafka.logs.dir="$logs" ${KAFKA_OPTS:-} -cp "$home/libs/*" "$@"
