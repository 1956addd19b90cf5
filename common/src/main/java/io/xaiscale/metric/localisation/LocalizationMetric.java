package io.xaiscale.metric.localisation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Region;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Relevance;
import io.xaiscale.metric.ScalarMetric;

/**
 * A metric that compares a map with the ground truth only (no model): the map becomes relevance by
 * the {@code relevance} rule and is scored against the image's {@link Region} (its boxes of the
 * explained class, or its mask); an image without one scores {@code NaN} (not applicable).
 */
public abstract class LocalizationMetric extends ScalarMetric {
    private final Relevance.Mode relevance;

    protected LocalizationMetric(String name, ParamReader p) {
        this(name, p, Relevance.Mode.ABS);
    }

    protected LocalizationMetric(String name, ParamReader p, Relevance.Mode defaultRelevance) {
        super(name, p);
        this.relevance = Relevance.read(p, defaultRelevance);
    }

    /** The score of one map's relevance ({@code height x width}, row-major) against its ground truth. */
    protected abstract double score(float[] relevance, Region truth, int width, int height);

    @Override
    public final Traits traits() {
        return Traits.GROUND_TRUTH;
    }

    @Override
    public String notApplicable() {
        return "not applicable: no ground-truth box";
    }

    @Override
    protected final double[] values(EvalBatch b) {
        double[] out = new double[b.size()];
        for (int i = 0; i < out.length; i++) {
            Region truth = b.truths()[i];
            out[i] = truth == null
                    ? NOT_APPLICABLE
                    : score(Relevance.apply(relevance, b.maps()[i]), truth, b.width(), b.height());
        }
        return out;
    }
}
