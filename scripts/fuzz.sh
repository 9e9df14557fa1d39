#!/usr/bin/env bash
# Fuzzes the parser with Jazzer (coverage-guided) instead of replaying the committed inputs:
#   scripts/fuzz.sh                 both targets, each for the maxDuration its @FuzzTest sets (30 s)
#   scripts/fuzz.sh decodeEncodeDecodeIsStable
# Findings are written next to the committed inputs (ParserFuzzTestInputs/<target>/crash-*); commit a
# finding once it is fixed, so that mvn verify replays it from then on. Needs about 1 GB of memory.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
targets=("${@:-parserThrowsOnlyFrameExceptions decodeEncodeDecodeIsStable}")
mvn -B -q -Dstyle.color=never -DskipTests -Djacoco.skip=true -Dmaven.javadoc.skip=true -Dmaven.source.skip=true \
  -pl stompbox-protocol -am install
for target in ${targets[@]}; do
  echo "== fuzzing ParserFuzzTest#$target"
  JAZZER_FUZZ=1 mvn -B -Dstyle.color=never -Djacoco.skip=true -pl stompbox-protocol test \
    -Dtest="ParserFuzzTest#$target" -Dsurefire.failIfNoSpecifiedTests=false
done
