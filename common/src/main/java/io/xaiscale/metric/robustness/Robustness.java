package io.xaiscale.metric.robustness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.gradient.Baseline;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.similarity.MapComparison;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.util.Hashing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Robustness of a map to a small change of the image (as in the XAI surveys: a map should not fall
 * apart when the image barely changes). The image is changed by {@code perturbation} at
 * {@code level} (pixel values clipped to [0, 1]): {@code noise} adds Gaussian noise of standard
 * deviation {@code level} (seeded by {@code seed} and the image's pixels), {@code brightness} adds
 * {@code level}, {@code contrast} scales the deviation from each channel's mean by {@code level},
 * {@code fgsm} takes one signed-gradient step of size {@code level} against the target class
 * (Goodfellow et al. 2015). The method re-explains the same target class; outputs: Pearson, SSIM
 * and Dice of the top {@code top} pixels between the two maps (higher is more robust), and
 * {@code robustness_flipped}, 1 where the predicted class changed.
 */
public final class Robustness extends MapComparison {
    public static final String NAME = "robustness";
    public static final List<String> PERTURBATIONS = List.of("noise", "brightness", "contrast", "fgsm");

    private final String perturbation;
    private final double level;
    private final long seed;

    public Robustness(ParamReader p) {
        super(NAME, p, List.of("pearson", "ssim", "dice"), true);
        this.perturbation = p.getChoice("perturbation", "noise", PERTURBATIONS);
        this.level = p.getDouble("level", defaultLevel(perturbation), -10.0, false, 10.0);
        this.seed = p.getLong("seed", 0L);
        if (!"noise".equals(perturbation)) {
            p.forget("seed");
        }
    }

    private static double defaultLevel(String perturbation) {
        return switch (perturbation) {
            case "brightness" -> 0.1;
            case "contrast" -> 0.8;
            case "fgsm" -> 0.01;
            default -> 0.05;
        };
    }

    @Override
    public List<String> outputs() {
        List<String> out = new ArrayList<>(super.outputs());
        out.add(NAME + "_flipped");
        return out;
    }

    @Override
    public boolean higherIsBetter(String output) {
        return !output.endsWith("_flipped");
    }

    @Override
    public double[][] evaluateAll(EvalBatch b) {
        Classifier model = b.model();
        NDArray x = b.inputs();
        NDArray changed = perturb(model, x, b.targets());
        double[][] sims = compare(b, maps(b, model, changed));
        int[] before = Autograd.argMax(model.logitsNoGrad(x));
        int[] after = Autograd.argMax(model.logitsNoGrad(changed));
        double[] flipped = new double[b.size()];
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = before[i] == after[i] ? 0 : 1;
        }
        double[][] out = new double[sims.length + 1][];
        System.arraycopy(sims, 0, out, 0, sims.length);
        out[sims.length] = flipped;
        return out;
    }

    NDArray perturb(Classifier model, NDArray x, int[] targets) {
        NDArray out = switch (perturbation) {
            case "noise" -> x.add(noise(x));
            case "brightness" -> x.add((float) level);
            case "contrast" -> {
                NDArray mean = Baseline.MEAN.of(x);
                yield x.sub(mean).mul((float) level).add(mean);
            }
            case "fgsm" -> {
                NDArray g = Autograd.targetGradient(a -> model.logits(a).logSoftmax(1), x, targets);
                yield x.sub(g.sign().mul((float) level));
            }
            default -> throw new IllegalStateException(perturbation);
        };
        return out.clip(0, 1);
    }

    private NDArray noise(NDArray x) {
        Shape s = x.getShape();
        int n = (int) s.get(0);
        float[] pixels = x.toType(DataType.FLOAT32, false).toFloatArray();
        int per = pixels.length / n;
        float[] d = new float[pixels.length];
        for (int i = 0; i < n; i++) {
            SplittableRandom rnd =
                    new SplittableRandom(Hashing.seedOf(seed, Arrays.copyOfRange(pixels, i * per, (i + 1) * per)));
            for (int j = 0; j < per; j++) {
                d[i * per + j] = (float) (level * rnd.nextGaussian());
            }
        }
        return x.getManager().create(d, s).toType(x.getDataType(), false);
    }
}
