package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Affine;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * LRP-epsilon, and LRP-0 for {@code epsilon = 0}: {@code R_i = a_i sum_j w_ij R_j / (z_j + eps sign(z_j))}
 * for a linear layer or average pooling. With {@code bias = false} the bias is left out of {@code z}
 * (the "ignore bias" variant), which makes the rule conserve relevance exactly for {@code eps = 0}.
 */
public final class Epsilon implements Rule {
    private final double epsilon;
    private final boolean bias;

    public Epsilon(double epsilon, boolean bias) {
        this.epsilon = epsilon;
        this.bias = bias;
    }

    @Override
    public NDArray backward(Step step, NDArray relevance) {
        NDArray a = step.input();
        NDArray z = step.output();
        if (!bias && step.layer() instanceof Affine layer) {
            z = layer.apply(a, layer.weight(), layer.zeroBias());
        }
        NDArray s = Stable.divide(relevance, z, epsilon);
        return step.chain(s).muli(a);
    }
}
