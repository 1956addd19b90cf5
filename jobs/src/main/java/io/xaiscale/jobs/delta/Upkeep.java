package io.xaiscale.jobs.delta;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * Table upkeep after many nightly runs. Each run commits small files; OPTIMIZE compacts them, clustered
 * by the columns the notebooks and the stages filter on ({@link Tables#CLUSTER_BY}: liquid clustering for a
 * table created with it, ZORDER for one created before); columns of a table written before they had
 * comments get theirs; VACUUM deletes files no version within the
 * retention needs (never less than Delta's safe default of 7 days unless forced: a shorter one breaks time
 * travel and readers of older versions); the change data feed lets downstream jobs read only what changed.
 */
public final class Upkeep {
    private Upkeep() {}

    /** Delta's default retention: VACUUM keeps every file a version of the last 7 days needs. */
    public static final int SAFE_RETENTION_HOURS = 168;

    /** What upkeep did to one table. */
    public record Done(String table, long filesBefore, long filesAfter) {}

    /** Fails, naming the value and the safe minimum, for a retention below it that is not forced. */
    public static void check(int hours, boolean force) {
        if (hours > 0 && hours < SAFE_RETENTION_HOURS && !force) {
            throw new IllegalArgumentException("Invalid --vacuum-hours: " + hours + " (at least " + SAFE_RETENTION_HOURS
                    + ", Delta's safe default: a shorter retention deletes files that readers of older versions and"
                    + " time travel need; add --force true if no job reads versions older than that)");
        }
    }

    /** OPTIMIZE, change data feed and VACUUM on every table of the warehouse that exists. */
    public static List<Done> run(SparkSession spark, String warehouse, int hours, boolean force, boolean cdf) {
        check(hours, force);
        List<Done> out = new ArrayList<>();
        for (Table t : Tables.ALL) {
            String path = t.path(warehouse);
            if (!DeltaIO.exists(spark, path)) {
                continue;
            }
            String table = "delta.`" + path + "`";
            long before = files(spark, table);
            Row detail = spark.sql("DESCRIBE DETAIL " + table).first();
            List<String> clustered = detail.getList(detail.fieldIndex("clusteringColumns"));
            List<String> z = Tables.CLUSTER_BY.get(t.name());
            // a liquid-clustered table (created so) clusters incrementally; one created before by ZORDER
            spark.sql("OPTIMIZE " + table
                    + (z == null || !clustered.isEmpty() ? "" : " ZORDER BY (" + String.join(", ", z) + ")"));
            comment(spark, table, t, detail.getAs("description"));
            if (cdf) {
                spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES (delta.enableChangeDataFeed = true)");
            }
            if (hours > 0) {
                String check = "spark.databricks.delta.retentionDurationCheck.enabled";
                String was = spark.conf().get(check, "true");
                spark.conf().set(check, Boolean.toString(!force));
                try {
                    spark.sql("VACUUM " + table + " RETAIN " + hours + " HOURS");
                } finally {
                    spark.conf().set(check, was);
                }
            }
            out.add(new Done(t.name(), before, files(spark, table)));
        }
        return out;
    }

    /**
     * Gives the columns of a table written before they had comments theirs, and the table its
     * description: one metadata commit per column that lacks one (once; a table created since has them).
     */
    static void comment(SparkSession spark, String table, Table t, String description) {
        for (StructField f : spark.table(table).schema().fields()) {
            String c = t.comment(f.name());
            if (c != null && f.getComment().isEmpty()) {
                spark.sql("ALTER TABLE " + table + " ALTER COLUMN `" + f.name() + "` COMMENT '" + DeltaIO.sqlString(c)
                        + "'");
            }
        }
        if (t.description() != null && !t.description().equals(description)) {
            spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES ('comment' = '" + DeltaIO.sqlString(t.description())
                    + "')");
        }
    }

    private static long files(SparkSession spark, String table) {
        Row d = spark.sql("DESCRIBE DETAIL " + table).select("numFiles").first();
        return d.getLong(0);
    }
}
