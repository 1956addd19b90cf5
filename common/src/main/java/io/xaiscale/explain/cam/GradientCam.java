package io.xaiscale.explain.cam;

import ai.djl.ndarray.NDArray;
import io.xaiscale.config.ParamReader;
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

    @Override
    public final boolean needsGradients() {
        return true;
    }

    /** Channel weights {@code [N, K]} from activations and gradients {@code [N, K, h, w]}. */
    protected abstract NDArray weights(NDArray acts, NDArray grads);

    @Override
    public NDArray attribute(Classifier model, NDArray inputs, int[] targets) {
        String l = layerFor(model);
        NDArray acts = activations(model, inputs, l);
        return cam(model, acts, Autograd.targetGradient(a -> model.logitsFrom(a, l), acts, targets));
    }

    @Override
    public Predicted attributePredicted(Classifier model, NDArray inputs) {
        String l = layerFor(model);
        NDArray acts = activations(model, inputs, l);
        Autograd.Pass p = Autograd.predictedGradient(a -> model.logitsFrom(a, l), acts);
        return new Predicted(cam(model, acts, p.gradient()), p.scores());
    }

    private NDArray cam(Classifier model, NDArray acts, NDArray grads) {
        return upsample(weighted(weights(acts, grads), acts).maximum(0f), model.height(), model.width());
    }
}
