package io.xaiscale.metric.complexity;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Relevance;
import io.xaiscale.metric.ScalarMetric;

/** A metric of the map alone (complexity): no model, no box; applies to every image. */
public abstract class MapMetric extends ScalarMetric {
    private final Relevance.Mode relevance;

    protected MapMetric(String name, ParamReader p) {
        super(name, p);
        this.relevance = Relevance.read(p, Relevance.Mode.ABS);
    }

    protected abstract double score(float[] relevance);

    @Override
    protected final double[] values(EvalBatch b) {
        double[] out = new double[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = score(Relevance.apply(relevance, b.maps()[i]));
        }
        return out;
    }
}
