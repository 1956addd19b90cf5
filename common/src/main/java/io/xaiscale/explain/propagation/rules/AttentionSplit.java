package io.xaiscale.explain.propagation.rules;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.propagation.Layer;
import io.xaiscale.explain.propagation.Rule;
import io.xaiscale.explain.propagation.Step;
import io.xaiscale.model.TransformerLrp;

/**
 * LRP through a Vision Transformer's attention, from its output to the stacked queries, keys and
 * values: {@code R_in = qkv (J^T R / out)} with the Jacobian {@code J} of AttnLRP's rules (Achtibat et
 * al. 2024): each product of two activations ({@code q k^T}, attention times values) splits its
 * relevance evenly between its factors, and the softmax passes it by {@code x (R - s sum R)}
 * ({@link TransformerLrp.Softmax#TAYLOR}) or is held constant so that all of it goes to the values
 * ({@link TransformerLrp.Softmax#DETACH}, CP-LRP, Ali et al. 2022: conservative).
 */
public final class AttentionSplit implements Rule {
    private final TransformerLrp.Softmax softmax;

    public AttentionSplit(TransformerLrp.Softmax softmax) {
        this.softmax = softmax;
    }

    @Override
    public NDArray backward(Step step, NDArray relevance) {
        NDArray qkv = step.input();
        NDArray s = Stable.divide(relevance, step.output(), 1e-9);
        // the forward walk taped AttnLRP's graph; the other softmax rule runs the attention once more
        NDArray c = softmax == TransformerLrp.Softmax.TAYLOR
                ? step.chain(s)
                : Step.vjp(x -> ((Layer.Attention) step.layer()).forward(x, softmax), qkv, s);
        return c.muli(qkv);
    }
}
