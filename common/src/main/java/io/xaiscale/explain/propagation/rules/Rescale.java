package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * DeepLIFT's Rescale rule through a ReLU: the multiplier {@code dy / dx} with {@code dx = x - x_ref},
 * {@code dy = relu(x) - relu(x_ref)}; where {@code dx = 0} the gradient is used instead (the limit of
 * the quotient: 1 where {@code x > 0}, which is where {@code sign(relu(x)) = 1}).
 */
public final class Rescale implements Rule {
    public static final Rescale INSTANCE = new Rescale();

    @Override
    public NDArray backward(Step step, NDArray signal) {
        NDArray y = step.output();
        return Stable.ratioOr(y.sub(step.referenceOutput()), step.input().sub(step.referenceInput()), y.sign())
                .muli(signal);
    }
}
