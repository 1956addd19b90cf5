package io.xaiscale.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Box;
import io.xaiscale.image.FashionMnist;
import io.xaiscale.image.LocalizationBenchmark;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Resident memory over many Spark-like tasks in one JVM: each task takes its own view of one loaded
 * model at an internal batch size (16, 64, 256 in turn, as {@code TaskSetup} gives every task), runs
 * LRP, DeepLIFT and guided backprop on a batch of canvases and the cascading model-randomisation
 * check on the guided-backprop maps; prints the resident set (VmRSS) and the model's native array
 * count after the first round of sizes and every 30 tasks. Arguments: model directory, tasks,
 * Fashion-MNIST directory. Run with one libtorch thread.
 */
public final class TaskViewsProbe {
    static final int[] SIZES = {16, 64, 256};
    static final int BATCH = 8;

    private TaskViewsProbe() {}

    public static void main(String[] args) throws Exception {
        int tasks = Integer.parseInt(args[1]);
        LocalizationBenchmark bench = new LocalizationBenchmark(FashionMnist.read(Path.of(args[2]), "test"), 64, 1);
        List<Explainer> methods = List.of(
                Explainers.fromString("lrp[composite=epsilon_plus]"),
                Explainers.fromString("deeplift"),
                Explainers.fromString("guided_backprop"));
        Metric randomization = Metrics.fromString("model_randomization[depth=2]");
        try (Classifier loaded = Classifier.load(Path.of(args[0]));
                NDManager m = NDManager.newBaseManager()) {
            int hw = loaded.height() * loaded.width();
            float[] pixels = new float[BATCH * loaded.channels() * hw];
            for (int i = 0; i < BATCH; i++) {
                bench.sample(i).copyTo(pixels, i * loaded.channels() * hw);
            }
            System.out.println("| tasks | VmRSS | model's native arrays |");
            System.out.println("|---|---|---|");
            for (int k = 0; k < tasks; k++) {
                Classifier view = loaded.withInternalBatchSize(SIZES[k % SIZES.length]);
                try (NDManager s = m.newSubManager()) {
                    NDArray x = s.create(pixels, new Shape(BATCH, view.channels(), view.height(), view.width()));
                    int[] t = Autograd.argMax(view.logitsNoGrad(x));
                    float[] last = null;
                    for (Explainer e : methods) {
                        last = e.attribute(view, x, t).toFloatArray();
                    }
                    float[][] maps = new float[BATCH][];
                    for (int i = 0; i < BATCH; i++) {
                        maps[i] = Arrays.copyOfRange(last, i * hw, (i + 1) * hw);
                    }
                    randomization.evaluateAll(
                            EvalBatch.of(view, x, maps, t, new Box[BATCH]).withMethod(methods.get(2)));
                }
                int done = k + 1;
                if (done == SIZES.length || done % 30 == 0 || done == tasks) {
                    System.gc();
                    System.out.printf(
                            "| %d | %.0f MB | %d |%n",
                            done,
                            MemorySection.rssKb("VmRSS") / 1024.0,
                            loaded.manager().getManagedArrays().size());
                }
            }
        }
    }
}
