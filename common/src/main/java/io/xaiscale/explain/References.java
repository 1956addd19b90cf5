package io.xaiscale.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.util.Hashing;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A set of reference inputs in pixel space ({@code [count, C, H, W]}, values in [0, 1]) that the
 * SHAP family draws its baselines from: Expected Gradients' "training distribution", DeepLIFT-SHAP's
 * background. A set has an id that specs record ({@code reference_set=...}), so two maps made against
 * different sets never share a params hash. The jobs draw a set once from the images table, keep it in
 * the {@code reference_sets} table (later runs reuse it) and broadcast it to the executors; outside a
 * job a caller builds one and hands it to the method ({@link Explainer#use}).
 */
public record References(String id, int count, int channels, int height, int width, float[] pixels)
        implements Serializable {

    public References {
        if (count < 1 || pixels.length != (long) count * channels * height * width) {
            throw new IllegalArgumentException("A reference set of " + count + " inputs of " + channels + "x" + height
                    + "x" + width + " needs " + (long) count * channels * height * width + " values, got "
                    + pixels.length);
        }
    }

    /** The references as {@code [count, C, H, W]} on {@code m}. */
    public NDArray on(NDManager m) {
        return m.create(pixels, new Shape(count, channels, height, width));
    }

    /** Reference {@code k} as {@code [1, C, H, W]} on {@code m}. */
    public NDArray one(NDManager m, int k) {
        int per = channels * height * width;
        float[] v = Arrays.copyOfRange(pixels, k * per, (k + 1) * per);
        return m.create(v, new Shape(1, channels, height, width));
    }

    /** The id of a set drawn from images: the first 16 hex digits of the SHA-256 of their sorted ids. */
    public static String idOf(List<String> imageIds) {
        return Hashing.sha256Hex(String.join("\n", new TreeSet<>(imageIds))).substring(0, 16);
    }

    /** {@code count} images of uniform noise, seeded: the set of {@code reference=uniform}. */
    public static References uniform(long seed, int count, int channels, int height, int width) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[count * channels * height * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble();
        }
        return new References("uniform-" + seed + "-" + count, count, channels, height, width, v);
    }

    /** What a method asks its caller for: {@code count} images drawn with {@code seed}, or the set {@code id} when its spec names one. */
    public record Need(int count, long seed, String id) implements Serializable {}

    /**
     * The reference parameters of a method: {@code reference=images} (default: a set drawn by the
     * caller, {@code references} images with {@code reference_seed}; its id recorded as
     * {@code reference_set}) or {@code reference=uniform} (noise images made here, seeded).
     */
    public static final class Source {
        public static final List<String> KINDS = List.of("images", "uniform");

        private final String method;
        private final ParamReader p;
        private final String kind;
        private final int count;
        private final long seed;
        private String id;
        private References set;

        public Source(String method, ParamReader p) {
            this.method = method;
            this.p = p;
            this.kind = p.getChoice("reference", "images", KINDS);
            this.count = p.getInt("references", 16, 1, 4096);
            this.seed = p.getLong("reference_seed", 0L);
            this.id = p.raw("reference_set");
            if (id != null) {
                if (!kind.equals("images")) {
                    throw new IllegalArgumentException("Invalid reference_set for " + method + ": " + id
                            + " (a set id goes with reference=images, not reference=" + kind + ")");
                }
                p.record("reference_set", id);
            } else {
                p.forget("reference_set");
            }
        }

        /** What the caller must supply; null for a set made here. */
        public Need need() {
            return kind.equals("images") ? new Need(count, seed, id) : null;
        }

        /** Takes the caller's set; its id is recorded, and must be the one the spec names, if any. */
        public void use(References r) {
            if (!kind.equals("images")) {
                throw new IllegalStateException(method + " with reference=" + kind + " takes no reference set");
            }
            if (id != null && !id.equals(r.id())) {
                throw new IllegalArgumentException(
                        "Reference set " + r.id() + " given to " + method + " whose spec names reference_set=" + id);
            }
            id = r.id();
            set = r;
            p.record("reference_set", id);
        }

        /** The set for inputs of {@code c x h x w}; fails naming what to do when the caller gave none. */
        public References get(int c, int h, int w) {
            References r = set;
            if (r == null) {
                if (kind.equals("images")) {
                    throw new IllegalStateException(method + " with reference=images needs its reference set: the "
                            + "explain job draws it from the images table; elsewhere call use(References), or give "
                            + "reference=uniform");
                }
                r = uniform(seed, count, c, h, w);
                set = r;
            }
            if (r.channels() != c || r.height() != h || r.width() != w) {
                throw new IllegalArgumentException("Reference set " + r.id() + " has inputs of " + r.channels() + "x"
                        + r.height() + "x" + r.width() + ", the model takes " + c + "x" + h + "x" + w);
            }
            return r;
        }
    }
}
