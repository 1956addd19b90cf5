package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;

/**
 * How a signal crosses one layer backwards (Zennit's rules attached by layer type): from the signal
 * at the layer's output (a gradient, a relevance, a DeepLIFT multiplier) to the signal at its input.
 * A new rule is one small class.
 */
@FunctionalInterface
public interface Rule {
    NDArray backward(Step step, NDArray signal);
}
