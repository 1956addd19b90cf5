package io.xaiscale.explain.attention;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.TransformerLrp;

/**
 * LRP for Vision Transformers: AttnLRP (Achtibat et al. 2024, {@code softmax=taylor}) or CP-LRP (Ali
 * et al. 2022, {@code softmax=detach}), as gradient x input under {@link TransformerLrp}'s rules
 * (LayerNorm and GELU as identities, products of two activations split evenly, the softmax by
 * AttnLRP's rule or held constant; linear layers LRP-0). The relevance is that of the model's own
 * input, the normalised pixels {@code z = (x - mean) / std}: {@code z dy/dz = (x - mean) dy/dx},
 * summed over channels. With {@code detach} it sums to the target logit less what the biases, the
 * class token and the position embedding take; AttnLRP's softmax rule is not conservative by itself.
 * One forward and one backward pass.
 */
public final class AttnLrp extends AttentionExplainer {
    public static final String NAME = "attn_lrp";

    private final TransformerLrp.Softmax softmax;

    public AttnLrp(ParamReader p) {
        super(NAME, p);
        this.softmax = p.getEnum("softmax", TransformerLrp.Softmax.TAYLOR, TransformerLrp.Softmax.class);
    }

    @Override
    protected boolean gradients() {
        return true;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(1);
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        Autograd.Pass p;
        try (TransformerLrp rules = TransformerLrp.open(softmax)) {
            p = Autograd.gradient(model::logits, inputs, targets.givenOrNull());
        }
        NDArray relevance =
                inputs.sub(model.normalizationMean()).mul(p.gradient()).sum(new int[] {1});
        return new Attribution(relevance, targets.from(p.scores()), p.scores());
    }
}
