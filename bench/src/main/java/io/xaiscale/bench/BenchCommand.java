package io.xaiscale.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.References;
import io.xaiscale.explain.TargetRule;
import io.xaiscale.image.Box;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.jobs.Command;
import io.xaiscale.jobs.Main;
import io.xaiscale.jobs.ingest.IngestJob;
import io.xaiscale.jobs.runtime.ModelRef;
import io.xaiscale.jobs.session.Sessions;
import io.xaiscale.jobs.stage.ExplainStage;
import io.xaiscale.jobs.stage.StageRunner;
import io.xaiscale.jobs.stage.StageSettings;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.Architectures;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;

/**
 * {@code xai bench}: per method, images per second and cost relative to one plain forward pass and
 * to one forward+backward pass on the same batch, measured in one run (ratios, not bare seconds,
 * because these machines are noisy), next to the method's ideal pass count. Writes a Markdown table.
 */
public final class BenchCommand implements Command {
    /** {@code ./xai bench [--option value ...]}: this command alone, outside the job jar. */
    public static void main(String[] args) throws Exception {
        System.exit(Main.run(new BenchCommand(), args));
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure each method's cost in forward / forward+backward passes; write docs/benchmarks.md";
    }

    @Override
    public Options options() {
        return new Options(name())
                .path("model", "models/fmnist-loc-cnn", "model directory")
                .add("methods", "all", "methods to measure ('all': every registered method with its defaults)")
                .add("batch-size", "16", "images per batch")
                .add("internal-batch-size", "64", "max samples per model pass inside a method")
                .add("repeats", "5", "timed repeats per method (median reported)")
                .add(
                        "metrics",
                        "all",
                        "metrics to measure on the batch's gradient maps ('all': every metric with its defaults; '': skip)")
                .add(
                        "torchscript-resnet18",
                        "bench-out/resnet18.pt",
                        "traced torchvision ResNet-18 for the model-format comparison "
                                + "(written by: /usr/bin/python3 common/src/test/python/make_fixtures.py --bench bench-out); skipped if absent")
                .path("fashion-mnist", FashionMnist.DEFAULT_DIR.toString(), "directory of the Fashion-MNIST idx files")
                .add(
                        "pipeline-seconds",
                        "30",
                        "in-process compute per method for the end-to-end comparison on Spark local[1] (0: skip)")
                .add(
                        "storage-images",
                        "2000",
                        "benchmark canvases explained and evaluated per map storage, and explained per decode-ahead"
                                + " setting, and through the explain job and the ML stage (the storage, decode and ml sections)")
                .add(
                        "sections",
                        String.join(",", SECTIONS),
                        "what to measure, a list of " + String.join(", ", SECTIONS)
                                + " (e.g. 'methods' for the method rows of your own model)")
                .add(
                        "out",
                        "auto",
                        "Markdown file to write ('' to print only; 'auto': docs/benchmarks.md for the shipped model with every"
                                + " section, else bench-out/benchmarks-<model id>.md)");
    }

    /** The sections of a bench run, in the order of the file. */
    static final List<String> SECTIONS =
            List.of("methods", "memory", "metrics", "formats", "storage", "decode", "ml", "pipeline");

    /** The repository's file: written only with the shipped model and every section. */
    static final Path REPOSITORY_FILE = Path.of("docs/benchmarks.md");

    /**
     * Where a run writes: {@code auto} is the repository's file for the shipped model with every
     * section, else {@code bench-out/benchmarks-<model id>.md}; the repository's file is refused for
     * another model or a part of the sections, so its figures stay one model's, measured together.
     */
    static Path outFor(String out, Path model, String modelId, List<String> sections) {
        boolean whole = sections.containsAll(SECTIONS);
        boolean shipped = model.toAbsolutePath().normalize().endsWith(Path.of("models", "fmnist-loc-cnn"));
        if (out.equals("auto")) {
            return shipped && whole ? REPOSITORY_FILE : Path.of("bench-out", "benchmarks-" + modelId + ".md");
        }
        Path p = Path.of(out);
        if (p.toAbsolutePath()
                        .normalize()
                        .equals(REPOSITORY_FILE.toAbsolutePath().normalize())
                && !(shipped && whole)) {
            throw new IllegalArgumentException("Invalid --out: " + out
                    + " (the repository's benchmarks hold the shipped"
                    + " model's figures, every section measured together; this run has model " + modelId
                    + " and sections "
                    + String.join(",", sections) + ": leave --out at auto to write bench-out/benchmarks-" + modelId
                    + ".md)");
        }
        return p;
    }

    @Override
    public void run(Options o) throws Exception {
        List<String> sections = new ArrayList<>();
        for (String part : o.get("sections").split(",")) {
            String section = part.strip();
            if (!SECTIONS.contains(section)) {
                throw new IllegalArgumentException(
                        "Invalid --sections: " + section + " (valid: " + String.join(", ", SECTIONS) + ")");
            }
            sections.add(section);
        }
        Path modelDir = Path.of(o.get("model"));
        // decided before anything runs: a wrong --out fails now, not after an hour of measuring
        Path out = o.get("out").isBlank()
                ? null
                : outFor(o.get("out"), modelDir, modelDir.getFileName().toString(), sections);
        int n = o.getInt("batch-size", 1, 4096);
        int repeats = o.getInt("repeats", 1, 1000);
        List<Explainer> methods = Explainers.listFromString(o.get("methods"));
        LocalizationBenchmark bench =
                new LocalizationBenchmark(FashionMnist.read(Path.of(o.get("fashion-mnist")), "test"), 64, 1);
        try (Classifier loaded = Classifier.load(Path.of(o.get("model")));
                NDManager m = NDManager.newBaseManager()) {
            Classifier model = loaded.withInternalBatchSize(o.getInt("internal-batch-size", 1, 65536));
            float[] data = new float[n * model.channels() * model.height() * model.width()];
            int hw = model.height() * model.width();
            for (int i = 0; i < n; i++) {
                bench.sample(i).copyTo(data, i * hw);
            }
            NDArray x = m.create(data, new Shape(n, model.channels(), model.height(), model.width()));
            // the specs as given: a spec that names the bench's own reference set would not run in a pipeline, which
            // draws its set from its warehouse
            Map<Explainer, String> given = new java.util.IdentityHashMap<>();
            methods.forEach(e -> given.put(e, e.spec()));
            methods.forEach(e -> withReferences(e, bench, model));
            int[] targets;
            try (GradMode off = GradMode.off()) {
                targets = Arrays.stream(model.logits(x).argMax(1).toLongArray())
                        .mapToInt(v -> (int) v)
                        .toArray();
            }
            Supplier<Object> forwardPass = () -> {
                try (GradMode off = GradMode.off()) {
                    return scoped(x, model::logits);
                }
            };
            Supplier<Object> gradientPass = () -> {
                return scoped(x, xs -> model.inputGradient(xs, targets));
            };
            double[] plain = interleavedMedianMs(Math.max(repeats, 5), forwardPass, gradientPass);
            double forward = plain[0];
            double backward = plain[1];
            List<String> rows = new ArrayList<>();
            Map<String, Double> inProcess = new LinkedHashMap<>();
            for (Explainer e :
                    sections.contains("methods") || sections.contains("pipeline") ? methods : List.<Explainer>of()) {
                // the plain passes are timed again next to each method: this machine's speed drifts over minutes
                double[] t = interleavedMedianMs(
                        repeats, forwardPass, gradientPass, () -> scoped(x, xs -> e.attribute(model, xs, targets)));
                double ms = t[2];
                String ideal = ideal(e, model);
                inProcess.put(given.get(e), n / (ms / 1000));
                String row = String.format(
                        "| `%s` | %.1f | %.1f | %.2f | %s |", e.spec(), n / (ms / 1000), ms / t[0], ms / t[1], ideal);
                rows.add(row);
                System.out.println(row);
            }
            String cpu = cpuModel();
            StringBuilder md = new StringBuilder();
            md.append("# Benchmarks\n\n");
            md.append("Written by `./xai bench` (")
                    .append(LocalDate.now())
                    .append("). In-process explainer cost on model ")
                    .append(model.card().key())
                    .append(" (")
                    .append(model.card().architecture())
                    .append(", input ")
                    .append(model.channels())
                    .append("x")
                    .append(model.height())
                    .append("x")
                    .append(model.width())
                    .append(").\n\n");
            md.append(String.format(
                    "Machine: %s, %d cores, Java %s, libtorch threads %s, native allocator %s. Batch %d images, internal batch %d, "
                            + "median of %d runs.%n%n",
                    cpu,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"),
                    nativeAllocator(),
                    n,
                    model.internalBatchSize(),
                    repeats));
            md.append(String.format(
                    "One plain forward pass of the batch: %.1f ms (%.0f images/s); forward+backward (input gradient): %.1f ms, "
                            + "%.2fx a forward.%n%n",
                    forward, n / (forward / 1000), backward, backward / forward));
            md.append(
                    "| method | images/s | cost / forward | cost / (forward+backward) | ideal passes |\n|---|---|---|---|---|\n");
            rows.forEach(r -> md.append(r).append('\n'));
            md.append(
                    "\nRatios are measured on the same batch against a forward and a forward+backward pass timed in turn with each "
                            + "method's runs (the median of each), so they hold across machines, and across this machine's drifting speed, "
                            + "better than the seconds do. "
                            + "'ideal passes' is what the method needs at the least: forward+backward passes (fb) for gradient methods, "
                            + "forward passes (f) for perturbation methods.\n");
            if (sections.contains("memory")) {
                md.append(memory(model, o.get("model"), methods));
            }
            if (sections.contains("metrics")) {
                md.append(metricCosts(model, x, targets, o.get("metrics"), forward, repeats));
            }
            if (sections.contains("formats")) {
                md.append(formats(Path.of(o.get("torchscript-resnet18")), repeats));
            }
            if (sections.contains("storage")) {
                md.append(MapStorageBench.section(o, model.card(), o.getInt("storage-images", 64, 100000)));
            }
            if (sections.contains("decode")) {
                md.append(DecodeAheadBench.section(o, model.card(), o.getInt("storage-images", 64, 100000)));
            }
            if (sections.contains("ml")) {
                md.append(MlStagesBench.section(o, model.card(), o.getInt("storage-images", 64, 100000)));
            }
            int pipelineSeconds = o.getInt("pipeline-seconds", 0, 3600);
            if (pipelineSeconds > 0 && sections.contains("pipeline")) {
                // the in-process rate is measured again right before and after each pipeline run: the machine's speed
                // drifts
                md.append(pipeline(o, inProcess, pipelineSeconds, spec -> {
                    Explainer e = withReferences(Explainers.fromString(spec), bench, model);
                    double ms = medianMsFor(3000, () -> scoped(x, xs -> e.attribute(model, xs, targets)));
                    return n / (ms / 1000);
                }));
            }
            if (out != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
                // keep the section deploy/standalone/bench-scaling.sh writes
                if (Files.exists(out)) {
                    String old = Files.readString(out);
                    int at = old.indexOf("\n## Scaling");
                    if (at >= 0) {
                        md.append(old.substring(at));
                    }
                }
                Files.writeString(out, md.toString());
                System.out.println("[bench] wrote " + out.toAbsolutePath());
            } else {
                System.out.println(md);
            }
        }
    }

    /**
     * At most this many canvases per method's run: enough that a cheap method's stage lasts seconds beyond
     * its tasks' own set-up (Parquet writer, Delta statistics, task commit), as in a job over a dataset.
     */
    static final int MAX_PIPELINE_IMAGES = 20000;

    /**
     * The same methods through the whole explain stage (decode, explain, Delta MERGE) on Spark
     * local[1], one task thread like the in-process run, over benchmark canvases.
     */
    static String pipeline(Options o, Map<String, Double> inProcess, int seconds, ToDoubleFunction<String> inProcessNow)
            throws Exception {
        SparkSession spark = Sessions.create("xai-bench", "local[1]");
        StringBuilder md = new StringBuilder();
        try {
            ModelCard card = ModelCard.read(Path.of(o.get("model")));
            md.append(String.format(
                    "%n## End to end: explain stage on Spark local[1] versus in-process%n%n"
                            + "Per method, as many benchmark canvases as take about %d s in process (64 to "
                            + MAX_PIPELINE_IMAGES + "), batch %s, one task "
                            + "thread (the in-process figures above also use one libtorch thread), a new explanations table, after one "
                            + "discarded warm-up run (the first job of a JVM also compiles Spark's, Parquet's and Delta's code paths). "
                            + "'in-process' is measured on the benchmark batch right before and right after each method's run (the mean "
                            + "of the two; this machine's speed drifts). 'job' is the whole run: reading the images table, finding the "
                            + "pending work, decoding, explaining, writing Parquet and committing to Delta, so it carries a fixed cost of "
                            + "a few seconds per run (query planning, the Delta log, the commit) that a longer run spreads thinner. "
                            + "'stage' is the Spark stage that decodes, explains and writes the rows: the per-image cost, which is what a "
                            + "job over millions of images runs at. 'explainer / stage' is the share of that stage the explainers' own "
                            + "calls took (timed inside the tasks, recorded in each row's `runtime_ms`): measured in the same run, it "
                            + "does not drift with the machine, and the rest is decoding, copying maps and writing rows.%n%n"
                            + "| method | images | in-process images/s | job images/s | job / in-process | stage images/s | stage / in-process "
                            + "| explainer / stage | fixed s |%n"
                            + "|---|---|---|---|---|---|---|---|---|%n",
                    seconds,
                    o.get("batch-size")));
            // one discarded run first: the first job of a JVM also compiles Spark's, Parquet's and Delta's code paths
            // (measured: the first method's stage ran at 66-80% of in-process, the same method second at 89%)
            var first = inProcess.entrySet().iterator().next();
            System.out.println("[bench] warm-up pipeline run (not recorded): " + first.getKey());
            StageRunner.run(spark, pipelineRun(spark, o, card, first.getKey(), (int)
                    Math.max(64, Math.min(2000, Math.round(seconds / 3.0 * first.getValue())))));
            for (var e : inProcess.entrySet()) {
                int images = (int) Math.max(64, Math.min(MAX_PIPELINE_IMAGES, Math.round(seconds * e.getValue())));
                StageRunner.Result r;
                double before;
                try {
                    ExplainStage s = pipelineRun(spark, o, card, e.getKey(), images);
                    before = inProcessNow.applyAsDouble(e.getKey());
                    r = StageRunner.run(spark, s);
                } catch (RuntimeException ex) { // one method's failure is its row, not the end of an hour's run
                    String row = "| `" + e.getKey() + "` | failed: "
                            + ex.getMessage().replace('|', '/') + " |";
                    System.out.println(row);
                    md.append(row).append('\n');
                    continue;
                }
                double local = (before + inProcessNow.applyAsDouble(e.getKey())) / 2;
                double rate = r.pending() / r.seconds();
                double stageSeconds = r.stageSeconds();
                double stageRate = r.pending() / stageSeconds;
                String row = String.format(
                        "| `%s` | %d | %.1f | %.1f | %.0f%% | %.1f | %.0f%% | %.0f%% | %.1f |",
                        e.getKey(),
                        images,
                        local,
                        rate,
                        100 * rate / local,
                        stageRate,
                        100 * stageRate / local,
                        100 * r.workSeconds() / stageSeconds,
                        r.seconds() - stageSeconds);
                System.out.println(row);
                md.append(row).append('\n');
            }
        } finally {
            spark.stop();
        }
        return md.toString();
    }

    /** A new warehouse of {@code images} benchmark canvases and the settings that explain them with {@code spec}. */
    static ExplainStage pipelineRun(SparkSession spark, Options o, ModelCard card, String spec, int images)
            throws IOException {
        return pipelineRun(spark, o, card, List.of(spec), images, io.xaiscale.jobs.delta.Maps.Storage.DEFAULT, 64);
    }

    /**
     * A new warehouse of {@code images} benchmark canvases ({@code canvas} pixels a side, resized to the
     * model's input when they differ) and the settings that explain them with {@code specs}.
     */
    static ExplainStage pipelineRun(
            SparkSession spark,
            Options o,
            ModelCard card,
            List<String> specs,
            int images,
            io.xaiscale.jobs.delta.Maps.Storage storage,
            int canvas)
            throws IOException {
        Path wh = Files.createTempDirectory("xai-bench-warehouse");
        IngestJob.ingestBenchmark(spark, wh.toString(), o.get("fashion-mnist"), "test", images, canvas, 1, 1);
        StageSettings stage = new StageSettings(
                wh.toString(),
                new ModelRef(o.get("model"), card.key(), null, o.getInt("internal-batch-size", 1, 65536)),
                o.getInt("batch-size", 1, 4096),
                1,
                Long.MAX_VALUE,
                false);
        return new ExplainStage(
                new ExplainStage.Settings(
                        stage, specs, List.of(TargetRule.PREDICTED), io.xaiscale.jobs.stage.Selection.ALL, storage),
                card);
    }

    /**
     * Peak resident memory added by one batch, per batch size, for the heaviest methods: the kernel's
     * peak-RSS mark is reset ({@code /proc/self/clear_refs}) before each run and read after it.
     */
    /**
     * Each metric's cost per image in forward-pass equivalents, on the gradient maps of the batch
     * (metrics that re-run the method re-run the gradient; data randomisation uses the shipped
     * shuffled-label model).
     */
    static String metricCosts(Classifier model, NDArray x, int[] targets, String spec, double forward, int repeats) {
        if (spec.isBlank()) {
            return "";
        }
        List<Metric> metrics = Metrics.listFromString(spec);
        Explainer gradient = Explainers.fromString("gradient");
        int n = targets.length;
        int hw = model.height() * model.width();
        float[] flat;
        flat = scoped(x, xs -> gradient.attribute(model, xs, targets));
        float[][] maps = new float[n][];
        Box[] boxes = new Box[n];
        for (int i = 0; i < n; i++) {
            maps[i] = Arrays.copyOfRange(flat, i * hw, (i + 1) * hw);
            boxes[i] = new Box(16, 16, 48, 48);
        }
        StringBuilder md = new StringBuilder(String.format(
                "%n## Metric cost%n%nPer image, in forward passes of one image "
                        + "(batch %d, the gradient maps of the batch above, a 32x32 box); the faithfulness metrics need about their number of "
                        + "perturbed copies, robustness and sanity checks re-run the method (here the gradient: 1 fb).%n%n"
                        + "| metric | ms per image | cost / forward per image |%n|---|---|---|%n",
                n));
        for (Metric metric : metrics) {
            double ms;
            try {
                ms = medianMs(repeats, () -> {
                    try (NDManager s = x.getManager().newSubManager()) {
                        NDArray xs = x.duplicate();
                        xs.attach(s);
                        EvalBatch b =
                                EvalBatch.of(model, xs, maps, targets, boxes).withMethod(gradient);
                        return metric.evaluateAll(b);
                    }
                });
            } catch (RuntimeException e) {
                md.append("| `")
                        .append(metric.spec())
                        .append("` | failed: ")
                        .append(e.getMessage())
                        .append(" | |\n");
                continue;
            }
            String row = String.format("| `%s` | %.2f | %.1f |", metric.spec(), ms / n, ms / forward);
            md.append(row).append('\n');
            System.out.println(row);
        }
        return md.toString();
    }

    /** Methods whose cost is timed on ResNet-18 too: the propagation engine's, where rule arithmetic meets real convolutions. */
    static final List<String> RESNET_METHODS = List.of(
            "gradient",
            "guided_backprop",
            "deconvnet",
            "lrp",
            "lrp[composite=epsilon_plus]",
            "lrp[composite=epsilon_gamma_box]",
            "lrp[composite=epsilon_alpha2_beta1]",
            "deeplift",
            "grad_cam",
            "guided_grad_cam");

    /**
     * ResNet-18 at 224x224, batch 8: forward and forward+backward (input gradient) throughput of the
     * project's imported (state-dict) DJL blocks and, when the traced file exists, of the same
     * architecture as a TorchScript module; then the propagation methods' cost on the imported one.
     */
    static String formats(Path torchscript, int repeats) throws Exception {
        StringBuilder md = new StringBuilder(String.format("%n## Model formats: ResNet-18 at 224x224%n%n"));
        int n = 8;
        List<String> classes = new ArrayList<>();
        for (int k = 0; k < 1000; k++) {
            classes.add("c" + k);
        }
        ModelCard.Input in = new ModelCard.Input(3, 224, 224);
        ModelCard.Preprocessing pre = new ModelCard.Preprocessing(
                "bilinear", new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
        Architectures.Built built = Architectures.build("resnet18", 1000);
        Model djl = Model.newInstance("resnet18-sd", "PyTorch");
        djl.setBlock(built.block());
        built.block().initialize(djl.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 224, 224));
        built.block().freezeParameters(true);
        boolean haveScript = Files.isRegularFile(torchscript);
        md.append(String.format(
                "Batch %d, median of %d runs, same machine and threads as above, random weights. The imported model is the "
                        + "project's torchvision-compatible DJL ResNet-18 (what a state_dict loads into); the TorchScript module is torchvision's, "
                        + "traced (written by `make_fixtures.py --bench`).%n%n| format | forward images/s | forward+backward images/s | fb / f |%n|---|---|---|---|%n",
                n, repeats));
        List<Classifier> models = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            models.add(Classifier.of(
                    new ModelCard(
                            "resnet18-sd",
                            "bench",
                            ModelCard.STATE_DICT,
                            "resnet18",
                            "none.npz",
                            null,
                            in,
                            pre,
                            classes,
                            null,
                            null,
                            null),
                    djl,
                    built));
            if (haveScript) {
                Path dir = Files.createTempDirectory("xai-ts");
                Files.createSymbolicLink(dir.resolve("model.pt"), torchscript.toAbsolutePath());
                new ModelCard(
                                "resnet18-ts",
                                "bench",
                                ModelCard.TORCHSCRIPT,
                                null,
                                null,
                                null,
                                "model.pt",
                                null,
                                in,
                                pre,
                                classes,
                                null,
                                null,
                                null)
                        .write(dir);
                models.add(Classifier.load(dir));
            }
            float[] data = new float[n * 3 * 224 * 224];
            Random rnd = new Random(1);
            for (int i = 0; i < data.length; i++) {
                data[i] = rnd.nextFloat();
            }
            NDArray x = m.create(data, new Shape(n, 3, 224, 224));
            int[] t = new int[n];
            for (Classifier c : models) {
                double f = medianMs(repeats, () -> scoped(x, c::logitsNoGrad));
                double fb = medianMs(repeats, () -> scoped(x, xs -> c.inputGradient(xs, t)));
                String row = String.format(
                        "| %s | %.1f | %.1f | %.2f |",
                        c.isScripted() ? "TorchScript (.pt)" : "imported state_dict (DJL blocks)",
                        n / (f / 1000),
                        n / (fb / 1000),
                        fb / f);
                md.append(row).append('\n');
                System.out.println(row);
            }
            if (!haveScript) {
                md.append("\nTorchScript row skipped: no traced ResNet-18 at ")
                        .append(torchscript)
                        .append(
                                " (write one with `/usr/bin/python3 common/src/test/python/make_fixtures.py --bench bench-out`).\n");
            }
            md.append(
                    String.format(
                            "%n### Propagation methods on the imported ResNet-18%n%nSame batch; cost against the plain passes "
                                    + "of this model, timed in turn with each method. On the small shipped CNN the rules' element-wise arithmetic on "
                                    + "activations weighs about as much as its small convolutions; here the convolutions dominate, as in the models "
                                    + "people audit.%n%n| method | ms per batch | cost / forward | cost / (forward+backward) | ideal passes |%n|---|---|---|---|---|%n"));
            Classifier imported = models.get(0);
            for (String spec : RESNET_METHODS) {
                Explainer e = Explainers.fromString(spec);
                double[] ms = interleavedMedianMs(
                        repeats,
                        () -> scoped(x, imported::logitsNoGrad),
                        () -> scoped(x, xs -> imported.inputGradient(xs, t)),
                        () -> scoped(x, xs -> e.attribute(imported, xs, t)));
                String row = String.format(
                        "| `%s` | %.0f | %.2f | %.2f | %s |",
                        e.spec(), ms[2], ms[2] / ms[0], ms[2] / ms[1], ideal(e, imported));
                md.append(row).append('\n');
                System.out.println(row);
            }
        } finally {
            models.forEach(Classifier::close);
        }
        return md.toString();
    }

    static final int[] MEMORY_BATCHES = {1, 8, 16, 32, 64};

    static String memory(Classifier model, String modelDir, List<Explainer> methods) {
        if (!Files.isWritable(Path.of("/proc/self/clear_refs"))) {
            return "";
        }
        StringBuilder md = new StringBuilder(String.format(
                "%n## Peak memory per batch size%n%n"
                        + "Growth of the peak resident memory (heap and libtorch's native memory) of a fresh JVM, one per method, while it "
                        + "explains batches of 1, 8, ... 64 images in turn, internal batch %d. Use it to size executors: a task needs about "
                        + "this much on top of the JVM and the model; tasks of one executor run their gradient work in parallel, each with its own batch. libtorch's "
                        + "allocator keeps memory freed by a smaller batch for the next one, so read the largest batch you will run. LIME and "
                        + "RISE work image by image in their own scopes: their memory does not grow with the batch.%n%n"
                        + "| method | batch 1 | batch 8 | batch 16 | batch 32 | batch 64 |%n|---|---|---|---|---|---|%n",
                model.internalBatchSize()));
        for (Explainer e : methods) {
            if (List.of("lime", "rise").contains(e.name())) {
                continue;
            }
            String row = probe(modelDir, e.spec(), model.internalBatchSize());
            md.append(row).append('\n');
            System.out.println(row);
        }
        return md.toString();
    }

    /**
     * {@code e} with its reference set when it needs one (the SHAP family): the benchmark's images from
     * index 1000 on, apart from the measured batch; the set's id names its size, so a child JVM given
     * the spec builds the same set.
     */
    static Explainer withReferences(Explainer e, LocalizationBenchmark bench, Classifier model) {
        References.Need need = e.referenceNeed();
        if (need == null) {
            return e;
        }
        int per = model.channels() * model.height() * model.width();
        float[] pixels = new float[need.count() * per];
        for (int k = 0; k < need.count(); k++) {
            bench.sample(1000 + k).copyTo(pixels, k * per);
        }
        e.use(new References(
                "bench-" + need.count(), need.count(), model.channels(), model.height(), model.width(), pixels));
        return e;
    }

    /** Runs {@link MemoryProbe} for one method in a child JVM with this JVM's class path and DJL settings. */
    static String probe(String modelDir, String spec, int internalBatch) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g"));
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("ai.djl."))
                .sorted()
                .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                MemoryProbe.class.getName(),
                modelDir,
                String.valueOf(internalBatch),
                FashionMnist.DEFAULT_DIR.toString(),
                spec));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines()
                    .filter(l -> l.startsWith("| `"))
                    .reduce((x, y) -> y)
                    .orElse("| `" + spec + "` | probe failed: "
                            + out.lines().reduce((x, y) -> y).orElse("no output") + " |");
        } catch (Exception ex) {
            return "| `" + spec + "` | probe failed: " + ex + " |";
        }
    }

    static long rssKb(String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith(field + ":")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** The method's own declared least cost per image ({@link Explainer#cost}). */
    static String ideal(Explainer e, Classifier model) {
        return e.cost(model).toString();
    }

    /**
     * Median milliseconds of each body, the bodies run in turn in every repeat (after one warm-up
     * round), so that a slow minute of the machine weighs on all of them alike.
     */
    @SafeVarargs
    static double[] interleavedMedianMs(int repeats, Supplier<Object>... bodies) {
        for (Supplier<Object> b : bodies) {
            b.get();
        }
        double[][] t = new double[bodies.length][repeats];
        for (int r = 0; r < repeats; r++) {
            for (int k = 0; k < bodies.length; k++) {
                long t0 = System.nanoTime();
                bodies[k].get();
                t[k][r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double[] out = new double[bodies.length];
        for (int k = 0; k < bodies.length; k++) {
            Arrays.sort(t[k]);
            out[k] = t[k][repeats / 2];
        }
        return out;
    }

    /**
     * {@code f} on a copy of {@code x} in a scope of its own, as floats: every array the call makes
     * (they attach to their input's manager) is freed when it returns, so repeated timings keep no memory.
     */
    static float[] scoped(NDArray x, UnaryOperator<NDArray> f) {
        try (NDManager s = x.getManager().newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(s);
            return f.apply(xs).toFloatArray();
        }
    }

    /** Median milliseconds of {@code body} over at least three runs and about {@code budgetMs} (after a warm-up run). */
    static double medianMsFor(long budgetMs, Supplier<Object> body) {
        body.get();
        List<Double> t = new ArrayList<>();
        long start = System.nanoTime();
        while (t.size() < 3 || ((System.nanoTime() - start) / 1e6 < budgetMs && t.size() < 50)) {
            long t0 = System.nanoTime();
            body.get();
            t.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(t);
        return t.get(t.size() / 2);
    }

    static double medianMs(int repeats, Supplier<Object> body) {
        body.get(); // warm-up
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            body.get();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    /** tcmalloc when the launcher preloaded it (deploy/allocator.sh), else glibc's malloc. */
    static String nativeAllocator() {
        String preload = System.getenv().getOrDefault("LD_PRELOAD", "");
        return preload.contains("tcmalloc") ? "tcmalloc (preloaded)" : "glibc malloc";
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
