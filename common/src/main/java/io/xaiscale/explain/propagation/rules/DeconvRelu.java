package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/** DeconvNet through ReLU: the backward signal is rectified, whatever the forward input was. */
public final class DeconvRelu implements Rule {
    public static final DeconvRelu INSTANCE = new DeconvRelu();

    @Override
    public NDArray backward(Step step, NDArray signal) {
        return signal.maximum(0f);
    }
}
