package io.xaiscale.explain.propagation;

import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.propagation.rules.Chain;
import io.xaiscale.explain.propagation.rules.GuidedRelu;

/**
 * Guided backpropagation (Springenberg et al. 2015): the gradient, except that ReLUs pass it only
 * where both their input and the gradient are positive. Signed map, channels summed.
 */
public final class GuidedBackprop extends PropagationExplainer {
    public static final String NAME = "guided_backprop";
    static final RuleSet RULES = step -> step.layer().kind() == Layer.Kind.RELU ? GuidedRelu.INSTANCE : Chain.INSTANCE;

    public GuidedBackprop(ParamReader p) {
        super(NAME, p);
    }

    @Override
    protected RuleSet rules() {
        return RULES;
    }
}
