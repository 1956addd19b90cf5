package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.Choices;

/** Reference inputs of path and difference methods (IG, DeepLIFT) and metric substrates, in pixel space. */
public enum Baseline {
    /** Black. */
    ZERO,
    /** White. */
    ONE,
    /** Each image's own mean colour, per channel. */
    MEAN;

    /** The baseline for each sample of {@code x} ({@code [N, C, H, W]}), same shape. */
    public NDArray of(NDArray x) {
        return switch (this) {
            case ZERO -> x.zerosLike();
            case ONE -> x.onesLike();
            // single-axis means chained: DJL rejects two at once
            case MEAN -> x.zerosLike().add(x.mean(new int[] {3}, true).mean(new int[] {2}, true));
        };
    }

    /** Whether every sample gets the same reference (so it can be computed once for a batch). */
    public boolean isShared() {
        return this != MEAN;
    }

    /** As written in specs. */
    public String spec() {
        return Choices.spec(this);
    }
}
