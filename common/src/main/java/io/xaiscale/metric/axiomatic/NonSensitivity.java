package io.xaiscale.metric.axiomatic;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Non-sensitivity (Nguyen & Martinez 2020; Quantus's {@code NonSensitivity}): a region the map gives
 * no relevance (every |value| below {@code eps}) should not move the model, and a region that does
 * not move the model should get none. The image is cut into a grid of {@code cells x cells} patches; each gets
 * uniform noise in {@code [-noise, noise]} {@code samples} times, and a patch "moves" the model when
 * the target logit's mean squared change exceeds {@code eps}. The value is the share of patches where
 * the two disagree (Quantus counts pixels). Lower is better.
 */
public final class NonSensitivity extends ScalarMetric {
    public static final String NAME = "non_sensitivity";

    private final int cells;
    private final int samples;
    private final double noise;
    private final double eps;
    private final long seed;

    public NonSensitivity(ParamReader p) {
        super(NAME, p);
        this.cells = p.getInt("cells", 8, 1, 1024);
        this.samples = p.getInt("samples", 2, 1, 1000);
        this.noise = p.getDouble("noise", 0.3, 0.0, true, 1.0);
        this.eps = p.getDouble("eps", 1e-5, 0.0, false, 1e6);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public Traits traits() {
        return Traits.model(false);
    }

    @Override
    protected double[] values(EvalBatch b) {
        int n = b.size();
        int h = b.height();
        int w = b.width();
        int hw = h * w;
        int count = cells * cells;
        int points = 1 + count * samples;
        float[] pixels = b.inputs().toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        int c = per / hw;
        float[] stack = new float[n * points * per];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
            SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, own));
            System.arraycopy(own, 0, stack, i * points * per, per);
            for (int q = 0; q < count; q++) {
                for (int s = 0; s < samples; s++) {
                    int off = (i * points + 1 + q * samples + s) * per;
                    System.arraycopy(own, 0, stack, off, per);
                    for (int ch = 0; ch < c; ch++) {
                        for (int p = 0; p < hw; p++) {
                            if (cell(p, w, h) == q) {
                                int at = ch * hw + p;
                                double v = own[at] + noise * (2 * rnd.nextDouble() - 1);
                                stack[off + at] = (float) Math.min(1, Math.max(0, v));
                            }
                        }
                    }
                }
            }
        }
        Shape s = b.inputs().getShape();
        float[] logits = b.model()
                .logitsNoGrad(b.inputs()
                        .getManager()
                        .create(stack, new Shape((long) n * points, s.get(1), s.get(2), s.get(3)))
                        .toType(b.inputs().getDataType(), false))
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        int k = b.model().numClasses();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int t = b.targets()[i];
            double clean = logits[(i * points) * k + t];
            float[] map = b.maps()[i];
            int disagree = 0;
            boolean[] loud = new boolean[count];
            for (int p = 0; p < hw; p++) {
                loud[cell(p, w, h)] |= Math.abs(map[p]) >= eps;
            }
            for (int q = 0; q < count; q++) {
                boolean silent = !loud[q];
                double sq = 0;
                for (int r = 0; r < samples; r++) {
                    double d = logits[(i * points + 1 + q * samples + r) * k + t] - clean;
                    sq += d * d;
                }
                boolean moves = sq / samples > eps;
                if (silent == moves) {
                    disagree++;
                }
            }
            out[i] = (double) disagree / count;
        }
        return out;
    }

    /** The grid cell of pixel {@code p}. */
    private int cell(int p, int w, int h) {
        return (p / w * cells / h) * cells + (p % w) * cells / w;
    }
}
