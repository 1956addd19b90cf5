package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;

/** Gradient x input (Shrikumar et al. 2016): {@code x * d logit_target / d x}, channels summed. */
public final class GradientTimesInput extends Explainer {
    public static final String NAME = "gradient_x_input";

    public GradientTimesInput(ParamReader p) {
        super(NAME, p);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.GRADIENTS;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(1);
    }

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        Autograd.Pass p = model.gradient(inputs, targets.givenOrNull());
        return new Attribution(p.gradient().mul(inputs).sum(new int[] {1}), targets.from(p.scores()), p.scores());
    }
}
