package io.xaiscale.metric.sanity;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.similarity.MapComparison;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Randomized;
import java.util.List;

/**
 * Model-parameter randomisation sanity check (Adebayo et al. 2018): the method re-explains each
 * image on a copy of the model whose top {@code depth} weight layers (1 = the last dense layer;
 * {@code cascade=false}: only the depth-th) are re-drawn at random ({@code seed}); outputs Spearman
 * and SSIM of the absolute maps against the stored ones. A method that passes gives low similarity
 * (its maps depend on what the model learned), so lower is better. Run it for depth 1, 2, ... to
 * get the cascading curve.
 */
public final class ModelRandomization extends MapComparison {
    public static final String NAME = "model_randomization";

    private final int depth;
    private final boolean cascade;
    private final long seed;
    private final Randomized.Reset reset;

    public ModelRandomization(ParamReader p) {
        super(NAME, p, List.of("spearman", "ssim"), false);
        this.depth = p.getInt("depth", 1, 1, 1000);
        this.cascade = Boolean.parseBoolean(p.getChoice("cascade", "true", List.of("true", "false")));
        this.seed = p.getLong("seed", 0L);
        this.reset = RandomModel.reset(p);
    }

    @Override
    public double[][] evaluateAll(EvalBatch b) {
        Classifier random = Randomized.of(b.model(), depth, cascade, seed, reset);
        return compare(b, maps(b, random, b.inputs()));
    }
}
