#!/usr/bin/env bash
# Runs the benchmarks side by side and rewrites BENCHMARKS.md. 45-55 minutes on 2 cores
# ("quick" as first argument: about 10). Build first, tests skipped.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
mvn -B -q -Dstyle.color=never -DskipTests -Djacoco.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl stompbox-benchmarks -am install
cp="stompbox-benchmarks/target/classes:$(cat stompbox-benchmarks/target/classpath.txt)"
exec java -cp "$cp" dev.stompbox.benchmarks.BenchMain "$root/BENCHMARKS.md" "${1:-full}"
