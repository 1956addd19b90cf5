package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/** Divisions of the propagation rules: relevance by pre-activations (LRP), differences by differences (DeepLIFT). */
public final class Stable {
    /** Below this difference DeepLIFT's quotients fall back to the gradient. */
    static final float TINY = 1e-7f;

    private Stable() {}

    /**
     * {@code num / (den + eps * sign(den))} with {@code sign(0) = +1}; where the stabilised
     * denominator is exactly zero (only possible with {@code eps = 0}) the quotient is 0.
     */
    public static NDArray divide(NDArray num, NDArray den, double eps) {
        if (eps == 0) {
            return NDArrays.where(den.eq(0f), num.zerosLike(), num.div(den));
        }
        // sign(sign(den) + 0.5) is sign(den) with sign(0) = +1: three cheap ops (a `where` costs four of them)
        return num.div(den.add(den.sign().add(0.5f).sign().mul((float) eps)));
    }

    /** {@code num / den} where {@code |den| >= TINY}, else {@code fallback} (DeepLIFT's multipliers and their gradient limit). */
    static NDArray ratioOr(NDArray num, NDArray den, NDArray fallback) {
        // the quotient's inf and NaN where den is tiny are never selected
        return NDArrays.where(den.abs().lt(TINY), fallback, num.div(den));
    }

    /** {@code 1} where {@code x > 0}, else 0, in {@code x}'s type. */
    static NDArray positive(NDArray x) {
        return x.gt(0f).toType(x.getDataType(), false);
    }
}
