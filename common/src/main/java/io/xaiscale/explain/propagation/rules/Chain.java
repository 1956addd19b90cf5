package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * The plain chain rule (the layer's vector-Jacobian product). Through max pooling it routes the
 * signal to the max positions: for relevance this is LRP's winner-takes-all rule; through flatten it
 * reshapes; through a convolution it applies the transposed filters.
 */
public final class Chain implements Rule {
    public static final Chain INSTANCE = new Chain();

    @Override
    public NDArray backward(Step step, NDArray signal) {
        return step.chain(signal);
    }
}
