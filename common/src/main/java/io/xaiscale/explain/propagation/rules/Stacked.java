package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Affine;
import io.xaiscale.model.Autograd;
import java.util.function.UnaryOperator;

/**
 * Relevance through a layer whose rule splits its input into parts with weights of their own
 * ({@code z = sum_k op(a_k, W_k) + b}, {@code R = sum_k a_k (W_k^T s)}, {@code s = R_out / z}): the parts
 * go side by side along the channel axis against {@code [W_1 | W_2 | ...]}, so the rule costs one
 * forward and one backward of that wider op instead of one forward and one product per part. With
 * one part it is the plain rule with modified weights (z+, gamma).
 */
final class Stacked {
    private Stacked() {}

    static NDArray relevance(
            Affine layer, NDArray[] parts, NDArray stackedWeight, NDArray bias, UnaryOperator<NDArray> quotient) {
        NDArray x = layer.stack(parts);
        NDArray c = Autograd.vjpOfOwnOutput(v -> layer.apply(v, stackedWeight, bias), x, quotient);
        return layer.unstackSum(c.muli(x), parts.length);
    }
}
