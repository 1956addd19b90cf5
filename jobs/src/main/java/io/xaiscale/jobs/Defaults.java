package io.xaiscale.jobs;

import io.xaiscale.config.Options;
import io.xaiscale.config.Spec;
import io.xaiscale.image.ImageCodec;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.ingest.Layout;
import io.xaiscale.jobs.ingest.TableSource;
import io.xaiscale.jobs.stage.Selection;
import io.xaiscale.model.ModelCard;
import java.util.ArrayList;
import java.util.List;

/** Options shared by the Spark commands, with the embedded defaults of the demo. */
final class Defaults {
    static final String WAREHOUSE = "warehouse";

    static final String MODEL = "models/fmnist-loc-cnn";
    static final String MASTER = "local[2]";

    static final String RETRY_ERRORS =
            "compute rows that have an error again and replace them (a file fixed, a manifest corrected)";

    private Defaults() {}

    static Options spark(Options o) {
        return o.path("warehouse", WAREHOUSE, "root of the Delta tables (local directory or s3a:// prefix)")
                .add("master", MASTER, "Spark master when not run by spark-submit");
    }

    /**
     * Every Spark command's options, with the catalog's last ({@link Main} adds them to a command that
     * has a warehouse, so that any job can register its tables after its run).
     */
    static Options withCatalog(Options o) {
        return o.declares("warehouse") && !o.declares("database") ? catalog(o, "") : o;
    }

    /** The Hive catalog the tables are registered in ({@code xai register}, or after any run with {@code --database}). */
    static Options catalog(Options o, String database) {
        return o.add(
                        "database",
                        database,
                        database.isEmpty()
                                ? "after the run, register the tables in this database of the catalog (xai register)"
                                : "database of the catalog to create or update")
                .path(
                        "metastore",
                        METASTORE,
                        "directory of the embedded Derby metastore, unless the Spark conf names one"
                                + " (spark.hadoop.hive.metastore.uris or spark.hadoop.javax.jdo.option.ConnectionURL)");
    }

    /** Spark's own default place for an embedded metastore ({@code spark-shell} creates it in the working directory). */
    static final String METASTORE = "metastore_db";

    /** How files are ingested (ingest, pipeline, demo): the manifest, the limits, retrying error rows. */
    static Options files(Options o) {
        return o.path(
                        "manifest",
                        "",
                        "CSV (header) or JSON Lines file: path,label,label_name,x0,y0,x1,y1,split (+ boxes in JSON Lines);"
                                + " with --layout coco, the COCO instances JSON")
                .add(
                        "layout",
                        "files",
                        "where labels and boxes come from: files (the manifest, if any), imagefolder (root/<class>/...),"
                                + " voc (Annotations/*.xml + JPEGImages/), coco (--manifest instances.json), parquet (a"
                                + " Parquet or Delta table of images: --image-column, --key-column, --label-column),"
                                + " webdataset (tar shards: key.jpg + key.cls / key.json)")
                .add(
                        "image-column",
                        TableSource.Columns.DEFAULT.image(),
                        "--layout parquet: the column of image bytes (binary, or a struct with a bytes field as"
                                + " Hugging Face datasets write)")
                .add(
                        "key-column",
                        TableSource.Columns.DEFAULT.key(),
                        "--layout parquet: a column that names each row (its source_uri is <source>#<key>; blank:"
                                + " the SHA-256 of its bytes)")
                .add(
                        "label-column",
                        TableSource.Columns.DEFAULT.label(),
                        "--layout parquet: the label column, a class index or a class name (used when present)")
                .add(
                        "split-column",
                        TableSource.Columns.DEFAULT.split(),
                        "--layout parquet: the split column (used when present)")
                .add("split", "unspecified", "split recorded for files the manifest does not assign")
                .add(
                        "max-pixels",
                        Long.toString(ImageCodec.DEFAULT_MAX_PIXELS),
                        "an image whose header claims more pixels is an error row, never decoded")
                .add(
                        "max-file-bytes",
                        Long.toString(IngestJob.Files.DEFAULT_MAX_FILE_BYTES),
                        "a larger file is an error row (hashed as a stream, never held in memory)")
                .bool("retry-errors", false, RETRY_ERRORS);
    }

    /** The file ingest the options of {@link #files} describe; {@code classes} checks labels (null: no model). */
    static IngestJob.Files files(Options o, List<String> classes) {
        return new IngestJob.Files(
                o.get("source"),
                o.get("manifest"),
                o.get("split"),
                classes,
                o.getLong("max-pixels", 1, Long.MAX_VALUE),
                o.getLong("max-file-bytes", 1, Integer.MAX_VALUE - 64),
                0,
                o.getFlag("retry-errors"),
                Layout.parse(o.get("layout")),
                new TableSource.Columns(
                        o.get("image-column"), o.get("key-column"), o.get("label-column"), o.get("split-column")));
    }

    /** Which images the explain stage works on (explain, pipeline, demo, audit): all by default. */
    static Options selection(Options o) {
        return o.add("splits", "", "explain only images of these splits, comma-separated (empty: all)")
                .add("classes", "", "explain only images of these labels, by index or class name (empty: all)")
                .add("sample-per-class", "0", "explain at most this many images per label, a seeded sample (0: all)")
                .add("sample-seed", "0", "seed of that sample: the same seed keeps the same images")
                .add("ingested-since", "", "explain only images ingested since this date or time (2026-11-01T06:00)");
    }

    /** The selection {@link #selection} describes; class names are the card's {@code classes}. */
    static Selection selection(Options o, List<String> classNames) {
        List<String> splits = Spec.items(o.get("splits"));
        List<Integer> classes = new ArrayList<>();
        for (String c : Spec.items(o.get("classes"))) {
            int k;
            try {
                k = Integer.parseInt(c);
            } catch (NumberFormatException e) {
                k = ModelCard.classIndex(classNames, c);
            }
            if (k < 0 || k >= classNames.size()) {
                throw new IllegalArgumentException("Invalid --classes: " + c + " (valid: 0.." + (classNames.size() - 1)
                        + " or a class name: " + String.join(", ", classNames) + ")");
            }
            classes.add(k);
        }
        return new Selection(
                splits,
                classes,
                o.getInt("sample-per-class", 0, Integer.MAX_VALUE),
                o.getLong("sample-seed"),
                Selection.parseSince(o.get("ingested-since"), "ingested-since"));
    }

    static Options model(Options o) {
        return o.path("model", MODEL, "model directory (model.json + weights), local or s3a://")
                .add("batch-size", "16", "images per batch on an executor")
                .add(
                        "internal-batch-size",
                        "64",
                        "max samples per model pass inside a method (IG steps, occlusion windows, ...)")
                .add("partitions", "0", "partitions of each commit's work (0: up to 4 per core, at most one per batch)")
                .add("commit-every", "20000", "rows computed per Delta commit: a crash loses at most one commit's work")
                .bool("retry-errors", false, RETRY_ERRORS);
    }
}
