#!/usr/bin/env bash
# The long failover chaos runs: the same FailoverChaosTest that mvn verify runs short, for both clients.
#  1. 20 000 persistent messages (or $1) at 1000 msg/s (or $2), a crash of the live broker every 3 s until the
#     producers are done: one restarting Artemis, two taking turns on one journal, one killed with SIGKILL.
#  2. On the clusters, 20 000 messages (or $1) at 300 msg/s (or $3): the Artemis HA pair (replication, failback)
#     and the three-node RabbitMQ cluster (quorum queue), the node the clients are on killed with SIGKILL 3 s after
#     the last one came back, at least 5 kills while the producers send.
# The RabbitMQ cluster is the one named by STOMPBOX_RABBITMQ_CLUSTER_DIR, or one this script starts and stops
# (scripts/rabbitmq.sh cluster-start; needs rabbitmq-server, see README). Prints one "chaos [...]" line per case:
# kills, deliveries, lost (must be 0), duplicates by kind. About 8 minutes.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
messages=${1:-20000}
mvn -B -q -Dstyle.color=never -DskipTests -Djacoco.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
  -pl stompbox-it-reliability -am install
if [ -z "${STOMPBOX_RABBITMQ_CLUSTER_DIR:-}" ]; then
  STOMPBOX_RABBITMQ_CLUSTER_DIR=$(mktemp -d -t stompbox-chaos-cluster.XXXXXX)
  export STOMPBOX_RABBITMQ_CLUSTER_DIR
  trap 'bash scripts/rabbitmq.sh cluster-stop "$STOMPBOX_RABBITMQ_CLUSTER_DIR"' EXIT
  bash scripts/rabbitmq.sh cluster-start "$STOMPBOX_RABBITMQ_CLUSTER_DIR"
fi
export STOMPBOX_REQUIRE_RABBITMQ=1
log=$(mktemp -t stompbox-chaos.XXXXXX)
status=0
mvn -B -Dstyle.color=never -Djacoco.skip=true -pl stompbox-it-reliability test -Dtest=FailoverChaosTest \
  -Dstompbox.chaos.topologies=restart,alternate,sigkill \
  -Dstompbox.chaos.messages="$messages" -Dstompbox.chaos.rate="${2:-1000}" -Dstompbox.chaos.kills=-1 \
  -Dstompbox.chaos.killEveryMillis=3000 -Dstompbox.chaos.downMillis=500 >"$log" 2>&1 || status=$?
mvn -B -Dstyle.color=never -Djacoco.skip=true -pl stompbox-it-reliability test -Dtest=FailoverChaosTest \
  -Dstompbox.chaos.topologies=artemis-ha,rabbitmq-cluster -Dstompbox.chaos.minKillsWhileSending=5 \
  -Dstompbox.chaos.messages="$messages" -Dstompbox.chaos.rate="${3:-300}" -Dstompbox.chaos.kills=-1 \
  -Dstompbox.chaos.killEveryMillis=3000 -Dstompbox.chaos.downMillis=500 >>"$log" 2>&1 || status=$?
grep -E '^chaos \[|Tests run:|FAIL' "$log" | sort -u
echo "full log: $log"
exit "$status"
