package io.xaiscale.explain.cam;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import java.util.List;
import java.util.Map;

/**
 * Grad-CAM (Selvaraju et al. 2017): {@code ReLU(sum_k w_k A_k)} with {@code w_k} the spatial mean of
 * {@code d logit_target / d A_k}, for the activations {@code A} after feature layer {@code layer}
 * ({@code auto}: the card's CAM layer, else the last feature layer), upsampled bilinearly to the
 * input size. The gradient is taken at a leaf made of the activations (DJL keeps no gradients of
 * intermediate arrays).
 */
public final class GradCam extends Explainer {
    public static final String NAME = "grad_cam";
    public static final String AUTO = "auto";

    private final String layer;

    public GradCam(ParamReader p) {
        super(NAME, p);
        this.layer = p.getString("layer", AUTO);
    }

    @Override
    public boolean needsGradients() {
        return true;
    }

    @Override
    public void check(ModelCard card, List<String> featureLayers) {
        if (!AUTO.equals(layer) && !featureLayers.contains(layer)) {
            throw new IllegalArgumentException("Unknown layer for grad_cam: " + layer + " (valid for " + card.key() + ": "
                    + String.join(", ", featureLayers) + ")");
        }
    }

    /** The concrete layer this method uses on {@code model}. */
    public String layerFor(Classifier model) {
        String l = AUTO.equals(layer) ? model.defaultCamLayer() : layer;
        model.layerIndex(l); // fails naming the valid layers
        return l;
    }

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

    private static NDArray activations(Classifier model, NDArray inputs, String layer) {
        try (GradMode off = GradMode.off()) {
            return model.activations(inputs, layer);
        }
    }

    private static NDArray cam(Classifier model, NDArray acts, NDArray grads) {
        NDArray weights = grads.mean(new int[] {3}, true).mean(new int[] {2}, true); // [N, K, 1, 1]
        NDArray cam = weights.mul(acts).sum(new int[] {1}).maximum(0f);            // [N, h, w]
        return upsample(cam, model.height(), model.width());
    }

    /** Bilinear upsampling of maps {@code [N, h, w]} to {@code [N, height, width]}. */
    public static NDArray upsample(NDArray maps, int height, int width) {
        Shape s = maps.getShape();
        if (s.get(1) == height && s.get(2) == width) {
            return maps;
        }
        return NDImageUtils.resize(maps.expandDims(3), width, height, Image.Interpolation.BILINEAR).squeeze(3);
    }
}
