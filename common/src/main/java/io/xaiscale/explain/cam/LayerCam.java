package io.xaiscale.explain.cam;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Explainer;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import java.util.List;

/**
 * Base of the CAM family: methods that weight the activation maps of one feature layer
 * ({@code layer}: {@code auto} is the card's CAM layer, else the last feature layer) and upsample the
 * weighted sum bilinearly to the input size.
 */
public abstract class LayerCam extends Explainer {
    public static final String AUTO = "auto";

    protected final String layer;

    protected LayerCam(String name, ParamReader p) {
        super(name, p);
        this.layer = p.getString("layer", AUTO);
    }

    @Override
    public void check(ModelCard card, List<String> featureLayers) {
        super.check(card, featureLayers);
        if (!AUTO.equals(layer) && !featureLayers.contains(layer)) {
            throw new IllegalArgumentException("Unknown layer for " + name() + ": " + layer + " (valid for "
                    + card.key() + ": " + String.join(", ", featureLayers) + ")");
        }
    }

    /** The concrete layer this method uses on {@code model}. */
    public String layerFor(Classifier model) {
        String l = AUTO.equals(layer) ? model.defaultCamLayer() : layer;
        model.layerIndex(l); // fails naming the valid layers
        return l;
    }

    /** Activations {@code [N, K, h, w]} after the layer, without autograd. */
    protected static NDArray activations(Classifier model, NDArray inputs, String layer) {
        try (GradMode off = GradMode.off()) {
            return model.activations(inputs, layer);
        }
    }

    /** {@code sum_k weights[n, k] * acts[n, k]} for weights {@code [N, K]}: maps {@code [N, h, w]}. */
    protected static NDArray weighted(NDArray weights, NDArray acts) {
        Shape s = weights.getShape();
        return acts.mul(weights.reshape(s.get(0), s.get(1), 1, 1)).sum(new int[] {1});
    }

    /** Spatial mean of {@code [N, K, h, w]} as {@code [N, K]} (single-axis means chained: DJL rejects two at once). */
    protected static NDArray spatialMean(NDArray x) {
        return x.mean(new int[] {3}).mean(new int[] {2});
    }

    /** Channels of the activations after {@code layer}, from one forward pass of a blank image. */
    public static long channels(Classifier model, String layer) {
        try (NDManager m = model.manager().newSubManager();
                GradMode off = GradMode.off()) {
            return model.activations(m.zeros(new Shape(1, model.channels(), model.height(), model.width())), layer)
                    .getShape()
                    .get(1);
        }
    }

    /** Bilinear upsampling of maps {@code [N, h, w]} to {@code [N, height, width]}. */
    public static NDArray upsample(NDArray maps, int height, int width) {
        Shape s = maps.getShape();
        if (s.get(1) == height && s.get(2) == width) {
            return maps;
        }
        return NDImageUtils.resize(maps.expandDims(3), width, height, Image.Interpolation.BILINEAR)
                .squeeze(3);
    }
}
