package io.xaiscale.metric;

import ai.djl.ndarray.NDArray;
import io.xaiscale.explain.Explainer;
import io.xaiscale.image.Box;
import io.xaiscale.image.Region;
import io.xaiscale.model.Classifier;

/**
 * What a metric sees for N samples: the model, the pixel-space inputs {@code [N, C, H, W]}, each
 * sample's map (row-major {@code H x W}), target class and ground truth in input coordinates (a
 * {@link Region}: the boxes of the target class or a mask; null when unknown), and
 * the explanation method that made the maps (set for metrics that re-run it, else null). Metrics that
 * only look at maps accept a null model and inputs.
 */
public record EvalBatch(
        Classifier model,
        NDArray inputs,
        float[][] maps,
        int[] targets,
        Region[] truths,
        int height,
        int width,
        Explainer method) {

    public static EvalBatch of(Classifier model, NDArray inputs, float[][] maps, int[] targets, Region[] truths) {
        return new EvalBatch(
                model,
                inputs,
                maps,
                targets,
                truths,
                (int) inputs.getShape().get(2),
                (int) inputs.getShape().get(3),
                null);
    }

    /** {@link #of(Classifier, NDArray, float[][], int[], Region[])} with one box (or null) per sample. */
    public static EvalBatch of(Classifier model, NDArray inputs, float[][] maps, int[] targets, Box[] boxes) {
        return of(
                model,
                inputs,
                maps,
                targets,
                regions(boxes, (int) inputs.getShape().get(3), (int)
                        inputs.getShape().get(2)));
    }

    /** A batch of maps only, for localisation metrics. */
    public static EvalBatch mapsOnly(float[][] maps, Region[] truths, int height, int width) {
        return new EvalBatch(null, null, maps, new int[maps.length], truths, height, width, null);
    }

    /** {@link #mapsOnly(float[][], Region[], int, int)} with one box (or null) per sample. */
    public static EvalBatch mapsOnly(float[][] maps, Box[] boxes, int height, int width) {
        return mapsOnly(maps, regions(boxes, width, height), height, width);
    }

    static Region[] regions(Box[] boxes, int width, int height) {
        Region[] out = new Region[boxes.length];
        for (int i = 0; i < boxes.length; i++) {
            out[i] = boxes[i] == null ? null : Region.of(boxes[i], width, height);
        }
        return out;
    }

    /** The same batch, with the method that made its maps. */
    public EvalBatch withMethod(Explainer m) {
        return new EvalBatch(model, inputs, maps, targets, truths, height, width, m);
    }

    public int size() {
        return maps.length;
    }
}
