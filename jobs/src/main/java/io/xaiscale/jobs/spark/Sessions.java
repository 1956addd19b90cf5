package io.xaiscale.jobs.spark;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;

/**
 * Spark sessions with Delta Lake enabled. Under spark-submit the master and resources come from the
 * submit; run directly (the {@code xai} launcher, tests) the session is local with {@code --master}
 * (default {@code local[2]}).
 */
public final class Sessions {
    private Sessions() {}

    public static SparkSession create(String appName, String defaultMaster) {
        SparkConf conf = UserProperties.sparkConf();
        SparkSession.Builder b = SparkSession.builder()
                .config(conf)
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
        dropReflection(s);
        Maps.register(s);
        return s;
    }

    /**
     * SQL functions that call arbitrary JVM methods: with them, the SQL a user passes to {@code sql
     * --query} or {@code export --where} could read system properties (credentials) or run code.
     */
    static final List<String> REFLECTION = List.of("reflect", "java_method", "try_reflect");

    /** Removes {@link #REFLECTION} from the session's function registry: calling one fails as an unknown function. */
    static void dropReflection(SparkSession s) {
        FunctionRegistry registry = s.sessionState().functionRegistry();
        for (String f : REFLECTION) {
            registry.dropFunction(FunctionIdentifier.apply(f));
        }
    }
}
