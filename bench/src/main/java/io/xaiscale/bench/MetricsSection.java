package io.xaiscale.bench;

import static io.xaiscale.bench.Timing.medianMs;
import static io.xaiscale.bench.Timing.scoped;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Explainers;
import io.xaiscale.image.Box;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Metrics;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.List;

/** The bench's {@code metrics} section: each metric's cost per image in forward-pass equivalents. */
final class MetricsSection {
    private MetricsSection() {}

    /**
     * Each metric's cost per image in forward-pass equivalents, on the gradient maps of the batch
     * (metrics that re-run the method re-run the gradient; data randomisation uses the shipped
     * shuffled-label model).
     */
    static String section(Classifier model, NDArray x, int[] targets, String spec, double forward, int repeats) {
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
}
