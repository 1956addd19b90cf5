package io.xaiscale.metric;

import io.xaiscale.config.ParamReader;

/**
 * A single-output metric read off a curve per sample (the target score as pixels, patches or
 * segments are removed or put back): {@link #curves} traces them, {@link #value} reduces each to the
 * metric's value, and {@link #score} returns both, so the curves are stored without a second pass.
 */
public abstract class CurveMetric extends ScalarMetric {
    protected CurveMetric(String name, ParamReader reader) {
        super(name, reader);
    }

    /** Each sample's curve. */
    public abstract float[][] curves(EvalBatch batch);

    /** The metric's value of one curve. */
    protected abstract double value(float[] curve);

    @Override
    protected final double[] values(EvalBatch b) {
        return score(b).values()[0];
    }

    @Override
    public final Scores score(EvalBatch b) {
        float[][] curves = curves(b);
        double[] out = new double[curves.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = value(curves[i]);
        }
        return new Scores(new double[][] {out}, curves);
    }
}
