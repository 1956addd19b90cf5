package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * LRP through a Vision Transformer as gradient x input of a forward pass whose values are unchanged
 * but whose gradients follow the LRP rules for transformers (AttnLRP, Achtibat et al. 2024; CP-LRP,
 * Ali et al. 2022), opened on the calling thread like {@link AttentionCapture}: LayerNorm divides by
 * its standard deviation held constant (the identity rule for the normalisation), GELU is {@code x}
 * times its gate {@code Phi(x)} held constant (identity rule), and each product of two activations
 * ({@code q k^T}, attention times values) is {@code (a stop(b) + stop(a) b) / 2}: relevance split evenly
 * between its factors. The softmax is taken as it is ({@link Softmax#TAYLOR}: AttnLRP's rule
 * {@code x (R - s sum R)}) or held constant ({@link Softmax#DETACH}: CP-LRP, all relevance through the
 * values). Linear layers and the patch embedding keep plain gradient x input (LRP-0).
 */
public final class TransformerLrp implements AutoCloseable {
    /** How relevance passes the attention's softmax. */
    public enum Softmax {
        TAYLOR,
        DETACH
    }

    private static final ThreadLocal<TransformerLrp> CURRENT = new ThreadLocal<>();

    private final Softmax softmax;
    private final TransformerLrp before;

    private TransformerLrp(Softmax softmax) {
        this.softmax = softmax;
        this.before = CURRENT.get();
        CURRENT.set(this);
    }

    /** The rules on this thread's forward passes until closed. */
    public static TransformerLrp open(Softmax softmax) {
        return new TransformerLrp(softmax);
    }

    static TransformerLrp current() {
        return CURRENT.get();
    }

    public Softmax softmax() {
        return softmax;
    }

    /** {@code a b} (matrix product) whose gradient splits relevance evenly between {@code a} and {@code b}. */
    static NDArray evenProduct(NDArray a, NDArray b) {
        return a.matMul(b.stopGradient()).add(a.stopGradient().matMul(b)).mul(0.5f);
    }

    /** torchvision's exact GELU as a block: under the rules, {@code x Phi(x)} with the gate held constant. */
    static LambdaBlock gelu() {
        return new LambdaBlock(
                list -> {
                    NDArray x = list.singletonOrThrow();
                    if (current() == null) {
                        return new NDList(Activation.gelu(x));
                    }
                    NDArray gate =
                            x.div((float) Math.sqrt(2)).erf().add(1f).mul(0.5f).stopGradient();
                    return new NDList(x.mul(gate));
                },
                "GELU");
    }

    /** A LayerNorm over the last axis that, under the rules, holds its standard deviation constant. */
    public static final class Norm extends LayerNorm {
        Norm(float epsilon) {
            super(LayerNorm.builder().axis(2).optEpsilon(epsilon));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            if (current() == null) {
                return super.forwardInternal(store, inputs, training, params);
            }
            NDArray x = inputs.singletonOrThrow();
            NDArray centred = x.sub(x.mean(new int[] {2}, true));
            NDArray std = centred.square()
                    .mean(new int[] {2}, true)
                    .add(epsilon)
                    .sqrt()
                    .stopGradient();
            NDArray w = store.getValue(gamma, x.getDevice(), training);
            NDArray b = store.getValue(beta, x.getDevice(), training);
            return new NDList(centred.div(std).mul(w).add(b));
        }
    }

    @Override
    public void close() {
        if (before == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(before);
        }
    }
}
