package io.xaiscale.explain.cam;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Attribution;
import io.xaiscale.explain.Explainer;
import io.xaiscale.image.Upsample;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.ModelCard;
import io.xaiscale.model.Vit;
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

    /**
     * Feature maps {@code [N, K, h, w]} as they are, or a Vision Transformer's tokens {@code [N, 1 + h w,
     * D]} as the maps of their patch grid {@code [N, D, h, w]}: the class token dropped, the patch tokens
     * in their row-major order (pytorch-grad-cam's {@code reshape_transform}).
     */
    protected static NDArray grid(Classifier model, NDArray acts) {
        Vit.Config c = Vit.configOf(model.card());
        if (c == null || acts.getShape().dimension() != 3) {
            return acts;
        }
        long n = acts.getShape().get(0);
        long d = acts.getShape().get(2);
        return acts.get(":, 1:, :")
                .reshape(n, model.height() / c.patchSize(), model.width() / c.patchSize(), d)
                .transpose(0, 3, 1, 2);
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

    /**
     * Bilinear upsampling of maps {@code [N, h, w]} to {@code [N, height, width]} by
     * {@link Upsample#bilinear} (which readers of maps stored at native resolution use too).
     */
    public static NDArray upsample(NDArray maps, int height, int width) {
        Shape s = maps.getShape();
        int n = (int) s.get(0);
        int h = (int) s.get(1);
        int w = (int) s.get(2);
        if (h == height && w == width) {
            return maps;
        }
        float[] up = Upsample.bilinear(maps.toType(DataType.FLOAT32, false).toFloatArray(), n, h, w, height, width);
        return maps.getManager().create(up, new Shape(n, height, width));
    }

    /**
     * Bilinear upsampling on the arrays' own device, differentiable, by libtorch (half-pixel centres
     * too, equal to {@link #upsample} up to float rounding): for intermediate maps (Score-CAM's masks,
     * meaningful perturbation's mask), not for the maps a method returns.
     */
    public static NDArray upsampleOnDevice(NDArray maps, int height, int width) {
        return NDImageUtils.resize(maps.expandDims(3), width, height, Image.Interpolation.BILINEAR)
                .squeeze(3);
    }

    /** The attribution of coarse maps {@code [N, h, w]}: upsampled to the input, the coarse ones kept. */
    protected static Attribution attribution(Classifier model, NDArray coarse, int[] targets, NDArray logits) {
        return new Attribution(upsample(coarse, model.height(), model.width()), targets, logits, coarse);
    }
}
