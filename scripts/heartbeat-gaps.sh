#!/usr/bin/env bash
# The heart-beat measurement of RELIABILITY.md: HeartBeatGapsTest (which mvn verify runs for 20 s) on
# idle connections to Artemis, ActiveMQ Classic and RabbitMQ (when scripts/rabbitmq.sh runs it) at
# once, asking for server beats every 1 s and every 10 s, for $1 seconds (default 600). Prints one
# "beats [...]" line per broker and period: gaps counted, median, p99 and longest gap between reads.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
mvn -B -q -Dstyle.color=never -DskipTests -Djacoco.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
  -pl stompbox-it-reliability -am install
log=$(mktemp -t stompbox-beats.XXXXXX)
status=0
mvn -B -Dstyle.color=never -Djacoco.skip=true -pl stompbox-it-reliability test -Dtest=HeartBeatGapsTest \
  -Dstompbox.beats.seconds="${1:-600}" -Dstompbox.beats.periods=1000,10000 >"$log" 2>&1 || status=$?
grep -E '^beats \[|Tests run:|FAIL' "$log" | sort -u
echo "full log: $log"
exit "$status"
