package io.xaiscale.jobs.it;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.jobs.HostileCorpus;
import io.xaiscale.jobs.HostileCorpus.Expected;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.session.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The hostile corpus ({@link HostileCorpus}) through {@code xai pipeline} in a JVM of 2 GB heap (what
 * a small executor has): every input accounted for, no job failure, a failed run leaves the tables
 * untouched, the second run adds nothing.
 */
class HostileInputsIT {
    static final Path WORK = ClusterS3IT.IT_WORK.resolve("hostile");
    static final String METHODS = "gradient,grad_cam,occlusion[window=16,stride=16]";

    static Child pipeline(String name, Path corpus, Path warehouse, String... more) throws IOException {
        List<String> jvm = new ArrayList<>(
                List.of(System.getProperty("xai.sparkFlags").trim().split("\\s+")));
        jvm.add("-Xmx2g");
        jvm.add("-Dlog4j2.configurationFile=" + ClusterS3IT.ROOT.resolve("conf/log4j2.properties"));
        List<String> args = new ArrayList<>(List.of(
                "pipeline",
                "--source",
                corpus.toString(),
                "--manifest",
                corpus.resolve("manifest.csv").toString(),
                "--warehouse",
                warehouse.toString(),
                "--model",
                ClusterS3IT.ROOT.resolve("models/fmnist-loc-cnn").toString(),
                "--max-file-bytes",
                Long.toString(HostileCorpus.MAX_FILE_BYTES),
                "--methods",
                METHODS,
                "--metrics",
                "deletion_auc[steps=4],iou",
                "--batch-size",
                "8",
                "--master",
                "local[2]"));
        args.addAll(List.of(more));
        Map<String, String> env = new HashMap<>(Map.of("SPARK_LOCAL_IP", "127.0.0.1", "OMP_NUM_THREADS", "1"));
        return Child.java(
                name,
                WORK.resolve("logs"),
                jvm,
                ClusterS3IT.jobJarClasspath(),
                "io.xaiscale.jobs.Main",
                args,
                env,
                ClusterS3IT.ROOT);
    }

    static long versions(Path warehouse, Table t) throws IOException {
        try (Stream<Path> s = Files.list(warehouse.resolve(t.name()).resolve("_delta_log"))) {
            return s.filter(p -> p.toString().endsWith(".json")).count();
        }
    }

    @Test
    void everyInputIsAccountedForAt2GbAndTheSecondRunAddsNothing() throws Exception {
        if (Files.exists(WORK)) {
            try (Stream<Path> s = Files.walk(WORK)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Path corpus = WORK.resolve("corpus");
        HostileCorpus.write(corpus, ClusterS3IT.ROOT.resolve("data/sample"));
        Path warehouse = WORK.resolve("warehouse");
        String first;
        try (Child c = pipeline("hostile-1", corpus, warehouse)) {
            assertEquals(0, c.awaitExit(Duration.ofMinutes(10)), c.tail());
            first = c.output();
        }
        assertTrue(
                first.contains(Expected.LISTED + " file(s) listed: " + Expected.BROKEN_LINK + " broken_link, "
                        + Expected.DUPLICATE_CONTENT + " duplicate_content, " + Expected.ERROR_ROWS + " error_row, "
                        + Expected.HIDDEN + " hidden, " + Expected.IMAGES + " image, " + Expected.MANIFEST
                        + " manifest, " + Expected.NOT_AN_IMAGE + " not_an_image; "
                        + (Expected.IMAGES + Expected.ERROR_ROWS) + " images row(s) written"),
                first);
        assertTrue(
                first.contains(Expected.MANIFEST_ROWS + " row(s): " + Expected.CONFLICTING_ROWS + " conflicting_row, "
                        + Expected.DUPLICATE_ROWS + " duplicate_row, " + Expected.MATCHED + " matched, "
                        + Expected.NO_FILE + " no_file, " + Expected.NO_PATH + " no_path, " + Expected.OUTSIDE_SOURCE
                        + " outside_source, " + Expected.UNREADABLE_ROWS + " unreadable_row"),
                first);

        // a run that fails (its manifest is gone) leaves every table as it was
        Map<Table, Long> before = new HashMap<>();
        for (Table t : List.of(Tables.IMAGES, Tables.INGEST_REJECTS, Tables.EXPLANATIONS, Tables.METRICS)) {
            before.put(t, versions(warehouse, t));
        }
        try (Child c = pipeline(
                "hostile-failed",
                corpus,
                warehouse,
                "--manifest",
                corpus.resolve("gone.csv").toString())) {
            assertEquals(2, c.awaitExit(Duration.ofMinutes(5)), c.tail());
            assertTrue(c.output().contains("xai pipeline: Manifest not found: "), c.tail());
        }
        for (Map.Entry<Table, Long> e : before.entrySet()) {
            assertEquals(
                    e.getValue(), versions(warehouse, e.getKey()), e.getKey().name());
        }

        try (Child c = pipeline("hostile-2", corpus, warehouse)) {
            assertEquals(0, c.awaitExit(Duration.ofMinutes(10)), c.tail());
            String second = c.output();
            assertTrue(second.contains("; 0 images row(s) written"), second);
            assertTrue(second.contains("(0 new in ingest_rejects)"), second);
            assertTrue(second.contains("[explain]") && second.contains("-> 0 pending"), second);
        }

        SparkSession spark = Sessions.create("hostile-check", "local[1]");
        try {
            Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(warehouse.toString()));
            assertEquals(Expected.IMAGES + Expected.ERROR_ROWS, images.count());
            assertEquals(
                    Expected.ERROR_ROWS, images.where(col("error").isNotNull()).count());
            // the phone photo: its upright size and the orientation it states, its box kept
            Row rotated = images.where(col("source_uri").endsWith("/rotated.jpg"))
                    .select("width", "height", "orientation", "error", "boxes")
                    .first();
            assertEquals(List.of(24, 16, 6), List.of(rotated.getInt(0), rotated.getInt(1), rotated.getInt(2)));
            assertTrue(rotated.isNullAt(3) && !rotated.isNullAt(4), rotated.toString());
            long rejects = spark.read()
                    .format("delta")
                    .load(Tables.INGEST_REJECTS.path(warehouse.toString()))
                    .count();
            assertEquals(
                    Expected.DUPLICATE_CONTENT
                            + Expected.NOT_AN_IMAGE
                            + Expected.HIDDEN
                            + Expected.BROKEN_LINK
                            + Expected.DUPLICATE_ROWS
                            + Expected.NO_FILE
                            + Expected.OUTSIDE_SOURCE
                            + Expected.UNREADABLE_ROWS
                            + Expected.NO_PATH,
                    rejects);
            Dataset<Row> expl = spark.read().format("delta").load(Tables.EXPLANATIONS.path(warehouse.toString()));
            // every image row has a row per method: a map for each usable image (the 5000x4000 one, the
            // 1x1, the 6000x2, the 16-bit, the CMYK), an error naming the image's error for the others
            assertEquals(3L * (Expected.IMAGES + Expected.ERROR_ROWS), expl.count());
            assertEquals(3L * Expected.IMAGES, expl.where(col("error").isNull()).count());
            assertEquals(
                    3L * Expected.ERROR_ROWS,
                    expl.where(col("error").startsWith("image: ")).count());
        } finally {
            spark.stop();
        }
    }
}
