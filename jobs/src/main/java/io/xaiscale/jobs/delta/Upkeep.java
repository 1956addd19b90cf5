package io.xaiscale.jobs.delta;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Table upkeep after many nightly runs. Each run commits small files; OPTIMIZE compacts them, clustered
 * (ZORDER) by the columns the notebooks and the stages filter on; VACUUM deletes files no version within the
 * retention needs (never less than Delta's safe default of 7 days unless forced: a shorter one breaks time
 * travel and readers of older versions); the change data feed lets downstream jobs read only what changed.
 */
public final class Upkeep {
    private Upkeep() {}

    /** Delta's default retention: VACUUM keeps every file a version of the last 7 days needs. */
    public static final int SAFE_RETENTION_HOURS = 168;

    /** The columns each table is clustered by (ZORDER), the ones its readers filter on. */
    static final Map<String, List<String>> ZORDER = Map.of(
            Tables.EXPLANATIONS.name(), List.of("model_id", "method"),
            Tables.METRICS.name(), List.of("model_id", "metric"),
            Tables.METHOD_AGREEMENT.name(), List.of("model_id"),
            Tables.MODEL_DRIFT.name(), List.of("model_id"));

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
            List<String> z = ZORDER.get(t.name());
            spark.sql("OPTIMIZE " + table + (z == null ? "" : " ZORDER BY (" + String.join(", ", z) + ")"));
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

    private static long files(SparkSession spark, String table) {
        Row d = spark.sql("DESCRIBE DETAIL " + table).select("numFiles").first();
        return d.getLong(0);
    }
}
