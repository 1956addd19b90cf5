package io.xaiscale.explain.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.xaiscale.config.ParamReader;
import io.xaiscale.explain.Capabilities;
import io.xaiscale.explain.Cost;
import io.xaiscale.explain.Explainer;
import io.xaiscale.explain.cam.LayerCam;
import io.xaiscale.image.Blur;
import io.xaiscale.model.Autograd;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.GradMode;

/**
 * Meaningful perturbation, deletion game (Fong & Vedaldi 2017): a {@code mask x mask} mask {@code m}
 * in [0, 1] (1 keeps a pixel, 0 replaces it by a blurred copy, {@code blur_sigma}), upsampled
 * bilinearly, is optimised with Adam ({@code iterations}, {@code lr}) to minimise
 * {@code p_target(x m + blur(x) (1 - m)) + l1 * mean|1 - m| + tv * mean(TV(m)^tv_beta)}; the map is
 * {@code 1 - m} upsampled: where deleting most lowers the target probability. Starts from
 * {@code m = 1}; no randomness. One forward and backward pass per iteration for the whole batch (each
 * sample's loss depends only on its own mask).
 */
public final class MeaningfulPerturbation extends Explainer {
    public static final String NAME = "meaningful_perturbation";

    private final int iterations;
    private final double lr;
    private final double l1;
    private final double tv;
    private final double tvBeta;
    private final int mask;
    private final double blurSigma;

    public MeaningfulPerturbation(ParamReader p) {
        super(NAME, p);
        this.iterations = p.getInt("iterations", 100, 1, 100_000);
        this.lr = p.getDouble("lr", 0.1, 0.0, true, 10.0);
        this.l1 = p.getDouble("l1", 0.05, 0.0, false, 1e3);
        this.tv = p.getDouble("tv", 0.2, 0.0, false, 1e3);
        this.tvBeta = p.getDouble("tv_beta", 3.0, 1.0, false, 10.0);
        this.mask = p.getInt("mask", 8, 1, 4096);
        this.blurSigma = p.getDouble("blur_sigma", 3.0, 0.0, true, 1e3);
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.GRADIENTS;
    }

    @Override
    public Cost cost(Classifier model) {
        return Cost.backwards(iterations);
    }

    @Override
    protected NDArray maps(Classifier model, NDArray inputs, int[] targets) {
        int h = model.height();
        int w = model.width();
        long n = inputs.getShape().get(0);
        NDArray blurred;
        try (GradMode off = GradMode.off()) {
            blurred = Blur.gaussian(inputs, blurSigma);
        }
        NDArray m = inputs.getManager().ones(new Shape(n, mask, mask), inputs.getDataType());
        NDArray first = m.zerosLike();
        NDArray second = m.zerosLike();
        NDArray ones = inputs.getManager().ones(new Shape(n), inputs.getDataType());
        double b1 = 0.9;
        double b2 = 0.999;
        NDManager owner = inputs.getManager();
        for (int it = 1; it <= iterations; it++) {
            NDArray g = Autograd.vjp(mk -> loss(model, inputs, blurred, mk, targets, h, w), m, ones);
            // one Adam step in its own scope: only the new mask and moments are kept
            try (GradMode off = GradMode.off();
                    NDManager step = owner.newSubManager()) {
                for (NDArray a : new NDArray[] {g, first, second, m}) {
                    a.attach(step);
                }
                NDArray f = first.mul((float) b1).add(g.mul((float) (1 - b1)));
                NDArray s = second.mul((float) b2).add(g.square().mul((float) (1 - b2)));
                NDArray hat1 = f.div((float) (1 - Math.pow(b1, it)));
                NDArray hat2 = s.div((float) (1 - Math.pow(b2, it)));
                NDArray next =
                        m.sub(hat1.div(hat2.sqrt().add(1e-8f)).mul((float) lr)).clip(0, 1);
                for (NDArray a : new NDArray[] {f, s, next}) {
                    a.attach(owner);
                }
                first = f;
                second = s;
                m = next;
            }
        }
        try (GradMode off = GradMode.off()) {
            return upsample(m, h, w).neg().add(1f);
        }
    }

    /** Per-sample loss {@code [N]} of masks {@code [N, s, s]}. */
    private NDArray loss(Classifier model, NDArray x, NDArray blurred, NDArray m, int[] targets, int h, int w) {
        // the mask comes first in every product: results then live in the pass's temporary scope, not the batch's
        NDArray up = upsample(m, h, w).expandDims(1); // [N, 1, H, W]
        NDArray perturbed = up.mul(x).add(up.neg().add(1f).mul(blurred));
        NDArray probs = model.logits(perturbed).softmax(1);
        NDArray score = probs.mul(Autograd.oneHot(probs, targets)).sum(new int[] {1});
        NDArray area = m.neg().add(1f).abs().mean(new int[] {2}).mean(new int[] {1});
        NDArray tvRows = m.get(":, 1:, :")
                .sub(m.get(":, :-1, :"))
                .abs()
                .pow((float) tvBeta)
                .mean(new int[] {2})
                .mean(new int[] {1});
        NDArray tvCols = m.get(":, :, 1:")
                .sub(m.get(":, :, :-1"))
                .abs()
                .pow((float) tvBeta)
                .mean(new int[] {2})
                .mean(new int[] {1});
        NDArray smooth = mask > 1 ? tvRows.add(tvCols) : score.zerosLike();
        return score.add(area.mul((float) l1)).add(smooth.mul((float) tv));
    }

    private static NDArray upsample(NDArray m, int h, int w) {
        return LayerCam.upsampleOnDevice(m, h, w);
    }
}
