package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;

/** Gradient x input (Shrikumar et al. 2016): {@code x * d logit_target / d x}, channels summed. */
public final class GradientTimesInput extends Explainer {
    public static final String NAME = "gradient_x_input";

    public GradientTimesInput(ParamReader p) {
        super(NAME, p);
    }

    @Override
    public boolean needsGradients() {
        return true;
    }

    @Override
    public NDArray attribute(Classifier model, NDArray inputs, int[] targets) {
        return model.inputGradient(inputs, targets).mul(inputs).sum(new int[] {1});
    }

    @Override
    public Predicted attributePredicted(Classifier model, NDArray inputs) {
        Autograd.Pass p = model.inputGradientOfPredicted(inputs);
        return new Predicted(p.gradient().mul(inputs).sum(new int[] {1}), p.scores());
    }
}
