package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The one place where a stack of samples (IG steps, noisy copies, occluded or masked images) is cut
 * into chunks of at most the internal batch size: each chunk runs in a native-memory scope of its own
 * ({@link Scopes}) and only its results are kept.
 */
public final class Chunks {
    private Chunks() {}

    /** Samples {@code [start, end)} of a stack. */
    public record Range(int start, int end) {
        public int size() {
            return end - start;
        }

        /** The same range of a per-sample array. */
        public int[] of(int[] perSample) {
            return Arrays.copyOfRange(perSample, start, end);
        }
    }

    /** The chunks of {@code total} samples, at most {@code size} each, in order. */
    public static List<Range> of(int total, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid internal batch size: " + size + " (must be > 0)");
        }
        List<Range> out = new ArrayList<>();
        for (int start = 0; start < total; start += size) {
            out.add(new Range(start, Math.min(total, start + size)));
        }
        return out;
    }

    /**
     * Runs {@code f} on each chunk of {@code x}'s first axis and concatenates the chunks' outputs
     * along the first axis, output by output. A stack that fits in one chunk is passed as it is.
     */
    public static NDList map(NDArray x, int size, BiFunction<NDArray, Range, NDList> f) {
        int n = (int) x.getShape().get(0);
        List<Range> ranges = of(n, size);
        if (ranges.size() <= 1) {
            return f.apply(x, new Range(0, n));
        }
        NDManager owner = x.getManager();
        List<NDList> parts = new ArrayList<>();
        for (Range r : ranges) {
            try (NDManager tmp = owner.newSubManager()) {
                NDArray chunk = x.get(r.start() + ":" + r.end());
                chunk.attach(tmp);
                NDList out = f.apply(chunk, r);
                out.attach(owner);
                parts.add(out);
            }
        }
        NDList joined = new NDList();
        for (int k = 0; k < parts.get(0).size(); k++) {
            NDList column = new NDList();
            for (NDList p : parts) {
                column.add(p.get(k));
            }
            joined.add(NDArrays.concat(column, 0));
        }
        return joined;
    }

    /** {@link #map} for a function with one output. */
    public static NDArray apply(NDArray x, int size, BiFunction<NDArray, Range, NDArray> f) {
        return map(x, size, (c, r) -> new NDList(f.apply(c, r))).singletonOrThrow();
    }
}
