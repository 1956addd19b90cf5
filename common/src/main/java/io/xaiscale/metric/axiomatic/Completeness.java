package io.xaiscale.metric.axiomatic;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.gradient.Baseline;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;

/**
 * Completeness (Sundararajan et al. 2017; Quantus's {@code Completeness}): how far the map's sum is
 * from the change of the target logit between the {@code baseline} and the image,
 * {@code |sum(map) - (f(x) - f(b))| / |f(x) - f(b)|}. Quantus answers true or false; the relative
 * error says by how much (0 for IG with many steps, DeepLIFT, LRP-0 without biases). Lower is better;
 * not applicable where the logit does not change.
 */
public final class Completeness extends ScalarMetric {
    public static final String NAME = "completeness";

    private final Baseline baseline;

    public Completeness(ParamReader p) {
        super(NAME, p);
        this.baseline = p.getEnum("baseline", Baseline.ZERO, Baseline.class);
    }

    @Override
    public Traits traits() {
        return Traits.model(false);
    }

    @Override
    public String notApplicable() {
        return "not applicable: the logit is the same at the baseline";
    }

    @Override
    protected double[] values(EvalBatch b) {
        NDArray x = b.inputs();
        int k = b.model().numClasses();
        float[] fx = b.model().logitsNoGrad(x).toFloatArray();
        float[] fb = b.model().logitsNoGrad(baseline.of(x)).toFloatArray();
        double[] out = new double[b.size()];
        for (int i = 0; i < out.length; i++) {
            int t = b.targets()[i];
            double delta = fx[i * k + t] - fb[i * k + t];
            double sum = 0;
            for (float v : b.maps()[i]) {
                sum += v;
            }
            out[i] = delta == 0 ? NOT_APPLICABLE : Math.abs(sum - delta) / Math.abs(delta);
        }
        return out;
    }
}
