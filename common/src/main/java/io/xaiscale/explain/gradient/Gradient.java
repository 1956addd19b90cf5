package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;

/** Vanilla gradient (Simonyan et al. 2014): {@code d logit_target / d x}, signed, channels summed. */
public final class Gradient extends Explainer {
    public static final String NAME = "gradient";

    public Gradient(ParamReader p) {
        super(NAME, p);
    }

    @Override
    public boolean needsGradients() {
        return true;
    }

    @Override
    public NDArray attribute(Classifier model, NDArray inputs, int[] targets) {
        return model.inputGradient(inputs, targets).sum(new int[] {1});
    }

    @Override
    public Predicted attributePredicted(Classifier model, NDArray inputs) {
        Autograd.Pass p = model.inputGradientOfPredicted(inputs);
        return new Predicted(p.gradient().sum(new int[] {1}), p.scores());
    }
}
