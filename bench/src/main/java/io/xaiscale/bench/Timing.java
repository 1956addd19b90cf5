package io.xaiscale.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** How the bench times a body: medians, bodies in turn, each call in a scope of its own. */
final class Timing {
    private Timing() {}

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

    /** {@code v} with three significant digits, as plain text: 0.347, 12.3, 1230 (slow methods read 0.347, not 0.3). */
    static String sig3(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return String.valueOf(v);
        }
        return new java.math.BigDecimal(v)
                .round(new java.math.MathContext(3))
                .stripTrailingZeros()
                .toPlainString();
    }
}
