package io.xaiscale.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Peak-memory probe of {@code xai bench}, run in a fresh JVM per method so that no earlier method
 * has grown libtorch's memory pool: prints one Markdown row with the growth of the peak resident
 * memory (the kernel's mark is reset through {@code /proc/self/clear_refs}) for batches of 1 to 64.
 * Arguments: model directory, internal batch size, Fashion-MNIST directory, method spec.
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    public static void main(String[] args) throws Exception {
        Explainer e = Explainers.fromString(args[3]);
        LocalizationBenchmark bench = new LocalizationBenchmark(FashionMnist.read(Path.of(args[2]), "test"), 64, 1);
        try (Classifier loaded = Classifier.load(Path.of(args[0]));
                NDManager m = NDManager.newBaseManager()) {
            Classifier model = loaded.withInternalBatchSize(Integer.parseInt(args[1]));
            BenchCommand.withReferences(e, bench, model);
            int hw = model.height() * model.width();
            float[] one = new float[model.channels() * hw];
            bench.sample(0).copyTo(one, 0);
            NDArray x = m.create(one, new Shape(1, model.channels(), model.height(), model.width()));
            int target = Autograd.argMax(model.logitsNoGrad(x))[0];
            e.attribute(model, x, new int[] {target}).toFloatArray(); // warm-up: libraries, per-model state
            StringBuilder row = new StringBuilder("| `" + e.spec() + "` |");
            for (int b : MemorySection.MEMORY_BATCHES) {
                try (NDManager s = m.newSubManager()) {
                    NDArray batch = x.repeat(0, b);
                    batch.attach(s);
                    int[] t = new int[b];
                    Arrays.fill(t, target);
                    System.gc();
                    long before = MemorySection.rssKb("VmRSS");
                    Files.writeString(Path.of("/proc/self/clear_refs"), "5");
                    e.attribute(model, batch, t).toFloatArray();
                    long peak = MemorySection.rssKb("VmHWM");
                    row.append(String.format(" %.0f MB |", Math.max(0, peak - before) / 1024.0));
                }
            }
            System.out.println(row);
        }
    }
}
