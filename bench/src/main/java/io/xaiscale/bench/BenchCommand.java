package io.xaiscale.bench;

import static io.xaiscale.bench.Machine.cpuModel;
import static io.xaiscale.bench.Machine.nativeAllocator;
import static io.xaiscale.bench.Timing.interleavedMedianMs;
import static io.xaiscale.bench.Timing.medianMsFor;
import static io.xaiscale.bench.Timing.scoped;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Options;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.explain.References;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.jobs.Command;
import io.xaiscale.jobs.Main;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

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
                .path("vit", "models/fmnist-loc-vit", "the small ViT of the transformers section")
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
            List.of("methods", "memory", "metrics", "formats", "transformers", "storage", "decode", "ml", "pipeline");

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
        List<Explainer> methods = Explainers.listFor(o.get("methods"), ModelCard.read(Path.of(o.get("model"))));
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
            Map<Explainer, String> given = new IdentityHashMap<>();
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
                        "| `%s` | %s | %.1f | %.2f | %s |",
                        e.spec(), Timing.sig3(n / (ms / 1000)), ms / t[0], ms / t[1], ideal);
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
                md.append(MemorySection.section(model, o.get("model"), methods));
            }
            if (sections.contains("metrics")) {
                md.append(MetricsSection.section(model, x, targets, o.get("metrics"), forward, repeats));
            }
            if (sections.contains("formats")) {
                md.append(FormatsSection.section(Path.of(o.get("torchscript-resnet18")), repeats));
            }
            if (sections.contains("transformers")) {
                md.append(TransformersSection.section(Path.of(o.get("vit")), bench, repeats));
            }
            if (sections.contains("storage")) {
                md.append(StorageSection.section(o, model.card(), o.getInt("storage-images", 64, 100000)));
            }
            if (sections.contains("decode")) {
                md.append(DecodeSection.section(o, model.card(), o.getInt("storage-images", 64, 100000)));
            }
            if (sections.contains("ml")) {
                md.append(MlSection.section(o, model.card(), o.getInt("storage-images", 64, 100000)));
            }
            int pipelineSeconds = o.getInt("pipeline-seconds", 0, 3600);
            if (pipelineSeconds > 0 && sections.contains("pipeline")) {
                // the in-process rate is measured again right before and after each pipeline run: the machine's speed
                // drifts
                md.append(PipelineSection.section(o, inProcess, pipelineSeconds, spec -> {
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

    /** The method's own declared least cost per image ({@link Explainer#cost}). */
    static String ideal(Explainer e, Classifier model) {
        return e.cost(model).toString();
    }
}
