package io.xaiscale.internals;

import io.xaiscale.image.Upsample;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * Network Dissection (Bau et al. 2017): a unit detects a concept when its activation map, upsampled
 * to the input and thresholded at the unit's top quantile over the dataset, overlaps the concept's
 * ground truth: {@code IoU(k, c) = sum_x |M_k(x) & L_c(x)| / sum_x |M_k(x) | L_c(x)|} over every image
 * x (images without the concept add their whole mask to the union). Here the concepts are the
 * dataset's classes, their ground truth the boxes (or masks), and {@link #ANY_OBJECT} every object of
 * an image: a unit whose masks fall outside every object fires on the background.
 *
 * <p>Dataset-level sums come from per-image {@link #count}s added up (a distributed aggregate), with
 * thresholds from {@link #sample}s of the activations.
 */
public final class Dissection {
    /** The concept "any object of the image" (the union of its ground truth). */
    public static final int ANY_OBJECT = -1;
    /** The row of a unit's mask area over every image, with or without a concept. */
    public static final int ALL_IMAGES = -2;

    private Dissection() {}

    /**
     * Up to {@code perUnit} activation values of each unit of one image's {@code [K, h, w]} maps,
     * positions drawn by {@code random} (all of them when the map is that small): {@code [K][n]}.
     */
    public static float[][] sample(float[] acts, int k, int h, int w, int perUnit, Random random) {
        int hw = h * w;
        int n = Math.min(perUnit, hw);
        float[][] out = new float[k][n];
        for (int i = 0; i < n; i++) {
            int p = n == hw ? i : random.nextInt(hw);
            for (int u = 0; u < k; u++) {
                out[u][i] = acts[u * hw + p];
            }
        }
        return out;
    }

    /** The {@code q}-quantile of {@code values} (nearest rank, on a sorted copy). */
    public static float quantile(float[] values, double q) {
        if (values.length == 0) {
            throw new IllegalArgumentException("No values for a quantile");
        }
        float[] v = values.clone();
        Arrays.sort(v);
        int i = (int) Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1));
        return v[i];
    }

    /**
     * One image's counts: for each unit k (maps {@code [K, h, w]} upsampled bilinearly to
     * {@code height x width}, mask = activation above {@code thresholds[k]}) and each concept of
     * {@code regions} (class -> ground-truth mask, {@link #ANY_OBJECT} included), {@code {inter, union,
     * area}}; and under {@link #ALL_IMAGES} {@code {0, 0, area}}. {@code add} receives (unit, concept,
     * counts).
     */
    public static void count(
            float[] acts,
            int k,
            int h,
            int w,
            float[] thresholds,
            int height,
            int width,
            Map<Integer, boolean[]> regions,
            Sink add) {
        float[] up = Upsample.bilinear(acts, k, h, w, height, width);
        int hw = height * width;
        for (int u = 0; u < k; u++) {
            long area = 0;
            boolean[] mask = new boolean[hw];
            for (int i = 0; i < hw; i++) {
                mask[i] = up[u * hw + i] > thresholds[u];
                if (mask[i]) {
                    area++;
                }
            }
            add.accept(u, ALL_IMAGES, 0, 0, area);
            for (var e : regions.entrySet()) {
                boolean[] truth = e.getValue();
                long inter = 0;
                long union = 0;
                for (int i = 0; i < hw; i++) {
                    if (mask[i] && truth[i]) {
                        inter++;
                    }
                    if (mask[i] || truth[i]) {
                        union++;
                    }
                }
                add.accept(u, e.getKey(), inter, union, area);
            }
        }
    }

    /** Receives one (unit, concept) count of an image. */
    @FunctionalInterface
    public interface Sink {
        void accept(int unit, int concept, long inter, long union, long area);
    }

    /**
     * The dataset-level IoU from summed counts: intersections and unions over the images with the
     * concept, the unit's mask area over those images and over all images (the rest joins the union).
     */
    public static double iou(long inter, long union, long areaWithConcept, long areaAll) {
        long denominator = union + (areaAll - areaWithConcept);
        return denominator == 0 ? 0.0 : (double) inter / denominator;
    }
}
