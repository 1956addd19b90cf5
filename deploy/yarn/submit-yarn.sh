#!/usr/bin/env bash
# Submits an xaiscale command to YARN (cluster mode). Needs SPARK_HOME (Spark 3.5, Scala 2.12) and
# HADOOP_CONF_DIR. Example:
#   deploy/yarn/submit-yarn.sh pipeline --source s3a://bucket/images --warehouse s3a://bucket/xai --model s3a://bucket/models/m
# Credentials: the standard Hadoop properties (spark.hadoop.fs.s3a.*) or the environment / instance
# role; never put them on this command line (they would show in the process list).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 (Scala 2.12) installation}"
: "${HADOOP_CONF_DIR:?set HADOOP_CONF_DIR to the cluster's Hadoop configuration}"
JAR="$(ls "$ROOT"/jobs/target/xaiscale-jobs-*-job.jar | head -1)"
cat "$ROOT/conf/spark-defaults.conf" "$ROOT/conf/spark-yarn.conf" > "$ROOT/target/spark-yarn.merged.conf"
exec "$SPARK_HOME/bin/spark-submit" --master yarn --properties-file "$ROOT/target/spark-yarn.merged.conf" \
  --files "$ROOT/conf/log4j2.properties" --class io.xaiscale.jobs.Main "$JAR" "$@"
