package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Affine;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * The z^B rule for a first layer whose inputs are bounded by {@code l <= x <= h} (the normalised
 * images of pixel values 0 and 1): {@code R_i = sum_j (x_i w_ij - l_i w_ij^+ - h_i w_ij^-) / z_j R_j},
 * {@code z_j = sum_i (x_i w_ij - l_i w_ij^+ - h_i w_ij^-)}. The bias is not used.
 */
public final class Bounded implements Rule {
    public static final Bounded INSTANCE = new Bounded();

    @Override
    public NDArray backward(Step step, NDArray relevance) {
        Affine layer = (Affine) step.layer();
        NDArray x = step.input();
        if (x.getShape().dimension() != 4) {
            throw new IllegalStateException(
                    "The z^B rule needs the image input [N, C, H, W], got " + x.getShape() + " at " + layer.name());
        }
        // z = op(x, W) - op(l, W+) - op(h, W-): one op on [x, l, h] against [W | -W+ | -W-]
        NDArray w = layer.stackedWeight("W|-W+|-W-", () -> new NDArray[] {
            layer.weight(), layer.positiveWeight().neg(), layer.negativeWeight().neg()
        });
        NDArray[] parts = {x, step.low().broadcast(x.getShape()), step.high().broadcast(x.getShape())};
        return Stacked.relevance(layer, parts, w, layer.zeroBias(), z -> Stable.divide(relevance, z, 1e-9));
    }
}
