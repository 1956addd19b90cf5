package io.xaiscale.explain.attention;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.cam.LayerCam;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Vit;
import java.util.List;

/**
 * Base of the attention methods: maps read from a Vision Transformer's attention, one value per patch
 * (the class token's row of a token-to-token relevance matrix {@code [N, T, T]}), upsampled to the
 * input bilinearly like the CAM maps; the patch grid is kept as the coarse maps.
 */
public abstract class AttentionExplainer extends Explainer {

    protected AttentionExplainer(String name, ParamReader p) {
        super(name, p);
    }

    /** Whether the method takes gradients of the attention. */
    protected abstract boolean gradients();

    /** A ViT's attention blocks (not TorchScript, not a CNN). */
    @Override
    public final Capabilities capabilities() {
        return new Capabilities(gradients(), true, false).withAttention();
    }

    /** Fails naming the model when its forward pass recorded no attention (a model that is not a ViT). */
    void requireAttention(Classifier model, int layers) {
        if (layers == 0) {
            throw new IllegalArgumentException(name() + " reads a Vision Transformer's attention, but "
                    + model.card().key() + " recorded none: use it with a vit model");
        }
    }

    /** The identity {@code [N, T, T]} like {@code like} ({@code [N, ..., T, T]}). */
    static NDArray identity(NDArray like) {
        Shape s = like.getShape();
        long t = s.get(s.dimension() - 1);
        return like.getManager().eye((int) t).toType(like.getDataType(), false).broadcast(new Shape(s.get(0), t, t));
    }

    /**
     * Chefer et al.'s rollout of weighted attention maps {@code [N, T, T]} in forward order: {@code R = I},
     * then {@code R += A_bar R} per block.
     */
    static NDArray rollout(List<NDArray> weighted) {
        NDArray r = identity(weighted.get(0));
        for (NDArray a : weighted) {
            r = r.add(a.matMul(r));
        }
        return r;
    }

    /**
     * The attribution of a token relevance matrix {@code [N, T, T]}: the class token's row over the
     * patches, as the patch grid {@code [N, h/p, w/p]}, upsampled to the input.
     */
    static Attribution attribution(Classifier model, NDArray relevance, int[] targets, NDArray logits) {
        NDArray coarse = patchGrid(model, relevance.get(":, 0, :"));
        return new Attribution(LayerCam.upsample(coarse, model.height(), model.width()), targets, logits, coarse);
    }

    /** One value per token {@code [N, T]} (class token first) as the patch grid {@code [N, h/p, w/p]}. */
    static NDArray patchGrid(Classifier model, NDArray tokens) {
        Vit.Config c = Vit.configOf(model.card());
        return tokens.get(":, 1:")
                .reshape(tokens.getShape().get(0), model.height() / c.patchSize(), model.width() / c.patchSize());
    }
}
