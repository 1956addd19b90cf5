package io.xaiscale.metric;

import io.xaiscale.config.ParamReader;
import java.util.List;

/** A metric with one output, named like the metric: one value per sample. */
public abstract class ScalarMetric extends Metric {
    protected ScalarMetric(String name, ParamReader reader) {
        super(name, reader);
    }

    /** One value per sample, {@link Metric#NOT_APPLICABLE} where the metric does not apply. */
    protected abstract double[] values(EvalBatch batch);

    @Override
    public final List<String> outputs() {
        return List.of(name());
    }

    @Override
    public final double[][] evaluateAll(EvalBatch batch) {
        return new double[][] {values(batch)};
    }
}
