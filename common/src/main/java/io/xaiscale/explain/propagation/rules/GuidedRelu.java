package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/** Guided backpropagation through ReLU: the gradient passes only where the input and the gradient are positive. */
public final class GuidedRelu implements Rule {
    public static final GuidedRelu INSTANCE = new GuidedRelu();

    @Override
    public NDArray backward(Step step, NDArray signal) {
        return signal.maximum(0f).mul(Stable.positive(step.input()));
    }
}
