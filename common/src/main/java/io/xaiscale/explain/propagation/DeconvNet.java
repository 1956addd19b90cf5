package io.xaiscale.explain.propagation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.propagation.rules.Chain;
import io.xaiscale.explain.propagation.rules.DeconvRelu;

/**
 * DeconvNet (Zeiler & Fergus 2014): the gradient, except that ReLUs rectify the backward signal only
 * (ignoring where the forward input was negative). Max pooling unpools through the max switches and
 * convolutions apply their transposed filters, exactly as the plain gradient does.
 */
public final class DeconvNet extends PropagationExplainer {
    public static final String NAME = "deconvnet";

    public DeconvNet(ParamReader p) {
        super(NAME, p);
    }

    @Override
    protected RuleSet rules() {
        return step -> step.layer().kind() == Layer.Kind.RELU ? DeconvRelu.INSTANCE : Chain.INSTANCE;
    }
}
