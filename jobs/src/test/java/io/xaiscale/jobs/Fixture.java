package io.xaiscale.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xaiscale.config.Options;
import io.xaiscale.jobs.audit.Audit;
import io.xaiscale.jobs.audit.AuditConfig;
import io.xaiscale.jobs.audit.Gates;
import io.xaiscale.jobs.delta.Table;
import io.xaiscale.jobs.delta.Tables;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.ingest.IngestReport;
import io.xaiscale.jobs.session.Sessions;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.model.ModelCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the end-to-end scenarios share, built once per test JVM on first use (so any scenario runs alone
 * with {@code mvn -Dtest=...Scenario}): one Spark session ({@code local[2]}) and one warehouse as a
 * nightly audit leaves it. Its images are a small copy of the shipped sample (5 images, the truncated
 * file, a manifest, a text file), 3 benchmark images and 2 plain Fashion-MNIST items; every image is
 * explained with {@link #METHODS}, scored with {@link #METRICS} and {@link #MORE_METRICS}, methods paired
 * by the agreement stage, and an audit ({@code fixture-nightly}) ran twice: once green, once gated by an
 * injected regression of gradient's iou (then mended), so its findings table holds a regression.
 *
 * <p>The shared warehouse is read-only: a scenario that writes takes its own {@link #copy}; every
 * scenario has its own directories ({@link #dir}). {@link #built} holds what each build step returned,
 * for the scenario that checks a first run.
 */
final class Fixture {
    static final Path ROOT = repoRoot();
    static final Path MODEL = ROOT.resolve("models/fmnist-loc-cnn");
    static final String METHODS = "gradient,gradient_x_input,integrated_gradients[steps=4],smoothgrad[samples=2],"
            + "grad_cam,occlusion[window=16,stride=16]";
    static final String METRICS = "deletion_auc[steps=4],insertion_auc[steps=4],iou,pointing_game";
    static final String MORE_METRICS =
            "robustness[perturbation=noise,level=0.05],model_randomization[depth=2],sparseness";
    static final String FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

    /** What the build's steps returned, in order. */
    record Built(
            IngestReport ingest,
            long benchmarkImages,
            long rawItems,
            int modelLoads,
            StageRunner.Result explain,
            StageRunner.Result evaluate,
            StageRunner.Result moreMetrics,
            List<Integer> auditExits) {}

    private static Fixture shared;
    private static SparkSession spark;

    final Path tmp;
    final Path source;
    final Warehouse warehouse;
    final Built built;

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("models/fmnist-loc-cnn/model.json"))) {
            p = p.getParent();
        }
        return p;
    }

    /** The fixture, built by the first scenario that asks. */
    static synchronized Fixture get() throws Exception {
        if (shared == null) {
            shared = new Fixture();
        }
        return shared;
    }

    private Fixture() throws Exception {
        tmp = Files.createTempDirectory("xai-scenarios");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(tmp)));
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
        warehouse = new Warehouse(tmp.resolve("warehouse").toString(), source);
        built = build();
    }

    /** Milliseconds since the last call, printed with the step's name (stderr): where the fixture's time goes. */
    private long lap(String step, long since) {
        long now = System.nanoTime();
        System.err.printf("[fixture] %s: %.1f s%n", step, (now - since) / 1e9);
        return now;
    }

    private Built build() throws Exception {
        long t = System.nanoTime();
        SparkSession s = session();
        t = lap("Spark session", t);
        String wh = warehouse.path();
        IngestReport ingest = IngestJob.ingestFiles(
                s, wh, source.toString(), source.resolve("manifest.csv").toString(), "sample");
        long bench = IngestJob.ingestBenchmark(s, wh, FASHION_MNIST, "test", 3, 64, 5, 2);
        long raw = IngestJob.ingestRawFashionMnist(s, wh, FASHION_MNIST, "test", 2, 1);
        t = lap("ingest", t);
        int loadsBefore = ModelCache.loads();
        StageRunner.Result explain = warehouse.explain();
        int loads = ModelCache.loads() - loadsBefore;
        t = lap("explain", t);
        StageRunner.Result evaluate = warehouse.evaluate(METRICS);
        t = lap("evaluate", t);
        StageRunner.Result more = warehouse.evaluate(MORE_METRICS);
        t = lap("evaluate (robustness, sanity, complexity)", t);
        // the nightly audit: green, then gated by gradient's iou halved (a regression finding), then mended
        String yaml = warehouse.auditYaml(
                "fixture-nightly", "  - {gate: metric_change, metric: iou, method: gradient, max_worsening: 0.05}\n");
        int first = warehouse.audit(yaml, "fixture-1");
        String iou = "UPDATE delta.`" + Tables.METRICS.path(wh) + "` SET value = value * %s"
                + " WHERE metric = 'iou' AND method = 'gradient' AND value IS NOT NULL";
        s.sql(String.format(iou, "0.5"));
        int second = warehouse.audit(yaml, "fixture-2");
        s.sql(String.format(iou, "2"));
        lap("two audits", t);
        assertEquals(List.of(0, Gates.EXIT_GATED), List.of(first, second), "the fixture's audits");
        return new Built(ingest, bench, raw, loads, explain, evaluate, more, List.of(first, second));
    }

    /** The shared session; made again if a test stopped it (a command run in-process stops its session). */
    static synchronized SparkSession session() {
        if (spark == null || spark.sparkContext().isStopped()) {
            spark = Sessions.create("scenarios", "local[2]");
        }
        return spark;
    }

    /** A new directory of the scenario named {@code name}. */
    Path dir(String name) throws IOException {
        Path d = tmp.resolve("scenario").resolve(name);
        if (Files.exists(d)) {
            throw new IllegalStateException("scenario directory " + name + " taken twice");
        }
        return Files.createDirectories(d);
    }

    /** A copy of the shared warehouse for a scenario that writes (its tables' files are copied, a few MB). */
    Warehouse copy(String name) throws IOException {
        Path to = tmp.resolve("copies").resolve(name);
        if (Files.exists(to)) {
            throw new IllegalStateException("copy " + name + " taken twice");
        }
        Path from = Path.of(warehouse.path());
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return new Warehouse(to.toString(), source);
    }

    /** A new, empty warehouse of its own for a scenario. */
    Warehouse empty(String name) throws IOException {
        return new Warehouse(dir(name + "-warehouse").toString(), source);
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A warehouse of the scenarios (the shared one, a copy, or a scenario's own) and the image folder its
     * audits ingest; commands get the shipped model by default.
     */
    record Warehouse(String path, Path source) {
        SparkSession spark() {
            return session();
        }

        Dataset<Row> read(Table table) {
            return spark().read().format("delta").load(table.path(path));
        }

        long count(Table table) {
            return read(table).count();
        }

        /** {@code c}'s options for this warehouse and the shipped model (batches of 4), then {@code extra}. */
        Options options(Command c, String... extra) {
            String[] base = {"--warehouse", path, "--model", MODEL.toString(), "--batch-size", "4"};
            return c.options()
                    .parse(Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
        }

        /** The explain stage of {@link #METHODS} (or of the methods {@code extra} names). */
        ExplainStage explainStage(String... extra) throws Exception {
            String[] args = Stream.concat(Stream.of("--methods", METHODS), Stream.of(extra))
                    .toArray(String[]::new);
            return ExplainCommand.stage(options(new ExplainCommand(), args));
        }

        StageRunner.Result explain(String... extra) throws Exception {
            return StageRunner.run(spark(), explainStage(extra));
        }

        /** Evaluate with {@code metrics}, then method agreement (as the command runs them); the evaluate stage's result. */
        StageRunner.Result evaluate(String metrics) throws Exception {
            return StageRunner.runInOrder(
                            spark(), EvaluateCommand.stages(options(new EvaluateCommand(), "--metrics", metrics)))
                    .get(0);
        }

        /** An audit of the shipped model over this warehouse's images, with {@code gates} (YAML list items). */
        String auditYaml(String name, String gates) {
            return "name: " + name + "\n"
                    + "warehouse: " + path + "\n"
                    + "source: " + source + "\n"
                    + "manifest: " + source.resolve("manifest.csv") + "\n"
                    + "split: sample\n"
                    + "models: [" + MODEL + "]\n"
                    + "methods: [gradient]\n"
                    + "metrics: [iou]\n"
                    + "select: {sample_per_class: 2, seed: 3}\n"
                    + "gates:\n" + gates
                    + "options: {batch-size: 4, agreement: false}\n";
        }

        int audit(String yaml, String runId) throws Exception {
            return audit(yaml, runId, false);
        }

        int audit(String yaml, String runId, boolean full) throws Exception {
            AuditConfig config = AuditConfig.parse(yaml, "test.yaml");
            return Audit.run(spark(), config, yaml, AuditCommand.prepare(config), runId, full)
                    .exitCode();
        }
    }
}
