package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/** Divisions of the propagation rules: relevance by pre-activations (LRP), differences by differences (DeepLIFT). */
public final class Stable {
    /** Shifts zero to the positive side in the stabiliser's sign. */
    private static final float TIE = 1e-30f;
    /** Moves a one-signed denominator off zero. */
    private static final float AWAY = 1e-20f;

    private Stable() {}

    /**
     * {@code num / (den + eps * sign(den))} with {@code sign(0) = +1}; where the stabilised
     * denominator is exactly zero (only possible with {@code eps = 0}) the quotient is 0.
     */
    public static NDArray divide(NDArray num, NDArray den, double eps) {
        if (eps == 0) {
            return NDArrays.where(den.eq(0f), num.zerosLike(), num.div(den));
        }
        // sign(den + 1e-30) is sign(den) with sign(0) = +1 (float32 adds nothing to any |den| above 1e-22); in place:
        // one
        // new array for the denominator, four passes over it (element-wise passes cost as much as small convolutions)
        NDArray d = den.add(TIE);
        d.signi().muli((float) eps).addi(den);
        return num.div(d);
    }

    /**
     * {@code num / den} for a denominator of one sign ({@code >= 0}, or {@code <= 0} when not {@code positive}),
     * as in the alpha-beta rule's parts: {@code den} is moved {@code 1e-20} away from zero, so where it is 0 the
     * quotient is large but finite; there every contribution {@code a_i w_ij} to {@code den} is exactly 0, so
     * the quotient never reaches a relevance (two passes, against four for a guarded division).
     */
    static NDArray divideOneSigned(NDArray num, NDArray den, boolean positive) {
        return num.div(den.add(positive ? AWAY : -AWAY));
    }

    /**
     * {@code num / den} where {@code den != 0}, else {@code fallback}; {@code num} is overwritten. For DeepLIFT's
     * multipliers, which are bounded wherever the difference below is not exactly zero: a ReLU's secant slope
     * lies in [0, 1] (in float too: both differences round the same way), and max pooling moves a window's
     * change only where the input changed at least as much. So only an exact zero needs the gradient limit.
     */
    static NDArray ratioOr(NDArray num, NDArray den, NDArray fallback) {
        // the quotient's NaN where den is 0 is never selected
        return NDArrays.where(den.eq(0f), fallback, num.divi(den));
    }

    /** {@code 1} where {@code x > 0}, else 0, in {@code x}'s type. */
    static NDArray positive(NDArray x) {
        return x.gt(0f).toType(x.getDataType(), false);
    }
}
