package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Classifier;
import java.util.Arrays;

/**
 * Guided Integrated Gradients (Kapishnikov et al. 2021): an adaptive path from the baseline to the
 * input. At each of {@code steps} steps the gradient is taken where the path is, and the
 * {@code fraction} of features with the smallest absolute gradient move towards the input until the
 * path has covered {@code (step + 1) / steps} of its L1 length; no feature strays more than
 * {@code max_dist} (as a fraction of the way) from the straight line's point. The map is the sum over
 * the steps of {@code (x_after - x_before) * gradient}, so it sums to {@code f(x) - f(baseline)} up to
 * the Riemann error, and is exactly {@code w * (x - baseline)} on a linear model. The path of each
 * image is its own (a batch's gradients are taken together).
 */
public final class GuidedIntegratedGradients extends Explainer {
    public static final String NAME = "guided_ig";
    private static final double EPSILON = 1e-9;

    private final int steps;
    private final double fraction;
    private final double maxDist;
    private final Baseline baseline;

    public GuidedIntegratedGradients(ParamReader p) {
        super(NAME, p);
        this.steps = p.getInt("steps", 128, 1, 4096);
        this.fraction = p.getDouble("fraction", 0.25, 0.0, true, 1.0);
        this.maxDist = p.getDouble("max_dist", 0.02, 0.0, false, 1.0);
        this.baseline = p.getEnum("baseline", Baseline.ZERO, Baseline.class);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.GRADIENTS;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(steps);
    }

    @Override
    protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        Shape s = inputs.getShape();
        int n = (int) s.get(0);
        int per = (int) (s.size() / n);
        float[] in = inputs.toType(DataType.FLOAT32, false).toFloatArray();
        float[] base = baseline.of(inputs).toType(DataType.FLOAT32, false).toFloatArray();
        double[] x = new double[n * per];
        for (int j = 0; j < x.length; j++) {
            x[j] = base[j];
        }
        double[] total = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = i * per; j < (i + 1) * per; j++) {
                total[i] += Math.abs(in[j] - base[j]);
            }
        }
        double[] attr = new double[n * per];
        float[] point = new float[n * per];
        for (int step = 0; step < steps; step++) {
            for (int j = 0; j < x.length; j++) {
                point[j] = (float) x[j];
            }
            float[] grad;
            try (NDArray at = inputs.getManager().create(point, s)) {
                grad = model.inputGradient(at.toType(inputs.getDataType(), false), targets)
                        .toType(DataType.FLOAT32, false)
                        .toFloatArray();
            }
            for (int i = 0; i < n; i++) {
                advance(i * per, per, step, in, base, x, grad, total[i], attr);
            }
        }
        float[] out = new float[n * per];
        for (int j = 0; j < out.length; j++) {
            out[j] = (float) attr[j];
        }
        return inputs.getManager()
                .create(out, s)
                .toType(inputs.getDataType(), false)
                .sum(new int[] {1});
    }

    /** One step of one image's path ({@code per} features from {@code off}): moves {@code x}, adds to {@code attr}. */
    private void advance(
            int off,
            int per,
            int step,
            float[] in,
            float[] base,
            double[] x,
            float[] grad,
            double l1Total,
            double[] attr) {
        double alpha = (step + 1.0) / steps;
        double alphaMin = Math.max(alpha - maxDist, 0.0);
        double alphaMax = Math.min(alpha + maxDist, 1.0);
        double l1Target = l1Total * (1 - alpha);
        double[] g = new double[per];
        double[] xMax = new double[per];
        for (int j = 0; j < per; j++) {
            g[j] = Math.abs(grad[off + j]);
            xMax[j] = base[off + j] + (in[off + j] - base[off + j]) * alphaMax;
        }
        double[] old = new double[per];
        for (int round = 0; round <= per; round++) { // each round moves at least one feature to its bound, or ends
            System.arraycopy(x, off, old, 0, per);
            double l1 = 0;
            for (int j = 0; j < per; j++) {
                double range = in[off + j] - base[off + j];
                double a = range == 0 ? alphaMax : (x[off + j] - base[off + j]) / range;
                if (a < alphaMin) {
                    x[off + j] = base[off + j] + range * alphaMin;
                }
                l1 += Math.abs(x[off + j] - in[off + j]);
            }
            boolean done = Math.abs(l1 - l1Target) <= Math.max(EPSILON, EPSILON * Math.max(l1, l1Target));
            double gamma = Double.POSITIVE_INFINITY;
            boolean[] chosen = new boolean[per];
            if (!done) {
                double[] free = new double[per];
                int m = 0;
                for (int j = 0; j < per; j++) {
                    if (x[off + j] != xMax[j]) {
                        free[m++] = g[j];
                    }
                }
                if (m == 0) {
                    done = true;
                } else {
                    // the 'lower' quantile of all |g|, features at their bound counting as infinite
                    double[] sorted = Arrays.copyOf(free, per);
                    Arrays.fill(sorted, m, per, Double.POSITIVE_INFINITY);
                    Arrays.sort(sorted);
                    double threshold = sorted[(int) Math.floor(fraction * (per - 1))];
                    double l1Chosen = 0;
                    for (int j = 0; j < per; j++) {
                        chosen[j] = x[off + j] != xMax[j] && g[j] <= threshold;
                        if (chosen[j]) {
                            l1Chosen += Math.abs(x[off + j] - xMax[j]);
                        }
                    }
                    gamma = l1Chosen > 0 ? (l1 - l1Target) / l1Chosen : Double.POSITIVE_INFINITY;
                    for (int j = 0; j < per; j++) {
                        if (chosen[j]) {
                            x[off + j] = gamma > 1 ? xMax[j] : x[off + j] + (xMax[j] - x[off + j]) * gamma;
                        }
                    }
                }
            }
            for (int j = 0; j < per; j++) {
                attr[off + j] += (x[off + j] - old[j]) * grad[off + j];
            }
            if (done || gamma <= 1) {
                return;
            }
        }
    }
}
