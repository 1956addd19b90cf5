package io.xaiscale.metric;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.model.Classifier;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Perturbed copies of a batch's images for the metrics that explain them again (robustness,
 * stability, smooth MPRT): {@code samples} copies per image, sample-major, each image's noise seeded
 * by the metric's seed and its own pixels (so a value does not depend on the batch), and the
 * method's maps of the copies.
 */
public record Perturbations(float[] pixels, float[] copies, int samples, int[] targets, NDArray array) {

    /** Uniform noise in the L-infinity ball of {@code radius}, clipped to [0, 1]. */
    public static Perturbations uniform(EvalBatch b, int samples, double radius, long seed) {
        return of(b, samples, seed, false, (own, rnd, lo, hi, out, off) -> {
            for (int j = 0; j < own.length; j++) {
                double v = own[j] + radius * (2 * rnd.nextDouble() - 1);
                out[off + j] = (float) Math.min(1, Math.max(0, v));
            }
        });
    }

    /** Gaussian noise of standard deviation {@code noise * (max - min)} of the image (SmoothGrad's), not clipped. */
    public static Perturbations gaussian(EvalBatch b, int samples, double noise, long seed) {
        return of(b, samples, seed, false, gaussianDraw(noise));
    }

    /**
     * {@link #gaussian} copies of which the last of each image is the image itself, noise-free (Quantus's
     * smoothing in SmoothMPRT: one sample is the plain map).
     */
    public static Perturbations smoothing(EvalBatch b, int samples, double noise, long seed) {
        return of(b, samples, seed, true, gaussianDraw(noise));
    }

    private static Draw gaussianDraw(double noise) {
        return (own, rnd, lo, hi, out, off) -> {
            for (int j = 0; j < own.length; j++) {
                out[off + j] = (float) (own[j] + noise * (hi - lo) * rnd.nextGaussian());
            }
        };
    }

    /** How one copy of an image is drawn into {@code out} at {@code off}. */
    private interface Draw {
        void draw(float[] own, SplittableRandom rnd, float lo, float hi, float[] out, int off);
    }

    private static Perturbations of(EvalBatch b, int samples, long seed, boolean lastClean, Draw draw) {
        NDArray x = b.inputs();
        Shape s = x.getShape();
        int n = b.size();
        float[] pixels = x.toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        float[] stack = new float[n * samples * per];
        int[] rep = new int[n * samples];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float v : own) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, own));
            for (int k = 0; k < samples; k++) {
                rep[i * samples + k] = b.targets()[i];
                if (lastClean && k == samples - 1) {
                    System.arraycopy(own, 0, stack, (i * samples + k) * per, per);
                } else {
                    draw.draw(own, rnd, lo, hi, stack, (i * samples + k) * per);
                }
            }
        }
        NDArray array = x.getManager()
                .create(stack, new Shape((long) n * samples, s.get(1), s.get(2), s.get(3)))
                .toType(x.getDataType(), false);
        return new Perturbations(pixels, stack, samples, rep, array);
    }

    /** The batch's method's maps of the copies on {@code model}, flat, sample-major: {@code [N * samples * H * W]}. */
    public float[] explain(EvalBatch b, Classifier model) {
        return b.method()
                .attribute(model, array, targets)
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
    }
}
