package io.xaiscale.metric;

import io.xaiscale.config.Configured;
import io.xaiscale.config.ParamReader;

/**
 * A saliency metric over a batch: one value per sample, {@code NaN} where it does not apply (a
 * localisation metric on an image without a box). Parameters are recorded next to every value.
 */
public abstract class Metric extends Configured {
    protected Metric(String name, ParamReader reader) {
        super(name, reader);
    }

    /** Whether the metric runs the model (faithfulness) or only looks at maps (localisation). */
    public abstract boolean needsModel();

    /** Whether higher values are better (false for deletion AUC); used for ranks in SQL. */
    public abstract boolean higherIsBetter();

    public abstract double[] evaluate(EvalBatch batch);
}
