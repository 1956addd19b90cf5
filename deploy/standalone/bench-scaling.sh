#!/usr/bin/env bash
# Measures how the explain stage scales from one to two 1-core workers of a real standalone cluster
# on this machine, and writes the result as the "Scaling" section of docs/benchmarks.md.
#   deploy/standalone/bench-scaling.sh [IMAGES] [METHODS]
# The ratio is of times measured by the job itself in one run of this script, so machine noise affects
# both sides alike: the explain run ("[explain] N new explanation row(s) in X s") and its longest
# Spark stage, with the executors' CPU time ("[explain] tasks: ...") to tell a pipeline bottleneck
# (CPU per image grows with workers) from cores shared with the driver (CPU share of task time drops).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGES="${1:-4000}" # long enough that each executor's JIT warm-up is paid off (docs/sizing.md): about 8 minutes here
METHODS="${2:-integrated_gradients[steps=16],occlusion[window=8,stride=8]}"
# JVM options of the executors besides conf/spark-defaults.conf's (e.g. -XX:TieredStopAtLevel=1, docs/sizing.md)
EXECUTOR_JAVA_OPTIONS="${XAI_EXECUTOR_JAVA_OPTIONS:-}"
cd "$ROOT"
[ -f jobs/target/xaiscale-jobs-0.1.0-SNAPSHOT-job.jar ] || mvn -B -q install -DskipTests
ALLOCATOR="$(LD_PRELOAD= ; . deploy/allocator.sh; xai_preload_tcmalloc; case "${LD_PRELOAD:-}" in *tcmalloc*) echo tcmalloc ;; *) echo "glibc malloc" ;; esac)"
declare -A SECONDS_FOR STAGE_FOR CPU_FOR SHARE_FOR
for workers in 1 2; do
  deploy/standalone/local-cluster.sh stop >/dev/null || true
  deploy/standalone/local-cluster.sh start "$workers" 1
  wh="$(mktemp -d)/warehouse"
  log="target/local-cluster/logs/bench-$workers.log"
  deploy/submit.sh --master spark://127.0.0.1:7077 --conf spark.executor.memory=2g --conf spark.ui.enabled=false \
    --conf "spark.executor.defaultJavaOptions=$EXECUTOR_JAVA_OPTIONS" -- \
    pipeline --warehouse "$wh" --benchmark "$IMAGES" --methods "$METHODS" --metrics iou --partitions 8 > "$log" 2>&1
  s="$(sed -n 's/^\[explain\] [0-9]* new explanation row(s) in \([0-9.]*\)s$/\1/p' "$log" | tail -1)"
  [ -n "$s" ] || { echo "no stage time in $log" >&2; tail -30 "$log" >&2; exit 1; }
  SECONDS_FOR[$workers]="$s"
  tasks="$(grep '^\[explain\] tasks:' "$log" | tail -1)"
  STAGE_FOR[$workers]="$(sed -n 's/.*longest stage \([0-9.]*\) s.*/\1/p' <<<"$tasks")"
  CPU_FOR[$workers]="$(sed -n 's/.*, CPU \([0-9.]*\) s.*/\1/p' <<<"$tasks")"
  SHARE_FOR[$workers]="$(sed -n 's/.*(\([0-9]*\)% of task time).*/\1/p' <<<"$tasks")"
  echo "[bench-scaling] $workers worker(s): explain ${s}s; $tasks"
done
deploy/standalone/local-cluster.sh stop >/dev/null
ratio="$(awk -v a="${SECONDS_FOR[1]}" -v b="${SECONDS_FOR[2]}" 'BEGIN { printf "%.2f", a / b }')"
sratio="$(awk -v a="${STAGE_FOR[1]}" -v b="${STAGE_FOR[2]}" 'BEGIN { printf "%.2f", a / b }')"
cpu1="$(awk -v c="${CPU_FOR[1]}" -v n="$IMAGES" 'BEGIN { printf "%.1f", 1000 * c / n }')"
cpu2="$(awk -v c="${CPU_FOR[2]}" -v n="$IMAGES" 'BEGIN { printf "%.1f", 1000 * c / n }')"
echo "[bench-scaling] speed-up of 2 workers over 1: ${ratio}x (explain stage ${sratio}x)"
section="$(cat <<MD
## Scaling: one versus two 1-core workers

Written by \`deploy/standalone/bench-scaling.sh $IMAGES '$METHODS'\` ($(date -u +%F)) on a standalone cluster
started from the Maven jars on this machine ($(nproc) cores; the driver shares them). Explain stage of $IMAGES
benchmark canvases, 8 partitions, one libtorch thread per task, executors' native allocator $ALLOCATOR,
executors' extra JVM options: ${EXECUTOR_JAVA_OPTIONS:-none}.

| workers | explain run | speed-up | longest stage | speed-up | executor CPU per image | CPU / task time |
|---|---|---|---|---|---|---|
| 1 x 1 core | ${SECONDS_FOR[1]} s | 1.00x | ${STAGE_FOR[1]} s | 1.00x | ${cpu1} ms | ${SHARE_FOR[1]}% |
| 2 x 1 core | ${SECONDS_FOR[2]} s | ${ratio}x | ${STAGE_FOR[2]} s | ${sratio}x | ${cpu2} ms | ${SHARE_FOR[2]}% |

The executors' CPU time per image is what the work costs; when it stays flat from one to two workers
the pipeline adds no per-worker overhead, and the speed-up is bounded by the CPU the executors get:
"CPU / task time" below 100% is the time tasks were runnable but another process (the driver, the
other executor, the cluster daemons) had the core.
MD
)"
f=docs/benchmarks.md
if [ -f "$f" ] && grep -q '^## Scaling' "$f"; then
  sed -i '/^## Scaling/,$d' "$f"
fi
printf '\n%s\n' "$section" >> "$f"
echo "[bench-scaling] wrote $f"
