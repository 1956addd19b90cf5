package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.image.Blur;
import io.xaiscale.image.Slic;
import io.xaiscale.model.Chunks;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Scopes;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * LIME for images (Ribeiro et al. 2016): the image is cut into SLIC superpixels ({@code segments},
 * {@code compactness}); {@code samples} random on/off patterns (the first one all on) replace the
 * "off" superpixels by {@code fill} (zero, the image mean, or a blurred copy); a weighted linear
 * surrogate ({@code ridge} or {@code lasso}, penalty {@code alpha}, with intercept) is fitted to the
 * target-class probabilities, samples weighted by {@code sqrt(exp(-d^2 / kernel_width^2))} with
 * {@code d} the cosine distance to the all-on pattern. A pixel's relevance is its superpixel's
 * coefficient. Patterns are seeded by {@code seed} and the image's own pixels.
 */
public final class Lime extends Explainer {
    public static final String NAME = "lime";
    public static final List<String> FILLS = List.of("zero", "mean", "blur");
    public static final List<String> SURROGATES = List.of("ridge", "lasso");

    private final int segments;
    private final double compactness;
    private final int samples;
    private final double kernelWidth;
    private final String surrogate;
    private final double alpha;
    private final String fill;
    private final long seed;

    public Lime(ParamReader p) {
        super(NAME, p);
        this.segments = p.getInt("segments", 50, 2, 10_000);
        this.compactness = p.getDouble("compactness", 0.1, 0.0, true, 1000.0);
        this.samples = p.getInt("samples", 500, 2, 1_000_000);
        this.kernelWidth = p.getDouble("kernel_width", 0.25, 0.0, true, 100.0);
        this.surrogate = p.getChoice("surrogate", "ridge", SURROGATES);
        this.alpha = p.getDouble("alpha", "ridge".equals(surrogate) ? 1.0 : 0.001, 0.0, false, 1e6);
        this.fill = p.getChoice("fill", "zero", FILLS);
        this.seed = p.getLong("seed", 0L);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.BLACK_BOX;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.forwards(samples);
    }

    @Override
    protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        int c = model.channels();
        int h = model.height();
        int w = model.width();
        NDManager owner = inputs.getManager();
        NDList maps = new NDList();
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            maps.add(Scopes.step(inputs.get(i).expandDims(0), owner, image -> explainOne(model, image, t, c, h, w)));
        }
        return NDArrays.concat(maps, 0);
    }

    private NDArray explainOne(Classifier model, NDArray image, int target, int c, int h, int w) {
        float[] pixels = image.toType(DataType.FLOAT32, false).toFloatArray();
        int[] label = Slic.segment(pixels, c, h, w, segments, compactness, 10);
        int s = 0;
        for (int l : label) {
            s = Math.max(s, l + 1);
        }
        SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, pixels));
        double[][] z = new double[samples][s];
        Arrays.fill(z[0], 1.0);
        for (int k = 1; k < samples; k++) {
            for (int j = 0; j < s; j++) {
                z[k][j] = rnd.nextBoolean() ? 1.0 : 0.0;
            }
        }
        NDArray filler = switch (fill) {
            case "zero" -> image.zerosLike();
            case "mean" -> image.zerosLike().add(image.mean());
            default -> Blur.gaussian(image, Math.max(h, w) / 16.0);
        };
        double[] y = new double[samples];
        NDManager m = image.getManager();
        for (Chunks.Range r : Chunks.of(samples, model.internalBatchSize())) {
            int start = r.start();
            int n = r.size();
            float[] keep = new float[n * h * w];
            for (int k = 0; k < n; k++) {
                for (int p = 0; p < h * w; p++) {
                    keep[k * h * w + p] = (float) z[start + k][label[p]];
                }
            }
            NDArray mask = m.create(keep, new Shape(n, 1, h, w)).toType(image.getDataType(), false);
            float[] probs = Scopes.step(mask, m, mk -> {
                        NDArray x = mk.mul(image)
                                .add(mk.neg().add(1f).mul(filler)); // mask first: results stay in this chunk's scope
                        return model.probabilities(x).get(":, " + target).toType(DataType.FLOAT32, false);
                    })
                    .toFloatArray();
            for (int k = 0; k < n; k++) {
                y[start + k] = probs[k];
            }
        }
        double[] weights = new double[samples];
        for (int k = 0; k < samples; k++) {
            double on = 0;
            for (double v : z[k]) {
                on += v;
            }
            double d = on == 0 ? 1.0 : 1.0 - on / (Math.sqrt(on) * Math.sqrt(s));
            weights[k] = Math.sqrt(Math.exp(-(d * d) / (kernelWidth * kernelWidth)));
        }
        double[] beta = "ridge".equals(surrogate)
                ? Surrogates.ridge(z, y, weights, alpha)
                : Surrogates.lasso(z, y, weights, alpha, 1000);
        float[] map = new float[h * w];
        for (int p = 0; p < h * w; p++) {
            map[p] = (float) beta[label[p]];
        }
        return m.create(map, new Shape(1, h, w)).toType(image.getDataType(), false);
    }
}
