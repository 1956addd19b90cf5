package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.xaiscale.image.Box;
import io.xaiscale.image.DecodeException;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.util.Hashing;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The ingest stage: writes the {@code images} table from a folder or {@code s3a://} prefix of image
 * files (with an optional CSV or JSON Lines manifest of labels and boxes), or from the Fashion-MNIST
 * localisation benchmark. {@code image_id} is the SHA-256 of the file's bytes, so a rerun adds
 * nothing; an undecodable file becomes a row with an {@code error}.
 */
public final class IngestJob {
    public static final List<String> MANIFEST_COLUMNS =
            List.of("path", "label", "label_name", "x0", "y0", "x1", "y1", "split");
    static final String IMAGE_FILES = "(?i).*\\.(png|jpe?g|gif|bmp)$";

    private IngestJob() {}

    /** Ingests image files under {@code source}; returns rows inserted. */
    public static long ingestFiles(
            SparkSession spark, String warehouse, String source, String manifest, String defaultSplit) {
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(source);
        String qualified;
        try {
            qualified = root.getFileSystem(spark.sparkContext().hadoopConfiguration())
                    .makeQualified(root)
                    .toString();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open image source " + source + ": " + e.getMessage(), e);
        }
        String prefix = qualified.endsWith("/") ? qualified : qualified + "/";
        Dataset<Row> files = spark.read()
                .format("binaryFile")
                .option("recursiveFileLookup", "true")
                .load(source)
                .where(col("path").rlike(IMAGE_FILES))
                .select(
                        col("path").as("source_uri"),
                        col("content"),
                        org.apache
                                .spark
                                .sql
                                .functions
                                .expr("substring(path, " + (prefix.length() + 1) + ")")
                                .as("rel_path"));
        Dataset<Row> withMeta;
        if (manifest != null && !manifest.isBlank()) {
            Dataset<Row> m = readManifest(spark, manifest);
            withMeta = files.join(m, files.col("rel_path").equalTo(m.col("path")), "left")
                    .drop("path");
        } else {
            withMeta = files.withColumn("label", lit(null).cast("int"))
                    .withColumn("label_name", lit(null).cast("string"))
                    .withColumn("x0", lit(null).cast("int"))
                    .withColumn("y0", lit(null).cast("int"))
                    .withColumn("x1", lit(null).cast("int"))
                    .withColumn("y1", lit(null).cast("int"))
                    .withColumn("split", lit(null).cast("string"));
        }
        Dataset<Row> rows = withMeta.select(
                        "source_uri", "content", "label", "label_name", "x0", "y0", "x1", "y1", "split")
                .mapPartitions(new FileRows(defaultSplit), Encoders.row(Tables.IMAGES.schema()));
        return DeltaIO.mergeInsert(spark, rows, warehouse, Tables.IMAGES);
    }

    /** Reads a CSV (with header) or JSON Lines manifest; unknown columns fail naming the valid ones. */
    static Dataset<Row> readManifest(SparkSession spark, String manifest) {
        boolean json = manifest.endsWith(".jsonl") || manifest.endsWith(".json");
        Dataset<Row> m = json
                ? spark.read().json(manifest)
                : spark.read().option("header", "true").csv(manifest);
        List<String> cols = Arrays.asList(m.columns());
        for (String c : cols) {
            if (!MANIFEST_COLUMNS.contains(c)) {
                throw new IllegalArgumentException("Unknown manifest column '" + c + "' in " + manifest + " (valid: "
                        + String.join(", ", MANIFEST_COLUMNS) + ")");
            }
        }
        if (!cols.contains("path")) {
            throw new IllegalArgumentException(
                    "Manifest " + manifest + " has no 'path' column (paths relative to the source)");
        }
        for (String c : MANIFEST_COLUMNS) {
            if (!cols.contains(c)) {
                m = m.withColumn(c, lit(null));
            }
        }
        return m.select(
                col("path").cast("string"),
                col("label").cast("int"),
                col("label_name").cast("string"),
                col("x0").cast("int"),
                col("y0").cast("int"),
                col("x1").cast("int"),
                col("y1").cast("int"),
                col("split").cast("string"));
    }

    /**
     * The images row of one file: its format and size when it decodes, else the decoder's error;
     * {@code inputError} (a bad manifest value) is the row's error when the file itself is fine.
     */
    static Row imageRow(
            String id,
            String uri,
            byte[] content,
            Integer label,
            String labelName,
            Row bbox,
            String split,
            String inputError,
            Timestamp now) {
        Table.RowBuilder row = Tables.IMAGES
                .row()
                .set("image_id", id)
                .set("source_uri", uri)
                .set("content", content)
                .set("label", label)
                .set("label_name", labelName)
                .set("bbox", bbox)
                .set("split", split)
                .set("ingested_at", now);
        try {
            ImageCodec.Info info = ImageCodec.info(content);
            return row.set("format", info.format())
                    .set("width", info.width())
                    .set("height", info.height())
                    .set("channels", info.channels())
                    .set("error", inputError)
                    .build();
        } catch (DecodeException e) {
            return row.absent("format", "width", "height", "channels")
                    .set("error", e.getMessage())
                    .build();
        }
    }

    static final class FileRows implements MapPartitionsFunction<Row, Row> {
        private final String defaultSplit;

        FileRows(String defaultSplit) {
            this.defaultSplit = defaultSplit;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> in) {
            Timestamp now = new Timestamp(System.currentTimeMillis());
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return in.hasNext();
                }

                @Override
                public Row next() {
                    Row r = in.next();
                    byte[] content = r.getAs("content");
                    Row box = null;
                    String boxError = null;
                    Integer x0 = r.getAs("x0");
                    Integer y0 = r.getAs("y0");
                    Integer x1 = r.getAs("x1");
                    Integer y1 = r.getAs("y1");
                    if (x0 != null || y0 != null || x1 != null || y1 != null) {
                        try {
                            if (x0 == null || y0 == null || x1 == null || y1 == null) {
                                throw new IllegalArgumentException("Invalid box: needs all of x0, y0, x1, y1");
                            }
                            Box b = new Box(x0, y0, x1, y1);
                            box = RowFactory.create(b.x0(), b.y0(), b.x1(), b.y1());
                        } catch (IllegalArgumentException e) {
                            boxError = "manifest: " + e.getMessage();
                        }
                    }
                    String split = r.getAs("split") != null ? r.getAs("split") : defaultSplit;
                    return imageRow(
                            Hashing.sha256Hex(content),
                            r.getAs("source_uri"),
                            content,
                            r.getAs("label"),
                            r.getAs("label_name"),
                            box,
                            split,
                            boxError,
                            now);
                }
            };
        }
    }

    /** Ingests {@code count} canvases of the Fashion-MNIST localisation benchmark; returns rows inserted. */
    public static long ingestBenchmark(
            SparkSession spark,
            String warehouse,
            String mnistDir,
            String split,
            int count,
            int canvas,
            long seed,
            int partitions)
            throws IOException {
        return ingestFashionMnist(
                spark, warehouse, new BenchmarkRows(mnistDir, split, canvas, seed), count, partitions);
    }

    /** Ingests the first {@code count} plain 28x28 Fashion-MNIST items of a split (no boxes); returns rows inserted. */
    public static long ingestRawFashionMnist(
            SparkSession spark, String warehouse, String mnistDir, String split, int count, int partitions)
            throws IOException {
        return ingestFashionMnist(spark, warehouse, new BenchmarkRows(mnistDir, split, 0, 0), count, partitions);
    }

    static long ingestFashionMnist(
            SparkSession spark, String warehouse, BenchmarkRows generator, int count, int partitions)
            throws IOException {
        FashionMnist.Split data =
                FashionMnist.read(Path.of(generator.dir), generator.split); // fails on the driver if missing
        if (count > data.size() && generator.canvas == 0) {
            throw new IllegalArgumentException(
                    "Invalid count: " + count + " (the " + generator.split + " split has " + data.size() + " items)");
        }
        Dataset<Row> rows = spark.range(0, count, 1, Math.max(1, partitions))
                .toDF("index")
                .mapPartitions(generator, Encoders.row(Tables.IMAGES.schema()));
        return DeltaIO.mergeInsert(spark, rows, warehouse, Tables.IMAGES);
    }

    static final class BenchmarkRows implements MapPartitionsFunction<Row, Row>, Serializable {
        private static final Map<String, FashionMnist.Split> SPLITS = new ConcurrentHashMap<>();
        private final String dir;
        private final String split;
        private final int canvas; // 0: the plain 28x28 items, no box
        private final long seed;

        BenchmarkRows(String dir, String split, int canvas, long seed) {
            this.dir = dir;
            this.split = split;
            this.canvas = canvas;
            this.seed = seed;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> in) {
            FashionMnist.Split data = SPLITS.computeIfAbsent(dir + "|" + split, k -> {
                try {
                    return FashionMnist.read(Path.of(dir), split);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Timestamp now = new Timestamp(System.currentTimeMillis());
            List<Row> out = new ArrayList<>();
            if (canvas == 0) {
                while (in.hasNext()) {
                    int index = (int) in.next().getLong(0);
                    byte[] png = ImageCodec.greyPng(data.images()[index], FashionMnist.SIDE, FashionMnist.SIDE);
                    int label = data.labels()[index];
                    out.add(imageRow(
                            Hashing.sha256Hex(png),
                            "fashion-mnist://" + split + "/" + index,
                            png,
                            label,
                            FashionMnist.CLASS_NAMES.get(label),
                            null,
                            split,
                            null,
                            now));
                }
                return out.iterator();
            }
            LocalizationBenchmark bench = new LocalizationBenchmark(data, canvas, seed);
            while (in.hasNext()) {
                int index = (int) in.next().getLong(0);
                out.add(row(bench.sample(index), now));
            }
            return out.iterator();
        }

        Row row(LocalizationBenchmark.Sample s, Timestamp now) {
            byte[] png = ImageCodec.greyPng(s.pixels(), s.side(), s.side());
            Box b = s.box();
            String uri = "fashion-mnist-loc://" + split + "/seed=" + seed + "/canvas=" + canvas + "/" + s.index();
            return imageRow(
                    Hashing.sha256Hex(png),
                    uri,
                    png,
                    s.label(),
                    FashionMnist.CLASS_NAMES.get(s.label()),
                    RowFactory.create(b.x0(), b.y0(), b.x1(), b.y1()),
                    split,
                    null,
                    now);
        }
    }
}
