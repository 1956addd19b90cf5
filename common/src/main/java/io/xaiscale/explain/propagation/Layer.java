package io.xaiscale.explain.propagation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.MaxPool;
import io.xaiscale.model.TransformerLrp;
import io.xaiscale.model.Vit;

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
        RESIDUAL,
        /** A transformer's token bookkeeping: the class token put before the patch tokens, or taken for the head. */
        TOKENS,
        /** Adds a learned constant to the tokens (the position embedding): a bias without weights. */
        POSITION,
        /**
         * LayerNorm over the token's features. Its chain rule holds the standard deviation constant
         * (AttnLRP's identity rule for the normalisation), so the layer is linear in its input.
         */
        NORM,
        /**
         * Multi-head attention over stacked queries, keys and values; its chain rule splits the two
         * products of activations evenly between their factors (AttnLRP's uniform rule).
         */
        ATTENTION,
        /** GELU: its gate held constant, relevance passes it unchanged (AttnLRP's identity rule). */
        GELU
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
    static class OfBlock extends Layer {
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

    /**
     * A transformer block run under {@link TransformerLrp}'s rules: the same values as the model's
     * forward, with the chain rule of LRP's (a LayerNorm's deviation, GELU's gate held constant).
     */
    static final class UnderRules extends OfBlock {
        UnderRules(Kind kind, String name, Block block, ParameterStore store) {
            super(kind, name, block, store);
        }

        @Override
        public NDArray forward(NDArray input) {
            try (TransformerLrp rules = TransformerLrp.open(TransformerLrp.Softmax.TAYLOR)) {
                return super.forward(input);
            }
        }
    }

    /**
     * The attention of a ViT block after its stacked projection (which the walk has as a linear layer
     * of its own): {@code [N, T, 3 D]} to {@code [N, T, D]}. Its forward carries AttnLRP's graph (the
     * softmax taken as it is); {@link #forward(NDArray, TransformerLrp.Softmax)} the other softmax rule.
     */
    public static final class Attention extends Layer {
        private final Vit.SelfAttention block;

        Attention(String name, Vit.SelfAttention block) {
            super(Kind.ATTENTION, name);
            this.block = block;
        }

        @Override
        public NDArray forward(NDArray qkv) {
            return forward(qkv, TransformerLrp.Softmax.TAYLOR);
        }

        /** The attention whose chain rule passes the softmax by {@code softmax}. */
        public NDArray forward(NDArray qkv, TransformerLrp.Softmax softmax) {
            return block.attend(qkv, softmax);
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
