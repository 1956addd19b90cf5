package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;

/** Division of relevance by pre-activations, stabilised as in the LRP literature. */
final class Stable {
    private Stable() {}

    /**
     * {@code num / (den + eps * sign(den))} with {@code sign(0) = +1}; where the stabilised
     * denominator is exactly zero (only possible with {@code eps = 0}) the quotient is 0.
     */
    static NDArray divide(NDArray num, NDArray den, double eps) {
        NDArray sign = den.gte(0f).toType(den.getDataType(), false).mul(2f).sub(1f);
        NDArray d = eps == 0 ? den : den.add(sign.mul((float) eps));
        NDArray zero = d.eq(0f).toType(den.getDataType(), false);
        return num.div(d.add(zero)).mul(zero.neg().add(1f));
    }

    /** {@code 1} where {@code x > 0}, else 0, in {@code x}'s type. */
    static NDArray positive(NDArray x) {
        return x.gt(0f).toType(x.getDataType(), false);
    }
}
