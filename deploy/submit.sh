#!/usr/bin/env bash
# Submits an xaiscale command to a Spark cluster with the shaded job jar.
#
#   deploy/submit.sh --master spark://HOST:7077 [--deploy-mode client|cluster] [spark-submit options] \
#       -- COMMAND [--option value ...]
#
# e.g. deploy/submit.sh --master spark://10.0.0.5:7077 -- explain --warehouse s3a://bucket/xai --model s3a://bucket/models/m
#
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is set; otherwise runs Spark's SparkSubmit class
# from the Maven jars of this project (no Spark download needed). Spark settings come from
# conf/spark-defaults.conf (Java 17 flags, Delta, one libtorch thread per task); a
# --properties-file (e.g. conf/spark-standalone.conf) is added over it, line by line, instead of
# replacing it as spark-submit would (its settings win where both set a key).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROPERTIES="$ROOT/conf/spark-defaults.conf"
SUBMIT_ARGS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  case "$1" in
    --properties-file|--properties-file=*)
      if [ "$1" = --properties-file ]; then extra="${2:?--properties-file needs a file}"; shift; else extra="${1#*=}"; fi
      [ -f "$extra" ] || { echo "deploy/submit.sh: no properties file $extra" >&2; exit 2; }
      # the merged settings may hold credentials: a private temporary file (mode 600), removed on exit
      merged="$(mktemp "${TMPDIR:-/tmp}/xai-submit-XXXXXX.conf")"
      trap 'rm -f "$merged"' EXIT
      cat "$PROPERTIES" "$extra" > "$merged"
      PROPERTIES="$merged"
      ;;
    *) SUBMIT_ARGS+=("$1") ;;
  esac
  shift
done
[ "${1:-}" = "--" ] && shift
if [ $# -eq 0 ]; then
  echo "usage: deploy/submit.sh [spark-submit options] -- COMMAND [--option value ...]   (commands: ./xai help)" >&2
  exit 2
fi
JAR="$(ls "$ROOT"/jobs/target/xaiscale-jobs-*-job.jar 2>/dev/null | head -1 || true)"
if [ -z "$JAR" ]; then
  (cd "$ROOT" && mvn -B -q install -DskipTests)
  JAR="$(ls "$ROOT"/jobs/target/xaiscale-jobs-*-job.jar | head -1)"
fi
# not exec: the merged properties file is removed when spark-submit ends (its exit code is kept)
if [ -n "${SPARK_HOME:-}" ]; then
  "$SPARK_HOME/bin/spark-submit" --properties-file "$PROPERTIES" \
    "${SUBMIT_ARGS[@]}" --class io.xaiscale.jobs.Main "$JAR" "$@"
  exit $?
fi
# a Spark distribution's jars (Spark, Hadoop, hadoop-aws, Scala): module deploy/spark-dist
CP_FILE="$ROOT/deploy/spark-dist/target/spark-classpath.txt"
if [ ! -f "$CP_FILE" ]; then
  (cd "$ROOT" && mvn -B -q -pl deploy/spark-dist generate-resources >/dev/null)
fi
FLAGS="$(sed -n 's/^spark.driver.extraJavaOptions *//p' "$ROOT/conf/spark-defaults.conf")"
java $FLAGS -Dlog4j2.configurationFile="${XAI_LOG4J:-$ROOT/conf/log4j2.properties}" -cp "$(cat "$CP_FILE")" org.apache.spark.deploy.SparkSubmit \
  --properties-file "$PROPERTIES" "${SUBMIT_ARGS[@]}" \
  --class io.xaiscale.jobs.Main "$JAR" "$@"
