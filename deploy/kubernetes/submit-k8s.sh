#!/usr/bin/env bash
# Submits an xaiscale command to Kubernetes (cluster mode) with the image of deploy/kubernetes/Dockerfile.
#   K8S_API=https://host:6443 deploy/kubernetes/submit-k8s.sh pipeline --warehouse s3a://bucket/xai --model s3a://bucket/models/m
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${SPARK_HOME:?set SPARK_HOME to a Spark 3.5 (Scala 2.12) installation}"
: "${K8S_API:?set K8S_API to the Kubernetes API server URL}"
mkdir -p "$ROOT/target"
cat "$ROOT/conf/spark-defaults.conf" "$ROOT/conf/spark-k8s.conf" > "$ROOT/target/spark-k8s.merged.conf"
exec "$SPARK_HOME/bin/spark-submit" --master "k8s://$K8S_API" --properties-file "$ROOT/target/spark-k8s.merged.conf" \
  --class io.xaiscale.jobs.Main local:///opt/xaiscale/xaiscale-jobs-job.jar "$@"
