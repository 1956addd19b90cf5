package io.xaiscale.jobs.warehouse;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.delta.tables.DeltaTable;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.model.ModelCard;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Rows of an older revision of a method or metric ({@code Configured.revision}), once a row of a newer
 * revision for the same image, model, spec and target is in the table: moved out of {@code explanations}
 * (with the metric, agreement and drift rows computed from them) and out of {@code metrics}, into the
 * {@code superseded_} tables ({@link Tables#superseded}), where they stay readable with when and why they
 * were moved. So the tables the notebooks, the report and the gates read hold one revision per key, and
 * a fix that bumps a revision recomputes exactly its rows. Each move appends to the superseded table
 * (by key: a second move adds nothing) before it deletes: a job killed in between leaves the rows in
 * both, and the next run finishes the move.
 */
public final class Superseded {
    private Superseded() {}

    /**
     * Moves the explanations of {@code card}'s model that a newer revision of their method replaced (same
     * image, method spec and target), with every metric, agreement and drift row of theirs. Returns the
     * explanation rows moved; 0, after one small aggregate, when no method spec has two revisions.
     */
    public static long explanations(SparkSession spark, String warehouse, ModelCard card) {
        Dataset<Row> old = older(
                spark,
                warehouse,
                card,
                Tables.EXPLANATIONS,
                "method_revision",
                "method_spec",
                List.of("image_id", "method_spec", "target_rule"),
                List.of("image_id", "model_id", "model_version", "params_hash"));
        if (old == null) {
            return 0;
        }
        try {
            long n = old.count();
            if (n == 0) {
                return 0;
            }
            Timestamp now = new Timestamp(System.currentTimeMillis());
            Column because = concat(
                    lit("method revision "), col("s.latest").cast("string"), lit(" of the same spec and target"));
            List<String> on = List.of("image_id", "model_id", "model_version", "params_hash");
            // the rows computed from them first, the explanations last: until then a second look finds the same
            move(spark, warehouse, Tables.METRICS, old, on, because, now);
            move(
                    spark,
                    warehouse,
                    Tables.METHOD_AGREEMENT,
                    old,
                    either("params_hash_a", "params_hash_b", "params_hash", "model_version"),
                    because,
                    now);
            move(
                    spark,
                    warehouse,
                    Tables.MODEL_DRIFT,
                    old,
                    either("version_a", "version_b", "model_version", "params_hash"),
                    because,
                    now);
            move(spark, warehouse, Tables.EXPLANATIONS, old, on, because, now);
            System.out.printf(
                    "[explain] %d explanation row(s) of an older method revision moved to %s (with their metric,"
                            + " agreement and drift rows)%n",
                    n, Tables.SUPERSEDED_EXPLANATIONS.name());
            return n;
        } finally {
            old.unpersist();
        }
    }

    /**
     * Moves the metric values of {@code card}'s model that a newer revision of their metric replaced (same
     * image, explanation, output and parameters). Returns the rows moved; 0, after one small aggregate,
     * when no metric has two revisions.
     */
    public static long metrics(SparkSession spark, String warehouse, ModelCard card) {
        List<String> key = Tables.METRICS.key();
        Dataset<Row> old = older(
                spark,
                warehouse,
                card,
                Tables.METRICS,
                "metric_revision",
                "metric",
                List.of("image_id", "params_hash", "metric", "metric_params"),
                key);
        if (old == null) {
            return 0;
        }
        try {
            long n = old.count();
            if (n > 0) {
                Column because = concat(
                        lit("metric revision "),
                        col("s.latest").cast("string"),
                        lit(" of the same output and parameters"));
                move(spark, warehouse, Tables.METRICS, old, key, because, new Timestamp(System.currentTimeMillis()));
                System.out.printf(
                        "[evaluate] %d metric row(s) of an older metric revision moved to %s%n",
                        n, Tables.SUPERSEDED_METRICS.name());
            }
            return n;
        } finally {
            old.unpersist();
        }
    }

    /**
     * The rows of {@code card}'s model in {@code table} that a row of a newer revision (column {@code
     * revision}) of the same {@code item} replaced: their {@code keep} columns and {@code latest}, the newer
     * revision (cached: moving them reads them more than once); null, after one small aggregate, when no
     * value of {@code by} has two revisions, or the table does not exist.
     */
    private static Dataset<Row> older(
            SparkSession spark,
            String warehouse,
            ModelCard card,
            Table table,
            String revision,
            String by,
            List<String> item,
            List<String> keep) {
        if (!DeltaIO.exists(spark, table.path(warehouse))) {
            return null;
        }
        Dataset<Row> all = DeltaIO.read(spark, warehouse, table).where(Tables.ofModel(card));
        Dataset<Row> rows = all.withColumn("r", coalesce(table.column(all, revision), lit(1)));
        List<String> twice = twoRevisions(rows, by);
        if (twice.isEmpty()) {
            return null;
        }
        WindowSpec sameItem = Window.partitionBy(item.stream().map(c -> col(c)).toArray(Column[]::new));
        return rows.where(col(by).isin(twice.toArray()))
                .withColumn("latest", max("r").over(sameItem))
                .where(col("r").lt(col("latest")))
                .select(keyAnd(keep, "latest"))
                .cache();
    }

    /** The values of {@code column} (a method spec, a metric) with rows at two revisions or more ({@code r}). */
    private static List<String> twoRevisions(Dataset<Row> rows, String column) {
        return rows
                .groupBy(column)
                .agg(countDistinct("r").as("revisions"))
                .where(col("revisions").gt(1))
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList();
    }

    private static Column[] keyAnd(List<String> key, String more) {
        Column[] out = new Column[key.size() + 1];
        for (int i = 0; i < key.size(); i++) {
            out[i] = col(key.get(i));
        }
        out[key.size()] = col(more);
        return out;
    }

    /** Rows {@code t} of a table and {@code s} of the keys that match: equal on every column of {@code on}. */
    private static Column equalOn(List<String> on) {
        return on.stream()
                .map(c -> col("t." + c).equalTo(col("s." + c)))
                .reduce(Column::and)
                .orElseThrow();
    }

    private static void move(
            SparkSession spark,
            String warehouse,
            Table table,
            Dataset<Row> keys,
            List<String> on,
            Column because,
            Timestamp now) {
        move(spark, warehouse, table, keys.dropDuplicates(on.toArray(new String[0])), equalOn(on), because, now);
    }

    /**
     * A row of a pair table (agreement: two params hashes; drift: two versions) whose one side or the other
     * is a key's: {@code a} or {@code b} equal to the key's {@code keyColumn}, {@code same} and the image and
     * model equal.
     */
    private static Column either(String a, String b, String keyColumn, String same) {
        return equalOn(List.of("image_id", "model_id", same))
                .and(col("t." + a)
                        .equalTo(col("s." + keyColumn))
                        .or(col("t." + b).equalTo(col("s." + keyColumn))));
    }

    /**
     * Moves the rows {@code t} of {@code table} that {@code match} a row {@code s} of {@code keys} (unique)
     * into its superseded table, with {@code because} (over {@code s}) as their reason: appended there by
     * key first, then deleted here.
     */
    private static void move(
            SparkSession spark,
            String warehouse,
            Table table,
            Dataset<Row> keys,
            Column match,
            Column because,
            Timestamp now) {
        String path = table.path(warehouse);
        if (!DeltaIO.exists(spark, path)) {
            return;
        }
        Table archive = Tables.superseded(table);
        Dataset<Row> rows = DeltaIO.read(spark, warehouse, table).as("t");
        Dataset<Row> s = keys.as("s");
        // a row matching two keys (a pair whose both sides moved) is moved once
        Dataset<Row> moved = rows.join(s, match, "inner")
                .select(archiveColumns(rows, archive, because, now))
                .dropDuplicates(table.key().toArray(new String[0]));
        DeltaIO.insertUnique(spark, moved, warehouse, archive);
        DeltaTable.forPath(spark, path)
                .as("t")
                .merge(s, match)
                .whenMatched()
                .delete()
                .execute();
    }

    /** The superseded table's columns from a row {@code t} of the table, when and why. */
    private static Column[] archiveColumns(Dataset<Row> rows, Table archive, Column because, Timestamp now) {
        String[] names = archive.schema().fieldNames();
        Column[] out = new Column[names.length];
        for (int i = 0; i < names.length; i++) {
            String n = names[i];
            if (n.equals("superseded_at")) {
                out[i] = lit(now).as(n);
            } else if (n.equals("superseded_because")) {
                out[i] = because.as(n);
            } else {
                out[i] = (List.of(rows.columns()).contains(n)
                                ? col("t." + n)
                                : lit(null).cast(archive.schema().apply(n).dataType()))
                        .as(n);
            }
        }
        return out;
    }
}
