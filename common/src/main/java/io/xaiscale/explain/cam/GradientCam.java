package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Targets;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;

/**
 * CAM methods weighted by the gradient of the target logit at the layer's activations (Grad-CAM,
 * Grad-CAM++): {@code ReLU(sum_k w_k A_k)}, upsampled. The gradient is taken at a leaf made of the
 * activations (DJL keeps no gradients of intermediate arrays), one backward pass per batch.
 */
public abstract class GradientCam extends LayerCam {

    protected GradientCam(String name, ParamReader p) {
        super(name, p);
    }

    /** Any model with a features/head split, TorchScript included; a ViT's patch tokens as the maps. */
    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, false, true).withPatchTokens();
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(1);
    }

    /** Channel weights {@code [N, K]} from activations and gradients {@code [N, K, h, w]}. */
    protected abstract NDArray weights(NDArray acts, NDArray grads);

    @Override
    protected Attribution compute(Classifier model, NDArray inputs, Targets targets) {
        String l = layerFor(model);
        NDArray acts = activations(model, inputs, l);
        Autograd.Pass p = Autograd.gradient(a -> model.logitsFrom(a, l), acts, targets.givenOrNull());
        NDArray maps = grid(model, acts);
        NDArray coarse =
                weighted(weights(maps, grid(model, p.gradient())), maps).maximum(0f);
        return attribution(model, coarse, targets.from(p.scores()), p.scores());
    }
}
