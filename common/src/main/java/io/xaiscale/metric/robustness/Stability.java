package io.xaiscale.metric.robustness;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.xaiscale.config.ParamReader;
import io.xaiscale.metric.EvalBatch;
import io.xaiscale.metric.Metric;
import io.xaiscale.metric.Perturbations;
import java.util.List;

/**
 * The stability of a map under small input changes, five ways from one set of re-explained copies:
 * {@code samples} perturbations drawn uniformly from the L-infinity ball of {@code radius} (clipped
 * to [0, 1]; seeded by {@code seed} and the image's pixels), each explained again, and for each
 * <ul>
 *   <li>{@code stability_lipschitz}: the local Lipschitz estimate (Alvarez-Melis & Jaakkola 2018),
 *       {@code max ||e(x) - e(x')||_2 / ||x - x'||_2};
 *   <li>{@code stability_avg_sensitivity}: average sensitivity (Yeh et al. 2019), the mean of
 *       {@code ||e(x) - e(x')||_2 / ||e(x)||_2} (max-sensitivity is its maximum);
 *   <li>{@code stability_ris}, {@code stability_rrs}: relative input and representation stability
 *       (Agarwal et al. 2022), {@code max ||(e - e') / e||_2} over the relative change of the input
 *       {@code ||(x - x') / x||_2}, or of the activations of feature layer {@code layer} ({@code auto}: the
 *       last);
 *   <li>{@code stability_ros}: relative output stability, the same over the change of the logits
 *       {@code ||h(x) - h(x')||_2} ({@code ros=difference}, the paper's and Quantus's formula); rows
 *       written before 2026-12-07 divided by the relative change {@code ||(h - h') / h||_2}, which
 *       {@code ros=relative} still computes, so those rows keep their own spec and hash.
 * </ul>
 * Each denominator is at least {@code eps_min}; elementwise divisions by zero take {@code eps_min}
 * instead, as in Quantus.
 * Lower is better for all five. All copies of a batch are explained in one call.
 */
public final class Stability extends Metric {
    public static final String NAME = "stability";
    public static final List<String> OUTPUTS = List.of("lipschitz", "avg_sensitivity", "ris", "ros", "rrs");

    private final double radius;
    private final int samples;
    private final String layer;
    private final double epsMin;
    private final long seed;
    private final boolean rosRelative;

    public Stability(ParamReader p) {
        super(NAME, p);
        this.radius = p.getDouble("radius", 0.02, 0.0, true, 1.0);
        this.samples = p.getInt("samples", 8, 1, 10_000);
        this.layer = p.getString("layer", "auto");
        this.epsMin = p.getDouble("eps_min", 1e-6, 0.0, true, 1.0);
        this.seed = p.getLong("seed", 0L);
        this.rosRelative = p.getChoice("ros", "difference", List.of("difference", "relative"))
                .equals("relative");
    }

    @Override
    public Traits traits() {
        return Traits.reexplains(false);
    }

    @Override
    public String notApplicable() {
        return "not applicable: the map is all zero (average sensitivity divides by its norm)";
    }

    @Override
    public List<String> outputs() {
        return OUTPUTS.stream().map(o -> NAME + "_" + o).toList();
    }

    @Override
    public double[][] evaluateAll(EvalBatch b) {
        NDArray x = b.inputs();
        int n = b.size();
        Perturbations copies = Perturbations.uniform(b, samples, radius, seed);
        float[] pixels = copies.pixels();
        float[] stack = copies.copies();
        int per = pixels.length / n;
        float[] maps = copies.explain(b, b.model());
        float[] logits = floats(b.model().logitsNoGrad(x));
        float[] logitsCopies = floats(b.model().logitsNoGrad(copies.array()));
        String at = layer.equals("auto") ? lastLayer(b) : layer;
        float[] rep0 = floats(b.model().activations(x, at));
        float[] repCopies = floats(b.model().activations(copies.array(), at));
        int hw = b.height() * b.width();
        int k = b.model().numClasses();
        int r = rep0.length / n;
        double[][] out = new double[OUTPUTS.size()][n];
        for (int i = 0; i < n; i++) {
            float[] e = b.maps()[i];
            double norm = 0;
            for (float v : e) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            double lipschitz = 0;
            double avg = 0;
            double ris = 0;
            double ros = 0;
            double rrs = 0;
            for (int q = 0; q < samples; q++) {
                int c = i * samples + q;
                double de = 0;
                double rel = 0;
                for (int p = 0; p < hw; p++) {
                    double d = maps[c * hw + p] - e[p];
                    de += d * d;
                    double dr = d / (e[p] == 0 ? epsMin : e[p]);
                    rel += dr * dr;
                }
                de = Math.sqrt(de);
                rel = Math.sqrt(rel);
                double dx = 0;
                double relX = 0;
                for (int j = 0; j < per; j++) {
                    double own = pixels[i * per + j];
                    double d = stack[c * per + j] - own;
                    dx += d * d;
                    double dr = d / (own == 0 ? epsMin : own);
                    relX += dr * dr;
                }
                lipschitz = Math.max(lipschitz, de / Math.max(Math.sqrt(dx), epsMin));
                avg += norm == 0 ? 0 : de / norm / samples;
                ris = Math.max(ris, rel / Math.max(Math.sqrt(relX), epsMin));
                double dh = rosRelative
                        ? relative(logits, i * k, logitsCopies, c * k, k)
                        : difference(logits, i * k, logitsCopies, c * k, k);
                ros = Math.max(ros, rel / Math.max(dh, epsMin));
                rrs = Math.max(rrs, rel / Math.max(relative(rep0, i * r, repCopies, c * r, r), epsMin));
            }
            out[0][i] = lipschitz;
            out[1][i] = norm == 0 ? NOT_APPLICABLE : avg;
            out[2][i] = ris;
            out[3][i] = ros;
            out[4][i] = rrs;
        }
        return out;
    }

    /** {@code ||(a' - a) / a||_2} over {@code len} values from the given offsets. */
    private double relative(float[] a, int offA, float[] changed, int offC, int len) {
        double sum = 0;
        for (int j = 0; j < len; j++) {
            double v = a[offA + j];
            double d = (changed[offC + j] - v) / (v == 0 ? epsMin : v);
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    /** {@code ||a' - a||_2} over {@code len} values from the given offsets. */
    private static double difference(float[] a, int offA, float[] changed, int offC, int len) {
        double sum = 0;
        for (int j = 0; j < len; j++) {
            double d = changed[offC + j] - a[offA + j];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    private static float[] floats(NDArray a) {
        return a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    private static String lastLayer(EvalBatch b) {
        List<String> layers = b.model().featureLayers();
        return layers.get(layers.size() - 1);
    }
}
