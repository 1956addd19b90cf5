package io.xaiscale.metric.faithfulness;

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
 * Infidelity (Yeh et al. 2019) with Gaussian perturbations: {@code E_I[(I . phi - (f(x) - f(x - I)))^2]}
 * over {@code samples} draws of {@code I ~ N(0, noise^2)} per pixel (the same for every channel, as
 * the map sums channels), {@code f} the target {@code output} (logit by default). Draws are seeded by
 * {@code seed} and the image's own pixels. Lower is better; 0 for the exact attribution of a linear
 * model.
 */
public final class Infidelity extends ScalarMetric {
    public static final String NAME = "infidelity";

    private final int samples;
    private final double noise;
    private final String output;
    private final long seed;

    public Infidelity(ParamReader p) {
        super(NAME, p);
        this.samples = p.getInt("samples", 32, 1, 100_000);
        this.noise = p.getDouble("noise", 0.1, 0.0, true, 10.0);
        this.output = p.getChoice("output", "logit", Perturbed.OUTPUTS);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public Traits traits() {
        return Traits.model(false);
    }

    @Override
    protected double[] values(EvalBatch b) {
        NDArray x = b.inputs();
        Shape s = x.getShape();
        int n = b.size();
        int c = (int) s.get(1);
        int hw = b.height() * b.width();
        int points = samples + 1;
        float[] pixels = x.toType(DataType.FLOAT32, false).toFloatArray();
        int per = c * hw;
        float[] stack = new float[n * points * per];
        double[][] dots = new double[n][samples];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
            SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, own));
            System.arraycopy(own, 0, stack, i * points * per, per);
            float[] map = b.maps()[i];
            for (int k = 0; k < samples; k++) {
                int off = (i * points + k + 1) * per;
                for (int p = 0; p < hw; p++) {
                    double d = noise * rnd.nextGaussian();
                    dots[i][k] += d * map[p];
                    for (int ch = 0; ch < c; ch++) {
                        stack[off + ch * hw + p] = (float) (own[ch * hw + p] - d);
                    }
                }
            }
        }
        NDArray copies = x.getManager()
                .create(stack, new Shape((long) n * points, c, s.get(2), s.get(3)))
                .toType(x.getDataType(), false);
        float[][] scores = Perturbed.scores(b.model(), copies, b.targets(), points, output);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int k = 0; k < samples; k++) {
                double err = dots[i][k] - (scores[i][0] - scores[i][k + 1]);
                sum += err * err;
            }
            out[i] = sum / samples;
        }
        return out;
    }
}
