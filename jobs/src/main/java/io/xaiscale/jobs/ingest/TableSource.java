package io.xaiscale.jobs.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.util.Hashing;
import io.xaiscale.util.Iterators;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * {@code --layout parquet}: the images of a Parquet table, or of a Delta table (a folder with a
 * {@code _delta_log}), as datasets are stored at scale (one column of encoded image bytes, as Hugging
 * Face datasets, LAION or DataComp shards write them, beside label and split columns). Spark reads the
 * table on the executors: the driver lists no image and holds no row. Each row is an input named
 * {@code <source>#<key>} (the key column's value, or the SHA-256 of the row's bytes), and goes the way
 * of a listed file: decoded once, an error row when its bytes are missing, corrupt or above the limits,
 * left unread on the next ingest when its key, bytes, label and split are unchanged, retired when its
 * key leaves the table. A second row of the same key is counted {@code duplicate_key} (the one of the
 * smallest bytes' hash is kept, so every run keeps the same).
 */
public final class TableSource {
    private TableSource() {}

    /** Where a table's images and ground truth are: label and split are used when the table has them. */
    public record Columns(String image, String key, String label, String split) implements Serializable {
        public static final Columns DEFAULT = new Columns("image", "", "label", "split");
    }

    static IngestReport ingest(SparkSession spark, String warehouse, IngestJob.Files f) throws IOException {
        if (f.manifest() != null && !f.manifest().isBlank()) {
            throw new IllegalArgumentException(
                    "--layout parquet reads labels from the table's columns (--label-column): give no --manifest");
        }
        Path root = new Path(f.source());
        FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(root)) {
            throw new FileNotFoundException("Image table not found: " + f.source());
        }
        String source = fs.makeQualified(root).toString().replaceAll("/+$", "");
        boolean shards = f.layout() == Layout.WEBDATASET;
        boolean delta = !shards && fs.exists(new Path(root, "_delta_log"));
        Columns c = f.columns();
        Dataset<Row> rows =
                shards ? WebDataset.rows(spark, fs, root, f.maxFileBytes()) : table(spark, source, delta, c);
        // one row per key, the same on every run: only keys seen twice are ranked (their rows alone are shuffled with
        // their bytes); the rest pass as they are
        Dataset<Row> hashed = rows.withColumn("content_sha", sha2(col("content"), 256));
        Dataset<Row> perKey = hashed.groupBy("source_uri").count().persist();
        try {
            Row counts = perKey.agg(sum(col("count")), count(lit(1))).first();
            long total = counts.isNullAt(0) ? 0 : counts.getLong(0);
            long keys = counts.getLong(1);
            Dataset<Row> repeated = perKey.where(col("count").gt(1)).select("source_uri");
            long repeatedKeys = repeated.count();
            Dataset<Row> unique = hashed;
            if (repeatedKeys > 0) {
                Dataset<Row> small = repeatedKeys < 1_000_000 ? broadcast(repeated) : repeated;
                Dataset<Row> chosen = hashed.join(small, DeltaIO.columns("source_uri"), "left_semi")
                        .withColumn(
                                "rank",
                                row_number()
                                        .over(Window.partitionBy("source_uri")
                                                .orderBy(
                                                        col("content_sha").asc_nulls_last(),
                                                        col("label").asc_nulls_last(),
                                                        col("split").asc_nulls_last())))
                        .where(col("rank").equalTo(1))
                        .drop("rank");
                unique = hashed.join(small, DeltaIO.columns("source_uri"), "left_anti")
                        .unionByName(chosen);
            }
            int partitions = IngestJob.partitions(spark, f, keys);
            Dataset<Row> listed = unique.drop("content_sha")
                    .repartition(partitions)
                    .mapPartitions(
                            new AsListed(f.classes(), f.defaultSplit(), c.label()), Encoders.row(FileRows.FILES));
            Map<String, Long> outcomes = new TreeMap<>();
            outcomes.put("duplicate_key", total - keys);
            System.out.printf(
                    "[ingest] %s %s: %d %s, %d key(s)%s%n",
                    shards ? "WebDataset" : "table",
                    source,
                    total,
                    shards ? "sample(s)" : "row(s)",
                    keys,
                    shards
                            ? ""
                            : " (" + (delta ? "delta" : "parquet") + ", image bytes from column " + c.image() + ")");
            return IngestJob.write(
                    spark,
                    warehouse,
                    f,
                    new IngestJob.Found(
                            listed,
                            "row(s) read",
                            keys,
                            partitions,
                            total,
                            List.of(),
                            outcomes,
                            source,
                            source + "#",
                            null,
                            0,
                            Map.of()),
                    new Timestamp(System.currentTimeMillis()));
        } finally {
            perKey.unpersist();
        }
    }

    /** A table's rows as {@link WebDataset#ROWS}: each named {@code <source>#<key>}, with its bytes, label and split. */
    private static Dataset<Row> table(SparkSession spark, String source, boolean delta, Columns c) {
        Dataset<Row> table =
                delta ? spark.read().format("delta").load(source) : spark.read().parquet(source);
        Column bytes = bytesOf(table, c.image(), source);
        Column key = c.key().isBlank() ? concat(lit("sha256:"), sha2(bytes, 256)) : keyOf(table, c.key(), source);
        Column label = optional(table, c.label(), Columns.DEFAULT.label(), source, "label");
        Column split = optional(table, c.split(), Columns.DEFAULT.split(), source, "split");
        Column labelIsName = lit(label != null && isString(table, c.label()));
        return table.select(
                        concat(lit(source + "#"), key.cast("string")).as("source_uri"),
                        bytes.as("content"),
                        label == null
                                ? lit(null).cast("string").as("label")
                                : label.cast("string").as("label"),
                        labelIsName.as("label_is_name"),
                        split == null
                                ? lit(null).cast("string").as("split")
                                : split.cast("string").as("split"),
                        lit(null).cast("string").as("problem"))
                // a row without bytes has none to hash: its key says which row it was, if there is a key column
                .withColumn(
                        "source_uri",
                        when(col("source_uri").isNull(), lit(source + "#no-bytes"))
                                .otherwise(col("source_uri")));
    }

    /** The image bytes: a binary column, or the {@code bytes} field of a struct column (Hugging Face's Image feature). */
    static Column bytesOf(Dataset<Row> table, String name, String source) {
        DataType t = typeOf(table, name, source, "image");
        if (t instanceof BinaryType) {
            return col(name);
        }
        if (t instanceof StructType s
                && Arrays.asList(s.fieldNames()).contains("bytes")
                && s.apply("bytes").dataType() instanceof BinaryType) {
            return col(name + ".bytes");
        }
        throw new IllegalArgumentException(
                "Invalid --image-column for --layout parquet: " + name + " is " + t.simpleString()
                        + " (it must hold the encoded image: binary, or a struct with a binary field bytes as Hugging Face"
                        + " datasets write)");
    }

    static Column keyOf(Dataset<Row> table, String name, String source) {
        DataType t = typeOf(table, name, source, "key");
        if (t instanceof StringType || t instanceof IntegerType || t instanceof LongType) {
            return col(name);
        }
        throw new IllegalArgumentException("Invalid --key-column for --layout parquet: " + name + " is "
                + t.simpleString() + " (valid: a string or integer column that names each row)");
    }

    /** A label or split column: null when the default name is absent; a named column must exist. */
    static Column optional(Dataset<Row> table, String name, String defaultName, String source, String what) {
        if (name.isBlank()
                || (name.equals(defaultName) && !Arrays.asList(table.columns()).contains(name))) {
            return null;
        }
        DataType t = typeOf(table, name, source, what);
        boolean ok = t instanceof StringType
                || (what.equals("label")
                        && (t instanceof IntegerType || t instanceof LongType || t instanceof ShortType));
        if (!ok) {
            throw new IllegalArgumentException("Invalid --" + what + "-column for --layout parquet: " + name + " is "
                    + t.simpleString() + " (valid: "
                    + (what.equals("label") ? "a class index (integer) or a class name (string)" : "a string") + ")");
        }
        return col(name);
    }

    private static boolean isString(Dataset<Row> table, String name) {
        return table.schema().apply(name).dataType() instanceof StringType;
    }

    private static DataType typeOf(Dataset<Row> table, String name, String source, String what) {
        for (StructField field : table.schema().fields()) {
            if (field.name().equals(name)) {
                return field.dataType();
            }
        }
        throw new IllegalArgumentException("Invalid --" + what + "-column for --layout parquet: " + name
                + " (columns of " + source + ": " + String.join(", ", table.columns()) + ")");
    }

    /**
     * Executor side: a table's row as a listed input ({@link FileRows#FILES}): its bytes held, its label
     * checked against the model's classes (a problem is the row's error, as a manifest's is), and what
     * makes it unchanged on the next ingest: its size, no time, and the hash of its label, split and bytes.
     */
    static final class AsListed implements MapPartitionsFunction<Row, Row> {
        private static final Timestamp NO_TIME = new Timestamp(0);
        private final List<String> classes;
        private final String defaultSplit;
        private final String labelColumn;

        AsListed(List<String> classes, String defaultSplit, String labelColumn) {
            this.classes = classes == null ? null : List.copyOf(classes);
            this.defaultSplit = defaultSplit;
            this.labelColumn = labelColumn;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> in) {
            return Iterators.map(in, this::listed);
        }

        private Row listed(Row r) {
            byte[] content = r.getAs("content");
            String value = r.getAs("label");
            boolean named = r.<Boolean>getAs("label_is_name");
            List<String> problems = new ArrayList<>();
            String problem = r.getAs("problem");
            if (problem != null) {
                problems.add(problem);
            } else if (content == null) {
                problems.add("no image bytes (the image column is null or empty)");
            }
            Integer label = null;
            String labelName = null;
            if (value != null && named) {
                labelName = value;
            } else if (value != null) {
                try {
                    label = Integer.valueOf(value);
                } catch (NumberFormatException e) {
                    problems.add(labelColumn + ": label " + value + " is not a class index");
                }
            }
            label = Manifest.checkedLabel(label, labelName, classes, labelColumn + ": ", problems);
            if (label != null && labelName == null && classes != null && label >= 0 && label < classes.size()) {
                labelName = classes.get(label);
            }
            String error = problems.isEmpty() ? null : String.join("; ", problems);
            String split = r.getAs("split");
            String entryHash = Hashing.sha256Hex(FileRows.entryHash(
                            label, labelName, List.of(), null, null, split != null ? split : defaultSplit, error)
                    + "|" + (content == null ? "" : Hashing.sha256Hex(content)));
            // with its schema: Spark hands this very object to the next stage's function (FileRows reads by
            // name)
            return new GenericRowWithSchema(
                    new Object[] {
                        r.getAs("source_uri"),
                        content == null ? 0L : (long) content.length,
                        NO_TIME,
                        entryHash,
                        label,
                        labelName,
                        null,
                        null,
                        null,
                        split,
                        error,
                        null,
                        content == null ? new byte[0] : content // no bytes: FileRows makes it an error row
                    },
                    FileRows.FILES);
        }
    }
}
