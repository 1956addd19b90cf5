package io.xaiscale.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.pooling.Pool;

/**
 * 2-d max pooling that keeps its window in sight: the same block as DJL's
 * {@code Pool.maxPool2dBlock} (same name, no parameters, same saved form), whose window is hidden in a
 * lambda. The propagation engine asks {@link #tilingWindow} to route a shared reference without a
 * forward pass over the batch.
 */
public final class MaxPool extends LambdaBlock {
    private final int kernel;
    private final int stride;
    private final int padding;

    public MaxPool(int kernel, int stride, int padding) {
        super(
                list -> new NDList(Pool.maxPool2d(
                        list.singletonOrThrow(),
                        new Shape(kernel, kernel),
                        new Shape(stride, stride),
                        new Shape(padding, padding),
                        false)),
                "maxPool2d");
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** Pooling of {@code window x window} windows with the same stride and no padding. */
    public static MaxPool tiles(int window) {
        return new MaxPool(window, window, 0);
    }

    /**
     * The window size when the windows tile an input of this {@code [N, C, H, W]} shape (stride =
     * kernel, no padding, both sides divisible): every position belongs to exactly one window.
     * Else 0.
     */
    public int tilingWindow(Shape input) {
        boolean tiles = kernel == stride
                && padding == 0
                && input.dimension() == 4
                && input.get(2) % kernel == 0
                && input.get(3) % kernel == 0;
        return tiles ? kernel : 0;
    }
}
