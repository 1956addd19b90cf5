package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Affine;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * LRP-gamma: positive weights raised by {@code gamma}, {@code R_i = a_i sum_j (w_ij + gamma w_ij^+) R_j / z_j}
 * with {@code z_j = sum_i a_i (w_ij + gamma w_ij^+) (+ b_j + gamma b_j^+)}: one forward and one backward
 * with the raised weights (built once per layer and gamma).
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
        // z = a (W + gamma W+) + (b + gamma b+) and c = (W + gamma W+)^T s: one forward, one backward
        NDArray w = layer.gammaWeight(gamma);
        NDArray b = bias ? layer.gammaBias(gamma) : layer.zeroBias();
        return Stacked.relevance(layer, new NDArray[] {a}, w, b, z -> Stable.divide(relevance, z, 1e-9));
    }
}
