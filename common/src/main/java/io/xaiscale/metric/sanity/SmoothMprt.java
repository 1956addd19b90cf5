package io.xaiscale.metric.sanity;

import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Perturbations;
import io.xaiscale.metric.similarity.MapComparison;
import io.xaiscale.model.Classifier;
import io.xaiscale.model.Randomized;
import java.util.List;

/**
 * Smooth MPRT (Hedstrom et al. 2024; Quantus's {@code SmoothMPRT}): the model randomisation test on
 * denoised maps. Both the trained model's map and the map on the model with its top {@code depth}
 * weight layers re-drawn (cascading) are averaged over {@code samples} copies of the image with
 * Gaussian noise of {@code noise * (max - min)}, which removes the shattered-gradient noise that makes
 * plain MPRT's similarities unreliable; outputs {@code smooth_mprt_spearman} and
 * {@code smooth_mprt_ssim} between the two averages. Lower is better (maps should change).
 *
 * <p>{@code noise_draws=fresh} (the reference estimator, Quantus's): each model's average draws its own
 * noise, and its last sample is the image itself, noise-free. {@code noise_draws=shared}: both models
 * explain the same noisy copies, none noise-free: what rows written before 2026-12-07 hold (they keep that
 * spec and hash); shared noise makes the two averages more alike than the reference's.
 */
public final class SmoothMprt extends MapComparison {
    public static final String NAME = "smooth_mprt";

    private final int depth;
    private final int samples;
    private final double noise;
    private final long seed;
    private final Randomized.Reset reset;
    private final boolean shared;

    public SmoothMprt(ParamReader p) {
        super(NAME, p, List.of("spearman", "ssim"), false);
        this.depth = p.getInt("depth", 1, 1, 1000);
        this.samples = p.getInt("samples", 8, 1, 10_000);
        this.noise = p.getDouble("noise", 0.1, 0.0, true, 1.0);
        this.seed = p.getLong("seed", 0L);
        this.reset = RandomModel.reset(p);
        this.shared =
                p.getChoice("noise_draws", "fresh", List.of("fresh", "shared")).equals("shared");
    }

    @Override
    public double[][] evaluateAll(EvalBatch b) {
        Classifier random = Randomized.of(b.model(), depth, true, seed, reset);
        float[][] trained;
        float[][] randomised;
        if (shared) {
            Perturbations copies = Perturbations.gaussian(b, samples, noise, seed);
            trained = averaged(b, copies.explain(b, b.model()));
            randomised = averaged(b, copies.explain(b, random));
        } else {
            trained =
                    averaged(b, Perturbations.smoothing(b, samples, noise, seed).explain(b, b.model()));
            randomised = averaged(
                    b, Perturbations.smoothing(b, samples, noise, seed + 1).explain(b, random));
        }
        EvalBatch smoothed = new EvalBatch(
                b.model(), b.inputs(), trained, b.targets(), b.truths(), b.height(), b.width(), b.method());
        return compare(smoothed, randomised);
    }

    /** The maps of the noisy copies ({@code samples} per image, flat) averaged per image: {@code [N][H*W]}. */
    private float[][] averaged(EvalBatch b, float[] flat) {
        int hw = b.height() * b.width();
        float[][] out = new float[b.size()][hw];
        for (int i = 0; i < b.size(); i++) {
            for (int k = 0; k < samples; k++) {
                int off = (i * samples + k) * hw;
                for (int p = 0; p < hw; p++) {
                    out[i][p] += flat[off + p] / samples;
                }
            }
        }
        return out;
    }
}
