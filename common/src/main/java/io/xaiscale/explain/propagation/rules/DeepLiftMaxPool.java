package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * DeepLIFT through (non-overlapping) max pooling, exact summation: each window's output difference
 * {@code dy} (times the multiplier above) goes to the max position of the input and is divided by the
 * input difference there. Where that difference is zero the input's max equals the reference's value
 * at the same place, so {@code dy} is carried to the max position of the reference instead (there the
 * difference is non-zero unless {@code dy = 0}). Hence {@code sum(m_in * dx) = sum(m_out * dy)}.
 * Positions with a tiny difference get the plain gradient as multiplier.
 */
public final class DeepLiftMaxPool implements Rule {
    public static final DeepLiftMaxPool INSTANCE = new DeepLiftMaxPool();

    @Override
    public NDArray backward(Step step, NDArray signal) {
        NDArray dx = step.input().sub(step.referenceInput());
        NDArray tiny = dx.abs().lt(Stable.TINY);
        NDArray carried = step.output().sub(step.referenceOutput()).muli(signal);
        NDArray moved = step.chain(carried);
        // the part that landed where dx = 0, gathered back per window: one non-zero entry per window at most.
        // It is non-zero only where the input's max equals the reference there and the reference's max is
        // elsewhere and larger; on black backgrounds both are equal everywhere: usually nothing to move
        NDArray lostIn = moved.mul(tiny.toType(moved.getDataType(), false));
        if (lostIn.abs().max().getFloat() > 0f) {
            NDArray lostOut = step.layer().forward(lostIn).sub(step.layer().forward(lostIn.neg()));
            moved.addi(step.referenceChain(lostOut));
        }
        return Stable.ratioOr(moved, dx, tiny, step.chain(signal));
    }
}
