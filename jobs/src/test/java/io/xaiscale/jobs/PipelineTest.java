package io.xaiscale.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xaiscale.jobs.audit.AuditConfig;
import io.xaiscale.jobs.audit.Gates;
import io.xaiscale.jobs.delta.DeltaIO;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.ingest.IngestReport;
import io.xaiscale.jobs.spark.Maps;
import io.xaiscale.jobs.spark.Sessions;
import io.xaiscale.jobs.spark.SqlRunner;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.model.ModelCache;
import io.xaiscale.util.MapCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** ingest -> explain -> evaluate on Spark local[2] with Delta in a temp directory, then a rerun. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineTest {
    static final Path ROOT = repoRoot();
    static final String METHODS = "gradient,gradient_x_input,integrated_gradients[steps=4],smoothgrad[samples=2],"
            + "grad_cam,occlusion[window=16,stride=16]";
    static final String METRICS = "deletion_auc[steps=4],insertion_auc[steps=4],iou,pointing_game";

    @TempDir
    static Path tmp;

    static SparkSession spark;
    static String warehouse;
    static Path source;

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("models/fmnist-loc-cnn/model.json"))) {
            p = p.getParent();
        }
        return p;
    }

    @BeforeAll
    static void start() throws Exception {
        spark = Sessions.create("pipeline-test", "local[2]");
        warehouse = tmp.resolve("warehouse").toString();
        // a small copy of the shipped sample: 5 images, the truncated file and a manifest for them
        source = Files.createDirectories(tmp.resolve("images"));
        List<String> manifest = Files.readAllLines(ROOT.resolve("data/sample/manifest.csv"));
        StringBuilder m = new StringBuilder(manifest.get(0)).append('\n');
        for (String line : manifest.subList(1, manifest.size())) {
            String file = line.split(",")[0];
            if (file.compareTo("fmnist-loc-test-00005.png") < 0 || file.equals("truncated.png")) {
                Files.copy(ROOT.resolve("data/sample").resolve(file), source.resolve(file));
                m.append(line).append('\n');
            }
        }
        Files.writeString(source.resolve("manifest.csv"), m.toString());
        Files.writeString(source.resolve("notes.txt"), "not an image: ignored by extension");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static long count(Table table) {
        return spark.read().format("delta").load(table.path(warehouse)).count();
    }

    static ExplainStage explainStage(String... extra) throws Exception {
        String[] args =
                Stream.concat(Stream.of("--methods", METHODS), Stream.of(extra)).toArray(String[]::new);
        return ExplainCommand.stage(options(new ExplainCommand(), args));
    }

    /** Evaluate with {@code metrics}, then method agreement (as the command runs them); the evaluate stage's result. */
    static StageRunner.Result evaluate(String metrics) throws Exception {
        return Plan.run(spark, EvaluateCommand.stages(options(new EvaluateCommand(), "--metrics", metrics)))
                .get(0);
    }

    static io.xaiscale.config.Options options(Command c, String... extra) {
        String[] base = {
            "--warehouse",
            warehouse,
            "--model",
            ROOT.resolve("models/fmnist-loc-cnn").toString(),
            "--batch-size",
            "4"
        };
        return c.options()
                .parse(Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
    }

    @Test
    @Order(1)
    void firstRunWritesEveryTable() throws Exception {
        IngestReport ingest = IngestJob.ingestFiles(
                spark,
                warehouse,
                source.toString(),
                source.resolve("manifest.csv").toString(),
                "sample");
        assertEquals(6, ingest.written());
        // every file is accounted for: 5 images, the truncated one as an error row, the manifest, the notes
        assertEquals(8, ingest.listed());
        assertEquals(5, ingest.files("image"));
        assertEquals(1, ingest.files("error_row"));
        assertEquals(1, ingest.files("not_an_image"));
        assertEquals(6, ingest.manifestRows("matched"));
        long bench =
                IngestJob.ingestBenchmark(spark, warehouse, "/usr/share/datasets/fashion-mnist", "test", 3, 64, 5, 2);
        assertEquals(3, bench);
        // two plain 28x28 items: no box, resized to the model's 64x64 input when explained
        assertEquals(
                2,
                IngestJob.ingestRawFashionMnist(spark, warehouse, "/usr/share/datasets/fashion-mnist", "test", 2, 1));
        Row raw = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(warehouse))
                .where(col("source_uri").equalTo("fashion-mnist://test/1"))
                .first();
        assertEquals(28, raw.<Integer>getAs("width"));
        assertEquals(2, raw.<Integer>getAs("label")); // the second test item is a pullover
        assertNull(raw.getAs("bbox"));

        Row bad = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(warehouse))
                .where(col("source_uri").endsWith("truncated.png"))
                .first();
        assertTrue(bad.<String>getAs("error").startsWith("undecodable png image"), bad.<String>getAs("error"));
        Row good = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(warehouse))
                .where(col("source_uri").endsWith("fmnist-loc-test-00001.png"))
                .first();
        assertNull(good.getAs("error"));
        assertEquals(64, good.<Integer>getAs("width"));
        assertTrue(good.getAs("bbox") != null && good.getAs("label") != null);

        int loadsBefore = ModelCache.loads();
        StageRunner.Result e = StageRunner.run(spark, explainStage());
        assertEquals(11 * 6, e.pending());
        assertEquals(11 * 6, count(Tables.EXPLANATIONS));
        assertTrue(ModelCache.loads() - loadsBefore <= 1, "model loaded once per JVM, not per task");
        Dataset<Row> expl = spark.read().format("delta").load(Tables.EXPLANATIONS.path(warehouse));
        assertEquals(
                6, expl.where(col("error").isNotNull()).count(), "the truncated image gets one error row per method");
        Row map = expl.where(col("error").isNull()).first();
        assertEquals(64 * 64, MapCodec.decode(map.getAs("map")).length);
        assertTrue(map.<String>getAs("params").contains("\"target\":\"predicted\""));
        // every row is traceable to the exact model: the card's hash and the weights' hash
        io.xaiscale.model.ModelCard shipped = io.xaiscale.model.ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"));
        assertEquals(shipped.sha256(), map.getAs("card_sha256"));
        assertEquals(shipped.weightsSha256(), map.getAs("weights_sha256"));

        StageRunner.Result v = evaluate(METRICS);
        assertEquals(10 * 6 * 4, v.pending());
        Dataset<Row> metrics = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
        assertEquals(10 * 6 * 4, metrics.count());
        // localisation metrics do not apply to the two plain items without a box: null value and a reason
        assertEquals(2 * 6 * 2, metrics.where(col("value").isNull()).count());
        assertEquals(
                2 * 6 * 2,
                metrics.where(col("error").equalTo("not applicable: no ground-truth box"))
                        .count());
        Row r = metrics.where(col("metric").equalTo("iou").and(col("value").isNotNull()))
                .first();
        // a localisation row says which ground truth: the image's one box, of the explained class when it is the
        // label's
        assertTrue(r.<String>getAs("ground_truth").matches("boxes of (class \\d|the image) \\(1\\)"), r.toString());
        assertTrue(r.<String>getAs("metric_params").contains("\"threshold\":\"top_fraction\""));
    }

    @Test
    @Order(2)
    void aSecondRunLeavesEveryRowCountUnchanged() throws Exception {
        long images = count(Tables.IMAGES);
        long expl = count(Tables.EXPLANATIONS);
        long metrics = count(Tables.METRICS);
        IngestReport again = IngestJob.ingestFiles(
                spark,
                warehouse,
                source.toString(),
                source.resolve("manifest.csv").toString(),
                "sample");
        assertEquals(0, again.written());
        assertEquals(6, again.files("unchanged"), "no file read again: same path, size, time and manifest values");
        assertEquals(0, again.files("image") + again.files("error_row"));
        assertEquals(
                0,
                IngestJob.ingestBenchmark(spark, warehouse, "/usr/share/datasets/fashion-mnist", "test", 3, 64, 5, 2));
        assertEquals(
                0,
                IngestJob.ingestRawFashionMnist(spark, warehouse, "/usr/share/datasets/fashion-mnist", "test", 2, 1));
        assertEquals(0, StageRunner.run(spark, explainStage()).pending());
        assertEquals(0, evaluate(METRICS).pending());
        assertEquals(images, count(Tables.IMAGES));
        assertEquals(expl, count(Tables.EXPLANATIONS));
        assertEquals(metrics, count(Tables.METRICS));
    }

    @Test
    @Order(3)
    void aRerunAfterLosingRowsComputesOnlyWhatIsMissing() throws Exception {
        long expl = count(Tables.EXPLANATIONS);
        // simulate a crash that lost one method's rows
        spark.sql("DELETE FROM delta.`" + Tables.EXPLANATIONS.path(warehouse) + "` WHERE method = 'grad_cam'");
        assertEquals(expl - 11, count(Tables.EXPLANATIONS));
        // committed in chunks of about 4 rows: a crash would lose at most one chunk
        StageRunner.Result e = StageRunner.run(spark, explainStage("--commit-every", "4"));
        assertEquals(11, e.pending());
        assertEquals(11, e.inserted());
        assertEquals(expl, count(Tables.EXPLANATIONS));
    }

    @Test
    @Order(4)
    void robustnessSanityComplexityAndMethodAgreementStages() throws Exception {
        // the first evaluate already wrote method agreement: 10 explained images x C(6, 2) method pairs
        Dataset<Row> agree = spark.read().format("delta").load(Tables.METHOD_AGREEMENT.path(warehouse));
        assertEquals(10 * 15, agree.count());
        assertEquals(2 * 15, agree.where(col("auc_a").isNull()).count(), "no AUC without a box");
        assertEquals(
                0,
                agree.where(col("spearman").gt(1.0000001).or(col("spearman").lt(-1.0000001)))
                        .count());
        long before = count(Tables.METRICS);
        String metrics = "robustness[perturbation=noise,level=0.05],model_randomization[depth=2],sparseness";
        StageRunner.Result v = evaluate(metrics);
        assertEquals(10 * 6 * 3, v.pending(), "one pending value per explanation and metric spec");
        // robustness writes 4 outputs, model randomisation 2, sparseness 1: one row each
        assertEquals(before + 10 * 6 * (4 + 2 + 1), count(Tables.METRICS));
        Dataset<Row> m = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
        assertEquals(60, m.where(col("metric").equalTo("robustness_flipped")).count());
        assertEquals(
                0,
                m.where(col("metric").startsWith("robustness_").and(col("error").isNotNull()))
                        .count());
        assertFalse(m.where(col("metric").equalTo("model_randomization_spearman"))
                .first()
                .<Boolean>getAs("higher_is_better"));
        assertEquals(0, evaluate(metrics).pending());
        assertEquals(10 * 15, agree.count(), "agreement is not recomputed");
        // agreement rows lost for two images come back, and only theirs
        List<String> two = agree.select("image_id")
                .distinct()
                .orderBy("image_id")
                .limit(2)
                .as(Encoders.STRING())
                .collectAsList();
        io.delta.tables.DeltaTable.forPath(spark, Tables.METHOD_AGREEMENT.path(warehouse))
                .delete(col("image_id").isin(two.toArray()));
        assertEquals(8 * 15, agree.count());
        assertEquals(
                2 * 15,
                StageRunner.run(spark, AgreementCommand.stage(options(new AgreementCommand())))
                        .inserted());
        assertEquals(10 * 15, agree.count());
        assertEquals(2 * 15, agree.where(col("image_id").isin(two.toArray())).count());
        assertEquals(
                0,
                StageRunner.run(spark, AgreementCommand.stage(options(new AgreementCommand())))
                        .pending());
    }

    @Test
    @Order(5)
    void otherWeightsUnderTheSameIdAndVersionAreRefusedBeforeAnyStageRuns() throws Exception {
        // the shipped model with one weight changed (the lowest bit of a byte in the middle of the float data), card
        // updated
        Path dir = Files.createDirectories(tmp.resolve("retrained"));
        Path src = ROOT.resolve("models/fmnist-loc-cnn");
        byte[] weights = Files.readAllBytes(src.resolve("fmnist-loc-cnn-0000.params"));
        weights[weights.length / 2] ^= 0x01;
        Files.write(dir.resolve("fmnist-loc-cnn-0000.params"), weights);
        String card = Files.readString(src.resolve("model.json"));
        io.xaiscale.model.ModelCard shipped = io.xaiscale.model.ModelCard.read(src);
        Files.writeString(
                dir.resolve("model.json"),
                card.replace(shipped.weightsSha256(), io.xaiscale.util.Hashing.sha256Hex(weights)));
        long before = count(Tables.EXPLANATIONS);
        io.xaiscale.config.Options o = new ExplainCommand()
                .options()
                .parse(new String[] {"--warehouse", warehouse, "--model", dir.toString(), "--methods", "gradient"});
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Plan.run(spark, List.of(ExplainCommand.stage(o))));
        assertTrue(
                e.getMessage()
                        .startsWith("Model fmnist-loc-cnn@1 in " + warehouse + " was explained with weights"
                                + " sha256 " + shipped.weightsSha256()),
                e.getMessage());
        assertTrue(e.getMessage().contains("Give these weights a new 'version'"), e.getMessage());
        assertEquals(before, count(Tables.EXPLANATIONS));
    }

    @Test
    @Order(6)
    void everySqlFileOfTheRepositoryRuns() throws Exception {
        SqlRunner.registerViews(spark, warehouse);
        List<Path> files;
        try (Stream<Path> s = Files.list(ROOT.resolve("notebooks-sql"))) {
            files = s.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            List<Row> rows = SqlRunner.run(spark, f).collectAsList();
            // misclassified.sql needs maps of the label (--target predicted,label): checked in order 24;
            // drift.sql two versions of a model: order 26; findings.sql an audit: order 30 (the report's findings);
            // outside_share.sql relevance_mass, which CleverHansIT computes (its report's classes page);
            // over_training.sql unit visualisations: order 32; dissection.sql: order 33; uncertainty.sql: 34
            boolean later = f.endsWith("misclassified.sql")
                    || f.endsWith("uncertainty.sql")
                    || f.endsWith("over_training.sql")
                    || f.endsWith("dissection.sql")
                    || f.endsWith("drift.sql")
                    || f.endsWith("findings.sql")
                    || f.endsWith("outside_share.sql");
            assertEquals(later, rows.isEmpty(), f + " returned no rows");
        }
        // user SQL cannot call JVM methods (system properties hold credentials)
        for (String f : List.of("java_method", "reflect")) {
            Exception refused = assertThrows(
                    Exception.class,
                    () -> spark.sql("SELECT " + f + "('java.lang.System', 'getProperty', 'user.home')")
                            .collectAsList());
            assertTrue(refused.getMessage().contains(f), refused.getMessage());
        }
        // the leaderboard has one row per (metric, method) with rank 1 for some method of every metric
        List<Row> board = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/leaderboard.sql"))
                .collectAsList();
        assertEquals(11 * 6, board.size(), "4 + 7 metric outputs x 6 methods");
        // robust ranking: per family, the methods by median rank; every family of the run has a first
        List<Row> families = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/robust_ranking.sql"))
                .collectAsList();
        assertEquals(
                java.util.Set.of("faithfulness", "localisation", "robustness", "sanity", "complexity"),
                families.stream().map(r -> r.<String>getAs("family")).collect(java.util.stream.Collectors.toSet()));
        assertEquals(
                5,
                families.stream()
                        .filter(r -> r.<Integer>getAs("family_rank") == 1)
                        .map(r -> r.<String>getAs("family"))
                        .distinct()
                        .count());
        // consistency and sufficiency of the dataset, from the maps' signatures
        for (Row r : SqlRunner.run(spark, ROOT.resolve("notebooks-sql/consistency.sql"))
                .collectAsList()) {
            Double consistency = r.getAs("consistency");
            assertTrue(consistency == null || (consistency >= 0 && consistency <= 1), r.toString());
        }
        List<Row> agreement = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/metric_agreement.sql"))
                .collectAsList();
        assertEquals(11 * 10 / 2, agreement.size(), "every pair of the 11 metric outputs");
        assertTrue(agreement.stream()
                .filter(r -> r.get(r.fieldIndex("rank_correlation")) != null)
                .allMatch(r -> Math.abs(r.<Double>getAs("rank_correlation")) <= 1.0 + 1e-9));
        assertEquals(
                11,
                board.stream()
                        .filter(r -> r.<Integer>getAs("rank") == 1)
                        .map(r -> r.<String>getAs("metric"))
                        .distinct()
                        .count());
    }

    @Test
    @Order(7)
    void exportWritesNumpyArraysAndOverlaysForTheSelection() throws Exception {
        Path out = tmp.resolve("export");
        io.xaiscale.model.ModelCard card = io.xaiscale.model.ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"));
        ExportCommand.Result r = ExportCommand.export(
                spark,
                warehouse,
                card,
                out,
                "gradient,integrated_gradients[baseline=zero,steps=4]",
                "",
                "target_class >= 0",
                3,
                2,
                io.xaiscale.render.Overlay.Colors.MAGNITUDE,
                io.xaiscale.render.Overlay.View.INPUT);
        assertEquals(3, r.images());
        assertEquals(2, r.methods());
        List<String> entries = new java.util.ArrayList<>();
        byte[] gradient = null;
        try (java.util.zip.ZipFile zip =
                new java.util.zip.ZipFile(out.resolve("maps.npz").toFile())) {
            for (var e : java.util.Collections.list(zip.entries())) {
                entries.add(e.getName());
                if (e.getName().startsWith("gradient_")) {
                    gradient = zip.getInputStream(e).readAllBytes();
                }
            }
            String ids = new String(
                    zip.getInputStream(zip.getEntry("image_ids.npy")).readAllBytes(),
                    java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(ids.contains("'descr': '|S64'") && ids.contains("'shape': (3,)"), ids.substring(0, 80));
        }
        assertEquals(3, entries.size(), entries.toString());
        String header = new String(gradient, 10, 118, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (3, 64, 64)"), header);
        // the first image's gradient map, as stored in Delta, is the array's first slice
        Row first = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(col("method").equalTo("gradient").and(col("error").isNull()))
                .orderBy("image_id")
                .first();
        float[] stored = MapCodec.decode(first.getAs("map"));
        java.nio.ByteBuffer b =
                java.nio.ByteBuffer.wrap(gradient, 128, 4 * 64 * 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < stored.length; i++) {
            assertEquals(stored[i], b.getFloat(), 0f);
        }
        assertTrue(Files.readString(out.resolve("index.json")).contains("raw signed map"));
        assertEquals(
                3,
                Files.list(out.resolve("overlays"))
                        .filter(p -> p.toString().endsWith(".png"))
                        .count());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ExportCommand.export(
                        spark,
                        warehouse,
                        card,
                        out,
                        "lime",
                        "",
                        "",
                        3,
                        0,
                        io.xaiscale.render.Overlay.Colors.MAGNITUDE,
                        io.xaiscale.render.Overlay.View.INPUT));
        assertEquals(
                "No explanations of fmnist-loc-cnn@1 match the selection (methods 'lime', images '', where '')",
                e.getMessage());
    }

    @Test
    @Order(8)
    void wrongOptionsFailAtStartNamingTheValueAndTheChoices() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(options(new ExplainCommand(), "--methods", "gradient,shap")));
        assertEquals(
                "Unknown explanation method: shap (valid: " + String.join(", ", io.xaiscale.explain.Explainers.names())
                        + ")",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(options(new ExplainCommand(), "--target", "true_class")));
        assertEquals("Invalid target: true_class (valid: predicted, label, labels, top_k[k=3])", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(options(new ExplainCommand(), "--target", "predicted,top_k[k=11]")));
        assertEquals(
                "Invalid target: top_k[k=11] (model fmnist-loc-cnn@1 has 10 classes: k must be at most that)",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ExplainCommand.stage(options(new ExplainCommand(), "--methods", "grad_cam[layer=conv9]")));
        assertEquals(
                "Unknown layer for grad_cam: conv9 (valid for fmnist-loc-cnn@1: conv1, bn1, relu1, pool1, conv2, bn2, relu2, "
                        + "pool2, conv3, bn3, relu3)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> options(new ExplainCommand(), "--batchsize", "3"));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "Unknown option --batchsize for explain (valid: --warehouse, --master, --model, --batch-size"),
                e.getMessage());
        Exception missing = assertThrows(
                Exception.class,
                () -> ExplainCommand.stage(new ExplainCommand()
                        .options()
                        .parse(new String[] {"--model", tmp.resolve("nope").toString()})));
        assertTrue(
                missing.getMessage()
                        .startsWith(
                                "Model card not found: " + tmp.resolve("nope").resolve("model.json")),
                missing.getMessage());
    }

    @Test
    @Order(20)
    void aPoisonedExplanationErrsOnlyItsOwnRowAndRetryErrorsRecomputesItOnceMended() throws Exception {
        String expl = Tables.EXPLANATIONS.path(warehouse);
        String metrics = Tables.METRICS.path(warehouse);
        Dataset<Row> gradient = spark.read().format("delta").load(expl).where("method = 'gradient' AND error IS NULL");
        List<Row> three = gradient.orderBy("image_id").limit(3).collectAsList();
        String cut = three.get(0).getAs("image_id");
        String wrong = three.get(1).getAs("image_id");
        String nan = three.get(2).getAs("image_id");
        // one map cut short, one target outside the model's classes: both in the same batch as 7 good ones
        spark.sql("UPDATE delta.`" + expl + "` SET map = X'00000000' WHERE method = 'gradient' AND image_id = '" + cut
                + "'");
        spark.sql("UPDATE delta.`" + expl + "` SET target_class = 99 WHERE method = 'gradient' AND image_id = '" + wrong
                + "'");
        // and one of the right size whose every value is NaN (float32 0x7fc00000)
        spark.sql("UPDATE delta.`" + expl + "` SET map = unhex(repeat('0000C07F', 4096)) WHERE method = 'gradient'"
                + " AND image_id = '" + nan + "'");
        spark.sql("DELETE FROM delta.`" + metrics + "` WHERE method = 'gradient' AND metric = 'deletion_auc'");
        String spec = "deletion_auc[steps=4]";
        Plan.run(
                spark,
                EvaluateCommand.stages(options(
                        new EvaluateCommand(), "--metrics", spec, "--agreement", "false", "--batch-size", "16")));
        Dataset<Row> scored =
                spark.read().format("delta").load(metrics).where("method = 'gradient' AND metric = 'deletion_auc'");
        assertEquals(10, scored.count());
        assertEquals(7, scored.where(col("value").isNotNull()).count(), "the batch's other rows are scored");
        assertEquals(
                "unusable explanation: map with 4096 non-finite value(s) (NaN or infinity)",
                scored.where(col("image_id").equalTo(nan)).first().getAs("error"));
        assertEquals(
                "unusable explanation: map of 1 values, the model's input has 64x64",
                scored.where(col("image_id").equalTo(cut)).first().getAs("error"));
        assertEquals(
                "unusable explanation: target class 99 is not a class of model fmnist-loc-cnn@1",
                scored.where(col("image_id").equalTo(wrong)).first().getAs("error"));

        // mended (the explanations computed again), the two error rows are replaced, nothing else moves
        spark.sql("DELETE FROM delta.`" + expl + "` WHERE method = 'gradient' AND image_id IN ('" + cut + "', '" + wrong
                + "', '" + nan + "')");
        StageRunner.Result e = StageRunner.run(spark, explainStage());
        assertEquals(3, e.inserted());
        long before = spark.read().format("delta").load(metrics).count();
        List<StageRunner.Result> r = Plan.run(
                spark,
                EvaluateCommand.stages(options(
                        new EvaluateCommand(), "--metrics", spec, "--agreement", "false", "--retry-errors", "true")));
        assertEquals(3, r.get(0).pending(), "only the rows with an error are computed again");
        assertEquals(3, r.get(0).inserted(), "and replaced");
        assertEquals(before, spark.read().format("delta").load(metrics).count());
        assertEquals(10, scored.where(col("value").isNotNull()).count());
    }

    @Test
    @Order(21)
    void boxesFollowTheCardsGeometryAndABoxCroppedAwayIsNotApplicable() throws Exception {
        // the shipped model read with torchvision's recipe: shorter side to 64, centre crop 64x64
        Path model = Files.createDirectories(tmp.resolve("center-crop-model"));
        Path src = ROOT.resolve("models/fmnist-loc-cnn");
        Files.copy(src.resolve("fmnist-loc-cnn-0000.params"), model.resolve("fmnist-loc-cnn-0000.params"));
        Files.writeString(
                model.resolve("model.json"),
                Files.readString(src.resolve("model.json"))
                        .replace(
                                "\"resize\" : \"bilinear\",",
                                "\"geometry\" : \"resize_center_crop\", \"resize_to\" : 64,"));
        // two 128x64 photos: the centre crop keeps columns 32..95, so a box at the left edge is cut away
        Path photos = Files.createDirectories(tmp.resolve("wide"));
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(128, 64, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(60, 30, 0, 200);
        Files.write(photos.resolve("centre.png"), io.xaiscale.image.ImageCodec.png(img));
        img.getRaster().setSample(61, 30, 0, 200);
        Files.write(photos.resolve("edge.png"), io.xaiscale.image.ImageCodec.png(img));
        Files.writeString(
                photos.resolve("manifest.csv"),
                "path,label,x0,y0,x1,y1\ncentre.png,1,48,16,80,48\nedge.png,1,0,16,20,48\n");
        String wh = tmp.resolve("geometry-warehouse").toString();
        IngestJob.ingestFiles(
                spark, wh, photos.toString(), photos.resolve("manifest.csv").toString(), "test");
        String[] common = {"--warehouse", wh, "--model", model.toString(), "--agreement", "false"};
        Plan.run(
                spark,
                List.of(ExplainCommand.stage(new ExplainCommand()
                        .options()
                        .parse(Stream.concat(Stream.of(common), Stream.of("--methods", "gradient"))
                                .filter(a -> !a.equals("--agreement") && !a.equals("false"))
                                .toArray(String[]::new)))));
        Plan.run(
                spark,
                EvaluateCommand.stages(new EvaluateCommand()
                        .options()
                        .parse(Stream.concat(Stream.of(common), Stream.of("--metrics", "pointing_game"))
                                .toArray(String[]::new))));
        Dataset<Row> m = spark.read().format("delta").load(Tables.METRICS.path(wh));
        String edgeId = spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(wh))
                .where(col("source_uri").endsWith("edge.png"))
                .first()
                .getAs("image_id");
        Row edge = m.where(col("image_id").equalTo(edgeId)).first();
        assertNull(edge.getAs("value"));
        assertEquals(
                "not applicable: the ground-truth box lies outside the model's input (cropped away by resize_center_crop)",
                edge.getAs("error"));
        assertEquals(1, m.where(col("value").isNotNull()).count(), "the centred box, moved to 16..48, is scored");
        // the leaderboard says over how many maps the mean is, and how many the metric did not apply to
        io.xaiscale.jobs.spark.SqlRunner.registerViews(spark, wh);
        Row lb = spark.sql("SELECT n, not_applicable FROM leaderboard WHERE metric = 'pointing_game'")
                .first();
        assertEquals(List.of(1L, 1L), List.of(lb.getLong(0), lb.getLong(1)));
        io.xaiscale.jobs.spark.SqlRunner.registerViews(spark, warehouse);

        // the maps drawn back on the 128x64 originals: columns 0..31 and 96..127 were cropped away (hatched)
        List<Path> grids = OverlayJob.render(
                spark,
                wh,
                io.xaiscale.model.ModelCard.read(model),
                tmp.resolve("wide-overlays"),
                2,
                2,
                io.xaiscale.render.Overlay.Colors.SIGNED,
                io.xaiscale.render.Overlay.View.ORIGINAL);
        assertEquals(2, grids.size());
        java.awt.image.BufferedImage grid =
                javax.imageio.ImageIO.read(grids.get(0).toFile());
        assertEquals(4 + 2 * (128 + 4), grid.getWidth(), "the original tile is 128 wide, then one map tile");
        int tile = 4 + 128 + 4;
        int[] hatched = new int[2]; // left margin, centre: hatch-line pixels that are hatch grey
        int[] lines = new int[2];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                if ((x + y) % 8 < 2) {
                    int area = x < 32 ? 0 : 1;
                    lines[area]++;
                    hatched[area] += (grid.getRGB(tile + x, 28 + y) & 0xffffff) == 0x808080 ? 1 : 0;
                }
            }
        }
        assertEquals(lines[0], hatched[0], "every hatch line of the cropped margin");
        assertTrue(hatched[1] < lines[1] / 2, "the kept centre is the map, not hatching: " + hatched[1]);
    }

    static void jpeg(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        java.awt.image.BufferedImage img =
                new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_INT_RGB);
        int h = file.getFileName().toString().hashCode();
        for (int i = 0; i < 64; i++) {
            img.setRGB(i, (h >>> 3) & 63, 0xffffff ^ h); // distinct bytes per file name
        }
        javax.imageio.ImageIO.write(img, file.toString().endsWith(".png") ? "png" : "jpeg", file.toFile());
    }

    static Row imageRow(String wh, String suffix) {
        return spark.read()
                .format("delta")
                .load(Tables.IMAGES.path(wh))
                .where(col("source_uri").endsWith(suffix))
                .first();
    }

    static IngestJob.Files layout(
            String source, String manifest, String split, List<String> classes, io.xaiscale.jobs.ingest.Layout layout) {
        return new IngestJob.Files(source, manifest, split, classes, 100_000_000L, 1L << 20, 0, false, layout);
    }

    static String boxes(Row image) {
        return image.getList(image.fieldIndex("boxes")).toString();
    }

    @Test
    @Order(22)
    void vocImageFolderAndCocoLayoutsIngestTheirClassesAndBoxesAndNameWhatIsWrong() throws Exception {
        java.util.List<String> classes = io.xaiscale.model.ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"))
                .classes();
        // Pascal VOC: 1-based inclusive boxes, a difficult flag, an unknown class, a broken annotation
        Path voc = tmp.resolve("voc");
        Files.createDirectories(voc.resolve("Annotations"));
        Files.writeString(
                voc.resolve("Annotations/a.xml"),
                "<annotation><filename>a.jpg</filename>"
                        + "<object><name>trouser</name><difficult>0</difficult><bndbox><xmin>11</xmin><ymin>21</ymin>"
                        + "<xmax>30</xmax><ymax>40</ymax></bndbox></object>"
                        + "<object><name>bag</name><difficult>1</difficult><bndbox><xmin>1</xmin><ymin>1</ymin>"
                        + "<xmax>10</xmax><ymax>10</ymax></bndbox></object></annotation>");
        Files.writeString(
                voc.resolve("Annotations/b.xml"),
                "<annotation><filename>b.jpg</filename>"
                        + "<object><name>person</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>9</xmax><ymax>9</ymax>"
                        + "</bndbox></object></annotation>");
        Files.writeString(voc.resolve("Annotations/c.xml"), "<annotation><filename>c.jpg");
        Files.createDirectories(voc.resolve("ImageSets/Main"));
        Files.writeString(voc.resolve("ImageSets/Main/train.txt"), "a\nb\n");
        for (String f : List.of("a.jpg", "b.jpg", "d.jpg")) {
            jpeg(voc.resolve("JPEGImages").resolve(f));
        }
        String vocWh = tmp.resolve("voc-warehouse").toString();
        IngestReport r = IngestJob.ingestFiles(
                spark, vocWh, layout(voc.toString(), "", "trainval", classes, io.xaiscale.jobs.ingest.Layout.VOC));
        assertEquals(7, r.listed());
        assertEquals(4, r.files("annotation"));
        assertEquals(2, r.files("image"));
        assertEquals(1, r.files("error_row"));
        assertEquals(1, r.manifestRows("unreadable_row"));
        Row a = imageRow(vocWh, "JPEGImages/a.jpg");
        assertEquals("[[10,20,30,40,1,trouser,false], [0,0,10,10,8,bag,true]]", boxes(a));
        assertNull(a.getAs("label"), "two classes: no single label");
        assertEquals(
                List.of(10, 20, 30, 40),
                List.of(
                        ((Row) a.getAs("bbox")).getInt(0),
                        ((Row) a.getAs("bbox")).getInt(1),
                        ((Row) a.getAs("bbox")).getInt(2),
                        ((Row) a.getAs("bbox")).getInt(3)));
        assertTrue(
                imageRow(vocWh, "JPEGImages/b.jpg")
                        .<String>getAs("error")
                        .startsWith("annotation Annotations/b.xml: boxes[0]: label_name 'person' is not a class of the"
                                + " model"),
                imageRow(vocWh, "JPEGImages/b.jpg").<String>getAs("error"));
        assertNull(imageRow(vocWh, "JPEGImages/d.jpg").getAs("boxes"));

        // ImageFolder: the class is the folder; an unknown folder is an error, a file at the root has none
        Path folder = tmp.resolve("imagefolder");
        for (String f : List.of("trouser/x.png", "Bag/y.png", "person/z.png", "top.png")) {
            jpeg(folder.resolve(f));
        }
        String ifWh = tmp.resolve("if-warehouse").toString();
        r = IngestJob.ingestFiles(
                spark,
                ifWh,
                layout(folder.toString(), "", "train", classes, io.xaiscale.jobs.ingest.Layout.IMAGEFOLDER));
        assertEquals(3, r.files("image"));
        assertEquals(1, r.files("error_row"));
        assertEquals(1, imageRow(ifWh, "trouser/x.png").<Integer>getAs("label"));
        assertEquals(8, imageRow(ifWh, "Bag/y.png").<Integer>getAs("label"), "class names match regardless of case");
        assertTrue(
                imageRow(ifWh, "person/z.png").<String>getAs("error").contains("label_name 'person' is not a class"));
        assertNull(imageRow(ifWh, "top.png").getAs("label"));

        // COCO: [x, y, w, h] rounded outwards, crowd kept as difficult, an unknown category, a missing file
        Path coco = tmp.resolve("coco");
        jpeg(coco.resolve("img1.png"));
        jpeg(coco.resolve("img22.png"));
        Path instances = tmp.resolve("instances.json");
        Files.writeString(
                instances,
                "{\"images\": [{\"id\": 1, \"file_name\": \"img1.png\"},"
                        + " {\"id\": 2, \"file_name\": \"img22.png\"}, {\"id\": 3, \"file_name\": \"missing.png\"}],"
                        + " \"annotations\": [{\"id\": 7, \"image_id\": 1, \"category_id\": 2, \"bbox\": [10.5, 20.2, 15.0, 10.0],"
                        + " \"segmentation\": [[10, 20, 25, 20, 25, 30, 10, 30]], \"iscrowd\": 0}, {\"id\": 8, \"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 5, 5], \"iscrowd\": 1},"
                        + " {\"id\": 9, \"image_id\": 2, \"category_id\": 9, \"bbox\": [1, 1, 4, 4]}],"
                        + " \"categories\": [{\"id\": 2, \"name\": \"trouser\"}, {\"id\": 9, \"name\": \"person\"}]}");
        String cocoWh = tmp.resolve("coco-warehouse").toString();
        r = IngestJob.ingestFiles(
                spark,
                cocoWh,
                layout(coco.toString(), instances.toString(), "val", classes, io.xaiscale.jobs.ingest.Layout.COCO));
        assertEquals(1, r.manifestRows("no_file"));
        Row img1 = imageRow(cocoWh, "/img1.png");
        assertEquals("[[10,20,26,31,1,trouser,false], [0,0,5,5,1,trouser,true]]", boxes(img1));
        assertEquals(1, img1.<Integer>getAs("label"), "one class: the image's label");
        assertEquals(
                15 * 10,
                io.xaiscale.jobs.ingest.ShapesTest.count(img1.getAs("segmentation"), 2),
                "the polygon rasterised where the image was read, as class 1 + 1");
        assertTrue(imageRow(cocoWh, "img22.png")
                .<String>getAs("error")
                .startsWith("COCO image 2: boxes[0]: label_name" + " 'person' is not a class"));
    }

    @Test
    @Order(23)
    void aCorrectedBoxUpdatesTheImageAndEvaluateRecomputesOnlyItsLocalisationValues() throws Exception {
        Path manifest = source.resolve("manifest.csv");
        String before = Files.readString(manifest);
        String line = before.lines()
                .filter(l -> l.startsWith("fmnist-loc-test-00001.png"))
                .findFirst()
                .orElseThrow();
        String[] f = line.split(",");
        f[3] = Integer.toString(Integer.parseInt(f[3]) - 1); // x0 one pixel to the left
        Files.writeString(manifest, before.replace(line, String.join(",", f)));
        long images = count(Tables.IMAGES);
        long metrics = count(Tables.METRICS);
        IngestReport r = IngestJob.ingestFiles(spark, warehouse, source.toString(), manifest.toString(), "sample");
        assertEquals(1, r.written(), "the corrected image's ground truth, in place");
        assertEquals(1, r.files("image"), "only the file whose manifest values changed is read");
        assertEquals(images, count(Tables.IMAGES), "not a new image: the key is the content hash");
        StageRunner.Result v = evaluate(METRICS);
        assertEquals(
                6 * 2, v.pending(), "iou and pointing game of that image, for each of the 6 methods; nothing else");
        assertEquals(6 * 2, v.inserted(), "replaced");
        assertEquals(metrics, count(Tables.METRICS));
        assertEquals(0, evaluate(METRICS).pending());
    }

    @Test
    @Order(24)
    void severalTargetsPerImageAreKeptApartAndScoredEach() throws Exception {
        Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(warehouse));
        long n = images.count();
        // every image of this warehouse has one ground-truth class (its label; boxes without a class)
        assertEquals(0, images.where(col("label").isNull()).count());
        ExplainStage stage = ExplainCommand.stage(options(
                new ExplainCommand(), "--methods", "gradient", "--target", "predicted,label,labels,top_k[k=3]"));
        StageRunner.Result e = StageRunner.run(spark, stage);
        // predicted was explained by the first run; top_2, top_3, label and class_<label> are new
        assertEquals(4 * n, e.pending());
        assertEquals(0, StageRunner.run(spark, stage).pending(), "a rerun adds nothing");
        Dataset<Row> expl = spark.read()
                .format("delta")
                .load(Tables.EXPLANATIONS.path(warehouse))
                .where(col("method").equalTo("gradient").and(col("error").isNull()));
        Row image = images.where(col("source_uri").endsWith("fmnist-loc-test-00002.png"))
                .first();
        Map<String, Row> byTarget = new java.util.HashMap<>();
        for (Row r : expl.where(col("image_id").equalTo(image.<String>getAs("image_id")))
                .collectAsList()) {
            byTarget.put(r.getAs("target_rule"), r);
        }
        int label = image.getAs("label");
        assertEquals(java.util.Set.of("predicted", "top_2", "top_3", "label", "class_" + label), byTarget.keySet());
        int predicted = byTarget.get("predicted").getAs("target_class");
        assertEquals(predicted, byTarget.get("top_2").<Integer>getAs("predicted_class"));
        java.util.Set<Integer> top = java.util.Set.of(
                predicted,
                byTarget.get("top_2").getAs("target_class"),
                byTarget.get("top_3").getAs("target_class"));
        assertEquals(3, top.size(), "three different classes");
        assertEquals(label, byTarget.get("label").<Integer>getAs("target_class"));
        assertEquals(label, byTarget.get("class_" + label).<Integer>getAs("target_class"));
        // the class decides the map: the label's and class_<label>'s are the same, top_2's is another
        assertTrue(Arrays.equals(
                byTarget.get("label").<byte[]>getAs("map"),
                byTarget.get("class_" + label).getAs("map")));
        assertFalse(Arrays.equals(
                byTarget.get("predicted").<byte[]>getAs("map"),
                byTarget.get("top_2").getAs("map")));

        // each map is scored on its own (no collision of two targets of one method)
        long before = count(Tables.METRICS);
        StageRunner.Result v = evaluate("iou");
        long good = expl.where(col("target_rule").notEqual("predicted")).count();
        assertEquals(good, v.pending());
        assertEquals(before + good, count(Tables.METRICS));
        // predicted and label maps side by side, per method and localisation metric
        SqlRunner.registerViews(spark, warehouse);
        List<Row> both = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/misclassified.sql"))
                .collectAsList();
        assertTrue(both.stream().anyMatch(r -> r.<String>getAs("metric").equals("iou")), both.toString());
        // agreement pairs only maps of the same class
        Dataset<Row> agree = spark.read().format("delta").load(Tables.METHOD_AGREEMENT.path(warehouse));
        Dataset<Row> keys = expl.select("image_id", "params_hash", "target_class");
        assertEquals(
                0,
                agree.join(
                                keys.toDF("image_id", "params_hash_a", "class_a"),
                                DeltaIO.columns("image_id", "params_hash_a"))
                        .join(
                                keys.toDF("image_id", "params_hash_b", "class_b"),
                                DeltaIO.columns("image_id", "params_hash_b"))
                        .where(col("class_a").notEqual(col("class_b")))
                        .count());
    }

    /** An audit of the shipped model over this test's warehouse, with {@code gates} (YAML list items). */
    static String auditYaml(String name, String gates) {
        return "name: " + name + "\n"
                + "warehouse: " + warehouse + "\n"
                + "source: " + source + "\n"
                + "manifest: " + source.resolve("manifest.csv") + "\n"
                + "split: sample\n"
                + "models: [" + ROOT.resolve("models/fmnist-loc-cnn") + "]\n"
                + "methods: [gradient]\n"
                + "metrics: [iou]\n"
                + "select: {sample_per_class: 2, seed: 3}\n"
                + "gates:\n" + gates
                + "options: {batch-size: 4, agreement: false}\n";
    }

    static int audit(String yaml, String runId) throws Exception {
        return audit(yaml, runId, false);
    }

    static int audit(String yaml, String runId, boolean full) throws Exception {
        AuditConfig config = AuditConfig.parse(yaml, "test.yaml");
        return AuditCommand.audit(spark, config, yaml, AuditCommand.prepare(config), runId, full);
    }

    @Test
    @Order(25)
    void anAuditRecordsItsRunTagsItsCommitsAndFailsItsGates() throws Exception {
        String ok = auditYaml(
                "nightly",
                "  - {gate: error_rate, max: 0.5}\n"
                        + "  - {gate: metric, metric: iou, method: gradient, min: 0.0}\n"
                        + "  - {gate: metric_change, metric: iou, method: gradient, max_worsening: 0.05}\n");
        assertEquals(0, audit(ok, "run-1"));
        Dataset<Row> runs = spark.read().format("delta").load(Tables.AUDIT_RUNS.path(warehouse));
        Row first = runs.where(col("run_id").equalTo("run-1")).first();
        assertEquals("succeeded", first.getAs("status"));
        assertEquals(AuditConfig.parse(ok, "x").sha256(), first.getAs("config_sha256"));
        assertTrue(first.<Long>getAs("images_version") >= 0);
        assertTrue(first.<String>getAs("selection").contains("2 per class (seed 3)"));
        List<Row> stages = first.getList(first.fieldIndex("stages"));
        assertEquals(
                List.of("ingest", "explain", "evaluate"),
                stages.stream().map(r -> r.<String>getAs("stage")).toList());
        assertEquals(0, stages.get(0).<Long>getAs("pending"), "no file read: all unchanged");
        assertEquals(3, first.getList(first.fieldIndex("gates")).size());
        assertFalse(first.getList(first.fieldIndex("means")).isEmpty());
        // the ledger's commits carry the run id
        List<Row> history = io.delta.tables.DeltaTable.forPath(spark, Tables.AUDIT_RUNS.path(warehouse))
                .history()
                .select("userMetadata")
                .collectAsList();
        assertTrue(history.stream().anyMatch(r -> "xai-run run-1".equals(r.getString(0))), history.toString());
        assertNull(spark.conf()
                .getOption(io.xaiscale.jobs.audit.Ledger.USER_METADATA)
                .getOrElse(() -> null));

        // an injected regression: the iou of gradient halves, and the change gate fails the run
        double mean = first.<Row>getList(first.fieldIndex("means")).stream()
                .filter(r -> r.getString(1).equals("gradient") && r.getString(2).equals("iou"))
                .findFirst()
                .orElseThrow()
                .getDouble(4);
        assertTrue(mean > 0.1, "a mean worth halving: " + mean);
        spark.sql("UPDATE delta.`" + Tables.METRICS.path(warehouse)
                + "` SET value = value * 0.5 WHERE metric = 'iou' AND method = 'gradient' AND value IS NOT NULL");
        // a driver killed mid-run leaves its row running; its config is kept without the credentials
        io.xaiscale.jobs.audit.Ledger.start(
                spark,
                warehouse,
                "killed-run",
                AuditConfig.parse(ok, "x"),
                ok + "# s3a://AKIAX:s3cr3t@bucket/images\n");
        spark.conf().unset(io.xaiscale.jobs.audit.Ledger.USER_METADATA);
        assertEquals(Gates.EXIT_GATED, audit(ok, "run-2"));
        Row killed = runs.where(col("run_id").equalTo("killed-run")).first();
        assertEquals("failed", killed.getAs("status"), "closed by the next run");
        assertTrue(killed.<String>getAs("error").endsWith("closed by run run-2"), killed.<String>getAs("error"));
        assertTrue(killed.<String>getAs("config").contains("s3a://***@bucket/images"));
        assertFalse(killed.<String>getAs("config").contains("s3cr3t"));
        Row second = runs.where(col("run_id").equalTo("run-2")).first();
        assertEquals("gated", second.getAs("status"));
        List<Row> gates = second.getList(second.fieldIndex("gates"));
        assertTrue(gates.get(0).getBoolean(1) && gates.get(1).getBoolean(1), gates.toString());
        assertFalse(gates.get(2).getBoolean(1), "the change gate: " + gates.get(2));
        assertEquals(mean / 2, gates.get(2).getDouble(2), 1e-9, "worse by half the mean");
        // ... and the run finds it by itself: a metric regression, with the images where the iou is lowest
        Row regression = spark.read()
                .format("delta")
                .load(Tables.AUDIT_FINDINGS.path(warehouse))
                .where(col("run_id").equalTo("run-2").and(col("kind").equalTo("metric_regression")))
                .first();
        assertEquals("iou | gradient", regression.getAs("subject"));
        assertEquals(mean / 2, regression.<Double>getAs("value"), 1e-9);
        assertTrue(regression.<Double>getAs("ci_low") > 0, regression.toString());
        assertEquals(5, regression.getList(regression.fieldIndex("evidence")).size());
        assertTrue(second.<Long>getAs("checked_rows") > 0);
        // rerun with nothing changed (YARN's second attempt, a manual rerun): run 2's results and gate
        // outcomes, so still gated
        assertEquals(Gates.EXIT_GATED, audit(ok, "run-2-rerun"));
        Row rerun = runs.where(col("run_id").equalTo("run-2-rerun")).first();
        assertEquals("gated", rerun.getAs("status"));
        assertEquals("run-2", rerun.getAs("reused_run"));
        assertEquals(gates, rerun.getList(rerun.fieldIndex("gates")));
        // the next night recomputes with the regression still there: compared with run 1, the last run
        // that succeeded (never with the gated run 2), so gated again
        assertEquals(Gates.EXIT_GATED, audit(ok, "run-2-next-night", true));
        Row next = runs.where(col("run_id").equalTo("run-2-next-night")).first();
        assertNull(next.getAs("reused_run"));
        List<Row> nextGates = next.getList(next.fieldIndex("gates"));
        assertFalse(nextGates.get(2).getBoolean(1), "the change gate: " + nextGates.get(2));
        assertEquals(mean / 2, nextGates.get(2).getDouble(2), 1e-9, "worse than run 1 by half its mean");
        spark.sql("UPDATE delta.`" + Tables.METRICS.path(warehouse)
                + "` SET value = value * 2 WHERE metric = 'iou' AND method = 'gradient' AND value IS NOT NULL");

        // a gate about a metric the run does not have fails rather than passes
        assertEquals(
                Gates.EXIT_GATED,
                audit(auditYaml("typo", "  - {gate: metric, metric: iuo, method: gradient, min: 0.0}\n"), "run-3"));
        // a wrong field fails at start, naming it and the valid ones
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> AuditConfig.parse(ok + "schedule: nightly\n", "a.yaml"));
        assertTrue(
                e.getMessage()
                        .startsWith("Invalid audit config a.yaml: unknown field 'schedule' (valid: gates, layout,"),
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> AuditConfig.parse(auditYaml("x", "  - {gate: accuracy, max: 1}\n"), "a.yaml"));
        assertEquals(
                "Invalid audit config a.yaml: gates[0]: unknown gate accuracy (valid: error_rate, metric, metric_change, clever_hans,"
                        + " sanity)",
                e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> AuditCommand.prepare(AuditConfig.parse(
                        auditYaml("x", "  - {gate: error_rate, max: 1}\n")
                                .replace("methods: [gradient]", "methods: [shap]"),
                        "a.yaml")));
        assertTrue(e.getMessage().contains("Unknown explanation method: shap"), e.getMessage());
    }

    /**
     * Weights replaced in place under a card that pins no hash: the inputs hash is that of the weights
     * file read, so the next run is not taken for the last one; it recomputes and is refused, since
     * one id@version names one set of weights.
     */
    @Test
    @Order(37)
    void weightsReplacedInPlaceAreNeverTakenForTheOldOnes() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("in-place"));
        Path src = ROOT.resolve("models/fmnist-loc-cnn");
        Files.copy(src.resolve("fmnist-loc-cnn-0000.params"), dir.resolve("fmnist-loc-cnn-0000.params"));
        Files.writeString(
                dir.resolve("model.json"),
                Files.readString(src.resolve("model.json"))
                        .replace("\"id\" : \"fmnist-loc-cnn\"", "\"id\" : \"in-place-cnn\"")
                        .replaceAll("\"weights_sha256\" : \"[0-9a-f]+\",", ""));
        String yaml = auditYaml("in-place", "  - {gate: error_rate, max: 0.5}\n")
                .replace(ROOT.resolve("models/fmnist-loc-cnn").toString(), dir.toString());
        assertEquals(0, audit(yaml, "in-place-1"));
        assertEquals(0, audit(yaml, "in-place-2"));
        Dataset<Row> runs = spark.read().format("delta").load(Tables.AUDIT_RUNS.path(warehouse));
        assertEquals(
                "in-place-1",
                runs.where(col("run_id").equalTo("in-place-2")).first().getAs("reused_run"));
        Files.copy(
                ROOT.resolve("models/fmnist-loc-cnn-shuffled").resolve("fmnist-loc-cnn-shuffled-0000.params"),
                dir.resolve("fmnist-loc-cnn-0000.params"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> audit(yaml, "in-place-3"));
        assertTrue(
                e.getMessage().contains("Model in-place-cnn@1 in " + warehouse + " was explained with weights"),
                e.getMessage());
        Row third = runs.where(col("run_id").equalTo("in-place-3")).first();
        assertEquals("failed", third.getAs("status"));
        assertNull(third.getAs("reused_run"));
    }

    /**
     * The same bytes under a second path, added on a later run with other labels: the same-bytes rule
     * decides over both files on every run (the earlier row is a candidate too), so the image keeps one
     * row whose error names both files, run after run, never the labels of the file read last; the
     * manifest mended, --retry-errors gives the agreed labels.
     */
    @Test
    @Order(38)
    void theSameBytesUnderASecondPathNeverFlipTheImagesLabelsAcrossRuns() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("twins"));
        Files.copy(ROOT.resolve("data/sample/fmnist-loc-test-00000.png"), dir.resolve("a.png"));
        String header = "path,label,x0,y0,x1,y1\n";
        Files.writeString(dir.resolve("manifest.csv"), header + "a.png,3,0,0,8,8\n");
        String wh = tmp.resolve("twins-warehouse").toString();
        List<String> classes = io.xaiscale.model.ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"))
                .classes();
        java.util.function.Supplier<IngestJob.Files> files = () -> layout(
                dir.toString(),
                dir.resolve("manifest.csv").toString(),
                "sample",
                classes,
                io.xaiscale.jobs.ingest.Layout.FILES);
        IngestJob.ingestFiles(spark, wh, files.get());
        // a second file with the same bytes and another label, added later
        Files.copy(dir.resolve("a.png"), dir.resolve("b.png"));
        Files.writeString(dir.resolve("manifest.csv"), header + "a.png,3,0,0,8,8\nb.png,5,0,0,8,8\n");
        String conflict = "the same bytes are 2 files whose manifest rows disagree: ";
        for (int run = 2; run <= 3; run++) {
            IngestReport r = IngestJob.ingestFiles(spark, wh, files.get());
            List<Row> rows =
                    spark.read().format("delta").load(Tables.IMAGES.path(wh)).collectAsList();
            assertEquals(1, rows.size(), "run " + run + ": one row for the bytes");
            Row image = rows.get(0);
            assertTrue(image.<String>getAs("source_uri").endsWith("/a.png"), "run " + run + ": the first path kept");
            assertEquals(3, image.<Integer>getAs("label"), "run " + run + ": never b's label");
            assertTrue(
                    image.<String>getAs("error").startsWith(conflict),
                    "run " + run + ": " + image.<String>getAs("error"));
            assertTrue(
                    image.<String>getAs("error").contains("/a.png (ingested before), "), image.<String>getAs("error"));
            assertTrue(image.<String>getAs("error").contains("/b.png (line 3)"), image.<String>getAs("error"));
            assertEquals(1, r.files("duplicate_content"), "run " + run + ": b.png, " + r.lines());
        }
        // the manifest mended: both say 3; --retry-errors replaces the error row
        Files.writeString(dir.resolve("manifest.csv"), header + "a.png,3,0,0,8,8\nb.png,3,0,0,8,8\n");
        IngestJob.Files f = files.get();
        IngestJob.ingestFiles(
                spark,
                wh,
                new IngestJob.Files(
                        f.source(),
                        f.manifest(),
                        f.defaultSplit(),
                        f.classes(),
                        f.maxPixels(),
                        f.maxFileBytes(),
                        0,
                        true,
                        f.layout()));
        Row mended = spark.read().format("delta").load(Tables.IMAGES.path(wh)).first();
        assertNull(mended.getAs("error"));
        assertEquals(3, mended.<Integer>getAs("label"));
        assertTrue(mended.<String>getAs("source_uri").endsWith("/a.png"));
        assertNull(mended.getAs("retired_at"));

        // both files leave the source: the image is retired (its row stays, selections skip it); back again
        Path away = Files.createDirectories(tmp.resolve("twins-away"));
        Files.move(dir.resolve("a.png"), away.resolve("a.png"));
        Files.move(dir.resolve("b.png"), away.resolve("b.png"));
        IngestJob.ingestFiles(spark, wh, files.get());
        Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(wh));
        assertEquals(1, images.count());
        assertNotNull(images.first().getAs("retired_at"));
        assertEquals(0, io.xaiscale.jobs.stage.Selection.ALL.apply(images).count(), "never selected again");
        Files.move(away.resolve("a.png"), dir.resolve("a.png"));
        IngestJob.ingestFiles(spark, wh, files.get());
        images = spark.read().format("delta").load(Tables.IMAGES.path(wh));
        assertNull(images.first().getAs("retired_at"), "back");
        assertEquals(1, io.xaiscale.jobs.stage.Selection.ALL.apply(images).count());
    }

    /** A copy of model {@code from} as version {@code version} of the shipped model's id. */
    static Path version(String from, String version) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("version-" + version));
        Path src = ROOT.resolve("models").resolve(from);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        String card = Files.readString(dir.resolve("model.json"))
                .replace("\"id\" : \"" + from + "\"", "\"id\" : \"fmnist-loc-cnn\"")
                .replace("\"version\" : \"1\"", "\"version\" : \"" + version + "\"");
        Files.writeString(dir.resolve("model.json"), card);
        return dir;
    }

    @Test
    @Order(26)
    void anAuditOfThreeVersionsRecordsTheDriftBetweenConsecutiveOnes() throws Exception {
        Path same = version("fmnist-loc-cnn", "2"); // the same weights under a new version
        Path shuffled = version("fmnist-loc-cnn-shuffled", "3"); // weights trained on shuffled labels
        String yaml = auditYaml("versions", "  - {gate: error_rate, max: 1.0}\n")
                .replace(
                        "models: [" + ROOT.resolve("models/fmnist-loc-cnn") + "]",
                        "models: [" + ROOT.resolve("models/fmnist-loc-cnn") + ", " + same + ", " + shuffled + "]");
        assertEquals(0, audit(yaml, "run-versions"));
        Dataset<Row> drift = spark.read().format("delta").load(Tables.MODEL_DRIFT.path(warehouse));
        Dataset<Row> sameDrift =
                drift.where(col("version_a").equalTo("1").and(col("version_b").equalTo("2")));
        long pairs = sameDrift.count();
        assertTrue(pairs > 0);
        // the same weights: the same maps (up to the float rounding of other batch shapes) and predictions
        assertEquals(
                pairs,
                sameDrift
                        .where(col("pearson").geq(0.9999).and(col("top_iou").geq(0.95)))
                        .count());
        assertEquals(0, sameDrift.where(col("prediction_changed")).count());
        // weights trained on shuffled labels: other maps, other predictions
        Row moved = drift.where(
                        col("version_a").equalTo("2").and(col("version_b").equalTo("3")))
                .agg(
                        org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
                        org.apache.spark.sql.functions.avg("pearson"),
                        org.apache.spark.sql.functions.avg(org.apache
                                .spark
                                .sql
                                .functions
                                .col("prediction_changed")
                                .cast("double")))
                .first();
        assertEquals(pairs, moved.getLong(0));
        assertTrue(moved.getDouble(1) < 0.9, "mean Pearson " + moved.getDouble(1));
        assertTrue(moved.getDouble(2) > 0.3, "prediction changed for " + moved.getDouble(2));
        Row run = spark.read()
                .format("delta")
                .load(Tables.AUDIT_RUNS.path(warehouse))
                .where(col("run_id").equalTo("run-versions"))
                .first();
        assertEquals(
                2,
                run.<Row>getList(run.fieldIndex("stages")).stream()
                        .filter(r -> r.<String>getAs("stage").equals("drift"))
                        .count());
        assertEquals(3, run.getList(run.fieldIndex("models")).size());
        // prediction drift is a finding between 2 and 3 (over all images), none between the equal 1 and 2
        List<Row> driftFindings = spark.read()
                .format("delta")
                .load(Tables.AUDIT_FINDINGS.path(warehouse))
                .where(col("run_id").equalTo("run-versions").and(col("kind").equalTo("prediction_drift")))
                .collectAsList();
        assertTrue(
                driftFindings.stream()
                        .anyMatch(r -> r.getAs("model").equals("fmnist-loc-cnn@2 -> 3")
                                && r.getAs("subject").equals("all classes | 2 -> 3")),
                driftFindings.toString());
        assertTrue(
                driftFindings.stream().noneMatch(r -> r.<String>getAs("model").endsWith("@1 -> 2")),
                driftFindings.toString());
        // the rerun computes no drift again; the notebook shows both version pairs
        assertEquals(0, audit(yaml, "run-versions-2"));
        assertEquals(2 * pairs, drift.count());
        // ... nothing it reads changed: it took the first run's results, findings included
        Row rerun = spark.read()
                .format("delta")
                .load(Tables.AUDIT_RUNS.path(warehouse))
                .where(col("run_id").equalTo("run-versions-2"))
                .first();
        assertEquals("run-versions", rerun.getAs("reused_run"));
        assertEquals(run.<String>getAs("inputs_sha256"), rerun.getAs("inputs_sha256"));
        assertEquals(
                run.getList(run.fieldIndex("means")).size(),
                rerun.getList(rerun.fieldIndex("means")).size());
        assertEquals(
                driftFindings.size(),
                spark.read()
                        .format("delta")
                        .load(Tables.AUDIT_FINDINGS.path(warehouse))
                        .where(col("run_id")
                                .equalTo("run-versions-2")
                                .and(col("kind").equalTo("prediction_drift")))
                        .count());
        SqlRunner.registerViews(spark, warehouse);
        assertFalse(SqlRunner.run(spark, ROOT.resolve("notebooks-sql/drift.sql"))
                .collectAsList()
                .isEmpty());
    }

    @Test
    @Order(27)
    void anUpdateClauseOnATableWrittenBeforeItsColumnExistedAddsTheColumn() {
        String path = tmp.resolve("old-table").toString();
        org.apache.spark.sql.types.StructType old =
                new org.apache.spark.sql.types.StructType().add("k", "string").add("a", "int");
        spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create("x", 1)), old)
                .write()
                .format("delta")
                .save(path);
        org.apache.spark.sql.types.StructType now = old.add("b", "long");
        long written = DeltaIO.insertOrUpdate(
                spark,
                spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create("x", 1, 7L)), now),
                path,
                List.of("k"),
                List.of(new DeltaIO.Update("NOT (t.b <=> s.b)", List.of("b"))));
        assertEquals(1, written);
        Row r = spark.read().format("delta").load(path).first();
        assertEquals(7L, r.<Long>getAs("b"));
    }

    @Test
    @Order(28)
    void aClassWhoseRelevanceLiesOutsideTheObjectIsAFindingWithItsEvidence() throws Exception {
        // per image: method, class, share of relevance outside the object; class 3 far more outside
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int cls = i % 4 + 1;
            double outside = cls == 3 ? 0.7 + 0.01 * (i % 5) : 0.2 + 0.01 * (i % 5);
            rows.add(org.apache.spark.sql.RowFactory.create("img" + i, "grad_cam", cls, outside));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("image_id", "string")
                .add("method_spec", "string")
                .add("label", "int")
                .add("outside", "double");
        io.xaiscale.model.ModelCard card = io.xaiscale.model.ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"));
        List<io.xaiscale.jobs.audit.Findings.Finding> found =
                io.xaiscale.jobs.audit.Findings.cleverHans(spark.createDataFrame(rows, schema), card, 0);
        assertEquals(1, found.size(), found.toString());
        io.xaiscale.jobs.audit.Findings.Finding f = found.get(0);
        assertEquals(3, f.cls());
        assertEquals("dress | grad_cam", f.subject());
        assertEquals(10, f.n());
        // class 3: mean 0.72; the others: mean 0.22; the same spread: effect 0.5 with a narrow interval
        assertEquals(0.72, f.value(), 1e-9);
        assertEquals(0.5, f.effect(), 1e-9);
        assertTrue(f.ciLow() > 0.45 && f.ciHigh() < 0.55, f.toString());
        assertEquals(5, f.evidence().size());
        assertTrue(f.evidence().contains("img14"), "the most outside images of the class: " + f.evidence());
        // every class alike: nothing found
        List<Row> alike = rows.stream()
                .map(r -> org.apache.spark.sql.RowFactory.create(
                        r.get(0), r.get(1), r.get(2), 0.3 + 0.01 * (r.getInt(2) % 2)))
                .toList();
        assertEquals(
                List.of(), io.xaiscale.jobs.audit.Findings.cleverHans(spark.createDataFrame(alike, schema), card, 0));
    }

    @Test
    @Order(29)
    void maintainCompactsTheTablesTurnsOnTheChangeFeedAndRefusesAnUnsafeVacuum() throws Exception {
        assertEquals(
                "Invalid --vacuum-hours: 1 (at least 168, Delta's safe default: a shorter retention deletes files that"
                        + " readers of older versions and time travel need; add --force true if no job reads versions"
                        + " older than that)",
                assertThrows(IllegalArgumentException.class, () -> MaintainCommand.check(1, false))
                        .getMessage());
        long rows = count(Tables.EXPLANATIONS);
        // no VACUUM here (only its refusal above): with it this test took 209 s on local[2]
        List<MaintainCommand.Done> done = MaintainCommand.maintain(spark, warehouse, 0, false, true);
        MaintainCommand.Done expl = done.stream()
                .filter(d -> d.table().equals("explanations"))
                .findFirst()
                .orElseThrow();
        assertTrue(expl.filesAfter() < expl.filesBefore(), "many small commits compacted: " + expl);
        assertEquals(rows, count(Tables.EXPLANATIONS), "the same rows");
        assertEquals(
                "true",
                spark.sql("SHOW TBLPROPERTIES delta.`" + Tables.EXPLANATIONS.path(warehouse)
                                + "` (delta.enableChangeDataFeed)")
                        .first()
                        .getString(1));
    }

    /** A CSV line's fields (RFC 4180 quotes). */
    static List<String> csvFields(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cur.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    @Test
    @Order(30)
    void theReportOfTheWarehouseOpensOfflineInChromiumWithEveryChartDrawn() throws Exception {
        Path out = tmp.resolve("report");
        List<Path> pages = io.xaiscale.jobs.report.Report.write(
                spark,
                new io.xaiscale.jobs.report.Report.Settings(
                        warehouse,
                        out,
                        List.of(io.xaiscale.model.ModelCard.read(ROOT.resolve("models/fmnist-loc-cnn"))),
                        2));
        assertEquals(
                io.xaiscale.jobs.report.Report.PAGES,
                pages.stream().map(p -> p.getFileName().toString()).toList());

        // the leaderboard's data and its charts' means are the notebook's
        SqlRunner.registerViews(spark, warehouse);
        List<Row> sql = SqlRunner.run(spark, ROOT.resolve("notebooks-sql/leaderboard.sql"))
                .collectAsList();
        Path csv;
        try (Stream<Path> files = Files.list(out.resolve("data"))) {
            csv = files.filter(f -> f.toString().endsWith("-leaderboard.csv"))
                    .findFirst()
                    .orElseThrow();
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(sql.size() + 1, lines.size());
        for (int i = 0; i < sql.size(); i++) {
            List<String> expected = new java.util.ArrayList<>();
            for (int c = 0; c < sql.get(i).size(); c++) {
                expected.add(
                        sql.get(i).isNullAt(c) ? "" : String.valueOf(sql.get(i).get(c)));
            }
            assertEquals(expected, csvFields(lines.get(i + 1)));
        }
        String leaderboard = Files.readString(out.resolve("leaderboard.html"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "<script type=\"application/json\" id=\"opt-c\\d+\">(.*?)</script>")
                .matcher(leaderboard);
        int boxes = 0;
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        while (m.find()) {
            com.fasterxml.jackson.databind.JsonNode o = json.readTree(m.group(1));
            if (!o.path("series").get(0).path("type").asText().equals("boxplot")) {
                continue;
            }
            for (int i = 0; i < o.path("xAxis").path("data").size(); i++) {
                String method = o.path("xAxis").path("data").get(i).asText();
                double mean = o.path("series").get(0).path("data").get(i).get(2).asDouble();
                assertTrue(
                        sql.stream()
                                .anyMatch(r -> r.<String>getAs("method_spec").equals(method)
                                        && Math.abs(r.<Double>getAs("mean") - mean) < 1e-12),
                        method + " " + mean);
                boxes++;
            }
        }
        assertTrue(boxes > 0);

        // every page in a real browser: scripts ran, every chart drew, every image loaded, nothing left the folder
        io.xaiscale.jobs.report.Chromium.require();
        Path shots = ROOT.resolve("jobs/target/report-screenshots");
        for (Path page : pages) {
            io.xaiscale.jobs.report.Chromium.Visit v =
                    io.xaiscale.jobs.report.Chromium.open(page, tmp.resolve("chromium"));
            String source = Files.readString(page);
            int charts = source.split("class=\"plot\"", -1).length - 1;
            assertTrue(v.dom().contains("data-ready=\"true\""), page + ": its script did not finish\n" + v.dom());
            assertFalse(v.dom().contains("data-problems="), page + ": " + v.dom());
            assertTrue(v.dom().contains("data-charts=\"" + charts + "\""), page + " drew all " + charts + " charts");
            assertTrue(v.dom().split("<canvas", -1).length - 1 >= charts, page + ": a canvas per chart");
            assertEquals(List.of(), v.leaving(), page + " requested something outside its folder");
            java.util.regex.Matcher img =
                    java.util.regex.Pattern.compile("<img src=\"([^\"]+)\"").matcher(source);
            while (img.find()) {
                assertTrue(Files.exists(out.resolve(img.group(1))), page + " links " + img.group(1));
            }
            io.xaiscale.jobs.report.Chromium.screenshot(
                    page,
                    shots.resolve(page.getFileName().toString().replace(".html", ".png")),
                    tmp.resolve("chromium"));
        }
        assertTrue(
                Files.readString(out.resolve("index.html")).contains("<img src=\"img/"),
                "a finding's gallery is drawn");
    }

    @Test
    @Order(31)
    void theShapFamilyDrawsItsReferenceSetOnceAndEveryStageUsesIt() throws Exception {
        String main = warehouse;
        warehouse = tmp.resolve("warehouse-shap").toString();
        try {
            IngestJob.ingestFiles(
                    spark,
                    warehouse,
                    source.toString(),
                    source.resolve("manifest.csv").toString(),
                    "sample");
            String methods = "expected_gradients[samples=4,references=3],smoothgrad[base=deeplift_shap[references=3],"
                    + "samples=2]";
            ExplainStage stage = ExplainCommand.stage(options(new ExplainCommand(), "--methods", methods));
            assertEquals(2 * 6, StageRunner.run(spark, stage).pending());
            // one set for both methods (same seed and size), drawn from the images without error, and kept
            List<Row> sets = spark.read()
                    .format("delta")
                    .load(Tables.REFERENCE_SETS.path(warehouse))
                    .collectAsList();
            assertEquals(1, sets.size());
            String id = sets.get(0).getAs("set_id");
            List<String> drawn = sets.get(0).getList(sets.get(0).fieldIndex("image_ids"));
            assertEquals(3, drawn.size());
            Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(warehouse));
            assertEquals(
                    3,
                    images.where(col("image_id")
                                    .isin(drawn.toArray())
                                    .and(col("error").isNull()))
                            .count());
            Dataset<Row> expl = spark.read().format("delta").load(Tables.EXPLANATIONS.path(warehouse));
            assertEquals(10, expl.where(col("error").isNull()).count());
            assertEquals(
                    12,
                    expl.where(col("method_spec").contains("reference_set=" + id))
                            .count(),
                    "the set is in every spec");
            // a rerun draws nothing new and explains nothing
            assertEquals(0, StageRunner.run(spark, stage).pending());
            assertEquals(
                    1,
                    spark.read()
                            .format("delta")
                            .load(Tables.REFERENCE_SETS.path(warehouse))
                            .count());
            // metrics that run the method again get the same set on the executors; the new families run too
            StageRunner.Result v = evaluate(
                    "robustness[perturbation=noise,level=0.05],stability[samples=2],completeness,road[steps=3]");
            assertEquals(10 * 4, v.pending());
            Dataset<Row> byMetric = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
            assertEquals(
                    10 * 5,
                    byMetric.where(col("metric").startsWith("stability_")).count());
            // completeness is scored against black, the SHAP maps against their set: recorded, not near 0
            assertEquals(
                    10, byMetric.where(col("metric").equalTo("completeness")).count());
            Dataset<Row> m = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
            assertEquals(
                    0,
                    m.where(col("error").isNotNull()).count(),
                    m.where(col("error").isNotNull()).collectAsList().toString());
            // ROAD's curve (accuracy at 25%, 50%, 75% removed) is kept next to its mean; completeness has none
            for (Row r : m.where(col("metric").equalTo("road")).collectAsList()) {
                List<Double> curve = r.getList(r.fieldIndex("curve"));
                assertEquals(3, curve.size());
                assertEquals(
                        curve.stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElseThrow(),
                        r.<Double>getAs("value"),
                        1e-9);
            }
            assertEquals(
                    0,
                    m.where(col("metric")
                                    .equalTo("completeness")
                                    .and(col("curve").isNotNull()))
                            .count());

            // focus: one mosaic (only trousers have two images here), its two trouser tiles as ground truth
            assertEquals(1, io.xaiscale.jobs.ingest.Mosaics.build(spark, warehouse, 1, 32, 0));
            assertEquals(0, io.xaiscale.jobs.ingest.Mosaics.build(spark, warehouse, 1, 32, 0), "a rerun adds nothing");
            Row mosaic = spark.read()
                    .format("delta")
                    .load(Tables.IMAGES.path(warehouse))
                    .where(col("split").equalTo("mosaic"))
                    .first();
            assertEquals(1, mosaic.<Integer>getAs("label"));
            assertEquals(64, mosaic.<Integer>getAs("width"));
            assertEquals(2, mosaic.getList(mosaic.fieldIndex("boxes")).size());
            assertEquals(
                    1,
                    StageRunner.run(
                                    spark,
                                    ExplainCommand.stage(options(
                                            new ExplainCommand(), "--methods", "gradient", "--splits", "mosaic")))
                            .pending());
            evaluate("focus");
            List<Row> focus = spark.read()
                    .format("delta")
                    .load(Tables.METRICS.path(warehouse))
                    .where(col("metric").equalTo("focus").and(col("value").isNotNull()))
                    .collectAsList();
            assertEquals(1, focus.size(), "only the mosaic is scored; the other images are not applicable");
            double f = focus.get(0).getAs("value");
            assertTrue(f >= 0 && f <= 1, "focus " + f);

            // maps at half the bytes: stored as float16, read back by the metrics and the agreement stage
            ExplainStage half = ExplainCommand.stage(options(
                    new ExplainCommand(),
                    "--methods",
                    "gradient_x_input",
                    "--map-precision",
                    "float16",
                    "--splits",
                    "test"));
            assertEquals(6, StageRunner.run(spark, half).pending());
            Dataset<Row> halves = spark.read()
                    .format("delta")
                    .load(Tables.EXPLANATIONS.path(warehouse))
                    .where(col("method")
                            .equalTo("gradient_x_input")
                            .and(col("error").isNull()));
            assertEquals(5, halves.where(col("map_dtype").equalTo("float16")).count());
            assertEquals(2 * 64 * 64, halves.first().<byte[]>getAs("map").length);
            evaluate("iou");
            Dataset<Row> scored = spark.read().format("delta").load(Tables.METRICS.path(warehouse));
            assertEquals(
                    5,
                    scored.where(col("metric").equalTo("iou").and(col("method").equalTo("gradient_x_input")))
                            .count(),
                    "every float16 map is scored");
            assertEquals(
                    0,
                    scored.where(col("metric")
                                    .equalTo("iou")
                                    .and(col("error").isNotNull())
                                    .and(not(col("error").startsWith("not applicable"))))
                            .count());
            assertTrue(
                    spark.read()
                                    .format("delta")
                                    .load(Tables.METHOD_AGREEMENT.path(warehouse))
                                    .where(col("method_a")
                                            .equalTo("gradient_x_input")
                                            .or(col("method_b").equalTo("gradient_x_input")))
                                    .count()
                            > 0,
                    "the agreement stage pairs float16 maps with float32 ones");

            // CAM maps at their layer's resolution (16x16 here): stored as computed, read upsampled, the same
            // map as the method's input-resolution one (grad_cam[layer=relu3] is the default layer, named)
            assertEquals(
                    6,
                    StageRunner.run(
                                    spark,
                                    ExplainCommand.stage(options(
                                            new ExplainCommand(),
                                            "--methods",
                                            "grad_cam",
                                            "--map-resolution",
                                            "native",
                                            "--splits",
                                            "test")))
                            .pending());
            assertEquals(
                    6,
                    StageRunner.run(
                                    spark,
                                    ExplainCommand.stage(options(
                                            new ExplainCommand(),
                                            "--methods",
                                            "grad_cam[layer=relu3]",
                                            "--splits",
                                            "test")))
                            .pending());
            Dataset<Row> cams = spark.read()
                    .format("delta")
                    .load(Tables.EXPLANATIONS.path(warehouse))
                    .where(col("method").equalTo("grad_cam").and(col("error").isNull()));
            Dataset<Row> small = cams.where(col("map_height").equalTo(16));
            assertEquals(5, small.count());
            for (Row r : small.collectAsList()) {
                assertEquals(
                        List.of(16, 16, 64, 64, 16 * 16 * 4),
                        List.of(
                                r.<Integer>getAs("map_height"),
                                r.<Integer>getAs("map_width"),
                                r.<Integer>getAs("input_height"),
                                r.<Integer>getAs("input_width"),
                                r.<byte[]>getAs("map").length));
            }
            List<Row> pairs = small.select(col("image_id"), Maps.column(cams).as("small"))
                    .join(
                            cams.where(col("map_height").equalTo(64))
                                    .select(col("image_id"), Maps.column(cams).as("full")),
                            "image_id")
                    .collectAsList();
            assertEquals(5, pairs.size());
            // the session's SQL functions read every stored form alike
            cams.createOrReplaceTempView("cams");
            List<Row> viaSql = spark.sql("SELECT image_id, map_height, xai_map(map, map_dtype, map_height, map_width,"
                            + " input_height, input_width) AS v, xai_map_png(map, map_dtype, map_height, map_width,"
                            + " input_height, input_width) AS png FROM cams")
                    .collectAsList();
            assertEquals(10, viaSql.size());
            for (Row r : viaSql) {
                assertEquals(64 * 64, r.getList(2).size(), "at input resolution, stored " + r.getInt(1));
                java.awt.image.BufferedImage png =
                        javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.<byte[]>getAs("png")));
                assertEquals(64, png.getWidth());
            }
            for (Row r : pairs) {
                assertEquals(64, Maps.height(r.getAs("full")));
                assertArrayEquals(
                        Maps.of(r, "full"), Maps.of(r, "small"), 0f, "upsampled on read = upsampled by the method");
            }
            evaluate("iou");
            assertEquals(
                    10,
                    spark.read()
                            .format("delta")
                            .load(Tables.METRICS.path(warehouse))
                            .where(col("metric")
                                    .equalTo("iou")
                                    .and(col("method").equalTo("grad_cam")))
                            .count(),
                    "the metrics read native maps at input resolution");
        } finally {
            warehouse = main;
        }
    }

    @Test
    @Order(32)
    void unitsOfALayerAreVisualisedOnTheExecutorsOnceEachAndDrawnAsAGrid() throws Exception {
        // a wrong layer or unit fails before Spark work, naming the valid ones
        IllegalArgumentException layer = assertThrows(
                IllegalArgumentException.class,
                () -> VisualiseCommand.stage(options(new VisualiseCommand(), "--layers", "relu9")));
        assertTrue(
                layer.getMessage()
                        .startsWith(
                                "Unknown layer for activation_max: relu9 (valid for fmnist-loc-cnn@1: logits, conv1"),
                layer.getMessage());
        IllegalArgumentException unit = assertThrows(
                IllegalArgumentException.class,
                () -> VisualiseCommand.stage(options(new VisualiseCommand(), "--layers", "relu3", "--units", "60-64")));
        assertEquals("Invalid unit of layer relu3 of fmnist-loc-cnn@1: 64 (valid: 0..63)", unit.getMessage());
        String[] args = {"--layers", "relu3,logits", "--units", "0-2", "--visualisation", "activation_max[steps=6]"};
        io.xaiscale.jobs.stage.VisualiseStage stage = VisualiseCommand.stage(options(new VisualiseCommand(), args));
        assertEquals(6, StageRunner.run(spark, stage).pending());
        assertEquals(
                0,
                StageRunner.run(spark, VisualiseCommand.stage(options(new VisualiseCommand(), args)))
                        .pending(),
                "a rerun does nothing");
        List<Row> rows = spark.read()
                .format("delta")
                .load(Tables.UNIT_VISUALISATIONS.path(warehouse))
                .orderBy("layer", "unit")
                .collectAsList();
        assertEquals(6, rows.size());
        for (Row r : rows) {
            assertNull(r.getAs("error"));
            java.awt.image.BufferedImage img =
                    javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(r.<byte[]>getAs("image")));
            assertEquals(List.of(64, 64), List.of(img.getWidth(), img.getHeight()));
            List<Double> trace = r.getList(r.fieldIndex("trace"));
            assertEquals(6, trace.size());
            assertTrue(Double.isFinite(r.<Double>getAs("activation")));
            assertTrue(r.<String>getAs("spec").startsWith("activation_max[blur_every=4,"), r.<String>getAs("spec"));
        }
        SqlRunner.registerViews(spark, warehouse);
        assertEquals(
                2,
                SqlRunner.run(spark, ROOT.resolve("notebooks-sql/over_training.sql"))
                        .count(),
                "over_training.sql: the visualised layers");
        List<java.nio.file.Path> grids = VisualiseCommand.grids(spark, stage, tmp.resolve("units"));
        assertEquals(2, grids.size());
        for (java.nio.file.Path g : grids) {
            assertTrue(javax.imageio.ImageIO.read(g.toFile()).getWidth() > 3 * 128, g.toString());
        }
    }

    @Test
    @Order(33)
    void dissectionScoresEveryUnitAgainstEveryClassAndAnyObjectOnceAndARerunReplacesIt() throws Exception {
        IllegalArgumentException layer = assertThrows(
                IllegalArgumentException.class,
                () -> DissectCommand.settings(
                        options(new DissectCommand(), "--layer", "relu9"), Plan.of(options(new DissectCommand()))));
        assertTrue(
                layer.getMessage().startsWith("Unknown layer for dissect: relu9 (valid for fmnist-loc-cnn@1: conv1"),
                layer.getMessage());
        IllegalArgumentException q = assertThrows(
                IllegalArgumentException.class,
                () -> DissectCommand.settings(
                        options(new DissectCommand(), "--quantile", "1"), Plan.of(options(new DissectCommand()))));
        assertEquals("Invalid --quantile: 1 (must be in [0.5, 1.0))", q.getMessage());
        io.xaiscale.config.Options o =
                options(new DissectCommand(), "--layer", "relu3", "--quantile", "0.9", "--sample-images", "8");
        Plan plan = Plan.of(o);
        DissectJob.Settings s = DissectCommand.settings(o, plan);
        DissectJob.Outcome outcome = DissectJob.run(spark, s, plan.card());
        assertEquals(64, outcome.topImages().size(), "each unit's strongest images");
        assertTrue(
                outcome.topImages().values().stream().allMatch(l -> !l.isEmpty() && l.size() <= DissectJob.TOP_IMAGES));
        Dataset<Row> d = spark.read().format("delta").load(Tables.UNIT_DISSECTION.path(warehouse));
        long rows = d.count();
        assertEquals(64, d.where(col("concept").equalTo(-1)).count(), "every unit against any object");
        assertTrue(rows > 64, "and against the classes of the images: " + rows);
        assertEquals(0, d.where(col("iou").lt(0).or(col("iou").gt(1))).count());
        assertTrue(d.where(col("iou").gt(0)).count() > 0, "some unit overlaps some object");
        DissectJob.run(spark, s, plan.card());
        assertEquals(
                rows,
                spark.read()
                        .format("delta")
                        .load(Tables.UNIT_DISSECTION.path(warehouse))
                        .count(),
                "a rerun replaces");
        SqlRunner.registerViews(spark, warehouse);
        assertEquals(
                64,
                SqlRunner.run(spark, ROOT.resolve("notebooks-sql/dissection.sql"))
                        .count());
        java.nio.file.Path picture = DissectCommand.draw(spark, o, plan, s, outcome, tmp.resolve("dissection"));
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(picture.toFile());
        assertEquals(4 + DissectJob.TOP_IMAGES * (128 + 4), img.getWidth(), "a row of a unit's strongest images");
    }

    @Test
    @Order(34)
    void monteCarloDropoutGivesUncertaintyPerImageAndAModelWithoutDropoutSaysSo() throws Exception {
        String[] args = {"--passes", "4"};
        Dataset<Row> images = spark.read().format("delta").load(Tables.IMAGES.path(warehouse));
        long all = images.count();
        long bad = images.where(col("error").isNotNull()).count();
        assertEquals(
                all,
                StageRunner.run(spark, UncertaintyCommand.stage(options(new UncertaintyCommand(), args)))
                        .pending());
        Dataset<Row> u = spark.read().format("delta").load(Tables.UNCERTAINTY.path(warehouse));
        assertEquals(all - bad, u.where(col("error").isNull()).count());
        assertEquals(bad, u.where(col("error").startsWith("image: ")).count(), "an image's error is its row's");
        for (Row r : u.where(col("error").isNull()).collectAsList()) {
            assertEquals(0.0, r.<Double>getAs("mutual_information"), 1e-5);
            assertEquals(0.0, r.<Double>getAs("prob_std"), 1e-6);
            assertTrue(r.<String>getAs("note").contains("has no dropout layer"), r.<String>getAs("note"));
        }
        assertEquals(
                0,
                StageRunner.run(spark, UncertaintyCommand.stage(options(new UncertaintyCommand(), args)))
                        .pending(),
                "a rerun does nothing");
        // the shipped dropout variant: its passes differ
        String[] dropout = {
            "--passes",
            "8",
            "--model",
            ROOT.resolve("models/fmnist-loc-cnn-dropout").toString()
        };
        StageRunner.run(spark, UncertaintyCommand.stage(options(new UncertaintyCommand(), dropout)));
        Dataset<Row> d = spark.read()
                .format("delta")
                .load(Tables.UNCERTAINTY.path(warehouse))
                .where(col("model_id")
                        .equalTo("fmnist-loc-cnn-dropout")
                        .and(col("error").isNull()));
        assertEquals(all - bad, d.count());
        assertEquals(0, d.where(col("note").isNotNull()).count());
        assertTrue(d.where(col("mutual_information").gt(0)).count() > 0, "dropout passes disagree somewhere");
        SqlRunner.registerViews(spark, warehouse);
        assertTrue(SqlRunner.run(spark, ROOT.resolve("notebooks-sql/uncertainty.sql"))
                        .count()
                > 0);
    }

    @Test
    @Order(35)
    void sparkMlStagesGiveTheJobsRowsOnADataFrameAndSaveAndLoadAsAPipeline() throws Exception {
        MlStagesScenario.run(spark, warehouse, source, ROOT, tmp);
    }

    @Test
    @Order(36)
    void theTablesRegisteredInAMetastoreRunEveryNotebookByNameFromAnotherJvm() throws Exception {
        CatalogScenario.run(spark, warehouse, ROOT, tmp);
    }
}
