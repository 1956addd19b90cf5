package io.xaiscale.metric.faithfulness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.explain.gradient.Baseline;
import io.xaiscale.image.Blur;
import io.xaiscale.metric.Relevance;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import java.util.Arrays;
import java.util.List;

/**
 * Shared machinery of the faithfulness metrics: substrates (what removed pixels become), stacks of
 * masked copies, and the target score of every copy from one model pass per chunk of the model's
 * internal batch size.
 */
final class Perturbed {
    static final List<String> SUBSTRATES = List.of("zero", "mean", "blur");
    static final List<String> OUTPUTS = List.of("logit", "probability");

    private Perturbed() {}

    /** The substrate image for each input {@code [N, C, H, W]}: zeros, each image's mean colour, or its blur. */
    static NDArray substrate(String name, NDArray x, double blurSigma) {
        return switch (name) {
            case "zero" -> Baseline.ZERO.of(x);
            case "mean" -> Baseline.MEAN.of(x);
            case "blur" -> Blur.gaussian(x, blurSigma);
            default ->
                throw new IllegalArgumentException(
                        "Invalid substrate: " + name + " (valid: " + String.join(", ", SUBSTRATES) + ")");
        };
    }

    /**
     * {@code [N * points, C, H, W]}: copy k of image i is {@code from} where {@code masks[i][k]} is 0 and
     * {@code to} where it is 1; masks are {@code N x points x (H*W)}, flattened.
     */
    static NDArray blend(NDArray from, NDArray to, float[] masks, int points) {
        Shape s = from.getShape();
        long n = s.get(0);
        NDArray mask = from.getManager().create(masks, new Shape(n, points, 1, s.get(2), s.get(3)));
        return from.expandDims(1)
                .mul(mask.neg().add(1f))
                .add(to.expandDims(1).mul(mask))
                .reshape(new Shape(n * points, s.get(1), s.get(2), s.get(3)));
    }

    /**
     * Pixel indices cut into {@code groups} groups of (nearly) equal size, in the order of
     * {@code order}: group k is {@code order[k * hw / groups .. (k + 1) * hw / groups)}.
     */
    static int[][] groups(int[] order, int groups) {
        int hw = order.length;
        int[][] out = new int[groups][];
        for (int k = 0; k < groups; k++) {
            int from = (int) ((long) k * hw / groups);
            int to = (int) ((long) (k + 1) * hw / groups);
            out[k] = Arrays.copyOfRange(order, from, to);
        }
        return out;
    }

    /** Pixel indices from least to most relevant (the reverse of {@code Relevance.order}). */
    static int[] ascending(float[] relevance) {
        int[] desc = Relevance.order(relevance);
        int[] out = new int[desc.length];
        for (int i = 0; i < desc.length; i++) {
            out[i] = desc[desc.length - 1 - i];
        }
        return out;
    }

    /** The target class score of each of {@code per} consecutive copies per sample: {@code [N][per]}. */
    static float[][] scores(Classifier model, NDArray stack, int[] targets, int per, String output) {
        int n = targets.length;
        int[] rep = new int[n * per];
        for (int i = 0; i < n; i++) {
            Arrays.fill(rep, i * per, (i + 1) * per, targets[i]);
        }
        NDArray out = "probability".equals(output) ? model.probabilities(stack) : model.logitsNoGrad(stack);
        float[] p = out.mul(Autograd.oneHot(out, rep)).sum(new int[] {1}).toFloatArray();
        float[][] res = new float[n][per];
        for (int i = 0; i < n; i++) {
            System.arraycopy(p, i * per, res[i], 0, per);
        }
        return res;
    }
}
