package io.xaiscale.metric.faithfulness;

import java.util.List;
import java.util.stream.IntStream;

/**
 * The linear imputation of ROAD (Rong et al. 2022): every removed pixel equals the weighted mean of
 * its in-image neighbours (1/6 for the four beside it, 1/12 for the diagonals, renormalised at the
 * border), all removed pixels solved together. That is one sparse linear system per channel,
 * {@code d_p x_p - sum_q w_pq x_q = sum_k w_pk v_k} over the removed neighbours {@code q} and the kept
 * ones {@code k}, symmetric and positive definite whenever some pixel is kept. The reference solves it
 * exactly (a sparse direct solve); {@link #solve} solves it by conjugate gradients (Jacobi
 * preconditioned) to a relative residual of {@link #TOLERANCE}, which for these systems is the exact
 * solution to float precision. {@link #sweeps} is the earlier 200 sweeps of over-relaxation, which
 * stop far from the solution on large holes: kept so its rows can be recomputed by name.
 */
final class LinearImputation {
    /** Relative residual {@code ||b - A x|| / ||b||} at which conjugate gradients stop. */
    static final double TOLERANCE = 1e-10;

    /** The imputation choices of {@code road[imputation=...]}: the solver's name and the earlier sweeps. */
    static final List<String> CHOICES = List.of("solve", "sweeps");

    private static final int SWEEPS = 200;
    private static final double OMEGA = 1.8;
    private static final int[][] OFFSETS = {{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}};

    private LinearImputation() {}

    /** {@code image} ({@code C x H x W}) with its {@code gone} pixels imputed by {@code imputation}, no noise. */
    static double[] fill(float[] image, boolean[] gone, int h, int w, String imputation) {
        return switch (imputation) {
            case "solve" -> solve(image, gone, h, w);
            case "sweeps" -> sweeps(image, gone, h, w);
            default ->
                throw new IllegalArgumentException(
                        "Unknown ROAD imputation '" + imputation + "'; valid choices: " + CHOICES);
        };
    }

    /** The removed pixels' values from the exact system, per channel, by conjugate gradients. */
    static double[] solve(float[] image, boolean[] gone, int h, int w) {
        int hw = h * w;
        int c = image.length / hw;
        int[] holes = IntStream.range(0, hw).filter(p -> gone[p]).toArray();
        int n = holes.length;
        int[] index = new int[hw];
        for (int i = 0; i < n; i++) {
            index[holes[i]] = i;
        }
        // per removed pixel: its diagonal, its removed neighbours (hole index) and kept ones (pixel), with weights
        double[] diagonal = new double[n];
        int[] neighbour = new int[n * 8];
        double[] weight = new double[n * 8];
        int[] count = new int[n];
        int[] known = new int[n * 8];
        double[] knownWeight = new double[n * 8];
        int[] knownCount = new int[n];
        int[] near = new int[8];
        double[] nearWeight = new double[8];
        for (int i = 0; i < n; i++) {
            int found = neighbours(holes[i], h, w, near, nearWeight);
            for (int j = 0; j < found; j++) {
                double wt = nearWeight[j];
                int q = near[j];
                diagonal[i] += wt;
                if (gone[q]) {
                    neighbour[i * 8 + count[i]] = index[q];
                    weight[i * 8 + count[i]++] = wt;
                } else {
                    known[i * 8 + knownCount[i]] = q;
                    knownWeight[i * 8 + knownCount[i]++] = wt;
                }
            }
        }
        double[] out = base(image, gone, hw);
        for (int ch = 0; ch < c; ch++) {
            int offset = ch * hw;
            double[] b = new double[n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < knownCount[i]; k++) {
                    b[i] += knownWeight[i * 8 + k] * image[offset + known[i * 8 + k]];
                }
            }
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = out[offset + holes[i]];
            }
            conjugateGradients(new Rows(diagonal, neighbour, weight, count), b, x);
            for (int i = 0; i < n; i++) {
                out[offset + holes[i]] = x[i];
            }
        }
        return out;
    }

    /** The system's matrix {@code diag(diagonal) - W}, {@code W}'s row {@code i} as {@code count[i]} (neighbour, weight) pairs from {@code 8 i}. */
    private record Rows(double[] diagonal, int[] neighbour, double[] weight, int[] count) {
        void multiply(double[] v, double[] out) {
            for (int i = 0; i < v.length; i++) {
                double s = diagonal[i] * v[i];
                for (int k = 0; k < count[i]; k++) {
                    s -= weight[i * 8 + k] * v[neighbour[i * 8 + k]];
                }
                out[i] = s;
            }
        }
    }

    /** Solves {@code A x = b} from {@code x} by Jacobi-preconditioned conjugate gradients. */
    private static void conjugateGradients(Rows a, double[] b, double[] x) {
        double[] diagonal = a.diagonal();
        int n = b.length;
        double[] r = new double[n];
        double[] z = new double[n];
        double[] p = new double[n];
        double[] ap = new double[n];
        a.multiply(x, ap);
        double bNorm = 0;
        for (int i = 0; i < n; i++) {
            r[i] = b[i] - ap[i];
            bNorm += b[i] * b[i];
        }
        double stop = TOLERANCE * TOLERANCE * Math.max(bNorm, 1e-300);
        double rz = 0;
        for (int i = 0; i < n; i++) {
            z[i] = r[i] / diagonal[i];
            p[i] = z[i];
            rz += r[i] * z[i];
        }
        for (int it = 0; it < 10 * n + 10; it++) {
            double rr = 0;
            for (double v : r) {
                rr += v * v;
            }
            if (rr <= stop) {
                return;
            }
            a.multiply(p, ap);
            double pap = 0;
            for (int i = 0; i < n; i++) {
                pap += p[i] * ap[i];
            }
            if (pap <= 0) {
                return; // a hole with no kept pixel anywhere: its values stay at the kept mean
            }
            double alpha = rz / pap;
            double next = 0;
            for (int i = 0; i < n; i++) {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
                z[i] = r[i] / diagonal[i];
                next += r[i] * z[i];
            }
            double beta = next / rz;
            rz = next;
            for (int i = 0; i < n; i++) {
                p[i] = z[i] + beta * p[i];
            }
        }
        throw new IllegalStateException("ROAD imputation did not converge in " + (10 * n + 10)
                + " conjugate-gradient steps over " + n + " pixels; this is a bug, please report it");
    }

    /**
     * Pixel {@code p}'s in-image neighbours into {@code q} and their weights (1/6 beside, 1/12 diagonal)
     * into {@code weight}, in {@link #OFFSETS} order; returns how many.
     */
    private static int neighbours(int p, int h, int w, int[] q, double[] weight) {
        int y = p / w;
        int x = p % w;
        int k = 0;
        for (int[] o : OFFSETS) {
            int yy = y + o[0];
            int xx = x + o[1];
            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                q[k] = yy * w + xx;
                weight[k++] = o[0] == 0 || o[1] == 0 ? 1.0 / 6 : 1.0 / 12;
            }
        }
        return k;
    }

    /** The image with each removed pixel at its channel's kept mean (0.5 if nothing is kept). */
    private static double[] base(float[] image, boolean[] gone, int hw) {
        int c = image.length / hw;
        double[] v = new double[image.length];
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            int kept = 0;
            for (int p = 0; p < hw; p++) {
                if (!gone[p]) {
                    mean += image[ch * hw + p];
                    kept++;
                }
            }
            mean = kept == 0 ? 0.5 : mean / kept;
            for (int p = 0; p < hw; p++) {
                v[ch * hw + p] = gone[p] ? mean : image[ch * hw + p];
            }
        }
        return v;
    }

    /**
     * The earlier imputation: 200 sweeps of successive over-relaxation (factor 1.8) from the kept
     * mean, stopped early when no value moves by 1e-5. On large holes all 200 run and the fill stays
     * far from the solution.
     */
    static double[] sweeps(float[] image, boolean[] gone, int h, int w) {
        int hw = h * w;
        int c = image.length / hw;
        double[] v = base(image, gone, hw);
        int[] holes = IntStream.range(0, hw).filter(p -> gone[p]).toArray();
        int[] near = new int[8];
        double[] nearWeight = new double[8];
        for (int sweep = 0; sweep < SWEEPS; sweep++) {
            double change = 0;
            for (int ch = 0; ch < c; ch++) {
                int offset = ch * hw;
                for (int p : holes) {
                    int found = neighbours(p, h, w, near, nearWeight);
                    double sum = 0;
                    double total = 0;
                    for (int j = 0; j < found; j++) {
                        sum += nearWeight[j] * v[offset + near[j]];
                        total += nearWeight[j];
                    }
                    double next = v[offset + p] + OMEGA * (sum / total - v[offset + p]);
                    change = Math.max(change, Math.abs(next - v[offset + p]));
                    v[offset + p] = next;
                }
            }
            if (change < 1e-5) {
                break;
            }
        }
        return v;
    }
}
