package io.xaiscale.metric.robustness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;
import java.util.Arrays;

/**
 * Explanation continuity (Montavon et al. 2018): along a sequence of inputs that move smoothly, the
 * image translated to the right by {@code step}, 2 {@code step}, ... {@code steps} x {@code step}
 * pixels (sub-pixel shifts by linear interpolation, the left border repeated), the largest change of
 * the map between consecutive inputs relative to the change of the input,
 * {@code max_k ||e(x_k) - e(x_{k-1})||_1 / ||x_k - x_{k-1}||_2}. A gradient that jumps (shattered,
 * or a ReLU network's piecewise-linear pieces) scores high; 0 for a map that does not move. Lower is
 * better.
 */
public final class Continuity extends ScalarMetric {
    public static final String NAME = "continuity";

    private final int steps;
    private final double step;

    public Continuity(ParamReader p) {
        super(NAME, p);
        this.steps = p.getInt("steps", 8, 1, 1000);
        this.step = p.getDouble("step", 0.25, 0.0, true, 100.0);
    }

    @Override
    public Traits traits() {
        return Traits.reexplains(false);
    }

    @Override
    protected double[] values(EvalBatch b) {
        NDArray x = b.inputs();
        Shape s = x.getShape();
        int n = b.size();
        int h = b.height();
        int w = b.width();
        float[] pixels = x.toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        float[] stack = new float[n * steps * per];
        int[] rep = new int[n * steps];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
            for (int k = 0; k < steps; k++) {
                rep[i * steps + k] = b.targets()[i];
                System.arraycopy(translate(own, h, w, (k + 1) * step), 0, stack, (i * steps + k) * per, per);
            }
        }
        float[] maps = b.method()
                .attribute(
                        b.model(),
                        x.getManager()
                                .create(stack, new Shape((long) n * steps, s.get(1), s.get(2), s.get(3)))
                                .toType(x.getDataType(), false),
                        rep)
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        int hw = h * w;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double worst = 0;
            for (int k = 0; k < steps; k++) {
                double de = 0;
                double dx = 0;
                for (int p = 0; p < hw; p++) {
                    float before = k == 0 ? b.maps()[i][p] : maps[(i * steps + k - 1) * hw + p];
                    de += Math.abs(maps[(i * steps + k) * hw + p] - before);
                }
                for (int j = 0; j < per; j++) {
                    float before = k == 0 ? pixels[i * per + j] : stack[(i * steps + k - 1) * per + j];
                    double d = stack[(i * steps + k) * per + j] - before;
                    dx += d * d;
                }
                if (dx > 0) {
                    worst = Math.max(worst, de / Math.sqrt(dx));
                }
            }
            out[i] = worst;
        }
        return out;
    }

    /** {@code image} ({@code C x H x W}) moved right by {@code by} pixels, linearly interpolated, the left column repeated. */
    public static float[] translate(float[] image, int h, int w, double by) {
        int hw = h * w;
        float[] out = new float[image.length];
        int whole = (int) Math.floor(by);
        double frac = by - whole;
        for (int c = 0; c < image.length / hw; c++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    int a = Math.max(0, xx - whole);
                    int bIdx = Math.max(0, xx - whole - 1);
                    double v = (1 - frac) * image[c * hw + y * w + a] + frac * image[c * hw + y * w + bIdx];
                    out[c * hw + y * w + xx] = (float) v;
                }
            }
        }
        return out;
    }
}
