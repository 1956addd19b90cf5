package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * DeepLIFT's Rescale rule through a nonlinearity: the multiplier {@code dy / dx} with
 * {@code dx = x - x_ref}, {@code dy = f(x) - f(x_ref)}; where {@code |dx|} is below {@code 1e-7} the
 * gradient is used instead (the limit of the quotient).
 */
public final class Rescale implements Rule {
    public static final Rescale INSTANCE = new Rescale();

    @Override
    public NDArray backward(Step step, NDArray signal) {
        return multiplier(step.input(), step.referenceInput(), step.output(), step.referenceOutput()).muli(signal);
    }

    static NDArray multiplier(NDArray x, NDArray xRef, NDArray y, NDArray yRef) {
        return Stable.ratioOr(y.sub(yRef), x.sub(xRef), Stable.positive(x));
    }
}
