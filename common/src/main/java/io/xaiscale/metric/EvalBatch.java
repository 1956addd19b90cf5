package io.xaiscale.metric;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.Explainer;
import io.xaiscale.image.Box;
import io.xaiscale.model.Classifier;

/**
 * What a metric sees for N samples: the model, the pixel-space inputs {@code [N, C, H, W]}, each
 * sample's map (row-major {@code H x W}), target class and ground-truth box (null when unknown), and
 * the explanation method that made the maps (set for metrics that re-run it, else null). Metrics that
 * only look at maps accept a null model and inputs.
 */
public record EvalBatch(
        Classifier model,
        NDArray inputs,
        float[][] maps,
        int[] targets,
        Box[] boxes,
        int height,
        int width,
        Explainer method) {

    public static EvalBatch of(Classifier model, NDArray inputs, float[][] maps, int[] targets, Box[] boxes) {
        return new EvalBatch(
                model,
                inputs,
                maps,
                targets,
                boxes,
                (int) inputs.getShape().get(2),
                (int) inputs.getShape().get(3),
                null);
    }

    /** A batch of maps only, for localisation metrics. */
    public static EvalBatch mapsOnly(float[][] maps, Box[] boxes, int height, int width) {
        return new EvalBatch(null, null, maps, new int[maps.length], boxes, height, width, null);
    }

    /** The same batch, with the method that made its maps. */
    public EvalBatch withMethod(Explainer m) {
        return new EvalBatch(model, inputs, maps, targets, boxes, height, width, m);
    }

    public int size() {
        return maps.length;
    }
}
