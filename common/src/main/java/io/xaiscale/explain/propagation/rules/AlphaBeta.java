package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Affine;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;
import io.xaiscale.model.Autograd;

/**
 * LRP-alpha-beta ({@code alpha - beta = 1}): positive and negative contributions
 * {@code z_ij = a_i w_ij} are normalised separately, {@code R_i = sum_j (alpha z_ij^+ / z_j^+ - beta z_ij^- / z_j^-) R_j}.
 * Inputs of either sign are handled ({@code z^+} takes {@code W+ a+} and {@code W- a-}), so the rule
 * also applies to a first layer fed normalised pixels. With {@code alpha = 1, beta = 0} and no bias
 * it is the z+ rule.
 */
public final class AlphaBeta implements Rule {
    private final double alpha;
    private final double beta;
    private final boolean bias;

    public AlphaBeta(double alpha, double beta, boolean bias) {
        if (Math.abs(alpha - beta - 1.0) > 1e-9 || beta < 0) {
            throw new IllegalArgumentException("Invalid alpha/beta for LRP: alpha=" + alpha + ", beta=" + beta
                    + " (need alpha - beta = 1 and beta >= 0, e.g. alpha=1,beta=0 or alpha=2,beta=1)");
        }
        this.alpha = alpha;
        this.beta = beta;
        this.bias = bias;
    }

    @Override
    public NDArray backward(Step step, NDArray relevance) {
        Affine layer = (Affine) step.layer();
        NDArray a = step.input();
        NDArray ap = a.maximum(0f);
        NDArray an = a.minimum(0f);
        NDArray wp = layer.positiveWeight();
        NDArray wn = layer.negativeWeight();
        NDArray zero = layer.zeroBias();
        NDArray out = part(layer, ap, an, wp, wn, bias ? layer.positiveBias() : zero, relevance).mul((float) alpha);
        if (beta != 0) {
            out = out.sub(part(layer, ap, an, wn, wp, bias ? layer.negativeBias() : zero, relevance).mul((float) beta));
        }
        return out;
    }

    /** Relevance through the contributions {@code W1 a+ + W2 a-} (+ b): the positive or the negative part. */
    private static NDArray part(Affine layer, NDArray ap, NDArray an, NDArray w1, NDArray w2, NDArray b, NDArray relevance) {
        if (an.min().getFloat() == 0f) {
            // no negative inputs (every layer after a ReLU): one forward with W1 and its backward
            return ap.mul(Autograd.vjpOfOwnOutput(x -> layer.apply(x, w1, b), ap, z -> Stable.divide(relevance, z, 0)));
        }
        NDArray zero = layer.zeroBias();
        NDArray z = layer.apply(ap, w1, b).add(layer.apply(an, w2, zero));
        NDArray s = Stable.divide(relevance, z, 0);
        return ap.mul(Step.vjp(x -> layer.apply(x, w1, zero), ap, s))
                .add(an.mul(Step.vjp(x -> layer.apply(x, w2, zero), an, s)));
    }
}
