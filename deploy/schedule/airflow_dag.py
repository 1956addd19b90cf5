"""Airflow DAG: the nightly xaiscale audit with SparkSubmitOperator (apache-airflow-providers-apache-spark).

Copy into the DAGs folder; the Spark connection `spark_xai` points at the cluster (standalone, YARN or
k8s://...). The task fails when the audit does (exit code 3: a gate failed; 2: a config error), and
is not retried: a gated run must not be retried into a pass.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

with DAG(
    dag_id="xaiscale_audit",
    schedule="30 2 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,  # Delta on S3: one writer at a time
    default_args={"retries": 0, "execution_timeout": timedelta(hours=6)},
) as dag:
    SparkSubmitOperator(
        task_id="audit",
        conn_id="spark_xai",
        application="/opt/xaiscale/xaiscale-jobs-job.jar",
        java_class="io.xaiscale.jobs.Main",
        properties_file="/opt/xaiscale/conf/spark-defaults.conf",
        deploy_mode="cluster",
        application_args=["audit", "--file", "s3a://ml-audits/fmnist/audit.yaml"],
    )
