#!/usr/bin/env bash
# Measures how the explain stage scales on a real standalone cluster on this machine: one 1-core
# executor, two 1-core executors (two JVMs, two copies of the model), and one 2-core executor (one JVM
# whose two task threads share the model, gradients included), with each executor's peak resident
# memory; writes the result as the "Scaling" section of docs/benchmarks.md.
#   deploy/standalone/bench-scaling.sh [IMAGES] [METHODS]
# The ratios are of times measured by the job itself in one run of this script, so machine noise affects
# every side alike: the explain run ("[explain] N new explanation row(s) in X s") and its longest
# Spark stage, with the executors' CPU time ("[explain] tasks: ...") to tell a pipeline bottleneck
# (CPU per image grows with workers) from cores shared with the driver (CPU share of task time drops).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IMAGES="${1:-4000}" # long enough that each executor's JIT warm-up is paid off (docs/sizing.md): about 8 minutes here
METHODS="${2:-integrated_gradients[steps=16],occlusion[window=8,stride=8]}"
# JVM options of the executors besides conf/spark-defaults.conf's (e.g. -XX:TieredStopAtLevel=1, docs/sizing.md)
EXECUTOR_JAVA_OPTIONS="${XAI_EXECUTOR_JAVA_OPTIONS:-}"
cd "$ROOT"
ls jobs/target/xaiscale-jobs-*-job.jar >/dev/null 2>&1 || mvn -B -q install -DskipTests
ALLOCATOR="$(LD_PRELOAD= ; . deploy/allocator.sh; xai_preload_tcmalloc; case "${LD_PRELOAD:-}" in *tcmalloc*) echo tcmalloc ;; *) echo "glibc malloc" ;; esac)"
declare -A SECONDS_FOR STAGE_FOR CPU_FOR SHARE_FOR RSS_FOR
# the largest resident set of any executor JVM while the file $1 exists, sampled every second, into $1.max
watch_rss() {
  local max=0 kb
  while [ -f "$1" ]; do
    for pid in $(pgrep -f CoarseGrainedExecutorBackend || true); do
      kb="$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
      [ "${kb:-0}" -gt "$max" ] && max="$kb"
    done
    echo "$max" > "$1.max"
    sleep 1
  done
}
for config in 1x1 2x1 1x2; do
  workers="${config%x*}"; cores="${config#*x}"
  deploy/standalone/local-cluster.sh stop >/dev/null || true
  deploy/standalone/local-cluster.sh start "$workers" "$cores"
  wh="$(mktemp -d)/warehouse"
  log="target/local-cluster/logs/bench-$config.log"
  flag="$(mktemp)"
  watch_rss "$flag" &
  watcher=$!
  deploy/submit.sh --master spark://127.0.0.1:7077 --conf spark.executor.memory=2g --conf spark.ui.enabled=false \
    --conf "spark.executor.defaultJavaOptions=$EXECUTOR_JAVA_OPTIONS" -- \
    pipeline --warehouse "$wh" --benchmark "$IMAGES" --methods "$METHODS" --metrics iou --partitions 8 > "$log" 2>&1
  rm -f "$flag"
  wait "$watcher" || true
  RSS_FOR[$config]="$(awk '{ printf "%.0f", $1 / 1024 }' "$flag.max")"
  rm -f "$flag.max"
  s="$(sed -n 's/^\[explain\] [0-9]* new explanation row(s) in \([0-9.]*\)s$/\1/p' "$log" | tail -1)"
  [ -n "$s" ] || { echo "no stage time in $log" >&2; tail -30 "$log" >&2; exit 1; }
  SECONDS_FOR[$config]="$s"
  tasks="$(grep '^\[explain\] tasks:' "$log" | tail -1)"
  STAGE_FOR[$config]="$(sed -n 's/.*longest stage \([0-9.]*\) s.*/\1/p' <<<"$tasks")"
  CPU_FOR[$config]="$(sed -n 's/.*, CPU \([0-9.]*\) s.*/\1/p' <<<"$tasks")"
  SHARE_FOR[$config]="$(sed -n 's/.*(\([0-9]*\)% of task time).*/\1/p' <<<"$tasks")"
  echo "[bench-scaling] $workers executor(s) x $cores core(s): explain ${s}s, peak executor RSS ${RSS_FOR[$config]} MB; $tasks"
done
deploy/standalone/local-cluster.sh stop >/dev/null
# one table row: config, label
row() {
  local c="$1"
  printf '| %s | %s s | %sx | %s s | %sx | %s ms | %s%% | %s MB |' "$2" "${SECONDS_FOR[$c]}" \
    "$(awk -v a="${SECONDS_FOR[1x1]}" -v b="${SECONDS_FOR[$c]}" 'BEGIN { printf "%.2f", a / b }')" "${STAGE_FOR[$c]}" \
    "$(awk -v a="${STAGE_FOR[1x1]}" -v b="${STAGE_FOR[$c]}" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v c="${CPU_FOR[$c]}" -v n="$IMAGES" 'BEGIN { printf "%.1f", 1000 * c / n }')" "${SHARE_FOR[$c]}" "${RSS_FOR[$c]}"
}
more="$(awk -v a="${SECONDS_FOR[2x1]}" -v b="${SECONDS_FOR[1x2]}" 'BEGIN { printf "%+.0f", 100 * (b - a) / a }')"
echo "[bench-scaling] one 2-core executor against two 1-core executors: ${more}% time"
section="$(cat <<MD
## Scaling: one 1-core executor, two 1-core executors, one 2-core executor

Written by \`deploy/standalone/bench-scaling.sh $IMAGES '$METHODS'\` ($(date -u +%F)) on a standalone cluster
started from the Maven jars on this machine ($(nproc) cores; the driver shares them). Explain stage of $IMAGES
benchmark canvases, 8 partitions, one libtorch thread per task, executors' native allocator $ALLOCATOR,
executors' extra JVM options: ${EXECUTOR_JAVA_OPTIONS:-none}. The 2-core executor runs two task threads on one
model (gradient work needs no JVM-wide lock); peak RSS is the largest executor JVM's, sampled every second.

| executors | explain run | speed-up | longest stage | speed-up | executor CPU per image | CPU / task time | peak RSS per executor |
|---|---|---|---|---|---|---|---|
$(row 1x1 "1 x 1 core")
$(row 2x1 "2 x 1 core")
$(row 1x2 "1 x 2 cores")

One 2-core executor against two 1-core executors: ${more}% time, with one copy of the model and of libtorch instead of
two. The executors' CPU time per image is what the work costs; when it stays flat across configurations the
pipeline adds no per-worker overhead, and the speed-up is bounded by the CPU the executors get: "CPU / task time"
below 100% is the time tasks were runnable but another process (the driver, the other executor, the cluster
daemons) had the core.
MD
)"
f=docs/benchmarks.md
# the section replaces the old one in place (up to the next section); appended when there is none
if [ -f "$f" ] && grep -q '^## Scaling' "$f"; then
  SECTION="$section" awk 'BEGIN { s = ENVIRON["SECTION"] }
    /^## Scaling/ { print s; print ""; skip = 1; next }
    skip && /^## / { skip = 0 }
    !skip { print }' "$f" > "$f.tmp"
  mv "$f.tmp" "$f"
else
  printf '\n%s\n' "$section" >> "$f"
fi
echo "[bench-scaling] wrote $f"
