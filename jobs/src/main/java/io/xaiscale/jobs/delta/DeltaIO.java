package io.xaiscale.jobs.delta;

import io.delta.exceptions.DeltaConcurrentModificationException;
import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/** Idempotent Delta writes: insert the rows whose key is not in the table yet (MERGE on the key). */
public final class DeltaIO {
    private DeltaIO() {}

    /** A Scala sequence of column names, for Spark's join-by-name API. */
    public static Seq<String> columns(String... names) {
        return JavaConverters.asScalaBuffer(Arrays.asList(names)).toSeq();
    }

    /** {@code table} under {@code warehouse}; fails when it does not exist, saying which command writes it. */
    public static Dataset<Row> read(SparkSession spark, String warehouse, Table table) {
        return spark.read().format("delta").load(table.path(warehouse));
    }

    /** {@code table} under {@code warehouse}, or an empty frame of its schema when it does not exist yet. */
    public static Dataset<Row> readOrEmpty(SparkSession spark, String warehouse, Table table) {
        return readOrEmpty(spark, table.path(warehouse), table.schema());
    }

    /** {@link #insertUnique} into {@code table} under {@code warehouse}, on its key. */
    public static long insertUnique(SparkSession spark, Dataset<Row> unique, String warehouse, Table table) {
        return insertUnique(spark, unique, table.path(warehouse), table.key());
    }

    /** {@link #mergeInsert} into {@code table} under {@code warehouse}, on its key. */
    public static long mergeInsert(SparkSession spark, Dataset<Row> rows, String warehouse, Table table) {
        return mergeInsert(spark, rows, table.path(warehouse), table.key());
    }

    /** {@code s} as the inside of a single-quoted SQL string literal (backslashes and quotes escaped). */
    public static String sqlString(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'");
    }

    public static boolean exists(SparkSession spark, String path) {
        return DeltaTable.isDeltaTable(spark, path);
    }

    /** The table, or an empty frame of {@code schema} when it does not exist yet. */
    public static Dataset<Row> readOrEmpty(SparkSession spark, String path, StructType schema) {
        if (exists(spark, path)) {
            return spark.read().format("delta").load(path);
        }
        return spark.createDataFrame(List.of(), schema);
    }

    /**
     * Inserts {@code rows} whose key is absent from the table (creating it on first write); rows
     * duplicated within {@code rows} are inserted once. {@code rows} is computed once (see
     * {@link #insertUnique}); its rows pass one shuffle to drop duplicates, cheap for small rows.
     * Returns the number of rows inserted.
     */
    public static long mergeInsert(SparkSession spark, Dataset<Row> rows, String path, List<String> key) {
        return insertUnique(spark, rows.dropDuplicates(key.toArray(new String[0])), path, key);
    }

    /**
     * Inserts {@code rows}, whose keys the caller guarantees unique, where the key is absent from the
     * table, reading {@code rows} exactly once: an insert-only MERGE is one pass over its source (Delta
     * does not materialise it), so an expensive source (an explain or evaluate stage) runs once, with
     * no cache, no count and no shuffle of its output. Returns the number of rows inserted.
     */
    public static long insertUnique(SparkSession spark, Dataset<Row> unique, String path, List<String> key) {
        return merge(spark, unique, path, key, List.of());
    }

    /**
     * A row already in the table that is replaced by the new one with the same key when
     * {@code condition} holds ({@code t.} the table's row, {@code s.} the new one): all its columns, or
     * only those of {@code columns} (empty: all).
     */
    public record Update(String condition, List<String> columns) {
        /** Rows with an error ({@code --retry-errors}). */
        public static final Update ERRORS = new Update("t.error IS NOT NULL", List.of());
    }

    /** {@link #insertUnique}, and rows already there updated by the first {@code updates} whose condition holds. */
    public static long insertOrUpdate(
            SparkSession spark, Dataset<Row> unique, String path, List<String> key, List<Update> updates) {
        return merge(spark, unique, path, key, updates);
    }

    /**
     * {@link #insertUnique}, and where the table already holds a key's row with an {@code error}, that
     * row is replaced by the new one ({@code --retry-errors}). Returns rows inserted plus rows replaced.
     */
    public static long insertOrReplaceErrors(SparkSession spark, Dataset<Row> unique, String path, List<String> key) {
        return merge(spark, unique, path, key, List.of(Update.ERRORS));
    }

    /** How often a MERGE that lost a race with another writer's commit is run again. */
    static final int CONFLICT_RETRIES = 3;

    /**
     * {@link #mergeOnce}, run again when another writer's commit conflicted with it (Delta's optimistic
     * concurrency: {@code ConcurrentAppendException} and its kin). Safe: the MERGE inserts by key and
     * its updates set the same values, so a second run after the other commit adds nothing twice.
     */
    private static long merge(
            SparkSession spark, Dataset<Row> unique, String path, List<String> key, List<Update> updates) {
        for (int attempt = 1; ; attempt++) {
            try {
                return mergeOnce(spark, unique, path, key, updates);
            } catch (DeltaConcurrentModificationException e) {
                if (attempt > CONFLICT_RETRIES) {
                    throw e;
                }
                System.err.printf(
                        "[delta] %s: a concurrent commit conflicted (%s); MERGE again (%d of %d)%n",
                        path, e.getClass().getSimpleName(), attempt, CONFLICT_RETRIES);
            }
        }
    }

    private static long mergeOnce(
            SparkSession spark, Dataset<Row> unique, String path, List<String> key, List<Update> updates) {
        if (!exists(spark, path)) {
            Table projectTable = Tables.at(path);
            if (projectTable == null) {
                unique.write().format("delta").mode("append").save(path);
                return spark.read().format("delta").load(path).count();
            }
            create(spark, path, projectTable, unique.schema());
        }
        if (!updates.isEmpty()) {
            addMissingColumns(spark, path, unique.schema());
        }
        String cond = key.stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "));
        DeltaTable table = DeltaTable.forPath(spark, path);
        long before = table.history(1).first().getLong(0);
        DeltaMergeBuilder merge = table.as("t").merge(unique.as("s"), cond);
        for (Update u : updates) {
            if (u.columns().isEmpty()) {
                merge = merge.whenMatched(u.condition()).updateAll();
            } else {
                Map<String, String> set = new LinkedHashMap<>();
                u.columns().forEach(c -> set.put(c, "s." + c));
                merge = merge.whenMatched(u.condition()).updateExpr(set);
            }
        }
        merge.whenNotMatched().insertAll().execute();
        Row last = table.history(1)
                .select("version", "operation", "operationMetrics")
                .first();
        if (last.getLong(0) == before) {
            return 0; // nothing to insert: Delta committed no new version
        }
        if (!"MERGE".equals(last.getString(1))) {
            return -1; // another writer committed in between; the count is unknown, the data is still exact
        }
        scala.collection.Map<String, String> m = last.getMap(2);
        return metric(m, "numTargetRowsInserted") + metric(m, "numTargetRowsUpdated");
    }

    /** Creates {@code table} under {@code warehouse} with all its columns, unless it exists. */
    public static void create(SparkSession spark, String warehouse, Table table) {
        create(spark, table.path(warehouse), table, table.schema());
    }

    /**
     * Creates {@code table} at {@code path} with the columns of {@code schema} (what its first write
     * holds), each with its comment, the table's description as its comment, the change data feed on from
     * its first version, and liquid clustering by {@link Tables#CLUSTER_BY} where the table has one.
     */
    static void create(SparkSession spark, String path, Table table, StructType schema) {
        DeltaTableBuilder b = DeltaTable.createIfNotExists(spark)
                .location(path)
                .addColumns(ColumnComments.commented(table.name(), schema).asNullable())
                .property("delta.enableChangeDataFeed", "true");
        if (table.description() != null) {
            b = b.comment(table.description());
        }
        List<String> cluster = Tables.CLUSTER_BY.get(table.name());
        if (cluster != null && List.of(schema.fieldNames()).containsAll(cluster)) {
            b = b.clusterBy(cluster.toArray(new String[0]));
        }
        b.execute();
    }

    /**
     * Adds to the table the columns of {@code schema} it lacks (a table written by an older version),
     * as nullable columns: an update clause may then read them ({@code t.source_size}), where schema
     * evolution inside the MERGE would add them only for the rows it writes.
     */
    static void addMissingColumns(SparkSession spark, String path, StructType schema) {
        Set<String> have = new HashSet<>(
                List.of(spark.read().format("delta").load(path).schema().fieldNames()));
        List<String> add = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (!have.contains(f.name())) {
                add.add("`" + f.name() + "` " + f.dataType().sql());
            }
        }
        if (!add.isEmpty()) {
            spark.sql("ALTER TABLE delta.`" + path + "` ADD COLUMNS (" + String.join(", ", add) + ")");
        }
    }

    private static long metric(scala.collection.Map<String, String> m, String name) {
        return m.contains(name) ? Long.parseLong(m.apply(name)) : 0L;
    }
}
