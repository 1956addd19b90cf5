package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The one place that runs backward passes, on any number of threads at once. DJL allows one open
 * {@code GradientCollector} per JVM (a JVM-wide flag), but what a backward pass needs is per thread:
 * libtorch's grad mode is thread-local and a backward pass walks only its own graph. So each pass
 * switches grad mode on for its own thread, runs its forward on a fresh leaf, calls libtorch's
 * backward on its own output and restores the thread's mode, also when the body throws; the model's
 * weights are frozen (no gradient is accumulated into shared arrays). Task threads of one executor
 * thus share one model and run their gradient work in parallel ({@code ConcurrencyTest}: maps equal
 * to one thread's, a fault in one thread leaves the others intact, no native memory kept).
 */
public final class Autograd {
    private Autograd() {}

    /**
     * Gradient of {@code sum_i f(x)[i, targets[i]]} with respect to {@code x}, evaluated on a fresh
     * leaf copy of {@code x} (so gradients never accumulate across calls). Because sample i's score
     * depends only on sample i, row i of the result is that sample's own input gradient.
     *
     * @param f maps {@code [N, ...]} to scores {@code [N, K]}
     * @return gradient with the shape of {@code x}, attached to {@code x}'s manager
     */
    public static NDArray targetGradient(UnaryOperator<NDArray> f, NDArray x, int[] targets) {
        return gradient(f, x, targets).gradient();
    }

    /** A gradient and the scores {@code [N, K]} of the same forward pass. */
    public record Pass(NDArray gradient, NDArray scores) {}

    /** {@link #targetGradient} with the scores of the same pass; {@code targets} null takes each sample's highest score. */
    public static Pass gradient(UnaryOperator<NDArray> f, NDArray x, int[] targets) {
        NDArray[] r = gradientThen(f, x, targets, () -> new NDArray[0]);
        return new Pass(r[0], r[1]);
    }

    /**
     * {@link #gradient}, then {@code after} inside the pass's scope, where the gradients of leaves the
     * forward pass made (an {@link AttentionCapture}'s) are readable: returns the input gradient, the
     * scores, then {@code after}'s arrays (detached, on {@code x}'s manager).
     */
    public static NDArray[] gradientThen(
            UnaryOperator<NDArray> f, NDArray x, int[] targets, Supplier<NDArray[]> after) {
        if (targets != null && targets.length != x.getShape().get(0)) {
            throw new IllegalArgumentException("Invalid targets: " + targets.length + " targets for a batch of "
                    + x.getShape().get(0) + " (need one per sample)");
        }
        return backward(
                x,
                leaf -> {
                    NDArray scores = f.apply(leaf);
                    int[] t = targets != null ? targets : argMax(scores);
                    return new NDArray[] {scores.mul(oneHot(scores, t)).sum(), scores};
                },
                after);
    }

    /**
     * Vector-Jacobian product {@code d sum(f(x) * cotangent) / d x}: the chain rule through {@code f}
     * for the signal {@code cotangent} at its output (the building block of the propagation engine).
     * With {@code cotangent} all ones it is the gradient of the sum of {@code f}'s outputs.
     */
    public static NDArray vjp(UnaryOperator<NDArray> f, NDArray x, NDArray cotangent) {
        return backward(x, leaf -> new NDArray[] {f.apply(leaf).mul(cotangent).sum()}, () -> new NDArray[0])[0];
    }

    /**
     * The one backward pass: with grad mode on for this thread, {@code body} runs on a fresh leaf copy
     * of {@code x} (so gradients never accumulate across calls) and returns a scalar to differentiate
     * first, then any arrays to keep; {@code after} runs after the backward, inside the scope, with grad
     * mode off. Returns the leaf's gradient followed by those arrays and {@code after}'s (detached),
     * all moved to {@code x}'s manager; the graph's arrays live in a temporary scope freed when the
     * pass ends, and the thread's grad mode is restored also when the body throws.
     */
    private static NDArray[] backward(NDArray x, Function<NDArray, NDArray[]> body, Supplier<NDArray[]> after) {
        try (NDManager tmp = x.getManager().newSubManager();
                GradMode on = GradMode.on()) {
            NDArray leaf = x.duplicate();
            leaf.attach(tmp);
            leaf.setRequiresGradient(true);
            NDArray[] out = body.apply(leaf);
            JniUtils.backward((PtNDArray) out[0], (PtNDArray) out[0].onesLike(), false, false);
            NDArray[] later;
            try (GradMode off = GradMode.off()) {
                later = after.get();
            }
            NDArray[] result = new NDArray[out.length + later.length];
            result[0] = leaf.getGradient().duplicate();
            for (int i = 1; i < out.length; i++) {
                result[i] = out[i].stopGradient();
            }
            for (int i = 0; i < later.length; i++) {
                result[out.length + i] = later[i].stopGradient();
            }
            for (NDArray r : result) {
                r.attach(x.getManager());
            }
            return result;
        }
    }

    /**
     * A forward pass whose graph stays open for any number of vector-Jacobian products, so that a
     * layer-by-layer backward walk (the propagation engine) sends its signals back through the graph
     * its forward pass built, instead of running every layer again for each product. {@link #record}
     * runs one function on a leaf alias of its input and keeps the graph; {@link Taped#vjp} walks
     * back through that graph only. The tape records gradients on this thread until closed (other
     * threads run their own tapes at the same time); the graph's arrays belong to the inputs' scope.
     */
    public static final class Tape implements AutoCloseable {
        private final GradMode on;

        private Tape() {
            on = GradMode.on();
        }

        public static Tape open() {
            return new Tape();
        }

        /** {@code f(x)} with its graph kept; the output's value is detached, so arithmetic on it records nothing. */
        public Taped record(UnaryOperator<NDArray> f, NDArray x) {
            NDArray leaf = x.stopGradient();
            leaf.setRequiresGradient(true);
            NDArray out = f.apply(leaf);
            return new Taped(leaf, out, out.stopGradient());
        }

        @Override
        public void close() {
            on.close();
        }
    }

    /** One recorded application: the leaf it ran on, its output in the graph, and that output's detached value. */
    public static final class Taped {
        private final NDArray leaf;
        private final NDArray graphOutput;
        private final NDArray value;

        private Taped(NDArray leaf, NDArray graphOutput, NDArray value) {
            this.leaf = leaf;
            this.graphOutput = graphOutput;
            this.value = value;
        }

        public NDArray value() {
            return value;
        }

        /**
         * {@code d sum(f(x) * cotangent) / d x} through the recorded graph (kept for further
         * products); the same as {@link Autograd#vjp} without running {@code f} again.
         */
        public NDArray vjp(NDArray cotangent) {
            JniUtils.backward((PtNDArray) graphOutput, (PtNDArray) cotangent.stopGradient(), true, false);
            NDArray g = leaf.getGradient().duplicate();
            JniUtils.zeroGrad((PtNDArray) leaf);
            return g;
        }
    }

    /**
     * The vector-Jacobian product of {@code f} at {@code x} for a cotangent computed from
     * {@code f(x)} itself, on one forward pass: the shape of LRP's modified rules ({@code z = f(a)},
     * {@code s = R / z}, {@code c = J^T s}), one forward and one backward instead of a forward for
     * {@code z} and another inside the product.
     */
    public static NDArray vjpOfOwnOutput(UnaryOperator<NDArray> f, NDArray x, UnaryOperator<NDArray> cotangentOf) {
        try (Tape tape = Tape.open()) {
            Taped t = tape.record(f, x);
            NDArray cotangent;
            try (GradMode off = GradMode.off()) {
                cotangent = cotangentOf.apply(t.value());
            }
            return t.vjp(cotangent);
        }
    }

    /** Index of the highest score of each row of {@code [N, K]}. */
    public static int[] argMax(NDArray scores) {
        long[] a = scores.argMax(1).toLongArray();
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (int) a[i];
        }
        return out;
    }

    /** {@code [N, K]} one-hot rows selecting {@code targets[i]} in row i. */
    public static NDArray oneHot(NDArray scores, int[] targets) {
        int k = (int) scores.getShape().get(1);
        float[] data = new float[targets.length * k];
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] < 0 || targets[i] >= k) {
                throw new IllegalArgumentException(
                        "Invalid target class: " + targets[i] + " (model has " + k + " classes)");
            }
            data[i * k + targets[i]] = 1f;
        }
        return scores.getManager().create(data, scores.getShape());
    }

    /** Whether this thread records gradients now (false outside a backward pass on a task thread). */
    public static boolean recording() {
        return JniUtils.isGradMode();
    }
}
