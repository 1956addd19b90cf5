package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.References;
import io.xaiscale.model.Chunks;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.ModelCard;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SmoothGrad (Smilkov et al. 2017) as a wrapper of any other method, like Captum's NoiseTunnel: the
 * wrapped method's maps over {@code samples} copies of the input with Gaussian noise of standard
 * deviation {@code noise * (max(x) - min(x))}, reduced by {@code mode}: their mean ({@code smoothgrad}),
 * the mean of their squares ({@code smoothgrad_sq}), or their variance ({@code vargrad}, Adebayo et al.
 * 2018: mean of squares minus square of mean). Squares are of the channel-summed map. The noise of a
 * sample is seeded by {@code seed} and the sample's own pixels, so results do not depend on batch
 * composition.
 */
public final class SmoothGrad extends Explainer {
    public static final String NAME = "smoothgrad";
    public static final List<String> MODES = List.of("smoothgrad", "smoothgrad_sq", "vargrad");

    private final Explainer base;
    private final int samples;
    private final double noise;
    private final long seed;
    private final String mode;
    private final ParamReader reader;

    /** The base method when the spec names none. */
    public static final String DEFAULT_BASE = Gradient.NAME;

    /**
     * SmoothGrad over {@code base}, the method its {@code base} parameter named (Captum's NoiseTunnel
     * holds the method it wraps the same way); the registry makes it from the spec.
     */
    public SmoothGrad(ParamReader p, Explainer base) {
        super(NAME, p);
        this.reader = p;
        this.base = base;
        if (base.name().equals(NAME)) {
            throw new IllegalArgumentException("Invalid base for smoothgrad: "
                    + (p.raw("base") == null ? base.spec() : p.raw("base")) + " (smoothgrad cannot wrap itself)");
        }
        p.record("base", base.spec());
        this.samples = p.getInt("samples", 16, 1, 4096);
        this.noise = p.getDouble("noise", 0.15, 0.0, true, 1.0);
        this.seed = p.getLong("seed", 0L);
        this.mode = p.getChoice("mode", "smoothgrad", MODES);
        if (mode.equals("smoothgrad")) {
            p.forget("mode"); // specs written before modes existed keep their hash
        }
    }

    /** As capable as the method it wraps. */
    /** Its parts' revisions beyond their first add to its own. */
    @Override
    public int revision() {
        return revisionWith(super.revision(), base);
    }

    @Override
    public Capabilities capabilities() {
        return base.capabilities();
    }

    @Override
    public Cost cost(Classifier model) {
        return base.cost(model).times(samples);
    }

    @Override
    public References.Need referenceNeed() {
        return base.referenceNeed();
    }

    @Override
    public void use(References set) {
        base.use(set);
        reader.record("base", base.spec());
    }

    @Override
    public void check(ModelCard card, List<String> featureLayers) {
        base.check(card, featureLayers);
    }

    @Override
    protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        Shape s = inputs.getShape();
        int n = (int) s.get(0);
        int per = (int) (s.size() / n);
        float[] pixels = inputs.toFloatArray();
        float[] noisy = new float[n * samples * per];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float v : own) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            double sigma = noise * (hi - lo);
            SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, own));
            for (int k = 0; k < samples; k++) {
                int off = (i * samples + k) * per;
                for (int j = 0; j < per; j++) {
                    noisy[off + j] = (float) (own[j] + sigma * rnd.nextGaussian());
                }
            }
        }
        NDArray stack = inputs.getManager().create(noisy, new Shape(n * (long) samples, s.get(1), s.get(2), s.get(3)));
        int[] rep = new int[n * samples];
        for (int i = 0; i < n; i++) {
            Arrays.fill(rep, i * samples, (i + 1) * samples, targets[i]);
        }
        NDArray all = Chunks.apply(stack, model.internalBatchSize(), (c, r) -> base.attribute(model, c, r.of(rep)));
        NDArray each = all.reshape(new Shape(n, samples, s.get(2), s.get(3)));
        NDArray mean = each.mean(new int[] {1});
        return switch (mode) {
            case "smoothgrad" -> mean;
            case "smoothgrad_sq" -> each.square().mean(new int[] {1});
            default -> each.square().mean(new int[] {1}).sub(mean.square()).maximum(0f);
        };
    }
}
