package io.xaiscale.metric.robustness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Max-sensitivity (Yeh et al. 2019): over {@code samples} perturbations drawn uniformly from the
 * L-infinity ball of {@code radius} (pixels clipped to [0, 1]; seeded by {@code seed} and the image's
 * pixels), the largest relative change of the map, {@code max ||phi(x + d) - phi(x)||_2 / ||phi(x)||_2}.
 * All perturbed copies of a batch are explained in one call. Lower is better.
 */
public final class MaxSensitivity extends ScalarMetric {
    public static final String NAME = "max_sensitivity";

    private final double radius;
    private final int samples;
    private final long seed;

    public MaxSensitivity(ParamReader p) {
        super(NAME, p);
        this.radius = p.getDouble("radius", 0.02, 0.0, true, 1.0);
        this.samples = p.getInt("samples", 8, 1, 10_000);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public boolean needsModel() {
        return true;
    }

    @Override
    public boolean needsMethod() {
        return true;
    }

    @Override
    public boolean higherIsBetter() {
        return false;
    }

    @Override
    public String notApplicable() {
        return "not applicable: the map is all zero";
    }

    @Override
    protected double[] values(EvalBatch b) {
        NDArray x = b.inputs();
        Shape s = x.getShape();
        int n = b.size();
        float[] pixels = x.toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        float[] stack = new float[n * samples * per];
        int[] rep = new int[n * samples];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
            SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, own));
            for (int k = 0; k < samples; k++) {
                rep[i * samples + k] = b.targets()[i];
                int off = (i * samples + k) * per;
                for (int j = 0; j < per; j++) {
                    double v = own[j] + radius * (2 * rnd.nextDouble() - 1);
                    stack[off + j] = (float) Math.min(1, Math.max(0, v));
                }
            }
        }
        NDArray copies = x.getManager()
                .create(stack, new Shape((long) n * samples, s.get(1), s.get(2), s.get(3)))
                .toType(x.getDataType(), false);
        float[] maps = b.method()
                .attribute(b.model(), copies, rep)
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        int hw = b.height() * b.width();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            float[] m = b.maps()[i];
            double norm = 0;
            for (float v : m) {
                norm += v * v;
            }
            if (norm == 0) {
                out[i] = Double.NaN;
                continue;
            }
            double worst = 0;
            for (int k = 0; k < samples; k++) {
                int off = (i * samples + k) * hw;
                double d = 0;
                for (int p = 0; p < hw; p++) {
                    double e = maps[off + p] - m[p];
                    d += e * e;
                }
                worst = Math.max(worst, Math.sqrt(d / norm));
            }
            out[i] = worst;
        }
        return out;
    }
}
