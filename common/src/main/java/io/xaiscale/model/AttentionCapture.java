package io.xaiscale.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The attention probabilities of a Vision Transformer's forward pass, layer by layer ({@code [N, heads,
 * tokens, tokens]}, in forward order), for the attention methods. DJL has no forward hooks, so a
 * capture is opened on the calling thread and each {@link Vit} self-attention block records into it.
 * With {@code gradients}, each recorded map is also a leaf whose gradient the pass's backward fills:
 * the block computes with {@code leaf + (A - stop(A))}, equal to {@code A} in value, so the gradient
 * reaches the leaf ({@code dy/dA}) and flows on into the queries and keys as without the capture.
 * Read the gradients inside the backward pass's scope (their arrays belong to it).
 */
public final class AttentionCapture implements AutoCloseable {
    private static final ThreadLocal<AttentionCapture> CURRENT = new ThreadLocal<>();

    private final boolean gradients;
    private final AttentionCapture before;
    private final List<NDArray> maps = new ArrayList<>();

    private AttentionCapture(boolean gradients) {
        this.gradients = gradients;
        this.before = CURRENT.get();
        CURRENT.set(this);
    }

    /** Opens a capture on this thread until closed; {@code gradients}: record leaves for their gradients. */
    public static AttentionCapture open(boolean gradients) {
        return new AttentionCapture(gradients);
    }

    /** What a self-attention block computes with: its attention, recorded when a capture is open. */
    static NDArray record(NDArray attention) {
        AttentionCapture c = CURRENT.get();
        if (c == null) {
            return attention;
        }
        if (!c.gradients) {
            NDArray value = attention.stopGradient();
            c.maps.add(value);
            return attention;
        }
        NDArray leaf = attention.stopGradient();
        leaf.setRequiresGradient(true);
        c.maps.add(leaf);
        return leaf.add(attention.sub(attention.stopGradient()));
    }

    /** Each layer's attention probabilities {@code [N, heads, T, T]}, in forward order. */
    public List<NDArray> maps() {
        return List.copyOf(maps);
    }

    /** Each layer's {@code d score / d attention}, after the backward pass (with {@code gradients}). */
    public List<NDArray> gradients() {
        if (!gradients) {
            throw new IllegalStateException("This attention capture records no gradients");
        }
        return maps.stream().map(NDArray::getGradient).toList();
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
