#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, from the project's Maven jars (no Spark download):
#   deploy/standalone/local-cluster.sh start [WORKERS] [CORES_PER_WORKER]   # default 2 workers x 1 core
#   deploy/standalone/local-cluster.sh stop
# Then: deploy/submit.sh --master spark://127.0.0.1:7077 --properties-file conf/spark-standalone.conf -- pipeline ...
# State (SPARK_HOME with linked jars, logs, pids) lives in target/local-cluster/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="$ROOT/target/local-cluster"
PORT="${XAI_MASTER_PORT:-7077}"
cmd="${1:-}"
case "$cmd" in
  start)
    workers="${2:-2}"; cores="${3:-1}"
    mkdir -p "$STATE/spark-home/jars" "$STATE/logs"
    # a Spark distribution's jars (Spark, Hadoop, hadoop-aws, Scala): module deploy/spark-dist
    CP_FILE="$ROOT/deploy/spark-dist/target/spark-classpath.txt"
    if [ ! -f "$CP_FILE" ]; then
      (cd "$ROOT" && mvn -B -q -pl deploy/spark-dist generate-resources >/dev/null)
    fi
    CP="$(cat "$CP_FILE")"
    # Workers launch executors with SPARK_HOME/jars on the classpath; a RELEASE file marks it as a distribution.
    tr ':' '\n' <<<"$CP" | while read -r jar; do ln -sf "$jar" "$STATE/spark-home/jars/"; done
    echo "Spark (jars linked from the Maven repository)" > "$STATE/spark-home/RELEASE"
    FLAGS="$(sed -n 's/^spark.driver.extraJavaOptions *//p' "$ROOT/conf/spark-defaults.conf") -Dlog4j2.configurationFile=$ROOT/conf/log4j2.properties"
    export SPARK_HOME="$STATE/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1
    # executors inherit the workers' environment, so they get tcmalloc too when it is installed
    . "$ROOT/deploy/allocator.sh"
    xai_preload_tcmalloc
    . "$ROOT/deploy/cpu.sh"
    xai_cap_onednn_isa
    nohup java $FLAGS -cp "$CP" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$PORT" --webui-port 8080 \
      > "$STATE/logs/master.log" 2>&1 & echo $! > "$STATE/master.pid"
    for i in $(seq 1 "$workers"); do
      nohup java $FLAGS -cp "$CP" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$cores" --memory 3g \
        --webui-port $((8080 + i)) --work-dir "$STATE/worker$i" "spark://127.0.0.1:$PORT" \
        > "$STATE/logs/worker$i.log" 2>&1 & echo $! > "$STATE/worker$i.pid"
    done
    for _ in $(seq 1 120); do
      alive="$( (curl -s -m 2 http://127.0.0.1:8080/json/ || true) | sed -n 's/.*"aliveworkers" *: *\([0-9]*\).*/\1/p')"
      [ "${alive:-0}" = "$workers" ] && { echo "[local-cluster] spark://127.0.0.1:$PORT with $workers worker(s) x $cores core(s)"; exit 0; }
      sleep 1
    done
    echo "[local-cluster] workers did not register; see $STATE/logs" >&2; exit 1
    ;;
  stop)
    for f in "$STATE"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; done
    echo "[local-cluster] stopped"
    ;;
  *)
    echo "usage: $0 start [WORKERS] [CORES_PER_WORKER] | stop" >&2; exit 2 ;;
esac
