#!/usr/bin/env bash
# Measures how the explain stage scales from one to two 1-core workers of a real standalone cluster
# on this machine, and writes the result as the "Scaling" section of docs/benchmarks.md.
#   deploy/standalone/bench-scaling.sh [IMAGES] [METHODS]
# The ratio is of stage times measured by the job itself ("[explain] N new explanation row(s) in X s"),
# in one run of this script, so machine noise affects both sides alike.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGES="${1:-400}"
METHODS="${2:-integrated_gradients[steps=16],occlusion[window=8,stride=8]}"
cd "$ROOT"
[ -f jobs/target/xaiscale-jobs-0.1.0-SNAPSHOT-job.jar ] || mvn -B -q install -DskipTests
declare -A SECONDS_FOR
for workers in 1 2; do
  deploy/standalone/local-cluster.sh stop >/dev/null || true
  deploy/standalone/local-cluster.sh start "$workers" 1
  wh="$(mktemp -d)/warehouse"
  log="target/local-cluster/logs/bench-$workers.log"
  deploy/submit.sh --master spark://127.0.0.1:7077 --conf spark.executor.memory=2g --conf spark.ui.enabled=false -- \
    pipeline --warehouse "$wh" --benchmark "$IMAGES" --methods "$METHODS" --metrics iou --partitions 8 > "$log" 2>&1
  s="$(sed -n 's/^\[explain\] [0-9]* new explanation row(s) in \([0-9.]*\)s$/\1/p' "$log" | tail -1)"
  [ -n "$s" ] || { echo "no stage time in $log" >&2; tail -30 "$log" >&2; exit 1; }
  SECONDS_FOR[$workers]="$s"
  echo "[bench-scaling] $workers worker(s): explain stage ${s}s"
done
deploy/standalone/local-cluster.sh stop >/dev/null
ratio="$(awk -v a="${SECONDS_FOR[1]}" -v b="${SECONDS_FOR[2]}" 'BEGIN { printf "%.2f", a / b }')"
echo "[bench-scaling] speed-up of 2 workers over 1: ${ratio}x"
section="$(cat <<MD
## Scaling: one versus two 1-core workers

Written by \`deploy/standalone/bench-scaling.sh $IMAGES '$METHODS'\` ($(date -u +%F)) on a standalone cluster
started from the Maven jars on this machine ($(nproc) cores; the driver shares them). Explain stage of $IMAGES
benchmark canvases, 8 partitions, one libtorch thread per task.

| workers | explain stage | speed-up |
|---|---|---|
| 1 x 1 core | ${SECONDS_FOR[1]} s | 1.00x |
| 2 x 1 core | ${SECONDS_FOR[2]} s | ${ratio}x |
MD
)"
f=docs/benchmarks.md
if [ -f "$f" ] && grep -q '^## Scaling' "$f"; then
  sed -i '/^## Scaling/,$d' "$f"
fi
printf '\n%s\n' "$section" >> "$f"
echo "[bench-scaling] wrote $f"
