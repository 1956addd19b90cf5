package io.xaiscale.metric.axiomatic;

import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.ScalarMetric;
import io.xaiscale.model.Classifier;

/**
 * Input invariance (Kindermans et al. 2017; Quantus's {@code InputInvariance}): two networks that
 * compute the same function on inputs that differ by a constant shift ({@code shift}, every channel;
 * the second network absorbs it before its first layer) should get the same explanation. The method
 * re-explains {@code x + shift} on the shifted network, and the value is the relative L1 change of the
 * map, {@code ||e' - e||_1 / ||e||_1}: 0 for the gradient, {@code ||w shift|| / ||w x||} for gradient
 * x input on a linear model (Quantus answers true or false; 0 is true). Lower is better.
 */
public final class InputInvariance extends ScalarMetric {
    public static final String NAME = "input_invariance";

    private final double shift;

    public InputInvariance(ParamReader p) {
        super(NAME, p);
        this.shift = p.getDouble("shift", 0.2, -1.0, false, 1.0);
    }

    @Override
    public Traits traits() {
        return Traits.reexplains(false);
    }

    @Override
    public String notApplicable() {
        return "not applicable: the map is all zero";
    }

    @Override
    protected double[] values(EvalBatch b) {
        Classifier shifted = b.model().withInputShift((float) shift);
        float[] flat = b.method()
                .attribute(shifted, b.inputs().add((float) shift), b.targets())
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        int hw = b.height() * b.width();
        double[] out = new double[b.size()];
        for (int i = 0; i < out.length; i++) {
            float[] e = b.maps()[i];
            double diff = 0;
            double norm = 0;
            for (int p = 0; p < hw; p++) {
                diff += Math.abs(flat[i * hw + p] - e[p]);
                norm += Math.abs(e[p]);
            }
            out[i] = norm == 0 ? NOT_APPLICABLE : diff / norm;
        }
        return out;
    }
}
