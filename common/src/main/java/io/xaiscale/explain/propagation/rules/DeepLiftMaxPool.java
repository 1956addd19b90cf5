package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;

/**
 * DeepLIFT through max pooling by the cross maximum (as Captum does): each window's output
 * difference {@code dy = y - y_ref} times the multiplier above is split at {@code max(y, y_ref)}.
 * The rise {@code max(y, y_ref) - y_ref >= 0} goes to the input's max position, where
 * {@code dx = y - x_ref >= rise} ({@code x_ref} there is at most {@code y_ref}); the fall
 * {@code y - max(y, y_ref) <= 0} goes to the reference's max position, where
 * {@code dx = x - y_ref <= fall} ({@code x} there is at most {@code y}). So a window's change only
 * lands where the input changed at least as much, the quotient {@code moved / dx} stays bounded, and
 * {@code sum(m_in * dx) = sum(m_out * dy)} exactly, overlapping windows included. Positions whose
 * difference is exactly zero get the plain gradient as multiplier.
 */
public final class DeepLiftMaxPool implements Rule {
    public static final DeepLiftMaxPool INSTANCE = new DeepLiftMaxPool();

    @Override
    public NDArray backward(Step step, NDArray signal) {
        NDArray dy = step.output().sub(step.referenceOutput());
        NDArray rise = dy.maximum(0f).muli(signal);
        NDArray fall = dy.muli(signal).subi(rise);
        NDArray moved = step.chain(rise).addi(step.referenceChain(fall));
        NDArray dx = step.input().sub(step.referenceInput());
        return Stable.ratioOr(moved, dx, step.chain(signal));
    }
}
