package io.xaiscale.explain.gradient;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.References;
import io.xaiscale.model.Classifier;
import io.xaiscale.util.Hashing;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Expected Gradients (Erion et al. 2021) and GradientSHAP (Lundberg & Lee 2017; Captum's
 * {@code GradientShap}): Integrated Gradients averaged over baselines drawn from a reference
 * distribution ({@link References}), with one random point per draw:
 * {@code mean_k grad(b_k + a_k (x' - b_k)) * (x' - b_k)}, {@code b_k} a reference drawn uniformly,
 * {@code a_k ~ U(0, 1)}, and for GradientSHAP {@code x' = x + N(0, noise^2)} ({@code noise} in pixel
 * units, Captum's {@code stdevs}; 0 by default, as there). In expectation the map sums to
 * {@code f(x) - E[f(b)]}. Draws are seeded by {@code seed} and the image's own pixels.
 */
public final class ExpectedGradients extends Explainer {
    public static final String NAME = "expected_gradients";
    public static final String GRADIENT_SHAP = "gradient_shap";

    private final int samples;
    private final double noise;
    private final long seed;
    private final References.Source references;

    private ExpectedGradients(String name, ParamReader p) {
        super(name, p);
        this.samples = p.getInt("samples", 32, 1, 4096);
        this.noise = name.equals(GRADIENT_SHAP) ? p.getDouble("noise", 0.0, 0.0, false, 1.0) : 0.0;
        this.seed = p.getLong("seed", 0L);
        this.references = new References.Source(name, p);
    }

    public static ExpectedGradients expectedGradients(ParamReader p) {
        return new ExpectedGradients(NAME, p);
    }

    public static ExpectedGradients gradientShap(ParamReader p) {
        return new ExpectedGradients(GRADIENT_SHAP, p);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.GRADIENTS;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(samples);
    }

    @Override
    public References.Need referenceNeed() {
        return references.need();
    }

    @Override
    public void use(References set) {
        references.use(set);
    }

    @Override
    protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        Shape s = inputs.getShape();
        int n = (int) s.get(0);
        int per = (int) (s.size() / n);
        References refs = references.get((int) s.get(1), (int) s.get(2), (int) s.get(3));
        float[] x = inputs.toType(DataType.FLOAT32, false).toFloatArray();
        float[] base = refs.pixels();
        float[] points = new float[n * samples * per];
        float[] diffs = new float[n * samples * per];
        for (int i = 0; i < n; i++) {
            float[] own = Arrays.copyOfRange(x, i * per, (i + 1) * per);
            SplittableRandom rnd = new SplittableRandom(Hashing.seedOf(seed, own));
            for (int k = 0; k < samples; k++) {
                int b = rnd.nextInt(refs.count()) * per;
                float a = (float) rnd.nextDouble();
                int off = (i * samples + k) * per;
                for (int j = 0; j < per; j++) {
                    float xi = noise > 0 ? (float) (own[j] + noise * rnd.nextGaussian()) : own[j];
                    float d = xi - base[b + j];
                    diffs[off + j] = d;
                    points[off + j] = base[b + j] + a * d;
                }
            }
        }
        Shape stack = new Shape((long) n * samples, s.get(1), s.get(2), s.get(3));
        NDArray path = inputs.getManager().create(points, stack).toType(inputs.getDataType(), false);
        int[] rep = new int[n * samples];
        for (int i = 0; i < n; i++) {
            Arrays.fill(rep, i * samples, (i + 1) * samples, targets[i]);
        }
        NDArray grads = model.inputGradient(path, rep);
        NDArray d = inputs.getManager().create(diffs, stack).toType(inputs.getDataType(), false);
        return grads.mul(d)
                .reshape(new Shape(n, samples, s.get(1), s.get(2), s.get(3)))
                .mean(new int[] {1})
                .sum(new int[] {1});
    }
}
