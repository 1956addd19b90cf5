package io.xaiscale.jobs.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.xaiscale.image.Box;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.runtime.FileListing;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.collection.JavaConverters;

/**
 * The ingest stage: writes the {@code images} table from a folder or {@code s3a://} prefix of image
 * files (with an optional CSV or JSON Lines manifest of labels and boxes), or from the Fashion-MNIST
 * localisation benchmark. {@code image_id} is the SHA-256 of the file's bytes, so a rerun adds
 * nothing. Every input is accounted for ({@link IngestReport}): a file that cannot be used and a file
 * with bad manifest values are image rows with an {@code error}; a file that is not an image, a
 * manifest row that names no file and the like are rows of {@code ingest_rejects}.
 */
public final class IngestJob {
    private IngestJob() {}

    /**
     * What a file ingest reads and how.
     *
     * @param manifest CSV or JSON Lines of labels and boxes, or blank
     * @param classes the model's classes, to check labels against; null: labels only need to be >= 0
     * @param maxPixels an image claiming more pixels in its header is an error row, never decoded
     * @param maxFileBytes a larger file is an error row, hashed as a stream, never held in memory
     * @param partitions tasks that read the files (0: one per 256 files, at least Spark's parallelism)
     * @param retryErrors images rows with an error are replaced by this run's outcome of the same file
     * @param columns where a table's images and labels are ({@code --layout parquet})
     */
    public record Files(
            String source,
            String manifest,
            String defaultSplit,
            List<String> classes,
            long maxPixels,
            long maxFileBytes,
            int partitions,
            boolean retryErrors,
            Layout layout,
            TableSource.Columns columns)
            implements Serializable {
        public static final long DEFAULT_MAX_FILE_BYTES = 256L << 20;

        /** The defaults: no model classes, the default limits, no retry. */
        public static Files of(String source, String manifest, String defaultSplit) {
            return new Files(
                    source,
                    manifest,
                    defaultSplit,
                    null,
                    ImageCodec.DEFAULT_MAX_PIXELS,
                    DEFAULT_MAX_FILE_BYTES,
                    0,
                    false,
                    Layout.FILES,
                    TableSource.Columns.DEFAULT);
        }
    }

    /** An image's ground truth and what was read of its file: what a corrected or moved file replaces. */
    static final List<String> ANNOTATION = List.of(
            "label",
            "label_name",
            "bbox",
            "boxes",
            "segmentation",
            "ground_truth_hash",
            "split",
            "source_size",
            "source_modified",
            "source_entry_hash");

    /**
     * An image already ingested whose annotation changed (a corrected manifest: same bytes, another
     * ground-truth hash) gets the new ground truth; its pixels and id stay. Evaluate then recomputes
     * exactly the values scored against the old ground truth.
     */
    static final DeltaIO.Update CORRECTED = new DeltaIO.Update(
            "s.error IS NULL AND t.error IS NULL AND s.ground_truth_hash IS NOT NULL"
                    + " AND NOT (t.ground_truth_hash <=> s.ground_truth_hash)",
            ANNOTATION);

    /**
     * The same bytes, kept from another file than the row's (the same-bytes rule chose it, or the file
     * was moved): the row takes that file's path, ground truth, error and source columns.
     */
    static final DeltaIO.Update MOVED = new DeltaIO.Update(
            "NOT (t.source_uri <=> s.source_uri)",
            Stream.concat(Stream.of("source_uri", "error"), ANNOTATION.stream()).toList());

    /**
     * A file read again (touched, its manifest values changed, or ingested before the columns existed)
     * records what was read, so the next ingest leaves it unread.
     */
    static final DeltaIO.Update SOURCE = new DeltaIO.Update(
            "t.source_uri = s.source_uri AND NOT (t.source_size <=> s.source_size"
                    + " AND t.source_modified <=> s.source_modified AND t.source_entry_hash <=> s.source_entry_hash)",
            List.of("source_size", "source_modified", "source_entry_hash"));

    /** Ingests the image files of {@code f.source()}; says where each input went. */
    public static IngestReport ingestFiles(SparkSession spark, String warehouse, Files f) throws IOException {
        if (f.layout() == Layout.PARQUET || f.layout() == Layout.WEBDATASET) {
            return TableSource.ingest(spark, warehouse, f);
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(f.source());
        FileSystem fs = root.getFileSystem(conf);
        if (!fs.exists(root)) {
            throw new FileNotFoundException("Image source not found: " + f.source());
        }
        SourcePaths paths = new SourcePaths(fs.makeQualified(root).toString());
        Manifest manifest = null;
        String manifestUri = null;
        List<String> imageFolder = null; // the paths of an ImageFolder's rows, in order
        if (f.manifest() != null && !f.manifest().isBlank()) {
            org.apache.hadoop.fs.Path mp = new org.apache.hadoop.fs.Path(f.manifest());
            FileSystem mfs = mp.getFileSystem(conf);
            if (!mfs.exists(mp)) {
                throw new FileNotFoundException("Manifest not found: " + f.manifest());
            }
            manifestUri = mfs.makeQualified(mp).toString();
            try (Reader r = new InputStreamReader(mfs.open(mp), StandardCharsets.UTF_8)) {
                manifest = f.layout() == Layout.COCO
                        ? Layout.coco(manifestUri, r, paths, f.classes())
                        : Manifest.read(manifestUri, r, paths, f.classes());
            }
        } else if (f.layout() == Layout.COCO) {
            throw new IllegalArgumentException("--layout coco reads its annotations from --manifest (instances JSON)");
        }
        if (f.layout() == Layout.VOC) {
            if (manifest != null) {
                throw new IllegalArgumentException("--layout voc reads Annotations/*.xml: give no --manifest");
            }
            manifest = Layout.voc(fs, fs.makeQualified(root), paths, f.classes(), f.maxPixels(), f.maxFileBytes());
            manifestUri = manifest.uri;
        } else if (f.layout() == Layout.IMAGEFOLDER) {
            if (manifest != null) {
                throw new IllegalArgumentException(
                        "--layout imagefolder takes classes from folders: give no --manifest");
            }
            List<String> folders = new ArrayList<>();
            manifest = Manifest.of(paths.prefix(), paths, f.classes(), n -> "image " + folders.get(n - 1));
            imageFolder = folders;
        }
        Timestamp now = new Timestamp(System.currentTimeMillis());
        Listing listing = list(fs, root, paths, manifestUri, manifest, f.layout(), imageFolder, f.defaultSplit());
        int tasks = Math.max(1, Math.min(partitions(spark, f, listing.files.size()), listing.files.size()));
        Dataset<Row> listed = spark.createDataFrame(
                JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(listing.files, tasks),
                FileRows.FILES);
        Map<String, Long> manifestOutcomes = new TreeMap<>();
        long manifestRows = 0;
        if (manifest != null) {
            manifestOutcomes.putAll(manifest.rows);
            long entries = manifestOutcomes.getOrDefault("entry", 0L);
            manifestOutcomes.remove("entry");
            manifestOutcomes.put("matched", entries - listing.unmatched);
            manifestOutcomes.merge("no_file", (long) listing.unmatched, Long::sum);
            manifestRows =
                    manifest.rows.values().stream().mapToLong(Long::longValue).sum();
        }
        return write(
                spark,
                warehouse,
                f,
                new Found(
                        listed,
                        "file(s) listed",
                        listing.files.size(),
                        tasks,
                        listing.listed,
                        listing.rejects,
                        listing.skipped,
                        paths.prefix(),
                        paths.prefix(),
                        manifestUri,
                        manifestRows,
                        manifestOutcomes),
                now);
    }

    /** Tasks that read {@code inputs} inputs: {@code f.partitions()}, else one per 256, at least Spark's parallelism. */
    static int partitions(SparkSession spark, Files f, long inputs) {
        return f.partitions() > 0
                ? f.partitions()
                : (int) Math.max(spark.sparkContext().defaultParallelism(), Math.min(100_000, (inputs + 255) / 256));
    }

    /**
     * What a source's front end found, for the write every layout shares: the listed inputs (what they
     * are, as the report says it) as {@link FileRows#FILES} rows ({@code fileRows} of them, read in {@code partitions} tasks) of
     * {@code listed} inputs in all, the inputs already rejected and the outcomes already counted, the
     * source as reported, the prefix of the source's {@code source_uri}s (what is no longer listed under
     * it is retired), and the manifest's rows by outcome.
     */
    record Found(
            Dataset<Row> files,
            String inputs,
            long fileRows,
            int partitions,
            long listed,
            List<Reject> rejects,
            Map<String, Long> outcomes,
            String source,
            String retirePrefix,
            String manifestUri,
            long manifestRows,
            Map<String, Long> manifestOutcomes) {}

    /**
     * The shared back end of every layout: reads what changed since the last ingest (on the executors),
     * decides between rows of the same bytes, writes the images and the rejects, retires what left the
     * source; says where every input went.
     */
    static IngestReport write(SparkSession spark, String warehouse, Files f, Found found, Timestamp now) {
        List<Reject> rejects = new ArrayList<>(found.rejects());
        Map<String, Long> fileOutcomes = new TreeMap<>(found.outcomes());
        Dataset<Row> listed = found.files();
        // files read before, unchanged since (path, size, time, manifest values) and kept: not read again
        String images = Tables.IMAGES.path(warehouse);
        Dataset<Row> tasks = listed;
        if (DeltaIO.exists(spark, images)) {
            Dataset<Row> stored = DeltaIO.read(spark, warehouse, Tables.IMAGES);
            Dataset<Row> known = stored.where(f.retryErrors() ? col("error").isNull() : lit(true))
                    .select(
                            col("source_uri"),
                            Tables.IMAGES.column(stored, "source_size").as("length"),
                            Tables.IMAGES.column(stored, "source_modified").as("modified"),
                            Tables.IMAGES.column(stored, "source_entry_hash").as("entry_hash"));
            tasks = listed.join(known, DeltaIO.columns("source_uri", "length", "modified", "entry_hash"), "left_anti")
                    .repartition(found.partitions());
        }
        long pending = tasks.count();
        fileOutcomes.put("unchanged", found.fileRows() - pending);
        Dataset<Row> read = tasks.mapPartitions(
                        new FileRows(f.defaultSplit(), f.maxPixels(), f.maxFileBytes()), Encoders.row(FileRows.OUT))
                .persist(StorageLevel.DISK_ONLY());
        try {
            // files of this run with the same bytes as a row ingested before from another file still in the
            // source: one decision over all of them, so the rule gives the same row on every run
            Dataset<Row> twins = DeltaIO.exists(spark, images) ? storedTwins(spark, warehouse, read, listed) : null;
            List<Row> decided = sameBytes(read, twins, rejects);
            Dataset<Row> decisions = spark.createDataFrame(decided, SAME_BYTES);
            Dataset<Row> kept = read.join(broadcast(decisions), DeltaIO.columns("image_id"), "left")
                    .where(col("kept_uri").isNull().or(col("source_uri").equalTo(col("kept_uri"))))
                    .withColumn("error", coalesce(col("error"), col("conflict")))
                    .select(Tables.IMAGES.columns());
            // one pass over the persisted rows: kept rows, and those with an error
            Row counts = kept.agg(count(lit(1)), count(col("error"))).first();
            long keptRows = counts.getLong(0);
            long errors = counts.getLong(1);
            fileOutcomes.put("image", keptRows - errors);
            fileOutcomes.put("error_row", errors);
            fileOutcomes.put("duplicate_content", pending - keptRows);
            List<DeltaIO.Update> updates = new ArrayList<>();
            if (f.retryErrors()) {
                updates.add(DeltaIO.Update.ERRORS);
            }
            updates.add(MOVED);
            updates.add(CORRECTED);
            updates.add(SOURCE);
            long written = DeltaIO.insertOrUpdate(spark, kept, images, Tables.IMAGES.key(), updates);
            markStoredConflicts(spark, images, decided);
            retire(spark, images, listed, found.retirePrefix(), now);
            if (f.retryErrors()) {
                dropStaleErrors(spark, kept, images);
            }
            long rejectsWritten = DeltaIO.mergeInsert(
                    spark,
                    spark.createDataFrame(
                            rejects.stream()
                                    .map(r -> r.toRow(found.source(), now))
                                    .toList(),
                            Tables.INGEST_REJECTS.schema()),
                    warehouse,
                    Tables.INGEST_REJECTS);
            return new IngestReport(
                    found.source(),
                    found.inputs(),
                    found.listed(),
                    fileOutcomes,
                    found.manifestUri(),
                    found.manifestRows(),
                    found.manifestOutcomes(),
                    written,
                    rejectsWritten);
        } finally {
            read.unpersist();
        }
    }

    /** {@link #ingestFiles(SparkSession, String, Files)} with the defaults ({@link Files#of}). */
    public static IngestReport ingestFiles(
            SparkSession spark, String warehouse, String source, String manifest, String defaultSplit)
            throws IOException {
        return ingestFiles(spark, warehouse, Files.of(source, manifest, defaultSplit));
    }

    /** The files under a source: images to read (with their manifest values), and those skipped. */
    private static final class Listing {
        final List<Row> files = new ArrayList<>();
        final List<Reject> rejects = new ArrayList<>();
        final Map<String, Long> skipped = new TreeMap<>();
        long listed;
        int unmatched;
    }

    /**
     * Lists every file under the source on the driver ({@link FileListing}: one flat listing
     * on S3) and matches manifest entries to image files by their normalised relative path.
     */
    private static Listing list(
            FileSystem fs,
            org.apache.hadoop.fs.Path root,
            SourcePaths paths,
            String manifestUri,
            Manifest manifest,
            Layout layout,
            List<String> imageFolder,
            String defaultSplit)
            throws IOException {
        Listing out = new Listing();
        Map<String, Manifest.Entry> entries = manifest == null ? Map.of() : new LinkedHashMap<>(manifest.entries);
        Map<String, String> byLowerCase = new HashMap<>();
        // the hash of a file the manifest does not name: one string for all of them
        String noEntry = FileRows.entryHash(null, null, List.of(), null, null, defaultSplit, null);
        RemoteIterator<FileStatus> it = FileListing.files(fs, root);
        while (it.hasNext()) {
            FileStatus st = it.next();
            out.listed++;
            String uri = st.getPath().toString();
            String rel = paths.relative(uri);
            if (uri.equals(manifestUri)) {
                out.skipped.merge("manifest", 1L, Long::sum);
                continue;
            }
            if (layout.isAnnotation(rel)) {
                out.skipped.merge("annotation", 1L, Long::sum);
                continue;
            }
            String skip = SourcePaths.skipReason(rel);
            if (skip == null && imageFolder != null) {
                imageFolder.add(rel); // its class is its folder: a row of the layout's manifest
                manifest.addRow(imageFolder.size(), Layout.imageFolderRow(rel));
                entries.put(rel, manifest.entries.get(rel));
            }
            if (skip != null) {
                out.skipped.merge(skip, 1L, Long::sum);
                out.rejects.add(Reject.file(
                        uri,
                        rel,
                        skip,
                        skip.equals("hidden")
                                ? "a hidden file or folder (name starting with '.')"
                                : "extension '." + SourcePaths.extension(rel) + "' is not read (valid: "
                                        + String.join(", ", SourcePaths.IMAGE_EXTENSIONS) + ")"));
                continue;
            }
            if (manifest != null) { // for the near-miss hint of a manifest row that matches no file
                byLowerCase.put(rel.toLowerCase(Locale.ROOT), rel);
            }
            Manifest.Entry e = manifest == null ? null : entries.remove(rel);
            List<Row> boxes = e == null
                    ? List.of()
                    : e.boxes().stream().map(LabeledBox::toRow).toList();
            out.files.add(RowFactory.create(
                    uri,
                    st.getLen(),
                    new Timestamp(st.getModificationTime()),
                    e == null
                            ? noEntry
                            : FileRows.entryHash(
                                    e.label(),
                                    e.labelName(),
                                    boxes,
                                    e.segmentation(),
                                    e.shapes(),
                                    e.split() != null ? e.split() : defaultSplit,
                                    e.error()),
                    e == null ? null : e.label(),
                    e == null ? null : e.labelName(),
                    boxes.isEmpty() ? null : JavaConverters.asScalaBuffer(boxes).toSeq(),
                    e == null ? null : e.segmentation(),
                    e == null ? null : e.shapes(),
                    e == null ? null : e.split(),
                    e == null ? null : e.error(),
                    e == null ? null : e.line(),
                    null));
        }
        brokenLinks(fs, root, paths, out);
        for (Manifest.Entry e : entries.values()) {
            String near = byLowerCase.get(e.path().toLowerCase(Locale.ROOT));
            out.rejects.add(Reject.manifestRow(
                    manifest.uri,
                    e.line(),
                    e.path(),
                    "no_file",
                    "no image file " + e.path() + " under " + paths.prefix()
                            + (near == null ? "" : " (did you mean " + near + "? paths are case-sensitive)")));
            out.unmatched++;
        }
        if (manifest != null) {
            out.rejects.addAll(manifest.rejects);
        }
        return out;
    }

    /**
     * Symbolic links to nothing under a local source: Hadoop's listing leaves them out, so they are
     * found here and rejected as {@code broken_link} (links to files are followed and read).
     */
    private static void brokenLinks(FileSystem fs, org.apache.hadoop.fs.Path root, SourcePaths paths, Listing out)
            throws IOException {
        if (!"file".equals(fs.getScheme())) {
            return; // object stores have no links
        }
        Path dir = Path.of(fs.makeQualified(root).toUri());
        try (Stream<Path> all = java.nio.file.Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (java.nio.file.Files.isSymbolicLink(p) && !java.nio.file.Files.exists(p)) {
                    String uri = new org.apache.hadoop.fs.Path(p.toUri()).toString();
                    String rel = paths.relative(uri);
                    out.listed++;
                    out.skipped.merge("broken_link", 1L, Long::sum);
                    out.rejects.add(Reject.file(
                            uri,
                            rel,
                            "broken_link",
                            "a symbolic link to " + java.nio.file.Files.readSymbolicLink(p)
                                    + ", which does not exist"));
                }
            }
        }
    }

    private static final StructType SAME_BYTES = new StructType()
            .add("image_id", "string", false)
            .add("kept_uri", "string", false)
            .add("conflict", "string", true)
            .add("kept_stored", "boolean", false);

    /**
     * Rows of the images table with the bytes of a file read now, ingested from another file that is
     * still in the source ({@code listed}): candidates of the same-bytes rule next to this run's files.
     */
    private static Dataset<Row> storedTwins(
            SparkSession spark, String warehouse, Dataset<Row> read, Dataset<Row> listed) {
        Dataset<Row> readNow =
                read.select(col("image_id").as("r_id"), col("source_uri").as("r_uri"));
        Dataset<Row> stillListed = listed.select(col("source_uri").as("l_uri")).distinct();
        return DeltaIO.read(spark, warehouse, Tables.IMAGES)
                .select("image_id", "source_uri", "label", "label_name", "boxes", "split")
                .join(read.select("image_id").distinct(), "image_id")
                .join(stillListed, col("source_uri").equalTo(col("l_uri")))
                .drop("l_uri")
                .join(
                        readNow,
                        col("image_id")
                                .equalTo(col("r_id"))
                                .and(col("source_uri").equalTo(col("r_uri"))),
                        "left_anti");
    }

    /**
     * Images of this source whose file is no longer listed get {@code retired_at} (selections skip
     * them; their rows stay, so earlier results remain readable); a retired image whose file is back
     * is present again. Only rows under {@code prefix} (this run's source) are considered.
     */
    private static void retire(SparkSession spark, String images, Dataset<Row> listed, String prefix, Timestamp now) {
        DeltaTable t = DeltaTable.forPath(spark, images);
        if (!Arrays.asList(t.toDF().columns()).contains("retired_at")) {
            return; // a table written before the column existed gets it with its next insert
        }
        // a MERGE only when something changes: no empty commit on a run with nothing new
        Dataset<Row> stored = t.toDF().select("source_uri", "retired_at");
        Dataset<Row> present = listed.select(col("source_uri").as("l_uri")).distinct();
        Column here = col("source_uri").equalTo(col("l_uri"));
        long back =
                stored.where(col("retired_at").isNotNull()).join(present, here).count();
        long gone = stored.where(
                        col("retired_at").isNull().and(col("source_uri").startsWith(prefix)))
                .join(present, here, "left_anti")
                .count();
        if (back + gone == 0) {
            return;
        }
        t.as("t")
                .merge(listed.select("source_uri").distinct().as("s"), "t.source_uri = s.source_uri")
                .whenMatched("t.retired_at IS NOT NULL")
                .updateExpr(Map.of("retired_at", "CAST(NULL AS TIMESTAMP)"))
                .whenNotMatchedBySource(
                        "t.retired_at IS NULL AND startswith(t.source_uri, '" + prefix.replace("'", "''") + "')")
                .updateExpr(Map.of("retired_at", "TIMESTAMP '" + now + "'"))
                .execute();
        System.out.printf(
                "[ingest] %d image(s) retired (their files left %s; selections skip them, their rows stay), %d back%n",
                gone, prefix, back);
    }

    /** Sets the conflict of a same-bytes decision that kept a row ingested before on that row. */
    private static void markStoredConflicts(SparkSession spark, String images, List<Row> decided) {
        List<Row> conflicts = decided.stream()
                .filter(r -> r.getBoolean(3) && r.getString(2) != null)
                .toList();
        if (conflicts.isEmpty()) {
            return;
        }
        DeltaTable.forPath(spark, images)
                .as("t")
                .merge(
                        spark.createDataFrame(conflicts, SAME_BYTES).as("s"),
                        "t.image_id = s.image_id AND t.source_uri = s.kept_uri")
                .whenMatched("NOT (t.error <=> s.conflict)")
                .updateExpr(Map.of("error", "s.conflict"))
                .execute();
    }

    /**
     * Files with the same bytes (one image id) keep one row, by a documented rule: files with
     * manifest values come before files without; among those the first path in sorted order is
     * kept; if their manifest values differ, the kept row is an error naming every file. The others
     * become {@code duplicate_content} rejects. {@code twins} (or null) are rows ingested before from
     * other files still in the source: candidates like this run's files (with values when they have a
     * label or boxes), so the same file is kept on every run, never the last one read. Returns one
     * decision per repeated id ({@code kept_stored}: the kept file is a row ingested before).
     */
    private static List<Row> sameBytes(Dataset<Row> read, Dataset<Row> twins, List<Reject> rejects) {
        Column[] compared = Stream.of("image_id", "source_uri", "label", "label_name", "boxes", "split")
                .map(c -> col(c))
                .toArray(Column[]::new);
        Dataset<Row> small = read.select(Stream.concat(
                        Stream.of(compared),
                        Stream.of(col("manifest_line"), lit(false).as("stored")))
                .toArray(Column[]::new));
        if (twins != null) {
            // a row ingested before counts as having manifest values when it has a label or boxes
            Column values = when(col("label").isNotNull().or(col("boxes").isNotNull()), lit(0))
                    .cast("int")
                    .as("manifest_line");
            small = small.unionByName(twins.select(Stream.concat(
                            Stream.of(compared), Stream.of(values, lit(true).as("stored")))
                    .toArray(Column[]::new)));
        }
        Dataset<Row> repeated =
                small.groupBy("image_id").count().where(col("count").gt(1)).select("image_id");
        Map<String, List<Row>> groups = new TreeMap<>();
        for (Row r : small.join(repeated, "image_id").collectAsList()) {
            groups.computeIfAbsent(r.getAs("image_id"), k -> new ArrayList<>()).add(r);
        }
        List<Row> decisions = new ArrayList<>();
        for (Map.Entry<String, List<Row>> g : groups.entrySet()) {
            List<Row> rows = new ArrayList<>(g.getValue());
            rows.sort((a, b) -> {
                boolean ma = a.getAs("manifest_line") != null;
                boolean mb = b.getAs("manifest_line") != null;
                return ma != mb ? (ma ? -1 : 1) : a.<String>getAs("source_uri").compareTo(b.getAs("source_uri"));
            });
            Row kept = rows.get(0);
            List<Row> withValues =
                    rows.stream().filter(r -> r.getAs("manifest_line") != null).toList();
            boolean disagree = withValues.stream()
                            .map(r -> List.of(
                                    Objects.toString(r.getAs("label")),
                                    Objects.toString(r.getAs("label_name")),
                                    Objects.toString(r.getAs("boxes")),
                                    Objects.toString(r.getAs("split"))))
                            .distinct()
                            .count()
                    > 1;
            String conflict = null;
            if (disagree) {
                conflict = "the same bytes are " + rows.size() + " files whose manifest rows disagree: "
                        + String.join(
                                ", ",
                                withValues.stream()
                                        .map(r -> r.<String>getAs("source_uri")
                                                + (r.<Boolean>getAs("stored")
                                                        ? " (ingested before)"
                                                        : " (line " + r.getAs("manifest_line") + ")"))
                                        .toList())
                        + " (fix the manifest, then ingest with --retry-errors)";
            }
            for (Row r : rows.subList(1, rows.size())) {
                if (!r.<Boolean>getAs("stored")) {
                    rejects.add(Reject.file(
                            r.getAs("source_uri"),
                            null,
                            "duplicate_content",
                            "same bytes as " + kept.<String>getAs("source_uri") + " (image " + g.getKey() + ")"));
                }
            }
            decisions.add(
                    RowFactory.create(g.getKey(), kept.getAs("source_uri"), conflict, kept.<Boolean>getAs("stored")));
        }
        return decisions;
    }

    /**
     * With {@code --retry-errors}: error rows of a file whose bytes changed since (another image id
     * for the same source URI in this run) are removed, the new bytes' row replacing them.
     */
    private static void dropStaleErrors(SparkSession spark, Dataset<Row> kept, String images) {
        DeltaTable.forPath(spark, images)
                .as("t")
                .merge(
                        kept.select("image_id", "source_uri").as("s"),
                        "t.source_uri = s.source_uri AND t.image_id <> s.image_id AND t.error IS NOT NULL")
                .whenMatched()
                .delete()
                .execute();
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
                    out.add(FileRows.generatedRow(
                            png,
                            "fashion-mnist://" + split + "/" + index,
                            label,
                            FashionMnist.CLASS_NAMES.get(label),
                            List.of(),
                            split,
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
            String name = FashionMnist.CLASS_NAMES.get(s.label());
            return FileRows.generatedRow(
                    png, uri, s.label(), name, List.of(new LabeledBox(b, s.label(), name, null).toRow()), split, now);
        }
    }
}
