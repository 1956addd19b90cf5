package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;

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
        NDArray sign = den.gte(0f).toType(den.getDataType(), false).mul(2f).sub(1f);
        NDArray d = eps == 0 ? den : den.add(sign.mul((float) eps));
        NDArray zero = d.eq(0f).toType(den.getDataType(), false);
        return num.div(d.add(zero)).mul(zero.neg().add(1f));
    }

    /** {@code num / den} where {@code |den| >= TINY}, else {@code fallback} (DeepLIFT's multipliers and their gradient limit). */
    static NDArray ratioOr(NDArray num, NDArray den, NDArray fallback) {
        NDArray small = den.abs().lt(TINY).toType(den.getDataType(), false);
        return num.div(den.add(small)).mul(small.neg().add(1f)).add(fallback.mul(small));
    }

    /** {@code 1} where {@code x > 0}, else 0, in {@code x}'s type. */
    static NDArray positive(NDArray x) {
        return x.gt(0f).toType(x.getDataType(), false);
    }
}
