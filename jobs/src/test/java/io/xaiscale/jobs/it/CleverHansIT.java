package io.xaiscale.jobs.it;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.jobs.SampleCommand;
import io.xaiscale.jobs.audit.Gates;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.session.Sessions;
import io.xaiscale.util.MapCodec;
import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The seeded Clever-Hans scenario: canvases where every coat carries a bright square in the corner
 * farthest from it, audited with two shipped models: {@code fmnist-loc-cnn-watermark}, trained on such
 * canvases (it learned the square), and the clean {@code fmnist-loc-cnn} (it never saw one). On the
 * same images the audit flags coat for the first (the share of relevance away from the object, and a
 * SpRAy cluster whose maps sit on the square) and not for the second; its {@code clever_hans} gate
 * ends the run {@code gated} with exit code 3.
 */
class CleverHansIT {
    static final Path WORK = ClusterS3IT.IT_WORK.resolve("clever-hans");
    static final int COAT = 4;
    static final String WATERMARKED = "fmnist-loc-cnn-watermark@1";
    static final String CLEAN = "fmnist-loc-cnn@1";

    @Test
    void theAuditFlagsTheShortcutOfTheModelThatLearnedItAndNotOfTheCleanOne() throws Exception {
        if (Files.exists(WORK)) {
            try (Stream<Path> s = Files.walk(WORK)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Path images = WORK.resolve("images");
        SampleCommand sample = new SampleCommand();
        sample.run(sample.options().parse(new String[] {
            "--out",
            images.toString(),
            "--count",
            "200",
            "--seed",
            "11",
            "--no-corrupt",
            "--watermark-class",
            Integer.toString(COAT)
        }));
        Path warehouse = WORK.resolve("warehouse");
        Path yaml = WORK.resolve("audit.yaml");
        Files.writeString(
                yaml,
                String.join(
                        "\n",
                        "name: clever-hans",
                        "warehouse: " + warehouse,
                        "source: " + images,
                        "manifest: " + images.resolve("manifest.csv"),
                        "split: test",
                        "models: [" + ClusterS3IT.ROOT.resolve("models/fmnist-loc-cnn-watermark") + ", "
                                + ClusterS3IT.ROOT.resolve("models/fmnist-loc-cnn") + "]",
                        "methods: [grad_cam, \"lrp[composite=epsilon_plus]\"]",
                        "metrics: [relevance_mass, \"relevance_mass[margin=0.125]\"]",
                        "spray: {}",
                        "report: " + WORK.resolve("report"),
                        "gates:",
                        "  - {gate: clever_hans, max_effect: 0.3}",
                        "options: {batch-size: 25}",
                        ""));
        List<String> jvm = new ArrayList<>(
                List.of(System.getProperty("xai.sparkFlags").trim().split("\\s+")));
        jvm.add("-Xmx2g");
        jvm.add("-Dlog4j2.configurationFile=" + ClusterS3IT.ROOT.resolve("conf/log4j2.properties"));
        jvm.add(Child.FULL_JIT); // two audits of 200 images: compiled code pays off
        String output;
        try (Child c = Child.java(
                "clever-hans",
                WORK.resolve("logs"),
                jvm,
                ClusterS3IT.jobJarClasspath(),
                "io.xaiscale.jobs.Main",
                List.of("audit", "--file", yaml.toString(), "--master", "local[2]"),
                new HashMap<>(Map.of("SPARK_LOCAL_IP", "127.0.0.1", "OMP_NUM_THREADS", "1")),
                ClusterS3IT.ROOT)) {
            assertEquals(Gates.EXIT_GATED, c.awaitExit(Duration.ofMinutes(10)), c.tail());
            output = c.output();
        }
        assertTrue(output.contains("[audit] gate clever_hans: FAILED"), output);
        // the run's report shows the finding with its evidence drawn
        String index = Files.readString(WORK.resolve("report/index.html"));
        assertTrue(index.contains("clever_hans: coat | "), "the finding's gallery");
        assertTrue(index.contains("<img src=\"img/fmnist-loc-cnn-watermark_1/"), "its evidence drawn");
        String classes = Files.readString(WORK.resolve("report/classes.html"));
        assertTrue(classes.contains("Clever-Hans findings") && classes.contains("fmnist-loc-cnn-watermark@1: coat | "));
        assertEquals(4, classes.split("class=\"plot\"", -1).length - 1, "outside_share.sql: 2 models x 2 margins");

        SparkSession spark = Sessions.create("clever-hans-check", "local[1]");
        try {
            Dataset<Row> findings = spark.read().format("delta").load(Tables.AUDIT_FINDINGS.path(warehouse.toString()));
            // the watermarked model: coat, by both methods, with the relevance away from the object
            for (String method : List.of("grad_cam", "lrp")) {
                Row f = findings.where(col("model")
                                .equalTo(WATERMARKED)
                                .and(col("kind").equalTo("clever_hans"))
                                .and(col("class").equalTo(COAT))
                                .and(col("method_spec").startsWith(method))
                                .and(col("subject").endsWith("margin 0.125")))
                        .first();
                assertTrue(f.<Double>getAs("effect_size") > 0.3 && f.<Double>getAs("ci_low") > 0.2, f.toString());
                assertTrue(f.<String>getAs("subject").startsWith("coat | "), f.toString());
            }
            // the clean model on the same images: coat is not a finding, nor any class away from its object
            List<Row> clean = findings.where(
                            col("model").equalTo(CLEAN).and(col("kind").equalTo("clever_hans")))
                    .collectAsList();
            assertTrue(clean.stream().noneMatch(r -> r.<Integer>getAs("class") == COAT), clean.toString());
            assertTrue(
                    clean.stream().noneMatch(r -> r.<String>getAs("subject").endsWith("margin 0.125")),
                    clean.toString());

            // SpRAy, without ground truth: a cluster of the watermarked model's coat maps sits on the square
            Dataset<Row> expl = spark.read().format("delta").load(Tables.EXPLANATIONS.path(warehouse.toString()));
            Dataset<Row> uris = spark.read()
                    .format("delta")
                    .load(Tables.IMAGES.path(warehouse.toString()))
                    .select("image_id", "source_uri");
            double watermarked = bestClusterOnTheSquare(findings, expl, uris, WATERMARKED);
            double plain = bestClusterOnTheSquare(findings, expl, uris, CLEAN);
            System.out.printf(
                    "[clever-hans] best SpRAy cluster on the square: watermarked %.2f, clean %.2f%n",
                    watermarked, plain);
            assertTrue(watermarked > 0.5, "share of the best SpRAy cluster's relevance on the square: " + watermarked);
            assertTrue(plain < 0.2, "the clean model's coat clusters: " + plain);
        } finally {
            spark.stop();
        }
    }

    /**
     * Over the model's SpRAy clusters of coat (LRP maps), the largest mean share of its evidence maps'
     * positive relevance within 2 pixels of the watermark square; 0 without a cluster.
     */
    static double bestClusterOnTheSquare(Dataset<Row> findings, Dataset<Row> expl, Dataset<Row> uris, String model)
            throws Exception {
        List<Row> clusters = findings.where(col("model")
                        .equalTo(model)
                        .and(col("kind").equalTo("spray_cluster"))
                        .and(col("class").equalTo(COAT))
                        .and(col("method_spec").startsWith("lrp")))
                .collectAsList();
        double best = 0;
        for (Row c : clusters) {
            List<String> ids = c.getList(c.fieldIndex("evidence"));
            assertFalse(ids.isEmpty());
            double sum = 0;
            for (Row m : expl.where(col("model_id")
                            .equalTo(model.substring(0, model.indexOf('@')))
                            .and(col("method").equalTo("lrp"))
                            .and(col("image_id").isin(ids.toArray())))
                    .join(uris, "image_id")
                    .select("map", "map_width", "source_uri")
                    .collectAsList()) {
                sum += shareOnSquare(
                        MapCodec.decode(m.getAs(0)), m.getInt(1), square(ImageIO.read(new URL(m.getString(2)))));
            }
            best = Math.max(best, sum / ids.size());
        }
        return best;
    }

    /** The top-left corner of the canvas's watermark square (a block of 255), null when it has none. */
    static int[] square(BufferedImage img) {
        int side = img.getWidth();
        int w = LocalizationBenchmark.WATERMARK;
        for (int y : new int[] {1, side - w - 1}) {
            for (int x : new int[] {1, side - w - 1}) {
                boolean all = true;
                for (int dy = 0; dy < w && all; dy++) {
                    for (int dx = 0; dx < w && all; dx++) {
                        all = (img.getRaster().getSample(x + dx, y + dy, 0)) == 255;
                    }
                }
                if (all) {
                    return new int[] {x, y};
                }
            }
        }
        return null; // an image of another class, predicted coat
    }

    static double shareOnSquare(float[] map, int width, int[] at) {
        if (at == null) {
            return 0;
        }
        double on = 0;
        double total = 0;
        int w = LocalizationBenchmark.WATERMARK;
        for (int i = 0; i < map.length; i++) {
            double v = Math.max(0, map[i]);
            int x = i % width;
            int y = i / width;
            total += v;
            if (x >= at[0] - 2 && x < at[0] + w + 2 && y >= at[1] - 2 && y < at[1] + w + 2) {
                on += v;
            }
        }
        return total == 0 ? 0 : on / total;
    }
}
