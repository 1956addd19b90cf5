package io.xaiscale.metric;

import io.xaiscale.config.ParamReader;

/** A metric of the map alone (complexity): no model, no box; applies to every image. */
public abstract class MapMetric extends Metric {
    private final String relevance;

    protected MapMetric(String name, ParamReader p) {
        super(name, p);
        this.relevance = p.getChoice("relevance", "abs", Relevance.MODES);
    }

    protected abstract double score(float[] relevance);

    @Override
    public final boolean needsModel() {
        return false;
    }

    @Override
    public final double[] evaluate(EvalBatch b) {
        double[] out = new double[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = score(Relevance.apply(relevance, b.maps()[i]));
        }
        return out;
    }
}
