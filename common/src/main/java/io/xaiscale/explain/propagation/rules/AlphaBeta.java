package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Affine;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;
import java.util.function.UnaryOperator;

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
        boolean signed = a.min().getFloat() < 0f; // one reduction per layer: false after every ReLU
        NDArray out = part(layer, a, signed, true, relevance);
        if (alpha != 1) {
            out.muli((float) alpha);
        }
        if (beta != 0) {
            out.subi(part(layer, a, signed, false, relevance).muli((float) beta));
        }
        return out;
    }

    /**
     * Relevance through the positive ({@code W+ a+ + W- a- (+ b+)}) or the negative
     * ({@code W- a+ + W+ a- (+ b-)}) contributions.
     */
    private NDArray part(Affine layer, NDArray a, boolean signed, boolean positive, NDArray relevance) {
        NDArray w1 = positive ? layer.positiveWeight() : layer.negativeWeight();
        NDArray w2 = positive ? layer.negativeWeight() : layer.positiveWeight();
        NDArray b = !bias ? layer.zeroBias() : positive ? layer.positiveBias() : layer.negativeBias();
        UnaryOperator<NDArray> quotient = z -> Stable.divideOneSigned(relevance, z, positive); // z has the part's sign
        if (!signed) {
            return Stacked.relevance(layer, new NDArray[] {a}, w1, b, quotient);
        }
        NDArray w = layer.stackedWeight(positive ? "W+|W-" : "W-|W+", () -> new NDArray[] {w1, w2});
        return Stacked.relevance(layer, new NDArray[] {a.maximum(0f), a.minimum(0f)}, w, b, quotient);
    }
}
