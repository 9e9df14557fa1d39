#!/usr/bin/env bash
# A bounded soak: 8 connections through an embedded Artemis at a steady rate for 5 minutes (or $1 seconds,
# at $2 msg/s per producer); fails when a message is lost or threads or heap after GC grew by more than 10 %.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
mvn -B -q -Dstyle.color=never -DskipTests -Djacoco.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
  -pl stompbox-benchmarks -am install
cp="stompbox-benchmarks/target/classes:$(cat stompbox-benchmarks/target/classpath.txt)"
exec java -Xmx512m -cp "$cp" dev.stompbox.benchmarks.Soak "${1:-300}" "${2:-500}"
