package io.xaiscale.jobs.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Spark sessions with Delta Lake enabled. Under spark-submit the master and resources come from the
 * submit; run directly (the {@code xai} launcher, tests) the session is local with {@code --master}
 * (default {@code local[2]}).
 */
public final class Sessions {
    private Sessions() {}

    public static SparkSession create(String appName, String defaultMaster) {
        SparkConf conf = new SparkConf(true);
        SparkSession.Builder b = SparkSession.builder()
                .appName(appName)
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.sql.session.timeZone", "UTC")
                // tables written by an older version gain new columns (e.g. card_sha256) on the next MERGE
                .config("spark.databricks.delta.schema.autoMerge.enabled", "true")
                .config("spark.sql.debug.maxToStringFields", "200");
        if (!conf.contains("spark.master")) {
            b.master(defaultMaster)
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "4")
                    .config("spark.databricks.delta.snapshotPartitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1");
        }
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }
}
