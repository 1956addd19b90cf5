package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Affine;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * LRP-gamma: positive weights raised by {@code gamma}, {@code R_i = a_i sum_j (w_ij + gamma w_ij^+) R_j / z_j}
 * with {@code z_j = sum_i a_i (w_ij + gamma w_ij^+) (+ b_j + gamma b_j^+)}. The op is linear in the
 * weights, so no raised weight array is ever built: {@code op(a, W + g W+) = op(a, W) + g op(a, W+)}.
 */
public final class Gamma implements Rule {
    private final double gamma;
    private final boolean bias;

    public Gamma(double gamma, boolean bias) {
        this.gamma = gamma;
        this.bias = bias;
    }

    @Override
    public NDArray backward(Step step, NDArray relevance) {
        Affine layer = (Affine) step.layer();
        NDArray a = step.input();
        NDArray zero = layer.zeroBias();
        NDArray z = layer.apply(a, layer.weight(), bias ? layer.bias() : zero)
                .add(layer.apply(a, layer.positiveWeight(), bias ? layer.positiveBias() : zero).mul((float) gamma));
        NDArray s = Stable.divide(relevance, z, 1e-9);
        NDArray c = Step.vjp(x -> layer.apply(x, layer.weight(), zero), a, s)
                .add(Step.vjp(x -> layer.apply(x, layer.positiveWeight(), zero), a, s).mul((float) gamma));
        return a.mul(c);
    }
}
