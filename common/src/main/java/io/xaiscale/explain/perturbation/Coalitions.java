package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.image.Blur;
import io.xaiscale.image.Slic;
import io.xaiscale.model.Chunks;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Scopes;
import java.util.List;

/**
 * The engine of the region methods (LIME, KernelSHAP, Shapley value sampling, feature ablation): an
 * image cut into regions ({@link Regions}: SLIC superpixels or a grid), and the model's output for
 * the target class on coalitions of them, where the regions of a coalition keep their pixels and the
 * others take a fill ({@link #filler}). Coalitions go through the model in chunks of its internal
 * batch size, each chunk in a native-memory scope of its own.
 */
final class Coalitions {
    public static final List<String> FILLS = List.of("zero", "mean", "blur");
    public static final List<String> OUTPUTS = List.of("logit", "probability");

    private Coalitions() {}

    /**
     * How an image is cut into regions: {@code regions=slic} with {@code segments} (about that many
     * superpixels) and {@code compactness}, or {@code regions=grid} with {@code cells} per side. The
     * parameters of the other choice are not recorded.
     */
    record Regions(String kind, int segments, double compactness, int cells) {
        static final List<String> KINDS = List.of("slic", "grid");

        /**
         * Reads the parameters; {@code recordSlic} false leaves {@code regions=slic} out of the record
         * (LIME, whose specs were written before grids existed).
         */
        static Regions read(ParamReader p, int defaultSegments, boolean recordSlic) {
            String kind = p.getChoice("regions", "slic", KINDS);
            int segments = p.getInt("segments", defaultSegments, 2, 10_000);
            double compactness = p.getDouble("compactness", 0.1, 0.0, true, 1000.0);
            int cells = p.getInt("cells", 4, 1, 1024);
            if (kind.equals("slic")) {
                p.forget("cells");
                if (!recordSlic) {
                    p.forget("regions");
                }
            } else {
                p.forget("segments");
                p.forget("compactness");
            }
            return new Regions(kind, segments, compactness, cells);
        }

        /** The number of regions asked for (SLIC may give a few more or fewer). */
        int expected() {
            return kind.equals("slic") ? segments : cells * cells;
        }

        /** A region index per pixel (row-major {@code h x w}), regions numbered from 0 without gaps. */
        int[] of(float[] pixels, int c, int h, int w) {
            if (kind.equals("slic")) {
                return Slic.segment(pixels, c, h, w, segments, compactness, 10);
            }
            if (cells > Math.min(h, w)) {
                throw new IllegalArgumentException(
                        "Invalid cells: " + cells + " (must be <= the image's shorter side " + Math.min(h, w) + ")");
            }
            int[] label = new int[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    label[y * w + x] = (y * cells / h) * cells + x * cells / w;
                }
            }
            return label;
        }
    }

    /** Number of regions of a labelling from {@link Regions#of}. */
    static int count(int[] label) {
        int s = 0;
        for (int l : label) {
            s = Math.max(s, l + 1);
        }
        return s;
    }

    /** What a region out of the coalition shows: black, the image's mean, or a blurred copy. */
    static NDArray filler(NDArray image, String fill, int h, int w) {
        return switch (fill) {
            case "zero" -> image.zerosLike();
            case "mean" -> image.zerosLike().add(image.mean());
            default -> Blur.gaussian(image, Math.max(h, w) / 16.0);
        };
    }

    /**
     * The target's output ({@code logit} or {@code probability}) for each coalition {@code z[k]} (1:
     * region kept, 0: filled) of {@code image} ({@code [1, C, H, W]}).
     */
    static double[] outputs(
            Classifier model, NDArray image, NDArray filler, int[] label, double[][] z, int target, String output) {
        int h = model.height();
        int w = model.width();
        double[] y = new double[z.length];
        NDManager m = image.getManager();
        for (Chunks.Range r : Chunks.of(z.length, model.internalBatchSize())) {
            int start = r.start();
            int n = r.size();
            float[] keep = new float[n * h * w];
            for (int k = 0; k < n; k++) {
                for (int p = 0; p < h * w; p++) {
                    keep[k * h * w + p] = (float) z[start + k][label[p]];
                }
            }
            NDArray mask = m.create(keep, new Shape(n, 1, h, w)).toType(image.getDataType(), false);
            float[] values = Scopes.step(mask, m, mk -> {
                        NDArray x = mk.mul(image)
                                .add(mk.neg().add(1f).mul(filler)); // mask first: results stay in this chunk's scope
                        NDArray out = output.equals("probability") ? model.probabilities(x) : model.logitsNoGrad(x);
                        return out.get(":, " + target).toType(DataType.FLOAT32, false);
                    })
                    .toFloatArray();
            for (int k = 0; k < n; k++) {
                y[start + k] = values[k];
            }
        }
        return y;
    }

    /** A map {@code [1, H, W]} where every pixel carries its region's value. */
    static NDArray paint(NDManager m, double[] perRegion, int[] label, int h, int w, DataType type) {
        float[] map = new float[h * w];
        for (int p = 0; p < h * w; p++) {
            map[p] = (float) perRegion[label[p]];
        }
        return m.create(map, new Shape(1, h, w)).toType(type, false);
    }
}
