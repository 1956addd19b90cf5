package io.xaiscale.metric.sanity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.similarity.MapComparison;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Randomized;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Smooth MPRT (Hedstrom et al. 2024; Quantus's {@code SmoothMPRT}): the model randomisation test on
 * denoised maps. Both the trained model's map and the map on the model with its top {@code depth}
 * weight layers re-drawn (cascading) are averaged over {@code samples} copies of the image with
 * Gaussian noise of {@code noise * (max - min)}, which removes the shattered-gradient noise that makes
 * plain MPRT's similarities unreliable; outputs {@code smooth_mprt_spearman} and
 * {@code smooth_mprt_ssim} between the two averages. Lower is better (maps should change).
 */
public final class SmoothMprt extends MapComparison {
    public static final String NAME = "smooth_mprt";

    private final int depth;
    private final int samples;
    private final double noise;
    private final long seed;

    public SmoothMprt(ParamReader p) {
        super(NAME, p, List.of("spearman", "ssim"), false);
        this.depth = p.getInt("depth", 1, 1, 1000);
        this.samples = p.getInt("samples", 8, 1, 10_000);
        this.noise = p.getDouble("noise", 0.1, 0.0, true, 1.0);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public double[][] evaluateAll(EvalBatch b) {
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
                for (int j = 0; j < per; j++) {
                    stack[(i * samples + k) * per + j] = (float) (own[j] + noise * (hi - lo) * rnd.nextGaussian());
                }
            }
        }
        NDArray copies = x.getManager()
                .create(stack, new Shape((long) n * samples, s.get(1), s.get(2), s.get(3)))
                .toType(x.getDataType(), false);
        Classifier random = Randomized.of(b.model(), depth, true, seed);
        float[][] trained = averaged(b, b.model(), copies, rep);
        float[][] randomised = averaged(b, random, copies, rep);
        EvalBatch smoothed =
                new EvalBatch(b.model(), x, trained, b.targets(), b.truths(), b.height(), b.width(), b.method());
        return compare(smoothed, randomised);
    }

    /** The method's maps of the noisy copies on {@code model}, averaged per image: {@code [N][H*W]}. */
    private float[][] averaged(EvalBatch b, Classifier model, NDArray copies, int[] rep) {
        float[] flat = b.method()
                .attribute(model, copies, rep)
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        int hw = b.height() * b.width();
        float[][] out = new float[b.size()][hw];
        for (int i = 0; i < b.size(); i++) {
            for (int k = 0; k < samples; k++) {
                int off = (i * samples + k) * hw;
                for (int p = 0; p < hw; p++) {
                    out[i][p] += flat[off + p] / samples;
                }
            }
        }
        return out;
    }
}
