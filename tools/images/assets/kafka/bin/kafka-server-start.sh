#!/usr/bin/env bash
# Runs the broker (kafka.Kafka) in the foreground with the broker's heap and logging defaults.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $(basename "$0") server.properties [--override name=value]..." >&2; exit 2; }
home=$(cd "$(dirname "$0")/.." && pwd)
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}
export KAFKA_LOG4J_OPTS=${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$home/config/log4j2.properties}
exec "$home/bin/kafka-run-class.sh" kafka.Kafka "$@"
