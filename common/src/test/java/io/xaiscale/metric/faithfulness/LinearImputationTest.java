package io.xaiscale.metric.faithfulness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ROAD's linear imputation on a large hole (issue 37 item 2): 3,277 of 4,096 pixels removed, the
 * size at which the earlier 200 over-relaxation sweeps stopped far from the solution. The solver
 * must agree with a direct solve of the same system (banded Cholesky, written here) and leave every
 * removed pixel at the weighted mean of its neighbours; the earlier sweeps must not, or the check
 * proves nothing.
 */
class LinearImputationTest {
    private static final int S = 64;

    @Test
    void aLargeHoleIsSolvedAsADirectSolveDoes() {
        Random rnd = new Random(11);
        float[] image = new float[2 * S * S];
        for (int i = 0; i < image.length; i++) {
            int p = i % (S * S);
            image[i] = (float) (0.5
                    + 0.3 * Math.sin(p % S / 7.0 + i / (S * S)) * Math.cos(p / S / 5.0)
                    + 0.05 * rnd.nextGaussian());
        }
        boolean[] gone = farFromCorner(3277);

        double[] solved = LinearImputation.solve(image, gone, S, S);
        double[] direct = direct(image, gone);
        double[] swept = LinearImputation.sweeps(image, gone, S, S);
        double solveError = 0;
        double sweepError = 0;
        for (int i = 0; i < image.length; i++) {
            solveError = Math.max(solveError, Math.abs(solved[i] - direct[i]));
            sweepError = Math.max(sweepError, Math.abs(swept[i] - direct[i]));
            if (!gone[i % (S * S)]) {
                assertEquals(image[i], solved[i], 0.0, "kept pixels are unchanged");
            }
        }
        assertTrue(solveError < 1e-6, "conjugate gradients against the direct solve: " + solveError);
        assertTrue(sweepError > 0.01, "the earlier 200 sweeps stop short on this hole: " + sweepError);
        assertTrue(maxResidual(solved, gone) < 1e-6, "every removed pixel is its neighbours' weighted mean");
    }

    @Test
    void noKeptNeighbourAnywhereLeavesTheKeptMean() {
        float[] image = {0.2f, 0.4f, 0.6f, 0.8f};
        boolean[] gone = {true, true, true, false};
        double[] v = LinearImputation.solve(image, gone, 2, 2);
        for (int p = 0; p < 3; p++) {
            assertEquals(0.8, v[p], 1e-6, "a hole touching one kept pixel takes its value");
        }
    }

    /**
     * Removes the {@code count} pixels farthest from the top-left corner: one hole around a kept
     * quarter disc, where the fill must carry the kept values across the whole image (the slowest case
     * for relaxation sweeps, since the image border adds no kept values).
     */
    private static boolean[] farFromCorner(int count) {
        Integer[] order = new Integer[S * S];
        for (int p = 0; p < S * S; p++) {
            order[p] = p;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(squared(b), squared(a)));
        boolean[] gone = new boolean[S * S];
        for (int r = 0; r < count; r++) {
            gone[order[r]] = true;
        }
        return gone;
    }

    private static int squared(int p) {
        return (p / S) * (p / S) + (p % S) * (p % S);
    }

    private static double weight(int dy, int dx) {
        return dy == 0 || dx == 0 ? 1.0 / 6 : 1.0 / 12;
    }

    /** The largest |x_p - weighted mean of p's in-image neighbours| over removed pixels and channels. */
    private static double maxResidual(double[] v, boolean[] gone) {
        double worst = 0;
        for (int ch = 0; ch < v.length / (S * S); ch++) {
            for (int p = 0; p < S * S; p++) {
                if (!gone[p]) {
                    continue;
                }
                double sum = 0;
                double total = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int y = p / S + dy;
                        int x = p % S + dx;
                        if ((dy != 0 || dx != 0) && y >= 0 && y < S && x >= 0 && x < S) {
                            sum += weight(dy, dx) * v[ch * S * S + y * S + x];
                            total += weight(dy, dx);
                        }
                    }
                }
                worst = Math.max(worst, Math.abs(v[ch * S * S + p] - sum / total));
            }
        }
        return worst;
    }

    /**
     * The imputation by a direct solve: the system over the removed pixels in pixel order is banded
     * (neighbours are at most S + 1 pixels apart), so a banded Cholesky factorisation solves it exactly.
     */
    private static double[] direct(float[] image, boolean[] gone) {
        int hw = S * S;
        int[] index = new int[hw];
        int n = 0;
        for (int p = 0; p < hw; p++) {
            index[p] = gone[p] ? n++ : -1;
        }
        int m = S + 1; // half bandwidth in unknowns
        double[] out = new double[image.length];
        for (int i = 0; i < image.length; i++) {
            out[i] = image[i];
        }
        for (int ch = 0; ch < image.length / hw; ch++) {
            double[][] a = new double[n][m + 1]; // a[i][k] = A[i][i - m + k]
            double[] b = new double[n];
            for (int p = 0; p < hw; p++) {
                if (!gone[p]) {
                    continue;
                }
                int i = index[p];
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int y = p / S + dy;
                        int x = p % S + dx;
                        if ((dy == 0 && dx == 0) || y < 0 || y >= S || x < 0 || x >= S) {
                            continue;
                        }
                        int q = y * S + x;
                        a[i][m] += weight(dy, dx);
                        if (!gone[q]) {
                            b[i] += weight(dy, dx) * image[ch * hw + q];
                        } else if (index[q] < i) {
                            a[i][m - (i - index[q])] -= weight(dy, dx);
                        }
                    }
                }
            }
            // Cholesky A = L L^T in the same band storage
            for (int i = 0; i < n; i++) {
                for (int j = Math.max(0, i - m); j <= i; j++) {
                    double s = a[i][m - (i - j)];
                    for (int k = Math.max(Math.max(0, i - m), j - m); k < j; k++) {
                        s -= a[i][m - (i - k)] * a[j][m - (j - k)];
                    }
                    a[i][m - (i - j)] = i == j ? Math.sqrt(s) : s / a[j][m];
                }
            }
            double[] z = new double[n];
            for (int i = 0; i < n; i++) {
                double s = b[i];
                for (int k = Math.max(0, i - m); k < i; k++) {
                    s -= a[i][m - (i - k)] * z[k];
                }
                z[i] = s / a[i][m];
            }
            for (int i = n - 1; i >= 0; i--) {
                double s = z[i];
                for (int k = i + 1; k <= Math.min(n - 1, i + m); k++) {
                    s -= a[k][m - (k - i)] * z[k];
                }
                z[i] = s / a[i][m];
            }
            for (int p = 0; p < hw; p++) {
                if (gone[p]) {
                    out[ch * hw + p] = z[index[p]];
                }
            }
        }
        return out;
    }
}
