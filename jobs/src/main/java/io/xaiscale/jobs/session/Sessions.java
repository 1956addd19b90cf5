package io.xaiscale.jobs.session;

import io.xaiscale.jobs.delta.Maps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        return finish(builder(appName, defaultMaster, UserProperties.sparkConf()));
    }

    /** The conf key of an embedded or remote metastore's JDBC URL (Hive's own name, under Spark's prefix). */
    static final String METASTORE_URL = "spark.hadoop.javax.jdo.option.ConnectionURL";

    /**
     * A session whose catalog is a Hive metastore: the user's when their conf names one
     * ({@code spark.hadoop.hive.metastore.uris}, or a JDBC URL under {@value #METASTORE_URL}), else an
     * embedded Derby database in the directory {@code metastore} (created on first use; one JVM at a
     * time may open it, as with {@code spark-shell}'s {@code metastore_db}).
     */
    public static SparkSession withCatalog(String appName, String defaultMaster, String metastore) {
        SparkConf conf = UserProperties.sparkConf();
        SparkSession.Builder b = builder(appName, defaultMaster, conf).enableHiveSupport();
        if (!conf.contains("spark.hadoop.hive.metastore.uris") && !conf.contains(METASTORE_URL)) {
            Path dir = Path.of(metastore).toAbsolutePath().normalize();
            b.config(METASTORE_URL, "jdbc:derby:;databaseName=" + dir + ";create=true");
            try {
                Files.createDirectories(dir.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the metastore's directory " + dir.getParent(), e);
            }
            if (System.getProperty("derby.stream.error.file") == null) {
                // Derby's log beside its database, not in the working directory
                System.setProperty("derby.stream.error.file", dir + ".log");
            }
        }
        SparkSession s = finish(b);
        if (!"hive".equals(s.conf().get("spark.sql.catalogImplementation", "in-memory"))) {
            // getOrCreate returned a session this JVM started before, without a metastore
            throw new IllegalStateException("This JVM's Spark session was started without Hive support: register"
                    + " the tables from a new application (xai register, or --database on a job's own run)");
        }
        return s;
    }

    private static SparkSession.Builder builder(String appName, String defaultMaster, SparkConf conf) {
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
        return b;
    }

    private static SparkSession finish(SparkSession.Builder b) {
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        dropReflection(s);
        Maps.register(s);
        SqlRunner.registerFunctions(s);
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
