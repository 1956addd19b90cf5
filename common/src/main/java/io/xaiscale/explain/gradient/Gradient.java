package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import java.util.Map;

/** Vanilla gradient (Simonyan et al. 2014): {@code d logit_target / d x}, signed, channels summed. */
public final class Gradient implements Explainer {
    public static final String NAME = "gradient";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Object> params() {
        return Map.of();
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
