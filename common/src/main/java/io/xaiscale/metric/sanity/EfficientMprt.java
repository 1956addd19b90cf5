package io.xaiscale.metric.sanity;

import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Randomized;
import java.util.Arrays;

/**
 * Efficient MPRT (Hedstrom et al. 2024; Quantus's {@code EfficientMPRT}): instead of comparing maps
 * before and after randomising the model (which punishes maps that change in ways a similarity does
 * not see), compare their complexity: the discrete entropy of the histogram ({@code bins} bins) of the
 * absolute map scaled to [0, 1], on the model with its top {@code depth} weight layers re-drawn
 * ({@code 0}: all of them) over the entropy on the trained model. A method whose maps become noise
 * when the model does rises above 1: higher is better.
 */
public final class EfficientMprt extends ScalarMetric {
    public static final String NAME = "efficient_mprt";

    private final int depth;
    private final int bins;
    private final long seed;
    private final Randomized.Reset reset;

    public EfficientMprt(ParamReader p) {
        super(NAME, p);
        this.depth = p.getInt("depth", 0, 0, 1000);
        this.bins = p.getInt("bins", 100, 2, 100_000);
        this.seed = p.getLong("seed", 0L);
        this.reset = RandomModel.reset(p);
    }

    @Override
    public Traits traits() {
        return Traits.reexplains(true);
    }

    @Override
    public String notApplicable() {
        return "not applicable: the map on the trained model has zero entropy";
    }

    @Override
    protected double[] values(EvalBatch b) {
        int layers = Randomized.weightLayers(b.model().model().getBlock()).size();
        Classifier random = Randomized.of(b.model(), depth == 0 ? layers : depth, true, seed, reset);
        float[] flat = b.method()
                .attribute(random, b.inputs(), b.targets())
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        int hw = b.height() * b.width();
        double[] out = new double[b.size()];
        for (int i = 0; i < out.length; i++) {
            double before = histogramEntropy(b.maps()[i], bins);
            double after = histogramEntropy(Arrays.copyOfRange(flat, i * hw, (i + 1) * hw), bins);
            out[i] = before == 0 ? NOT_APPLICABLE : after / before;
        }
        return out;
    }

    /** Entropy (natural log) of the histogram of {@code |map| / max |map|} over {@code bins} bins of [0, 1]. */
    public static double histogramEntropy(float[] map, int bins) {
        double max = 0;
        for (float v : map) {
            max = Math.max(max, Math.abs(v));
        }
        int[] counts = new int[bins];
        for (float v : map) {
            double s = max == 0 ? 0 : Math.abs(v) / max;
            counts[Math.min(bins - 1, (int) (s * bins))]++;
        }
        double h = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / map.length;
                h -= p * Math.log(p);
            }
        }
        return h;
    }
}
