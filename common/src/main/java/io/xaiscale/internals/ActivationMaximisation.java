package io.xaiscale.internals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.Configured;
import io.xaiscale.config.ParamReader;
import io.xaiscale.config.Registry;
import io.xaiscale.explain.cam.LayerCam;
import io.xaiscale.image.Blur;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;
import io.xaiscale.model.Scopes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Activation maximisation (Erhan et al. 2009; Olah et al. 2017, "Feature Visualization"; DeepDream
 * with {@code init=image}): gradient ascent on the input, in pixel space [0, 1], of one unit's
 * activation: a class logit ({@code layer=logits}), the mean of one channel of a feature layer, or a
 * single position of it ({@code y}, {@code x}). Adam steps ({@code lr}), with the literature's
 * regularisers, each a parameter recorded with the result: random jitter of up to {@code jitter}
 * pixels before each step (transformation robustness), a Gaussian blur of {@code blur_sigma} every
 * {@code blur_every} steps, penalties on the distance from mid-grey ({@code l2}: {@code l2 * sum (x -
 * 0.5)^2}) and on the squared total variation ({@code tv}), and multi-scale octaves: the image is
 * optimised at {@code octaves} sizes growing by {@code octave_scale}, upsampled to the model's input
 * for every pass, each octave starting from the previous one upsampled.
 *
 * <p>Batch-first: sample i optimises {@code units[i]} of one layer, from its own seeded noise (seed
 * and unit) and its own jitter draws, so a batch equals its units one by one.
 */
public final class ActivationMaximisation extends Configured {
    public static final String NAME = "activation_max";
    /** The pseudo-layer of the class logits. */
    public static final String LOGITS = "logits";

    public static final Registry<ActivationMaximisation> REGISTRY =
            new Registry<ActivationMaximisation>("visualisation").register(NAME, ActivationMaximisation::new);

    private final int steps;
    private final double lr;
    private final int octaves;
    private final double octaveScale;
    private final int blurEvery;
    private final double blurSigma;
    private final int jitter;
    private final double l2;
    private final double tv;
    private final long seed;
    private final String init;

    public ActivationMaximisation(ParamReader p) {
        super(NAME, p);
        steps = p.getInt("steps", 128, 1, 100_000);
        lr = p.getDouble("lr", 0.05, 0, true, 10);
        octaves = p.getInt("octaves", 1, 1, 8);
        octaveScale = p.getDouble("octave_scale", 1.4, 1, false, 4);
        blurEvery = p.getInt("blur_every", 4, 0, 100_000);
        blurSigma = p.getDouble("blur_sigma", 0.5, 0, true, 16);
        jitter = p.getInt("jitter", 2, 0, 64);
        l2 = p.getDouble("l2", 0.0, 0, false, 1e6);
        tv = p.getDouble("tv", 0.0, 0, false, 1e6);
        seed = p.getLong("seed", 0);
        init = p.getChoice("init", "noise", List.of("noise", "image"));
        p.finish();
    }

    public static ActivationMaximisation fromString(String spec) {
        return REGISTRY.fromString(spec);
    }

    /** Whether the optimisation starts from given images (DeepDream) instead of seeded noise. */
    public boolean startsFromImages() {
        return init.equals("image");
    }

    /**
     * The optimised images {@code [N, C, H, W]} in [0, 1], the final activation of each unit and its
     * trace (the unit's activation at each step, measured on the jittered image of that step).
     */
    public record Result(float[] images, float[] activations, float[][] trace) {}

    /** The number of units of {@code layer} ({@code logits}: the classes; else its channels). */
    public static int units(Classifier model, String layer) {
        return LOGITS.equals(layer) ? model.numClasses() : (int) LayerCam.channels(model, layer);
    }

    /** Fails, naming the valid layers or units, unless {@code layer} and every unit exist ({@code y, x}: -1 or a position). */
    public static void check(Classifier model, String layer, int[] units, int y, int x) {
        if (!LOGITS.equals(layer) && !model.featureLayers().contains(layer)) {
            throw new IllegalArgumentException("Unknown layer for " + NAME + ": " + layer + " (valid for "
                    + model.card().key() + ": " + LOGITS + ", " + String.join(", ", model.featureLayers()) + ")");
        }
        int n = units(model, layer);
        for (int u : units) {
            if (u < 0 || u >= n) {
                throw new IllegalArgumentException("Invalid unit of layer " + layer + " of "
                        + model.card().key() + ": " + u + " (valid: 0.." + (n - 1) + ")");
            }
        }
        if ((y < 0) != (x < 0) || (LOGITS.equals(layer) && y >= 0)) {
            throw new IllegalArgumentException("Invalid position y=" + y + ", x=" + x
                    + " (both -1 for a channel's mean, both >= 0 for one unit of a feature layer)");
        }
    }

    /**
     * Maximises {@code units[i]} of {@code layer} for sample i (the channel's mean, or its activation
     * at {@code y, x} when both are >= 0); {@code start} ({@code [N, C, H, W]} in [0, 1]) is required
     * with {@code init=image} and ignored otherwise.
     */
    public Result run(Classifier model, String layer, int[] units, int y, int x, NDArray start) {
        check(model, layer, units, y, x);
        int n = units.length;
        int c = model.channels();
        int h = model.height();
        int w = model.width();
        NDManager m = model.manager().newSubManager();
        try (m) {
            Random[] random = new Random[n];
            for (int i = 0; i < n; i++) {
                random[i] = new Random(seed * 1_000_003L + units[i] * 7919L + layer.hashCode());
            }
            NDArray image;
            if (startsFromImages()) {
                if (start == null || !start.getShape().equals(new Shape(n, c, h, w))) {
                    throw new IllegalArgumentException(NAME + " with init=image needs one start image per unit, [" + n
                            + ", " + c + ", " + h + ", " + w + "]");
                }
                image = start.toDevice(m.getDevice(), true);
                image.attach(m);
            } else {
                float[] noise = new float[n * c * h * w];
                int per = c * h * w;
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < per; k++) {
                        noise[i * per + k] = 0.5f + 0.1f * (float) (random[i].nextDouble() * 2 - 1);
                    }
                }
                image = m.create(noise, new Shape(n, c, h, w));
            }
            UnaryOperator<NDArray> unit = unitOf(model, layer, units, y, x);
            float[][] trace = new float[n][steps];
            int done = 0;
            for (int o = 0; o < octaves; o++) {
                double factor = Math.pow(octaveScale, octaves - 1 - o);
                int oh = Math.max(1, (int) Math.round(h / factor));
                int ow = Math.max(1, (int) Math.round(w / factor));
                NDArray param = resize(image, oh, ow);
                int octaveSteps = o == octaves - 1 ? steps - done : steps / octaves;
                param = ascend(param, h, w, unit, random, trace, done, octaveSteps, m);
                done += octaveSteps;
                image = resize(param, h, w);
            }
            float[] finalActivation;
            try (GradMode off = GradMode.off()) {
                finalActivation = unit.apply(image).toFloatArray();
            }
            return new Result(image.toFloatArray(), finalActivation, trace);
        }
    }

    /**
     * {@code count} Adam steps of ascent on a {@code [N, C, oh, ow]} image, upsampled to the input for
     * each pass; each step's arrays live in a scope of their own, only the optimiser's state (image,
     * first and second moments, stacked) carries over.
     */
    private NDArray ascend(
            NDArray param,
            int h,
            int w,
            UnaryOperator<NDArray> unit,
            Random[] random,
            float[][] trace,
            int offset,
            int count,
            NDManager owner) {
        NDArray state = NDArrays.stack(new NDList(param, param.zerosLike(), param.zerosLike()));
        for (int s = 0; s < count; s++) {
            int[] dy = new int[random.length];
            int[] dx = new int[random.length];
            for (int i = 0; i < random.length; i++) {
                dy[i] = jitter == 0 ? 0 : random[i].nextInt(2 * jitter + 1) - jitter;
                dx[i] = jitter == 0 ? 0 : random[i].nextInt(2 * jitter + 1) - jitter;
            }
            int step = s;
            state = Scopes.step(state, owner, st -> {
                NDArray x = st.get(0);
                // jitter outside the graph: a roll is a permutation, so the gradient at the rolled image
                // rolled back is the gradient at the image
                NDArray jittered;
                try (GradMode off = GradMode.off()) {
                    jittered = roll(resize(x, h, w), dy, dx);
                }
                NDArray grad;
                try (Autograd.Tape tape = Autograd.Tape.open()) {
                    Autograd.Taped t = tape.record(unit, jittered);
                    float[] value = t.value().toFloatArray();
                    for (int i = 0; i < value.length; i++) {
                        trace[i][offset + step] = value[i];
                    }
                    grad = roll(t.vjp(t.value().onesLike()), negate(dy), negate(dx));
                }
                if (x.getShape().get(2) != h || x.getShape().get(3) != w) {
                    grad = Autograd.vjp(p -> resize(p, h, w), x, grad); // back through the octave's upsampling
                }
                if (l2 > 0) {
                    grad = grad.sub(x.sub(0.5f).mul((float) (2 * l2)));
                }
                if (tv > 0) {
                    grad = grad.sub(totalVariationGradient(x).mul((float) tv));
                }
                // Adam, ascending
                NDArray mean = st.get(1).mul((float) B1).add(grad.mul((float) (1 - B1)));
                NDArray var = st.get(2).mul((float) B2).add(grad.square().mul((float) (1 - B2)));
                double c1 = 1 - Math.pow(B1, step + 1);
                double c2 = 1 - Math.pow(B2, step + 1);
                NDArray next = x.add(mean.div((float) c1)
                        .div(var.div((float) c2).sqrt().add(1e-8f))
                        .mul((float) lr));
                if (blurEvery > 0
                        && (step + 1) % blurEvery == 0
                        && Math.min(x.getShape().get(2), x.getShape().get(3)) > 2) {
                    next = Blur.gaussian(next, blurSigma);
                }
                return NDArrays.stack(new NDList(next.clip(0f, 1f), mean, var));
            });
        }
        return state.get(0);
    }

    private static final double B1 = 0.9;
    private static final double B2 = 0.999;

    /**
     * The unit's activation per sample {@code [N]}: the class logit, the channel's mean over
     * positions, or its value at {@code y, x}.
     */
    private static UnaryOperator<NDArray> unitOf(Classifier model, String layer, int[] units, int y, int x) {
        if (LOGITS.equals(layer)) {
            return img -> {
                NDArray logits = model.logits(img);
                return logits.mul(Autograd.oneHot(logits, units)).sum(new int[] {1});
            };
        }
        return img -> {
            NDArray a = model.activations(img, layer); // [N, K, h, w]
            Shape s = a.getShape();
            int k = (int) s.get(1);
            int ah = (int) s.get(2);
            int aw = (int) s.get(3);
            float[] mask = new float[units.length * k * ah * aw];
            for (int i = 0; i < units.length; i++) {
                int base = (i * k + units[i]) * ah * aw;
                if (y >= 0) {
                    mask[base + Math.min(y, ah - 1) * aw + Math.min(x, aw - 1)] = 1f;
                } else {
                    Arrays.fill(mask, base, base + ah * aw, 1f / (ah * aw));
                }
            }
            return a.mul(a.getManager().create(mask, s)).sum(new int[] {1, 2, 3});
        };
    }

    /**
     * {@code [N, C, H, W]} resized bilinearly, each channel as a map of {@link LayerCam#upsampleOnDevice}
     * (differentiable); the same array when the size matches.
     */
    static NDArray resize(NDArray x, int h, int w) {
        Shape s = x.getShape();
        if (s.get(2) == h && s.get(3) == w) {
            return x;
        }
        NDArray maps = x.reshape(s.get(0) * s.get(1), s.get(2), s.get(3));
        return LayerCam.upsampleOnDevice(maps, h, w).reshape(s.get(0), s.get(1), h, w);
    }

    private static int[] negate(int[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = -v[i];
        }
        return out;
    }

    /** Each sample rolled by its own {@code dy[i], dx[i]} pixels (wrapping around). */
    static NDArray roll(NDArray x, int[] dy, int[] dx) {
        boolean none = true;
        for (int i = 0; i < dy.length; i++) {
            none &= dy[i] == 0 && dx[i] == 0;
        }
        if (none) {
            return x;
        }
        List<NDArray> parts = new ArrayList<>();
        for (int i = 0; i < dy.length; i++) {
            parts.add(rollOne(x.get(i + ":" + (i + 1)), dy[i], dx[i]));
        }
        return NDArrays.concat(new NDList(parts), 0);
    }

    private static NDArray rollOne(NDArray x, int dy, int dx) {
        NDArray out = x;
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        int sy = (int) Math.floorMod(dy, h);
        int sx = (int) Math.floorMod(dx, w);
        if (sy != 0) {
            out = NDArrays.concat(
                    new NDList(out.get(":, :, " + (h - sy) + ":, :"), out.get(":, :, :" + (h - sy) + ", :")), 2);
        }
        if (sx != 0) {
            out = NDArrays.concat(
                    new NDList(out.get(":, :, :, " + (w - sx) + ":"), out.get(":, :, :, :" + (w - sx))), 3);
        }
        return out;
    }

    /** The gradient of {@code sum (x[y+1] - x[y])^2 + (x[., x+1] - x[., x])^2} over each image. */
    static NDArray totalVariationGradient(NDArray x) {
        Shape s = x.getShape();
        long h = s.get(2);
        long w = s.get(3);
        NDArray g = x.zerosLike();
        if (h > 1) {
            NDArray d = x.get(":, :, 1:, :").sub(x.get(":, :, :-1, :")).mul(2f); // [.., h-1, w]
            NDArray zeroRow = x.get(":, :, :1, :").zerosLike();
            // d/dx[y] of (x[y] - x[y-1])^2 is +d[y-1]; of (x[y+1] - x[y])^2 is -d[y]
            g = g.add(NDArrays.concat(new NDList(zeroRow, d), 2)).sub(NDArrays.concat(new NDList(d, zeroRow), 2));
        }
        if (w > 1) {
            NDArray d = x.get(":, :, :, 1:").sub(x.get(":, :, :, :-1")).mul(2f);
            NDArray zeroCol = x.get(":, :, :, :1").zerosLike();
            g = g.add(NDArrays.concat(new NDList(zeroCol, d), 3)).sub(NDArrays.concat(new NDList(d, zeroCol), 3));
        }
        return g;
    }
}
