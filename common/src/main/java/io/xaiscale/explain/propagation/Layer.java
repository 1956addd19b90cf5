package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.MaxPool;

/**
 * One step of a {@link Walk}: a layer of the model seen by the propagation engine, with its kind
 * (which decides the rule a method attaches to it) and its exact forward function.
 */
public abstract class Layer {

    /** What the engine needs to know about a layer to pick a rule. */
    public enum Kind {
        /** Per-channel affine map without mixing: the input normalisation, a BatchNorm not folded into a convolution. */
        POINTWISE,
        /** Convolution or dense layer, with weights (BatchNorm folded in). */
        LINEAR,
        RELU,
        MAX_POOL,
        /** Average pooling, global or windowed: linear, without weights. */
        AVG_POOL,
        /** Flatten: reshapes only. */
        RESHAPE,
        /** Sum of branches fed the same input. */
        RESIDUAL
    }

    private final Kind kind;
    private final String name;

    protected Layer(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    public final Kind kind() {
        return kind;
    }

    /** Where the layer sits in the model, e.g. {@code conv2} or {@code block1.main.conv1}. */
    public final String name() {
        return name;
    }

    /** The layer's exact forward function (eval mode). */
    public abstract NDArray forward(NDArray input);

    /**
     * For max pooling whose windows tile an input of this shape (each position in exactly one
     * window), the window size; else 0.
     */
    public int tilingWindow(Shape input) {
        return 0;
    }

    @Override
    public String toString() {
        return name + " (" + kind + ")";
    }

    /** A parameterless DJL block (activation, pooling, flatten) or an unfolded BatchNorm. */
    static final class OfBlock extends Layer {
        private final Block block;
        private final ParameterStore store;

        OfBlock(Kind kind, String name, Block block, ParameterStore store) {
            super(kind, name);
            this.block = block;
            this.store = store;
        }

        @Override
        public NDArray forward(NDArray input) {
            return block.forward(store, new NDList(input), false).singletonOrThrow();
        }

        @Override
        public int tilingWindow(Shape input) {
            return block instanceof MaxPool pool ? pool.tilingWindow(input) : 0;
        }
    }

    /** The model's input normalisation (channel order, then {@code (x - mean) / std}), exactly as the model applies it. */
    static final class Normalize extends Layer {
        private final Classifier model;

        Normalize(Classifier model) {
            super(Kind.POINTWISE, "normalize");
            this.model = model;
        }

        @Override
        public NDArray forward(NDArray input) {
            return model.normalize(input);
        }
    }
}
