package io.xaiscale.explain;

import ai.djl.ndarray.NDArray;
import io.xaiscale.model.Autograd;
import java.util.Arrays;

/**
 * Which class each sample is explained for: given per sample, or the class the model predicts, chosen
 * by the logits of the method's own forward pass over the unchanged input when it has one (so a
 * predicted-class explanation costs no separate prediction pass), else by a prediction pass.
 */
public final class Targets {
    private static final Targets PREDICTED = new Targets(null);

    private final int[] classes;

    private Targets(int[] classes) {
        this.classes = classes;
    }

    /** Each sample's predicted class. */
    public static Targets predicted() {
        return PREDICTED;
    }

    /** These classes, one per sample. */
    public static Targets of(int... classes) {
        return new Targets(classes.clone());
    }

    /**
     * The class of rank {@code rank} (1 = most probable) of each sample of {@code logits} {@code [N, K]}
     * (ties: the lower class first, as arg max).
     */
    public static Targets ranked(NDArray logits, int rank) {
        int n = (int) logits.getShape().get(0);
        int k = (int) logits.getShape().get(1);
        if (rank < 1 || rank > k) {
            throw new IllegalArgumentException("Invalid rank " + rank + " (must be in [1, " + k + "])");
        }
        float[] v = logits.toFloatArray();
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            final int row = i * k;
            Integer[] order = new Integer[k];
            for (int c = 0; c < k; c++) {
                order[c] = c;
            }
            Arrays.sort(order, (a, b) -> v[row + a] != v[row + b] ? Float.compare(v[row + b], v[row + a]) : a - b);
            classes[i] = order[rank - 1];
        }
        return new Targets(classes);
    }

    public boolean isPredicted() {
        return classes == null;
    }

    /** The given classes, or null for the predicted ones (the form the gradient passes take). */
    public int[] givenOrNull() {
        return classes == null ? null : classes.clone();
    }

    /** The classes for a batch whose clean logits {@code [N, K]} are {@code logits}: the given ones, or the arg max. */
    public int[] from(NDArray logits) {
        return classes != null ? classes.clone() : Autograd.argMax(logits);
    }

    /** Fails, naming the sample and the valid range, when a given class is not one of the model's {@code numClasses}. */
    public void check(int samples, int numClasses) {
        if (classes == null) {
            return;
        }
        if (classes.length != samples) {
            throw new IllegalArgumentException(
                    "Invalid targets: " + classes.length + " class(es) for " + samples + " sample(s)");
        }
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] < 0 || classes[i] >= numClasses) {
                throw new IllegalArgumentException("Invalid target class for sample " + i + ": " + classes[i]
                        + " (must be in [0, " + (numClasses - 1) + "])");
            }
        }
    }

    @Override
    public String toString() {
        return classes == null ? "predicted" : Arrays.toString(classes);
    }
}
