#!/usr/bin/env bash
# The long failover chaos run: the same FailoverChaosTest that mvn verify runs short, with 20 000 persistent
# messages (or $1) at 1000 msg/s (or $2) and a crash of the live broker every 3 s until the producers are done,
# for both clients: on one restarting broker, on two brokers taking turns on one journal, and on a broker
# process killed with SIGKILL. Prints one "chaos [...]" line per case: kills, deliveries, lost (must be 0),
# duplicates by kind. About 2.5 minutes.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
mvn -B -q -Dstyle.color=never -DskipTests -Djacoco.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
  -pl stompbox-it-reliability -am install
log=$(mktemp -t stompbox-chaos.XXXXXX)
status=0
mvn -B -Dstyle.color=never -Djacoco.skip=true -pl stompbox-it-reliability test -Dtest=FailoverChaosTest \
  -Dstompbox.chaos.messages="${1:-20000}" -Dstompbox.chaos.rate="${2:-1000}" -Dstompbox.chaos.kills=-1 \
  -Dstompbox.chaos.killEveryMillis=3000 -Dstompbox.chaos.downMillis=500 >"$log" 2>&1 || status=$?
grep -E '^chaos \[|Tests run:|FAIL' "$log" | sort -u
echo "full log: $log"
exit "$status"
